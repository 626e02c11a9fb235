//! API keys an operator can list and revoke: `api_token` (keyed by the key's digest) becomes
//! `api_key`, with an id to name a key by, the key's first characters (`prefix`) to recognise it
//! by, and when it was last used. The digest stays the lookup: the key itself is never stored.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(from_col: &'static str, to_table: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_api_key_{from_col}"))
        .from("api_key", from_col)
        .to(to_table, "id")
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("api_key")
                .col(pk_auto("id"))
                // SHA-256 of the key, hex.
                .col(string_len_uniq("digest", 64))
                // The key's first 6 characters; unknown (null) for keys made before this table.
                .col(string_len_null("prefix", 6))
                .col(integer_null("staff_id"))
                .col(integer_null("user_info_id"))
                .col(date_time("created_at"))
                // Kept to the minute: one write per key and minute at most.
                .col(date_time_null("last_used_at"))
                .foreign_key(&mut fk("staff_id", "staff"))
                .foreign_key(&mut fk("user_info_id", "user_info"))
                .take(),
        )
        .await?;
        for col in ["staff_id", "user_info_id"] {
            m.create_index(
                Index::create()
                    .name(format!("ix_api_key_{col}"))
                    .table("api_key")
                    .col(col)
                    .take(),
            )
            .await?;
        }
        m.get_connection()
            .execute_unprepared(
                "INSERT INTO api_key (digest, staff_id, user_info_id, created_at) \
                 SELECT key, staff_id, user_info_id, created_at FROM api_token ORDER BY created_at",
            )
            .await?;
        m.drop_table(Table::drop().table("api_token").take()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("api_token")
                .col(string("key").primary_key())
                .col(integer_null("staff_id"))
                .col(integer_null("user_info_id"))
                .col(date_time("created_at"))
                .take(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared(
                "INSERT INTO api_token (key, staff_id, user_info_id, created_at) \
                 SELECT digest, staff_id, user_info_id, created_at FROM api_key",
            )
            .await?;
        m.drop_table(Table::drop().table("api_key").take()).await
    }
}

//! Sessions that can end: a staff account's `session_version`, which every JWT of the account
//! carries (`sv`) and which moving ends them all at once (`logoutEverywhere`, a password change),
//! and `revoked_token`, the ids (`jti`) of single tokens logged out before they expire, kept in
//! the database so that every instance refuses them, and pruned once they would have expired.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("staff")
                .add_column(integer("session_version").default(0))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("revoked_token")
                .col(string_len("jti", 64).primary_key())
                .col(integer("staff_id"))
                // Unix seconds: the token's own expiry, after which the row is pruned.
                .col(big_integer("expires_at"))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_revoked_token_expires")
                .table("revoked_token")
                .col("expires_at")
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("revoked_token").take())
            .await?;
        m.alter_table(
            Table::alter()
                .table("staff")
                .drop_column("session_version")
                .take(),
        )
        .await
    }
}

//! The audit log: who changed what, which record, the changed fields before and after, when.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("audit_log")
                .col(big_pk_auto("id"))
                // China time, as every stored timestamp.
                .col(date_time("at"))
                // `staff`, `member` or `anonymous` (a login).
                .col(string("actor_kind"))
                .col(integer_null("actor_id"))
                .col(string("actor_name"))
                // The GraphQL mutation, whichever interface called it.
                .col(string("action"))
                .col(string("entity"))
                .col(string("record_id"))
                // JSON: {"field": {"before": …, "after": …}} of the fields that changed.
                .col(text("changes"))
                .col(string_null("request_id"))
                .take(),
        )
        .await?;
        for (name, cols) in [
            ("ix_audit_log_at", &["at"][..]),
            ("ix_audit_log_record", &["entity", "record_id"][..]),
            ("ix_audit_log_actor", &["actor_kind", "actor_id"][..]),
        ] {
            let mut index = Index::create();
            index.name(name).table("audit_log");
            for col in cols {
                index.col(*col);
            }
            m.create_index(index.take()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("audit_log").to_owned())
            .await
    }
}

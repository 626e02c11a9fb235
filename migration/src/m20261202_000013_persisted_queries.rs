//! Persisted queries shared by every instance: a document registered under its SHA-256 on one
//! instance answers its hash on all of them.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("persisted_query")
                // SHA-256 of the document, hex.
                .col(string_len("hash", 64).primary_key())
                // At most 16 KB (graphql::request::MAX_CACHED_TEXT), and only documents that
                // passed every limit.
                .col(text("document"))
                .col(date_time("created_at"))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("persisted_query").take())
            .await
    }
}

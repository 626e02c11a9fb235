//! The login throttle in the database, so its limits hold across instances and restarts: one
//! row per throttled key (an account or a client address), keyed by the SHA-256 of the key, with
//! the start of its current window and the failures counted in it. Rows are fixed-size and
//! pruned once their window has passed.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("login_throttle")
                // SHA-256 of `staff:<id>`, `name:<lowercased>` or `addr:<ip>`, hex: a caller's
                // text never reaches the table, whatever its length.
                .col(string_len("key", 64).primary_key())
                // Unix seconds: when the current window began (its first failure).
                .col(big_integer("window_start"))
                .col(integer("failures"))
                .take(),
        )
        .await?;
        // Pruning deletes by window start.
        m.create_index(
            Index::create()
                .name("ix_login_throttle_window_start")
                .table("login_throttle")
                .col("window_start")
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("login_throttle").take())
            .await
    }
}

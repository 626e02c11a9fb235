//! Purchases of one product by many members at once, on PostgreSQL. Each purchase inserts an
//! order (and for a virtual product a prop) and updates the product's `bought` and `stock`. The
//! foreign keys from the order and the prop to the product made every insert lock the product
//! row as well (`FOR KEY SHARE`) while others were updating it, so PostgreSQL kept building
//! multixacts of its lockers: their lookups took 18% of the machine's CPU and halved the rate of
//! purchases (BENCHMARKS.md, S6). Products are never deleted (the API has no way to), which is
//! all those keys guarded, so PostgreSQL drops them and indexes the columns instead. SQLite,
//! which serializes writers anyway, keeps them.

use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (table, constraint PostgreSQL named, index that replaces it).
const KEYS: &[(&str, &str, &str)] = &[
    (
        "exchange_order",
        "exchange_order_product_id_fkey",
        "ix_exchange_order_product",
    ),
    (
        "user_product",
        "user_product_product_id_fkey",
        "ix_user_product_product",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        let db = m.get_connection();
        for (table, key, index) in KEYS {
            db.execute_unprepared(&format!(
                "ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {key}"
            ))
            .await?;
            db.execute_unprepared(&format!(
                "CREATE INDEX IF NOT EXISTS {index} ON {table} (product_id)"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        let db = m.get_connection();
        for (table, key, index) in KEYS {
            db.execute_unprepared(&format!("DROP INDEX IF EXISTS {index}"))
                .await?;
            db.execute_unprepared(&format!(
                "ALTER TABLE {table} ADD CONSTRAINT {key} FOREIGN KEY (product_id) \
                 REFERENCES exchange_product (id) ON DELETE RESTRICT"
            ))
            .await?;
        }
        Ok(())
    }
}

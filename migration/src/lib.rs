//! Schema migrations of opsgraph. One migration per change, named `mYYYYMMDD_NNNNNN_what`;
//! the server runs them on start, `opsgraph migrate` runs them alone.

pub use sea_orm_migration::prelude::*;
pub use sea_orm_migration::MigrationStatus;

mod m20261122_000001_foundation;
mod m20261122_000002_market;
mod m20261122_000003_merchants;
mod m20261122_000004_reports;
mod m20261122_000005_unique_shop_salemenu;
mod m20261122_000006_orders;
mod m20261123_000007_audit_log;
mod m20261123_000008_payer_search;
mod m20261123_000009_hot_product_rows;
mod m20261201_000010_sessions;
mod m20261201_000011_api_keys;
mod m20261202_000012_login_throttle;
mod m20261202_000013_persisted_queries;
mod m20261205_000014_credential_events;

/// Every migration, in the order it is applied.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_foundation::Migration),
            Box::new(m20261122_000002_market::Migration),
            Box::new(m20261122_000003_merchants::Migration),
            Box::new(m20261122_000004_reports::Migration),
            Box::new(m20261122_000005_unique_shop_salemenu::Migration),
            Box::new(m20261122_000006_orders::Migration),
            Box::new(m20261123_000007_audit_log::Migration),
            Box::new(m20261123_000008_payer_search::Migration),
            Box::new(m20261123_000009_hot_product_rows::Migration),
            Box::new(m20261201_000010_sessions::Migration),
            Box::new(m20261201_000011_api_keys::Migration),
            Box::new(m20261202_000012_login_throttle::Migration),
            Box::new(m20261202_000013_persisted_queries::Migration),
            Box::new(m20261205_000014_credential_events::Migration),
        ]
    }
}

//! What every request handler can reach.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::{
    auth::jwt::JwtKeys, config::Config, db::StatementCounter, graphql::AppSchema, storage::Storage,
};

/// The services below both interfaces: database, signing keys, configuration.
/// GraphQL resolvers reach it through the schema's data (`graphql::state`). A copy whose `db`
/// is the read replica serves queries when one is configured (`graphql::replica`).
#[derive(Clone)]
pub struct Core {
    pub db: DatabaseConnection,
    pub jwt: JwtKeys,
    pub config: Config,
    pub statements: StatementCounter,
    /// Where report files, covers and exports live.
    pub storage: Arc<dyn Storage>,
    /// Failed logins per account.
    pub login_throttle: Arc<crate::auth::throttle::LoginThrottle>,
    /// Resolved credentials, kept a few seconds.
    pub auth_cache: Arc<crate::auth::cache::AuthCache>,
    /// Totals of list queries (shared by the primary's core and the replica's).
    pub counts: Arc<crate::db::CountCache>,
}

/// The router's state: the core and the one schema both interfaces run on.
#[derive(Clone)]
pub struct AppState {
    pub core: Arc<Core>,
    /// The core whose database is the read replica, when one is configured: queries run on it.
    pub reader: Option<Arc<Core>>,
    pub schema: AppSchema,
    /// Persisted and parsed GraphQL documents.
    pub documents: Arc<crate::graphql::request::Documents>,
    /// Request and operation counters for `/metrics`.
    pub metrics: crate::ops::SharedMetrics,
}

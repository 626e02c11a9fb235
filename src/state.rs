//! What every request handler can reach.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::{auth::jwt::JwtKeys, config::Config, db::StatementCounter, storage::Storage};

/// The services below both interfaces: database, signing keys, configuration.
/// GraphQL resolvers reach it through the schema's data (`graphql::state`). A copy whose `db`
/// is the read replica serves queries when one is configured (`graphql::request` picks it).
#[derive(Clone)]
pub struct Core {
    pub db: DatabaseConnection,
    pub jwt: JwtKeys,
    pub config: Config,
    pub statements: StatementCounter,
    /// Where report files, covers and exports live.
    pub storage: Arc<dyn Storage>,
    /// Credentials resolved recently, trusted while changes to them can be heard (shared by
    /// both cores and the bus).
    pub credentials: crate::auth::credentials::Credentials,
    /// Failed logins per account and address, counted in the primary database.
    pub login_throttle: Arc<crate::auth::throttle::LoginThrottle>,
    /// Totals of list queries counted on this core's database (the replica's core has its own).
    pub counts: Arc<crate::db::CountCache>,
    /// Spreadsheet parses and exports running now (shared by both cores).
    pub sheet_jobs: Arc<SheetJobs>,
}

/// Seconds a caller refused for [`SheetJobs`] is told to wait (`Retry-After`): about what a
/// large parse or export takes.
pub const SHEET_JOB_RETRY_SECS: u64 = 5;

/// The kinds of spreadsheet work, each limited on its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SheetJob {
    /// Reading an uploaded workbook (import, convert).
    Parse,
    /// Writing a workbook for download (whitelist export, merchant export).
    Export,
}

/// A running spreadsheet job's place; the place frees when it is dropped.
pub type SheetJobPermit = tokio::sync::OwnedSemaphorePermit;

/// At most N parses and N exports at once (`OPSGRAPH_MAX_SHEET_JOBS`): each holds a workbook,
/// its cells or its rows in memory and a core busy, so more at once would trade answers for an
/// out-of-memory kill. A job beyond the limit is refused at once (`BUSY`, HTTP 503 with
/// `Retry-After`) rather than queued: a queue would hold every waiting upload's bytes.
pub struct SheetJobs {
    parses: Arc<tokio::sync::Semaphore>,
    exports: Arc<tokio::sync::Semaphore>,
}

impl SheetJobs {
    /// Room for `limit` jobs of each kind (at least one).
    pub fn new(limit: usize) -> Self {
        let limit = limit.max(1);
        SheetJobs {
            parses: Arc::new(tokio::sync::Semaphore::new(limit)),
            exports: Arc::new(tokio::sync::Semaphore::new(limit)),
        }
    }

    /// A place for one job of `kind`, or `BUSY` when every place is taken.
    pub fn start(&self, kind: SheetJob) -> crate::error::AppResult<SheetJobPermit> {
        let semaphore = match kind {
            SheetJob::Parse => &self.parses,
            SheetJob::Export => &self.exports,
        };
        semaphore
            .clone()
            .try_acquire_owned()
            .map_err(|_| crate::error::AppError::Busy {
                message: "服务器繁忙: 同时处理的表格已达上限, 请稍后重试".into(),
                retry_after_secs: SHEET_JOB_RETRY_SECS,
            })
    }
}

/// The router's state: the core and the one schema both interfaces run on (built twice, to
/// validate known documents faster: [`crate::graphql::Schemas`]).
#[derive(Clone)]
pub struct AppState {
    pub core: Arc<Core>,
    /// The core whose database is the read replica, when one is configured: queries run on it.
    pub reader: Option<Arc<Core>>,
    pub schema: crate::graphql::Schemas,
    /// Persisted and parsed GraphQL documents.
    pub documents: Arc<crate::graphql::request::Documents>,
    /// Request and operation counters for `/metrics`.
    pub metrics: crate::ops::SharedMetrics,
    /// What this instance tells the others, and hears from them.
    pub bus: Arc<crate::shared::Bus>,
}

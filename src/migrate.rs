//! Applying migrations when many instances share one database: once, and never over a schema
//! newer than this build.
//!
//! Instances that start at once against one PostgreSQL (a scaled-out deployment, a rolling
//! upgrade) each take a session-level advisory lock on a connection of their own before reading
//! the migration table: one migrates while the others wait, then find nothing pending. SQLite
//! needs no lock: one file, one instance.
//!
//! A build knows the migrations it carries. A database that has applied one it does not know
//! was migrated by a newer build: this one refuses to start on it, and an instance of it
//! already running answers `/readyz` with 503 and the reason, so the load balancer stops
//! sending it requests its code may no longer answer right.

use migration::{Migrator, MigratorTrait, SchemaManager};
use sea_orm::{
    sqlx::{self, Connection, PgConnection},
    ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, Statement,
};

/// The advisory lock's key: "opsgraph" in ASCII, unlikely to be another application's on a
/// shared server.
pub const LOCK_KEY: i64 = i64::from_be_bytes(*b"opsgraph");

/// Where the database's schema stands against this build's migrations.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SchemaState {
    /// Migrations this build knows that the database has not applied, oldest first.
    pub pending: Vec<String>,
    /// Migrations the database has applied that this build does not know: a newer build
    /// applied them.
    pub unknown: Vec<String>,
}

impl SchemaState {
    /// Why this build must not serve the database, if it must not.
    pub fn newer_than_build(&self) -> Option<String> {
        let (first, rest) = self.unknown.split_first()?;
        let names = if rest.is_empty() {
            format!("migration {first} is unknown")
        } else {
            format!("migrations {} are unknown", self.unknown.join(", "))
        };
        Some(format!(
            "the database schema is newer than this build: {names}; run a newer opsgraph"
        ))
    }

    /// Why an instance of this build is not ready on the database, if it is not: a newer
    /// schema, or migrations not yet applied.
    pub fn problem(&self) -> Option<String> {
        self.newer_than_build().or_else(|| {
            (!self.pending.is_empty()).then(|| {
                format!(
                    "migrations pending: {}; run `opsgraph migrate` or start an instance of this build",
                    self.pending.join(", ")
                )
            })
        })
    }
}

/// Reads where the schema stands, changing nothing: a database without the migration table
/// has every migration pending.
pub async fn state(db: &DatabaseConnection) -> Result<SchemaState, DbErr> {
    let table = Migrator::migration_table_name().to_string();
    let applied: Vec<String> = if SchemaManager::new(db).has_table(&table).await? {
        let sql = format!("SELECT version FROM {table}");
        let rows = db
            .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
            .await?;
        rows.iter()
            .map(|r| r.try_get_by_index::<String>(0))
            .collect::<Result<_, _>>()?
    } else {
        Vec::new()
    };
    let known: Vec<String> = Migrator::migrations()
        .iter()
        .map(|m| m.name().to_owned())
        .collect();
    let mut unknown: Vec<String> = applied
        .iter()
        .filter(|v| !known.contains(v))
        .cloned()
        .collect();
    unknown.sort();
    Ok(SchemaState {
        pending: known.into_iter().filter(|m| !applied.contains(m)).collect(),
        unknown,
    })
}

/// Applies the pending migrations to `db` (reached at `url`): on PostgreSQL under the advisory
/// lock, so instances starting at once migrate once. Fails, changing nothing, when the schema
/// is newer than this build.
pub async fn run(db: &DatabaseConnection, url: &str) -> anyhow::Result<()> {
    let lock = match db.get_database_backend() {
        DatabaseBackend::Postgres => Some(Lock::take(url).await?),
        _ => None,
    };
    let applied = apply(db).await;
    if let Some(lock) = lock {
        lock.release().await;
    }
    applied
}

/// Checks the schema, then migrates if anything is pending.
async fn apply(db: &DatabaseConnection) -> anyhow::Result<()> {
    let state = state(db).await?;
    if let Some(why) = state.newer_than_build() {
        anyhow::bail!(why);
    }
    if !state.pending.is_empty() {
        tracing::info!(pending = state.pending.len(), "applying migrations");
        Migrator::up(db, None).await?;
    }
    Ok(())
}

/// The migration lock, held by a connection of its own: a session-level advisory lock belongs
/// to the connection that took it, and a pool could hand the next statement another one. If
/// the process dies, the server ends the session and the lock with it.
struct Lock(PgConnection);

impl Lock {
    /// Waits for the lock (another instance may be migrating).
    async fn take(url: &str) -> anyhow::Result<Lock> {
        let mut conn = PgConnection::connect(url).await?;
        let taken: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(LOCK_KEY)
            .fetch_one(&mut conn)
            .await?;
        if !taken {
            tracing::info!("another instance is migrating the database: waiting for it");
            sqlx::query("SELECT pg_advisory_lock($1)")
                .bind(LOCK_KEY)
                .execute(&mut conn)
                .await?;
        }
        Ok(Lock(conn))
    }

    /// Unlocks and closes the connection. Failing that, the closed session releases the lock.
    async fn release(mut self) {
        let unlocked = sqlx::query("SELECT pg_advisory_unlock($1)")
            .bind(LOCK_KEY)
            .execute(&mut self.0)
            .await;
        if let Err(e) = unlocked {
            tracing::warn!(error = %e, "unlocking the migration lock failed; closing its session");
        }
        let _ = self.0.close().await;
    }
}

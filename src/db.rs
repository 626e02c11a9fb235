//! Connecting to the database, migrating it, and counting the statements it runs.

use std::{
    collections::HashMap,
    path::PathBuf,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, LazyLock,
    },
    time::Duration,
};

use chrono::Timelike;
use migration::{Migrator, MigratorTrait};
use sea_orm::{
    sea_query::{ExprTrait, Func, LikeExpr, SimpleExpr},
    sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous},
    ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection,
    DatabaseTransaction, DbErr, ExecResult, QueryResult, SqliteTransactionMode, Statement,
    TransactionOptions, TransactionTrait,
};

use crate::{
    config::Config,
    error::{AppError, AppResult},
};

/// Counts every SQL statement the pool runs: the tests prove with it that a page costs a fixed
/// number of statements, and the benchmark reports statements per request.
#[derive(Clone, Debug, Default)]
pub struct StatementCounter(Arc<AtomicU64>);

impl StatementCounter {
    /// Statements run so far.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// Opens the pool (creating a SQLite file if needed) and applies pending migrations, once
/// across instances; fails on a schema newer than this build ([`crate::migrate`]).
pub async fn connect(config: &Config) -> anyhow::Result<(DatabaseConnection, StatementCounter)> {
    let counter = StatementCounter::default();
    let db = open(&config.database_url, config, &counter).await?;
    crate::migrate::run(&db, &config.database_url).await?;
    Ok((db, counter))
}

/// Every migration this build knows, oldest first, with whether the database has it applied.
/// Reads only: a database without the migration table has every migration pending.
pub async fn migration_status(config: &Config) -> anyhow::Result<Vec<(String, bool)>> {
    let db = open(&config.database_url, config, &StatementCounter::default()).await?;
    let migrations = Migrator::get_migration_with_status_read_only(&db).await?;
    Ok(migrations
        .iter()
        .map(|m| {
            let applied = matches!(m.status(), migration::MigrationStatus::Applied);
            (m.name().to_owned(), applied)
        })
        .collect())
}

/// The read replica's pool, if one is configured. It is not migrated: the primary's
/// migrations reach it by replication.
pub async fn connect_replica(
    config: &Config,
    counter: &StatementCounter,
) -> anyhow::Result<Option<DatabaseConnection>> {
    match &config.database_replica_url {
        Some(url) => Ok(Some(open(url, config, counter).await?)),
        None => Ok(None),
    }
}

/// How long a pooled connection may sit idle before it is pinged on checkout.
const PING_WHEN_IDLE_FOR: Duration = Duration::from_secs(5);

/// A pool on `url`, counting its statements into `counter`.
async fn open(
    url: &str,
    config: &Config,
    counter: &StatementCounter,
) -> anyhow::Result<DatabaseConnection> {
    let sqlite = url.starts_with("sqlite:");
    if sqlite {
        create_sqlite_parent_dir(url)?;
    }
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.max_connections(config.pool_size(sqlite))
        .acquire_timeout(Duration::from_secs(10))
        // A pooled connection is pinged before use only after a quiet spell: sqlx's default pings
        // on every checkout, a whole round trip per request (one of a page's three: sqlx also pings
        // each connection it takes back, after the answer). A connection in steady use proves
        // itself by its last answer; one idle for a while (the server restarted, a proxy dropped
        // it) is still checked before it carries a statement.
        .test_before_acquire_if_idle_for(PING_WHEN_IDLE_FOR)
        .sqlx_logging(false)
        // Durability: WAL with FULL sync keeps every acknowledged write across a crash, and
        // the busy timeout makes writers on other connections wait instead of failing.
        .map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                .create_if_missing(true)
        });
    let mut db = Database::connect(opts).await?;
    let inner = counter.0.clone();
    db.set_metric_callback(move |_| {
        inner.fetch_add(1, Ordering::Relaxed);
    });
    Ok(db)
}

fn create_sqlite_parent_dir(url: &str) -> anyhow::Result<()> {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:")
        .split('?')
        .next()
        .unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Ok(());
    }
    if let Some(parent) = std::path::Path::new(path).parent() {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent)?;
        }
    }
    Ok(())
}

/// Totals of list queries, kept a little while: a page of a large table would otherwise count
/// the whole result on every request (the count costs fifty times the page at a million rows).
///
/// - A total younger than [`Config::count_cache_secs`] is answered as it is.
/// - An older one is still answered at once, and one background task counts again
///   (stale-while-revalidate): no page waits for a recount once its filter has a total. Only the
///   first count of a filter, or a total more than [`MAX_STALE_TTLS`] times the TTL old, makes
///   its request wait (and the requests of the same filter wait for that one count).
/// - Every total is forgotten when a write of this instance commits
///   ([`crate::graphql::request`]), so its own writes show at once; on PostgreSQL the other
///   instances forget theirs when they hear of it ([`crate::shared`]), within a round trip. A
///   document that fails, or a mutation that commits nothing, forgets nothing.
///
/// Keys are digests of the counting statement (which holds the caller's filter text), so an
/// entry weighs the same whatever was typed; [`MAX_COUNTS`] entries bound the bytes.
///
/// [`Config::count_cache_secs`]: crate::config::Config::count_cache_secs
pub struct CountCache {
    ttl: Duration,
    slots: crate::cache::Bounded<Arc<CountSlot>>,
    /// Permits for background recounts, [`MAX_RECOUNTS`] in all.
    recounts: Arc<tokio::sync::Semaphore>,
}

/// One filter's total: counted by one request while the others for the same filter wait for it,
/// and recounted in the background when it grows old.
#[derive(Default)]
struct CountSlot {
    counted: tokio::sync::Mutex<Option<Counted>>,
    /// A background recount is running.
    recounting: std::sync::atomic::AtomicBool,
}

/// A total, and when it was counted.
#[derive(Clone, Copy)]
struct Counted {
    total: u64,
    at: std::time::Instant,
}

/// Totals kept at most.
pub const MAX_COUNTS: usize = 10_000;
/// How many TTLs old a total may be and still be answered while it is recounted: past that (a
/// filter nobody asked for in a while) the request counts afresh.
pub const MAX_STALE_TTLS: u32 = 6;
/// What one total weighs: its slot (the key and bookkeeping are counted by the cache).
const COUNT_WEIGHT: usize = 96;
/// Background recounts running at once, per cache. Each holds a connection for what may be the
/// slowest statement of its page, and the pool may be as small as 4 ([`Config::pool_size`]):
/// more recounts, of many filters gone stale together, would take it from requests. When none
/// is free the kept total is answered, and the next request past the TTL tries again.
pub const MAX_RECOUNTS: usize = 2;

impl Default for CountCache {
    fn default() -> Self {
        CountCache::new(Duration::ZERO)
    }
}

impl CountCache {
    /// A cache keeping totals `ttl` long (zero: no cache).
    pub fn new(ttl: Duration) -> Self {
        CountCache {
            ttl,
            slots: crate::cache::Bounded::new(
                MAX_COUNTS,
                MAX_COUNTS * (COUNT_WEIGHT + crate::cache::ENTRY_OVERHEAD),
            ),
            recounts: Arc::new(tokio::sync::Semaphore::new(MAX_RECOUNTS)),
        }
    }

    /// The number of rows `query` selects.
    pub async fn count<E>(
        &self,
        db: &DatabaseConnection,
        query: &sea_orm::Select<E>,
    ) -> AppResult<u64>
    where
        E: sea_orm::EntityTrait,
        E::Model: Sync,
    {
        use sea_orm::{PaginatorTrait, QueryTrait};
        if self.ttl.is_zero() {
            return Ok(query.clone().count(db).await?);
        }
        // The statement's text and its values apart: writing the values into the text (its
        // `Display`) re-tokenizes the whole statement on every request.
        let statement = query.build(db.get_database_backend());
        let values = format!("{:?}", statement.values);
        let key = crate::cache::key(&[statement.sql.as_bytes(), values.as_bytes()]);
        drop((statement, values));
        let slot =
            self.slots
                .get_or_insert_with(key, || Arc::new(CountSlot::default()), COUNT_WEIGHT);
        let mut held = slot.counted.lock().await;
        if let Some(c) = *held {
            let age = c.at.elapsed();
            if age < self.ttl {
                return Ok(c.total);
            }
            if age < self.ttl * MAX_STALE_TTLS {
                if let Ok(permit) = self.recounts.clone().try_acquire_owned() {
                    if !slot.recounting.swap(true, Ordering::SeqCst) {
                        // In the request's span: what it logs names the request that started it.
                        use tracing::Instrument;
                        let recount = recount(db.clone(), query.clone(), slot.clone(), permit);
                        tokio::spawn(recount.in_current_span());
                    }
                }
                return Ok(c.total);
            }
        }
        // A cleared cache drops its slots: a count that raced a write lands in a slot nobody
        // reads any more.
        let total = query.clone().count(db).await?;
        *held = Some(Counted {
            total,
            at: std::time::Instant::now(),
        });
        Ok(total)
    }

    /// One page of `query` in `order` (ties broken by the later columns), and the number of
    /// rows on all pages, counted through this cache. A page past the last is an error, or an
    /// empty page, as `past_the_end` says (the families disagree).
    pub async fn page<E>(
        &self,
        db: &DatabaseConnection,
        query: sea_orm::Select<E>,
        order: &[(E::Column, sea_orm::Order)],
        page: crate::graphql::page::PageArgs,
        past_the_end: PastTheEnd,
    ) -> AppResult<(u64, Vec<E::Model>)>
    where
        E: sea_orm::EntityTrait,
        E::Model: Sync,
    {
        let joins = crate::graphql::joins::Joins::default();
        let read = crate::graphql::joins::Joined::read;
        let (total, rows) = self
            .page_joined(db, query, order, page, past_the_end, (&joins, read))
            .await?;
        Ok((total, rows.into_iter().map(|r| r.model).collect()))
    }

    /// [`CountCache::page`], with the to-one objects of `joins` read in the same statement (the
    /// total is counted without them, and only when `joins` asks for it: it is 0 otherwise),
    /// each row read by `read`: by position ([`crate::graphql::joins::Joined::read_at`]) for a
    /// page with joins.
    pub async fn page_joined<E>(
        &self,
        db: &DatabaseConnection,
        query: sea_orm::Select<E>,
        order: &[(E::Column, sea_orm::Order)],
        page: crate::graphql::page::PageArgs,
        past_the_end: PastTheEnd,
        (joins, read): (&crate::graphql::joins::Joins<E>, RowReader<E>),
    ) -> AppResult<(u64, Vec<crate::graphql::joins::Joined<E::Model>>)>
    where
        E: sea_orm::EntityTrait,
        E::Model: Sync,
    {
        use sea_orm::{QueryOrder, QueryTrait};
        let total = if joins.counts_total() {
            let total = self.count(db, &query).await?;
            if past_the_end == PastTheEnd::NotFound {
                page.check_in_range(total)?;
            }
            total
        } else {
            0
        };
        let mut query = query;
        for (column, direction) in order {
            query = query.order_by(*column, direction.clone());
        }
        let statement = with_window(db, joins.apply(query).into_query(), page);
        let rows = db.query_all_raw(statement).await?;
        debug_assert!(rows.first().is_none_or(|row| joins.in_place(row)));
        let rows = rows
            .into_iter()
            .map(|row| read(joins, row))
            .collect::<Result<Vec<_>, _>>()?;
        // Uncounted, a page past the end is known by having no rows.
        if !joins.counts_total() && rows.is_empty() && past_the_end == PastTheEnd::NotFound {
            page.check_in_range(0)?;
        }
        Ok((total, rows))
    }

    /// Forgets every total.
    pub fn clear(&self) {
        self.slots.clear();
    }

    /// Totals kept, and the bytes they weigh.
    pub fn usage(&self) -> (usize, usize) {
        self.slots.usage()
    }
}

/// `n` written into a statement's text rather than bound as a parameter: for the bounds a
/// page filters on most (an order list's period), so that its plan is reused like its window's
/// ([`with_window`]). With the period bound, PostgreSQL planned the five-table order page on
/// every execution (pgbench on S5's statement: 2,650 pages/s bound, 7,130 written in).
/// Only for integers the server computed (a day's first second), never for caller text: each
/// distinct value is one more prepared statement per connection, which sqlx's statement cache
/// bounds.
pub fn literal(n: i64) -> sea_orm::sea_query::Expr {
    sea_orm::sea_query::Expr::cust(n.to_string())
}

/// `query` with `page`'s window (`LIMIT`, `OFFSET`) written into its text rather than bound as
/// parameters. PostgreSQL plans a prepared statement whose LIMIT is a parameter anew on every
/// execution (a generic plan cannot know how many rows it stops after, so it never looks
/// cheaper than a custom one): for a page of 20 that planning cost twice the execution
/// (BENCHMARKS.md, issue 19). With the window in the text, the few windows clients ask for are
/// each prepared once per connection and their plan reused. Both numbers are integers of our
/// own making, never caller text.
pub fn with_window(
    db: &DatabaseConnection,
    query: sea_orm::sea_query::SelectStatement,
    page: crate::graphql::page::PageArgs,
) -> sea_orm::Statement {
    let mut statement = db.get_database_backend().build(&query);
    // The window is the statement's last clause: `query` has no LIMIT, OFFSET or lock.
    statement.sql.push_str(&format!(
        " LIMIT {} OFFSET {}",
        page.page_size,
        page.offset()
    ));
    statement
}

/// How a page's rows are read: by name, or by position ([`crate::graphql::joins::Joined`]), of
/// the columns its joins select.
pub type RowReader<E> = fn(
    &crate::graphql::joins::Joins<E>,
    sea_orm::QueryResult,
) -> Result<
    crate::graphql::joins::Joined<<E as sea_orm::EntityTrait>::Model>,
    sea_orm::DbErr,
>;

/// What a page past the last one answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PastTheEnd {
    /// DRF's `Invalid page.` (404), and GraphQL's `NOT_FOUND`.
    NotFound,
    /// An empty page, as the paid-report and merchant families answer.
    Empty,
}

/// Counts `query` again for `slot`, off any request's path, holding one of the cache's
/// `permit`s; a failure keeps the old total (the next request past the TTL tries again).
async fn recount<E>(
    db: DatabaseConnection,
    query: sea_orm::Select<E>,
    slot: Arc<CountSlot>,
    permit: tokio::sync::OwnedSemaphorePermit,
) where
    E: sea_orm::EntityTrait,
    E::Model: Sync,
{
    use sea_orm::PaginatorTrait;
    match query.count(&db).await {
        Ok(total) => {
            *slot.counted.lock().await = Some(Counted {
                total,
                at: std::time::Instant::now(),
            });
        }
        Err(e) => tracing::warn!(error = %e, "a total could not be counted again"),
    }
    slot.recounting.store(false, Ordering::SeqCst);
    drop(permit);
}

/// How long a writer waits for its turn, as long as SQLite's busy timeout.
const WRITE_TURN_TIMEOUT: Duration = Duration::from_secs(10);

/// This process's turn to write to each SQLite file, by file name.
static WRITE_TURNS: LazyLock<std::sync::Mutex<HashMap<PathBuf, Arc<tokio::sync::Mutex<()>>>>> =
    LazyLock::new(Default::default);

/// A transaction that writes. On SQLite it also holds this process's turn to write to the file,
/// until it commits or is dropped.
///
/// SQLite has one writer at a time, and a connection that finds the lock taken waits in SQLite's
/// busy handler, which sleeps 1, 2, 5 … 100 ms between tries: under 32 concurrent purchases some
/// waited many rounds (p99 0.7 s, BENCHMARKS.md). Writers of this process queue for the turn
/// instead, first come first served, and take the lock at once; other processes still meet the
/// busy handler.
pub struct WriteTxn {
    txn: DatabaseTransaction,
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl WriteTxn {
    /// Commits, and gives the turn to the next writer. The request is noted as having
    /// written, so its cached totals are forgotten ([`CountCache`]).
    pub async fn commit(self) -> Result<(), DbErr> {
        self.txn.commit().await?;
        crate::ops::note_commit();
        Ok(())
    }

    /// Rolls back, and gives the turn to the next writer.
    pub async fn rollback(self) -> Result<(), DbErr> {
        self.txn.rollback().await
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for WriteTxn {
    fn get_database_backend(&self) -> DatabaseBackend {
        self.txn.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.txn.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.txn.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.txn.query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.txn.query_all_raw(stmt).await
    }

    fn support_returning(&self) -> bool {
        self.txn.support_returning()
    }
}

/// Begins a transaction that writes. On SQLite it waits for this process's turn to write (see
/// [`WriteTxn`]), then begins `IMMEDIATE`, so it takes the write lock up front instead of
/// failing with `SQLITE_BUSY` when a read turns into a write; on PostgreSQL it is a plain
/// `BEGIN` (Read Committed).
pub async fn begin_write(db: &DatabaseConnection) -> AppResult<WriteTxn> {
    let turn = match db.get_database_backend() {
        DatabaseBackend::Sqlite => {
            let file = db
                .get_sqlite_connection_pool()
                .connect_options()
                .get_filename()
                .to_path_buf();
            let turn = WRITE_TURNS
                .lock()
                .map_err(|_| AppError::Internal("write turns poisoned".into()))?
                .entry(file)
                .or_default()
                .clone();
            Some(
                tokio::time::timeout(WRITE_TURN_TIMEOUT, turn.lock_owned())
                    .await
                    .map_err(|_| {
                        AppError::Internal(
                            "database is locked: no turn to write within 10 s".into(),
                        )
                    })?,
            )
        }
        _ => None,
    };
    let txn = db
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        })
        .await?;
    Ok(WriteTxn { txn, _turn: turn })
}

/// `err` as a conflict (409 in every family, `CONFLICT` in GraphQL) with `message` when the
/// write broke a unique index: what a writer gets that lost a race a check before the write
/// could not see. Any other error stays what it is.
pub fn conflict_on_unique(err: DbErr, message: &str) -> AppError {
    match err.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => AppError::Conflict(message.into()),
        _ => err.into(),
    }
}

/// After rows were inserted with explicit ids (demo data), moves PostgreSQL's sequences past
/// them; SQLite needs nothing.
pub async fn reset_sequences(db: &impl ConnectionTrait, tables: &[&str]) -> AppResult<()> {
    if db.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(());
    }
    for table in tables {
        let sql = format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
             GREATEST((SELECT COALESCE(MAX(id), 0) FROM \"{table}\"), 1))"
        );
        db.execute_raw(Statement::from_string(DatabaseBackend::Postgres, sql))
            .await?;
    }
    Ok(())
}

/// The offset of the legacy systems' (and their users') time: China, UTC+8.
pub fn china() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| unreachable!("+08:00 is valid"))
}

/// SQL for the Unix seconds of a stored (naive China) timestamp `column`, truncated to the
/// second as `chrono`'s `timestamp()` is: what a query sorts or compares with Unix seconds
/// stored elsewhere (an order's `paid_at`).
pub fn unix_seconds_sql(backend: sea_orm::DatabaseBackend, column: &str) -> String {
    let offset = china().local_minus_utc();
    match backend {
        sea_orm::DatabaseBackend::Postgres => {
            format!("(CAST(FLOOR(EXTRACT(EPOCH FROM {column})) AS BIGINT) - {offset})")
        }
        // SQLite keeps them as text (`2022-06-01 08:00:00.123456`); `%s` reads them as UTC.
        _ => format!("(CAST(strftime('%s', {column}) AS INTEGER) - {offset})"),
    }
}

/// The current time in China, to the microsecond. Stored timestamps are naive China times, as
/// the legacy answers print them (`"2022-06-22 08:00:00"`) and as clients type them; the
/// microsecond is what both engines keep, so a value reads back as it was written.
pub fn now() -> chrono::NaiveDateTime {
    let t = chrono::Utc::now().with_timezone(&china()).naive_local();
    t.with_nanosecond(t.nanosecond() / 1_000 * 1_000)
        .unwrap_or(t)
}

/// Sets `column` to `value` when one is given; `None` leaves the column as it is (a partial
/// update's absent field).
pub fn set_given<V: Into<sea_orm::Value>>(column: &mut sea_orm::ActiveValue<V>, value: Option<V>) {
    if let Some(v) = value {
        *column = sea_orm::ActiveValue::Set(v);
    }
}

/// A timestamp as the legacy (Python `isoformat`) APIs print it: microseconds when there are
/// any, none when they are zero.
pub fn iso_datetime(t: chrono::NaiveDateTime) -> String {
    if t.nanosecond() == 0 {
        t.format("%Y-%m-%dT%H:%M:%S").to_string()
    } else {
        t.format("%Y-%m-%dT%H:%M:%S%.6f").to_string()
    }
}

/// `%text%` for a case-insensitive substring search with LIKE: lower-cased, with LIKE's
/// wildcards escaped so they match themselves.
pub fn contains_pattern(text: &str) -> String {
    let escaped = text
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// `LOWER(column) LIKE pattern ESCAPE '\'`: the same on SQLite and PostgreSQL.
pub fn lower_like(column: impl Into<SimpleExpr>, pattern: &str) -> SimpleExpr {
    Func::lower(column.into()).like(LikeExpr::new(pattern).escape('\\'))
}

/// `SELECT column FROM <its table> WHERE condition`: a subquery for an `IN (...)` filter of
/// another table.
pub fn column_where<C>(
    column: C,
    condition: impl sea_orm::sea_query::IntoCondition,
) -> sea_orm::sea_query::SelectStatement
where
    C: sea_orm::ColumnTrait,
    C::EntityName: sea_orm::EntityTrait<Column = C>,
{
    use sea_orm::{EntityTrait, QueryFilter, QuerySelect, QueryTrait};
    C::EntityName::find()
        .select_only()
        .column(column)
        .filter(condition)
        .into_query()
}

#[cfg(test)]
mod tests {
    use sea_orm::{ConnectionTrait, Database, EntityTrait};

    use super::*;

    /// Rows of `visit_record` as `cache` answers their total.
    async fn total(cache: &CountCache, db: &DatabaseConnection) -> u64 {
        let query = entity::visit_record::Entity::find();
        cache.count(db, &query).await.unwrap()
    }

    async fn add_visit(db: &DatabaseConnection) {
        db.execute_unprepared(
            "INSERT INTO visit_record (contact, detail, created_at) \
             VALUES ('tester001', 'x', '2022-01-01 00:00:00')",
        )
        .await
        .unwrap();
    }

    #[tokio::test]
    async fn a_stale_total_is_recounted_only_when_a_recount_is_free() {
        let db = Database::connect("sqlite::memory:").await.unwrap();
        Migrator::up(&db, None).await.unwrap();
        let ttl = Duration::from_millis(200);
        let cache = CountCache::new(ttl);
        assert_eq!(total(&cache, &db).await, 0);
        add_visit(&db).await;
        tokio::time::sleep(ttl + Duration::from_millis(20)).await;
        // Every recount busy (with other filters): the stale total, and no recount behind it.
        let busy = cache
            .recounts
            .clone()
            .acquire_many_owned(MAX_RECOUNTS as u32)
            .await
            .unwrap();
        assert_eq!(total(&cache, &db).await, 0);
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(total(&cache, &db).await, 0, "no recount ran");
        // One free: the next request past the TTL starts it, and a later one has its total.
        drop(busy);
        assert_eq!(total(&cache, &db).await, 0, "answered at once");
        let mut seen = 0;
        for _ in 0..50 {
            seen = total(&cache, &db).await;
            if seen == 1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(seen, 1, "recounted behind the request");
        assert_eq!(cache.recounts.available_permits(), MAX_RECOUNTS);
    }
}

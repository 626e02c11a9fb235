//! What instances of one deployment tell each other, through PostgreSQL's `LISTEN`/`NOTIFY`.
//!
//! - [`TOTALS`]: a write committed somewhere; every other instance forgets its cached totals
//!   ([`crate::db::CountCache`]), so a total changed through A is right on B once B heard it
//!   (one round trip), not after the cache's TTL.
//! - [`WRITERS`]: a caller wrote; every instance sends that caller's reads to the primary for
//!   [`Config::read_your_writes_secs`], so an admin who saves and reloads sees the change even
//!   when the replica lags and the reload lands on another instance.
//!
//! - [`CREDENTIALS`]: a staff account, role, permission, API key, revoked token or member's
//!   owner changed, by whatever means (the database's triggers send it, so the CLI and plain
//!   SQL are heard too); every instance forgets the credentials it remembered
//!   ([`crate::auth::remembered`]).
//!
//! One connection per instance listens, outside the request pool (a pool of its own, with the
//! primary's options), so the pool's size is what requests get. When it drops, the bus hears
//! it at once, stops trusting remembered credentials, connects and listens again, and, since
//! notifications may have been missed meanwhile, forgets every total and sends every caller's
//! reads to the primary for the window; credentials are remembered only while it listens. On SQLite (one instance by
//! design) nothing is sent: the local path is the whole truth, but for changes to credentials
//! made beside the server (the CLI, the `sqlite3` shell), which the bus notices by polling the
//! version its triggers move.
//!
//! [`Config::read_your_writes_secs`]: crate::config::Config::read_your_writes_secs

use std::{
    sync::{Arc, Mutex, Weak},
    time::{Duration, Instant},
};

use sea_orm::{
    sqlx::postgres::{PgListener, PgPoolOptions},
    ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement,
};

use crate::{
    auth::{credentials::Credentials, Auth, Principal},
    cache::Bounded,
    db::CountCache,
};

/// The channel of committed writes: totals are to be forgotten.
pub const TOTALS: &str = "opsgraph_totals";
/// The channel of callers who wrote: their reads go to the primary for a while.
pub const WRITERS: &str = "opsgraph_writers";
/// The channel of changed credentials, fed by triggers (migration
/// `m20261205_000014_credential_events`): remembered credentials are to be forgotten.
pub const CREDENTIALS: &str = "opsgraph_credentials";

/// Callers remembered at most as recent writers, and what each weighs.
const MAX_WRITERS: usize = 10_000;
const WRITER_WEIGHT: usize = 16;

/// How long the listener waits before connecting again after a failure.
const RECONNECT_DELAY: Duration = Duration::from_secs(1);
/// How often SQLite's `credential_version` is read: the longest a change made beside the server
/// (the CLI, SQL) waits before remembered credentials are forgotten.
const SQLITE_POLL: Duration = Duration::from_millis(200);

/// This instance's end of the conversation.
pub struct Bus {
    /// Names this instance in what it sends, so it can skip its own notifications.
    instance: String,
    db: DatabaseConnection,
    /// The totals of the primary's core and, when there is one, the replica's: each keeps the
    /// totals counted on its own database, and a write forgets both.
    counts: Vec<Arc<CountCache>>,
    /// Credentials remembered by this instance.
    credentials: Credentials,
    window: Duration,
    /// Callers who wrote, by the digest of their [`caller_key`], with when.
    writers: Bounded<Instant>,
    /// Every caller reads the primary until then (after the listener lost notifications).
    everyone_until: Mutex<Option<Instant>>,
    /// Dropped with the bus: ends the listener.
    _stop: tokio::sync::watch::Sender<()>,
}

/// Who a caller is, for read-your-writes: its kind and id. Anonymous callers have none.
fn caller_key(auth: &Auth) -> Option<String> {
    match &auth.0 {
        Some(Principal::Staff(s)) => Some(format!("s{}", s.id)),
        Some(Principal::Member(m)) => Some(format!("m{}", m.user_info_id)),
        None => None,
    }
}

impl Bus {
    /// The bus of an instance on `db` (the primary), whose totals are `counts`; on PostgreSQL it
    /// starts listening to the other instances.
    pub fn start(
        db: DatabaseConnection,
        counts: Vec<Arc<CountCache>>,
        credentials: Credentials,
        window: Duration,
    ) -> Arc<Bus> {
        let (stop, stopped) = tokio::sync::watch::channel(());
        let bus = Arc::new(Bus {
            instance: format!("{:016x}", rand::random::<u64>()),
            db,
            counts,
            credentials,
            window,
            writers: Bounded::new(
                MAX_WRITERS,
                MAX_WRITERS * (WRITER_WEIGHT + crate::cache::ENTRY_OVERHEAD),
            ),
            everyone_until: Mutex::new(None),
            _stop: stop,
        });
        match bus.db.get_database_backend() {
            DatabaseBackend::Postgres => tokio::spawn(listen(Arc::downgrade(&bus), stopped)),
            _ => tokio::spawn(watch_sqlite(Arc::downgrade(&bus), stopped)),
        };
        bus
    }

    /// Whether `auth`'s reads are to go to the primary: it wrote within the window, here or on
    /// another instance, or notifications were lost within the window.
    pub fn reads_primary(&self, auth: &Auth) -> bool {
        let now = Instant::now();
        if self
            .everyone_until
            .lock()
            .is_ok_and(|until| until.is_some_and(|t| now < t))
        {
            return true;
        }
        caller_key(auth).is_some_and(|who| {
            self.writers
                .get(&crate::cache::key(&[who.as_bytes()]))
                .is_some_and(|at| now.duration_since(at) < self.window)
        })
    }

    /// A write of `auth`'s committed on this instance: totals are forgotten here and, on
    /// PostgreSQL, on every other instance; the caller reads the primary for the window
    /// everywhere. Remembered credentials are forgotten here at once, whatever the write (the
    /// database's triggers tell the other instances of a change to credentials), so the
    /// writer's own next request sees a change it made. One statement on PostgreSQL, none on SQLite. Sent after the commit: an
    /// instance that dies in between leaves the others' totals at most a TTL old.
    pub async fn wrote(&self, auth: &Auth) {
        self.forget_totals();
        self.credentials.forget();
        let who = caller_key(auth);
        if let Some(who) = &who {
            self.note_writer(who);
        }
        if self.db.get_database_backend() != DatabaseBackend::Postgres {
            return;
        }
        let writer = format!("{} {}", self.instance, who.unwrap_or_default());
        let statement = Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT pg_notify($1, $2), pg_notify($3, $4)",
            [
                TOTALS.into(),
                self.instance.clone().into(),
                WRITERS.into(),
                writer.into(),
            ],
        );
        if let Err(e) = self.db.execute_raw(statement).await {
            tracing::warn!(error = %e, "could not tell the other instances of a write");
        }
    }

    fn forget_totals(&self) {
        for counts in &self.counts {
            counts.clear();
        }
    }

    fn note_writer(&self, who: &str) {
        self.writers.insert(
            crate::cache::key(&[who.as_bytes()]),
            Instant::now(),
            WRITER_WEIGHT,
        );
    }

    /// What was missed is unknown: every total goes, and every caller reads the primary for the
    /// window.
    fn forget_everything(&self) {
        self.forget_totals();
        if let Ok(mut until) = self.everyone_until.lock() {
            *until = Some(Instant::now() + self.window);
        }
    }

    /// Acts on one notification from `channel`.
    fn heard(&self, channel: &str, payload: &str) {
        let (from, who) = payload.split_once(' ').unwrap_or((payload, ""));
        if from == self.instance && channel != CREDENTIALS {
            return;
        }
        match channel {
            TOTALS => self.forget_totals(),
            // Sent by the database, not by an instance: this instance's own changes too.
            CREDENTIALS => self.credentials.forget(),
            WRITERS if !who.is_empty() => self.note_writer(who),
            _ => {}
        }
    }
}

/// Listens on both channels for as long as the bus lives, reconnecting after a failure.
async fn listen(bus: Weak<Bus>, mut stopped: tokio::sync::watch::Receiver<()>) {
    let mut again = false;
    loop {
        let Some(pool) = bus
            .upgrade()
            .map(|b| b.db.get_postgres_connection_pool().clone())
        else {
            return;
        };
        let connected = async {
            // Its own pool of one connection: a connection held for good would otherwise be one
            // of the request pool's, whose default is as small as 4.
            let own = PgPoolOptions::new()
                .max_connections(1)
                .max_lifetime(None)
                .idle_timeout(None)
                .connect_with((*pool.connect_options()).clone())
                .await?;
            let mut listener = PgListener::connect_with(&own).await?;
            // A dropped connection answers `Ok(None)` at once instead of first waiting for a new
            // one: remembered credentials must stop being trusted while nothing listens.
            listener.eager_reconnect(false);
            listener.listen_all([TOTALS, WRITERS, CREDENTIALS]).await?;
            Ok::<_, sea_orm::sqlx::Error>(listener)
        };
        let mut listener = tokio::select! {
            _ = stopped.changed() => return,
            connected = connected => match connected {
                Ok(listener) => listener,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot listen to the other instances; retrying");
                    // Totals are answered meanwhile, and writes elsewhere go unheard.
                    again = true;
                    tokio::select! {
                        _ = stopped.changed() => return,
                        _ = tokio::time::sleep(RECONNECT_DELAY) => continue,
                    }
                }
            },
        };
        // Listening again: whatever was sent while no connection listened is unknown. (Before
        // a first connection made at the first try this instance had nothing to forget.)
        match bus.upgrade() {
            Some(b) => {
                if again {
                    b.forget_everything();
                }
                again = true;
                b.credentials.set_listening(true);
            }
            None => return,
        }
        loop {
            let received = tokio::select! {
                _ = stopped.changed() => return,
                received = listener.try_recv() => received,
            };
            let Some(b) = bus.upgrade() else { return };
            match received {
                Ok(Some(n)) => b.heard(n.channel(), n.payload()),
                // The connection dropped: a new one listens, then forgets what it may have missed.
                Ok(None) => {
                    tracing::warn!("the listening connection dropped; listening again");
                    b.credentials.set_listening(false);
                    break;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "listening to the other instances failed");
                    b.credentials.set_listening(false);
                    break;
                }
            }
        }
    }
}

/// On SQLite: forgets remembered credentials whenever `credential_version` moved (its triggers
/// move it on every change to what a credential reads, whoever wrote: this server, the CLI,
/// the `sqlite3` shell), read every [`SQLITE_POLL`] on the pool's underlying connections, so
/// its reads are not counted as the server's statements: they belong to no request.
async fn watch_sqlite(bus: Weak<Bus>, mut stopped: tokio::sync::watch::Receiver<()>) {
    let mut seen: Option<i64> = None;
    loop {
        let Some(b) = bus.upgrade() else { return };
        let pool = b.db.get_sqlite_connection_pool();
        let version =
            sea_orm::sqlx::query_scalar::<_, i64>("SELECT version FROM credential_version")
                .fetch_one(pool)
                .await;
        match version {
            Ok(version) if seen.is_none() => {
                seen = Some(version);
                b.credentials.set_listening(true);
            }
            Ok(version) if seen != Some(version) => {
                seen = Some(version);
                b.credentials.forget();
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, "cannot watch the database for changed credentials");
                b.credentials.set_listening(false);
                seen = None;
            }
        }
        drop(b);
        tokio::select! {
            _ = stopped.changed() => return,
            _ = tokio::time::sleep(SQLITE_POLL) => {}
        }
    }
}

//! Login throttling: after too many failed logins for one account, or from one client address,
//! within a window, further attempts are refused until the window has passed, whether the
//! password is right or not. An address gets a larger allowance than an account (an office
//! behind one NAT shares it).
//!
//! The counts live in the database (`login_throttle`), so the limits hold across every instance
//! and across restarts. A key (an account or an address) has one row: the SHA-256 of the key,
//! the start of its window (its first failure) and the failures counted since; a failure after
//! the window has passed starts a new one. What it costs:
//!
//! - a login attempt: one `SELECT` of both its keys' rows, before the password is checked;
//! - a failed one: one `INSERT … ON CONFLICT DO UPDATE` counting both keys (and, at most once
//!   every [`PRUNE_EVERY`] per instance, a `DELETE` of the rows whose window has passed);
//! - a successful one: nothing more, or one `DELETE` when its account had failures to forget;
//! - every other request: nothing.
//!
//! The table stays bounded: rows are fixed-size (a 64-character digest and two integers, about
//! 200 bytes with their index entries) and, as an instance prunes on a failure whenever its last
//! pruning is [`PRUNE_EVERY`] old, the table holds at most the keys that failed within
//! [`WINDOW`] plus [`PRUNE_EVERY`] before the latest failed login: two per failed login.
//!
//! On SQLite the writes are single autocommit statements: each takes the write lock as it
//! starts, so a busy file makes it wait in the busy timeout instead of failing.

use std::{
    sync::atomic::{AtomicI64, Ordering},
    time::Duration,
};

use entity::login_throttle::{ActiveModel, Column, Entity};
use sea_orm::{
    sea_query::{Expr, ExprTrait, OnConflict},
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set,
};
use sha2::{Digest, Sha256};

use crate::error::{AppError, AppResult, ErrorCode};

/// Failed attempts one account may make within [`WINDOW`].
pub const MAX_FAILURES: i32 = 5;
/// Failed attempts one client address may make within [`WINDOW`], whatever the accounts.
pub const MAX_ADDRESS_FAILURES: i32 = 20;
/// How long a window lasts from its first failure.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// How often an instance deletes the rows whose window has passed, at most (on a failure).
pub const PRUNE_EVERY: Duration = Duration::from_secs(5 * 60);

/// The refusal of a throttled attempt (HTTP 429).
pub fn refused() -> AppError {
    AppError::rule(ErrorCode::RateLimited, "登录失败次数过多, 请 15 分钟后再试")
}

/// The keys one attempt counts under: its account and, when known, its client address, as
/// the digests the table stores.
pub struct Attempt {
    account: String,
    address: Option<String>,
}

impl Attempt {
    /// An attempt under `account` (`staff:<id>` or `name:<lowercased>`) and `address`
    /// (`addr:<ip>`).
    pub fn new(account: &str, address: Option<&str>) -> Self {
        Attempt {
            account: digest(account),
            address: address.map(digest),
        }
    }

    fn keys(&self) -> impl Iterator<Item = &String> {
        std::iter::once(&self.account).chain(&self.address)
    }
}

/// What the check before an attempt found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Standing {
    /// The account or the address has used its allowance: the attempt is refused.
    pub blocked: bool,
    /// The account has failures in its window, which a success forgets.
    account_failed: bool,
}

/// Failed logins per account and per client address, counted in the database.
pub struct LoginThrottle {
    db: DatabaseConnection,
    /// When this instance last pruned, Unix seconds (0: not yet).
    last_prune: AtomicI64,
}

impl LoginThrottle {
    /// A throttle counting in `db` (the primary).
    pub fn new(db: DatabaseConnection) -> Self {
        LoginThrottle {
            db,
            last_prune: AtomicI64::new(0),
        }
    }

    /// Whether `attempt` may go on: one statement for both its keys.
    pub async fn check(&self, attempt: &Attempt) -> AppResult<Standing> {
        let rows = Entity::find()
            .filter(Column::Key.is_in(attempt.keys().cloned()))
            .filter(Column::WindowStart.gt(window_cutoff(now())))
            .all(&self.db)
            .await?;
        let failures = |key: &String| {
            rows.iter()
                .find(|r| &r.key == key)
                .map_or(0, |r| r.failures)
        };
        let account = failures(&attempt.account);
        let address = attempt.address.as_ref().map_or(0, failures);
        Ok(Standing {
            blocked: account >= MAX_FAILURES || address >= MAX_ADDRESS_FAILURES,
            account_failed: account > 0,
        })
    }

    /// Counts a failed attempt under each of its keys, in one statement: a key whose window has
    /// passed (or that has none) starts a new one. Now and then, prunes too.
    pub async fn failed(&self, attempt: &Attempt) -> AppResult<()> {
        let now = now();
        let expired = Expr::col((Entity, Column::WindowStart)).lte(window_cutoff(now));
        let rows = attempt.keys().map(|key| ActiveModel {
            key: Set(key.clone()),
            window_start: Set(now),
            failures: Set(1),
        });
        // Each SET reads the row as it was before this update: both see the old window.
        let count = OnConflict::column(Column::Key)
            .value(
                Column::WindowStart,
                Expr::case(expired.clone(), now).finally(Expr::col((Entity, Column::WindowStart))),
            )
            .value(
                Column::Failures,
                Expr::case(expired, 1).finally(Expr::col((Entity, Column::Failures)).add(1)),
            )
            .to_owned();
        Entity::insert_many(rows)
            .on_conflict(count)
            .exec_without_returning(&self.db)
            .await?;
        let last = self.last_prune.load(Ordering::Relaxed);
        let due = now - last >= PRUNE_EVERY.as_secs() as i64;
        // One task of this instance prunes; the others go on.
        if due
            && self
                .last_prune
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            // The failure is counted: a pruning that fails waits for the next turn, and the
            // attempt is answered as it would have been.
            if let Err(e) = self.prune().await {
                tracing::warn!(error = %e, "pruning the login throttle failed");
            }
        }
        Ok(())
    }

    /// Forgets the failures of an account that logged in (not of its address: one known
    /// password must not reset the count of guesses at others from there). Nothing to do when
    /// the check found none.
    pub async fn succeeded(&self, attempt: &Attempt, standing: Standing) -> AppResult<()> {
        if standing.account_failed {
            Entity::delete_by_id(attempt.account.clone())
                .exec(&self.db)
                .await?;
        }
        Ok(())
    }

    /// Deletes the rows whose window has passed; answers how many.
    pub async fn prune(&self) -> AppResult<u64> {
        let done = Entity::delete_many()
            .filter(Column::WindowStart.lte(window_cutoff(now())))
            .exec(&self.db)
            .await?;
        Ok(done.rows_affected)
    }
}

/// Unix seconds: every instance's clock counts the same windows (a few seconds of skew
/// between instances move a 15-minute window by as much).
fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A window that began at or before this (Unix seconds) has passed at `now`.
fn window_cutoff(now: i64) -> i64 {
    now - WINDOW.as_secs() as i64
}

/// The SHA-256 of a key, hex: a caller's text costs 64 characters, whatever its length.
fn digest(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

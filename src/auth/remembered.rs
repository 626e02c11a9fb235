//! Credentials resolved recently, so that a request costs its page's statement and nothing more.
//!
//! Resolving a credential (the key or the token's account, joined to its role and codes) is one
//! statement; without this cache every request would pay it. An entry is trusted only while
//! this instance can hear of every change that could make it wrong:
//!
//! - a change committed **through this instance** forgets every entry before its answer leaves
//!   ([`crate::shared::Bus::wrote`]), so the caller's own next request sees it;
//! - a change committed **anywhere else** (another instance, the CLI, plain SQL) is heard from
//!   the database: on PostgreSQL, triggers on `staff`, `role`, `role_permission`, `api_key`,
//!   `revoked_token` and `user_info` notify the `opsgraph_credentials` channel
//!   (migration `m20261205_000014_credential_events`); on SQLite, the same tables' triggers
//!   move a version number, which the server reads every 200 ms;
//! - while nothing listens (the listening connection dropped, or has not connected yet), no
//!   entry is used or kept; when listening starts again everything is forgotten, since what was
//!   sent meanwhile is unknown.
//!
//! So an account disabled, a role changed, a token logged out or a key revoked elsewhere is
//! refused within a notification's delay (on PostgreSQL, the time for a committed notification
//! to reach the listener: well under a millisecond on one network; on SQLite, one poll), not
//! necessarily on the very next request. An operator who needs the strict form sets
//! `OPSGRAPH_CREDENTIAL_CACHE_SECS=0`: every request then resolves its own credential.
//!
//! Entries race with changes: a lookup that read the database before a change may finish after
//! the change was heard. Every lookup therefore takes a [`Ticket`] (the generation it started
//! in) and its result is kept only if no change was heard since, and an entry answers only in
//! the generation it was kept in.

use std::{
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use crate::cache::{Bounded, Key, ENTRY_OVERHEAD};

/// Credentials remembered at most, and the bytes they may take: every valid credential in use
/// at once, for a deployment's staff and members; past that, the oldest go first.
const MAX_ENTRIES: usize = 20_000;
const MAX_BYTES: usize = 16 << 20;

/// When a lookup started: its result is kept only if nothing changed since.
#[derive(Clone, Copy, Debug)]
pub struct Ticket(u64);

/// A remembered resolution of type `V` (the service's own), with when it was made.
#[derive(Clone)]
struct Entry<V> {
    generation: u64,
    at: Instant,
    value: V,
}

/// Recently resolved credentials of this instance, forgotten on every change heard of.
pub struct Remembered<V> {
    /// How long an entry may answer at the most, even with nothing heard (zero: never).
    max_age: Duration,
    /// Moves on every change heard of: entries of an earlier generation no longer answer.
    generation: AtomicU64,
    /// Whether changes made elsewhere can be heard now.
    listening: AtomicBool,
    /// Whether listening has started once (for [`Remembered::until_listening`]).
    started: tokio::sync::watch::Sender<bool>,
    entries: Bounded<Entry<V>>,
    /// Serializes a generation's move with the check before an insert.
    moving: Mutex<()>,
}

impl<V: Clone> Remembered<V> {
    /// An empty cache whose entries answer for at most `max_age` (zero turns it off).
    pub fn new(max_age: Duration) -> Self {
        Remembered {
            max_age,
            generation: AtomicU64::new(0),
            listening: AtomicBool::new(false),
            started: tokio::sync::watch::channel(false).0,
            entries: Bounded::new(MAX_ENTRIES, MAX_BYTES),
            moving: Mutex::new(()),
        }
    }

    /// Whether entries are kept at all (a positive age, and changes can be heard).
    fn in_use(&self) -> bool {
        !self.max_age.is_zero() && self.listening.load(Ordering::SeqCst)
    }

    /// The value remembered under `key`, if it is still to be trusted.
    pub fn get(&self, key: &Key) -> Option<V> {
        if !self.in_use() {
            return None;
        }
        let entry = self.entries.get(key)?;
        let current = entry.generation == self.generation.load(Ordering::SeqCst)
            && entry.at.elapsed() < self.max_age;
        current.then_some(entry.value)
    }

    /// Taken before a lookup: see [`Remembered::keep`].
    pub fn ticket(&self) -> Ticket {
        Ticket(self.generation.load(Ordering::SeqCst))
    }

    /// Keeps `value`, looked up since `ticket`, unless a change was heard in between (it may
    /// then be stale) or nothing listens. `weight` is its size in bytes, an honest estimate.
    pub fn keep(&self, key: Key, ticket: Ticket, value: V, weight: usize) {
        let Ok(_moving) = self.moving.lock() else {
            return;
        };
        if self.in_use() && self.generation.load(Ordering::SeqCst) == ticket.0 {
            let entry = Entry {
                generation: ticket.0,
                at: Instant::now(),
                value,
            };
            self.entries.insert(key, entry, weight + ENTRY_OVERHEAD);
        }
    }

    /// A change was heard of (or may have been missed): nothing remembered answers again.
    pub fn forget(&self) {
        let _moving = self.moving.lock();
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.entries.clear();
    }

    /// Changes made elsewhere can be heard from now on (`true`), or no longer (`false`); either
    /// way, what was remembered is forgotten.
    pub fn set_listening(&self, listening: bool) {
        self.forget();
        self.listening.store(listening, Ordering::SeqCst);
        if listening {
            self.started.send_replace(true);
        }
    }

    /// Waits until listening has started once, for at most `patience`: an instance starts
    /// serving with its credentials remembered from the first request, and serves anyway
    /// (resolving every credential) when the database does not let it listen in time.
    pub async fn until_listening(&self, patience: Duration) {
        if self.max_age.is_zero() {
            return;
        }
        let mut started = self.started.subscribe();
        let _ = tokio::time::timeout(patience, started.wait_for(|s| *s)).await;
    }
}

/// Shared by the cores of one instance and its bus.
pub type Shared<V> = Arc<Remembered<V>>;

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u8) -> Key {
        crate::cache::key(&[&[n]])
    }

    #[test]
    fn nothing_is_kept_while_nothing_listens() {
        let cache = Remembered::new(Duration::from_secs(60));
        cache.keep(key(1), cache.ticket(), 1, 8);
        assert_eq!(cache.get(&key(1)), None);
        cache.set_listening(true);
        cache.keep(key(1), cache.ticket(), 1, 8);
        assert_eq!(cache.get(&key(1)), Some(1));
        cache.set_listening(false);
        assert_eq!(cache.get(&key(1)), None, "dropped with the listener");
        cache.set_listening(true);
        assert_eq!(cache.get(&key(1)), None, "forgotten when listening again");
    }

    #[test]
    fn a_lookup_that_overlapped_a_change_is_not_kept() {
        let cache = Remembered::new(Duration::from_secs(60));
        cache.set_listening(true);
        let ticket = cache.ticket();
        cache.forget();
        cache.keep(key(1), ticket, 1, 8);
        assert_eq!(cache.get(&key(1)), None);
        cache.keep(key(1), cache.ticket(), 2, 8);
        assert_eq!(cache.get(&key(1)), Some(2));
        cache.forget();
        assert_eq!(cache.get(&key(1)), None);
    }

    #[test]
    fn a_zero_age_keeps_nothing() {
        let cache = Remembered::new(Duration::ZERO);
        cache.set_listening(true);
        cache.keep(key(1), cache.ticket(), 1, 8);
        assert_eq!(cache.get(&key(1)), None);
    }
}

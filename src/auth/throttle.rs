//! Login throttling: after too many failed logins for one account, or from one client address,
//! within a window, further attempts are refused until the window moves on, whether the
//! password is right or not. An address gets a larger allowance than an account (an office
//! behind one NAT shares it). Per instance (memory); a deployment of several instances
//! multiplies the allowance.
//!
//! The table is bounded in entries and in bytes, and filling it never switches it off: when it
//! is full the key whose latest failure is oldest is forgotten and the new failure is always
//! recorded. Keys are SHA-256 digests (a caller's text costs 32 bytes, whatever its length) and
//! each key keeps only as many instants as the largest allowance needs.
//!
//! Eviction is the price of the bound: a client that fills the table with fresh keys pushes out
//! the oldest counts, an account's included. With the default capacity that takes about 5,000
//! failed logins from fresh addresses per forgotten count, so guessing stays slow.

use std::{
    collections::{BTreeMap, HashMap, VecDeque},
    sync::{Mutex, MutexGuard},
    time::{Duration, Instant},
};

use sha2::{Digest, Sha256};

/// Failed attempts one account may make within [`WINDOW`].
pub const MAX_FAILURES: usize = 5;
/// Failed attempts one client address may make within [`WINDOW`], whatever the accounts.
pub const MAX_ADDRESS_FAILURES: usize = 20;
/// How long a failure counts.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Keys tracked by default (`OPSGRAPH_LOGIN_THROTTLE_KEYS`).
pub const DEFAULT_CAPACITY: usize = 10_000;
/// The fewest keys a table holds: one failed login records two (its account and its address),
/// and the second must not evict the first.
pub const MIN_CAPACITY: usize = 2;

/// Instants kept per key: the largest allowance. A key is blocked once its newest `allowed`
/// failures fall within the window, so older ones never matter.
const KEPT: usize = if MAX_FAILURES > MAX_ADDRESS_FAILURES {
    MAX_FAILURES
} else {
    MAX_ADDRESS_FAILURES
};

/// An upper bound of the bytes one tracked key costs: its digest and record in the hash map
/// (with the map's spare slots), its instants (allocated once, never grown), and its place in
/// the eviction order (B-tree nodes included). The table holds at most
/// `capacity × BYTES_PER_KEY` bytes: under 8 MB at the default 10,000 keys.
pub const BYTES_PER_KEY: usize = 800;

/// A key's SHA-256 digest: what the table stores instead of the caller's text.
type Key = [u8; 32];

/// When a key last failed, made unique by a sequence number: its place in the eviction order.
type Stamp = (Instant, u64);

/// One key's recent failures.
struct Failures {
    /// Newest last, at most [`KEPT`].
    times: VecDeque<Instant>,
    /// Its entry in [`Table::order`].
    stamp: Stamp,
}

/// The counts and their eviction order, behind one lock so they always agree.
#[derive(Default)]
struct Table {
    failures: HashMap<Key, Failures>,
    /// Every key by its latest failure, oldest first: the next to evict.
    order: BTreeMap<Stamp, Key>,
    /// The last sequence number handed out.
    seq: u64,
}

impl Table {
    fn forget(&mut self, key: &Key) {
        if let Some(f) = self.failures.remove(key) {
            self.order.remove(&f.stamp);
        }
    }
}

/// Failed logins per account and per client address, in a table of bounded size.
pub struct LoginThrottle {
    table: Mutex<Table>,
    capacity: usize,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        Self::with_capacity(DEFAULT_CAPACITY)
    }
}

impl LoginThrottle {
    /// A throttle tracking at most `capacity` keys (at least [`MIN_CAPACITY`]).
    pub fn with_capacity(capacity: usize) -> Self {
        LoginThrottle {
            table: Mutex::default(),
            capacity: capacity.max(MIN_CAPACITY),
        }
    }

    /// The table. A panic elsewhere while it was held leaves it consistent enough to count
    /// with: failing open (forgetting every failure) would be worse.
    fn lock(&self) -> MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether `key` has made `allowed` failures within the window (an allowance above the
    /// largest one, [`MAX_ADDRESS_FAILURES`], counts as that one).
    pub fn blocked(&self, key: &str, allowed: usize) -> bool {
        let digest = digest(key);
        let mut table = self.lock();
        let Some(f) = table.failures.get_mut(&digest) else {
            return false;
        };
        while f.times.front().is_some_and(|t| t.elapsed() >= WINDOW) {
            f.times.pop_front();
        }
        if f.times.is_empty() {
            table.forget(&digest);
            return false;
        }
        f.times.len() >= allowed.min(KEPT)
    }

    /// Records a failed attempt under `key` (an account or address key). When the table is
    /// full, the key whose latest failure is oldest makes room: the failure is always counted.
    pub fn failed(&self, key: &str) {
        let digest = digest(key);
        let now = Instant::now();
        let mut table = self.lock();
        table.seq += 1;
        let stamp = (now, table.seq);
        let old = table.failures.get(&digest).map(|f| f.stamp);
        match old {
            Some(old) => {
                table.order.remove(&old);
            }
            None => {
                while table.failures.len() >= self.capacity {
                    let Some((_, oldest)) = table.order.pop_first() else {
                        break;
                    };
                    table.failures.remove(&oldest);
                }
            }
        }
        table.order.insert(stamp, digest);
        let f = table.failures.entry(digest).or_insert_with(|| Failures {
            times: VecDeque::with_capacity(KEPT),
            stamp,
        });
        f.stamp = stamp;
        if f.times.len() == KEPT {
            f.times.pop_front();
        }
        f.times.push_back(now);
    }

    /// Forgets the failures of an account that logged in (not of its address: one known
    /// password must not reset the count of guesses at others from there).
    pub fn succeeded(&self, key: &str) {
        self.lock().forget(&digest(key));
    }

    /// Keys tracked now.
    pub fn len(&self) -> usize {
        self.lock().failures.len()
    }

    /// Whether no key is tracked.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Keys tracked at most.
    pub fn capacity(&self) -> usize {
        self.capacity
    }
}

fn digest(key: &str) -> Key {
    Sha256::digest(key.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_table_evicts_the_oldest_and_still_counts() {
        let throttle = LoginThrottle::with_capacity(4);
        for i in 0..4 {
            throttle.failed(&format!("addr:10.0.0.{i}"));
        }
        // 10.0.0.0 fails again: it is now the newest, 10.0.0.1 the oldest.
        throttle.failed("addr:10.0.0.0");
        for _ in 0..MAX_FAILURES {
            throttle.failed("staff:1");
        }
        assert_eq!(throttle.len(), 4);
        assert!(
            throttle.blocked("staff:1", MAX_FAILURES),
            "counted though full"
        );
        assert!(
            !throttle.blocked("addr:10.0.0.1", 1),
            "the oldest went first"
        );
        assert!(
            throttle.blocked("addr:10.0.0.0", 2),
            "a refreshed key stays"
        );
        assert!(throttle.blocked("addr:10.0.0.2", 1));
        assert!(throttle.blocked("addr:10.0.0.3", 1));
        // An attacker's flood of fresh keys pushes old ones out, never stops the counting.
        for i in 0..1_000 {
            throttle.failed(&format!("addr:2001:db8::{i:x}"));
            assert!(throttle.len() <= 4);
        }
        for _ in 0..MAX_FAILURES {
            throttle.failed("staff:2");
        }
        assert!(throttle.blocked("staff:2", MAX_FAILURES));
    }

    #[test]
    fn keys_cost_fixed_bytes_and_keep_at_most_the_largest_allowance() {
        let throttle = LoginThrottle::with_capacity(8);
        let long = format!("name:{}", "x".repeat(1 << 20));
        for _ in 0..(KEPT * 3) {
            throttle.failed(&long);
        }
        let table = throttle.lock();
        let f = &table.failures[&digest(&long)];
        assert_eq!(f.times.len(), KEPT);
        let allocated = f.times.capacity();
        assert!(
            allocated < 2 * KEPT,
            "allocated once, never grown: {allocated}"
        );
        drop(table);
        assert!(throttle.blocked(&long, MAX_ADDRESS_FAILURES));
        assert!(
            throttle.blocked(&long, usize::MAX),
            "capped at the largest allowance"
        );
        // The bound stated for a key covers its parts.
        let parts = std::mem::size_of::<(Key, Failures)>() * 2 // the map, half full at worst
            + allocated * std::mem::size_of::<Instant>() // the instants
            + std::mem::size_of::<(Stamp, Key)>() * 2; // the order's B-tree nodes
        assert!(parts <= BYTES_PER_KEY, "{parts} bytes");
    }

    #[test]
    fn success_forgets_an_account_and_capacity_has_a_floor() {
        let throttle = LoginThrottle::with_capacity(0);
        assert_eq!(throttle.capacity(), MIN_CAPACITY);
        for _ in 0..MAX_FAILURES {
            throttle.failed("staff:1");
            throttle.failed("addr:10.0.0.1");
        }
        assert!(throttle.blocked("staff:1", MAX_FAILURES));
        throttle.succeeded("staff:1");
        assert!(!throttle.blocked("staff:1", MAX_FAILURES));
        assert_eq!(throttle.len(), 1);
        assert!(!throttle.is_empty());
    }
}

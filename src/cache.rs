//! The one shape of every in-process cache: a map bounded in entries **and** in bytes, keyed by
//! SHA-256 digests, that forgets its oldest entries first when either bound is reached.
//!
//! Callers control what goes into these caches (filters, documents, credentials), so a key is
//! never the caller's text as is: a digest costs 32 bytes whatever was sent. A value's size is
//! given by the caller as a weight (its bytes, or an honest estimate where the value is a tree),
//! and a value heavier than the whole budget is simply not kept.

use std::{
    collections::{HashMap, VecDeque},
    sync::Mutex,
};

use sha2::{Digest, Sha256};

/// A cache key: the SHA-256 of what identifies the entry.
pub type Key = [u8; 32];

/// The key of `parts`, each length-prefixed so that ("ab", "c") and ("a", "bc") differ.
pub fn key(parts: &[&[u8]]) -> Key {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    hasher.finalize().into()
}

/// What one entry costs beyond its value's weight: the key, the map's slot and the order queue.
pub const ENTRY_OVERHEAD: usize = 96;

/// A map of at most `max_entries` entries and `max_bytes` bytes (keys and bookkeeping included).
pub struct Bounded<V> {
    max_entries: usize,
    max_bytes: usize,
    inner: Mutex<Inner<V>>,
}

struct Inner<V> {
    /// The value, its weight, and the sequence number of its insertion.
    map: HashMap<Key, (V, usize, u64)>,
    /// Keys in insertion order, with the sequence number they were inserted under; an entry
    /// whose number no longer matches the map's was replaced or removed since.
    order: VecDeque<(Key, u64)>,
    bytes: usize,
    next: u64,
}

impl<V: Clone> Bounded<V> {
    /// An empty cache with these bounds.
    pub fn new(max_entries: usize, max_bytes: usize) -> Self {
        Bounded {
            max_entries,
            max_bytes,
            inner: Mutex::new(Inner {
                map: HashMap::new(),
                order: VecDeque::new(),
                bytes: 0,
                next: 0,
            }),
        }
    }

    /// The value under `key`.
    pub fn get(&self, key: &Key) -> Option<V> {
        let inner = self.inner.lock().ok()?;
        inner.map.get(key).map(|(v, _, _)| v.clone())
    }

    /// The value under `key`, or `make()` kept there (weighing `weight`) when there is none:
    /// one lock for both, so concurrent callers share one value.
    pub fn get_or_insert_with(&self, key: Key, make: impl FnOnce() -> V, weight: usize) -> V {
        if let Some(v) = self.get(&key) {
            return v;
        }
        let value = make();
        let Ok(mut inner) = self.inner.lock() else {
            return value;
        };
        if let Some((v, _, _)) = inner.map.get(&key) {
            return v.clone();
        }
        self.insert_locked(&mut inner, key, value.clone(), weight);
        value
    }

    /// Keeps `value` under `key`, weighing `weight` bytes, forgetting the oldest entries until
    /// both bounds hold. A value heavier than the whole budget is not kept.
    pub fn insert(&self, key: Key, value: V, weight: usize) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        self.insert_locked(&mut inner, key, value, weight);
    }

    fn insert_locked(&self, inner: &mut Inner<V>, key: Key, value: V, weight: usize) {
        let weight = weight.saturating_add(ENTRY_OVERHEAD);
        if weight > self.max_bytes || self.max_entries == 0 {
            return;
        }
        if let Some((_, old, _)) = inner.map.remove(&key) {
            inner.bytes -= old;
        }
        while inner.map.len() >= self.max_entries || inner.bytes + weight > self.max_bytes {
            let Some((oldest, seq)) = inner.order.pop_front() else {
                break;
            };
            if inner.map.get(&oldest).is_some_and(|(_, _, s)| *s == seq) {
                if let Some((_, w, _)) = inner.map.remove(&oldest) {
                    inner.bytes -= w;
                }
            }
        }
        let seq = inner.next;
        inner.next += 1;
        inner.map.insert(key, (value, weight, seq));
        inner.order.push_back((key, seq));
        inner.bytes += weight;
        // Replaced entries leave stale places in the queue: drop them before they outnumber
        // the live ones, so the queue too stays within a multiple of the bound.
        if inner.order.len() > 2 * inner.map.len() + 16 {
            let map = &inner.map;
            inner
                .order
                .retain(|(k, s)| map.get(k).is_some_and(|(_, _, live)| live == s));
        }
    }

    /// Forgets `key`.
    pub fn remove(&self, key: &Key) {
        if let Ok(mut inner) = self.inner.lock() {
            if let Some((_, w, _)) = inner.map.remove(key) {
                inner.bytes -= w;
            }
        }
    }

    /// Forgets everything.
    pub fn clear(&self) {
        if let Ok(mut inner) = self.inner.lock() {
            inner.map.clear();
            inner.order.clear();
            inner.bytes = 0;
        }
    }

    /// Entries kept, and the bytes they weigh.
    pub fn usage(&self) -> (usize, usize) {
        self.inner
            .lock()
            .map(|i| (i.map.len(), i.bytes))
            .unwrap_or_default()
    }

    /// The bounds: entries and bytes.
    pub fn bounds(&self) -> (usize, usize) {
        (self.max_entries, self.max_bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(n: u32) -> Key {
        key(&[&n.to_le_bytes()])
    }

    #[test]
    fn the_oldest_go_first_when_entries_run_out() {
        let cache = Bounded::new(3, usize::MAX);
        for n in 0..5 {
            cache.insert(k(n), n, 0);
        }
        assert_eq!(cache.usage().0, 3);
        assert_eq!(cache.get(&k(0)), None);
        assert_eq!(cache.get(&k(1)), None);
        assert_eq!(cache.get(&k(4)), Some(4));
    }

    #[test]
    fn bytes_are_bounded_whatever_the_entries() {
        let cache = Bounded::new(1_000, 10 * (1_000 + ENTRY_OVERHEAD));
        for n in 0..100 {
            cache.insert(k(n), n, 1_000);
            let (_, bytes) = cache.usage();
            assert!(bytes <= cache.bounds().1, "{bytes}");
        }
        assert_eq!(cache.usage().0, 10);
        assert_eq!(cache.get(&k(99)), Some(99));
        assert_eq!(cache.get(&k(89)), None);
        // Heavier than the whole budget: not kept, nothing else lost.
        cache.insert(k(1_000), 1_000, 1 << 30);
        assert_eq!(cache.get(&k(1_000)), None);
        assert_eq!(cache.usage().0, 10);
    }

    #[test]
    fn replacing_a_key_keeps_the_queue_bounded() {
        let cache = Bounded::new(4, usize::MAX);
        for round in 0..1_000 {
            cache.insert(k(round % 2), round, 8);
        }
        let inner = cache.inner.lock().unwrap();
        assert_eq!(inner.map.len(), 2);
        assert!(inner.order.len() <= 2 * 2 + 17, "{}", inner.order.len());
        assert_eq!(inner.bytes, 2 * (8 + ENTRY_OVERHEAD));
    }

    #[test]
    fn keys_separate_their_parts() {
        assert_ne!(key(&[b"ab", b"c"]), key(&[b"a", b"bc"]));
    }
}

//! Resolved credentials, kept a few seconds: every request authenticates, and resolving a
//! credential is a database statement. A change made outside this instance (an account disabled,
//! a role's codes changed, a password changed) reaches it within [`Config::auth_cache_secs`];
//! a failed lookup is never kept, so a new key works at once.
//!
//! [`Config::auth_cache_secs`]: crate::config::Config::auth_cache_secs

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use super::Principal;

/// Credentials kept at most; a full cache starts over.
const MAX_ENTRIES: usize = 10_000;

/// Whom a credential resolved to.
#[derive(Clone, Debug)]
pub enum Resolved {
    Staff {
        principal: Principal,
        /// Tokens issued before it are refused.
        password_changed_at: i64,
    },
    /// A key of a staff account that is disabled or gone.
    InactiveStaff,
    Member(Principal),
}

/// The cache: by API-key digest or by staff account id.
pub struct AuthCache {
    ttl: Duration,
    entries: Mutex<HashMap<String, (Resolved, Instant)>>,
}

impl AuthCache {
    /// A cache keeping resolutions `ttl` long (zero: none).
    pub fn new(ttl: Duration) -> Self {
        AuthCache {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The resolution of `key`, if fresh.
    pub fn get(&self, key: &str) -> Option<Resolved> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(key)
            .filter(|(_, at)| at.elapsed() < self.ttl)
            .map(|(r, _)| r.clone())
    }

    /// Keeps the resolution of `key`.
    pub fn put(&self, key: String, resolved: Resolved) {
        if self.ttl.is_zero() {
            return;
        }
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_ENTRIES && !entries.contains_key(&key) {
                entries.clear();
            }
            entries.insert(key, (resolved, Instant::now()));
        }
    }

    /// Forgets everything: each credential is resolved again on its next request.
    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }
}

impl Default for AuthCache {
    fn default() -> Self {
        AuthCache::new(Duration::ZERO)
    }
}

//! Resolved credentials, kept a few seconds: every request authenticates, and resolving a
//! credential is a database statement. A change made outside this instance (an account disabled,
//! a role's codes changed, a password changed) reaches it within [`Config::auth_cache_secs`];
//! a failed lookup is never kept, so a new key works at once.
//!
//! [`Config::auth_cache_secs`]: crate::config::Config::auth_cache_secs

use std::time::{Duration, Instant};

use super::Principal;
use crate::cache::{Bounded, Key};

/// Credentials kept at most.
const MAX_ENTRIES: usize = 10_000;
/// Bytes the kept credentials may weigh (identities with their permission codes).
const MAX_BYTES: usize = 8 << 20;

/// Whom a credential resolved to.
#[derive(Clone, Debug)]
pub enum Resolved {
    Staff {
        principal: Principal,
        /// Tokens issued before it are refused.
        password_changed_at: i64,
        /// Tokens of another session version are refused.
        session_version: i32,
        /// The presented token was logged out (only for a lookup by token).
        revoked: bool,
    },
    /// A key of a staff account that is disabled or gone.
    InactiveStaff,
    Member(Principal),
}

impl Resolved {
    /// Roughly the bytes this resolution holds: the identity's strings and codes.
    fn weight(&self) -> usize {
        let principal = match self {
            Resolved::Staff { principal, .. } | Resolved::Member(principal) => principal,
            Resolved::InactiveStaff => return 64,
        };
        match principal {
            Principal::Staff(s) => {
                160 + s.username.len()
                    + s.nickname.len()
                    + s.permissions.iter().map(|c| c.len() + 32).sum::<usize>()
            }
            Principal::Member(m) => 96 + m.owner.len(),
        }
    }
}

/// The cache: by the digest of an API key's digest, or of a staff account id with a token id.
pub struct AuthCache {
    ttl: Duration,
    entries: Bounded<(Resolved, Instant)>,
}

impl AuthCache {
    /// A cache keeping resolutions `ttl` long (zero: none).
    pub fn new(ttl: Duration) -> Self {
        AuthCache {
            ttl,
            entries: Bounded::new(MAX_ENTRIES, MAX_BYTES),
        }
    }

    /// The resolution of `key`, if fresh.
    pub fn get(&self, key: &Key) -> Option<Resolved> {
        self.entries
            .get(key)
            .filter(|(_, at)| at.elapsed() < self.ttl)
            .map(|(r, _)| r)
    }

    /// Keeps the resolution of `key`.
    pub fn put(&self, key: Key, resolved: Resolved) {
        if self.ttl.is_zero() {
            return;
        }
        let weight = resolved.weight();
        self.entries.insert(key, (resolved, Instant::now()), weight);
    }

    /// Forgets everything: each credential is resolved again on its next request.
    pub fn clear(&self) {
        self.entries.clear();
    }
}

impl Default for AuthCache {
    fn default() -> Self {
        AuthCache::new(Duration::ZERO)
    }
}

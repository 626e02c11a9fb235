//! Login throttling: after too many failed logins for one account within a window, further
//! attempts are refused until the window moves on, whether the password is right or not.
//! Per instance (memory); a deployment of several instances multiplies the allowance.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

/// Failed attempts one account may make within [`WINDOW`].
pub const MAX_FAILURES: usize = 5;
/// How long a failure counts.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Accounts tracked at most (the oldest are forgotten first), so guessing names cannot grow
/// the map without bound.
const MAX_TRACKED: usize = 10_000;

/// Failed logins per account.
#[derive(Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl LoginThrottle {
    /// Whether `account` has used up its attempts.
    pub fn blocked(&self, account: &str) -> bool {
        let Ok(mut map) = self.failures.lock() else {
            return false;
        };
        match map.get_mut(account) {
            Some(times) => {
                times.retain(|t| t.elapsed() < WINDOW);
                times.len() >= MAX_FAILURES
            }
            None => false,
        }
    }

    /// Records a failed attempt.
    pub fn failed(&self, account: &str) {
        let Ok(mut map) = self.failures.lock() else {
            return;
        };
        if map.len() >= MAX_TRACKED && !map.contains_key(account) {
            map.retain(|_, times| times.iter().any(|t| t.elapsed() < WINDOW));
            if map.len() >= MAX_TRACKED {
                return;
            }
        }
        map.entry(account.to_owned())
            .or_default()
            .push(Instant::now());
    }

    /// Forgets the failures of an account that logged in.
    pub fn succeeded(&self, account: &str) {
        if let Ok(mut map) = self.failures.lock() {
            map.remove(account);
        }
    }
}

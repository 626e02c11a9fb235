//! Login throttling: after too many failed logins for one account, or from one client address,
//! within a window, further attempts are refused until the window moves on, whether the
//! password is right or not. An address gets a larger allowance than an account (an office
//! behind one NAT shares it). Per instance (memory); a deployment of several instances
//! multiplies the allowance.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

/// Failed attempts one account may make within [`WINDOW`].
pub const MAX_FAILURES: usize = 5;
/// Failed attempts one client address may make within [`WINDOW`], whatever the accounts.
pub const MAX_ADDRESS_FAILURES: usize = 20;
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
    /// Whether `key` has made `allowed` failures within the window.
    pub fn blocked(&self, key: &str, allowed: usize) -> bool {
        let Ok(mut map) = self.failures.lock() else {
            return false;
        };
        match map.get_mut(key) {
            Some(times) => {
                times.retain(|t| t.elapsed() < WINDOW);
                times.len() >= allowed
            }
            None => false,
        }
    }

    /// Records a failed attempt under `account` (an account or address key).
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

    /// Forgets the failures of an account that logged in (not of its address: one known
    /// password must not reset the count of guesses at others from there).
    pub fn succeeded(&self, account: &str) {
        if let Ok(mut map) = self.failures.lock() {
            map.remove(account);
        }
    }
}

//! Argon2id password hashes (PHC strings). Hashing is CPU-heavy, so it runs off the async runtime.

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};

use crate::error::{AppError, AppResult};

/// Argon2 takes ~19 MiB and a core for tens of milliseconds: at most this many run at once, so
/// a burst of logins queues instead of exhausting memory and every core.
static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// Hashes `password` with a fresh salt.
pub async fn hash(password: String) -> AppResult<String> {
    let _permit = HASHING
        .acquire()
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    tokio::task::spawn_blocking(move || {
        // A fresh 16-byte salt from the operating system's generator.
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| AppError::Internal(format!("hashing a password: {e}")))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}

/// Checks `password` against `hash`. Without a hash (unknown account) it checks against a
/// throw-away one, so a wrong account costs the same time as a wrong password.
pub async fn verify(password: String, hash: Option<String>) -> bool {
    let Ok(_permit) = HASHING.acquire().await else {
        return false;
    };
    tokio::task::spawn_blocking(move || {
        let known = hash.is_some();
        let phc = hash.unwrap_or_else(|| dummy_hash().to_owned());
        let ok = PasswordHash::new(&phc)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false);
        ok && known
    })
    .await
    .unwrap_or(false)
}

/// A hash, with the same parameters, of a random string nobody knows; made once per process.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        let secret: [u8; 16] = rand::random();
        Argon2::default()
            .hash_password(&secret)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Made by argon2 0.5.3 (the version before 0.6), with the parameters every stored hash has:
    /// stored hashes must keep verifying across upgrades of the crate.
    const HASH_FROM_ARGON2_0_5: &str =
        "$argon2id$v=19$m=19456,t=2,p=1$JCG/YMOPxjR6ffwn/rFikQ$4fGZ3I9x9l5vNHsPmz+PvO7SCC6ivM2FjYL6AwX4OC4";

    #[tokio::test]
    async fn a_hash_of_the_previous_argon2_verifies() {
        assert!(
            verify(
                "correct horse 0.5".into(),
                Some(HASH_FROM_ARGON2_0_5.into())
            )
            .await
        );
        assert!(
            !verify(
                "correct horse 0.6".into(),
                Some(HASH_FROM_ARGON2_0_5.into())
            )
            .await
        );
    }

    #[tokio::test]
    async fn a_new_hash_has_the_same_parameters_and_verifies() {
        let hash = hash("a-good-passphrase".into()).await.unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(verify("a-good-passphrase".into(), Some(hash.clone())).await);
        assert!(!verify("a-bad-passphrase".into(), Some(hash)).await);
        // No account: the dummy hash is checked, and the answer is no whatever the password.
        assert!(!verify("a-good-passphrase".into(), None).await);
    }
}

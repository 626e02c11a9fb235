//! JWTs as the paid-reports seed defines them (CONTRACT.md §19), hardened per RFC 8725:
//! HS256 only, `exp`, `iss`, `aud`, `sub` and `iat` required, `iss` checked, small leeway.

use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult};

/// The token kind written into `sub`.
pub const STAFF_TOKEN_KIND: &str = "opsgraph_staff";

/// The payload. Legacy clients decode it to learn the expiry, so its keys are the seed's.
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    /// The staff account id.
    pub aud: i32,
    pub iss: String,
    pub sub: String,
    pub iat: i64,
    pub exp: i64,
    /// The token's own id, which `logout` revokes. Required: a token without one could not be
    /// logged out alone.
    pub jti: String,
    /// The account's session version when the token was issued: a token of an older version
    /// is refused (`logoutEverywhere`, a password change).
    pub sv: i32,
}

/// Signing and checking keys of this deployment.
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    issuer: String,
    ttl_secs: i64,
}

impl JwtKeys {
    /// Keys from a secret of at least 32 bytes.
    pub fn new(secret: &[u8], issuer: String, ttl_secs: u64) -> anyhow::Result<Self> {
        anyhow::ensure!(
            secret.len() >= 32,
            "the JWT secret must be at least 32 bytes long"
        );
        Ok(JwtKeys {
            encoding: EncodingKey::from_secret(secret)?,
            decoding: DecodingKey::from_secret(secret)?,
            issuer,
            ttl_secs: ttl_secs as i64,
        })
    }

    /// A token for staff account `account_id` under its session version `sv`, and its expiry
    /// (Unix seconds).
    pub fn issue(&self, account_id: i32, sv: i32, now: i64) -> AppResult<(String, i64)> {
        use rand::Rng;
        let exp = now + self.ttl_secs;
        let mut id = [0u8; 16];
        rand::rng().fill_bytes(&mut id);
        let claims = Claims {
            aud: account_id,
            iss: self.issuer.clone(),
            sub: STAFF_TOKEN_KIND.to_owned(),
            iat: now,
            exp,
            jti: hex::encode(id),
            sv,
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| AppError::Internal(format!("signing a token: {e}")))?;
        Ok((token, exp))
    }

    /// The claims of a token with a good signature, issuer and lifetime.
    pub fn verify(&self, token: &str) -> AppResult<Claims> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        validation.validate_nbf = true;
        // `aud` is a number (the account id), which the library neither parses nor requires:
        // `Claims` requires it, and the caller checks it names an active account.
        validation.validate_aud = false;
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        validation.set_issuer(&[self.issuer.as_str()]);
        let claims = decode::<Claims>(token, &self.decoding, &validation)
            .map_err(|e| {
                tracing::debug!(error = %e, "token refused");
                match e.kind() {
                    jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
                        AppError::Unauthenticated("Token expired.".into())
                    }
                    _ => AppError::Unauthenticated("Invalid token.".into()),
                }
            })?
            .claims;
        if claims.sub != STAFF_TOKEN_KIND {
            return Err(AppError::Unauthenticated("Invalid token kind.".into()));
        }
        if claims.jti.is_empty() {
            return Err(AppError::Unauthenticated("Invalid token.".into()));
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::{JwtKeys, STAFF_TOKEN_KIND};

    #[test]
    fn a_token_without_its_own_id_is_refused() {
        let secret = [7u8; 32];
        let keys = JwtKeys::new(&secret, "opsgraph-test".into(), 3600).expect("keys");
        let now = chrono::Utc::now().timestamp();
        let (token, _) = keys.issue(1, 0, now).expect("a token");
        assert!(keys.verify(&token).is_ok_and(|c| c.jti.len() == 32));
        let sign = |claims: serde_json::Value| {
            let key = jsonwebtoken::EncodingKey::from_secret(&secret).expect("key");
            jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &key).expect("sign")
        };
        let base = serde_json::json!({ "aud": 1, "iss": "opsgraph-test", "sub": STAFF_TOKEN_KIND,
                                        "iat": now, "exp": now + 60, "sv": 0 });
        assert!(keys.verify(&sign(base.clone())).is_err(), "no jti");
        let mut empty = base;
        empty["jti"] = "".into();
        assert!(keys.verify(&sign(empty.clone())).is_err(), "an empty jti");
        empty["jti"] = "0123456789abcdef".into();
        assert!(keys.verify(&sign(empty)).is_ok(), "with a jti");
    }
}

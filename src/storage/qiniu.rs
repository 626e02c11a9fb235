//! Qiniu's signing algorithm (`../shared/QINIU.md`): HMAC-SHA1 with the secret key, URL-safe
//! base64 with padding. Everything is computed locally; no call to Qiniu is needed.

use base64::{engine::general_purpose::URL_SAFE, Engine};
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

/// An access/secret key pair.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub access_key: String,
    pub secret_key: String,
}

impl Credentials {
    /// `b64(hmac_sha1(secret_key, data))`.
    pub fn sign(&self, data: &[u8]) -> String {
        // An HMAC key may have any length: `new_from_slice` cannot fail for HMAC.
        let mut mac = Hmac::<Sha1>::new_from_slice(self.secret_key.as_bytes())
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(data);
        URL_SAFE.encode(mac.finalize().into_bytes())
    }

    /// `<access_key>:<sign(data)>`: a management (QBox) token, and Qiniu's `token()`.
    pub fn token(&self, data: &[u8]) -> String {
        format!("{}:{}", self.access_key, self.sign(data))
    }

    /// `<access_key>:<sign(b64(data))>:<b64(data)>`: Qiniu's `token_with_data()`.
    pub fn token_with_data(&self, data: &[u8]) -> String {
        let encoded = URL_SAFE.encode(data);
        format!("{}:{}", self.token(encoded.as_bytes()), encoded)
    }

    /// An upload token for `bucket` (or one `key` in it), valid until `deadline` (Unix seconds).
    pub fn upload_token(&self, bucket: &str, key: Option<&str>, deadline: i64) -> String {
        let scope = match key {
            Some(key) => format!("{bucket}:{key}"),
            None => bucket.to_owned(),
        };
        // Compact JSON with `scope` before `deadline`, as Qiniu's SDKs write it.
        let policy = format!(
            "{{\"scope\":{},\"deadline\":{deadline}}}",
            serde_json::Value::String(scope)
        );
        self.token_with_data(policy.as_bytes())
    }

    /// `url` made downloadable from a private bucket until `deadline`.
    pub fn private_download_url(&self, url: &str, deadline: i64) -> String {
        let sep = if url.contains('?') { '&' } else { '?' };
        let with_deadline = format!("{url}{sep}e={deadline}");
        let token = self.token(with_deadline.as_bytes());
        format!("{with_deadline}&token={token}")
    }
}

#[cfg(test)]
mod tests {
    //! Vectors from Qiniu's official SDK tests, its PyPI package and its documentation
    //! (`../shared/QINIU.md`).
    use super::*;

    fn sdk() -> Credentials {
        Credentials {
            access_key: "abcdefghklmnopq".into(),
            secret_key: "1234567890".into(),
        }
    }

    #[test]
    fn sdk_token_vectors() {
        assert_eq!(
            sdk().token(b"test"),
            "abcdefghklmnopq:mSNBTR7uS2crJsyFr2Amwv1LaYg="
        );
        assert_eq!(
            sdk().token_with_data(b"test"),
            "abcdefghklmnopq:-jP8eEV9v48MkYiBGs81aDxl60E=:dGVzdA=="
        );
    }

    #[test]
    fn pypi_upload_token_vector() {
        assert_eq!(
            sdk().upload_token("mybucket", Some("a.png"), 1_700_003_600),
            "abcdefghklmnopq:KM_k2bmaMoTdK6HlUn8WTatonvY=:eyJzY29wZSI6Im15YnVja2V0OmEucG5nIiwiZGVhZGxpbmUiOjE3MDAwMDM2MDB9"
        );
    }

    #[test]
    fn pypi_private_download_url_vector() {
        assert_eq!(
            sdk().private_download_url("http://example.com/a.png", 1_700_003_600),
            "http://example.com/a.png?e=1700003600&token=abcdefghklmnopq:JPwpZTH28_Gomn9kAIVNxGp5Ckk="
        );
    }

    #[test]
    fn documentation_vector() {
        let doc = Credentials {
            access_key: "MY_ACCESS_KEY".into(),
            secret_key: "MY_SECRET_KEY".into(),
        };
        assert_eq!(
            doc.sign(b"http://78re52.com1.z0.glb.clouddn.com/resource/flower.jpg?e=1451491200"),
            "438dd8pXocjYuF-6dTcKMtETB2g="
        );
    }
}

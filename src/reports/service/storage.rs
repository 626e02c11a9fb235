//! Report files in Qiniu storage: upload tokens and private download URLs, signed locally with
//! the configured keys, and the copy of a file from the public bucket to the private one.

use crate::{
    audit::service::{record_raw, Actor},
    config::Config,
    error::{AppError, AppResult, ErrorCode},
    state::Core,
    storage::{checked_key, qiniu::Credentials},
};

/// The configured Qiniu keys.
fn credentials(config: &Config) -> AppResult<Credentials> {
    match (&config.qiniu_access_key, &config.qiniu_secret_key) {
        (Some(access_key), Some(secret_key)) => Ok(Credentials {
            access_key: access_key.clone(),
            secret_key: secret_key.clone(),
        }),
        _ => Err(AppError::rule(
            ErrorCode::StorageNotConfigured,
            "七牛密钥未配置 (QINIU_ACCESS_KEY, QINIU_SECRET_KEY)",
        )),
    }
}

/// When a token or URL signed now stops working.
fn deadline(config: &Config) -> i64 {
    chrono::Utc::now().timestamp() + config.signed_ttl_secs as i64
}

/// An upload token for the public (`default`) or the `private` bucket.
pub fn upload_token(config: &Config, kind: &str) -> AppResult<String> {
    let bucket = match kind {
        "default" => &config.qiniu_bucket,
        "private" => &config.qiniu_private_bucket,
        other => {
            return Err(AppError::field(
                "type",
                format!("type 只能是 default 或 private, 不是 {other}"),
            ))
        }
    };
    Ok(credentials(config)?.upload_token(bucket, None, deadline(config)))
}

/// A signed, expiring URL of a file in the private bucket: each segment of the key
/// percent-encoded (a space as `%20`) under the private domain.
pub fn download_url(config: &Config, report_name: &str) -> AppResult<String> {
    let key = checked_key(report_name.trim())?;
    let creds = credentials(config)?;
    let path: String = key
        .split('/')
        .map(|seg| {
            url::form_urlencoded::byte_serialize(seg.as_bytes())
                .collect::<String>()
                .replace('+', "%20")
        })
        .collect::<Vec<_>>()
        .join("/");
    let base = format!("{}/{}", config.private_domain.trim_end_matches('/'), path);
    Ok(creds.private_download_url(&base, deadline(config)))
}

/// Copies `key` from the public bucket to the private one, recorded in the audit log.
pub async fn copy_file(core: &Core, who: Actor, key: &str) -> AppResult<()> {
    let key = checked_key(key.trim())?.to_owned();
    let (from, to) = (&core.config.qiniu_bucket, &core.config.qiniu_private_bucket);
    core.storage.copy(from, &key, to).await?;
    let details = serde_json::Map::from_iter([
        ("from".to_owned(), from.clone().into()),
        ("to".to_owned(), to.clone().into()),
    ]);
    record_raw(&core.db, who, "copyFile", "storage", key, details).await
}

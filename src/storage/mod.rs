//! Object storage behind one trait: local disk by default; Qiniu Kodo in production speaks the
//! same bucket/key model. Signing of upload tokens and download URLs is in `qiniu`.

pub mod qiniu;
pub mod s3;

use std::path::{Component, Path, PathBuf};

use crate::error::{AppError, AppResult};

/// Buckets of objects, addressed by key.
#[async_trait::async_trait]
pub trait Storage: Send + Sync {
    /// Stores `bytes` under `bucket`/`key`, replacing what was there.
    async fn put(&self, bucket: &str, key: &str, bytes: Vec<u8>) -> AppResult<()>;
    /// The object, or `None` when there is none.
    async fn get(&self, bucket: &str, key: &str) -> AppResult<Option<Vec<u8>>>;
    /// Copies `key` from one bucket to another; a missing source is `NotFound`.
    async fn copy(&self, from_bucket: &str, key: &str, to_bucket: &str) -> AppResult<()>;
}

/// The longest key Qiniu accepts, bytes.
pub const MAX_KEY_BYTES: usize = 750;
/// The longest segment between slashes: a file name on the local disk.
const MAX_SEGMENT_BYTES: usize = 255;

/// A key as a relative path: no absolute paths, no `..`, nothing empty, no longer than Qiniu
/// allows or a segment than a file name may be.
pub fn checked_key(key: &str) -> AppResult<&str> {
    let key = key.trim_start_matches('/');
    let path = Path::new(key);
    let ok = !key.is_empty()
        && key.len() <= MAX_KEY_BYTES
        && !key.contains('\0')
        && key.split('/').all(|s| s.len() <= MAX_SEGMENT_BYTES)
        && path.components().all(|c| matches!(c, Component::Normal(_)));
    if ok {
        Ok(key)
    } else {
        Err(AppError::field(
            "key",
            format!("invalid storage key: {key}"),
        ))
    }
}

/// Objects as files: `<root>/<bucket>/<key>`.
pub struct LocalDisk {
    root: PathBuf,
}

impl LocalDisk {
    /// A store under `root` (created on first write).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        LocalDisk { root: root.into() }
    }

    fn path(&self, bucket: &str, key: &str) -> AppResult<PathBuf> {
        let bucket = checked_key(bucket)?;
        Ok(self.root.join(bucket).join(checked_key(key)?))
    }
}

fn io(e: std::io::Error) -> AppError {
    AppError::Internal(format!("storage: {e}"))
}

#[async_trait::async_trait]
impl Storage for LocalDisk {
    async fn put(&self, bucket: &str, key: &str, bytes: Vec<u8>) -> AppResult<()> {
        let path = self.path(bucket, key)?;
        if let Some(dir) = path.parent() {
            tokio::fs::create_dir_all(dir).await.map_err(io)?;
        }
        // Write then rename: a reader never sees half a file.
        let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
        tokio::fs::write(&tmp, bytes).await.map_err(io)?;
        tokio::fs::rename(&tmp, &path).await.map_err(io)
    }

    async fn get(&self, bucket: &str, key: &str) -> AppResult<Option<Vec<u8>>> {
        use std::io::ErrorKind;
        match tokio::fs::read(self.path(bucket, key)?).await {
            Ok(bytes) => Ok(Some(bytes)),
            // `a.pdf/b` under a file `a.pdf`, or a directory's key: no such object either.
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::NotFound | ErrorKind::NotADirectory | ErrorKind::IsADirectory
                ) =>
            {
                Ok(None)
            }
            Err(e) => Err(io(e)),
        }
    }

    async fn copy(&self, from_bucket: &str, key: &str, to_bucket: &str) -> AppResult<()> {
        match self.get(from_bucket, key).await? {
            Some(bytes) => self.put(to_bucket, key, bytes).await,
            None => Err(AppError::NotFound(format!("文件不存在: {key}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_stay_inside_the_bucket() {
        assert!(checked_key("uploads/a.pdf").is_ok());
        assert!(checked_key("/a.pdf").is_ok());
        let long = "k".repeat(MAX_KEY_BYTES + 1);
        let long_segment = format!("a/{}", "s".repeat(256));
        for bad in [
            "",
            "../etc/passwd",
            "a/../../b",
            "a\0b",
            "./a",
            &long,
            &long_segment,
        ] {
            assert!(checked_key(bad).is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn local_disk_puts_gets_and_copies() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalDisk::new(dir.path());
        store.put("pub", "r/a.pdf", b"pdf".to_vec()).await.unwrap();
        assert_eq!(
            store.get("pub", "r/a.pdf").await.unwrap(),
            Some(b"pdf".to_vec())
        );
        store.copy("pub", "r/a.pdf", "priv").await.unwrap();
        assert_eq!(
            store.get("priv", "r/a.pdf").await.unwrap(),
            Some(b"pdf".to_vec())
        );
        assert!(matches!(
            store.copy("pub", "missing", "priv").await,
            Err(AppError::NotFound(_))
        ));
        assert_eq!(store.get("pub", "missing").await.unwrap(), None);
    }
}

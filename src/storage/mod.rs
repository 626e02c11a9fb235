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

/// A key as a relative path: no absolute paths, no `..`, nothing empty.
pub fn checked_key(key: &str) -> AppResult<&str> {
    let key = key.trim_start_matches('/');
    let path = Path::new(key);
    let ok = !key.is_empty()
        && !key.contains('\0')
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
        match tokio::fs::read(self.path(bucket, key)?).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
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
        for bad in ["", "../etc/passwd", "a/../../b", "a\0b", "./a"] {
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

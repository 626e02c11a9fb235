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

/// The prefix of the local backend's temporary files.
const TEMP_PREFIX: &str = ".opsgraph-tmp-";

/// A fresh temporary file name: hidden, short whatever the key (a key's segment may already be
/// as long as a file name may be), and random, so no two writes pick the same.
fn temp_name() -> String {
    format!("{TEMP_PREFIX}{:032x}", rand::random::<u128>())
}

/// Writes `bytes` to a file that must not exist yet, and flushes it to disk before it is
/// renamed into place (a crash leaves the old object or the new one, never an empty file).
async fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use tokio::io::AsyncWriteExt;
    let mut file = tokio::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .await?;
    file.write_all(bytes).await?;
    file.sync_all().await
}

fn io(e: std::io::Error) -> AppError {
    AppError::Internal(format!("storage: {e}"))
}

#[async_trait::async_trait]
impl Storage for LocalDisk {
    async fn put(&self, bucket: &str, key: &str, bytes: Vec<u8>) -> AppResult<()> {
        let path = self.path(bucket, key)?;
        let Some(dir) = path.parent() else {
            return Err(AppError::Internal("storage: a key with no folder".into()));
        };
        tokio::fs::create_dir_all(dir).await.map_err(io)?;
        // Write a temporary file beside the target, then rename it into place: a reader never
        // sees half a file. Its name is new for every write (created exclusively), so writers
        // of one key never share a temporary file; whatever fails, it is removed.
        let tmp = dir.join(temp_name());
        let written = write_new(&tmp, &bytes).await;
        let placed = match written {
            Ok(()) => tokio::fs::rename(&tmp, &path).await,
            Err(e) => Err(e),
        };
        if placed.is_err() {
            let _ = tokio::fs::remove_file(&tmp).await;
        }
        placed.map_err(io)
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

    /// Every file under `dir`, relative, sorted.
    fn files(dir: &Path) -> Vec<String> {
        let mut all = Vec::new();
        let mut todo = vec![dir.to_path_buf()];
        while let Some(d) = todo.pop() {
            for entry in std::fs::read_dir(d).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    todo.push(path);
                } else {
                    let relative = path.strip_prefix(dir).unwrap();
                    all.push(relative.display().to_string());
                }
            }
        }
        all.sort();
        all
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_writes_of_one_key_leave_one_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = std::sync::Arc::new(LocalDisk::new(dir.path()));
        // 16 writers, each a different 256 KB body of one repeated byte.
        let writers: Vec<_> = (0..16u8)
            .map(|i| {
                let store = store.clone();
                tokio::spawn(async move {
                    store
                        .put("pub", "r/same.pdf", vec![b'a' + i; 256 * 1024])
                        .await
                })
            })
            .collect();
        for writer in writers {
            writer.await.unwrap().unwrap();
        }
        let stored = store.get("pub", "r/same.pdf").await.unwrap().unwrap();
        assert_eq!(stored.len(), 256 * 1024);
        assert!(
            (b'a'..b'a' + 16).contains(&stored[0]) && stored.iter().all(|b| *b == stored[0]),
            "one writer's whole body"
        );
        assert_eq!(
            files(dir.path()),
            ["pub/r/same.pdf"],
            "no temporary file left"
        );
    }

    #[tokio::test]
    async fn a_failed_write_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalDisk::new(dir.path());
        store
            .put("pub", "r/a.pdf/inner", b"x".to_vec())
            .await
            .unwrap();
        // `r/a.pdf` is a folder: the bytes are written, the rename into place fails.
        assert!(matches!(
            store.put("pub", "r/a.pdf", b"pdf".to_vec()).await,
            Err(AppError::Internal(_))
        ));
        assert_eq!(files(dir.path()), ["pub/r/a.pdf/inner"]);
        assert_eq!(
            store.get("pub", "r/a.pdf/inner").await.unwrap(),
            Some(b"x".to_vec())
        );
    }
}

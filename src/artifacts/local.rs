//! Artifacts on local disk under one root directory (`LocalArtifactRepository`,
//! `mlflow/store/artifact/local_artifact_repo.py`), the embedded default `./mlartifacts`.
//!
//! Every resolved path is checked to stay under the root after symlinks are followed
//! (`validate_path_within_directory`, the fix of CVE-2026-2033). Uploads go to a hidden
//! temporary file in the target directory and are renamed into place when complete, so a
//! client that disconnects mid-upload leaves nothing under the final name.

use std::io;
use std::path::{Path, PathBuf};

use futures_util::StreamExt;
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
use tokio_util::io::ReaderStream;

use super::path::RelPath;
use super::{ArtifactError, ArtifactStore, ByteRange, ByteStream, Download, FileInfo};

/// Prefix of in-progress uploads; listings skip them (MLflow's `_TEMP_ARTIFACT_PREFIX` idea).
const TEMP_PREFIX: &str = ".mlflowd-upload-";

pub struct LocalArtifactStore {
    root: PathBuf,
}

impl LocalArtifactStore {
    /// Creates the root directory if needed.
    pub fn new(root: impl AsRef<Path>) -> io::Result<Self> {
        let root = root.as_ref();
        std::fs::create_dir_all(root)?;
        Ok(LocalArtifactStore {
            root: root.canonicalize()?,
        })
    }

    fn resolve(&self, path: &RelPath) -> PathBuf {
        let mut p = self.root.clone();
        for seg in path.segments() {
            p.push(seg);
        }
        p
    }

    /// The existing path, or the deepest existing ancestor, must resolve under the root.
    async fn check_within_root(&self, p: &Path) -> Result<(), ArtifactError> {
        let mut probe = p.to_path_buf();
        loop {
            match tokio::fs::canonicalize(&probe).await {
                Ok(real) => {
                    return if real.starts_with(&self.root) {
                        Ok(())
                    } else {
                        Err(ArtifactError::OutsideRoot)
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    if !probe.pop() {
                        return Err(ArtifactError::OutsideRoot);
                    }
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
}

#[async_trait::async_trait]
impl ArtifactStore for LocalArtifactStore {
    async fn put(&self, path: &RelPath, mut body: ByteStream) -> Result<(), ArtifactError> {
        let target = self.resolve(path);
        self.check_within_root(&target).await?;
        let dir = target
            .parent()
            .ok_or(ArtifactError::OutsideRoot)?
            .to_path_buf();
        tokio::fs::create_dir_all(&dir).await?;
        self.check_within_root(&dir).await?;
        let tmp = dir.join(format!("{TEMP_PREFIX}{}", uuid::Uuid::new_v4().simple()));
        let result: Result<(), ArtifactError> = async {
            let mut file = tokio::fs::File::create(&tmp).await?;
            while let Some(chunk) = body.next().await {
                file.write_all(&chunk?).await?;
            }
            file.flush().await?;
            file.sync_all().await?;
            drop(file);
            tokio::fs::rename(&tmp, &target).await?;
            Ok(())
        }
        .await;
        if result.is_err() {
            let _ = tokio::fs::remove_file(&tmp).await;
        }
        result
    }

    async fn get(
        &self,
        path: &RelPath,
        range: Option<ByteRange>,
    ) -> Result<Download, ArtifactError> {
        let target = self.resolve(path);
        let meta = match tokio::fs::metadata(&target).await {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(ArtifactError::NotFound(path.as_str().to_owned()))
            }
            Err(e) => return Err(e.into()),
        };
        self.check_within_root(&target).await?;
        if meta.is_dir() {
            return Err(ArtifactError::IsDirectory(path.as_str().to_owned()));
        }
        let size = meta.len();
        let mut file = tokio::fs::File::open(&target).await?;
        let span = match range {
            None => None,
            Some(r) => Some(
                r.resolve(size)
                    .ok_or(ArtifactError::RangeNotSatisfiable(size))?,
            ),
        };
        let body: ByteStream = match span {
            None => Box::pin(ReaderStream::with_capacity(file, 64 * 1024)),
            Some((start, end)) => {
                file.seek(std::io::SeekFrom::Start(start)).await?;
                Box::pin(ReaderStream::with_capacity(
                    file.take(end - start + 1),
                    64 * 1024,
                ))
            }
        };
        Ok(Download {
            size,
            range: span,
            body,
        })
    }

    async fn list(&self, dir: Option<&RelPath>) -> Result<Vec<FileInfo>, ArtifactError> {
        let target = match dir {
            Some(d) => self.resolve(d),
            None => self.root.clone(),
        };
        match tokio::fs::metadata(&target).await {
            Ok(m) if m.is_dir() => {}
            Ok(_) => return Ok(Vec::new()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        }
        self.check_within_root(&target).await?;
        let prefix = dir.map(|d| d.as_str().to_owned()).unwrap_or_default();
        let mut out = Vec::new();
        let mut entries = tokio::fs::read_dir(&target).await?;
        while let Some(entry) = entries.next_entry().await? {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(TEMP_PREFIX) {
                continue;
            }
            let meta = entry.metadata().await?;
            let path = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            };
            out.push(FileInfo {
                path,
                is_dir: meta.is_dir(),
                file_size: (!meta.is_dir()).then_some(meta.len()),
            });
        }
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(out)
    }

    async fn delete(&self, path: &RelPath) -> Result<(), ArtifactError> {
        let target = self.resolve(path);
        let meta = match tokio::fs::symlink_metadata(&target).await {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        self.check_within_root(target.parent().unwrap_or(&self.root))
            .await?;
        if meta.is_dir() {
            tokio::fs::remove_dir_all(&target).await?;
        } else {
            tokio::fs::remove_file(&target).await?;
        }
        Ok(())
    }
}

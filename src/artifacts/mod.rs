//! Artifact storage behind one trait: the proxied `mlflow-artifacts` service stores files under
//! `--artifacts-destination` through an [`ArtifactStore`]. Mirrors the artifact repositories of
//! `mlflow/store/artifact/` that the server uses for proxied artifacts.
//!
//! Bodies stream in both directions; nothing is buffered whole in memory or on local disk.

pub mod local;
pub mod path;

use std::io;
use std::pin::Pin;

use bytes::Bytes;
use futures_util::Stream;

use crate::error::{ErrorCode, MlflowError};
use path::RelPath;

/// A byte stream, as request and response bodies carry them.
pub type ByteStream = Pin<Box<dyn Stream<Item = io::Result<Bytes>> + Send>>;

/// One listing entry (`FileInfo`): `path` relative to the store root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileInfo {
    pub path: String,
    pub is_dir: bool,
    pub file_size: Option<u64>,
}

/// A file being read: its size and its bytes.
pub struct Download {
    pub size: u64,
    pub body: ByteStream,
}

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ArtifactError {
    #[error("No such artifact: '{0}'")]
    NotFound(String),
    #[error("Artifact path refers to a directory, not a file: '{0}'")]
    IsDirectory(String),
    #[error("Invalid path")]
    OutsideRoot,
    #[error("artifact storage failed: {0}")]
    Io(#[from] io::Error),
}

impl From<ArtifactError> for MlflowError {
    fn from(e: ArtifactError) -> Self {
        match e {
            ArtifactError::NotFound(_) => {
                MlflowError::new(ErrorCode::RESOURCE_DOES_NOT_EXIST, e.to_string())
            }
            ArtifactError::IsDirectory(_) | ArtifactError::OutsideRoot => {
                MlflowError::invalid_parameter_value(e.to_string())
            }
            ArtifactError::Io(err) => {
                tracing::error!(error = %err, "artifact storage failed");
                MlflowError::new(
                    ErrorCode::INTERNAL_ERROR,
                    format!("Artifact storage failed: {}", err.kind()),
                )
            }
        }
    }
}

/// Where artifacts live. Paths are validated [`RelPath`]s relative to the store's root.
#[async_trait::async_trait]
pub trait ArtifactStore: Send + Sync {
    /// Writes `body` to `path`. The object appears under its name only once complete.
    async fn put(&self, path: &RelPath, body: ByteStream) -> Result<(), ArtifactError>;
    /// Reads the file at `path`.
    async fn get(&self, path: &RelPath) -> Result<Download, ArtifactError>;
    /// Lists the direct children of `dir` (the root when `None`); a missing directory or a
    /// file lists as empty, as in MLflow.
    async fn list(&self, dir: Option<&RelPath>) -> Result<Vec<FileInfo>, ArtifactError>;
    /// Deletes the file or directory tree at `path`; a missing path is not an error.
    async fn delete(&self, path: &RelPath) -> Result<(), ArtifactError>;
}

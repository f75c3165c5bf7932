//! Artifact storage behind one trait: the proxied `mlflow-artifacts` service stores files under
//! `--artifacts-destination` through an [`ArtifactStore`]. Mirrors the artifact repositories of
//! `mlflow/store/artifact/` that the server uses for proxied artifacts.
//!
//! Bodies stream in both directions; nothing is buffered whole in memory or on local disk.

mod insecure_tls;
pub mod local;
pub mod model_source;
pub mod path;
pub mod s3;

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

/// A file being read: its total size, the byte range being sent (inclusive) and those bytes.
pub struct Download {
    pub size: u64,
    pub range: Option<(u64, u64)>,
    pub body: ByteStream,
}

/// An HTTP byte range as requested (`bytes=a-b`, `bytes=a-`, `bytes=-n`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteRange {
    From(u64, Option<u64>),
    Suffix(u64),
}

impl ByteRange {
    /// Parses a `Range` header as Werkzeug does for MLflow's `/get-artifact`: `None` when
    /// there is no usable byte range (the whole file is sent), `Some(None)` when the range
    /// can never be satisfied (several ranges, or end before start: 416).
    pub fn parse(header: &str) -> Option<Option<ByteRange>> {
        let spec = header.trim().strip_prefix("bytes=")?;
        if spec.contains(',') {
            return Some(None);
        }
        let (a, b) = spec.split_once('-')?;
        let (a, b) = (a.trim(), b.trim());
        if a.is_empty() {
            return b.parse().ok().map(|n| Some(ByteRange::Suffix(n)));
        }
        let start = a.parse().ok()?;
        let end = if b.is_empty() {
            None
        } else {
            Some(b.parse().ok()?)
        };
        if end.is_some_and(|e| e < start) {
            return Some(None);
        }
        Some(Some(ByteRange::From(start, end)))
    }

    /// The inclusive byte span within a file of `size` bytes, or `None` when unsatisfiable.
    pub fn resolve(self, size: u64) -> Option<(u64, u64)> {
        match self {
            ByteRange::From(start, _) if start >= size => None,
            ByteRange::From(start, end) => Some((start, end.map_or(size - 1, |e| e.min(size - 1)))),
            // Werkzeug refuses an empty suffix and one longer than the file.
            ByteRange::Suffix(n) if n == 0 || n > size => None,
            ByteRange::Suffix(n) => Some((size - n, size - 1)),
        }
    }
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
    #[error("Requested range not satisfiable")]
    RangeNotSatisfiable(u64),
    #[error("artifact storage failed: {0}")]
    Io(#[from] io::Error),
    /// The storage service cannot be reached or did not answer in time: worth retrying.
    #[error("{0}")]
    Unavailable(String),
    /// The storage service refused the request (missing bucket, bad credentials, ...).
    #[error("{0}")]
    Backend(String),
    /// `_UnsupportedMultipart{Upload,Download}Exception`: the client falls back to plain
    /// transfers through the server on it.
    #[error("{0}")]
    Unsupported(&'static str),
}

impl From<ArtifactError> for MlflowError {
    fn from(e: ArtifactError) -> Self {
        match e {
            ArtifactError::NotFound(_) => {
                MlflowError::new(ErrorCode::RESOURCE_DOES_NOT_EXIST, e.to_string())
            }
            ArtifactError::RangeNotSatisfiable(_) => {
                MlflowError::invalid_parameter_value(e.to_string())
            }
            ArtifactError::IsDirectory(_) | ArtifactError::OutsideRoot => {
                MlflowError::invalid_parameter_value(e.to_string())
            }
            ArtifactError::Unsupported(_) => {
                MlflowError::new(ErrorCode::NOT_IMPLEMENTED, e.to_string())
            }
            ArtifactError::Unavailable(msg) => {
                tracing::warn!(error = %msg, "artifact storage unavailable");
                MlflowError::new(ErrorCode::TEMPORARILY_UNAVAILABLE, msg)
            }
            ArtifactError::Backend(msg) => {
                tracing::error!(error = %msg, "artifact storage failed");
                MlflowError::new(ErrorCode::INTERNAL_ERROR, msg)
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

pub const MULTIPART_UPLOAD_UNSUPPORTED: &str =
    "Multipart upload is not supported for the current artifact repository";
pub const MULTIPART_DOWNLOAD_UNSUPPORTED: &str =
    "Multipart download is not supported for the current artifact repository";

/// One part of a multipart upload the client sends straight to the storage service.
#[derive(Debug, Clone)]
pub struct PresignedPart {
    pub part_number: i64,
    pub url: String,
}

/// A part the client uploaded, as it reports it back to complete the upload.
#[derive(Debug, Clone)]
pub struct UploadedPart {
    pub part_number: i64,
    pub etag: String,
}

/// Where artifacts live. Paths are validated [`RelPath`]s relative to the store's root.
#[async_trait::async_trait]
pub trait ArtifactStore: Send + Sync {
    /// Writes `body` to `path`. The object appears under its name only once complete.
    async fn put(&self, path: &RelPath, body: ByteStream) -> Result<(), ArtifactError>;
    /// Reads the file at `path`, or the requested part of it.
    async fn get(
        &self,
        path: &RelPath,
        range: Option<ByteRange>,
    ) -> Result<Download, ArtifactError>;
    /// Lists the direct children of `dir` (the root when `None`); a missing directory or a
    /// file lists as empty, as in MLflow.
    async fn list(&self, dir: Option<&RelPath>) -> Result<Vec<FileInfo>, ArtifactError>;
    /// Deletes the file or directory tree at `path`; a missing path is not an error.
    async fn delete(&self, path: &RelPath) -> Result<(), ArtifactError>;

    /// Whether the multipart methods below work (`MultipartUploadMixin` in MLflow).
    fn supports_multipart(&self) -> bool {
        false
    }
    /// Starts a multipart upload to `path`: its id and one presigned URL per part.
    async fn create_multipart_upload(
        &self,
        _path: &RelPath,
        _num_parts: i64,
    ) -> Result<(String, Vec<PresignedPart>), ArtifactError> {
        Err(ArtifactError::Unsupported(MULTIPART_UPLOAD_UNSUPPORTED))
    }
    /// Assembles the uploaded parts into the object at `path`.
    async fn complete_multipart_upload(
        &self,
        _path: &RelPath,
        _upload_id: &str,
        _parts: Vec<UploadedPart>,
    ) -> Result<(), ArtifactError> {
        Err(ArtifactError::Unsupported(MULTIPART_UPLOAD_UNSUPPORTED))
    }
    /// A presigned URL for reading `path` straight from the storage service, and the file's
    /// size (`get_download_presigned_url`).
    async fn presigned_download_url(
        &self,
        _path: &RelPath,
    ) -> Result<(String, u64), ArtifactError> {
        Err(ArtifactError::Unsupported(MULTIPART_DOWNLOAD_UNSUPPORTED))
    }
    /// Drops an unfinished multipart upload and its parts.
    async fn abort_multipart_upload(
        &self,
        _path: &RelPath,
        _upload_id: &str,
    ) -> Result<(), ArtifactError> {
        Err(ArtifactError::Unsupported(MULTIPART_UPLOAD_UNSUPPORTED))
    }
}

#[cfg(test)]
mod tests {
    use super::ByteRange;

    #[test]
    fn ranges() {
        let span = |h: &str| ByteRange::parse(h).flatten().and_then(|r| r.resolve(100));
        assert_eq!(span("bytes=0-9"), Some((0, 9)));
        assert_eq!(span("bytes=90-"), Some((90, 99)));
        assert_eq!(span("bytes=-10"), Some((90, 99)));
        assert_eq!(span("bytes=95-200"), Some((95, 99)));
        assert_eq!(span("bytes=100-"), None);
        assert_eq!(span("bytes=-101"), None);
        assert_eq!(ByteRange::parse("bytes=5-1"), Some(None));
        assert_eq!(ByteRange::parse("bytes=0-0,3-4"), Some(None));
        assert_eq!(ByteRange::parse("items=1-2"), None);
    }
}

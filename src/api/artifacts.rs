//! The proxied artifact service (`/api/2.0/mlflow-artifacts/...`): download, upload, list and
//! delete under `--artifacts-destination`. Mirrors `mlflow/server/artifact_router.py` (the
//! streaming GET/PUT MLflow serves under uvicorn) and `_list_artifacts_mlflow_artifacts`,
//! `_delete_artifact_mlflow_artifacts` in `mlflow/server/handlers.py`.
//!
//! Bodies stream through: an upload goes from the socket to the store chunk by chunk, a
//! download from the store to the socket.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::TryStreamExt;
use serde::Serialize;

use crate::api::extract::{Check::*, Proto};
use crate::app::AppState;
use crate::artifacts::path::{validate_file_path, validate_path_is_safe, RelPath};
use crate::artifacts::{ArtifactError, ArtifactStore, UploadedPart, MULTIPART_UPLOAD_UNSUPPORTED};
use crate::error::{MlflowError, Result};
use crate::wire::{Empty, Json};

crate::proto_message! { pub struct ListArtifactsMlflowArtifacts { path: String } }
crate::proto_message! { pub struct CreateMultipartUpload { path: String, num_parts: i64 } }
crate::proto_message! { pub struct MultipartUploadPart { part_number: i64, etag: String, url: String } }
crate::proto_message! {
    pub struct CompleteMultipartUpload { path: String, upload_id: String, parts: Vec<Box<MultipartUploadPart>> }
}
crate::proto_message! { pub struct AbortMultipartUpload { path: String, upload_id: String } }

#[derive(Debug, Serialize)]
pub struct MultipartUploadCredential {
    pub url: String,
    pub part_number: i64,
}

#[derive(Debug, Serialize)]
pub struct CreateMultipartUploadResponse {
    pub upload_id: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub credentials: Vec<MultipartUploadCredential>,
}

#[derive(Debug, Serialize)]
pub struct FileInfoMsg {
    pub path: String,
    pub is_dir: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_size: Option<u64>,
}

#[derive(Debug, Serialize)]
pub struct ListArtifactsResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root_uri: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<FileInfoMsg>,
}

/// FastAPI's error shape (compact JSON), which MLflow's streaming artifact router uses for its
/// own refusals.
fn detail(status: StatusCode, message: &str) -> Response {
    let body = serde_json::json!({ "detail": message }).to_string();
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// GET and PUT are FastAPI routes in MLflow: refused with a JSON `detail`.
fn streaming_disabled() -> Response {
    detail(
        StatusCode::SERVICE_UNAVAILABLE,
        "Artifact serving is disabled. Run `mlflow server` with `--serve-artifacts` to enable.",
    )
}

/// List and DELETE are Flask routes in MLflow: `_disable_unless_serve_artifacts` refuses them
/// with a plain-text 503 naming the Flask rule.
fn flask_disabled(uri: &axum::http::Uri, rule_suffix: &str) -> Response {
    flask_disabled_rule(uri, &format!("/mlflow-artifacts/artifacts{rule_suffix}"))
}

fn flask_disabled_rule(uri: &axum::http::Uri, rule: &str) -> Response {
    let path = uri.path();
    let (prefix, api) = match path.find("/ajax-api/2.0/") {
        Some(i) => (&path[..i], "/ajax-api/2.0"),
        None => (
            path.find("/api/2.0/").map_or("", |i| &path[..i]),
            "/api/2.0",
        ),
    };
    let body = format!(
        "Endpoint: {prefix}{api}{rule} disabled due to the \
         mlflow server running with `--no-serve-artifacts`. To enable artifacts server \
         functionality, run `mlflow server` with `--serve-artifacts`"
    );
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

fn store(st: &AppState) -> Option<Arc<dyn ArtifactStore>> {
    st.artifacts.clone()
}

pub(crate) fn safe(path: &str) -> Result<RelPath> {
    validate_path_is_safe(path).map_err(|e| MlflowError::invalid_parameter_value(e.message))
}

/// `get_text_extensions()` (`mlflow/utils/mime_type_utils.py`): shown as text by the UI.
const TEXT_EXTENSIONS: [&str; 26] = [
    "txt",
    "log",
    "err",
    "cfg",
    "conf",
    "cnf",
    "cf",
    "ini",
    "properties",
    "prop",
    "hocon",
    "toml",
    "yaml",
    "yml",
    "xml",
    "json",
    "js",
    "py",
    "py3",
    "csv",
    "tsv",
    "md",
    "rst",
    "ipynb",
    "MLmodel",
    "MLproject",
];

/// `_guess_mime_type`: MLflow's text extensions (and `MLmodel`/`MLproject`) are `text/plain`,
/// then the platform's table by extension, `application/octet-stream` otherwise.
fn guess_mime(name: &str) -> String {
    let ext = match name.rfind('.') {
        Some(i) if i > 0 => &name[i + 1..],
        _ => name,
    };
    if TEXT_EXTENSIONS.contains(&ext) {
        return "text/plain".to_owned();
    }
    mime_guess::from_path(name)
        .first_raw()
        .unwrap_or("application/octet-stream")
        .to_owned()
}

/// `_content_disposition_attachment`: `attachment; filename=...`, with an RFC 5987
/// `filename*` for non-ASCII names.
pub fn content_disposition(filename: &str) -> String {
    let quote = |s: &str| {
        let token = !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c));
        if token {
            s.to_owned()
        } else {
            format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
        }
    };
    if filename.is_ascii() {
        return format!("attachment; filename={}", quote(filename));
    }
    // NFKD then dropping what is not ASCII, as MLflow does: "ü" falls back to "u".
    let fallback: String = unicode_normalization::UnicodeNormalization::nfkd(filename)
        .filter(char::is_ascii)
        .collect();
    let fallback = if fallback.is_empty() {
        "download".to_owned()
    } else {
        fallback
    };
    const ATTR: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'!')
        .remove(b'#')
        .remove(b'$')
        .remove(b'&')
        .remove(b'+')
        .remove(b'-')
        .remove(b'.')
        .remove(b'^')
        .remove(b'_')
        .remove(b'`')
        .remove(b'|')
        .remove(b'~');
    let encoded = percent_encoding::utf8_percent_encode(filename, ATTR);
    format!(
        "attachment; filename={}; filename*=UTF-8''{encoded}",
        quote(&fallback)
    )
}

/// A download as MLflow sends it: an attachment with a guessed type and `nosniff`; a range
/// request gets 206 with `Content-Range`.
pub(crate) fn file_response(download: crate::artifacts::Download, name: &str) -> Response {
    let mut resp = Response::new(Body::from_stream(download.body));
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&guess_mime(name)) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&content_disposition(name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    match download.range {
        Some((start, end)) => {
            h.insert(header::CONTENT_LENGTH, HeaderValue::from(end - start + 1));
            if let Ok(v) = HeaderValue::from_str(&format!("bytes {start}-{end}/{}", download.size))
            {
                h.insert(header::CONTENT_RANGE, v);
            }
            *resp.status_mut() = StatusCode::PARTIAL_CONTENT;
        }
        None => {
            h.insert(header::CONTENT_LENGTH, HeaderValue::from(download.size));
        }
    }
    resp
}

/// GET /mlflow-artifacts/artifacts/{path}
pub async fn download_artifact(State(st): State<AppState>, Path(path): Path<String>) -> Response {
    let Some(store) = store(&st) else {
        return streaming_disabled();
    };
    let result: Result<Response> = async {
        let rel = safe(&path)?;
        let download = match store.get(&rel, None).await {
            Err(crate::artifacts::ArtifactError::IsDirectory(p)) => {
                return Ok(detail(
                    StatusCode::BAD_REQUEST,
                    &format!("Artifact path refers to a directory, not a file: '{p}'"),
                ))
            }
            other => other?,
        };
        Ok(file_response(download, rel.file_name().unwrap_or("")))
    }
    .await;
    result.unwrap_or_else(MlflowError::into_compact_response)
}

/// PUT /mlflow-artifacts/artifacts/{path}
pub async fn upload_artifact(
    State(st): State<AppState>,
    Path(path): Path<String>,
    body: Body,
) -> Response {
    let Some(store) = store(&st) else {
        drain(body).await;
        return streaming_disabled();
    };
    let rel = match validate_file_path(&path) {
        Ok(rel) => rel,
        Err(e) => {
            drain(body).await;
            return if e.message.contains("must include a filename") {
                detail(StatusCode::BAD_REQUEST, &e.message)
            } else {
                MlflowError::invalid_parameter_value(e.message).into_compact_response()
            };
        }
    };
    let result: Result<Response> = async {
        let stream = body.into_data_stream().map_err(std::io::Error::other);
        store.put(&rel, Box::pin(stream)).await?;
        Ok(StatusCode::OK.into_response())
    }
    .await;
    result.unwrap_or_else(MlflowError::into_compact_response)
}

/// Reads and drops what is left of a refused upload (up to 1 GiB), so the client, still
/// sending, gets the error instead of a reset connection.
async fn drain(body: Body) {
    const LIMIT: usize = 1 << 30;
    let mut stream = body.into_data_stream();
    let mut seen = 0usize;
    while let Some(Ok(chunk)) = futures_util::StreamExt::next(&mut stream).await {
        seen += chunk.len();
        if seen > LIMIT {
            break;
        }
    }
}

/// DELETE /mlflow-artifacts/artifacts/{path}
pub async fn delete_artifact(
    State(st): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Path(path): Path<String>,
) -> Response {
    let Some(store) = store(&st) else {
        return flask_disabled(&uri, "/<path:artifact_path>");
    };
    let result: Result<Response> = async {
        let rel = safe(&path)?;
        store.delete(&rel).await?;
        Ok(Json(Empty {}).into_response())
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

/// GET /mlflow-artifacts/artifacts?path=
pub async fn list_artifacts_mlflow_artifacts(
    State(st): State<AppState>,
    OriginalUri(uri): OriginalUri,
    req: Proto<ListArtifactsMlflowArtifacts>,
) -> Response {
    let Some(store) = store(&st) else {
        return flask_disabled(&uri, "");
    };
    let result: Result<Response> = async {
        let dir = match req.msg.path.as_deref() {
            Some(p) => Some(safe(p)?).filter(|r| !r.is_empty()),
            None => None,
        };
        let files = store
            .list(dir.as_ref())
            .await?
            .into_iter()
            .map(|f| FileInfoMsg {
                path: f.path.rsplit('/').next().unwrap_or("").to_owned(),
                is_dir: f.is_dir,
                // proto2 FileInfo.to_proto leaves a zero size unset.
                file_size: f.file_size.filter(|s| *s != 0),
            })
            .collect();
        Ok(Json(ListArtifactsResponse {
            root_uri: None,
            files,
        })
        .into_response())
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

/// S3 allows 10,000 parts; MLflow passes any count on (and would presign forever).
const MAX_PARTS: i64 = 10_000;

/// The object a multipart request is about: the directory in the URL plus the basename of
/// the body's `path` (the client's local file name), as `S3ArtifactRepository` builds it.
fn mpu_target(dir: &RelPath, file: Option<&str>) -> Result<RelPath> {
    let name = crate::artifacts::path::mpu_file_name(file.unwrap_or(""))
        .map_err(|e| MlflowError::invalid_parameter_value(e.message))?;
    Ok(dir.join(&name))
}

/// POST /mlflow-artifacts/mpu/create/{path}
pub async fn create_multipart_upload(
    State(st): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Path(path): Path<String>,
    req: Proto<CreateMultipartUpload>,
) -> Response {
    let Some(store) = store(&st) else {
        return flask_disabled_rule(&uri, "/mlflow-artifacts/mpu/create/<path:artifact_path>");
    };
    let result: Result<Response> = async {
        let dir = safe(&path)?;
        req.check(&[("path", &[Required, Str]), ("num_parts", &[IntLike])])?;
        if !store.supports_multipart() {
            return Err(ArtifactError::Unsupported(MULTIPART_UPLOAD_UNSUPPORTED).into());
        }
        let num_parts = req.msg.num_parts.unwrap_or(0);
        if !(0..=MAX_PARTS).contains(&num_parts) {
            return Err(MlflowError::invalid_parameter_value(format!(
                "num_parts must be between 0 and {MAX_PARTS}, got {num_parts}"
            )));
        }
        let target = mpu_target(&dir, req.msg.path.as_deref())?;
        let (upload_id, parts) = store.create_multipart_upload(&target, num_parts).await?;
        Ok(Json(CreateMultipartUploadResponse {
            upload_id,
            credentials: parts
                .into_iter()
                .map(|p| MultipartUploadCredential {
                    url: p.url,
                    part_number: p.part_number,
                })
                .collect(),
        })
        .into_response())
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

/// POST /mlflow-artifacts/mpu/complete/{path}
pub async fn complete_multipart_upload(
    State(st): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Path(path): Path<String>,
    req: Proto<CompleteMultipartUpload>,
) -> Response {
    let Some(store) = store(&st) else {
        return flask_disabled_rule(&uri, "/mlflow-artifacts/mpu/complete/<path:artifact_path>");
    };
    let result: Result<Response> = async {
        let dir = safe(&path)?;
        req.check(&[
            ("path", &[Required, Str]),
            ("upload_id", &[Str]),
            ("parts", &[Required]),
        ])?;
        if !store.supports_multipart() {
            return Err(ArtifactError::Unsupported(MULTIPART_UPLOAD_UNSUPPORTED).into());
        }
        let target = mpu_target(&dir, req.msg.path.as_deref())?;
        let parts = req
            .msg
            .parts
            .iter()
            .flatten()
            .map(|p| UploadedPart {
                part_number: p.part_number.unwrap_or(0),
                etag: p.etag.clone().unwrap_or_default(),
            })
            .collect();
        let upload_id = req.msg.upload_id.clone().unwrap_or_default();
        store
            .complete_multipart_upload(&target, &upload_id, parts)
            .await?;
        Ok(Json(Empty {}).into_response())
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

/// POST /mlflow-artifacts/mpu/abort/{path}
pub async fn abort_multipart_upload(
    State(st): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Path(path): Path<String>,
    req: Proto<AbortMultipartUpload>,
) -> Response {
    let Some(store) = store(&st) else {
        return flask_disabled_rule(&uri, "/mlflow-artifacts/mpu/abort/<path:artifact_path>");
    };
    let result: Result<Response> = async {
        let dir = safe(&path)?;
        req.check(&[("path", &[Required, Str]), ("upload_id", &[Str])])?;
        if !store.supports_multipart() {
            return Err(ArtifactError::Unsupported(MULTIPART_UPLOAD_UNSUPPORTED).into());
        }
        let target = mpu_target(&dir, req.msg.path.as_deref())?;
        let upload_id = req.msg.upload_id.clone().unwrap_or_default();
        store.abort_multipart_upload(&target, &upload_id).await?;
        Ok(Json(Empty {}).into_response())
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

/// GET /mlflow-artifacts/presigned/{path}: a URL to read the file from S3 directly.
pub async fn get_presigned_download_url(
    State(st): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Path(path): Path<String>,
) -> Response {
    let Some(store) = store(&st) else {
        return flask_disabled_rule(&uri, "/mlflow-artifacts/presigned/<path:artifact_path>");
    };
    let result: Result<Response> = async {
        let rel = safe(&path)?;
        let (url, size) = store.presigned_download_url(&rel).await?;
        // `json.dumps(PresignedDownloadUrlResponse.to_dict())`.
        let body = crate::wire::proto::to_python_json_flat(&serde_json::json!({
            "url": url,
            "headers": {},
            "file_size": size,
        }));
        Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

#[cfg(test)]
mod tests {
    use super::content_disposition;

    #[test]
    fn content_disposition_like_mlflow() {
        assert_eq!(
            content_disposition("model.pkl"),
            "attachment; filename=model.pkl"
        );
        assert_eq!(
            content_disposition("a b.txt"),
            "attachment; filename=\"a b.txt\""
        );
        assert_eq!(
            content_disposition("sp ace ü.txt"),
            "attachment; filename=\"sp ace u.txt\"; filename*=UTF-8''sp%20ace%20%C3%BC.txt"
        );
    }
}

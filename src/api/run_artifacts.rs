//! Run-scoped artifact endpoints of the tracking API: `artifacts/list`, `/get-artifact` and the
//! UI's `upload-artifact` (`list_artifacts_impl`, `get_artifact_handler`,
//! `upload_artifact_handler` in `mlflow/server/handlers.py`).
//!
//! A run whose artifact root is proxied (`mlflow-artifacts:/…`, the default) is served from the
//! artifacts destination, an `s3://…` root from S3 directly; other roots (local paths, other
//! clouds) answer NOT_IMPLEMENTED rather than guessing.

use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};

use crate::api::artifacts::{file_response, safe, FileInfoMsg, ListArtifactsResponse};
use crate::api::extract::{Check::*, Proto};
use crate::app::AppState;
use crate::artifacts::path::{proxied_artifact_destination, RelPath};
use crate::artifacts::{ArtifactError, ArtifactStore, ByteRange};
use crate::error::{ErrorCode, MlflowError, Result};
use crate::wire::Json;

/// `upload-artifact` accepts at most 10 MB (`upload_artifact_handler`).
const MAX_UI_UPLOAD: usize = 10 * 1024 * 1024;

crate::proto_message! {
    pub struct ListArtifacts { run_id: String, run_uuid: String, path: String, page_token: String }
}

/// The store and the path under it for a run's artifact `relative` path: proxied roots
/// (`mlflow-artifacts:/…`) live under the artifacts destination, `s3://…` roots are read
/// from S3 directly (MLflow's server does the same with boto3).
async fn run_location(
    st: &AppState,
    run_id: &str,
    relative: Option<&RelPath>,
) -> Result<(std::sync::Arc<dyn ArtifactStore>, RelPath, String)> {
    let run = st.store.get_run_row(run_id).await?;
    let root = run.artifact_uri.unwrap_or_default();
    let (store, dest) = root_location(st, &root, relative)?;
    Ok((store, dest, root))
}

/// The store and path for `relative` under an artifact root (a run's or a logged model's).
pub(crate) fn root_location(
    st: &AppState,
    root: &str,
    relative: Option<&RelPath>,
) -> Result<(std::sync::Arc<dyn ArtifactStore>, RelPath)> {
    let invalid =
        |e: crate::artifacts::path::PathError| MlflowError::invalid_parameter_value(e.message);
    if crate::artifacts::path::is_proxied_artifact_root(root) {
        if let Some(store) = &st.artifacts {
            let dest = proxied_artifact_destination(root, relative).map_err(invalid)?;
            return Ok((store.clone(), dest));
        }
    } else if crate::uri::split_scheme(root).is_some_and(|(s, _)| s.eq_ignore_ascii_case("s3")) {
        let (bucket, prefix) = crate::artifacts::path::s3_root(root).map_err(invalid)?;
        let store: std::sync::Arc<dyn ArtifactStore> =
            std::sync::Arc::new(st.s3.store(&bucket, &prefix));
        return Ok((store, relative.cloned().unwrap_or_else(RelPath::root)));
    }
    Err(MlflowError::new(
        ErrorCode::NOT_IMPLEMENTED,
        format!(
            "mlflowd does not read artifacts from '{root}': only proxied \
             (mlflow-artifacts) roots served by this server and s3:// roots are supported."
        ),
    ))
}

/// The listing of `dest` with paths relative to the root the client named (`relative`).
pub(crate) async fn list_under(
    store: &dyn ArtifactStore,
    dest: &RelPath,
    relative: Option<&RelPath>,
) -> Result<Vec<FileInfoMsg>> {
    let dir = Some(dest).filter(|d| !d.is_empty());
    let prefix = relative.map(|r| r.as_str().to_owned()).unwrap_or_default();
    Ok(store
        .list(dir)
        .await?
        .into_iter()
        .map(|f| {
            let base = f.path.rsplit('/').next().unwrap_or("").to_owned();
            FileInfoMsg {
                path: if prefix.is_empty() {
                    base
                } else {
                    format!("{prefix}/{base}")
                },
                is_dir: f.is_dir,
                file_size: f.file_size.filter(|s| *s != 0),
            }
        })
        .collect())
}

/// A file as `_send_artifact` sends it: attachment, `Range` honoured with Werkzeug's rules.
pub(crate) async fn send_file(
    store: &dyn ArtifactStore,
    dest: &RelPath,
    relative: &RelPath,
    headers: &HeaderMap,
) -> Result<Response> {
    let range = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(ByteRange::parse);
    let result = match range {
        Some(None) => store
            .get(dest, None)
            .await
            .and_then(|d| Err(ArtifactError::RangeNotSatisfiable(d.size))),
        Some(Some(r)) => store.get(dest, Some(r)).await,
        None => store.get(dest, None).await,
    };
    match result {
        Ok(download) => Ok(file_response(download, relative.file_name().unwrap_or(""))),
        Err(ArtifactError::RangeNotSatisfiable(size)) => Ok((
            axum::http::StatusCode::RANGE_NOT_SATISFIABLE,
            [(header::CONTENT_RANGE, format!("bytes */{size}"))],
        )
            .into_response()),
        // `posixpath.join(root, "")` ends in a slash, and MLflow's message shows it.
        Err(ArtifactError::IsDirectory(p)) if relative.is_empty() => {
            Err(ArtifactError::IsDirectory(format!("{p}/")).into())
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    serde_urlencoded::from_str(query.unwrap_or("")).unwrap_or_default()
}

pub(crate) fn first<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// GET /mlflow/artifacts/list
pub async fn list_artifacts(
    State(st): State<AppState>,
    req: Proto<ListArtifacts>,
) -> Result<Json<ListArtifactsResponse>> {
    req.check(&[
        ("run_id", &[Str, Required]),
        ("path", &[Str]),
        ("page_token", &[Str]),
    ])?;
    let m = req.msg;
    let relative = match m.path.as_deref() {
        Some(p) => Some(safe(p)?),
        None => None,
    };
    let run_id = crate::api::runs::run_id_or_uuid(m.run_id, m.run_uuid);
    let (store, dest, root) = run_location(&st, &run_id, relative.as_ref()).await?;
    let files = list_under(store.as_ref(), &dest, relative.as_ref()).await?;
    Ok(Json(ListArtifactsResponse {
        root_uri: Some(root),
        files,
    }))
}

/// GET /get-artifact?run_id=…&path=… (the UI's download; `Range` supported)
pub async fn get_artifact(
    State(st): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let result: Result<Response> = async {
        let pairs = query_pairs(query.as_deref());
        // MLflow formats a missing id as Python's None ("Run with id=None not found").
        let run_id = first(&pairs, "run_id")
            .filter(|r| !r.is_empty())
            .or_else(|| first(&pairs, "run_uuid").filter(|r| !r.is_empty()))
            .unwrap_or("None")
            .to_owned();
        let path = first(&pairs, "path").ok_or_else(|| {
            MlflowError::invalid_parameter_value("Missing value for required parameter 'path'.")
        })?;
        let relative = safe(path)?;
        let (store, dest, _) = run_location(&st, &run_id, Some(&relative)).await?;
        send_file(store.as_ref(), &dest, &relative, &headers).await
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

/// POST /ajax-api/2.0/mlflow/upload-artifact?run_uuid=…&path=… (raw body, at most 10 MB)
pub async fn upload_artifact(
    State(st): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response> {
    // Read the (small) body before any check can answer: a response sent while the body is
    // still unread makes hyper drop the keep-alive connection, and a client that reuses it
    // sees "connection closed" instead of the error. The checks keep MLflow's order.
    let too_large =
        || MlflowError::invalid_parameter_value("Artifact size is too large. Max size is 10MB.");
    let data = axum::body::to_bytes(body, MAX_UI_UPLOAD).await;
    let pairs = query_pairs(query.as_deref());
    let run_uuid = first(&pairs, "run_uuid")
        .filter(|r| !r.is_empty())
        .ok_or_else(|| MlflowError::invalid_parameter_value("Request must specify run_uuid."))?;
    let path = first(&pairs, "path")
        .filter(|p| !p.is_empty())
        .ok_or_else(|| MlflowError::invalid_parameter_value("Request must specify path."))?;
    let relative = safe(path)?;
    let data: Bytes = data.map_err(|_| too_large())?;
    // Flask parses form bodies into `request.form`, leaving `request.data` empty.
    let mime = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let is_form = mime == "application/x-www-form-urlencoded" || mime == "multipart/form-data";
    if data.is_empty() || is_form {
        return Err(MlflowError::invalid_parameter_value(
            "Request must specify data.",
        ));
    }
    let (store, dest, _) = run_location(&st, run_uuid, Some(&relative)).await?;
    let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(data) });
    store.put(&dest, Box::pin(stream)).await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], "").into_response())
}

//! `GET /api/3.0/mlflow/server-info` (`build_server_info_payload`, `mlflow/server/handlers.py`):
//! what the client and the UI may use. Every flag says what mlflowd really does.

use axum::extract::State;
use axum::response::{IntoResponse, Response};

use crate::app::AppState;
use serde_json::json;

/// GET /api/3.0/mlflow/server-info
pub async fn get_server_info(State(st): State<AppState>) -> Response {
    // MLflow advertises presigned transfers whenever its destination is S3, and 3.x clients
    // then send every download and large upload to the S3 endpoint directly, which breaks
    // when that endpoint is cluster-internal (MinIO behind a Service). mlflowd streams through
    // itself unless the operator says clients can reach S3 (`--s3-presigned-urls`).
    let presigned = st.presigned_urls
        && st
            .artifacts
            .as_ref()
            .is_some_and(|a| a.supports_multipart());
    // Compact JSON, as FastAPI's JSONResponse writes it.
    let body = json!({
        "store_type": if st.artifacts_only { serde_json::Value::Null } else { json!("SqlStore") },
        "workspaces_enabled": false,
        "trace_archival_enabled": false,
        "multipart_uploads_enabled": presigned,
        "multipart_downloads_enabled": presigned,
        "presigned_upload_run_id_supported": false,
        "presigned_upload_model_id_supported": false,
        "features_enabled": {"gateway": false},
    });
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

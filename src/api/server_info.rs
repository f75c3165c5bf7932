//! `GET /api/3.0/mlflow/server-info` (`build_server_info_payload`, `mlflow/server/handlers.py`):
//! what the client and the UI may use. Every flag says what mlflowd really does.

use axum::response::{IntoResponse, Response};
use serde_json::json;

/// GET /api/3.0/mlflow/server-info
pub async fn get_server_info() -> Response {
    // Compact JSON, as FastAPI's JSONResponse writes it.
    let body = json!({
        "store_type": "SqlStore",
        "workspaces_enabled": false,
        "trace_archival_enabled": false,
        // Proxied uploads are single streamed PUTs; no presigned multipart yet.
        "multipart_uploads_enabled": false,
        "multipart_downloads_enabled": false,
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

//! `/health` and `/version` (`mlflow/server/__init__.py`).

use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::app::AppState;

/// The MLflow release whose API mlflowd serves; clients read it from `/version`.
pub const MLFLOW_VERSION: &str = "3.17.2";

/// GET /health: MLflow's plain "OK", and a readiness answer for orchestrators: 503 once shutdown
/// has begun or when the database does not answer within 2 s.
pub async fn health(State(st): State<AppState>) -> Response {
    if st.shutting_down.load(Ordering::Relaxed) {
        return (StatusCode::SERVICE_UNAVAILABLE, "shutting down").into_response();
    }
    match tokio::time::timeout(Duration::from_secs(2), st.store.ping()).await {
        Ok(Ok(())) => "OK".into_response(),
        Ok(Err(e)) => {
            tracing::warn!(error = %e.message, "health: database check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response(),
    }
}

/// GET /version
pub async fn version() -> ([(axum::http::HeaderName, &'static str); 1], &'static str) {
    (
        [(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")],
        MLFLOW_VERSION,
    )
}

//! `/health` and `/version` (`mlflow/server/__init__.py`).

/// The MLflow release whose API mlflowd serves; clients read it from `/version`.
pub const MLFLOW_VERSION: &str = "3.17.2";

/// GET /health
pub async fn health() -> &'static str {
    "OK"
}

/// GET /version
pub async fn version() -> ([(axum::http::HeaderName, &'static str); 1], &'static str) {
    (
        [(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")],
        MLFLOW_VERSION,
    )
}

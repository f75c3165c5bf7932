//! Building the application (shared by `main` and the tests), separate from serving it.

use std::sync::Arc;

use axum::http::{header, HeaderValue};
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnFailure, TraceLayer};

use crate::store::Store;

/// Everything a handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<Store>,
    /// The proxied artifact store (`--artifacts-destination`); `None` when artifacts are not
    /// served (`--no-serve-artifacts`).
    pub artifacts: Option<Arc<dyn crate::artifacts::ArtifactStore>>,
    /// Locations the server itself was configured with (`--default-artifact-root`,
    /// `--artifacts-destination`): hosts in them are trusted in client-supplied URIs.
    pub trusted_artifact_roots: Arc<Vec<String>>,
    /// The shared S3 client, for an S3 destination and for runs whose root is `s3://…`.
    pub s3: Arc<crate::artifacts::s3::S3Connector>,
    /// Whether server-info advertises presigned multipart transfers (`--s3-presigned-urls`).
    pub presigned_urls: bool,
    /// `--artifacts-only`: tracking routes answer 503, only the artifact service works.
    pub artifacts_only: bool,
    /// Set when SIGTERM arrives: `/health` then reports 503 while in-flight requests finish.
    pub shutting_down: Arc<std::sync::atomic::AtomicBool>,
    /// The built MLflow UI (`--ui-dir`); `None` serves a page saying how to get it.
    pub ui_dir: Option<Arc<std::path::PathBuf>>,
}

impl AppState {
    pub fn trusted_roots(&self) -> Vec<&str> {
        self.trusted_artifact_roots
            .iter()
            .map(String::as_str)
            .collect()
    }
}

/// The router with every route, under `static_prefix` when one is set.
pub fn app(state: AppState, static_prefix: Option<&str>) -> Router {
    let ui_dir = state.ui_dir.clone();
    let ui_dir = ui_dir.as_deref().map(|p| p.as_path());
    let index = crate::api::ui::index(ui_dir);
    let routes = crate::api::routes::router(state.artifacts_only, ui_dir);
    let routes = match static_prefix {
        // The UI page lives at `<prefix>/` (nesting cannot express the trailing slash).
        // `/health` also answers unprefixed, so a probe that does not know the prefix works
        // (MLflow serves it under the prefix only, a common cause of failing probes).
        Some(prefix) => Router::new()
            .nest(prefix, routes)
            .route(&format!("{prefix}/"), index)
            .route(prefix, crate::api::ui::redirect_to_slash(prefix))
            .route("/health", axum::routing::get(crate::api::health::health))
            .fallback(crate::api::routes::endpoint_not_found),
        None => routes.route("/", index),
    }
    .with_state(state);
    routes
        // MLflow's security middleware sends this on every response, errors included.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        // Failures are logged where they happen, with their cause (error.rs, artifacts);
        // tower-http's generic ERROR line for every 5xx, intended 501/503 answers included,
        // only repeated them without context.
        .layer(
            TraceLayer::new_for_http()
                .on_failure(DefaultOnFailure::new().level(tracing::Level::DEBUG)),
        )
}

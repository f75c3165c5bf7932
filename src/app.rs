//! Building the application (shared by `main` and the tests), separate from serving it.

use std::sync::Arc;

use axum::middleware::from_fn_with_state;
use axum::Router;
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

/// The router with every route, under `static_prefix` when one is set, behind MLflow's
/// security middleware unless `security` is `None` (`--disable-security-middleware`).
pub fn app(
    state: AppState,
    static_prefix: Option<&str>,
    security: Option<Arc<crate::api::security::Security>>,
) -> Router {
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
    // Host check, CORS, nosniff and X-Frame-Options, on the full path (prefix included). As
    // the router's only (fallback) service it runs before routing, as MLflow's ASGI middleware
    // does: `Router::layer` would wrap each route, inside the method dispatch.
    let routes = match security {
        Some(sec) => Router::new()
            .fallback_service(routes)
            .layer(from_fn_with_state(sec, crate::api::security::security)),
        None => routes,
    };
    routes
        // Failures are logged where they happen, with their cause (error.rs, artifacts);
        // tower-http's generic ERROR line for every 5xx, intended 501/503 answers included,
        // only repeated them without context.
        .layer(
            TraceLayer::new_for_http()
                .on_failure(DefaultOnFailure::new().level(tracing::Level::DEBUG)),
        )
}

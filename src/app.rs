//! Building the application (shared by `main` and the tests), separate from serving it.

use std::sync::Arc;

use axum::Router;
use tower_http::trace::TraceLayer;

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
    let routes = crate::api::routes::router().with_state(state);
    let routes = match static_prefix {
        Some(prefix) => Router::new().nest(prefix, routes),
        None => routes,
    };
    routes.layer(TraceLayer::new_for_http())
}

//! Building the application (shared by `main` and the tests), separate from serving it.

use std::sync::Arc;

use axum::Router;
use tower_http::trace::TraceLayer;

use crate::store::Store;

/// Everything a handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<Store>,
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

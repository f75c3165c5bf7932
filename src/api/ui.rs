//! The official MLflow web UI: `GET /` is its `index.html`, `GET /static-files/<path>` its
//! built assets (`serve` and `serve_static_file` in `mlflow/server/__init__.py`). The files come
//! from the `mlflow` wheel (`scripts/fetch-ui.py`), not from this repository. The UI refers to
//! everything relatively and routes with `#/…`, so it works under `--static-prefix` as is.

use std::path::{Path, PathBuf};

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{any, get, get_service, MethodRouter};
use axum::Router;
use tower_http::services::ServeFile;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::app::AppState;

/// Where `mlflowd server` looks for the UI when `--ui-dir` is not given, in order: beside the
/// working directory (where `scripts/fetch-ui.py` puts it by default) and the image's location.
pub const DEFAULT_UI_DIRS: [&str; 2] = ["mlflow-ui", "/usr/share/mlflowd/ui"];

/// Flask's `send_from_directory(..., max_age=2419200)` for the hashed assets.
const STATIC_CACHE_CONTROL: &str = "public, max-age=2419200";

/// `--ui-dir`, else the first default location holding an `index.html`.
pub fn resolve_ui_dir(flag: Option<&Path>) -> Option<PathBuf> {
    match flag {
        Some(dir) => Some(dir.to_path_buf()),
        None => DEFAULT_UI_DIRS
            .iter()
            .map(PathBuf::from)
            .find(|d| d.join("index.html").is_file()),
    }
}

fn usable(ui_dir: Option<&Path>) -> Option<&Path> {
    ui_dir.filter(|d| d.join("index.html").is_file())
}

/// `/static-files/…`, the UI's assets, from `ui_dir`.
pub fn static_files(ui_dir: Option<&Path>) -> Router<AppState> {
    let Some(dir) = usable(ui_dir) else {
        return Router::new().route("/static-files/{*path}", get(not_found));
    };
    let assets = tower_http::services::ServeDir::new(dir)
        .append_index_html_on_directories(false)
        .not_found_service(get(not_found).with_state(()));
    Router::new().nest_service(
        "/static-files",
        tower::ServiceBuilder::new()
            .layer(SetResponseHeaderLayer::overriding(
                header::CACHE_CONTROL,
                HeaderValue::from_static(STATIC_CACHE_CONTROL),
            ))
            .service(assets),
    )
}

/// The UI's `index.html` (served at `/`, or at `<prefix>/`), or a page saying how to get it.
pub fn index(ui_dir: Option<&Path>) -> MethodRouter<AppState> {
    let Some(dir) = usable(ui_dir) else {
        return get(missing_ui);
    };
    get_service(
        tower::ServiceBuilder::new()
            // Flask sends the page with `no-cache`: a new release's assets show up at once.
            .layer(SetResponseHeaderLayer::overriding(
                header::CACHE_CONTROL,
                HeaderValue::from_static("no-cache"),
            ))
            .layer(SetResponseHeaderLayer::overriding(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ))
            .service(ServeFile::new(dir.join("index.html"))),
    )
}

/// `<prefix>` without its slash: Werkzeug's 308 to `<prefix>/`. The page must be loaded from
/// `<prefix>/`, since its asset URLs are relative to it.
pub fn redirect_to_slash(prefix: &str) -> MethodRouter<AppState> {
    let target = format!("{prefix}/");
    any(move |uri: axum::http::Uri| {
        let target = match uri.query() {
            Some(q) => format!("{target}?{q}"),
            None => target.clone(),
        };
        async move { Redirect::permanent(&target) }
    })
}

async fn not_found() -> Response {
    crate::api::routes::endpoint_not_found().await
}

/// MLflow answers a source install without the built UI with a plain explanation; so do we,
/// saying how to fetch the files. The API keeps working.
async fn missing_ui() -> Response {
    (
        StatusCode::OK,
        Html(
            "<!doctype html>\n<title>mlflowd</title>\n<h1>The MLflow UI files are not installed\
             </h1>\n<p>mlflowd serves the official MLflow web UI from the files of the \
             <code>mlflow</code> wheel. Fetch them with <code>python3 scripts/fetch-ui.py \
             [DIR]</code> (from the mlflowd repository; default <code>./mlflow-ui</code>) and \
             start the server with <code>--ui-dir DIR</code> (or <code>MLFLOWD_UI_DIR</code>) \
             unless it is in a default location (<code>./mlflow-ui</code>, \
             <code>/usr/share/mlflowd/ui</code>).</p>\n<p>The REST API works without them.</p>\n",
        ),
    )
        .into_response()
}

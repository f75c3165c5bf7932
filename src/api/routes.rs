//! Every endpoint, one line each. MLflow registers each RPC under `/api/2.0` and
//! `/ajax-api/2.0` (`_get_paths` in `mlflow/server/handlers.py`); one loop does the same here,
//! and `--static-prefix` nests the whole router.

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{from_fn, from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, delete, get, patch, post, MethodRouter};
use axum::Router;
use tracing::Instrument;

use crate::api::op::Op;
use crate::api::{
    artifacts, experiments as exp, health, logged_models as lm, metrics, registry as reg,
    run_artifacts, runs, server_info, ui_support as uis,
};
use crate::app::AppState;

/// `(operation, path under /api/2.0, handler)`.
#[rustfmt::skip]
fn rpc_routes() -> Vec<(Op, &'static str, MethodRouter<AppState>)> {
    vec![
        (Op::CreateExperiment, "/mlflow/experiments/create", post(exp::create_experiment)),
        (Op::GetExperiment, "/mlflow/experiments/get", get(exp::get_experiment)),
        (Op::GetExperimentByName, "/mlflow/experiments/get-by-name", get(exp::get_experiment_by_name)),
        (Op::SearchExperiments, "/mlflow/experiments/search", post(exp::search_experiments).get(exp::search_experiments)),
        (Op::DeleteExperiment, "/mlflow/experiments/delete", post(exp::delete_experiment)),
        (Op::RestoreExperiment, "/mlflow/experiments/restore", post(exp::restore_experiment)),
        (Op::UpdateExperiment, "/mlflow/experiments/update", post(exp::update_experiment)),
        (Op::SetExperimentTag, "/mlflow/experiments/set-experiment-tag", post(exp::set_experiment_tag)),
        (Op::DeleteExperimentTag, "/mlflow/experiments/delete-experiment-tag", post(exp::delete_experiment_tag)),
        (Op::CreateRun, "/mlflow/runs/create", post(runs::create_run)),
        (Op::GetRun, "/mlflow/runs/get", get(runs::get_run)),
        (Op::UpdateRun, "/mlflow/runs/update", post(runs::update_run)),
        (Op::DeleteRun, "/mlflow/runs/delete", post(runs::delete_run)),
        (Op::RestoreRun, "/mlflow/runs/restore", post(runs::restore_run)),
        (Op::SearchRuns, "/mlflow/runs/search", post(runs::search_runs)),
        (Op::LogMetric, "/mlflow/runs/log-metric", post(runs::log_metric)),
        (Op::LogParam, "/mlflow/runs/log-parameter", post(runs::log_param)),
        (Op::LogBatch, "/mlflow/runs/log-batch", post(runs::log_batch)),
        (Op::SetTag, "/mlflow/runs/set-tag", post(runs::set_tag)),
        (Op::DeleteTag, "/mlflow/runs/delete-tag", post(runs::delete_tag)),
        (Op::LogInputs, "/mlflow/runs/log-inputs", post(runs::log_inputs)),
        (Op::LogOutputs, "/mlflow/runs/outputs", post(runs::log_outputs)),
        (Op::LogModel, "/mlflow/runs/log-model", post(runs::log_model)),
        (Op::GetMetricHistory, "/mlflow/metrics/get-history", get(metrics::get_metric_history)),
        (Op::GetMetricHistoryBulkInterval, "/mlflow/metrics/get-history-bulk-interval", get(metrics::get_metric_history_bulk_interval)),
        (Op::ListArtifacts, "/mlflow/artifacts/list", get(run_artifacts::list_artifacts)),
        (Op::CreateLoggedModel, "/mlflow/logged-models", post(lm::create_logged_model)),
        (Op::SearchLoggedModels, "/mlflow/logged-models/search", post(lm::search_logged_models).get(lm::get_logged_model_named_search).patch(lm::finalize_logged_model).delete(lm::delete_logged_model_named_search)),
        (Op::LoggedModel, "/mlflow/logged-models/{model_id}", get(lm::get_logged_model).patch(lm::finalize_logged_model).delete(lm::delete_logged_model)),
        (Op::SetLoggedModelTags, "/mlflow/logged-models/{model_id}/tags", patch(lm::set_logged_model_tags)),
        (Op::DeleteLoggedModelTag, "/mlflow/logged-models/{model_id}/tags/{tag_key}", delete(lm::delete_logged_model_tag)),
        (Op::LogLoggedModelParams, "/mlflow/logged-models/{model_id}/params", post(lm::log_logged_model_params)),
        (Op::ListLoggedModelArtifacts, "/mlflow/logged-models/{model_id}/artifacts/directories", get(lm::list_logged_model_artifacts)),
        (Op::CreateRegisteredModel, "/mlflow/registered-models/create", post(reg::create_registered_model)),
        (Op::RenameRegisteredModel, "/mlflow/registered-models/rename", post(reg::rename_registered_model)),
        (Op::UpdateRegisteredModel, "/mlflow/registered-models/update", patch(reg::update_registered_model)),
        (Op::DeleteRegisteredModel, "/mlflow/registered-models/delete", delete(reg::delete_registered_model)),
        (Op::GetRegisteredModel, "/mlflow/registered-models/get", get(reg::get_registered_model)),
        (Op::SearchRegisteredModels, "/mlflow/registered-models/search", get(reg::search_registered_models)),
        (Op::GetLatestVersions, "/mlflow/registered-models/get-latest-versions", post(reg::get_latest_versions).get(reg::get_latest_versions)),
        (Op::SetRegisteredModelTag, "/mlflow/registered-models/set-tag", post(reg::set_registered_model_tag)),
        (Op::DeleteRegisteredModelTag, "/mlflow/registered-models/delete-tag", delete(reg::delete_registered_model_tag)),
        (Op::RegisteredModelAlias, "/mlflow/registered-models/alias", post(reg::set_registered_model_alias).delete(reg::delete_registered_model_alias).get(reg::get_model_version_by_alias)),
        (Op::CreateModelVersion, "/mlflow/model-versions/create", post(reg::create_model_version)),
        (Op::UpdateModelVersion, "/mlflow/model-versions/update", patch(reg::update_model_version)),
        (Op::TransitionModelVersionStage, "/mlflow/model-versions/transition-stage", post(reg::transition_model_version_stage)),
        (Op::DeleteModelVersion, "/mlflow/model-versions/delete", delete(reg::delete_model_version)),
        (Op::GetModelVersion, "/mlflow/model-versions/get", get(reg::get_model_version)),
        (Op::SearchModelVersions, "/mlflow/model-versions/search", get(reg::search_model_versions)),
        (Op::GetModelVersionDownloadUri, "/mlflow/model-versions/get-download-uri", get(reg::get_model_version_download_uri)),
        (Op::SetModelVersionTag, "/mlflow/model-versions/set-tag", post(reg::set_model_version_tag)),
        (Op::DeleteModelVersionTag, "/mlflow/model-versions/delete-tag", delete(reg::delete_model_version_tag)),
        // POST here starts a v2 trace: mlflowd writes no traces, so it stays a 404.
        (Op::SearchTraces, "/mlflow/traces", get(uis::deprecated_search_traces_v2).post(endpoint_not_found)),
    ]
}

/// `(operation, path under /api/3.0, handler)`: the GenAI searches the experiment pages make,
/// mounted under `/api/3.0` and `/ajax-api/3.0`.
#[rustfmt::skip]
fn rpc_v3_routes() -> Vec<(Op, &'static str, MethodRouter<AppState>)> {
    vec![
        (Op::SearchTracesV3, "/mlflow/traces/search", post(uis::search_traces_v3)),
        (Op::QueryTraceMetrics, "/mlflow/traces/metrics", post(uis::query_trace_metrics)),
        (Op::SearchIssues, "/mlflow/issues/search", post(uis::search_issues)),
        (Op::ListScorers, "/mlflow/scorers/list", get(uis::list_scorers)),
        (Op::SearchEvaluationDatasets, "/mlflow/datasets/search", post(uis::search_evaluation_datasets).get(uis::search_evaluation_datasets)),
    ]
}

/// `(operation, full path, handler)`: UI routes MLflow registers at one path only and keeps
/// serving with `--artifacts-only`. The assistant's are FastAPI routes: another method falls
/// through to Flask, which answers 404.
#[rustfmt::skip]
fn ui_routes() -> Vec<(Op, &'static str, MethodRouter<AppState>)> {
    vec![
        (Op::UiTelemetry, "/ajax-api/3.0/mlflow/ui-telemetry", get(uis::get_ui_telemetry).post(uis::post_ui_telemetry).fallback(method_not_allowed)),
        (Op::GetAssistantConfig, "/ajax-api/3.0/mlflow/assistant/config", get(uis::get_config).fallback(endpoint_not_found)),
        (Op::GetAssistantProviders, "/ajax-api/3.0/mlflow/assistant/providers", get(uis::get_providers).fallback(endpoint_not_found)),
        (Op::GatewayProxy, "/ajax-api/2.0/mlflow/gateway-proxy", get(uis::gateway_proxy).post(uis::gateway_proxy).fallback(method_not_allowed)),
    ]
}

/// Routes MLflow registers under `/ajax-api/2.0` only (used by the web UI).
#[rustfmt::skip]
fn ajax_only_routes() -> Vec<(Op, &'static str, MethodRouter<AppState>)> {
    vec![
        (Op::GetMetricHistoryBulk, "/mlflow/metrics/get-history-bulk", get(metrics::get_metric_history_bulk)),
        (Op::SearchDatasets, "/mlflow/experiments/search-datasets", post(exp::search_datasets)),
        (Op::UploadArtifact, "/mlflow/upload-artifact", post(run_artifacts::upload_artifact)),
        (Op::GetLoggedModelArtifact, "/mlflow/logged-models/{model_id}/artifacts/files", get(lm::get_logged_model_artifact)),
    ]
}

/// The proxied artifact service, under `/api/2.0` and `/ajax-api/2.0` like the RPCs.
#[rustfmt::skip]
fn artifact_routes() -> Vec<(Op, &'static str, MethodRouter<AppState>)> {
    vec![
        (Op::ListArtifactsMlflowArtifacts, "/mlflow-artifacts/artifacts", get(artifacts::list_artifacts_mlflow_artifacts)),
        (Op::DownloadArtifact, "/mlflow-artifacts/artifacts/{*path}", get(artifacts::download_artifact).put(artifacts::upload_artifact).delete(artifacts::delete_artifact)),
        (Op::CreateMultipartUpload, "/mlflow-artifacts/mpu/create/{*path}", post(artifacts::create_multipart_upload)),
        (Op::CompleteMultipartUpload, "/mlflow-artifacts/mpu/complete/{*path}", post(artifacts::complete_multipart_upload)),
        (Op::AbortMultipartUpload, "/mlflow-artifacts/mpu/abort/{*path}", post(artifacts::abort_multipart_upload)),
        (Op::GetPresignedDownloadUrl, "/mlflow-artifacts/presigned/{*path}", get(artifacts::get_presigned_download_url)),
    ]
}

/// The whole HTTP surface (API and UI), before `--static-prefix` is applied. With `artifacts_only`, every
/// tracking route answers MLflow's `--artifacts-only` 503 instead.
pub fn router(artifacts_only: bool, ui_dir: Option<&std::path::Path>) -> Router<AppState> {
    let tracking = |handler: MethodRouter<AppState>| {
        if artifacts_only {
            any(disabled_artifacts_only)
        } else {
            handler
        }
    };
    let mut router = Router::new()
        .route(
            "/health",
            get(health::health).layer(from_fn_with_state(Op::Health, record_op)),
        )
        .route(
            "/version",
            get(health::version).layer(from_fn_with_state(Op::Version, record_op)),
        )
        .route(
            "/get-artifact",
            tracking(get(run_artifacts::get_artifact))
                .layer(from_fn_with_state(Op::GetArtifact, record_op)),
        )
        .route(
            "/model-versions/get-artifact",
            tracking(get(reg::get_model_version_artifact))
                .layer(from_fn_with_state(Op::GetModelVersionArtifact, record_op)),
        )
        .route(
            "/graphql",
            tracking(
                post(crate::graphql::graphql)
                    .get(crate::graphql::graphql)
                    .fallback(method_not_allowed),
            )
            .layer(from_fn_with_state(Op::Graphql, record_op)),
        );
    for (op, path, handler) in rpc_routes() {
        // `any` answers every method through its fallback: set ours before it.
        let handler = tracking(handler.fallback(method_not_allowed))
            .layer(from_fn(read_body_first))
            .layer(from_fn_with_state(op, record_op));
        for prefix in ["/api/2.0", "/ajax-api/2.0"] {
            router = router.route(&format!("{prefix}{path}"), handler.clone());
        }
    }
    for (op, path, handler) in artifact_routes() {
        let handler = handler
            .fallback(method_not_allowed)
            .layer(from_fn_with_state(op, record_op));
        for prefix in ["/api/2.0", "/ajax-api/2.0"] {
            router = router.route(&format!("{prefix}{path}"), handler.clone());
        }
    }
    for prefix in ["/api/3.0", "/ajax-api/3.0"] {
        let handler = get(server_info::get_server_info)
            .layer(from_fn_with_state(Op::GetServerInfo, record_op));
        router = router.route(&format!("{prefix}/mlflow/server-info"), handler);
    }
    for (op, path, handler) in ajax_only_routes() {
        // `any` answers every method through its fallback: set ours before it.
        let handler = tracking(handler.fallback(method_not_allowed))
            .layer(from_fn(read_body_first))
            .layer(from_fn_with_state(op, record_op));
        router = router.route(&format!("/ajax-api/2.0{path}"), handler);
    }
    for (op, path, handler) in rpc_v3_routes() {
        let handler = tracking(handler.fallback(method_not_allowed))
            .layer(from_fn(read_body_first))
            .layer(from_fn_with_state(op, record_op));
        for prefix in ["/api/3.0", "/ajax-api/3.0"] {
            router = router.route(&format!("{prefix}{path}"), handler.clone());
        }
    }
    for (op, path, handler) in ui_routes() {
        let handler = handler
            .layer(from_fn(read_body_first))
            .layer(from_fn_with_state(op, record_op));
        router = router.route(path, handler);
    }
    router
        .merge(crate::api::ui::static_files(ui_dir))
        .fallback(endpoint_not_found)
}

/// RPC bodies are small JSON documents: read each one whole before the handler runs, so no
/// answer (an early error, a handler that ignores the body) leaves unread bytes behind, which
/// would make hyper drop the keep-alive connection under the client's next request.
async fn read_body_first(req: Request, next: Next) -> Response {
    const LIMIT: usize = 32 * 1024 * 1024;
    let (parts, body) = req.into_parts();
    match axum::body::to_bytes(body, LIMIT).await {
        Ok(bytes) => {
            next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
                .await
        }
        Err(_) => crate::error::MlflowError::invalid_parameter_value(
            "The request body could not be read.",
        )
        .into_response(),
    }
}

/// Runs the request inside a span named after its operation and logs the outcome.
async fn record_op(State(op): State<Op>, req: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let span = tracing::info_span!("rpc", op = op.name(), permission = ?op.permission());
    let response = next.run(req).instrument(span).await;
    tracing::debug!(
        op = op.name(),
        status = response.status().as_u16(),
        duration_ms = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}

/// `_disable_if_artifacts_only`: a plain 503 naming the Flask rule (here the request path,
/// which is the rule for every route it applies to).
async fn disabled_artifacts_only(uri: axum::extract::OriginalUri) -> Response {
    let body = format!(
        "Endpoint: {} disabled due to the mlflow server running in `--artifacts-only` mode. \
         To enable tracking server functionality, run `mlflow server` without \
         `--artifacts-only`",
        uri.path()
    );
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

/// Werkzeug's pages, byte for byte: MLflow answers unknown paths and wrong methods with
/// them, and the client maps a non-JSON 404 to ENDPOINT_NOT_FOUND (which drives its fallbacks).
const NOT_FOUND_HTML: &str = "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>\n";
const METHOD_NOT_ALLOWED_HTML: &str = "<!doctype html>\n<html lang=en>\n<title>405 Method Not Allowed</title>\n<h1>Method Not Allowed</h1>\n<p>The method is not allowed for the requested URL.</p>\n";

pub(crate) async fn endpoint_not_found() -> Response {
    html(StatusCode::NOT_FOUND, NOT_FOUND_HTML)
}

async fn method_not_allowed() -> Response {
    html(StatusCode::METHOD_NOT_ALLOWED, METHOD_NOT_ALLOWED_HTML)
}

fn html(status: StatusCode, body: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

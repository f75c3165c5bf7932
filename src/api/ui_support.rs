//! The UI-only endpoints the official web UI calls on every page and on the experiment pages,
//! answered as MLflow 3.17.2 answers them on a server that has none of the features behind them.
//!
//! * `ui-telemetry` and `gateway-proxy`: the Flask routes of `mlflow/server/__init__.py`
//!   (`get_ui_telemetry_handler`, `post_ui_telemetry_handler`, `gateway_proxy_handler` in
//!   `mlflow/server/handlers.py`), with telemetry disabled and no `MLFLOW_DEPLOYMENTS_TARGET`.
//! * `assistant/config` and `assistant/providers`: the FastAPI router of
//!   `mlflow/server/assistant/api.py`, with no assistant configured or available.
//! * The GenAI searches (`_search_traces_v3`, `_deprecated_search_traces_v2`,
//!   `_query_trace_metrics`, `_search_issues`, `_list_scorers`,
//!   `_search_evaluation_datasets_handler`). mlflowd stores no traces, assessments, issues,
//!   scorers or evaluation datasets and serves none of the routes that write them (they answer
//!   404), so every search here finds nothing. Each request is still checked as MLflow checks it
//!   (schema, max_results, experiment ids, page tokens, metric names), so a request MLflow refuses
//!   is refused here too. Not ported: the trace/dataset/issue filter and order_by grammars (an
//!   invalid filter is accepted and finds nothing), and the Python crashes MLflow answers with 500
//!   (non-integer location ids, bad percentile values), which are 400s here with MLflow's text.

use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::api::extract::{Check::*, Proto};
use crate::app::AppState;
use crate::error::{ErrorCode, MlflowError, Result};
use crate::proto_message;
use crate::store::runs::{search_error, validate_max_results};
use crate::validation::{parse_experiment_id, py_float_str, py_int, py_str_repr};
use crate::wire::proto::{ParseError, ProtoValue, Repeated};
use crate::wire::tracking::enum_field;
use crate::wire::{Empty, Json};

// ---------------------------------------------------------------------------------------------
// Fixed answers, byte for byte. Flask's `jsonify` writes compact JSON with sorted keys and a
// trailing newline; FastAPI's `JSONResponse` writes compact JSON in field order, no newline.

/// `FALLBACK_UI_CONFIG` (`mlflow/telemetry/constant.py`) as `jsonify` writes it.
const UI_TELEMETRY_DISABLED: &str =
    "{\"disable_ui_events\":[],\"disable_ui_telemetry\":true,\"ui_rollout_percentage\":0}\n";
const UI_TELEMETRY_RECORDS_DISABLED: &str = "{\"status\":\"disabled\"}\n";
/// `ConfigResponse()` when no `~/.mlflow/assistant/config.json` exists and neither the `claude`
/// nor the `codex` CLI is installed.
const ASSISTANT_CONFIG: &str = "{\"providers\":{},\"projects\":{},\"remote_access_allowed\":false}";
/// `ProvidersResponse` with no provider at all. MLflow lists its four built-in providers and
/// auto-selects Ollama (whose availability it never checks), which makes the UI offer a chat
/// that needs `assistant/message`; mlflowd runs no assistant, so it lists none and resolves
/// none, which the UI shows as "not set up", the same state it falls back to on an error.
const ASSISTANT_PROVIDERS: &str =
    "{\"providers\":[],\"resolved\":null,\"gateway_vendor_options\":{}}";
/// "Pretend an empty gateway service is running" (`gateway_proxy_handler`).
const GATEWAY_PROXY_EMPTY: &str = "{\"endpoints\":[]}\n";

fn fixed_json(body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// GET /ajax-api/3.0/mlflow/ui-telemetry. mlflowd never sends telemetry and never fetches
/// MLflow's remote telemetry config: it always answers as MLflow does with telemetry disabled
/// (`MLFLOW_DISABLE_TELEMETRY` / `DO_NOT_TRACK`), which tells the UI not to record events.
pub async fn get_ui_telemetry() -> Response {
    fixed_json(UI_TELEMETRY_DISABLED)
}

/// POST /ajax-api/3.0/mlflow/ui-telemetry: records the UI sends anyway are dropped, and the
/// answer tells it to stop (MLflow checks `is_telemetry_disabled()` before reading the body).
pub async fn post_ui_telemetry() -> Response {
    fixed_json(UI_TELEMETRY_RECORDS_DISABLED)
}

/// GET /ajax-api/3.0/mlflow/assistant/config
pub async fn get_config() -> Response {
    fixed_json(ASSISTANT_CONFIG)
}

/// GET /ajax-api/3.0/mlflow/assistant/providers
pub async fn get_providers() -> Response {
    fixed_json(ASSISTANT_PROVIDERS)
}

/// GET|POST /ajax-api/2.0/mlflow/gateway-proxy: mlflowd proxies to no deployments server
/// (`MLFLOW_DEPLOYMENTS_TARGET` is not read), so every call gets MLflow's answer for a server
/// without one, before any argument is looked at.
pub async fn gateway_proxy() -> Response {
    fixed_json(GATEWAY_PROXY_EMPTY)
}

// ---------------------------------------------------------------------------------------------
// Request messages (`service.proto`, `issues.proto`). Only the fields the checks read are
// declared; json_format ignores the others as unknown fields.

proto_message! { pub struct MlflowExperimentLocation { experiment_id: String } }
proto_message! { pub struct TraceLocation { mlflow_experiment: Box<MlflowExperimentLocation> } }
proto_message! {
    pub struct SearchTracesV3 {
        locations: Vec<Box<TraceLocation>>, filter: String, max_results: i32,
        order_by: Vec<String>, page_token: String,
    }
}
proto_message! {
    pub struct SearchTraces {
        experiment_ids: Vec<String>, filter: String, max_results: i32, order_by: Vec<String>,
        page_token: String,
    }
}
proto_message! { pub struct MetricAggregation { aggregation_type: AggregationType, percentile_value: f64 } }
proto_message! {
    pub struct QueryTraceMetrics {
        experiment_ids: Vec<String>, view_type: MetricViewType, metric_name: String,
        aggregations: Vec<Box<MetricAggregation>>, dimensions: Vec<String>, filters: Vec<String>,
        time_interval_seconds: i64, start_time_ms: i64, end_time_ms: i64, max_results: i32,
        page_token: String,
    }
}
proto_message! {
    pub struct SearchIssues {
        experiment_id: String, filter_string: String, max_results: i32, page_token: String,
        include_trace_count: bool,
    }
}
proto_message! { pub struct ListScorers { experiment_id: String, experiment_ids: Vec<String> } }
proto_message! {
    pub struct SearchEvaluationDatasets {
        experiment_ids: Vec<String>, filter_string: String, max_results: i32,
        order_by: Vec<String>, page_token: String,
    }
}

/// `MetricViewType`: TRACES = 1, SPANS = 2, ASSESSMENTS = 3 (unset reads as TRACES, proto2's
/// first value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricViewType {
    Traces,
    Spans,
    Assessments,
}

impl MetricViewType {
    const ALL: [MetricViewType; 3] = [
        MetricViewType::Traces,
        MetricViewType::Spans,
        MetricViewType::Assessments,
    ];
}

/// `AggregationType`: COUNT = 1, SUM, AVG, PERCENTILE, MIN, MAX (unset reads as COUNT).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AggregationType {
    Count,
    Sum,
    Avg,
    Percentile,
    Min,
    Max,
}

impl AggregationType {
    const ALL: [AggregationType; 6] = [
        AggregationType::Count,
        AggregationType::Sum,
        AggregationType::Avg,
        AggregationType::Percentile,
        AggregationType::Min,
        AggregationType::Max,
    ];

    fn name(self) -> &'static str {
        match self {
            AggregationType::Count => "COUNT",
            AggregationType::Sum => "SUM",
            AggregationType::Avg => "AVG",
            AggregationType::Percentile => "PERCENTILE",
            AggregationType::Min => "MIN",
            AggregationType::Max => "MAX",
        }
    }
}

impl ProtoValue for MetricViewType {
    fn from_json_field(v: &serde_json::Value) -> (Option<Self>, bool) {
        let by_number = |i: i64| {
            usize::try_from(i - 1)
                .ok()
                .and_then(|i| MetricViewType::ALL.get(i).copied())
        };
        let by_name = |s: &str| match s {
            "TRACES" => Some(MetricViewType::Traces),
            "SPANS" => Some(MetricViewType::Spans),
            "ASSESSMENTS" => Some(MetricViewType::Assessments),
            _ => None,
        };
        enum_field(v, by_number, by_name)
    }

    fn from_json(v: &serde_json::Value) -> std::result::Result<Self, ParseError> {
        match Self::from_json_field(v) {
            (Some(x), true) => Ok(x),
            _ => Err(ParseError),
        }
    }
}
impl Repeated for MetricViewType {}

impl ProtoValue for AggregationType {
    fn from_json_field(v: &serde_json::Value) -> (Option<Self>, bool) {
        let by_number = |i: i64| {
            usize::try_from(i - 1)
                .ok()
                .and_then(|i| AggregationType::ALL.get(i).copied())
        };
        let by_name = |s: &str| AggregationType::ALL.into_iter().find(|a| a.name() == s);
        enum_field(v, by_number, by_name)
    }

    fn from_json(v: &serde_json::Value) -> std::result::Result<Self, ParseError> {
        match Self::from_json_field(v) {
            (Some(x), true) => Ok(x),
            _ => Err(ParseError),
        }
    }
}
impl Repeated for AggregationType {}

// ---------------------------------------------------------------------------------------------
// Responses.

#[derive(Debug, Serialize)]
pub struct SearchIssuesResponse {
    /// Always written: the handler sets it to `issues.token or ""`.
    pub next_page_token: String,
}

#[derive(Debug, Serialize)]
pub struct MetricDataPoint {
    pub metric_name: String,
    pub values: CountValue,
}

/// The `values` map of a data point with no rows behind it: only COUNT is not NULL.
#[derive(Debug, Serialize)]
pub struct CountValue {
    #[serde(
        rename = "COUNT",
        serialize_with = "crate::wire::proto::serialize_double"
    )]
    pub count: f64,
}

#[derive(Debug, Serialize)]
pub struct QueryTraceMetricsResponse {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub data_points: Vec<MetricDataPoint>,
}

// ---------------------------------------------------------------------------------------------
// Handlers.

/// POST /api/3.0/mlflow/traces/search
pub async fn search_traces_v3(req: Proto<SearchTracesV3>) -> Result<Json<Empty>> {
    req.check(&[
        ("locations", &[Array, Required]),
        ("filter", &[Str]),
        ("max_results", &[IntLike, IntAtMost(500)]),
        ("order_by", &[Array, ItemTypeString]),
        ("page_token", &[Str]),
    ])?;
    let m = req.msg;
    let experiment_ids: Vec<String> = m
        .locations
        .unwrap_or_default()
        .into_iter()
        .filter_map(|l| l.mlflow_experiment)
        .map(|e| e.experiment_id.unwrap_or_default())
        .collect();
    let max_results = m.max_results.unwrap_or(100);
    check_search_traces(&experiment_ids, max_results, m.page_token.as_deref())?;
    Ok(Json(Empty {}))
}

/// GET /api/2.0/mlflow/traces (the deprecated v2 search the experiment page still calls)
pub async fn deprecated_search_traces_v2(req: Proto<SearchTraces>) -> Result<Json<Empty>> {
    req.check(&[
        ("experiment_ids", &[Array, ItemTypeString, Required]),
        ("filter", &[Str]),
        ("max_results", &[IntLike, IntAtMost(500)]),
        ("order_by", &[Array, ItemTypeString]),
        ("page_token", &[Str]),
    ])?;
    let m = req.msg;
    let max_results = m.max_results.unwrap_or(100);
    check_search_traces(
        &m.experiment_ids.unwrap_or_default(),
        max_results,
        m.page_token.as_deref(),
    )?;
    Ok(Json(Empty {}))
}

/// What `SqlAlchemyStore.search_traces` checks before its query: the locations
/// (`_resolve_experiment_ids_and_locations`), max_results, `int()` of each id, the page token.
fn check_search_traces(ids: &[String], max_results: i32, page_token: Option<&str>) -> Result<()> {
    let dotted: Vec<&str> = ids
        .iter()
        .map(String::as_str)
        .filter(|l| l.contains('.'))
        .collect();
    if !dotted.is_empty() {
        let mut listed = dotted.join(", ");
        if listed.chars().count() > 20 {
            listed = listed.chars().take(20).collect::<String>() + "...";
        }
        return Err(MlflowError::invalid_parameter_value(format!(
            "Locations must be a list of experiment IDs. Found invalid experiment IDs: {listed}."
        )));
    }
    validate_max_results(i64::from(max_results))?;
    for id in ids {
        // `int(e)` raises a ValueError MLflow answers with 500; the text is kept, as a 400.
        if py_int(id).is_none() {
            return Err(MlflowError::invalid_parameter_value(format!(
                "invalid literal for int() with base 10: {}",
                py_str_repr(id)
            )));
        }
    }
    crate::search::parse_start_offset_from_page_token(page_token).map_err(search_error)?;
    Ok(())
}

/// POST /api/3.0/mlflow/traces/metrics
pub async fn query_trace_metrics(
    req: Proto<QueryTraceMetrics>,
) -> Result<Json<QueryTraceMetricsResponse>> {
    req.check(&[
        ("experiment_ids", &[Array, Required, ItemTypeString]),
        ("view_type", &[Required]),
        ("metric_name", &[Str, Required]),
        ("aggregations", &[Array, Required]),
        ("dimensions", &[Array, ItemTypeString]),
        ("filters", &[Array, ItemTypeString]),
        ("time_interval_seconds", &[IntLike]),
        ("start_time_ms", &[IntLike]),
        ("end_time_ms", &[IntLike]),
        ("max_results", &[IntLike]),
        ("page_token", &[Str]),
    ])?;
    let m = req.msg;
    let aggregations = metric_aggregations(&m.aggregations.unwrap_or_default())?;
    let metric_name = m.metric_name.unwrap_or_default();
    let dimensions = m.dimensions.unwrap_or_default();
    validate_query_trace_metrics_params(
        m.view_type.unwrap_or(MetricViewType::Traces),
        &metric_name,
        &aggregations,
        &dimensions,
    )?;
    let interval = m.time_interval_seconds.filter(|s| *s != 0);
    if interval.is_some() && (m.start_time_ms.is_none() || m.end_time_ms.is_none()) {
        return Err(MlflowError::invalid_parameter_value(
            "start_time_ms and end_time_ms are required if time_interval_seconds is set",
        ));
    }
    for id in m.experiment_ids.unwrap_or_default() {
        parse_experiment_id(&id)?;
    }
    // With no rows, a grouped query (time buckets or dimensions) returns no row, and an
    // ungrouped one a single row where every aggregate but COUNT is NULL; a data point with no
    // value is dropped (`convert_results_to_metric_data_points`).
    let grouped = interval.is_some() || !dimensions.is_empty();
    if !grouped && aggregations.is_empty() {
        // SQLAlchemy refuses a SELECT without columns; MLflow reports it as BAD_REQUEST.
        return Err(MlflowError::new(
            ErrorCode::BAD_REQUEST,
            "Query contains no columns with which to SELECT from.",
        ));
    }
    let mut data_points = Vec::new();
    let has_count = aggregations.contains(&AggregationType::Count);
    if !grouped && has_count && m.max_results.unwrap_or(1000) != 0 {
        data_points.push(MetricDataPoint {
            metric_name,
            values: CountValue { count: 0.0 },
        });
    }
    Ok(Json(QueryTraceMetricsResponse { data_points }))
}

/// `MetricAggregation.from_proto` for each aggregation (its `__post_init__` checks).
fn metric_aggregations(aggs: &[Box<MetricAggregation>]) -> Result<Vec<AggregationType>> {
    let mut out = Vec::with_capacity(aggs.len());
    for agg in aggs {
        let kind = agg.aggregation_type.unwrap_or(AggregationType::Count);
        let message = match (kind, agg.percentile_value) {
            (AggregationType::Percentile, None) => {
                Some("Percentile value is required for PERCENTILE aggregation".to_owned())
            }
            // `p > 100 or p < 0`: NaN passes, as in Python.
            (AggregationType::Percentile, Some(p))
                if !(p.is_nan() || (0.0..=100.0).contains(&p)) =>
            {
                Some(format!(
                    "Percentile value must be between 0 and 100, got {}",
                    py_float_str(p)
                ))
            }
            (AggregationType::Percentile, Some(_)) | (_, None) => None,
            (other, Some(_)) => Some(format!(
                "Percentile value is only allowed for PERCENTILE aggregation type, got {}",
                other.name()
            )),
        };
        if let Some(message) = message {
            // A ValueError MLflow answers with a 500 page; the text is kept, as a 400.
            return Err(MlflowError::invalid_parameter_value(message));
        }
        out.push(kind);
    }
    Ok(out)
}

/// `(metric, aggregation types, dimensions)` per view, in MLflow's order: `VIEW_TYPE_CONFIGS`
/// (`mlflow/store/tracking/utils/sql_trace_metrics_utils.py`).
type MetricConfig = (
    &'static str,
    &'static [AggregationType],
    &'static [&'static str],
);

const STATS: &[AggregationType] = {
    use AggregationType::*;
    &[Sum, Avg, Min, Max, Percentile]
};
const DISTRIBUTION: &[AggregationType] = {
    use AggregationType::*;
    &[Avg, Min, Max, Percentile]
};
const COUNT: &[AggregationType] = &[AggregationType::Count];
const TRACE_NAME: &[&str] = &["trace_name"];
const SPAN_MODEL: &[&str] = &["span_model_name", "span_model_provider"];

const TRACES_METRICS: &[MetricConfig] = &[
    ("trace_count", COUNT, &["trace_name", "trace_status"]),
    ("session_count", COUNT, &[]),
    ("latency", DISTRIBUTION, TRACE_NAME),
    ("input_tokens", STATS, TRACE_NAME),
    ("output_tokens", STATS, TRACE_NAME),
    ("total_tokens", STATS, TRACE_NAME),
    ("cache_read_input_tokens", STATS, TRACE_NAME),
    ("cache_creation_input_tokens", STATS, TRACE_NAME),
];
const SPANS_METRICS: &[MetricConfig] = &[
    (
        "span_count",
        COUNT,
        &[
            "span_name",
            "span_type",
            "span_status",
            "span_model_name",
            "span_model_provider",
        ],
    ),
    ("latency", DISTRIBUTION, &["span_name", "span_status"]),
    ("input_cost", STATS, SPAN_MODEL),
    ("output_cost", STATS, SPAN_MODEL),
    ("total_cost", STATS, SPAN_MODEL),
];
const ASSESSMENTS_METRICS: &[MetricConfig] = &[
    (
        "assessment_count",
        COUNT,
        &["assessment_name", "assessment_value"],
    ),
    ("assessment_value", DISTRIBUTION, &["assessment_name"]),
];

/// Python's `repr` of a list of strings.
fn py_list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let items: Vec<String> = items.into_iter().map(py_str_repr).collect();
    format!("[{}]", items.join(", "))
}

/// `validate_query_trace_metrics_params`.
fn validate_query_trace_metrics_params(
    view_type: MetricViewType,
    metric_name: &str,
    aggregations: &[AggregationType],
    dimensions: &[String],
) -> Result<()> {
    let configs = match view_type {
        MetricViewType::Traces => TRACES_METRICS,
        MetricViewType::Spans => SPANS_METRICS,
        MetricViewType::Assessments => ASSESSMENTS_METRICS,
    };
    let Some((_, supported_aggs, supported_dims)) =
        configs.iter().find(|(name, _, _)| *name == metric_name)
    else {
        return Err(MlflowError::invalid_parameter_value(format!(
            "metric_name must be one of {}, got '{metric_name}'",
            py_list(configs.iter().map(|c| c.0))
        )));
    };
    let mut invalid_aggs: Vec<&str> = aggregations
        .iter()
        .filter(|a| !supported_aggs.contains(a))
        .map(|a| a.name())
        .collect();
    if !invalid_aggs.is_empty() {
        invalid_aggs.sort_unstable();
        invalid_aggs.dedup();
        let mut supported: Vec<&str> = supported_aggs.iter().map(|a| a.name()).collect();
        supported.sort_unstable();
        return Err(MlflowError::invalid_parameter_value(format!(
            "Found invalid aggregation_type(s): {}. Supported aggregation types: {}",
            py_list(invalid_aggs),
            py_list(supported)
        )));
    }
    let mut invalid_dims: Vec<&str> = dimensions
        .iter()
        .map(String::as_str)
        .filter(|d| !supported_dims.contains(d))
        .collect();
    if !invalid_dims.is_empty() {
        invalid_dims.sort_unstable();
        invalid_dims.dedup();
        let mut supported = supported_dims.to_vec();
        supported.sort_unstable();
        return Err(MlflowError::invalid_parameter_value(format!(
            "Found invalid dimension(s): {}. Supported dimensions: {}",
            py_list(invalid_dims),
            py_list(supported)
        )));
    }
    Ok(())
}

/// POST /api/3.0/mlflow/issues/search
pub async fn search_issues(req: Proto<SearchIssues>) -> Result<Json<SearchIssuesResponse>> {
    let m = req.msg;
    // `_validate_max_results_param(max_results, allow_null=True)`.
    if let Some(max_results) = m.max_results {
        validate_max_results(i64::from(max_results))?;
    }
    crate::search::parse_start_offset_from_page_token(m.page_token.as_deref())
        .map_err(search_error)?;
    if let Some(id) = m.experiment_id.filter(|id| !id.is_empty()) {
        parse_experiment_id(&id)?;
    }
    Ok(Json(SearchIssuesResponse {
        next_page_token: String::new(),
    }))
}

/// GET /api/3.0/mlflow/scorers/list
pub async fn list_scorers(
    State(st): State<AppState>,
    RawQuery(query): RawQuery,
    req: Proto<ListScorers>,
) -> Result<Json<Empty>> {
    req.check(&[
        ("experiment_id", &[Str]),
        ("experiment_ids", &[Array, ItemTypeString]),
    ])?;
    // `_raw_request_has_field`: on a GET, whether the query string names the field.
    let has_experiment_ids =
        query.is_some_and(|q| !q.is_empty()) && req.raw.contains_key("experiment_ids");
    let m = req.msg;
    let experiment_id = m.experiment_id.unwrap_or_default();
    if !experiment_id.is_empty() && has_experiment_ids {
        return Err(MlflowError::invalid_parameter_value(
            "Cannot specify both 'experiment_id' and 'experiment_ids'. Use 'experiment_ids' to \
             scope the query to multiple experiments, or 'experiment_id' to scope it to a single \
             experiment.",
        ));
    }
    if has_experiment_ids {
        let mut ids: Vec<String> = Vec::new();
        for id in m.experiment_ids.unwrap_or_default() {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        for id in &ids {
            validate_experiment_id(id)?;
        }
        // `filter_active_experiment_ids` parses them all before looking them up.
        for id in &ids {
            parse_experiment_id(id)?;
        }
    } else if !experiment_id.is_empty() {
        // `list_scorers`: the experiment must exist and be active.
        let row = st.store.get_experiment_row(&experiment_id).await?;
        crate::store::experiments::check_experiment_is_active(&row)?;
    }
    Ok(Json(Empty {}))
}

/// `_validate_experiment_id`: `^[a-zA-Z0-9][\w\-]{0,63}$` (Python's `$` also matches before a
/// final newline).
fn validate_experiment_id(id: &str) -> Result<()> {
    let body = id.strip_suffix('\n').unwrap_or(id);
    let mut chars = body.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && body.chars().count() <= 64
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    if ok {
        Ok(())
    } else {
        Err(MlflowError::invalid_parameter_value(format!(
            "Invalid experiment ID: '{id}'"
        )))
    }
}

/// POST|GET /api/3.0/mlflow/datasets/search
pub async fn search_evaluation_datasets(
    req: Proto<SearchEvaluationDatasets>,
) -> Result<Json<Empty>> {
    req.check(&[
        ("experiment_ids", &[Array]),
        ("filter_string", &[Str]),
        ("max_results", &[IntLike]),
        ("order_by", &[Array]),
        ("page_token", &[Str]),
    ])?;
    let m = req.msg;
    // The handler passes `max_results or None`, and the store refuses None.
    match m.max_results.unwrap_or(1000) {
        0 => {
            return Err(MlflowError::invalid_parameter_value(
                "Invalid value None for parameter 'max_results' supplied. It must be a positive \
                 integer",
            ))
        }
        max_results => validate_max_results(i64::from(max_results))?,
    }
    crate::search::parse_start_offset_from_page_token(m.page_token.as_deref())
        .map_err(search_error)?;
    Ok(Json(Empty {}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn experiment_id_pattern() {
        for ok in ["1", "abc", "a-b_c", "1\n", &"a".repeat(64)] {
            assert!(validate_experiment_id(ok).is_ok(), "{ok:?}");
        }
        for bad in ["", "-1", "_a", "a.b", "a b", &"a".repeat(65), "1\n\n"] {
            assert!(validate_experiment_id(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn metric_params_messages() {
        let err = validate_query_trace_metrics_params(MetricViewType::Traces, "bogus", &[], &[])
            .unwrap_err();
        assert_eq!(
            err.message,
            "metric_name must be one of ['trace_count', 'session_count', 'latency', \
             'input_tokens', 'output_tokens', 'total_tokens', 'cache_read_input_tokens', \
             'cache_creation_input_tokens'], got 'bogus'"
        );
        let err = validate_query_trace_metrics_params(
            MetricViewType::Traces,
            "latency",
            &[
                AggregationType::Count,
                AggregationType::Sum,
                AggregationType::Count,
            ],
            &[],
        )
        .unwrap_err();
        assert_eq!(
            err.message,
            "Found invalid aggregation_type(s): ['COUNT', 'SUM']. Supported aggregation types: \
             ['AVG', 'MAX', 'MIN', 'PERCENTILE']"
        );
        let dims = ["b".to_owned(), "a'".to_owned(), "b".to_owned()];
        let err = validate_query_trace_metrics_params(
            MetricViewType::Spans,
            "span_count",
            &[AggregationType::Count],
            &dims,
        )
        .unwrap_err();
        assert_eq!(
            err.message,
            "Found invalid dimension(s): [\"a'\", 'b']. Supported dimensions: ['span_model_name', \
             'span_model_provider', 'span_name', 'span_status', 'span_type']"
        );
    }

    #[test]
    fn percentile_checks() {
        let agg = |t, p| {
            Box::new(MetricAggregation {
                aggregation_type: Some(t),
                percentile_value: p,
            })
        };
        let msg = |aggs: Vec<_>| metric_aggregations(&aggs).unwrap_err().message;
        assert_eq!(
            msg(vec![agg(AggregationType::Percentile, Some(150.0))]),
            "Percentile value must be between 0 and 100, got 150.0"
        );
        assert_eq!(
            msg(vec![agg(AggregationType::Count, Some(5.0))]),
            "Percentile value is only allowed for PERCENTILE aggregation type, got COUNT"
        );
        assert!(metric_aggregations(&[agg(AggregationType::Percentile, Some(50.0))]).is_ok());
    }
}

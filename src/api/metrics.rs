//! Metric-history RPCs (`_get_metric_history`, `get_metric_history_bulk_interval_handler`,
//! `get_metric_history_bulk_handler` in `mlflow/server/handlers.py`).

use axum::extract::{RawQuery, State};

use crate::api::extract::{Check::*, Proto};
use crate::api::runs::run_id_or_uuid;
use crate::app::AppState;
use crate::error::{MlflowError, Result};
use crate::store::metrics::MAX_RESULTS_PER_RUN;
use crate::wire::tracking::{
    GetMetricHistory, GetMetricHistoryBulkInterval, MetricsResponse, MetricsWithRunIdResponse,
};
use crate::wire::Json;

/// `MAX_RUNS_GET_METRIC_HISTORY_BULK`.
const MAX_RUNS_PER_REQUEST: usize = 100;
/// `MAX_HISTORY_RESULTS` of the legacy bulk endpoint.
const MAX_HISTORY_RESULTS: i64 = 25000;

/// GET /mlflow/metrics/get-history
pub async fn get_metric_history(
    State(st): State<AppState>,
    req: Proto<GetMetricHistory>,
) -> Result<Json<MetricsResponse>> {
    req.check(&[
        ("run_id", &[Str, Required]),
        ("metric_key", &[Str, Required]),
        ("page_token", &[Str]),
    ])?;
    let m = req.msg;
    if let Some(max) = m.max_results.filter(|mx| *mx <= 0) {
        return Err(MlflowError::invalid_parameter_value(format!(
            "Invalid value {max} for parameter 'max_results' supplied. It must be a positive integer."
        )));
    }
    let page = st
        .store
        .get_metric_history(
            &run_id_or_uuid(m.run_id, m.run_uuid),
            &m.metric_key.unwrap_or_default(),
            m.max_results.map(i64::from),
            m.page_token.as_deref().filter(|t| !t.is_empty()),
        )
        .await?;
    Ok(Json(MetricsResponse {
        metrics: page.items,
        next_page_token: page.next_page_token,
    }))
}

/// GET /mlflow/metrics/get-history-bulk-interval
pub async fn get_metric_history_bulk_interval(
    State(st): State<AppState>,
    req: Proto<GetMetricHistoryBulkInterval>,
) -> Result<Json<MetricsWithRunIdResponse>> {
    req.check(&[("run_ids", &[Required, Array, ItemTypeString])])?;
    let count = req
        .raw
        .get("run_ids")
        .and_then(|v| v.as_array())
        .map_or(0, Vec::len);
    if count > MAX_RUNS_PER_REQUEST {
        return Err(MlflowError::invalid_parameter_value(format!(
            "GetMetricHistoryBulkInterval request must specify at most {MAX_RUNS_PER_REQUEST} run_ids. Received {count} run_ids. See the API docs for more information about request parameters."
        )));
    }
    req.check(&[
        ("metric_key", &[Required, Str]),
        ("start_step", &[IntLike]),
        ("end_step", &[IntLike]),
        ("max_results", &[IntLike]),
    ])?;
    let m = req.msg;
    let max_results = m.max_results.map_or(MAX_RESULTS_PER_RUN, i64::from);
    if !(1..=MAX_RESULTS_PER_RUN).contains(&max_results) {
        return Err(MlflowError::invalid_parameter_value(format!(
            "max_results must be between 1 and {MAX_RESULTS_PER_RUN}. See the API docs for more information about request parameters."
        )));
    }
    let steps = match (m.start_step, m.end_step) {
        (Some(s), Some(e)) if s > e => {
            return Err(MlflowError::invalid_parameter_value(format!(
                "end_step must be greater than start_step. Found start_step={s} and end_step={e}."
            )))
        }
        (Some(s), Some(e)) => Some((i64::from(s), i64::from(e))),
        (None, None) => None,
        _ => {
            return Err(MlflowError::invalid_parameter_value(
                "If either start step or end step are specified, both must be specified.",
            ))
        }
    };
    let metrics = st
        .store
        .get_metric_history_bulk_interval(
            &m.run_ids.unwrap_or_default(),
            &m.metric_key.unwrap_or_default(),
            max_results,
            steps,
        )
        .await?;
    Ok(Json(MetricsWithRunIdResponse { metrics }))
}

/// GET /ajax-api/2.0/mlflow/metrics/get-history-bulk (legacy UI; plain query arguments).
pub async fn get_metric_history_bulk(
    State(st): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<MetricsWithRunIdResponse>> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(query.as_deref().unwrap_or("")).unwrap_or_default();
    let run_ids: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "run_id")
        .map(|(_, v)| v.clone())
        .collect();
    if run_ids.is_empty() {
        return Err(MlflowError::invalid_parameter_value(
            "GetMetricHistoryBulk request must specify at least one run_id.",
        ));
    }
    if run_ids.len() > MAX_RUNS_PER_REQUEST {
        return Err(MlflowError::invalid_parameter_value(format!(
            "GetMetricHistoryBulk request cannot specify more than {MAX_RUNS_PER_REQUEST} run_ids. Received {} run_ids.",
            run_ids.len()
        )));
    }
    let Some(metric_key) = pairs
        .iter()
        .find(|(k, _)| k == "metric_key")
        .map(|(_, v)| v.clone())
    else {
        return Err(MlflowError::invalid_parameter_value(
            "GetMetricHistoryBulk request must specify a metric_key.",
        ));
    };
    let max_results = match pairs.iter().find(|(k, _)| k == "max_results") {
        None => MAX_HISTORY_RESULTS,
        Some((_, v)) => v.trim().parse::<i64>().map_err(|_| {
            MlflowError::invalid_parameter_value(format!(
                "Invalid value '{v}' for parameter 'max_results': must be an integer."
            ))
        })?,
    }
    .min(MAX_HISTORY_RESULTS);
    let metrics = st
        .store
        .get_metric_history_bulk(&run_ids, &metric_key, max_results.max(0))
        .await?;
    Ok(Json(MetricsWithRunIdResponse { metrics }))
}

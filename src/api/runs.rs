//! Run, param, tag and metric RPCs (`_create_run` … `_get_metric_history` in
//! `mlflow/server/handlers.py`). Run-scoped requests accept `run_uuid` where MLflow does.

use axum::extract::State;

use crate::api::extract::{Check::*, Proto};
use crate::app::AppState;
use crate::error::MlflowError;
use crate::error::Result;
use crate::store::inputs::NewDatasetInput;
use crate::store::metrics::{Batch, MetricPoint};
use crate::wire::tracking::LogModel;
use crate::wire::tracking::{
    CreateRun, Dataset, DeleteRun, DeleteTag, GetRun, LogBatch, LogInputs, LogMetric, LogOutputs,
    LogParam, RestoreRun, RunResponse, SearchRuns, SearchRunsResponse, SetTag, UpdateRun,
    UpdateRunResponse, ViewType,
};
use crate::wire::{Empty, Json};

/// `request_message.run_id or request_message.run_uuid`.
pub(crate) fn run_id_or_uuid(run_id: Option<String>, run_uuid: Option<String>) -> String {
    run_id
        .filter(|r| !r.is_empty())
        .or(run_uuid)
        .unwrap_or_default()
}

/// POST /mlflow/runs/create
pub async fn create_run(
    State(st): State<AppState>,
    req: Proto<CreateRun>,
) -> Result<Json<RunResponse>> {
    req.check(&[
        ("experiment_id", &[Str]),
        ("start_time", &[IntLike]),
        ("run_name", &[Str]),
    ])?;
    let m = req.msg;
    let tags = m
        .tags
        .unwrap_or_default()
        .into_iter()
        .map(|t| (t.key.unwrap_or_default(), t.value.unwrap_or_default()))
        .collect();
    let run = st
        .store
        .create_run(
            &m.experiment_id.unwrap_or_default(),
            &m.user_id.unwrap_or_default(),
            m.start_time.unwrap_or(0),
            tags,
            &m.run_name.unwrap_or_default(),
        )
        .await?;
    Ok(Json(RunResponse { run }))
}

/// GET /mlflow/runs/get
pub async fn get_run(State(st): State<AppState>, req: Proto<GetRun>) -> Result<Json<RunResponse>> {
    req.check(&[("run_id", &[Required, Str])])?;
    let run_id = run_id_or_uuid(req.msg.run_id, req.msg.run_uuid);
    Ok(Json(RunResponse {
        run: st.store.get_run(&run_id).await?,
    }))
}

/// POST /mlflow/runs/update
pub async fn update_run(
    State(st): State<AppState>,
    req: Proto<UpdateRun>,
) -> Result<Json<UpdateRunResponse>> {
    req.check(&[
        ("run_id", &[Required, Str]),
        ("end_time", &[IntLike]),
        ("status", &[Str]),
        ("run_name", &[Str]),
    ])?;
    let m = req.msg;
    let run_id = run_id_or_uuid(m.run_id, m.run_uuid);
    let run_info = st
        .store
        .update_run_info(&run_id, m.status, m.end_time, m.run_name.as_deref())
        .await?;
    Ok(Json(UpdateRunResponse { run_info }))
}

/// POST /mlflow/runs/delete
pub async fn delete_run(State(st): State<AppState>, req: Proto<DeleteRun>) -> Result<Json<Empty>> {
    req.check(&[("run_id", &[Required, Str])])?;
    st.store
        .set_run_lifecycle(&req.msg.run_id.unwrap_or_default(), true)
        .await?;
    Ok(Json(Empty {}))
}

/// POST /mlflow/runs/restore
pub async fn restore_run(
    State(st): State<AppState>,
    req: Proto<RestoreRun>,
) -> Result<Json<Empty>> {
    req.check(&[("run_id", &[Required, Str])])?;
    st.store
        .set_run_lifecycle(&req.msg.run_id.unwrap_or_default(), false)
        .await?;
    Ok(Json(Empty {}))
}

/// POST /mlflow/runs/log-metric
pub async fn log_metric(State(st): State<AppState>, req: Proto<LogMetric>) -> Result<Json<Empty>> {
    req.check(&[
        ("run_id", &[Required, Str]),
        ("key", &[Required, Str]),
        ("value", &[Required, FloatLike]),
        ("timestamp", &[IntLike, Required]),
        ("step", &[IntLike]),
        ("model_id", &[Str]),
        ("dataset_name", &[Str]),
        ("dataset_digest", &[Str]),
    ])?;
    let m = req.msg;
    let point = MetricPoint {
        key: m.key.unwrap_or_default(),
        value: m.value.unwrap_or(0.0),
        timestamp: m.timestamp.unwrap_or(0),
        step: m.step.unwrap_or(0),
        model: model_ref(m.model_id, m.dataset_name, m.dataset_digest),
    };
    st.store
        .log_metric(&run_id_or_uuid(m.run_id, m.run_uuid), point)
        .await?;
    Ok(Json(Empty {}))
}

/// POST /mlflow/runs/log-parameter
pub async fn log_param(State(st): State<AppState>, req: Proto<LogParam>) -> Result<Json<Empty>> {
    req.check(&[
        ("run_id", &[Required, Str]),
        ("key", &[Required, Str]),
        ("value", &[Str]),
    ])?;
    let m = req.msg;
    st.store
        .log_param(
            &run_id_or_uuid(m.run_id, m.run_uuid),
            &m.key.unwrap_or_default(),
            &m.value.unwrap_or_default(),
        )
        .await?;
    Ok(Json(Empty {}))
}

/// POST /mlflow/runs/set-tag
pub async fn set_tag(State(st): State<AppState>, req: Proto<SetTag>) -> Result<Json<Empty>> {
    req.check(&[
        ("run_id", &[Required, Str]),
        ("key", &[Required, Str]),
        ("value", &[Str]),
    ])?;
    let m = req.msg;
    st.store
        .set_tag(
            &run_id_or_uuid(m.run_id, m.run_uuid),
            &m.key.unwrap_or_default(),
            &m.value.unwrap_or_default(),
        )
        .await?;
    Ok(Json(Empty {}))
}

/// POST /mlflow/runs/delete-tag
pub async fn delete_tag(State(st): State<AppState>, req: Proto<DeleteTag>) -> Result<Json<Empty>> {
    req.check(&[("run_id", &[Required, Str]), ("key", &[Required, Str])])?;
    let m = req.msg;
    st.store
        .delete_tag(&m.run_id.unwrap_or_default(), &m.key.unwrap_or_default())
        .await?;
    Ok(Json(Empty {}))
}

/// POST /mlflow/runs/log-batch
pub async fn log_batch(State(st): State<AppState>, req: Proto<LogBatch>) -> Result<Json<Empty>> {
    req.check(&[
        ("run_id", &[Str, Required]),
        (
            "metrics",
            &[Array, ItemsHave(&["key", "value", "timestamp"], "metrics")],
        ),
        ("params", &[Array, ItemsHave(&["key"], "params")]),
        ("tags", &[Array, ItemsHave(&["key"], "tags")]),
    ])?;
    let m = req.msg;
    let batch = Batch {
        metrics: m
            .metrics
            .unwrap_or_default()
            .into_iter()
            .map(|x| MetricPoint {
                key: x.key.unwrap_or_default(),
                value: x.value.unwrap_or(0.0),
                timestamp: x.timestamp.unwrap_or(0),
                step: x.step.unwrap_or(0),
                model: model_ref(x.model_id, x.dataset_name, x.dataset_digest),
            })
            .collect(),
        params: kv(m.params),
        tags: kv(m.tags),
    };
    st.store
        .log_batch(&m.run_id.unwrap_or_default(), batch)
        .await?;
    Ok(Json(Empty {}))
}

/// `Metric.from_proto`: an empty `model_id` means none.
fn model_ref(
    model_id: Option<String>,
    dataset_name: Option<String>,
    dataset_digest: Option<String>,
) -> Option<crate::store::metrics::ModelRef> {
    model_id
        .filter(|m| !m.is_empty())
        .map(|model_id| crate::store::metrics::ModelRef {
            model_id,
            dataset_name: dataset_name.filter(|d| !d.is_empty()),
            dataset_digest: dataset_digest.filter(|d| !d.is_empty()),
        })
}

/// Nested messages are boxed by the decoder (`ProtoValue for Box<M>`).
#[allow(clippy::vec_box)]
pub(crate) fn kv(
    items: Option<Vec<Box<crate::wire::tracking::KeyValue>>>,
) -> Vec<(String, String)> {
    items
        .unwrap_or_default()
        .into_iter()
        .map(|t| (t.key.unwrap_or_default(), t.value.unwrap_or_default()))
        .collect()
}

/// POST|GET /mlflow/runs/search
pub async fn search_runs(
    State(st): State<AppState>,
    req: Proto<SearchRuns>,
) -> Result<Json<SearchRunsResponse>> {
    req.check(&[
        ("experiment_ids", &[Array]),
        ("filter", &[Str]),
        ("max_results", &[IntLike, IntAtMost(50000)]),
        ("order_by", &[Array, ItemTypeString]),
    ])?;
    let m = req.msg;
    let page = st
        .store
        .search_runs(
            &m.experiment_ids.unwrap_or_default(),
            &m.filter.unwrap_or_default(),
            m.run_view_type.unwrap_or(ViewType::ActiveOnly),
            m.max_results.unwrap_or(1000) as i64,
            &m.order_by.unwrap_or_default(),
            m.page_token.as_deref().filter(|t| !t.is_empty()),
        )
        .await?;
    Ok(Json(SearchRunsResponse {
        runs: page.items,
        next_page_token: page.next_page_token,
    }))
}

/// POST /mlflow/runs/log-inputs
pub async fn log_inputs(State(st): State<AppState>, req: Proto<LogInputs>) -> Result<Json<Empty>> {
    req.check(&[
        ("run_id", &[Required, Str]),
        ("datasets", &[Array]),
        ("models", &[Array]),
    ])?;
    let m = req.msg;
    let mut datasets = Vec::new();
    for d in m.datasets.unwrap_or_default() {
        let Some(ds) = d.dataset else {
            return Err(MlflowError::new(
                crate::error::ErrorCode::INTERNAL_ERROR,
                "Dataset input must have a dataset associated with it.",
            ));
        };
        datasets.push(NewDatasetInput {
            dataset: Dataset {
                name: ds.name.unwrap_or_default(),
                digest: ds.digest.unwrap_or_default(),
                source_type: ds.source_type.unwrap_or_default(),
                source: ds.source.unwrap_or_default(),
                schema: ds.schema,
                profile: ds.profile,
            },
            tags: kv(d.tags),
        });
    }
    let models = m
        .models
        .unwrap_or_default()
        .into_iter()
        .map(|x| x.model_id.unwrap_or_default())
        .collect();
    st.store
        .log_inputs(&m.run_id.unwrap_or_default(), datasets, models)
        .await?;
    Ok(Json(Empty {}))
}

/// POST /mlflow/runs/outputs
pub async fn log_outputs(
    State(st): State<AppState>,
    req: Proto<LogOutputs>,
) -> Result<Json<Empty>> {
    req.check(&[("run_id", &[Required, Str]), ("models", &[Required, Array])])?;
    let m = req.msg;
    let models = m
        .models
        .unwrap_or_default()
        .into_iter()
        .map(|x| (x.model_id.unwrap_or_default(), x.step.unwrap_or(0)))
        .collect();
    st.store
        .log_outputs(&m.run_id.unwrap_or_default(), models)
        .await?;
    Ok(Json(Empty {}))
}

/// POST /mlflow/runs/log-model (MLflow 2 model record; the 3.x client no longer calls it)
pub async fn log_model(State(st): State<AppState>, req: Proto<LogModel>) -> Result<Json<Empty>> {
    req.check(&[
        ("run_id", &[Str, Required]),
        ("model_json", &[Str, Required]),
    ])?;
    let m = req.msg;
    let model_json = m.model_json.unwrap_or_default();
    let model: serde_json::Map<std::string::String, serde_json::Value> =
        serde_json::from_str(&model_json).map_err(|_| {
            MlflowError::invalid_parameter_value(format!(
                "Malformed model info. \n {model_json} \n is not a valid JSON."
            ))
        })?;
    let missing: Vec<std::string::String> =
        ["artifact_path", "flavors", "utc_time_created", "run_id"]
            .iter()
            .filter(|k| !model.contains_key(**k))
            .map(|k| format!("'{k}'"))
            .collect();
    if !missing.is_empty() {
        return Err(MlflowError::invalid_parameter_value(format!(
            "Model json is missing mandatory fields: {{{}}}",
            missing.join(", ")
        )));
    }
    st.store
        .record_logged_model(&m.run_id.unwrap_or_default(), &model)
        .await?;
    Ok(Json(Empty {}))
}

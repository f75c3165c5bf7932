//! Experiment RPCs (`_create_experiment` … `_delete_experiment_tag` in
//! `mlflow/server/handlers.py`).

use axum::extract::State;

use crate::api::extract::{Check::*, Proto};
use crate::app::AppState;
use crate::error::{MlflowError, Result};
use crate::wire::tracking::{
    CreateExperiment, CreateExperimentResponse, DeleteExperiment, DeleteExperimentTag,
    ExperimentResponse, GetExperiment, GetExperimentByName, RestoreExperiment, SearchDatasets,
    SearchDatasetsResponse, SearchExperiments, SearchExperimentsResponse, SetExperimentTag,
    UpdateExperiment, ViewType,
};
use crate::wire::{Empty, Json};

/// POST /mlflow/experiments/create
pub async fn create_experiment(
    State(st): State<AppState>,
    req: Proto<CreateExperiment>,
) -> Result<Json<CreateExperimentResponse>> {
    req.check(&[
        ("name", &[Required, Str]),
        ("artifact_location", &[Str]),
        ("tags", &[Array]),
    ])?;
    let m = req.msg;
    let tags: Vec<(String, String)> = m
        .tags
        .unwrap_or_default()
        .into_iter()
        .map(|t| (t.key.unwrap_or_default(), t.value.unwrap_or_default()))
        .collect();
    if let Some(loc) = m.artifact_location.as_deref().filter(|l| !l.is_empty()) {
        crate::uri::validate_storage_location_uri(loc, "artifact_location", &st.trusted_roots())?;
    }
    let id = st
        .store
        .create_experiment(
            &m.name.unwrap_or_default(),
            m.artifact_location.as_deref(),
            &tags,
        )
        .await?;
    Ok(Json(CreateExperimentResponse { experiment_id: id }))
}

/// GET /mlflow/experiments/get
pub async fn get_experiment(
    State(st): State<AppState>,
    req: Proto<GetExperiment>,
) -> Result<Json<ExperimentResponse>> {
    req.check(&[("experiment_id", &[Required, Str])])?;
    let experiment = st
        .store
        .get_experiment(&req.msg.experiment_id.unwrap_or_default())
        .await?;
    Ok(Json(ExperimentResponse { experiment }))
}

/// GET /mlflow/experiments/get-by-name
pub async fn get_experiment_by_name(
    State(st): State<AppState>,
    req: Proto<GetExperimentByName>,
) -> Result<Json<ExperimentResponse>> {
    req.check(&[("experiment_name", &[Required, Str])])?;
    let name = req.msg.experiment_name.unwrap_or_default();
    match st.store.get_experiment_by_name(&name).await? {
        Some(experiment) => Ok(Json(ExperimentResponse { experiment })),
        None => Err(MlflowError::does_not_exist(format!(
            "Could not find experiment with name '{name}'"
        ))),
    }
}

/// POST|GET /mlflow/experiments/search
pub async fn search_experiments(
    State(st): State<AppState>,
    req: Proto<SearchExperiments>,
) -> Result<Json<SearchExperimentsResponse>> {
    req.check(&[
        ("view_type", &[IntLike]),
        ("max_results", &[IntLike]),
        ("order_by", &[Array]),
        ("filter", &[Str]),
        ("page_token", &[Str]),
    ])?;
    let m = req.msg;
    let page = st
        .store
        .search_experiments(
            m.view_type.unwrap_or(ViewType::ActiveOnly),
            m.max_results.unwrap_or(0),
            &m.filter.unwrap_or_default(),
            &m.order_by.unwrap_or_default(),
            m.page_token.as_deref().filter(|t| !t.is_empty()),
        )
        .await?;
    Ok(Json(SearchExperimentsResponse {
        experiments: page.items,
        next_page_token: page.next_page_token,
    }))
}

/// POST /mlflow/experiments/delete
pub async fn delete_experiment(
    State(st): State<AppState>,
    req: Proto<DeleteExperiment>,
) -> Result<Json<Empty>> {
    req.check(&[("experiment_id", &[Required, Str])])?;
    st.store
        .delete_experiment(&req.msg.experiment_id.unwrap_or_default())
        .await?;
    Ok(Json(Empty {}))
}

/// POST /mlflow/experiments/restore
pub async fn restore_experiment(
    State(st): State<AppState>,
    req: Proto<RestoreExperiment>,
) -> Result<Json<Empty>> {
    req.check(&[("experiment_id", &[Required, Str])])?;
    st.store
        .restore_experiment(&req.msg.experiment_id.unwrap_or_default())
        .await?;
    Ok(Json(Empty {}))
}

/// POST /mlflow/experiments/update
pub async fn update_experiment(
    State(st): State<AppState>,
    req: Proto<UpdateExperiment>,
) -> Result<Json<Empty>> {
    req.check(&[
        ("experiment_id", &[Required, Str]),
        ("new_name", &[Str, Required]),
    ])?;
    let m = req.msg;
    if let Some(new_name) = m.new_name.filter(|n| !n.is_empty()) {
        st.store
            .rename_experiment(&m.experiment_id.unwrap_or_default(), &new_name)
            .await?;
    }
    Ok(Json(Empty {}))
}

/// POST /mlflow/experiments/set-experiment-tag
pub async fn set_experiment_tag(
    State(st): State<AppState>,
    req: Proto<SetExperimentTag>,
) -> Result<Json<Empty>> {
    req.check(&[
        ("experiment_id", &[Required, Str]),
        ("key", &[Required, Str]),
        ("value", &[Str]),
    ])?;
    let m = req.msg;
    st.store
        .set_experiment_tag(
            &m.experiment_id.unwrap_or_default(),
            &m.key.unwrap_or_default(),
            &m.value.unwrap_or_default(),
        )
        .await?;
    Ok(Json(Empty {}))
}

/// POST /mlflow/experiments/delete-experiment-tag
pub async fn delete_experiment_tag(
    State(st): State<AppState>,
    req: Proto<DeleteExperimentTag>,
) -> Result<Json<Empty>> {
    req.check(&[
        ("experiment_id", &[Required, Str]),
        ("key", &[Required, Str]),
    ])?;
    let m = req.msg;
    st.store
        .delete_experiment_tag(
            &m.experiment_id.unwrap_or_default(),
            &m.key.unwrap_or_default(),
        )
        .await?;
    Ok(Json(Empty {}))
}

/// POST /ajax-api/2.0/mlflow/experiments/search-datasets (UI only)
pub async fn search_datasets(
    State(st): State<AppState>,
    req: Proto<SearchDatasets>,
) -> Result<Json<SearchDatasetsResponse>> {
    let ids = req.msg.experiment_ids.unwrap_or_default();
    if ids.is_empty() {
        return Err(MlflowError::invalid_parameter_value(
            "SearchDatasets request must specify at least one experiment_id.",
        ));
    }
    if ids.len() > 20 {
        return Err(MlflowError::invalid_parameter_value(format!(
            "SearchDatasets request cannot specify more than 20 experiment_ids. Received {} experiment_ids.",
            ids.len()
        )));
    }
    let dataset_summaries = st.store.search_datasets(&ids).await?;
    Ok(Json(SearchDatasetsResponse { dataset_summaries }))
}

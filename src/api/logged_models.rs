//! MLflow 3 logged-model RPCs (`_create_logged_model` … `_list_logged_model_artifacts` and
//! `get_logged_model_artifact_handler` in `mlflow/server/handlers.py`).

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;

use crate::api::artifacts::{safe, ListArtifactsResponse};
use crate::api::extract::{Check::*, Proto};
use crate::api::run_artifacts::{first, list_under, query_pairs, root_location, send_file};
use crate::api::runs::kv as pairs;
use crate::app::AppState;
use crate::error::{ErrorCode, MlflowError, Result};
use crate::store::logged_models::{ModelDatasetFilter, ModelOrderBy, ModelSearch};
use crate::wire::logged_models::{
    CreateLoggedModel, FinalizeLoggedModel, GetLoggedModelQuery, ListLoggedModelArtifacts,
    LogLoggedModelParams, LoggedModelResponse, LoggedModelStatus, SearchLoggedModels,
    SearchLoggedModelsResponse, SetLoggedModelTags,
};
use crate::wire::{Empty, Json};

/// POST /mlflow/logged-models
pub async fn create_logged_model(
    State(st): State<AppState>,
    req: Proto<CreateLoggedModel>,
) -> Result<Json<LoggedModelResponse>> {
    req.check(&[
        ("experiment_id", &[Str, Required]),
        ("name", &[Str]),
        ("model_type", &[Str]),
        ("source_run_id", &[Str]),
        ("params", &[Array]),
        ("tags", &[Array]),
    ])?;
    let m = req.msg;
    // `request_message.name or None`; model_type and source_run_id pass on as "" when unset.
    let name = m.name.filter(|n| !n.is_empty());
    let model = st
        .store
        .create_logged_model(
            &m.experiment_id.unwrap_or_default(),
            name.as_deref(),
            Some(m.model_type.as_deref().unwrap_or("")),
            Some(m.source_run_id.as_deref().unwrap_or("")),
            &pairs(m.params),
            &pairs(m.tags),
        )
        .await?;
    Ok(Json(LoggedModelResponse { model }))
}

/// GET /mlflow/logged-models/{model_id}
pub async fn get_logged_model(
    State(st): State<AppState>,
    Path(model_id): Path<String>,
    req: Proto<GetLoggedModelQuery>,
) -> Result<Json<LoggedModelResponse>> {
    let allow_deleted = req
        .raw
        .get("allow_deleted")
        .and_then(|v| v.as_str())
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let model = st.store.get_logged_model(&model_id, allow_deleted).await?;
    Ok(Json(LoggedModelResponse { model }))
}

/// GET /mlflow/logged-models/search: Flask routes it to `get_logged_model("search")`.
pub async fn get_logged_model_named_search(
    st: State<AppState>,
    req: Proto<GetLoggedModelQuery>,
) -> Result<Json<LoggedModelResponse>> {
    get_logged_model(st, Path("search".to_owned()), req).await
}

/// DELETE /mlflow/logged-models/search: `delete_logged_model("search")`.
pub async fn delete_logged_model_named_search(
    st: State<AppState>,
    body: Bytes,
) -> Result<Json<Empty>> {
    delete_logged_model(st, Path("search".to_owned()), body).await
}

/// PATCH /mlflow/logged-models/{model_id}: the body's `model_id` is the one finalized, as in
/// MLflow.
pub async fn finalize_logged_model(
    State(st): State<AppState>,
    req: Proto<FinalizeLoggedModel>,
) -> Result<Json<LoggedModelResponse>> {
    req.check(&[
        ("model_id", &[Str, Required]),
        ("status", &[IntLike, Required]),
    ])?;
    let m = req.msg;
    let status = m
        .status
        .unwrap_or(LoggedModelStatus::LOGGED_MODEL_STATUS_UNSPECIFIED);
    let model = st
        .store
        .finalize_logged_model(&m.model_id.unwrap_or_default(), status)
        .await?;
    Ok(Json(LoggedModelResponse { model }))
}

/// DELETE /mlflow/logged-models/{model_id}. The client sends a JSON body even here: it is read
/// (and ignored) so hyper can keep the connection alive for the client's next request.
pub async fn delete_logged_model(
    State(st): State<AppState>,
    Path(model_id): Path<String>,
    _body: Bytes,
) -> Result<Json<Empty>> {
    st.store.delete_logged_model(&model_id).await?;
    Ok(Json(Empty {}))
}

/// PATCH /mlflow/logged-models/{model_id}/tags
pub async fn set_logged_model_tags(
    State(st): State<AppState>,
    Path(model_id): Path<String>,
    req: Proto<SetLoggedModelTags>,
) -> Result<Json<Empty>> {
    req.check(&[("tags", &[Array])])?;
    st.store
        .set_logged_model_tags(&model_id, &pairs(req.msg.tags))
        .await?;
    Ok(Json(Empty {}))
}

/// DELETE /mlflow/logged-models/{model_id}/tags/{tag_key}
pub async fn delete_logged_model_tag(
    State(st): State<AppState>,
    Path((model_id, tag_key)): Path<(String, String)>,
    _body: Bytes,
) -> Result<Json<Empty>> {
    st.store
        .delete_logged_model_tag(&model_id, &tag_key)
        .await?;
    Ok(Json(Empty {}))
}

/// POST /mlflow/logged-models/{model_id}/params
pub async fn log_logged_model_params(
    State(st): State<AppState>,
    Path(model_id): Path<String>,
    req: Proto<LogLoggedModelParams>,
) -> Result<Json<Empty>> {
    req.check(&[("model_id", &[Str, Required]), ("params", &[Array])])?;
    st.store
        .log_logged_model_params(&model_id, &pairs(req.msg.params))
        .await?;
    Ok(Json(Empty {}))
}

/// POST /mlflow/logged-models/search
pub async fn search_logged_models(
    State(st): State<AppState>,
    req: Proto<SearchLoggedModels>,
) -> Result<Json<SearchLoggedModelsResponse>> {
    req.check(&[
        ("experiment_ids", &[Array, ItemTypeString, Required]),
        ("filter", &[Str]),
        ("datasets", &[Array]),
        ("max_results", &[IntLike]),
        ("order_by", &[Array]),
        ("page_token", &[Str]),
    ])?;
    let m = req.msg;
    let non_empty = |s: Option<String>| s.filter(|s| !s.is_empty());
    let search = ModelSearch {
        experiment_ids: m.experiment_ids.unwrap_or_default(),
        filter: non_empty(m.filter),
        datasets: m
            .datasets
            .unwrap_or_default()
            .into_iter()
            .map(|d| ModelDatasetFilter {
                dataset_name: d.dataset_name.unwrap_or_default(),
                dataset_digest: non_empty(d.dataset_digest),
            })
            .collect(),
        // `max_results or None`: zero means the default.
        max_results: m.max_results.filter(|n| *n != 0).map(i64::from),
        order_by: m
            .order_by
            .unwrap_or_default()
            .into_iter()
            .map(|o| ModelOrderBy {
                field_name: o.field_name.unwrap_or_default(),
                // `optional bool ascending = 2 [default = true]`.
                ascending: o.ascending.unwrap_or(true),
                dataset_name: non_empty(o.dataset_name),
                dataset_digest: non_empty(o.dataset_digest),
            })
            .collect(),
        page_token: non_empty(m.page_token),
    };
    let page = st.store.search_logged_models(&search).await?;
    Ok(Json(SearchLoggedModelsResponse {
        models: page.items,
        next_page_token: page.next_page_token,
    }))
}

/// GET /mlflow/logged-models/{model_id}/artifacts/directories
pub async fn list_logged_model_artifacts(
    State(st): State<AppState>,
    Path(model_id): Path<String>,
    req: Proto<ListLoggedModelArtifacts>,
) -> Result<Json<ListArtifactsResponse>> {
    req.check(&[("artifact_directory_path", &[Str])])?;
    let relative = match req.msg.artifact_directory_path.as_deref() {
        Some(p) => Some(safe(p)?),
        None => None,
    };
    let model = st.store.get_logged_model(&model_id, false).await?;
    let root = model.info.artifact_uri;
    let (store, dest) = root_location(&st, &root, relative.as_ref())?;
    let files = list_under(store.as_ref(), &dest, relative.as_ref()).await?;
    Ok(Json(ListArtifactsResponse {
        root_uri: Some(root),
        files,
    }))
}

/// GET /ajax-api/2.0/mlflow/logged-models/{model_id}/artifacts/files?artifact_file_path=…
pub async fn get_logged_model_artifact(
    State(st): State<AppState>,
    Path(model_id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response> {
    let query = query_pairs(query.as_deref());
    let path = first(&query, "artifact_file_path")
        .filter(|p| !p.is_empty())
        .ok_or_else(|| {
            MlflowError::new(
                ErrorCode::BAD_REQUEST,
                "Request must include the \"artifact_file_path\" query parameter.",
            )
        })?;
    let relative = safe(path)?;
    let model = st.store.get_logged_model(&model_id, false).await?;
    let (store, dest) = root_location(&st, &model.info.artifact_uri, Some(&relative))?;
    send_file(store.as_ref(), &dest, &relative, &headers).await
}

//! Model registry RPCs (`_create_registered_model` … `_get_model_version_by_alias` and
//! `get_model_version_artifact_handler` in `mlflow/server/handlers.py`).
//!
//! A model version's `source` is where clients later download the model from, through this
//! server: it is checked here, before anything is stored, the way MLflow 3.17.2 checks it
//! (`_validate_source_run` / `_validate_source_model` and the lineage of `models:/` sources).
//! That is where CVE-2023-6909, CVE-2023-6977 and CVE-2024-2928 lived.

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

use crate::api::artifacts::safe;
use crate::api::extract::{Check::*, Proto};
use crate::api::run_artifacts::{first, query_pairs, root_location, send_file};
use crate::api::runs::kv as pairs;
use crate::app::AppState;
use crate::artifacts::model_source as src;
use crate::error::{ErrorCode, MlflowError, Result};
use crate::search::registry::IS_PROMPT_TAG_KEY;
use crate::store::registry::NewModelVersion;
use crate::wire::registry::{
    CreateModelVersion, CreateRegisteredModel, DeleteModelVersionTag, DeleteRegisteredModelTag,
    GetLatestVersions, GetModelVersionDownloadUriResponse, ModelVersionKey, ModelVersionResponse,
    ModelVersionsResponse, RegisteredModelAliasKey, RegisteredModelName, RegisteredModelResponse,
    RenameRegisteredModel, SearchRegisteredModelsResponse, SearchRegistry, SetModelVersionTag,
    SetRegisteredModelAlias, SetRegisteredModelTag, TransitionModelVersionStage,
    UpdateModelVersion, UpdateRegisteredModel,
};
use crate::wire::{Empty, Json};

/// `SearchRegisteredModels.max_results` `[default = 100]`.
const SEARCH_REGISTERED_MODELS_DEFAULT: i64 = 100;
/// `SearchModelVersions.max_results` `[default = 200000]`.
const SEARCH_MODEL_VERSIONS_DEFAULT: i64 = 200_000;
/// Sources a prompt version may have (`_PROMPT_SOURCE_PLACEHOLDERS`).
const PROMPT_SOURCE_PLACEHOLDERS: [&str; 2] = ["dummy-source", "prompt-template"];

/// POST /mlflow/registered-models/create
pub async fn create_registered_model(
    State(st): State<AppState>,
    req: Proto<CreateRegisteredModel>,
) -> Result<Json<RegisteredModelResponse>> {
    req.check(&[
        ("name", &[Str, Required]),
        ("tags", &[Array]),
        ("description", &[Str]),
    ])?;
    let m = req.msg;
    let registered_model = st
        .store
        .create_registered_model(
            m.name.as_deref().unwrap_or(""),
            &pairs(m.tags),
            m.description.as_deref().unwrap_or(""),
        )
        .await?;
    Ok(Json(RegisteredModelResponse { registered_model }))
}

/// GET /mlflow/registered-models/get
pub async fn get_registered_model(
    State(st): State<AppState>,
    req: Proto<RegisteredModelName>,
) -> Result<Json<RegisteredModelResponse>> {
    req.check(&[("name", &[Str, Required])])?;
    let registered_model = st
        .store
        .get_registered_model(req.msg.name.as_deref().unwrap_or(""))
        .await?;
    Ok(Json(RegisteredModelResponse { registered_model }))
}

/// PATCH /mlflow/registered-models/update
pub async fn update_registered_model(
    State(st): State<AppState>,
    req: Proto<UpdateRegisteredModel>,
) -> Result<Json<RegisteredModelResponse>> {
    req.check(&[("name", &[Str, Required]), ("description", &[Str])])?;
    let m = req.msg;
    let registered_model = st
        .store
        .update_registered_model(
            m.name.as_deref().unwrap_or(""),
            m.description.as_deref().unwrap_or(""),
        )
        .await?;
    Ok(Json(RegisteredModelResponse { registered_model }))
}

/// POST /mlflow/registered-models/rename
pub async fn rename_registered_model(
    State(st): State<AppState>,
    req: Proto<RenameRegisteredModel>,
) -> Result<Json<RegisteredModelResponse>> {
    req.check(&[("name", &[Str, Required]), ("new_name", &[Str, Required])])?;
    let m = req.msg;
    let registered_model = st
        .store
        .rename_registered_model(
            m.name.as_deref().unwrap_or(""),
            m.new_name.as_deref().unwrap_or(""),
        )
        .await?;
    Ok(Json(RegisteredModelResponse { registered_model }))
}

/// DELETE /mlflow/registered-models/delete
pub async fn delete_registered_model(
    State(st): State<AppState>,
    req: Proto<RegisteredModelName>,
) -> Result<Json<Empty>> {
    req.check(&[("name", &[Str, Required])])?;
    st.store
        .delete_registered_model(req.msg.name.as_deref().unwrap_or(""))
        .await?;
    Ok(Json(Empty {}))
}

/// GET /mlflow/registered-models/search
pub async fn search_registered_models(
    State(st): State<AppState>,
    req: Proto<SearchRegistry>,
) -> Result<Json<SearchRegisteredModelsResponse>> {
    req.check(&[
        ("filter", &[Str]),
        ("max_results", &[IntLike, IntAtMost(1000)]),
        ("order_by", &[Array, ItemTypeString]),
        ("page_token", &[Str]),
    ])?;
    let m = req.msg;
    let page = st
        .store
        .search_registered_models(
            m.filter.as_deref().unwrap_or(""),
            m.max_results.unwrap_or(SEARCH_REGISTERED_MODELS_DEFAULT),
            &m.order_by.unwrap_or_default(),
            m.page_token.as_deref().filter(|t| !t.is_empty()),
        )
        .await?;
    Ok(Json(SearchRegisteredModelsResponse {
        registered_models: page.items,
        next_page_token: page.next_page_token,
    }))
}

/// POST|GET /mlflow/registered-models/get-latest-versions
pub async fn get_latest_versions(
    State(st): State<AppState>,
    req: Proto<GetLatestVersions>,
) -> Result<Json<ModelVersionsResponse>> {
    req.check(&[
        ("name", &[Str, Required]),
        ("stages", &[Array, ItemTypeString]),
    ])?;
    let m = req.msg;
    let model_versions = st
        .store
        .get_latest_versions(
            m.name.as_deref().unwrap_or(""),
            &m.stages.unwrap_or_default(),
        )
        .await?;
    Ok(Json(ModelVersionsResponse {
        model_versions,
        next_page_token: None,
    }))
}

/// POST /mlflow/registered-models/set-tag
pub async fn set_registered_model_tag(
    State(st): State<AppState>,
    req: Proto<SetRegisteredModelTag>,
) -> Result<Json<Empty>> {
    req.check(&[
        ("name", &[Str, Required]),
        ("key", &[Str, Required]),
        ("value", &[Str]),
    ])?;
    let m = req.msg;
    st.store
        .set_registered_model_tag(
            m.name.as_deref().unwrap_or(""),
            m.key.as_deref().unwrap_or(""),
            m.value.as_deref().unwrap_or(""),
        )
        .await?;
    Ok(Json(Empty {}))
}

/// DELETE /mlflow/registered-models/delete-tag
pub async fn delete_registered_model_tag(
    State(st): State<AppState>,
    req: Proto<DeleteRegisteredModelTag>,
) -> Result<Json<Empty>> {
    req.check(&[("name", &[Str, Required]), ("key", &[Str, Required])])?;
    let m = req.msg;
    st.store
        .delete_registered_model_tag(
            m.name.as_deref().unwrap_or(""),
            m.key.as_deref().unwrap_or(""),
        )
        .await?;
    Ok(Json(Empty {}))
}

/// `_raise_invalid_model_version_source`.
fn invalid_source(source: &str, id_name: &str) -> MlflowError {
    MlflowError::invalid_parameter_value(format!(
        "Invalid model version source: '{source}'. The {id_name} request parameter must \
         identify the resource that contains the source."
    ))
}

/// `_get_source_run`: the run's artifact URI; an unknown run makes the source invalid.
async fn source_run_artifact_uri(st: &AppState, run_id: &str, source: &str) -> Result<String> {
    match st.store.get_run(run_id).await {
        Ok(run) => Ok(run.info.artifact_uri.unwrap_or_default()),
        Err(e) if e.code == ErrorCode::RESOURCE_DOES_NOT_EXIST => {
            Err(invalid_source(source, "run_id"))
        }
        Err(e) => Err(e),
    }
}

/// `_get_source_model`: the logged model's artifact location; an unknown model makes the
/// source invalid.
async fn source_model_location(st: &AppState, model_id: &str, source: &str) -> Result<String> {
    match st.store.get_logged_model(model_id, false).await {
        Ok(model) => Ok(model.info.artifact_uri),
        Err(e) if e.code == ErrorCode::RESOURCE_DOES_NOT_EXIST => {
            Err(invalid_source(source, "model_id"))
        }
        Err(e) => Err(e),
    }
}

/// `_parse_model_version_source`.
fn parse_model_version_source(source: &str) -> Result<src::ModelUri> {
    src::parse_model_uri(source).map_err(|_| invalid_source(source, "model_id"))
}

/// The message of a local source outside the resource's artifact directory. MLflow prints the
/// resolved path once it has looked the resource up, the source as given otherwise.
fn invalid_local_source(shown: &str, id_name: &str, resource: &str) -> MlflowError {
    MlflowError::invalid_parameter_value(format!(
        "Invalid model version source: '{shown}'. To use a local path as a model version \
         source, the {id_name} request parameter has to be specified and the local path has to \
         be contained within the artifact directory of the {resource} specified by the \
         {id_name}."
    ))
}

/// `_validate_source_run`.
async fn validate_source_run(st: &AppState, source: &str, run_id: &str) -> Result<()> {
    if src::is_local_uri(source)? {
        let mut shown = source.to_owned();
        if !run_id.is_empty() {
            let root = source_run_artifact_uri(st, run_id, source).await?;
            shown = src::resolve_local_uri(source)?;
            if src::is_local_uri(&root)? && src::path_is_within(&root, source)? {
                return Ok(());
            }
        }
        return Err(invalid_local_source(&shown, "run_id", "run"));
    }
    src::validate_non_local_source_contains_relative_paths(source)?;
    let scheme = src::url_scheme(source);
    if scheme == "runs" {
        if !src::url_netloc(source).is_empty() {
            return Err(invalid_source(source, "run_id"));
        }
        let (source_run_id, _) = src::parse_runs_uri(source)?;
        if !run_id.is_empty() && source_run_id == run_id {
            return Ok(());
        }
        return Err(invalid_source(source, "run_id"));
    }
    if scheme == "models"
        && (!src::url_netloc(source).is_empty()
            || parse_model_version_source(source)?.model_id.is_some())
    {
        return Err(invalid_source(source, "model_id"));
    }
    if src::is_mlflow_artifact_source(source)? {
        if !run_id.is_empty() {
            let root = source_run_artifact_uri(st, run_id, source).await?;
            if src::is_uri_within_root(source, &root)? {
                return Ok(());
            }
        }
        return Err(invalid_source(source, "run_id"));
    }
    Ok(())
}

/// `_validate_source_model`.
async fn validate_source_model(st: &AppState, source: &str, model_id: &str) -> Result<()> {
    if src::is_local_uri(source)? {
        let root = source_model_location(st, model_id, source).await?;
        if src::is_local_uri(&root)? && src::path_is_within(&root, source)? {
            return Ok(());
        }
        return Err(invalid_local_source(
            &src::resolve_local_uri(source)?,
            "model_id",
            "run",
        ));
    }
    src::validate_non_local_source_contains_relative_paths(source)?;
    let scheme = src::url_scheme(source);
    if scheme == "models" {
        if !src::url_netloc(source).is_empty() {
            return Err(invalid_source(source, "model_id"));
        }
        if let Some(source_model_id) = parse_model_version_source(source)?.model_id {
            if source_model_id == model_id {
                return Ok(());
            }
            return Err(invalid_source(source, "model_id"));
        }
    }
    if scheme == "runs" {
        return Err(invalid_source(source, "model_id"));
    }
    if src::is_mlflow_artifact_source(source)? {
        let root = source_model_location(st, model_id, source).await?;
        if src::is_uri_within_root(source, &root)? {
            return Ok(());
        }
        return Err(invalid_source(source, "model_id"));
    }
    Ok(())
}

/// A source after `_resolve_registered_model_source_lineage`: a registry URI
/// (`models:/name@alias`, `models:/name/Production`) pinned to the version it points at,
/// with the run and model of that version unless the request named them.
struct Lineage {
    source: String,
    run_id: Option<String>,
    model_id: Option<String>,
}

/// `has_run_id` / `has_model_id`: whether the request set the field (`HasField`).
async fn resolve_lineage(
    st: &AppState,
    source: &str,
    run_id: Option<String>,
    model_id: Option<String>,
    (has_run_id, has_model_id): (bool, bool),
) -> Result<Lineage> {
    let unchanged = |run_id, model_id| Lineage {
        source: source.to_owned(),
        run_id,
        model_id,
    };
    if src::url_scheme(source) != "models" {
        return Ok(unchanged(run_id, model_id));
    }
    if !src::url_netloc(source).is_empty() {
        return Err(MlflowError::invalid_parameter_value(format!(
            "Invalid model version source: '{source}'. Registered model sources must use the \
             active model registry."
        )));
    }
    let parsed = parse_model_version_source(source)?;
    if parsed.model_id.is_some() {
        return Ok(unchanged(run_id, model_id));
    }
    let name = parsed.name.clone().unwrap_or_default();
    let model = st.store.get_registered_model(&name).await?;
    let is_prompt = model
        .tags
        .iter()
        .any(|t| t.key == IS_PROMPT_TAG_KEY && t.value.eq_ignore_ascii_case("true"));
    if is_prompt {
        return Err(MlflowError::invalid_parameter_value(format!(
            "Invalid model version source: '{source}'. Prompt versions cannot be used as model \
             version sources."
        )));
    }
    // `get_model_name_and_version`.
    let version = if let Some(v) = parsed.version {
        v
    } else if let Some(alias) = parsed.alias {
        st.store
            .get_model_version_by_alias(&name, &alias)
            .await?
            .version
    } else {
        let stages: Vec<String> = parsed.stage.clone().into_iter().collect();
        let latest = st.store.get_latest_versions(&name, &stages).await?;
        let newest = latest
            .iter()
            .filter_map(|v| v.version.parse::<i64>().ok())
            .max();
        match newest {
            Some(v) => v.to_string(),
            None => {
                let stage = parsed
                    .stage
                    .map(|s| format!(" and stage '{s}'"))
                    .unwrap_or_default();
                return Err(MlflowError::new(
                    ErrorCode::INTERNAL_ERROR,
                    format!("No versions of model with name '{name}'{stage} found"),
                ));
            }
        }
    };
    let referenced = st.store.get_model_version(&name, &version).await?;
    let referenced_run = referenced.run_id.clone().unwrap_or_default();
    // Registry rows carry no model id (MLflow never stores one).
    if (has_run_id && run_id.as_deref().unwrap_or("") != referenced_run)
        || (has_model_id && !model_id.as_deref().unwrap_or("").is_empty())
    {
        return Err(MlflowError::invalid_parameter_value(format!(
            "Invalid model version source: '{source}'. The run_id and model_id request \
             parameters must match the referenced model version."
        )));
    }
    Ok(Lineage {
        source: format!("models:/{name}/{}", referenced.version),
        run_id: if has_run_id {
            run_id
        } else {
            referenced.run_id
        },
        model_id: if has_model_id { model_id } else { None },
    })
}

/// `MLFLOW_CREATE_MODEL_VERSION_SOURCE_VALIDATION_REGEX`: an operator's extra rule on
/// sources (`re.search`).
fn check_source_regex(source: &str) -> Result<()> {
    let Ok(pattern) = std::env::var("MLFLOW_CREATE_MODEL_VERSION_SOURCE_VALIDATION_REGEX") else {
        return Ok(());
    };
    if source.is_empty() || pattern.is_empty() {
        return Ok(());
    }
    let matches = regex::Regex::new(&pattern)
        .map(|re| re.is_match(source))
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "MLFLOW_CREATE_MODEL_VERSION_SOURCE_VALIDATION_REGEX is not a valid regex");
            false
        });
    if matches {
        Ok(())
    } else {
        Err(MlflowError::invalid_parameter_value(format!(
            "Invalid model version source: '{source}'."
        )))
    }
}

/// Where a version's files are (`storage_location`) and the run it defaults to, as
/// `SqlAlchemyStore.create_model_version` derives them from a `models:/` source.
async fn storage_location(
    st: &AppState,
    source: &str,
    run_id: Option<String>,
) -> Result<(String, Option<String>)> {
    if src::url_scheme(source) != "models" {
        return Ok((source.to_owned(), run_id));
    }
    let resolved: Result<(String, Option<String>)> = async {
        let parsed = src::parse_model_uri(source)?;
        if let Some(model_id) = parsed.model_id {
            let model = st.store.get_logged_model(&model_id, false).await?;
            let run = run_id
                .clone()
                .filter(|r| !r.is_empty())
                .or(model.info.source_run_id.clone());
            Ok((model.info.artifact_uri, run))
        } else {
            let uri = st
                .store
                .get_model_version_download_uri(
                    parsed.name.as_deref().unwrap_or(""),
                    parsed.version.as_deref().unwrap_or(""),
                )
                .await?;
            Ok((uri, run_id.clone()))
        }
    }
    .await;
    resolved.map_err(|e| {
        MlflowError::new(
            ErrorCode::INTERNAL_ERROR,
            format!(
                "Unable to fetch model from model URI source artifact location '{source}'.\
                 Error: {}",
                e.message
            ),
        )
    })
}

/// POST /mlflow/model-versions/create
pub async fn create_model_version(
    State(st): State<AppState>,
    req: Proto<CreateModelVersion>,
) -> Result<Json<ModelVersionResponse>> {
    req.check(&[
        ("name", &[Str, Required]),
        ("source", &[Str, Required]),
        ("run_id", &[Str]),
        ("tags", &[Array]),
        ("run_link", &[Str]),
        ("description", &[Str]),
        ("model_id", &[Str]),
    ])?;
    let m = req.msg;
    let name = m.name.unwrap_or_default();
    let tags = pairs(m.tags);
    let source = m.source.unwrap_or_default();
    check_source_regex(&source)?;
    // `_is_prompt_request`: the last value of the tag decides.
    let is_prompt = tags
        .iter()
        .rev()
        .find(|(k, _)| k == IS_PROMPT_TAG_KEY)
        .is_some_and(|(_, v)| v.eq_ignore_ascii_case("true"));
    if is_prompt && !PROMPT_SOURCE_PLACEHOLDERS.contains(&source.as_str()) {
        return Err(MlflowError::invalid_parameter_value(format!(
            "Invalid prompt source: '{source}'. Prompt sources must use an MLflow placeholder."
        )));
    }
    crate::uri::validate_artifact_uri_scheme(&source, "source", &st.trusted_roots())?;
    // Unset string fields read as "" (proto3 defaults), which is what MLflow stores.
    let has_ids = (m.run_id.is_some(), m.model_id.is_some());
    let mut lineage = Lineage {
        source,
        run_id: Some(m.run_id.unwrap_or_default()),
        model_id: Some(m.model_id.unwrap_or_default()),
    };
    if !is_prompt {
        lineage = resolve_lineage(
            &st,
            &lineage.source,
            lineage.run_id,
            lineage.model_id,
            has_ids,
        )
        .await?;
        match lineage.model_id.as_deref().filter(|id| !id.is_empty()) {
            Some(model_id) => validate_source_model(&st, &lineage.source, model_id).await?,
            None => {
                let run_id = lineage.run_id.as_deref().unwrap_or("");
                validate_source_run(&st, &lineage.source, run_id).await?
            }
        }
    }
    let Lineage {
        source,
        run_id,
        model_id,
    } = lineage;
    let model_id = model_id.filter(|id| !id.is_empty());
    let (location, mut run_id) = storage_location(&st, &source, run_id).await?;
    if let Some(id) = &model_id {
        if run_id.as_deref().is_none_or(str::is_empty) {
            run_id = st
                .store
                .get_logged_model(id, false)
                .await?
                .info
                .source_run_id;
        }
    }
    let model_version = st
        .store
        .create_model_version(NewModelVersion {
            name: &name,
            source: &source,
            storage_location: &location,
            run_id: run_id.as_deref(),
            tags: &tags,
            run_link: Some(m.run_link.as_deref().unwrap_or("")),
            description: Some(m.description.as_deref().unwrap_or("")),
        })
        .await?;
    if let (false, Some(id)) = (is_prompt, &model_id) {
        record_model_version_on_logged_model(&st, id, &name, &model_version.version).await?;
    }
    Ok(Json(ModelVersionResponse { model_version }))
}

/// `set_model_versions_tags`: the logged model's `mlflow.modelVersions` tag lists the
/// versions registered from it, as `json.dumps([{"name": …, "version": …}])`.
async fn record_model_version_on_logged_model(
    st: &AppState,
    model_id: &str,
    name: &str,
    version: &str,
) -> Result<()> {
    const KEY: &str = "mlflow.modelVersions";
    let entry = serde_json::json!({"name": name, "version": version.parse::<i64>().unwrap_or(0)});
    let model = st.store.get_logged_model(model_id, false).await?;
    let mut versions = vec![entry.clone()];
    if let Some(existing) = model.info.tags.iter().find(|t| t.key == KEY) {
        if !existing.value.is_empty() {
            let parsed: Vec<serde_json::Value> =
                serde_json::from_str(&existing.value).unwrap_or_default();
            if !parsed.contains(&entry) {
                versions = parsed;
                versions.push(entry);
            }
        }
    }
    let value = crate::wire::proto::to_python_json_flat(&serde_json::Value::Array(versions));
    st.store
        .set_logged_model_tags(model_id, &[(KEY.to_owned(), value)])
        .await
}

/// GET /mlflow/model-versions/get
pub async fn get_model_version(
    State(st): State<AppState>,
    req: Proto<ModelVersionKey>,
) -> Result<Json<ModelVersionResponse>> {
    req.check(&[("name", &[Str, Required]), ("version", &[Str, Required])])?;
    let m = req.msg;
    let model_version = st
        .store
        .get_model_version(
            m.name.as_deref().unwrap_or(""),
            m.version.as_deref().unwrap_or(""),
        )
        .await?;
    Ok(Json(ModelVersionResponse { model_version }))
}

/// PATCH /mlflow/model-versions/update
pub async fn update_model_version(
    State(st): State<AppState>,
    req: Proto<UpdateModelVersion>,
) -> Result<Json<ModelVersionResponse>> {
    req.check(&[
        ("name", &[Str, Required]),
        ("version", &[Str, Required]),
        ("description", &[Str]),
    ])?;
    let m = req.msg;
    let model_version = st
        .store
        .update_model_version(
            m.name.as_deref().unwrap_or(""),
            m.version.as_deref().unwrap_or(""),
            m.description.as_deref(),
        )
        .await?;
    Ok(Json(ModelVersionResponse { model_version }))
}

/// POST /mlflow/model-versions/transition-stage
pub async fn transition_model_version_stage(
    State(st): State<AppState>,
    req: Proto<TransitionModelVersionStage>,
) -> Result<Json<ModelVersionResponse>> {
    req.check(&[
        ("name", &[Str, Required]),
        ("version", &[Str, Required]),
        ("stage", &[Str, Required]),
        ("archive_existing_versions", &[Bool]),
    ])?;
    let m = req.msg;
    let model_version = st
        .store
        .transition_model_version_stage(
            m.name.as_deref().unwrap_or(""),
            m.version.as_deref().unwrap_or(""),
            m.stage.as_deref().unwrap_or(""),
            m.archive_existing_versions.unwrap_or(false),
        )
        .await?;
    Ok(Json(ModelVersionResponse { model_version }))
}

/// DELETE /mlflow/model-versions/delete
pub async fn delete_model_version(
    State(st): State<AppState>,
    req: Proto<ModelVersionKey>,
) -> Result<Json<Empty>> {
    req.check(&[("name", &[Str, Required]), ("version", &[Str, Required])])?;
    let m = req.msg;
    st.store
        .delete_model_version(
            m.name.as_deref().unwrap_or(""),
            m.version.as_deref().unwrap_or(""),
        )
        .await?;
    Ok(Json(Empty {}))
}

/// GET /mlflow/model-versions/get-download-uri (MLflow gives this handler no schema).
pub async fn get_model_version_download_uri(
    State(st): State<AppState>,
    req: Proto<ModelVersionKey>,
) -> Result<Json<GetModelVersionDownloadUriResponse>> {
    let m = req.msg;
    let artifact_uri = st
        .store
        .get_model_version_download_uri(
            m.name.as_deref().unwrap_or(""),
            m.version.as_deref().unwrap_or(""),
        )
        .await?;
    Ok(Json(GetModelVersionDownloadUriResponse { artifact_uri }))
}

/// GET /mlflow/model-versions/search
pub async fn search_model_versions(
    State(st): State<AppState>,
    req: Proto<SearchRegistry>,
) -> Result<Json<ModelVersionsResponse>> {
    req.check(&[
        ("filter", &[Str]),
        ("max_results", &[IntLike, IntAtMost(200_000)]),
        ("order_by", &[Array, ItemTypeString]),
        ("page_token", &[Str]),
    ])?;
    let m = req.msg;
    let page = st
        .store
        .search_model_versions(
            m.filter.as_deref().unwrap_or(""),
            m.max_results.unwrap_or(SEARCH_MODEL_VERSIONS_DEFAULT),
            &m.order_by.unwrap_or_default(),
            m.page_token.as_deref().filter(|t| !t.is_empty()),
        )
        .await?;
    Ok(Json(ModelVersionsResponse {
        model_versions: page.items,
        next_page_token: page.next_page_token,
    }))
}

/// POST /mlflow/model-versions/set-tag
pub async fn set_model_version_tag(
    State(st): State<AppState>,
    req: Proto<SetModelVersionTag>,
) -> Result<Json<Empty>> {
    req.check(&[
        ("name", &[Str, Required]),
        ("version", &[Str, Required]),
        ("key", &[Str, Required]),
        ("value", &[Str]),
    ])?;
    let m = req.msg;
    st.store
        .set_model_version_tag(
            m.name.as_deref().unwrap_or(""),
            m.version.as_deref().unwrap_or(""),
            m.key.as_deref().unwrap_or(""),
            m.value.as_deref().unwrap_or(""),
        )
        .await?;
    Ok(Json(Empty {}))
}

/// DELETE /mlflow/model-versions/delete-tag
pub async fn delete_model_version_tag(
    State(st): State<AppState>,
    req: Proto<DeleteModelVersionTag>,
) -> Result<Json<Empty>> {
    req.check(&[
        ("name", &[Str, Required]),
        ("version", &[Str, Required]),
        ("key", &[Str, Required]),
    ])?;
    let m = req.msg;
    st.store
        .delete_model_version_tag(
            m.name.as_deref().unwrap_or(""),
            m.version.as_deref().unwrap_or(""),
            m.key.as_deref().unwrap_or(""),
        )
        .await?;
    Ok(Json(Empty {}))
}

/// POST /mlflow/registered-models/alias
pub async fn set_registered_model_alias(
    State(st): State<AppState>,
    req: Proto<SetRegisteredModelAlias>,
) -> Result<Json<Empty>> {
    req.check(&[
        ("name", &[Str, Required]),
        ("alias", &[Str, Required]),
        ("version", &[Str, Required]),
    ])?;
    let m = req.msg;
    st.store
        .set_registered_model_alias(
            m.name.as_deref().unwrap_or(""),
            m.alias.as_deref().unwrap_or(""),
            m.version.as_deref().unwrap_or(""),
        )
        .await?;
    Ok(Json(Empty {}))
}

/// DELETE /mlflow/registered-models/alias
pub async fn delete_registered_model_alias(
    State(st): State<AppState>,
    req: Proto<RegisteredModelAliasKey>,
) -> Result<Json<Empty>> {
    req.check(&[("name", &[Str, Required]), ("alias", &[Str, Required])])?;
    let m = req.msg;
    st.store
        .delete_registered_model_alias(
            m.name.as_deref().unwrap_or(""),
            m.alias.as_deref().unwrap_or(""),
        )
        .await?;
    Ok(Json(Empty {}))
}

/// GET /mlflow/registered-models/alias
pub async fn get_model_version_by_alias(
    State(st): State<AppState>,
    req: Proto<RegisteredModelAliasKey>,
) -> Result<Json<ModelVersionResponse>> {
    req.check(&[("name", &[Str, Required]), ("alias", &[Str, Required])])?;
    let m = req.msg;
    let model_version = st
        .store
        .get_model_version_by_alias(
            m.name.as_deref().unwrap_or(""),
            m.alias.as_deref().unwrap_or(""),
        )
        .await?;
    Ok(Json(ModelVersionResponse { model_version }))
}

/// GET /model-versions/get-artifact?name=…&version=…&path=… (the UI's file download). The
/// version's download URI is read like a run's artifact root: proxied roots from the
/// artifacts destination, `s3://` roots from S3; the server never opens a local path a
/// client registered (MLflow does, which is how CVE-2023-6909 read server files).
pub async fn get_model_version_artifact(
    State(st): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let result: Result<Response> = async {
        let pairs = query_pairs(query.as_deref());
        let name = first(&pairs, "name").unwrap_or("");
        let version = first(&pairs, "version").unwrap_or("");
        let path = first(&pairs, "path").ok_or_else(|| {
            MlflowError::new(
                ErrorCode::BAD_REQUEST,
                "Missing value for required parameter 'path'.",
            )
        })?;
        let relative = safe(path)?;
        let uri = st
            .store
            .get_model_version_download_uri(name, version)
            .await?;
        let (store, dest) = root_location(&st, &uri, Some(&relative))?;
        send_file(store.as_ref(), &dest, &relative, &headers).await
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

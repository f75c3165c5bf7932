//! Model registry messages (`model_registry.proto`): registered models, model versions, their
//! tags and aliases.

use serde::Serialize;

use crate::proto_message;
use crate::wire::tracking::{KeyValue, Tag};

proto_message! {
    pub struct CreateRegisteredModel {
        name: String, tags: Vec<Box<KeyValue>>, description: String, deployment_job_id: String,
    }
}
proto_message! { pub struct RenameRegisteredModel { name: String, new_name: String } }
proto_message! {
    pub struct UpdateRegisteredModel { name: String, description: String, deployment_job_id: String }
}
proto_message! { pub struct RegisteredModelName { name: String } }
proto_message! {
    /// `SearchRegisteredModels` and `SearchModelVersions` (same fields, different defaults).
    pub struct SearchRegistry { filter: String, max_results: i64, order_by: Vec<String>, page_token: String }
}
proto_message! { pub struct GetLatestVersions { name: String, stages: Vec<String> } }
proto_message! {
    pub struct CreateModelVersion {
        name: String, source: String, run_id: String, tags: Vec<Box<KeyValue>>, run_link: String,
        description: String, model_id: String,
    }
}
proto_message! { pub struct UpdateModelVersion { name: String, version: String, description: String } }
proto_message! {
    pub struct TransitionModelVersionStage {
        name: String, version: String, stage: String, archive_existing_versions: bool,
    }
}
proto_message! {
/// `GetModelVersion`, `DeleteModelVersion`, `GetModelVersionDownloadUri`.
pub struct ModelVersionKey { name: String, version: String } }
proto_message! { pub struct SetRegisteredModelTag { name: String, key: String, value: String } }
proto_message! {
    pub struct SetModelVersionTag { name: String, version: String, key: String, value: String }
}
proto_message! { pub struct DeleteRegisteredModelTag { name: String, key: String } }
proto_message! { pub struct DeleteModelVersionTag { name: String, version: String, key: String } }
proto_message! { pub struct SetRegisteredModelAlias { name: String, alias: String, version: String } }
proto_message! {
/// `DeleteRegisteredModelAlias`, `GetModelVersionByAlias`.
pub struct RegisteredModelAliasKey { name: String, alias: String } }

/// `RegisteredModelAlias`.
#[derive(Debug, Clone, Serialize)]
pub struct RegisteredModelAlias {
    pub alias: String,
    pub version: String,
}

/// `ModelVersion` as `ModelVersion.to_proto` fills it: `None` fields are unset, `model_id`
/// is never written (MLflow's TODO), `status_message` only when non-empty.
#[derive(Debug, Clone, Serialize)]
pub struct ModelVersion {
    pub name: String,
    pub version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_timestamp: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_updated_timestamp: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_stage: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_message: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_link: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
}

/// `RegisteredModel` as `RegisteredModel.to_proto` fills it (`last_updated_timestamp` and
/// `description` only when truthy).
#[derive(Debug, Clone, Serialize)]
pub struct RegisteredModel {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_timestamp: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_updated_timestamp: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub latest_versions: Vec<ModelVersion>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<RegisteredModelAlias>,
}

#[derive(Debug, Serialize)]
pub struct RegisteredModelResponse {
    pub registered_model: RegisteredModel,
}

#[derive(Debug, Serialize)]
pub struct ModelVersionResponse {
    pub model_version: ModelVersion,
}

#[derive(Debug, Serialize)]
pub struct SearchRegisteredModelsResponse {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub registered_models: Vec<RegisteredModel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

/// `SearchModelVersions.Response` and `GetLatestVersions.Response`.
#[derive(Debug, Serialize)]
pub struct ModelVersionsResponse {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub model_versions: Vec<ModelVersion>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct GetModelVersionDownloadUriResponse {
    pub artifact_uri: String,
}

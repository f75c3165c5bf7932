//! MLflow 3 logged models as they travel in JSON (`LoggedModel*` messages of `service.proto`).

use serde::Serialize;

use crate::proto_message;
use crate::wire::proto::{ParseError, ProtoValue, Repeated};
use crate::wire::tracking::{enum_field, KeyValue, Tag};

/// `LoggedModelStatus`; the number is what the `logged_models.status` column stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(non_camel_case_types, clippy::upper_case_acronyms)]
pub enum LoggedModelStatus {
    LOGGED_MODEL_STATUS_UNSPECIFIED = 0,
    LOGGED_MODEL_PENDING = 1,
    LOGGED_MODEL_READY = 2,
    LOGGED_MODEL_UPLOAD_FAILED = 3,
}

impl LoggedModelStatus {
    const ALL: [LoggedModelStatus; 4] = [
        LoggedModelStatus::LOGGED_MODEL_STATUS_UNSPECIFIED,
        LoggedModelStatus::LOGGED_MODEL_PENDING,
        LoggedModelStatus::LOGGED_MODEL_READY,
        LoggedModelStatus::LOGGED_MODEL_UPLOAD_FAILED,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LoggedModelStatus::LOGGED_MODEL_STATUS_UNSPECIFIED => "LOGGED_MODEL_STATUS_UNSPECIFIED",
            LoggedModelStatus::LOGGED_MODEL_PENDING => "LOGGED_MODEL_PENDING",
            LoggedModelStatus::LOGGED_MODEL_READY => "LOGGED_MODEL_READY",
            LoggedModelStatus::LOGGED_MODEL_UPLOAD_FAILED => "LOGGED_MODEL_UPLOAD_FAILED",
        }
    }

    pub fn from_number(i: i64) -> Option<Self> {
        usize::try_from(i)
            .ok()
            .and_then(|i| Self::ALL.get(i).copied())
    }

    fn from_name(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

impl ProtoValue for LoggedModelStatus {
    fn from_json_field(v: &serde_json::Value) -> (Option<Self>, bool) {
        enum_field(
            v,
            LoggedModelStatus::from_number,
            LoggedModelStatus::from_name,
        )
    }

    fn from_json(v: &serde_json::Value) -> Result<Self, ParseError> {
        match Self::from_json_field(v) {
            (Some(x), true) => Ok(x),
            _ => Err(ParseError),
        }
    }
}
impl Repeated for LoggedModelStatus {}

proto_message! {
    pub struct CreateLoggedModel {
        experiment_id: String, name: String, model_type: String, source_run_id: String,
        params: Vec<Box<KeyValue>>, tags: Vec<Box<KeyValue>>,
    }
}
proto_message! { pub struct FinalizeLoggedModel { model_id: String, status: LoggedModelStatus } }
proto_message! { pub struct SetLoggedModelTags { model_id: String, tags: Vec<Box<KeyValue>> } }
proto_message! { pub struct LogLoggedModelParams { model_id: String, params: Vec<Box<KeyValue>> } }
proto_message! { pub struct SearchDatasetFilter { dataset_name: String, dataset_digest: String } }
proto_message! {
    pub struct SearchOrderBy { field_name: String, ascending: bool, dataset_name: String, dataset_digest: String }
}
proto_message! {
    pub struct SearchLoggedModels {
        experiment_ids: Vec<String>, filter: String, max_results: i32,
        order_by: Vec<Box<SearchOrderBy>>, page_token: String, datasets: Vec<Box<SearchDatasetFilter>>,
    }
}
proto_message! { pub struct ListLoggedModelArtifacts { artifact_directory_path: String, page_token: String } }
proto_message! { pub struct GetLoggedModelQuery { allow_deleted: String } }

/// `Metric` with every field, as a logged model carries it.
#[derive(Debug, Clone, Serialize)]
pub struct ModelMetric {
    pub key: String,
    #[serde(serialize_with = "crate::wire::proto::serialize_double")]
    pub value: f64,
    pub timestamp: i64,
    pub step: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dataset_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dataset_digest: Option<String>,
    pub model_id: String,
    pub run_id: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct LoggedModelInfo {
    pub model_id: String,
    pub experiment_id: String,
    pub name: String,
    pub creation_timestamp_ms: i64,
    pub last_updated_timestamp_ms: i64,
    pub artifact_uri: String,
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_run_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_message: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct LoggedModelData {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<Tag>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub metrics: Vec<ModelMetric>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LoggedModel {
    pub info: LoggedModelInfo,
    pub data: LoggedModelData,
}

#[derive(Debug, Serialize)]
pub struct LoggedModelResponse {
    pub model: LoggedModel,
}

#[derive(Debug, Serialize)]
pub struct SearchLoggedModelsResponse {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub models: Vec<LoggedModel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

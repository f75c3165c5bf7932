//! Tracking-service messages (`service.proto`): experiments, runs, params, metrics, tags.
//!
//! Request messages keep proto2 presence (`Option` per field); response messages omit unset
//! fields and empty repeated fields exactly as `MessageToDict` does.

use serde::Serialize;

use crate::proto_message;
use crate::wire::proto::{ParseError, ProtoValue, Repeated};

// ---------------------------------------------------------------------------------------------
// Enums: accepted by name or number, written by name.

/// An enum field as json_format reads it: a name, a number (also as a numeric string or a
/// boolean, since Python's bool is an int). A name or number that is no value of the enum
/// leaves the field unset (`ignore_unknown_fields=True`); any other JSON type is an error.
pub(crate) fn enum_field<T>(
    v: &serde_json::Value,
    by_number: fn(i64) -> Option<T>,
    by_name: fn(&str) -> Option<T>,
) -> (Option<T>, bool) {
    use serde_json::Value;
    match v {
        Value::String(s) => match by_name(s) {
            Some(x) => (Some(x), true),
            None => (s.parse::<i64>().ok().and_then(by_number), true),
        },
        Value::Bool(b) => (by_number(i64::from(*b)), true),
        Value::Number(n) => match n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
        {
            Some(i) => (by_number(i), true),
            None => (None, false),
        },
        _ => (None, false),
    }
}

/// `ViewType`: ACTIVE_ONLY = 1, DELETED_ONLY = 2, ALL = 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewType {
    ActiveOnly,
    DeletedOnly,
    All,
}

impl ViewType {
    /// `LifecycleStage.view_type_to_stages`.
    pub fn stages(self) -> &'static [&'static str] {
        match self {
            ViewType::ActiveOnly => &["active"],
            ViewType::DeletedOnly => &["deleted"],
            ViewType::All => &["active", "deleted"],
        }
    }
}

impl ViewType {
    fn from_number(i: i64) -> Option<ViewType> {
        match i {
            1 => Some(ViewType::ActiveOnly),
            2 => Some(ViewType::DeletedOnly),
            3 => Some(ViewType::All),
            _ => None,
        }
    }

    fn from_name(s: &str) -> Option<ViewType> {
        match s {
            "ACTIVE_ONLY" => Some(ViewType::ActiveOnly),
            "DELETED_ONLY" => Some(ViewType::DeletedOnly),
            "ALL" => Some(ViewType::All),
            _ => None,
        }
    }
}

impl ProtoValue for ViewType {
    fn from_json_field(v: &serde_json::Value) -> (Option<Self>, bool) {
        enum_field(v, ViewType::from_number, ViewType::from_name)
    }

    fn from_json(v: &serde_json::Value) -> Result<Self, ParseError> {
        match Self::from_json_field(v) {
            (Some(x), true) => Ok(x),
            _ => Err(ParseError),
        }
    }
}
impl Repeated for ViewType {}

/// `RunStatus`: RUNNING = 1, SCHEDULED = 2, FINISHED = 3, FAILED = 4, KILLED = 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[allow(non_camel_case_types, clippy::upper_case_acronyms)]
pub enum RunStatus {
    RUNNING,
    SCHEDULED,
    FINISHED,
    FAILED,
    KILLED,
}

impl RunStatus {
    pub const ALL: [RunStatus; 5] = [
        RunStatus::RUNNING,
        RunStatus::SCHEDULED,
        RunStatus::FINISHED,
        RunStatus::FAILED,
        RunStatus::KILLED,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::RUNNING => "RUNNING",
            RunStatus::SCHEDULED => "SCHEDULED",
            RunStatus::FINISHED => "FINISHED",
            RunStatus::FAILED => "FAILED",
            RunStatus::KILLED => "KILLED",
        }
    }

    pub fn parse(s: &str) -> Option<RunStatus> {
        RunStatus::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

impl ProtoValue for RunStatus {
    fn from_json_field(v: &serde_json::Value) -> (Option<Self>, bool) {
        let by_number = |i: i64| match i {
            1..=5 => Some(RunStatus::ALL[(i - 1) as usize]),
            _ => None,
        };
        enum_field(v, by_number, RunStatus::parse)
    }

    fn from_json(v: &serde_json::Value) -> Result<Self, ParseError> {
        match Self::from_json_field(v) {
            (Some(x), true) => Ok(x),
            _ => Err(ParseError),
        }
    }
}
impl Repeated for RunStatus {}

// ---------------------------------------------------------------------------------------------
// Request messages.

proto_message! {
    /// `ExperimentTag`, `RunTag`, `Param` and `InputTag` share this shape.
    pub struct KeyValue { key: String, value: String }
}

proto_message! {
    pub struct MetricMsg {
        key: String, value: f64, timestamp: i64, step: i64,
        dataset_name: String, dataset_digest: String, model_id: String, run_id: String,
    }
}

proto_message! { pub struct CreateExperiment { name: String, artifact_location: String, tags: Vec<Box<KeyValue>> } }
proto_message! { pub struct GetExperiment { experiment_id: String } }
proto_message! { pub struct GetExperimentByName { experiment_name: String } }
proto_message! {
    pub struct SearchExperiments {
        max_results: i64, page_token: String, filter: String, order_by: Vec<String>, view_type: ViewType,
    }
}
proto_message! { pub struct DeleteExperiment { experiment_id: String } }
proto_message! { pub struct RestoreExperiment { experiment_id: String } }
proto_message! { pub struct UpdateExperiment { experiment_id: String, new_name: String } }
proto_message! { pub struct SetExperimentTag { experiment_id: String, key: String, value: String } }
proto_message! { pub struct DeleteExperimentTag { experiment_id: String, key: String } }
proto_message! {
    pub struct CreateRun {
        experiment_id: String, user_id: String, run_name: String, start_time: i64, tags: Vec<Box<KeyValue>>,
    }
}
proto_message! {
    pub struct UpdateRun { run_id: String, run_uuid: String, status: RunStatus, end_time: i64, run_name: String }
}
proto_message! { pub struct DeleteRun { run_id: String } }
proto_message! { pub struct RestoreRun { run_id: String } }
proto_message! { pub struct GetRun { run_id: String, run_uuid: String } }
proto_message! {
    pub struct SearchRuns {
        experiment_ids: Vec<String>, filter: String, run_view_type: ViewType, max_results: i32,
        order_by: Vec<String>, page_token: String,
    }
}
proto_message! {
    pub struct LogMetric {
        run_id: String, run_uuid: String, key: String, value: f64, timestamp: i64, step: i64,
        model_id: String, dataset_name: String, dataset_digest: String,
    }
}
proto_message! { pub struct LogParam { run_id: String, run_uuid: String, key: String, value: String } }
proto_message! { pub struct SetTag { run_id: String, run_uuid: String, key: String, value: String } }
proto_message! { pub struct DeleteTag { run_id: String, key: String } }
proto_message! {
    pub struct LogBatch {
        run_id: String, metrics: Vec<Box<MetricMsg>>, params: Vec<Box<KeyValue>>, tags: Vec<Box<KeyValue>>,
    }
}
proto_message! {
    pub struct GetMetricHistory {
        run_id: String, run_uuid: String, metric_key: String, page_token: String, max_results: i32,
    }
}
proto_message! {
    pub struct GetMetricHistoryBulkInterval {
        run_ids: Vec<String>, metric_key: String, start_step: i32, end_step: i32, max_results: i32,
    }
}

// ---------------------------------------------------------------------------------------------
// Response messages (field order = proto field order).

#[derive(Debug, Clone, Serialize)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Experiment {
    pub experiment_id: String,
    pub name: String,
    pub artifact_location: String,
    pub lifecycle_stage: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_update_time: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_time: Option<i64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
    pub workspace: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RunInfo {
    pub run_uuid: String,
    pub experiment_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_name: Option<String>,
    pub user_id: String,
    pub status: RunStatus,
    pub start_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_time: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub artifact_uri: Option<String>,
    pub lifecycle_stage: String,
    pub run_id: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Metric {
    pub key: String,
    #[serde(serialize_with = "crate::wire::proto::serialize_double")]
    pub value: f64,
    pub timestamp: i64,
    pub step: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct RunData {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub metrics: Vec<Metric>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<Tag>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Dataset {
    pub name: String,
    pub digest: String,
    pub source_type: String,
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DatasetInput {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
    pub dataset: Dataset,
}

#[derive(Debug, Clone, Serialize)]
pub struct ModelInput {
    pub model_id: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ModelOutput {
    pub model_id: String,
    pub step: i64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct RunInputs {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dataset_inputs: Vec<DatasetInput>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub model_inputs: Vec<ModelInput>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct RunOutputs {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub model_outputs: Vec<ModelOutput>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Run {
    pub info: RunInfo,
    pub data: RunData,
    pub inputs: RunInputs,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outputs: Option<RunOutputs>,
}

#[derive(Debug, Serialize)]
pub struct CreateExperimentResponse {
    pub experiment_id: String,
}

#[derive(Debug, Serialize)]
pub struct ExperimentResponse {
    pub experiment: Experiment,
}

#[derive(Debug, Serialize)]
pub struct SearchExperimentsResponse {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub experiments: Vec<Experiment>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct RunResponse {
    pub run: Run,
}

#[derive(Debug, Serialize)]
pub struct UpdateRunResponse {
    pub run_info: RunInfo,
}

#[derive(Debug, Serialize)]
pub struct SearchRunsResponse {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub runs: Vec<Run>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct MetricsResponse {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub metrics: Vec<Metric>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

proto_message! {
    pub struct DatasetMsg {
        name: String, digest: String, source_type: String, source: String, schema: String, profile: String,
    }
}
proto_message! { pub struct DatasetInputMsg { tags: Vec<Box<KeyValue>>, dataset: Box<DatasetMsg> } }
proto_message! { pub struct ModelInputMsg { model_id: String } }
proto_message! { pub struct ModelOutputMsg { model_id: String, step: i64 } }
proto_message! {
    pub struct LogInputs { run_id: String, datasets: Vec<Box<DatasetInputMsg>>, models: Vec<Box<ModelInputMsg>> }
}
proto_message! { pub struct LogOutputs { run_id: String, models: Vec<Box<ModelOutputMsg>> } }
proto_message! { pub struct SearchDatasets { experiment_ids: Vec<String> } }

#[derive(Debug, Serialize)]
pub struct DatasetSummary {
    pub experiment_id: String,
    pub name: String,
    pub digest: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct SearchDatasetsResponse {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dataset_summaries: Vec<DatasetSummary>,
}

#[derive(Debug, Serialize)]
pub struct MetricWithRunId {
    pub key: String,
    #[serde(serialize_with = "crate::wire::proto::serialize_double")]
    pub value: f64,
    pub timestamp: i64,
    pub step: i64,
    pub run_id: String,
}

#[derive(Debug, Serialize)]
pub struct MetricsWithRunIdResponse {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub metrics: Vec<MetricWithRunId>,
}

proto_message! { pub struct LogModel { run_id: String, model_json: String } }

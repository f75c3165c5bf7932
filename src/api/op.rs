//! One variant per MLflow RPC, under its proto name. Span names and the permission each
//! operation needs come from here; `permission()` has no catch-all arm, so a new endpoint
//! without a permission does not compile.

/// What an operation needs, in the terms of MLflow's basic-auth app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Open to anyone who can reach the server (health, version).
    None,
    Read,
    Edit,
    Manage,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Health,
    Version,
    CreateExperiment,
    GetExperiment,
    GetExperimentByName,
    SearchExperiments,
    DeleteExperiment,
    RestoreExperiment,
    UpdateExperiment,
    SetExperimentTag,
    DeleteExperimentTag,
    CreateRun,
    GetRun,
    UpdateRun,
    DeleteRun,
    RestoreRun,
    SearchRuns,
    LogMetric,
    LogParam,
    LogBatch,
    SetTag,
    DeleteTag,
    GetMetricHistory,
    GetMetricHistoryBulkInterval,
    GetMetricHistoryBulk,
    LogInputs,
    LogOutputs,
    LogModel,
    SearchDatasets,
    GetServerInfo,
    ListArtifactsMlflowArtifacts,
    /// GET, PUT and DELETE of one artifact path share a route; the permission is the
    /// strictest of the three.
    DownloadArtifact,
    ListArtifacts,
    GetArtifact,
    UploadArtifact,
    CreateMultipartUpload,
    CompleteMultipartUpload,
    AbortMultipartUpload,
    GetPresignedDownloadUrl,
    CreateLoggedModel,
    SearchLoggedModels,
    /// GET, PATCH (finalize) and DELETE of one logged model share a route; the permission is
    /// the strictest of the three.
    LoggedModel,
    SetLoggedModelTags,
    DeleteLoggedModelTag,
    LogLoggedModelParams,
    ListLoggedModelArtifacts,
    GetLoggedModelArtifact,
    /// `POST|GET /graphql`: the UI's reads (runs, experiments, metric histories, versions).
    Graphql,
    GetRegisteredModel,
    SearchRegisteredModels,
    GetLatestVersions,
    GetModelVersion,
    GetModelVersionDownloadUri,
    SearchModelVersions,
    GetModelVersionArtifact,
    CreateRegisteredModel,
    UpdateRegisteredModel,
    SetRegisteredModelTag,
    DeleteRegisteredModelTag,
    CreateModelVersion,
    UpdateModelVersion,
    TransitionModelVersionStage,
    SetModelVersionTag,
    DeleteModelVersionTag,
    RenameRegisteredModel,
    DeleteRegisteredModel,
    DeleteModelVersion,
    /// POST (set), DELETE and GET of an alias share a route; the permission is the
    /// strictest of the three.
    RegisteredModelAlias,
    /// GET (config) and POST (records) of the UI telemetry route.
    UiTelemetry,
    GetAssistantConfig,
    GetAssistantProviders,
    /// GET and POST of the legacy deployments proxy.
    GatewayProxy,
    SearchTracesV3,
    /// The deprecated v2 `GET /mlflow/traces`.
    SearchTraces,
    QueryTraceMetrics,
    SearchIssues,
    ListScorers,
    SearchEvaluationDatasets,
}

impl Op {
    pub fn name(self) -> &'static str {
        match self {
            Op::Health => "Health",
            Op::Version => "Version",
            Op::CreateExperiment => "CreateExperiment",
            Op::GetExperiment => "GetExperiment",
            Op::GetExperimentByName => "GetExperimentByName",
            Op::SearchExperiments => "SearchExperiments",
            Op::DeleteExperiment => "DeleteExperiment",
            Op::RestoreExperiment => "RestoreExperiment",
            Op::UpdateExperiment => "UpdateExperiment",
            Op::SetExperimentTag => "SetExperimentTag",
            Op::DeleteExperimentTag => "DeleteExperimentTag",
            Op::CreateRun => "CreateRun",
            Op::GetRun => "GetRun",
            Op::UpdateRun => "UpdateRun",
            Op::DeleteRun => "DeleteRun",
            Op::RestoreRun => "RestoreRun",
            Op::SearchRuns => "SearchRuns",
            Op::LogMetric => "LogMetric",
            Op::LogParam => "LogParam",
            Op::LogBatch => "LogBatch",
            Op::SetTag => "SetTag",
            Op::DeleteTag => "DeleteTag",
            Op::GetMetricHistory => "GetMetricHistory",
            Op::GetMetricHistoryBulkInterval => "GetMetricHistoryBulkInterval",
            Op::GetMetricHistoryBulk => "GetMetricHistoryBulk",
            Op::LogInputs => "LogInputs",
            Op::LogOutputs => "LogOutputs",
            Op::LogModel => "LogModel",
            Op::GetServerInfo => "GetServerInfo",
            Op::ListArtifactsMlflowArtifacts => "ListArtifacts",
            Op::DownloadArtifact => "ArtifactFile",
            Op::ListArtifacts => "ListArtifacts",
            Op::GetArtifact => "GetArtifact",
            Op::UploadArtifact => "UploadArtifact",
            Op::SearchDatasets => "SearchDatasets",
            Op::CreateMultipartUpload => "CreateMultipartUpload",
            Op::CompleteMultipartUpload => "CompleteMultipartUpload",
            Op::AbortMultipartUpload => "AbortMultipartUpload",
            Op::GetPresignedDownloadUrl => "GetPresignedDownloadUrl",
            Op::CreateLoggedModel => "CreateLoggedModel",
            Op::SearchLoggedModels => "SearchLoggedModels",
            Op::LoggedModel => "LoggedModel",
            Op::SetLoggedModelTags => "SetLoggedModelTags",
            Op::DeleteLoggedModelTag => "DeleteLoggedModelTag",
            Op::LogLoggedModelParams => "LogLoggedModelParams",
            Op::ListLoggedModelArtifacts => "ListLoggedModelArtifacts",
            Op::GetLoggedModelArtifact => "GetLoggedModelArtifact",
            Op::Graphql => "Graphql",
            Op::GetRegisteredModel => "GetRegisteredModel",
            Op::SearchRegisteredModels => "SearchRegisteredModels",
            Op::GetLatestVersions => "GetLatestVersions",
            Op::GetModelVersion => "GetModelVersion",
            Op::GetModelVersionDownloadUri => "GetModelVersionDownloadUri",
            Op::SearchModelVersions => "SearchModelVersions",
            Op::GetModelVersionArtifact => "GetModelVersionArtifact",
            Op::CreateRegisteredModel => "CreateRegisteredModel",
            Op::UpdateRegisteredModel => "UpdateRegisteredModel",
            Op::SetRegisteredModelTag => "SetRegisteredModelTag",
            Op::DeleteRegisteredModelTag => "DeleteRegisteredModelTag",
            Op::CreateModelVersion => "CreateModelVersion",
            Op::UpdateModelVersion => "UpdateModelVersion",
            Op::TransitionModelVersionStage => "TransitionModelVersionStage",
            Op::SetModelVersionTag => "SetModelVersionTag",
            Op::DeleteModelVersionTag => "DeleteModelVersionTag",
            Op::RenameRegisteredModel => "RenameRegisteredModel",
            Op::DeleteRegisteredModel => "DeleteRegisteredModel",
            Op::DeleteModelVersion => "DeleteModelVersion",
            Op::RegisteredModelAlias => "RegisteredModelAlias",
            Op::UiTelemetry => "UiTelemetry",
            Op::GetAssistantConfig => "GetAssistantConfig",
            Op::GetAssistantProviders => "GetAssistantProviders",
            Op::GatewayProxy => "GatewayProxy",
            Op::SearchTracesV3 => "SearchTracesV3",
            Op::SearchTraces => "SearchTraces",
            Op::QueryTraceMetrics => "QueryTraceMetrics",
            Op::SearchIssues => "SearchIssues",
            Op::ListScorers => "ListScorers",
            Op::SearchEvaluationDatasets => "SearchEvaluationDatasets",
        }
    }

    /// The permission MLflow's auth app requires (`mlflow/server/auth/__init__.py`
    /// `BEFORE_REQUEST_VALIDATORS`).
    pub fn permission(self) -> Permission {
        match self {
            Op::Health | Op::Version | Op::GetServerInfo => Permission::None,
            Op::Graphql => Permission::Read,
            // The auth app asks only for a logged-in user here (`_allow_authenticated`,
            // `_get_require_authentication_validator`, `validate_gateway_proxy`).
            Op::UiTelemetry
            | Op::GetAssistantConfig
            | Op::GetAssistantProviders
            | Op::GatewayProxy => Permission::None,
            Op::SearchTracesV3
            | Op::SearchTraces
            | Op::QueryTraceMetrics
            | Op::SearchIssues
            | Op::ListScorers
            | Op::SearchEvaluationDatasets => Permission::Read,
            Op::ListArtifactsMlflowArtifacts | Op::ListArtifacts | Op::GetArtifact => {
                Permission::Read
            }
            // The auth app protects the artifact service by path like artifact writes.
            Op::UploadArtifact
            | Op::CreateMultipartUpload
            | Op::CompleteMultipartUpload
            | Op::AbortMultipartUpload => Permission::Edit,
            Op::GetPresignedDownloadUrl => Permission::Read,
            Op::SearchLoggedModels | Op::ListLoggedModelArtifacts | Op::GetLoggedModelArtifact => {
                Permission::Read
            }
            Op::CreateLoggedModel
            | Op::SetLoggedModelTags
            | Op::DeleteLoggedModelTag
            | Op::LogLoggedModelParams => Permission::Edit,
            Op::LoggedModel => Permission::Manage,
            Op::DownloadArtifact => Permission::Manage,
            Op::CreateExperiment | Op::SearchExperiments | Op::GetExperimentByName => {
                Permission::Read
            }
            Op::GetExperiment
            | Op::GetRun
            | Op::SearchRuns
            | Op::GetMetricHistory
            | Op::GetMetricHistoryBulkInterval
            | Op::GetMetricHistoryBulk
            | Op::SearchDatasets => Permission::Read,
            Op::CreateRun
            | Op::UpdateRun
            | Op::RestoreRun
            | Op::LogMetric
            | Op::LogParam
            | Op::LogBatch
            | Op::LogInputs
            | Op::LogOutputs
            | Op::LogModel
            | Op::SetTag
            | Op::DeleteTag
            | Op::SetExperimentTag
            | Op::DeleteExperimentTag
            | Op::UpdateExperiment
            | Op::RestoreExperiment => Permission::Edit,
            Op::DeleteRun | Op::DeleteExperiment => Permission::Manage,
            Op::GetRegisteredModel
            | Op::SearchRegisteredModels
            | Op::GetLatestVersions
            | Op::GetModelVersion
            | Op::GetModelVersionDownloadUri
            | Op::SearchModelVersions
            | Op::GetModelVersionArtifact => Permission::Read,
            Op::CreateRegisteredModel
            | Op::UpdateRegisteredModel
            | Op::SetRegisteredModelTag
            | Op::DeleteRegisteredModelTag
            | Op::CreateModelVersion
            | Op::UpdateModelVersion
            | Op::TransitionModelVersionStage
            | Op::SetModelVersionTag
            | Op::DeleteModelVersionTag
            | Op::RegisteredModelAlias => Permission::Edit,
            Op::RenameRegisteredModel | Op::DeleteRegisteredModel | Op::DeleteModelVersion => {
                Permission::Manage
            }
        }
    }
}

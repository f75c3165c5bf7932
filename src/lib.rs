//! mlflowd: MLflow's tracking server (REST API, wire format and SQL schema of MLflow 3.17.2)
//! as one native binary.

/// HTTP front end: routes, request decoding, handlers per MLflow resource.
pub mod api;
/// `AppState` and the router builder.
pub mod app;
/// Artifact stores and the path rules that guard them.
pub mod artifacts;
/// `mlflow server`'s command line.
pub mod config;
/// The one error type and its mapping to MLflow error codes.
pub mod error;
/// `/graphql`: MLflow's GraphQL schema over the same store (the web UI's run and experiment pages).
pub mod graphql;
/// Random run names.
pub mod names;
/// The search filter language (no SQL, no HTTP).
pub mod search;
/// The tracking store over PostgreSQL and SQLite.
pub mod store;
/// URI helpers from `mlflow/utils/uri.py`.
pub mod uri;
/// Validation mirroring `mlflow/utils/validation.py`.
pub mod validation;
/// Wire types named after MLflow's proto messages.
pub mod wire;

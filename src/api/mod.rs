//! The REST front end: route table, request decoding and one module per MLflow resource.

pub mod artifacts;
pub mod experiments;
pub mod extract;
pub mod health;
pub mod logged_models;
pub mod metrics;
pub mod op;
pub mod registry;
pub mod routes;
pub mod run_artifacts;
pub mod runs;
pub mod security;
pub mod server_info;
pub mod ui;
pub mod ui_support;

//! Wire types: MLflow's protobuf messages as they travel in JSON (`mlflow/protos/service.proto`).
//!
//! Requests are decoded by [`proto`] with protobuf-JSON leniency; responses are serde types
//! whose field order is the proto field order, written as Python's `json.dumps(indent=2)`.

pub mod logged_models;
pub mod proto;
pub mod registry;
pub mod tracking;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// A JSON response body written exactly as MLflow's Flask handlers write it.
pub fn json_response<T: Serialize + ?Sized>(status: StatusCode, body: &T) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        proto::to_python_json(body),
    )
        .into_response()
}

/// A successful RPC response.
pub struct Json<T>(pub T);

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        json_response(StatusCode::OK, &self.0)
    }
}

/// The empty response message (`{}`) most mutating RPCs return.
#[derive(Debug, Default, Serialize)]
pub struct Empty {}

//! The one error type of mlflowd and its single mapping to MLflow's wire error.
//!
//! Mirrors `mlflow/exceptions.py` (`MlflowException.serialize_as_json`) and
//! `mlflow/protos/databricks_pb2` error codes with `ERROR_CODE_TO_HTTP_STATUS`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// MLflow's `ErrorCode` names (the subset mlflowd emits, plus the ones whose status differs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[allow(non_camel_case_types)]
pub enum ErrorCode {
    INTERNAL_ERROR,
    TEMPORARILY_UNAVAILABLE,
    BAD_REQUEST,
    INVALID_PARAMETER_VALUE,
    ENDPOINT_NOT_FOUND,
    RESOURCE_ALREADY_EXISTS,
    RESOURCE_DOES_NOT_EXIST,
    INVALID_STATE,
    NOT_IMPLEMENTED,
    PERMISSION_DENIED,
}

impl ErrorCode {
    /// `ERROR_CODE_TO_HTTP_STATUS` in `mlflow/exceptions.py`. Note that
    /// RESOURCE_ALREADY_EXISTS is a 400, not a 409, and INVALID_STATE a 500.
    pub fn http_status(self) -> StatusCode {
        match self {
            ErrorCode::INTERNAL_ERROR | ErrorCode::INVALID_STATE => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
            ErrorCode::TEMPORARILY_UNAVAILABLE => StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::BAD_REQUEST
            | ErrorCode::INVALID_PARAMETER_VALUE
            | ErrorCode::RESOURCE_ALREADY_EXISTS => StatusCode::BAD_REQUEST,
            ErrorCode::ENDPOINT_NOT_FOUND | ErrorCode::RESOURCE_DOES_NOT_EXIST => {
                StatusCode::NOT_FOUND
            }
            ErrorCode::NOT_IMPLEMENTED => StatusCode::NOT_IMPLEMENTED,
            ErrorCode::PERMISSION_DENIED => StatusCode::FORBIDDEN,
        }
    }
}

/// An error as MLflow reports it: a code and a message. Internal failures (database, I/O) are
/// logged where they are converted and reach the client with a generic message only.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code:?}: {message}")]
pub struct MlflowError {
    pub code: ErrorCode,
    pub message: String,
    /// A finer `(error_class, sqlstate)` than the code's (`MlflowException(error_class=…)`).
    pub class: Option<(&'static str, &'static str)>,
}

pub type Result<T, E = MlflowError> = std::result::Result<T, E>;

impl MlflowError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        MlflowError {
            code,
            message: message.into(),
            class: None,
        }
    }

    /// Overrides the error class (and its SQLSTATE) that MLflow derives from the code.
    pub fn with_error_class(mut self, class: &'static str, sqlstate: &'static str) -> Self {
        self.class = Some((class, sqlstate));
        self
    }

    pub fn invalid_parameter_value(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::INVALID_PARAMETER_VALUE, message)
    }

    pub fn does_not_exist(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::RESOURCE_DOES_NOT_EXIST, message)
    }

    pub fn already_exists(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::RESOURCE_ALREADY_EXISTS, message)
    }

    pub fn invalid_state(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::INVALID_STATE, message)
    }

    pub fn internal() -> Self {
        Self::new(
            ErrorCode::INTERNAL_ERROR,
            "Internal server error; see the server log for details.",
        )
    }
}

impl ErrorCode {
    /// `SqlState.from_client_error_code` (`mlflow/error_classification.py`).
    pub fn sqlstate(self) -> Option<&'static str> {
        match self {
            ErrorCode::INTERNAL_ERROR
            | ErrorCode::INVALID_STATE
            | ErrorCode::TEMPORARILY_UNAVAILABLE => Some("XXM00"),
            ErrorCode::NOT_IMPLEMENTED => None,
            _ => Some("KAM00"),
        }
    }

    /// `ErrorClass.from_client_error_code`.
    pub fn error_class(self) -> Option<&'static str> {
        match self {
            ErrorCode::BAD_REQUEST | ErrorCode::INVALID_PARAMETER_VALUE => {
                Some("INVALID_PARAMETER_VALUE")
            }
            ErrorCode::ENDPOINT_NOT_FOUND | ErrorCode::RESOURCE_DOES_NOT_EXIST => {
                Some("RESOURCE_NOT_FOUND")
            }
            ErrorCode::INTERNAL_ERROR
            | ErrorCode::INVALID_STATE
            | ErrorCode::TEMPORARILY_UNAVAILABLE => Some("CLIENT_INTERNAL_ERROR"),
            ErrorCode::RESOURCE_ALREADY_EXISTS => Some("RESOURCE_ALREADY_EXISTS"),
            ErrorCode::PERMISSION_DENIED => Some("PERMISSION_DENIED"),
            ErrorCode::NOT_IMPLEMENTED => None,
        }
    }
}

/// `MlflowException.serialize_as_json`: code, message, then the classification extras.
#[derive(Serialize)]
struct ErrorBody<'a> {
    error_code: ErrorCode,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    sqlstate: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_class: Option<&'static str>,
}

impl MlflowError {
    fn body(&self) -> ErrorBody<'_> {
        ErrorBody {
            error_code: self.code,
            message: &self.message,
            sqlstate: self.class.map(|c| c.1).or(self.code.sqlstate()),
            error_class: self.class.map(|c| c.0).or(self.code.error_class()),
        }
    }

    /// The same error as compact JSON: MLflow's FastAPI routes (artifact streaming) write
    /// their errors with `JSONResponse`, not Flask's indented `message_to_json`.
    pub fn into_compact_response(self) -> Response {
        let body = serde_json::to_vec(&self.body()).unwrap_or_default();
        (
            self.code.http_status(),
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response()
    }
}

/// `serialize_as_json` is `json.dumps(dict)`: one line with `", "` and `": "` separators
/// (unlike successful responses, which Flask handlers indent).
impl IntoResponse for MlflowError {
    fn into_response(self) -> Response {
        let value = serde_json::to_value(self.body()).unwrap_or_default();
        (
            self.code.http_status(),
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            crate::wire::proto::to_python_json_flat(&value),
        )
            .into_response()
    }
}

/// Database errors, mapped as `mlflow/store/db/utils.py` does: connection trouble is
/// TEMPORARILY_UNAVAILABLE (503, which the client retries); a constraint or data error caused by
/// the request (SQLSTATE classes 22 and 23, e.g. a value longer than its column) is
/// BAD_REQUEST with the database's message; anything else is logged and reported as an
/// internal error without the driver's text.
impl From<sqlx::Error> for MlflowError {
    fn from(err: sqlx::Error) -> Self {
        match &err {
            sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed => {
                tracing::warn!(error = %err, "database unavailable");
                MlflowError::new(
                    ErrorCode::TEMPORARILY_UNAVAILABLE,
                    "The database is temporarily unavailable; retry later.",
                )
            }
            sqlx::Error::Database(db) if is_client_data_error(db.as_ref()) => {
                tracing::info!(error = %err, "request rejected by a database constraint");
                MlflowError::new(ErrorCode::BAD_REQUEST, db.message().to_owned())
            }
            _ => {
                tracing::error!(error = %err, "database error");
                MlflowError::internal()
            }
        }
    }
}

fn is_client_data_error(db: &dyn sqlx::error::DatabaseError) -> bool {
    use sqlx::error::ErrorKind;
    match db.kind() {
        ErrorKind::UniqueViolation
        | ErrorKind::ForeignKeyViolation
        | ErrorKind::NotNullViolation
        | ErrorKind::CheckViolation => true,
        // PostgreSQL data exceptions: string too long, numeric out of range, bad encoding.
        _ => db.code().is_some_and(|c| c.starts_with("22")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_follow_mlflow_table() {
        assert_eq!(ErrorCode::RESOURCE_ALREADY_EXISTS.http_status(), 400);
        assert_eq!(ErrorCode::RESOURCE_DOES_NOT_EXIST.http_status(), 404);
        assert_eq!(ErrorCode::INVALID_STATE.http_status(), 500);
        assert_eq!(ErrorCode::TEMPORARILY_UNAVAILABLE.http_status(), 503);
        assert_eq!(ErrorCode::ENDPOINT_NOT_FOUND.http_status(), 404);
        assert_eq!(ErrorCode::INVALID_PARAMETER_VALUE.http_status(), 400);
    }

    #[test]
    fn body_has_code_and_message() {
        let code = ErrorCode::RESOURCE_DOES_NOT_EXIST;
        let body = serde_json::to_value(ErrorBody {
            error_code: code,
            message: "Run with id=x not found",
            sqlstate: code.sqlstate(),
            error_class: code.error_class(),
        })
        .unwrap();
        assert_eq!(
            body,
            serde_json::json!({"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "Run with id=x not found",
                               "sqlstate": "KAM00", "error_class": "RESOURCE_NOT_FOUND"})
        );
    }
}

//! Request decoding with MLflow's rules, so no framework rejection ever reaches a client.
//!
//! Mirrors `_get_request_message` and `_validate_param_against_schema`
//! (`mlflow/server/handlers.py`): GET parameters come from the query string (repeated keys for
//! repeated fields), other methods read a JSON body (POST and PUT must say
//! `application/json`; a body that is not JSON counts as `{}`), then each handler's schema
//! checks presence, and types only where protobuf decoding failed.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, Method};
use serde_json::{Map, Value};

use crate::error::MlflowError;
use crate::validation::{invalid_value, missing_value};
use crate::wire::proto::{json_name, parse_dict, ProtoMessage};

/// Largest JSON body accepted (a log-batch of 1000 metrics is ~150 kB; UI uploads use
/// another route).
const MAX_JSON_BODY: usize = 16 * 1024 * 1024;

/// A decoded request: the message, the raw JSON it came from (what the schema checks see)
/// and whether protobuf decoding succeeded.
pub struct Proto<M> {
    pub msg: M,
    pub raw: Map<String, Value>,
    pub parsed: bool,
}

/// One check of a handler's schema (`_assert_*` in `handlers.py`).
#[derive(Debug, Clone, Copy)]
pub enum Check {
    Required,
    /// `_assert_string`.
    Str,
    IntLike,
    FloatLike,
    /// `_assert_bool`.
    Bool,
    Array,
    ItemTypeString,
    /// `_assert_less_than_or_equal(int(x), max)`.
    IntAtMost(i64),
    /// `_assert_required` on `key`/`value`/`timestamp` of each item (log-batch).
    ItemsHave(&'static [&'static str], &'static str),
}

impl Check {
    fn is_type_check(self) -> bool {
        matches!(
            self,
            Check::Str
                | Check::IntLike
                | Check::FloatLike
                | Check::Bool
                | Check::Array
                | Check::ItemTypeString
        )
    }
}

/// Python's `type(x).__name__` for JSON values.
fn py_type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

/// Python's `int(x)` succeeding.
fn py_int_ok(v: &Value) -> bool {
    match v {
        Value::Number(_) | Value::Bool(_) => true,
        Value::String(s) => s.trim().parse::<i64>().is_ok(),
        _ => false,
    }
}

fn py_int(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f.trunc() as i64)),
        Value::Bool(b) => Some(*b as i64),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    }
}

/// Python's `float(x)` succeeding.
fn py_float_ok(v: &Value) -> bool {
    match v {
        Value::Number(_) | Value::Bool(_) => true,
        Value::String(s) => crate::wire::proto::py_float(s).is_some(),
        _ => false,
    }
}

fn schema_error(message: String) -> MlflowError {
    MlflowError::invalid_parameter_value(format!(
        "{message} See the API docs for more information about request parameters."
    ))
}

impl<M> Proto<M> {
    /// `_validate_request_json_with_schema` for one handler's schema.
    pub fn check(&self, schema: &[(&str, &[Check])]) -> Result<(), MlflowError> {
        for (param, checks) in schema {
            let required = checks.iter().any(|c| matches!(c, Check::Required));
            if !self.raw.contains_key(*param) && !required {
                continue;
            }
            let mut value = self.raw.get(*param).cloned().unwrap_or(Value::Null);
            if *param == "run_id" && value.is_null() {
                if let Some(v) = self.raw.get("run_uuid") {
                    value = v.clone();
                }
            }
            for check in checks.iter() {
                if check.is_type_check() && self.parsed {
                    continue;
                }
                check_one(param, &value, *check)?;
            }
        }
        Ok(())
    }
}

fn type_error(param: &str, value: &Value) -> MlflowError {
    schema_error(invalid_value(
        param,
        value,
        Some(&format!(
            " Hint: Value was of type '{}'.",
            py_type_name(value)
        )),
    ))
}

fn check_one(param: &str, value: &Value, check: Check) -> Result<(), MlflowError> {
    let ok = match check {
        Check::Required => !(value.is_null() || value.as_str() == Some("")),
        Check::Str => value.is_string(),
        Check::IntLike => py_int_ok(value),
        Check::FloatLike => py_float_ok(value),
        Check::Bool => value.is_boolean(),
        Check::Array => value.is_array(),
        Check::ItemTypeString => value
            .as_array()
            .is_some_and(|a| a.iter().all(Value::is_string)),
        Check::IntAtMost(max) => {
            return match py_int(value) {
                // A bare AssertionError: MLflow reports the generic "Invalid value" message.
                Some(v) if v > max => Err(type_error(param, value)),
                Some(_) => Ok(()),
                None => Err(type_error(param, value)),
            };
        }
        Check::ItemsHave(fields, path) => {
            if let Some(items) = value.as_array() {
                for (i, item) in items.iter().enumerate() {
                    for f in fields {
                        let v = item.get(*f).unwrap_or(&Value::Null);
                        if v.is_null() || v.as_str() == Some("") {
                            return Err(schema_error(missing_value(&format!("{path}[{i}].{f}"))));
                        }
                    }
                }
            }
            true
        }
    };
    if ok {
        return Ok(());
    }
    Err(match check {
        Check::Required => schema_error(missing_value(param)),
        _ => type_error(param, value),
    })
}

impl<M, S> FromRequest<S> for Proto<M>
where
    M: ProtoMessage + Send,
    S: Send + Sync,
{
    type Rejection = MlflowError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let method = req.method().clone();
        let query = req.uri().query().unwrap_or("").to_owned();
        let raw = if method == Method::GET && !query.is_empty() {
            query_to_json::<M>(&query)?
        } else {
            let content_type = content_type_check(&req);
            // Read the body before answering, even to refuse it: replying while the client is
            // still sending makes the connection close under a keep-alive client.
            let body = Bytes::from_request(req, state).await.map_err(|_| {
                MlflowError::invalid_parameter_value("The request body could not be read.")
            })?;
            if method == Method::POST || method == Method::PUT {
                content_type?;
            }
            if body.len() > MAX_JSON_BODY {
                return Err(MlflowError::invalid_parameter_value(format!(
                    "The request body is larger than {MAX_JSON_BODY} bytes."
                )));
            }
            body_to_json(&body)
        };
        reject_conflicting_field_aliases::<M>(&raw)?;
        let (msg, parsed) = parse_dict::<M>(&raw);
        Ok(Proto { msg, raw, parsed })
    }
}

/// `_validate_content_type`: POST and PUT must be `application/json` (parameters allowed).
fn content_type_check(req: &Request) -> Result<(), MlflowError> {
    let Some(ct) = req.headers().get(header::CONTENT_TYPE) else {
        return Err(MlflowError::invalid_parameter_value(
            "Bad Request. Content-Type header is missing.",
        ));
    };
    let mime = ct
        .to_str()
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim();
    if mime == "application/json" {
        Ok(())
    } else {
        Err(MlflowError::invalid_parameter_value(
            "Bad Request. Content-Type must be one of ['application/json'].",
        ))
    }
}

/// `get_json(force=True, silent=True)` plus MLflow's normalization: undecodable → `{}`, a JSON
/// string holding JSON is decoded again, anything but an object → `{}`.
fn body_to_json(body: &[u8]) -> Map<String, Value> {
    let mut value: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    if let Value::String(inner) = &value {
        value = serde_json::from_str(inner).unwrap_or(Value::Null);
    }
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// The query string as the JSON MLflow builds from it: only known fields, lists for repeated
/// ones, booleans checked.
fn query_to_json<M: ProtoMessage>(query: &str) -> Result<Map<String, Value>, MlflowError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
    let mut out = Map::new();
    for (name, repeated) in M::FIELDS {
        let values: Vec<&String> = pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v)
            .collect();
        if values.is_empty() {
            continue;
        }
        let value = if *repeated {
            Value::Array(values.iter().map(|v| Value::String((*v).clone())).collect())
        } else {
            Value::String(values[0].clone())
        };
        out.insert((*name).to_owned(), value);
    }
    Ok(out)
}

/// `_reject_conflicting_field_aliases` (top level).
fn reject_conflicting_field_aliases<M: ProtoMessage>(
    raw: &Map<String, Value>,
) -> Result<(), MlflowError> {
    for (name, _) in M::FIELDS {
        let alias = json_name(name);
        if alias != *name && raw.contains_key(*name) && raw.contains_key(&alias) {
            return Err(MlflowError::invalid_parameter_value(format!(
                "Request specifies both '{name}' and '{alias}'; provide only one of them."
            )));
        }
    }
    Ok(())
}

//! `GET|POST <prefix>/graphql`: MLflow's GraphQL endpoint (`_graphql` in
//! `mlflow/server/handlers.py`), the web UI's way of loading an experiment, a run and metric
//! charts. A thin front end like the REST handlers: resolvers (schema.rs) call the same store
//! methods, and errors carry `MlflowError` messages.
//!
//! The request is handled as Flask does: POST must say `application/json`; the JSON body
//! (also on GET) gives `query`, `variables` and `operationName`. A body that is not a JSON
//! object, a `query` that is not a string or does not parse, and `variables` that are not an
//! object make MLflow raise outside its error handler, so they answer Werkzeug's 500 page.
//! Everything else answers 200 with `{"data": …, "errors": [message, …] | null}`, written as
//! Flask's `jsonify` does (sorted keys, compact, ASCII, trailing newline). MLflow's schema has
//! an `apiError` field on every response, but MLflow never fills it: a resolver failure (an
//! unknown run, a bad filter) is a null field plus its message in `errors`.
//!
//! Protection: the body is capped, the parser refuses nesting past 64 levels, and
//! `safety.rs` applies MLflow's depth (10), total-selection (1000), root-field and alias
//! limits before anything executes.

mod messages;
pub mod safety;
pub mod schema;
pub mod types;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use crate::app::AppState;
use crate::error::MlflowError;

/// Largest request body read. MLflow sets no limit; the UI's operations are a few kB, and the
/// selection limit refuses anything much larger anyway.
const MAX_BODY: usize = 1024 * 1024;

/// Werkzeug's `InternalServerError` page, which MLflow answers when `_graphql` raises
/// something other than an `MlflowException`.
const INTERNAL_ERROR_HTML: &str = "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.</p>\n";

/// GET|POST /graphql
pub async fn graphql(State(st): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    // Read the body before answering, even to refuse it (a keep-alive client still sending
    // would lose its connection), but never more than MAX_BODY.
    let Ok(body) = axum::body::to_bytes(body, MAX_BODY).await else {
        return MlflowError::invalid_parameter_value(format!(
            "The request body could not be read or is larger than {MAX_BODY} bytes."
        ))
        .into_response();
    };
    if parts.method == Method::POST {
        if let Err(e) = content_type_check(&parts.headers) {
            return e.into_response();
        }
    }
    let request = match GraphqlRequest::from_body(&body) {
        Ok(r) => r,
        Err(why) => return unhandled(why),
    };
    let args = schema::RequestArgs(crate::api::run_artifacts::query_pairs(parts.uri.query()));
    match execute(st, request, args).await {
        Ok((data, errors)) => envelope(data, errors),
        Err(why) => unhandled(why),
    }
}

/// `_validate_content_type(request, ["application/json"])`.
fn content_type_check(headers: &HeaderMap) -> Result<(), MlflowError> {
    let Some(ct) = headers.get(header::CONTENT_TYPE) else {
        return Err(MlflowError::invalid_parameter_value(
            "Bad Request. Content-Type header is missing.",
        ));
    };
    let mime = ct.to_str().unwrap_or("").split(';').next().unwrap_or("");
    if mime.trim() == "application/json" {
        Ok(())
    } else {
        Err(MlflowError::invalid_parameter_value(
            "Bad Request. Content-Type must be one of ['application/json'].",
        ))
    }
}

/// What MLflow reads from the body.
struct GraphqlRequest {
    query: String,
    variables: Map<String, Value>,
    operation_name: Option<String>,
}

impl GraphqlRequest {
    /// `request_json.get(…)` on `get_json(force=True, silent=True)`; the `Err` cases are the
    /// Python exceptions (AttributeError on a non-dict body, graphql-core's TypeErrors).
    fn from_body(body: &[u8]) -> Result<GraphqlRequest, &'static str> {
        let Ok(Value::Object(mut json)) = serde_json::from_slice::<Value>(body) else {
            return Err("request body is not a JSON object");
        };
        let Some(Value::String(query)) = json.remove("query") else {
            return Err("'query' is not a string");
        };
        let variables = match json.remove("variables") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(m)) => m,
            Some(_) => return Err("'variables' is not an object"),
        };
        // graphql-core compares the name with `==`, so any other value matches no operation.
        let operation_name = match json.remove("operationName") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s),
            Some(Value::Bool(b)) => Some(if b { "True" } else { "False" }.to_owned()),
            Some(other) => Some(other.to_string()),
        };
        Ok(GraphqlRequest {
            query,
            variables,
            operation_name,
        })
    }
}

/// Parses, checks and runs one request: `Ok((data, error messages))`, or `Err` where MLflow
/// answers its 500 page (a syntax error).
async fn execute(
    st: AppState,
    req: GraphqlRequest,
    args: schema::RequestArgs,
) -> Result<(Value, Vec<String>), &'static str> {
    use async_graphql::parser::Error as ParseError;
    let mut doc = match async_graphql::parser::parse_query(&req.query) {
        Ok(doc) => doc,
        Err(ParseError::RecursionLimitExceeded) => {
            return Ok((Value::Null, vec![safety::depth_exceeded()]))
        }
        // graphql-core parses these and its validation rejects them.
        Err(ParseError::MultipleOperations { .. }) => {
            let msg = "This anonymous operation must be the only defined operation.";
            return Ok((Value::Null, vec![msg.to_owned()]));
        }
        Err(ParseError::OperationDuplicated { operation, .. }) => {
            let msg = format!("There can be only one operation named '{operation}'.");
            return Ok((Value::Null, vec![msg]));
        }
        Err(ParseError::FragmentDuplicated { fragment, .. }) => {
            let msg = format!("There can be only one fragment named '{fragment}'.");
            return Ok((Value::Null, vec![msg]));
        }
        Err(_) => return Err("the query does not parse"),
    };
    if let Err(msg) = safety::check_query_safety(&doc) {
        return Ok((Value::Null, vec![msg]));
    }
    if let Err(messages) = safety::check_and_strip_directives(&mut doc) {
        return Ok((Value::Null, messages));
    }
    if let Err(messages) = check_required_variables(&doc, &req) {
        return Ok((Value::Null, messages));
    }
    let mut request = async_graphql::Request::new(req.query).variables(
        async_graphql::Variables::from_json(Value::Object(req.variables)),
    );
    if let Some(name) = req.operation_name {
        request = request.operation_name(name);
    }
    request.set_parsed_query(doc);
    let request = schema::request_data(request, st, args);
    let response = schema::schema().execute(request).await;
    let data = response.data.into_json().unwrap_or(Value::Null);
    let errors = response.errors.into_iter().map(|e| e.message).collect();
    let errors = messages::graphql_core_messages(errors, data.is_null());
    Ok((data, errors))
}

/// `coerce_variable_values` for non-null variables without a default, which async-graphql
/// lets through as null.
fn check_required_variables(
    doc: &async_graphql::parser::types::ExecutableDocument,
    req: &GraphqlRequest,
) -> Result<(), Vec<String>> {
    use async_graphql::parser::types::DocumentOperations;
    let op = match (&doc.operations, req.operation_name.as_deref()) {
        (DocumentOperations::Single(op), None) => op,
        (DocumentOperations::Multiple(ops), Some(name)) => match ops.get(name) {
            Some(op) => op,
            None => return Ok(()),
        },
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => match ops.values().next() {
            Some(op) => op,
            None => return Ok(()),
        },
        _ => return Ok(()),
    };
    let mut errors = Vec::new();
    for var in &op.node.variable_definitions {
        let (name, ty) = (&var.node.name.node, &var.node.var_type.node);
        if ty.nullable || var.node.default_value.is_some() {
            continue;
        }
        match req.variables.get(name.as_str()) {
            None => errors.push(format!(
                "Variable '${name}' of required type '{ty}' was not provided."
            )),
            Some(Value::Null) => errors.push(format!(
                "Variable '${name}' of non-null type '{ty}' must not be null."
            )),
            Some(_) => {}
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// MLflow's answer when `_graphql` raises: logged here (it is the client's doing).
fn unhandled(why: &str) -> Response {
    tracing::info!(
        reason = why,
        "graphql request refused with MLflow's 500 page"
    );
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        INTERNAL_ERROR_HTML,
    )
        .into_response()
}

/// `jsonify({"data": …, "errors": … or None})`.
fn envelope(data: Value, errors: Vec<String>) -> Response {
    let errors = if errors.is_empty() {
        Value::Null
    } else {
        Value::Array(errors.into_iter().map(Value::String).collect())
    };
    let mut body = Map::new();
    body.insert("data".to_owned(), data);
    body.insert("errors".to_owned(), errors);
    let mut out = flask_json(&Value::Object(body));
    out.push('\n');
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        out,
    )
        .into_response()
}

/// Flask's default JSON provider: `json.dumps(obj, sort_keys=True, ensure_ascii=True,
/// separators=(",", ":"))`, floats as Python's `repr`.
pub(crate) fn flask_json(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value);
    out
}

fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => out.push_str(&i.to_string()),
            (_, Some(u), _) => out.push_str(&u.to_string()),
            (_, _, Some(f)) => out.push_str(&crate::wire::proto::py_float_repr(f)),
            _ => out.push_str("null"),
        },
        Value::String(s) => out.push_str(&json_string(s)),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&json_string(key));
                out.push(':');
                write_value(out, &map[key]);
            }
            out.push('}');
        }
    }
}

/// A JSON string literal with `ensure_ascii=True` escapes.
pub(crate) fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            c if c.is_ascii() && !c.is_ascii_control() => out.push(c),
            c => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
    out
}

/// Python's `repr(str)` for the plain strings that reach messages.
pub(crate) fn py_repr(s: &str) -> String {
    if s.contains('\'') && !s.contains('"') {
        format!("\"{s}\"")
    } else {
        format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn flask_json_sorts_compacts_and_escapes() {
        let v = json!({"b": [1, 2.0, 0.25, null], "a": {"y": "é\"", "x": true}, "c": 1e20});
        assert_eq!(
            flask_json(&v),
            r#"{"a":{"x":true,"y":"\u00e9\""},"b":[1,2.0,0.25,null],"c":1e+20}"#
        );
        assert_eq!(json_string("😀\u{1}"), r#""\ud83d\ude00\u0001""#);
    }

    #[test]
    fn request_parsing_follows_flask() {
        assert!(GraphqlRequest::from_body(b"[1]").is_err());
        assert!(GraphqlRequest::from_body(b"not json").is_err());
        assert!(GraphqlRequest::from_body(br#"{"query": 5}"#).is_err());
        assert!(GraphqlRequest::from_body(br#"{"query": "{a}", "variables": [1]}"#).is_err());
        let r = GraphqlRequest::from_body(br#"{"query": "{a}", "operationName": 5}"#);
        assert_eq!(r.ok().and_then(|r| r.operation_name).as_deref(), Some("5"));
    }
}

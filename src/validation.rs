//! Input validation mirroring `mlflow/utils/validation.py`: same function names, same limits,
//! same messages. Everything here runs before any SQL.

use serde_json::Value;

use crate::error::{MlflowError, Result};
use crate::wire::proto::py_float_repr;

// Limits, from `mlflow/utils/validation.py`.
pub const MAX_PARAMS_TAGS_PER_BATCH: usize = 100;
pub const MAX_METRICS_PER_BATCH: usize = 1000;
pub const MAX_ENTITIES_PER_BATCH: usize = 1000;
pub const MAX_PARAM_VAL_LENGTH: usize = 6000;
pub const MAX_TAG_VAL_LENGTH: usize = 8000;
pub const MAX_EXPERIMENT_NAME_LENGTH: usize = 500;
pub const MAX_EXPERIMENT_TAG_KEY_LENGTH: usize = 250;
pub const MAX_EXPERIMENT_TAG_VAL_LENGTH: usize = 20000;
pub const MAX_ENTITY_KEY_LENGTH: usize = 250;
/// `MLFLOW_ARTIFACT_LOCATION_MAX_LENGTH` default (`mlflow/environment_variables.py`).
pub const MAX_ARTIFACT_LOCATION_LENGTH: usize = 2048;
/// `SEARCH_MAX_RESULTS_THRESHOLD` (`mlflow/store/tracking/__init__.py`).
pub const SEARCH_MAX_RESULTS_THRESHOLD: i64 = 50000;
/// `SEARCH_MAX_RESULTS_DEFAULT`.
pub const SEARCH_MAX_RESULTS_DEFAULT: i64 = 1000;

/// Python's `json.dumps(value, sort_keys=True, separators=(",", ":"))` (ASCII-escaped).
pub fn py_json(value: &Value) -> String {
    let s = serde_json::to_string(value).unwrap_or_default();
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut buf = [0u16; 2];
            for unit in c.encode_utf16(&mut buf) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

pub fn invalid_value(path: &str, value: &Value, message: Option<&str>) -> String {
    let formatted = py_json(value);
    match message {
        Some(m) => format!("Invalid value {formatted} for parameter '{path}' supplied: {m}"),
        None => format!("Invalid value {formatted} for parameter '{path}' supplied."),
    }
}

pub fn missing_value(path: &str) -> String {
    format!("Missing value for required parameter '{path}'.")
}

pub fn exceeds_maximum_length(path: &str, limit: usize) -> String {
    format!("'{path}' exceeds the maximum length of {limit} characters")
}

fn append_to_json_path(current: &str, value: &str) -> String {
    if current.is_empty() {
        value.to_owned()
    } else if value.starts_with('[') {
        format!("{current}{value}")
    } else {
        format!("{current}.{value}")
    }
}

/// Python's `str(float)`.
pub fn py_float_str(v: f64) -> String {
    if v.is_nan() {
        "nan".to_owned()
    } else if v.is_infinite() {
        if v > 0.0 { "inf" } else { "-inf" }.to_owned()
    } else {
        py_float_repr(v)
    }
}

/// `posixpath.normpath`.
pub fn posix_normpath(path: &str) -> String {
    if path.is_empty() {
        return ".".to_owned();
    }
    let initial_slashes = if path.starts_with("//") && !path.starts_with("///") {
        2
    } else if path.starts_with('/') {
        1
    } else {
        0
    };
    let mut parts: Vec<&str> = Vec::new();
    for comp in path.split('/') {
        if comp.is_empty() || comp == "." {
            continue;
        }
        if comp != ".." || (initial_slashes == 0 && parts.is_empty()) || parts.last() == Some(&"..")
        {
            parts.push(comp);
        } else if !parts.is_empty() {
            parts.pop();
        }
    }
    let joined = parts.join("/");
    let out = format!("{}{}", "/".repeat(initial_slashes), joined);
    if out.is_empty() {
        ".".to_owned()
    } else {
        out
    }
}

/// `validate_param_and_metric_name`: `^[/\w.\- :]*$` with Unicode `\w`.
fn validate_param_and_metric_name(name: &str) -> bool {
    name.chars()
        .all(|c| c.is_alphanumeric() || c == '_' || matches!(c, '/' | '.' | '-' | ' ' | ':'))
}

fn bad_character_message() -> &'static str {
    "Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/)."
}

fn bad_path_message(name: &str) -> String {
    format!(
        "Names may be treated as files in certain cases, and must not resolve to other names when treated as such. This name would resolve to {}",
        py_str_repr(&posix_normpath(name))
    )
}

/// Python's `repr(str)` (one implementation, shared with the search parser).
pub fn py_str_repr(s: &str) -> String {
    crate::search::repr_str(s)
}

fn path_not_unique(name: &str) -> bool {
    let norm = posix_normpath(name);
    norm != name || norm == "." || norm.starts_with("..") || norm.starts_with('/')
}

fn check_name_chars(name: &str, path: &str) -> Result<()> {
    if !validate_param_and_metric_name(name) {
        return Err(MlflowError::invalid_parameter_value(invalid_value(
            path,
            &Value::from(name),
            Some(bad_character_message()),
        )));
    }
    validate_unique_path_name(name, path)
}

/// The `path_not_unique` half of `_validate_model_name`: a name must not change under
/// `posixpath.normpath`.
pub fn validate_unique_path_name(name: &str, path: &str) -> Result<()> {
    if path_not_unique(name) {
        return Err(MlflowError::invalid_parameter_value(invalid_value(
            path,
            &Value::from(name),
            Some(&bad_path_message(name)),
        )));
    }
    Ok(())
}

/// `_validate_metric_name`.
pub fn validate_metric_name(name: &str, path: &str) -> Result<()> {
    check_name_chars(name, path)
}

/// `_validate_param_name`.
pub fn validate_param_name(name: &str, path: &str) -> Result<()> {
    check_name_chars(name, path)
}

/// `_validate_tag_name`.
pub fn validate_tag_name(name: &str, path: &str) -> Result<()> {
    check_name_chars(name, path)
}

/// `_validate_length_limit`: errors past `limit` characters, or truncates when `truncate`
/// (MLflow's default `MLFLOW_TRUNCATE_LONG_VALUES=true`).
pub fn validate_length_limit(
    entity_name: &str,
    limit: usize,
    value: &str,
    truncate: bool,
) -> Result<String> {
    if value.chars().count() <= limit {
        return Ok(value.to_owned());
    }
    if truncate {
        tracing::warn!(
            entity = entity_name,
            limit,
            "value truncated to the length limit"
        );
        return Ok(value.chars().take(limit).collect());
    }
    Err(MlflowError::invalid_parameter_value(
        exceeds_maximum_length(entity_name, limit),
    ))
}

/// `_validate_metric` for a metric whose fields are present (the handler checks presence).
pub fn validate_metric(key: &str, value: f64, timestamp: i64, path: &str) -> Result<()> {
    validate_metric_name(key, &append_to_json_path(path, "name"))?;
    if timestamp < 0 {
        return Err(MlflowError::invalid_parameter_value(invalid_value(
            &append_to_json_path(path, "timestamp"),
            &Value::from(timestamp),
            Some(&format!(
                "metric '{key}' (value={}). Timestamp must be a nonnegative long (64-bit integer) ",
                py_float_str(value)
            )),
        )));
    }
    validate_length_limit("Metric name", MAX_ENTITY_KEY_LENGTH, key, false)?;
    Ok(())
}

/// `_validate_param`: returns the (possibly truncated) value.
pub fn validate_param(key: &str, value: &str, path: &str) -> Result<String> {
    validate_param_name(key, &append_to_json_path(path, "key"))?;
    validate_length_limit("Param key", MAX_ENTITY_KEY_LENGTH, key, false)?;
    validate_length_limit("Param value", MAX_PARAM_VAL_LENGTH, value, true)
}

/// `_validate_tag`: returns the (possibly truncated) value.
pub fn validate_tag(key: &str, value: &str, path: &str) -> Result<String> {
    validate_tag_name(key, &append_to_json_path(path, "key"))?;
    validate_length_limit(
        &append_to_json_path(path, "key"),
        MAX_ENTITY_KEY_LENGTH,
        key,
        false,
    )?;
    validate_length_limit(
        &append_to_json_path(path, "value"),
        MAX_TAG_VAL_LENGTH,
        value,
        true,
    )
}

/// `_validate_experiment_tag`.
pub fn validate_experiment_tag(key: &str, value: &str) -> Result<()> {
    validate_tag_name(key, "key")?;
    validate_length_limit("key", MAX_EXPERIMENT_TAG_KEY_LENGTH, key, false)?;
    validate_length_limit("value", MAX_EXPERIMENT_TAG_VAL_LENGTH, value, false)?;
    Ok(())
}

/// `_validate_run_id`: `^[a-zA-Z0-9][\w\-]{0,255}$`.
pub fn validate_run_id(run_id: &str) -> Result<()> {
    let mut chars = run_id.chars();
    let ok = match chars.next() {
        Some(first) => {
            first.is_ascii_alphanumeric()
                && run_id.chars().count() <= 256
                && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        }
        None => false,
    };
    if ok {
        Ok(())
    } else {
        Err(MlflowError::invalid_parameter_value(invalid_value(
            "run_id",
            &Value::from(run_id),
            None,
        )))
    }
}

/// `_parse_experiment_id`: experiment ids are integers in the SQL store.
pub fn parse_experiment_id(experiment_id: &str) -> Result<i64> {
    py_int(experiment_id).ok_or_else(|| {
        MlflowError::invalid_parameter_value(format!(
            "Invalid experiment ID '{experiment_id}'. Experiment ID must be a valid integer."
        ))
    })
}

/// Python's `int(str)` for values that fit an i64: surrounding whitespace,
/// a sign and `_` separators between digits are accepted.
pub(crate) fn py_int(s: &str) -> Option<i64> {
    crate::search::py_int(s)
}

fn validate_batch_limit(entity_name: &str, limit: usize, length: usize) -> Result<()> {
    if length > limit {
        return Err(MlflowError::invalid_parameter_value(format!(
            "A batch logging request can contain at most {limit} {entity_name}. Got {length} {entity_name}. Please split up {entity_name} across multiple requests and try again."
        )));
    }
    Ok(())
}

/// `_validate_batch_log_limits`.
pub fn validate_batch_log_limits(metrics: usize, params: usize, tags: usize) -> Result<()> {
    validate_batch_limit("metrics", MAX_METRICS_PER_BATCH, metrics)?;
    validate_batch_limit("params", MAX_PARAMS_TAGS_PER_BATCH, params)?;
    validate_batch_limit("tags", MAX_PARAMS_TAGS_PER_BATCH, tags)?;
    validate_batch_limit(
        "metrics, params, and tags",
        MAX_ENTITIES_PER_BATCH,
        metrics + params + tags,
    )
}

/// `_validate_param_keys_unique`.
pub fn validate_param_keys_unique<'a>(keys: impl Iterator<Item = &'a str>) -> Result<()> {
    let mut seen: Vec<&str> = Vec::new();
    let mut dupes: Vec<String> = Vec::new();
    for k in keys {
        if seen.contains(&k) {
            dupes.push(py_str_repr(k));
        } else {
            seen.push(k);
        }
    }
    if dupes.is_empty() {
        return Ok(());
    }
    Err(MlflowError::invalid_parameter_value(format!(
        "Duplicate parameter keys have been submitted: [{}]. Please ensure the request contains only one param value per param key.",
        dupes.join(", ")
    )))
}

/// `_validate_experiment_name`.
pub fn validate_experiment_name(name: &str) -> Result<()> {
    if name.is_empty() {
        return Err(MlflowError::invalid_parameter_value(format!(
            "Invalid experiment name: '{name}'"
        )));
    }
    if name.chars().count() > MAX_EXPERIMENT_NAME_LENGTH {
        return Err(MlflowError::invalid_parameter_value(
            exceeds_maximum_length("name", MAX_EXPERIMENT_NAME_LENGTH),
        ));
    }
    Ok(())
}

/// `_validate_experiment_artifact_location_length`.
pub fn validate_experiment_artifact_location_length(location: &str) -> Result<()> {
    if location.chars().count() > MAX_ARTIFACT_LOCATION_LENGTH {
        return Err(MlflowError::invalid_parameter_value(format!(
            "Invalid artifact path length. The length of the artifact path cannot be greater than {MAX_ARTIFACT_LOCATION_LENGTH} characters. To configure this limit, please set the MLFLOW_ARTIFACT_LOCATION_MAX_LENGTH environment variable."
        )));
    }
    Ok(())
}

/// PostgreSQL refuses NUL in text; refusing it up front keeps such input a client error
/// (400) instead of a database failure.
pub fn reject_nul(field: &str, value: &str) -> Result<()> {
    if value.contains('\0') {
        return Err(MlflowError::invalid_parameter_value(invalid_value(
            field,
            &Value::from(value),
            Some("Value must not contain NUL characters."),
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normpath_matches_posixpath() {
        for (p, n) in [
            ("a//b", "a/b"),
            ("a/./b", "a/b"),
            ("../x", "../x"),
            ("/x", "/x"),
            ("a/b/..", "a"),
            ("", "."),
            (".", "."),
            ("//a", "//a"),
            ("///a", "/a"),
            ("a/", "a"),
        ] {
            assert_eq!(posix_normpath(p), n, "{p}");
        }
    }

    #[test]
    fn metric_names() {
        assert!(validate_metric_name("loss/train: x-1.5", "name").is_ok());
        assert!(validate_metric_name("ünï_cödé", "name").is_ok());
        for bad in ["a//b", "a/./b", "../x", "/x", "a?", ".", "a/"] {
            let e = validate_metric_name(bad, "name").unwrap_err();
            assert_eq!(
                e.code,
                crate::error::ErrorCode::INVALID_PARAMETER_VALUE,
                "{bad}"
            );
        }
        let e = validate_metric_name("a//b", "metrics[0].name").unwrap_err();
        assert_eq!(
            e.message,
            "Invalid value \"a//b\" for parameter 'metrics[0].name' supplied: Names may be treated as files in certain cases, and must not resolve to other names when treated as such. This name would resolve to 'a/b'"
        );
    }

    #[test]
    fn run_ids() {
        assert!(validate_run_id("0123abcd").is_ok());
        assert!(validate_run_id("_abc").is_err());
        assert!(validate_run_id("").is_err());
        assert!(validate_run_id(&"a".repeat(257)).is_err());
    }

    #[test]
    fn experiment_ids_parse_like_python_int() {
        assert_eq!(parse_experiment_id("12").unwrap(), 12);
        assert_eq!(parse_experiment_id(" 7 ").unwrap(), 7);
        assert!(parse_experiment_id("abc").is_err());
        assert!(parse_experiment_id("1.5").is_err());
        assert_eq!(parse_experiment_id("1_0").unwrap(), 10);
    }

    #[test]
    fn param_values_truncate_and_keys_do_not() {
        let long = "x".repeat(7000);
        assert_eq!(validate_param("p", &long, "").unwrap().len(), 6000);
        assert!(validate_param(&"k".repeat(251), "v", "").is_err());
    }

    #[test]
    fn duplicate_param_keys_message() {
        let e = validate_param_keys_unique(["a", "b", "a"].into_iter()).unwrap_err();
        assert_eq!(
            e.message,
            "Duplicate parameter keys have been submitted: ['a']. Please ensure the request contains only one param value per param key."
        );
    }
}

//! The filter language of `logged-models/search` (`mlflow/utils/search_logged_model_utils.py`):
//! `AND`-ed comparisons on attributes (`name`, `creation_time`, …), `metrics.`, `params.` and
//! `tags.`. Same tokenizer as the run filter (sqlparse), different rules and messages.

use super::ast::{Comparator, Value};
use super::parser::logged_model_comparisons;
use super::pyfmt::{literal_eval, repr_str, PyVal};
use super::SearchError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModelEntity {
    Attribute,
    Metric,
    Param,
    Tag,
}

impl ModelEntity {
    fn name(self) -> &'static str {
        match self {
            ModelEntity::Attribute => "attributes",
            ModelEntity::Metric => "metrics",
            ModelEntity::Param => "params",
            ModelEntity::Tag => "tags",
        }
    }
}

/// One comparison; for attributes `key` is the `logged_models` column name.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelComparison {
    pub entity: ModelEntity,
    pub key: String,
    pub op: Comparator,
    pub value: Value,
}

/// `SqlLoggedModel.ALIASES`.
pub fn model_attribute_alias(name: &str) -> &str {
    match name {
        "creation_time" | "creation_timestamp" => "creation_timestamp_ms",
        "last_updated_timestamp" => "last_updated_timestamp_ms",
        other => other,
    }
}

/// The columns of `logged_models` that filters and order_by may name.
pub const MODEL_COLUMNS: [&str; 11] = [
    "model_id",
    "experiment_id",
    "name",
    "artifact_location",
    "creation_timestamp_ms",
    "last_updated_timestamp_ms",
    "status",
    "lifecycle_stage",
    "model_type",
    "source_run_id",
    "status_message",
];

fn invalid(msg: String) -> SearchError {
    SearchError::invalid(msg)
}

/// `Entity.from_str`: `<type>.<key>` with a lowercase type, else an attribute.
fn entity(s: &str) -> Result<(ModelEntity, String), SearchError> {
    if let Some((ty, key)) = s.split_once('.') {
        if !ty.is_empty() && ty.chars().all(|c| c.is_ascii_lowercase()) && !key.is_empty() {
            let entity = match ty {
                "attributes" => ModelEntity::Attribute,
                "metrics" => ModelEntity::Metric,
                "params" => ModelEntity::Param,
                "tags" => ModelEntity::Tag,
                _ => {
                    return Err(invalid(format!(
                        "Invalid entity type: {}. Expected one of ['attributes', 'metrics', \
                         'params', 'tags'].",
                        repr_str(ty)
                    )))
                }
            };
            return Ok((entity, key.trim_matches('`').to_owned()));
        }
    }
    Ok((
        ModelEntity::Attribute,
        model_attribute_alias(s).trim_matches('`').to_owned(),
    ))
}

/// Parses a `logged-models/search` filter (`parse_filter_string`).
pub fn parse_logged_model_filter(filter: &str) -> Result<Vec<ModelComparison>, SearchError> {
    if filter.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for (tokens, text) in logged_model_comparisons(filter)? {
        let [identifier, op, value] = <[String; 3]>::try_from(tokens).map_err(|_| {
            invalid(format!(
                "Invalid comparison: {text}. Expected a comparison with 3 tokens."
            ))
        })?;
        let op = op.to_uppercase();
        let (entity, key) = entity(&identifier)?;
        let numeric = entity == ModelEntity::Metric
            || (entity == ModelEntity::Attribute
                && matches!(
                    model_attribute_alias(&key),
                    "creation_timestamp_ms" | "last_updated_timestamp_ms"
                ));
        let allowed: &[&str] = if numeric {
            &["<", "<=", ">", ">=", "=", "!="]
        } else {
            &["=", "!=", "LIKE", "ILIKE", "IN", "NOT IN"]
        };
        if !allowed.contains(&op.as_str()) {
            let list = allowed
                .iter()
                .map(|o| repr_str(o))
                .collect::<Vec<_>>()
                .join(", ");
            return Err(invalid(format!(
                "Invalid comparison operator for {}.{key}: {}. Expected one of ({list}).",
                entity.name(),
                repr_str(&op)
            )));
        }
        let op = Comparator::from_mlflow(&op)
            .ok_or_else(|| invalid(format!("Invalid comparator {}", repr_str(&op))))?;
        if entity == ModelEntity::Attribute && !MODEL_COLUMNS.contains(&key.as_str()) {
            // MLflow crashes on an unknown attribute (AttributeError, a 500).
            return Err(invalid(format!(
                "Invalid attribute key {} in filter string {}.",
                repr_str(&key),
                repr_str(filter)
            )));
        }
        let value = if numeric {
            // Python's float(): MLflow does not catch its ValueError (a 500).
            match crate::wire::proto::py_float(value.trim()) {
                Some(f) => Value::Float(f),
                None => {
                    return Err(invalid(format!(
                        "could not convert string to float: {}",
                        repr_str(&value)
                    )))
                }
            }
        } else if value.starts_with('(') && value.ends_with(')') {
            let items = match literal_eval(&value) {
                Ok(PyVal::Tuple(items)) => items,
                Ok(one) => vec![one],
                Err(_) => {
                    return Err(invalid(format!(
                        "Invalid value {} in filter string {}.",
                        repr_str(&value),
                        repr_str(filter)
                    )))
                }
            };
            let mut strings = Vec::new();
            for it in items {
                match it {
                    PyVal::Str(s) => strings.push(s),
                    other => {
                        return Err(invalid(format!(
                            "Invalid value {} in filter string {}: expected strings.",
                            other.repr(),
                            repr_str(filter)
                        )))
                    }
                }
            }
            Value::List(strings)
        } else {
            Value::Str(value.trim_matches('\'').to_owned())
        };
        out.push(ModelComparison {
            entity,
            key,
            op,
            value,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logged_model_filters() {
        let f = parse_logged_model_filter(
            "name = 'm' AND metrics.acc >= 0.5 AND params.lr IN ('0.1', '0.2') \
             AND tags.`a b` LIKE 'x%' AND creation_time > 5",
        )
        .unwrap();
        assert_eq!(f.len(), 5);
        assert_eq!(f[0].key, "name");
        assert_eq!(f[0].value, Value::Str("m".into()));
        assert_eq!(
            (f[1].entity, f[1].op),
            (ModelEntity::Metric, Comparator::Ge)
        );
        assert_eq!(f[1].value, Value::Float(0.5));
        assert_eq!(f[2].value, Value::List(vec!["0.1".into(), "0.2".into()]));
        assert_eq!(f[3].key, "a b");
        assert_eq!(f[4].key, "creation_timestamp_ms");
        let e = parse_logged_model_filter("metrics.acc LIKE 'x'").unwrap_err();
        assert_eq!(
            e.message,
            "Invalid comparison operator for metrics.acc: 'LIKE'. Expected one of ('<', '<=', \
             '>', '>=', '=', '!=')."
        );
        let e = parse_logged_model_filter("foo.bar = 'x'").unwrap_err();
        assert!(e.message.starts_with("Invalid entity type: 'foo'."), "{e}");
        let e = parse_logged_model_filter("name = 'a' OR name = 'b'").unwrap_err();
        assert!(e.message.contains("Expected a list of comparisons"), "{e}");
        assert!(parse_logged_model_filter("").unwrap().is_empty());
    }
}

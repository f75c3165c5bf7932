//! The typed result of parsing a search filter or order_by: what MLflow's
//! `SearchUtils.parse_search_filter` returns as `{"type", "key", "comparator", "value"}`
//! dicts (`mlflow/utils/search_utils.py`), after the checks and conversions
//! `mlflow/store/tracking/sqlalchemy_store.py` applies before building SQL.

use std::fmt;

/// The entity a clause or order key refers to (MLflow's `type`: `metric`, `parameter`,
/// `tag`, `attribute`, `dataset`; every alias such as `metrics`/`params`/`attr`/`run`
/// is already folded into one of these).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Entity {
    Attribute,
    Metric,
    Param,
    Tag,
    Dataset,
}

impl Entity {
    /// MLflow's internal identifier string (`SearchUtils._METRIC_IDENTIFIER`, …), which
    /// appears in some error messages.
    pub fn mlflow_name(self) -> &'static str {
        match self {
            Entity::Attribute => "attribute",
            Entity::Metric => "metric",
            Entity::Param => "parameter",
            Entity::Tag => "tag",
            Entity::Dataset => "dataset",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Comparator {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
    /// SQL `LIKE`, case-sensitive (MySQL needs `BINARY`, see `get_sql_comparison_func`).
    Like,
    /// SQL `ILIKE` (case-insensitive LIKE).
    ILike,
    In,
    NotIn,
    IsNull,
    IsNotNull,
}

impl Comparator {
    /// Maps MLflow's (upper-cased) comparator text; `None` for anything else.
    pub fn from_mlflow(s: &str) -> Option<Comparator> {
        Some(match s {
            "=" => Comparator::Eq,
            "!=" => Comparator::Ne,
            ">" => Comparator::Gt,
            ">=" => Comparator::Ge,
            "<" => Comparator::Lt,
            "<=" => Comparator::Le,
            "LIKE" => Comparator::Like,
            "ILIKE" => Comparator::ILike,
            "IN" => Comparator::In,
            "NOT IN" => Comparator::NotIn,
            "IS NULL" => Comparator::IsNull,
            "IS NOT NULL" => Comparator::IsNotNull,
            _ => return None,
        })
    }

    pub fn as_sql(self) -> &'static str {
        match self {
            Comparator::Eq => "=",
            Comparator::Ne => "!=",
            Comparator::Gt => ">",
            Comparator::Ge => ">=",
            Comparator::Lt => "<",
            Comparator::Le => "<=",
            Comparator::Like => "LIKE",
            Comparator::ILike => "ILIKE",
            Comparator::In => "IN",
            Comparator::NotIn => "NOT IN",
            Comparator::IsNull => "IS NULL",
            Comparator::IsNotNull => "IS NOT NULL",
        }
    }
}

impl fmt::Display for Comparator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_sql())
    }
}

/// A clause's right-hand side.
///
/// * metrics: always `Float` (MLflow keeps the literal text and calls `float()` on it);
/// * `start_time`/`end_time`/`creation_time`/`last_update_time`: `Int` for an integer
///   literal, `Float` for a float literal (runs only: experiments reject floats).
///   An integer literal beyond `i64` becomes `Float` (Python would keep a bigint and
///   fail later in the database driver);
/// * `experiment_id` (experiments): `Int` / `IntList`, parsed like Python's `int()`;
/// * strings (params, tags, string attributes, datasets): `Str`, quotes removed and
///   **no unescaping** (`'it''s'` stays `it''s`, exactly as MLflow);
/// * `IN (…)` / `NOT IN (…)`: `List` (evaluated as a Python literal, so escapes *are*
///   processed there and adjacent strings are concatenated). Note MLflow also accepts
///   a list after `=`/`LIKE`… for `run_id` and datasets (`run_id = ('a')`); the value
///   is then `List` with a scalar comparator, which the SQL layer must handle or reject;
/// * `IS NULL` / `IS NOT NULL`: `Null`.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Str(String),
    Int(i64),
    Float(f64),
    List(Vec<String>),
    IntList(Vec<i64>),
    Null,
}

/// One AND-ed term of a filter.
#[derive(Clone, Debug, PartialEq)]
pub struct Clause {
    pub entity: Entity,
    /// The key: metric/param/tag name, dataset field (`name`, `digest`, `context`) or
    /// canonical attribute name (`run_id`, `run_name`, `status`, `user_id`,
    /// `artifact_uri`, `start_time`, `end_time`; for experiments `name`,
    /// `experiment_id`, `creation_time`, `last_update_time`). Aliases `created`,
    /// `Created` → `start_time` and `run name`, `Run name`, `Run Name` → `run_name`
    /// are already translated (`SearchUtils.translate_key_alias`).
    pub key: String,
    pub op: Comparator,
    pub value: Value,
}

/// One `order_by` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderBy {
    pub entity: Entity,
    /// Same canonical names as [`Clause::key`].
    pub key: String,
    pub ascending: bool,
}

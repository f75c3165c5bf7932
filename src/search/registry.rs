//! The filter and `order_by` language of the model registry: `registered-models/search`
//! and `model-versions/search` (also used by prompts, which are registered models tagged
//! `mlflow.prompt.is_prompt = 'true'`).
//!
//! Mirrors MLflow 3.17.2: `SearchModelUtils` / `SearchModelVersionUtils` (with the base
//! `SearchUtils` methods they call) in `mlflow/utils/search_utils.py`, and the checks of
//! `mlflow/store/model_registry/sqlalchemy_store.py`: `_get_search_registered_model_filter_query`,
//! `_get_search_model_versions_filter_clauses`, `_parse_search_registered_models_order_by`
//! and `_parse_search_model_versions_order_by`. Every comparator / value check the store
//! makes is done here, so the SQL layer only translates [`Clause`]s and [`OrderBy`]s.
//!
//! # Keys and columns
//!
//! Clause and order keys keep MLflow's names; [`registered_model_column`] and
//! [`model_version_column`] give the column of the `registered_models` /
//! `model_versions` table:
//!
//! | key                      | registered_models   | model_versions      |
//! |--------------------------|---------------------|---------------------|
//! | `name`                   | `name`              | `name`              |
//! | `version_number`         | –                   | `version`           |
//! | `run_id`                 | –                   | `run_id`            |
//! | `source_path`            | –                   | `source`            |
//! | `creation_timestamp`     | –                   | `creation_time`     |
//! | `last_updated_timestamp` | `last_updated_time` | `last_updated_time` |
//!
//! Tag clauses ([`Entity::Tag`]) are on `registered_model_tags` / `model_version_tags`
//! (`key`, `value`); see [`parse_registered_model_filter`] for how MLflow combines them.
//!
//! # Errors MLflow answers with a 500
//!
//! Some inputs make MLflow raise a Python exception it does not translate (an HTML 500
//! from Flask). Per mlflowd's policy these are returned as
//! [`SearchErrorKind::InvalidParameter`](super::SearchErrorKind) with Python's message:
//! `IS NULL` / `IS NOT NULL` on anything ("not enough values to unpack (expected 3, got
//! 2)"), an `IN (…)` list that is not a literal (`name IN (a)`, `ValueError: malformed
//! node or string`) and an unbalanced quote in an order_by key (`` `na"me` DESC``,
//! "No closing quotation"). MLflow's `MlflowException`s with `INTERNAL_ERROR` (duplicate
//! order_by fields, a `version_number` beyond 64 bits) keep
//! [`SearchErrorKind::Internal`](super::SearchErrorKind). A list compared with `=`, `!=`,
//! `LIKE` or `ILIKE` (`name = ('a')`) passes MLflow's checks and fails in the database
//! driver (`BAD_REQUEST`, 400, with SQLAlchemy's text); it is an invalid-parameter error
//! here.

use super::ast::{Clause, Comparator, Entity, OrderBy, Value};
use super::grouping::{Kind, Tree};
use super::lexer::Tt;
use super::order_by::parse_order_by_string;
use super::page_token::parse_start_offset_from_page_token;
use super::parser::{parse_list, registry_comparisons, strip_quotes, trim_backticks};
use super::pyfmt::{py_int, repr_float, repr_str};
use super::{SearchError, SearchQuery};

/// The tag that marks a registered model (and its versions) as a prompt
/// (`mlflow.entities.model_registry.prompt_version.IS_PROMPT_TAG_KEY`).
pub const IS_PROMPT_TAG_KEY: &str = "mlflow.prompt.is_prompt";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    /// `SearchModelUtils` + `search_registered_models`.
    Models,
    /// `SearchModelVersionUtils` + `search_model_versions`.
    Versions,
}

// Python sets in messages are printed in MLflow's source order (their real order depends
// on the interpreter's hash seed).
const MODEL_ATTRS: &[&str] = &["name"];
const MODEL_ATTRS_SET: &str = "{'name'}";
const VERSION_ATTRS: &[&str] = &["name", "version_number", "run_id", "source_path"];
const VERSION_ATTRS_SET: &str = "{'name', 'version_number', 'run_id', 'source_path'}";
const VERSION_NUMERIC_ATTRS: &[&str] = &[
    "version_number",
    "creation_timestamp",
    "last_updated_timestamp",
];
const VERSION_NUMERIC_ATTRS_SET: &str =
    "{'version_number', 'creation_timestamp', 'last_updated_timestamp'}";
const VERSION_ORDER_KEYS: &[&str] = &[
    "name",
    "version_number",
    "creation_timestamp",
    "last_updated_timestamp",
];
const VERSION_ORDER_KEYS_SET: &str =
    "{'name', 'version_number', 'creation_timestamp', 'last_updated_timestamp'}";
/// `SearchUtils.VALID_ORDER_BY_KEYS_REGISTERED_MODELS`.
const MODEL_ORDER_KEYS: &[&str] = &["timestamp", "last_updated_timestamp", "name"];
/// `SearchUtils.RECOMMENDED_ORDER_BY_KEYS_REGISTERED_MODELS`.
const MODEL_ORDER_KEYS_SET: &str = "{'name', 'timestamp'}";
/// `search_model_versions`' `order_by or [...]`.
const VERSION_DEFAULT_ORDER: [&str; 3] = [
    "last_updated_timestamp DESC",
    "name ASC",
    "version_number DESC",
];

const STRING_ATTR_CMPS: &[&str] = &["=", "!=", "LIKE", "ILIKE", "IN", "NOT IN"];
const NUMERIC_ATTR_CMPS: &[&str] = &[">", ">=", "!=", "=", "<", "<="];
const TAG_CMPS: &[&str] = &["=", "!=", "LIKE", "ILIKE"];

impl Target {
    fn attrs(self) -> (&'static [&'static str], &'static str) {
        match self {
            Target::Models => (MODEL_ATTRS, MODEL_ATTRS_SET),
            Target::Versions => (VERSION_ATTRS, VERSION_ATTRS_SET),
        }
    }
    /// `LIST_SUPPORTED_KEYS`, and `sorted()` of it as printed by `validate_list_supported`.
    fn list_keys(self) -> (&'static [&'static str], &'static str) {
        match self {
            Target::Models => (&["name"], "['name']"),
            Target::Versions => (&["name", "run_id"], "['name', 'run_id']"),
        }
    }
}

fn invalid(msg: impl Into<String>) -> SearchError {
    SearchError::invalid(msg)
}

/// Maps a filter or order_by key of `registered-models/search` to its
/// `registered_models` column (`name`, `last_updated_timestamp`; `timestamp` is accepted
/// too). Tag keys are not columns.
pub fn registered_model_column(key: &str) -> Option<&'static str> {
    Some(match key {
        "name" => "name",
        "timestamp" | "last_updated_timestamp" => "last_updated_time",
        _ => return None,
    })
}

/// Maps a filter or order_by key of `model-versions/search` to its `model_versions`
/// column (`source_path` → `source`, `version_number` → `version`, `*_timestamp` →
/// `*_time`). Tag keys are not columns.
pub fn model_version_column(key: &str) -> Option<&'static str> {
    Some(match key {
        "name" => "name",
        "version_number" => "version",
        "run_id" => "run_id",
        "source_path" => "source",
        "creation_timestamp" => "creation_time",
        "last_updated_timestamp" => "last_updated_time",
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------------
// Filters
// ---------------------------------------------------------------------------------------

/// A comparison as `parse_search_filter` returns it, before the store's checks.
#[derive(Clone, Debug, PartialEq)]
struct RawClause {
    entity: Entity,
    key: String,
    /// Upper-cased comparator text (`=`, `LIKE`, `NOT LIKE`, `==`…).
    comparator: String,
    value: RawValue,
}

#[derive(Clone, Debug, PartialEq)]
enum RawValue {
    /// Quoted string / identifier with the quotes removed (no unescaping).
    Str(String),
    /// An `(…)` list, evaluated as a Python literal.
    List(Vec<String>),
    /// Integer literal text (Python keeps an unbounded int).
    Int(String),
    Float(f64),
}

/// `SearchModelUtils.parse_search_filter` / `SearchModelVersionUtils.parse_search_filter`.
fn parse_raw(target: Target, filter: &str) -> Result<Vec<RawClause>, SearchError> {
    if filter.is_empty() {
        return Ok(Vec::new());
    }
    let (tree, comparisons) = registry_comparisons(filter)?;
    comparisons
        .iter()
        .map(|toks| get_comparison(target, &tree, toks))
        .collect()
}

/// `SearchUtils._validate_comparison` + `_get_comparison` of the model utils.
fn get_comparison(target: Target, tree: &Tree, toks: &[usize]) -> Result<RawClause, SearchError> {
    let base = "Invalid comparison clause";
    if toks.len() == 2 {
        let cmp = tree.value(toks[1]).to_uppercase();
        if cmp == "IS NULL" || cmp == "IS NOT NULL" {
            if !tree.is(toks[0], Kind::Identifier) {
                return Err(invalid(format!(
                    "{base}. Expected 'Identifier' found '{}'",
                    tree.value(toks[0])
                )));
            }
            // `_validate_comparison` lets the 2-token form through, then
            // `left, comparator, right = stripped_comparison` raises (an uncaught 500).
            return Err(invalid("not enough values to unpack (expected 3, got 2)"));
        }
    }
    if toks.len() != 3 {
        return Err(invalid(format!(
            "{base}. Expected 3 tokens found {}",
            toks.len()
        )));
    }
    if !tree.is(toks[0], Kind::Identifier) {
        return Err(invalid(format!(
            "{base}. Expected 'Identifier' found '{}'",
            tree.value(toks[0])
        )));
    }
    let (entity, key) = get_identifier(target, &tree.value(toks[0]))?;
    let comparator = tree.value(toks[1]).to_uppercase();
    let value = get_value(target, tree, entity, &key, toks[2])?;
    Ok(RawClause {
        entity,
        key,
        comparator,
        value,
    })
}

/// `_get_model_search_identifier` / `_get_model_version_search_identifier`: the entity
/// is not backtick-trimmed, and the attribute key is checked *before* its quotes and
/// backticks are removed.
fn get_identifier(target: Target, ident: &str) -> Result<(Entity, String), SearchError> {
    let (entity, key) = match ident.split_once('.') {
        None => (Entity::Attribute, ident),
        Some((e, k)) => {
            let entity = match e {
                "attribute" => Entity::Attribute,
                "tag" | "tags" => Entity::Tag,
                _ => {
                    return Err(invalid(format!(
                        "Invalid entity type '{e}'. Valid entity types are ('attribute', 'tag', 'tags')"
                    )))
                }
            };
            (entity, k)
        }
    };
    let (valid, valid_set) = target.attrs();
    if entity == Entity::Attribute && !valid.contains(&key) {
        return Err(invalid(format!(
            "Invalid attribute key '{key}' specified. Valid keys are '{valid_set}'"
        )));
    }
    Ok((entity, trim_backticks(&strip_quotes(key, false)?)))
}

/// `SearchModelUtils._get_value` / `SearchModelVersionUtils._get_value`.
fn get_value(
    target: Target,
    tree: &Tree,
    entity: Entity,
    key: &str,
    tok: usize,
) -> Result<RawValue, SearchError> {
    let tt = if tree.is_group(tok) {
        None
    } else {
        tree.tt(tok)
    };
    let text = tree.value(tok);
    let stringy = tt == Some(Tt::StringSingle) || tree.is(tok, Kind::Identifier);
    if entity == Entity::Tag {
        if stringy {
            return Ok(RawValue::Str(strip_quotes(&text, true)?));
        }
        return Err(invalid(format!(
            "Expected a quoted string value for tag (e.g. 'my-value'). Got value {text}"
        )));
    }
    if stringy {
        return Ok(RawValue::Str(strip_quotes(&text, true)?));
    }
    if tree.is(tok, Kind::Parenthesis) {
        let (keys, keys_repr) = target.list_keys();
        if !keys.contains(&key) {
            return Err(invalid(format!(
                "Only {keys_repr} attributes support comparison with a list of quoted string values."
            )));
        }
        // A malformed literal is Python's uncaught ValueError (a 500 in MLflow).
        return parse_list(&text)
            .map(RawValue::List)
            .map_err(|e| invalid(e.message));
    }
    if target == Target::Versions && matches!(tt, Some(Tt::NumberInteger | Tt::NumberFloat)) {
        if !VERSION_NUMERIC_ATTRS.contains(&key) {
            return Err(invalid(format!(
                "Only the '{VERSION_NUMERIC_ATTRS_SET}' attributes support comparison with numeric values."
            )));
        }
        return Ok(if tt == Some(Tt::NumberInteger) {
            RawValue::Int(text)
        } else {
            RawValue::Float(text.parse().unwrap_or(f64::NAN))
        });
    }
    Err(invalid(format!(
        "Expected a quoted string value or a list of quoted string values for attributes. Got value {text}"
    )))
}

/// Python's `int(s)` on a `str` or on an integer literal's text: `None` if Python raises
/// `ValueError`, `Some(None)` if it succeeds with a value beyond `i64`.
fn py_int_wide(s: &str) -> Option<Option<i64>> {
    if let Some(v) = py_int(s) {
        return Some(Some(v));
    }
    let t = s.trim();
    let body = t.strip_prefix(['-', '+']).unwrap_or(t);
    let well_formed = !body.is_empty()
        && !body.starts_with('_')
        && !body.ends_with('_')
        && !body.contains("__")
        && body.chars().all(|c| c.is_ascii_digit() || c == '_');
    well_formed.then_some(None)
}

/// The result of the store's clause checks: the clauses, and the first error MLflow only
/// hits when it executes the query (after its order_by and page-token checks).
struct Checked {
    clauses: Vec<Clause>,
    late: Option<SearchError>,
}

impl Checked {
    fn into_result(self) -> Result<Vec<Clause>, SearchError> {
        match self.late {
            Some(e) => Err(e),
            None => Ok(self.clauses),
        }
    }
}

/// The per-clause checks of `_get_search_registered_model_filter_query` and
/// `_get_search_model_versions_filter_clauses`, plus the errors the database driver
/// raises when the query is executed.
fn check(target: Target, raw: Vec<RawClause>) -> Result<Checked, SearchError> {
    let mut clauses = Vec::new();
    let mut late = None;
    for r in raw {
        let c = r.comparator.as_str();
        let value = match (r.entity, target, r.key.as_str()) {
            (Entity::Attribute, Target::Versions, key @ "version_number") => {
                if !NUMERIC_ATTR_CMPS.contains(&c) {
                    return Err(invalid(format!(
                        "Invalid comparator for attribute {key}: {c}"
                    )));
                }
                let bad = |repr: String| {
                    invalid(format!(
                        "Invalid value for numeric attribute '{key}': {repr}"
                    ))
                };
                let parsed = match &r.value {
                    RawValue::Float(f) => return Err(bad(repr_float(*f))),
                    RawValue::Int(text) => py_int_wide(text).flatten(),
                    RawValue::Str(s) => py_int_wide(s).ok_or_else(|| bad(repr_str(s)))?,
                    RawValue::List(l) => {
                        let items: Vec<String> = l.iter().map(|s| repr_str(s)).collect();
                        let tuple = if items.len() == 1 {
                            format!("({},)", items[0])
                        } else {
                            format!("({})", items.join(", "))
                        };
                        return Err(bad(tuple));
                    }
                };
                match parsed {
                    Some(v) => Value::Int(v),
                    None => {
                        // sqlite3 cannot bind the Python int; MLflow's session wraps the
                        // OverflowError in an INTERNAL_ERROR.
                        late.get_or_insert_with(|| {
                            SearchError::internal(
                                "Python int too large to convert to SQLite INTEGER",
                            )
                        });
                        Value::Int(0)
                    }
                }
            }
            (Entity::Attribute, _, key) => {
                let list_ok = target == Target::Models || ["run_id", "name"].contains(&key);
                if !STRING_ATTR_CMPS.contains(&c) || ((c == "IN" || c == "NOT IN") && !list_ok) {
                    return Err(invalid(format!("Invalid comparator for attribute: {c}")));
                }
                string_value(r.value, c, &mut late)
            }
            (_, _, _) => {
                if !TAG_CMPS.contains(&c) {
                    return Err(invalid(format!("Invalid comparator for tag: {c}")));
                }
                string_value(r.value, c, &mut late)
            }
        };
        let op = Comparator::from_mlflow(c)
            .ok_or_else(|| invalid(format!("Invalid comparator '{c}'")))?;
        clauses.push(Clause {
            entity: r.entity,
            key: r.key,
            op,
            value,
        });
    }
    Ok(Checked { clauses, late })
}

/// The value of a string attribute or tag. A list compared with `=`, `!=`, `LIKE` or
/// `ILIKE` (`name = ('a')`) passes MLflow's checks and then fails when the database
/// driver binds the tuple (sqlite: `BAD_REQUEST`, HTTP 400).
fn string_value(v: RawValue, c: &str, late: &mut Option<SearchError>) -> Value {
    match v {
        RawValue::Str(s) => Value::Str(s),
        RawValue::List(l) => {
            if c != "IN" && c != "NOT IN" {
                late.get_or_insert_with(|| {
                    invalid(
                        "(sqlite3.ProgrammingError) Error binding parameter: type 'tuple' is not supported",
                    )
                });
            }
            Value::List(l)
        }
        // Numbers never reach a string attribute or a tag (`get_value` refuses them).
        RawValue::Int(t) => Value::Str(t),
        RawValue::Float(f) => Value::Float(f),
    }
}

/// Parses and validates a `registered-models/search` filter.
///
/// Clauses are AND-ed (`OR`, parentheses and `NOT` are refused):
///
/// * [`Entity::Attribute`] `name` only (`name` or `attribute.name`): [`Value::Str`] with
///   `=`, `!=`, `LIKE`, `ILIKE`; [`Value::List`] with `IN`, `NOT IN`;
/// * [`Entity::Tag`] (`tags.<key>`, `tag.<key>`, key may be backticked or quoted):
///   [`Value::Str`] with `=`, `!=`, `LIKE`, `ILIKE`. No `IN`, no `IS NULL`.
///
/// Comparators are upper-cased (`like` → `LIKE`). String values keep their text as typed
/// (no unescaping: `'it''s'` is `it''s`). LIKE is case-sensitive and ILIKE is not, as for
/// `runs/search` (MLflow runs SQLite with `PRAGMA case_sensitive_like`).
///
/// How MLflow's store applies the clauses (the SQL layer must do the same):
///
/// * attribute clauses filter `registered_models` directly;
/// * tag clauses are grouped by key: a model matches if, for *every* distinct key, it has
///   a tag row with that key whose value satisfies *all* the clauses on that key;
/// * prompts: unless [`is_querying_prompt`] is true, models having the tag
///   `mlflow.prompt.is_prompt` = `'true'` are excluded (anti-join), and every clause on
///   that tag key is dropped from the tag conditions. If it is true, the clauses are
///   applied as ordinary tag clauses.
///
/// The empty string gives no clauses; a whitespace-only filter is an error.
pub fn parse_registered_model_filter(filter: &str) -> Result<Vec<Clause>, SearchError> {
    check(Target::Models, parse_raw(Target::Models, filter)?)?.into_result()
}

/// Parses and validates a `model-versions/search` filter.
///
/// Clauses are AND-ed:
///
/// * attribute `name`, `run_id`: [`Value::Str`] with `=`, `!=`, `LIKE`, `ILIKE`;
///   [`Value::List`] with `IN`, `NOT IN`;
/// * attribute `source_path` (column `source`): [`Value::Str`] with `=`, `!=`, `LIKE`,
///   `ILIKE`;
/// * attribute `version_number` (column `version`): [`Value::Int`] with `=`, `!=`, `<`,
///   `<=`, `>`, `>=`. The value may be an integer literal or a quoted string Python's
///   `int()` accepts (`'7'`, `' 7 '`, `'1_0'`, `'+3'`);
/// * tags (`model_version_tags`, keyed by name *and* version): [`Value::Str`] with `=`,
///   `!=`, `LIKE`, `ILIKE`.
///
/// Tag grouping and prompt exclusion work as for [`parse_registered_model_filter`], on
/// `model_version_tags`: tag groups match one version (name, version); the prompt
/// anti-join drops every version of a model `name` for which *some* version has the tag
/// `mlflow.prompt.is_prompt` = `'true'`. The SQL layer must also exclude versions whose
/// `current_stage` is `Deleted_Internal`.
pub fn parse_model_version_filter(filter: &str) -> Result<Vec<Clause>, SearchError> {
    check(Target::Versions, parse_raw(Target::Versions, filter)?)?.into_result()
}

/// `SqlAlchemyStore._is_querying_prompt`: whether the *first* clause on the tag
/// `mlflow.prompt.is_prompt` asks for prompts (`= 'true'` or `!= 'false'`, compared
/// case-insensitively). When false, MLflow excludes prompts from the search (see
/// [`parse_registered_model_filter`]).
pub fn is_querying_prompt(clauses: &[Clause]) -> bool {
    let Some(c) = clauses
        .iter()
        .find(|c| c.entity == Entity::Tag && c.key == IS_PROMPT_TAG_KEY)
    else {
        return false;
    };
    let Value::Str(v) = &c.value else {
        return false;
    };
    let v = v.to_lowercase();
    (c.op == Comparator::Eq && v == "true") || (c.op == Comparator::Ne && v == "false")
}

// ---------------------------------------------------------------------------------------
// order_by
// ---------------------------------------------------------------------------------------

/// `_parse_order_by_string`; shlex's unbalanced-quote `ValueError` (an uncaught 500 in MLflow)
/// is a client error here.
fn order_by_string(clause: &str) -> Result<(String, bool), SearchError> {
    parse_order_by_string(clause).map_err(|e| SearchError::invalid(e.message))
}

fn duplicate_error(order_by: &[String]) -> SearchError {
    let list: Vec<String> = order_by.iter().map(|s| repr_str(s)).collect();
    SearchError::internal(format!(
        "`order_by` contains duplicate fields: [{}]",
        list.join(", ")
    ))
}

fn attr_order(key: &str, ascending: bool) -> OrderBy {
    OrderBy {
        entity: Entity::Attribute,
        key: key.to_string(),
        ascending,
    }
}

/// Parses `registered-models/search`' `order_by` (`_parse_search_registered_models_order_by`)
/// into the complete ORDER BY the SQL layer must apply, in order.
///
/// Each entry is `<key> [ASC|DESC]` (direction case-insensitive, default ASC) with key
/// `name`, `timestamp` or `last_updated_timestamp`; the last two both mean column
/// `last_updated_time` and are returned as key `last_updated_timestamp`
/// (`creation_timestamp` is *not* accepted). Entity is always [`Entity::Attribute`].
///
/// Tie-breaker: `name ASC` is appended unless `name` was ordered on. So `[]` gives
/// `[name ASC]` and `["timestamp DESC"]` gives `[last_updated_timestamp DESC, name ASC]`.
///
/// Two entries on the same column (`name`, `name DESC`; `timestamp`,
/// `last_updated_timestamp`) are a plain `MlflowException` in MLflow, i.e.
/// [`SearchErrorKind::Internal`](super::SearchErrorKind).
pub fn parse_registered_model_order_by(order_by: &[String]) -> Result<Vec<OrderBy>, SearchError> {
    let mut out: Vec<OrderBy> = Vec::new();
    for clause in order_by {
        let (token, ascending) = order_by_string(clause)?;
        let token = token.trim();
        if !MODEL_ORDER_KEYS.contains(&token) {
            return Err(invalid(format!(
                "Invalid order by key '{token}' specified. Valid keys are '{MODEL_ORDER_KEYS_SET}'"
            )));
        }
        let key = if token == "name" {
            "name"
        } else {
            "last_updated_timestamp"
        };
        if out.iter().any(|o| o.key == key) {
            return Err(duplicate_error(order_by));
        }
        out.push(attr_order(key, ascending));
    }
    if !out.iter().any(|o| o.key == "name") {
        out.push(attr_order("name", true));
    }
    Ok(out)
}

/// Parses `model-versions/search`' `order_by` (`_parse_search_model_versions_order_by`)
/// into the complete ORDER BY the SQL layer must apply, in order.
///
/// An empty list means MLflow's default `["last_updated_timestamp DESC", "name ASC",
/// "version_number DESC"]`. Each entry is `[attribute.|tag.|tags.]<key> [ASC|DESC]` with
/// key `name`, `version_number`, `creation_timestamp` or `last_updated_timestamp` (the
/// entity prefix is ignored: `tags.name` orders on the `name` column). Entity is always
/// [`Entity::Attribute`]; see [`model_version_column`] for the columns.
///
/// Tie-breakers, appended in this order: `name ASC` unless `name` was ordered on, then
/// `version_number DESC` unless `version_number` was. So `["creation_timestamp"]` gives
/// `[creation_timestamp ASC, name ASC, version_number DESC]` and `["version_number"]`
/// gives `[version_number ASC, name ASC]`.
///
/// Two entries on the same key are [`SearchErrorKind::Internal`](super::SearchErrorKind),
/// as in MLflow.
pub fn parse_model_version_order_by(order_by: &[String]) -> Result<Vec<OrderBy>, SearchError> {
    let default: Vec<String>;
    let order_by = if order_by.is_empty() {
        default = VERSION_DEFAULT_ORDER.map(String::from).to_vec();
        &default[..]
    } else {
        order_by
    };
    let mut out: Vec<OrderBy> = Vec::new();
    for clause in order_by {
        let (token, ascending) = order_by_string(clause)?;
        let key = version_order_key(token.trim())?;
        if out.iter().any(|o| o.key == key) {
            return Err(duplicate_error(order_by));
        }
        out.push(attr_order(&key, ascending));
    }
    if !out.iter().any(|o| o.key == "name") {
        out.push(attr_order("name", true));
    }
    if !out.iter().any(|o| o.key == "version_number") {
        out.push(attr_order("version_number", false));
    }
    Ok(out)
}

/// `SearchExperimentsUtils._get_identifier(token, VALID_ORDER_BY_ATTRIBUTE_KEYS)` followed
/// by the store's key check.
fn version_order_key(ident: &str) -> Result<String, SearchError> {
    let (is_attr, key) = match ident.split_once('.') {
        None => (true, ident),
        Some((e, k)) => {
            if !["attribute", "tag", "tags"].contains(&e) {
                return Err(invalid(format!(
                    "Invalid entity type '{e}'. Valid entity types are ('attribute', 'tag', 'tags')"
                )));
            }
            (e == "attribute", k)
        }
    };
    let key = trim_backticks(&strip_quotes(key, false)?);
    if !VERSION_ORDER_KEYS.contains(&key.as_str()) {
        return Err(invalid(if is_attr {
            format!("Invalid attribute key '{key}' specified. Valid keys are '{VERSION_ORDER_KEYS_SET}'")
        } else {
            format!(
                "Invalid order by key '{key}' specified. Valid keys are {VERSION_ORDER_KEYS_SET}"
            )
        }));
    }
    Ok(key)
}

// ---------------------------------------------------------------------------------------
// Whole requests
// ---------------------------------------------------------------------------------------

/// Everything `search_registered_models` derives from the request, with errors in its
/// order: filter syntax, order_by, page token, filter comparators, then the errors MLflow
/// only meets executing the query. `page_token` as the handler passes it (`""` = none).
pub fn parse_search_registered_models_request(
    filter: &str,
    order_by: &[String],
    page_token: Option<&str>,
) -> Result<SearchQuery, SearchError> {
    let raw = parse_raw(Target::Models, filter)?;
    let order_by = parse_registered_model_order_by(order_by)?;
    let offset = parse_start_offset_from_page_token(page_token)?;
    let filter = check(Target::Models, raw)?;
    Ok(SearchQuery {
        filter: filter.into_result()?,
        order_by,
        offset,
    })
}

/// Everything `search_model_versions` derives from the request, with errors in its
/// order: filter syntax, filter comparators, order_by, page token, then the errors MLflow
/// only meets executing the query.
pub fn parse_search_model_versions_request(
    filter: &str,
    order_by: &[String],
    page_token: Option<&str>,
) -> Result<SearchQuery, SearchError> {
    let filter = check(Target::Versions, parse_raw(Target::Versions, filter)?)?;
    let order_by = parse_model_version_order_by(order_by)?;
    let offset = parse_start_offset_from_page_token(page_token)?;
    Ok(SearchQuery {
        filter: filter.into_result()?,
        order_by,
        offset,
    })
}

#[cfg(test)]
mod tests {
    //! Expectations generated by running each input through MLflow 3.17.2 itself
    //! (`SearchModelUtils` / `SearchModelVersionUtils.parse_search_filter`, then
    //! `SqlAlchemyStore.search_registered_models` / `search_model_versions` on SQLite, and
    //! the store's `_parse_search_*_order_by`). Sets in messages are in MLflow's source
    //! order. `ERR` = invalid-parameter error, `E500` = [`SearchErrorKind::Internal`];
    //! rows where MLflow answers differently (uncaught exception, driver error) say so.
    //!
    //! [`SearchErrorKind::Internal`]: crate::search::SearchErrorKind::Internal

    use super::*;

    fn value(v: &Value) -> String {
        match v {
            Value::Str(s) => repr_str(s),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => repr_float(*f),
            Value::List(l) => {
                let items: Vec<String> = l.iter().map(|s| repr_str(s)).collect();
                format!("[{}]", items.join(", "))
            }
            Value::IntList(l) => format!("{l:?}"),
            Value::Null => "None".into(),
        }
    }

    fn error(e: SearchError) -> String {
        if e.is_internal() {
            format!("E500 {}", e.message)
        } else {
            format!("ERR {}", e.message)
        }
    }

    fn filter(target: &str, input: &str) -> String {
        let r = match target {
            "rm" => parse_registered_model_filter(input),
            _ => parse_model_version_filter(input),
        };
        match r {
            Ok(cs) if cs.is_empty() => "[]".into(),
            Ok(cs) => cs
                .iter()
                .map(|c| {
                    format!(
                        "{} {} {} {}",
                        c.entity.mlflow_name(),
                        c.key,
                        c.op,
                        value(&c.value)
                    )
                })
                .collect::<Vec<_>>()
                .join(" AND "),
            Err(e) => error(e),
        }
    }

    fn order(target: &str, input: &[&str]) -> String {
        let input: Vec<String> = input.iter().map(|s| s.to_string()).collect();
        let r = match target {
            "rm" => parse_registered_model_order_by(&input),
            _ => parse_model_version_order_by(&input),
        };
        match r {
            Ok(obs) => obs
                .iter()
                .map(|o| {
                    assert_eq!(o.entity, Entity::Attribute);
                    let (table, column) = match target {
                        "rm" => ("registered_models", registered_model_column(&o.key)),
                        _ => ("model_versions", model_version_column(&o.key)),
                    };
                    let dir = if o.ascending { "ASC" } else { "DESC" };
                    format!("{table}.{} {dir}", column.expect("column"))
                })
                .collect::<Vec<_>>()
                .join(", "),
            Err(e) => error(e),
        }
    }

    /// (target, filter, expected): `rm` = registered models, `mv` = model versions.
    #[rustfmt::skip]
    const FILTERS: &[(&str, &str, &str)] = &[
        ("rm", "", "[]"),
        ("mv", "", "[]"),
        ("rm", " ", "ERR Invalid filter ' '. Could not be parsed."),
        ("mv", " ", "ERR Invalid filter ' '. Could not be parsed."),
        ("rm", "   ", "ERR Invalid filter '   '. Could not be parsed."),
        ("mv", "   ", "ERR Invalid filter '   '. Could not be parsed."),
        ("rm", "name = 'a'", "attribute name = 'a'"),
        ("mv", "name = 'a'", "attribute name = 'a'"),
        ("rm", "name='a'", "attribute name = 'a'"),
        ("mv", "name='a'", "attribute name = 'a'"),
        ("rm", "name = \"a\"", "attribute name = 'a'"),
        ("mv", "name = \"a\"", "attribute name = 'a'"),
        ("rm", "name = a", "ERR Parameter value is either not quoted or unidentified quote types used for string value a. Use either single or double quotes."),
        ("mv", "name = a", "ERR Parameter value is either not quoted or unidentified quote types used for string value a. Use either single or double quotes."),
        ("rm", "name = 1", "ERR Expected a quoted string value or a list of quoted string values for attributes. Got value 1"),
        ("mv", "name = 1", "ERR Only the '{'version_number', 'creation_timestamp', 'last_updated_timestamp'}' attributes support comparison with numeric values."),
        ("rm", "name = 1.5", "ERR Expected a quoted string value or a list of quoted string values for attributes. Got value 1.5"),
        ("mv", "name = 1.5", "ERR Only the '{'version_number', 'creation_timestamp', 'last_updated_timestamp'}' attributes support comparison with numeric values."),
        ("rm", "name = -1", "ERR Expected a quoted string value or a list of quoted string values for attributes. Got value -1"),
        ("mv", "name = -1", "ERR Only the '{'version_number', 'creation_timestamp', 'last_updated_timestamp'}' attributes support comparison with numeric values."),
        ("rm", "name != 'a'", "attribute name != 'a'"),
        ("mv", "name != 'a'", "attribute name != 'a'"),
        ("rm", "name LIKE 'a%'", "attribute name LIKE 'a%'"),
        ("mv", "name LIKE 'a%'", "attribute name LIKE 'a%'"),
        ("rm", "name like 'a%'", "attribute name LIKE 'a%'"),
        ("mv", "name like 'a%'", "attribute name LIKE 'a%'"),
        ("rm", "name ILIKE 'A%'", "attribute name ILIKE 'A%'"),
        ("mv", "name ILIKE 'A%'", "attribute name ILIKE 'A%'"),
        ("rm", "name ilike 'a%'", "attribute name ILIKE 'a%'"),
        ("mv", "name ilike 'a%'", "attribute name ILIKE 'a%'"),
        ("rm", "name IN ('a', 'b')", "attribute name IN ['a', 'b']"),
        ("mv", "name IN ('a', 'b')", "attribute name IN ['a', 'b']"),
        ("rm", "name in ('a')", "attribute name IN ['a']"),
        ("mv", "name in ('a')", "attribute name IN ['a']"),
        ("rm", "name NOT IN ('a', 'b')", "attribute name NOT IN ['a', 'b']"),
        ("mv", "name NOT IN ('a', 'b')", "attribute name NOT IN ['a', 'b']"),
        ("rm", "name not in ('a')", "attribute name NOT IN ['a']"),
        ("mv", "name not in ('a')", "attribute name NOT IN ['a']"),
        ("rm", "name IN ()", "ERR While parsing a list in the query, expected a non-empty list of string values, but got empty list"),
        ("mv", "name IN ()", "ERR While parsing a list in the query, expected a non-empty list of string values, but got empty list"),
        ("rm", "name NOT IN ()", "ERR While parsing a list in the query, expected a non-empty list of string values, but got empty list"),
        ("mv", "name NOT IN ()", "ERR While parsing a list in the query, expected a non-empty list of string values, but got empty list"),
        ("rm", "name IN ('a', 1)", "ERR While parsing a list in the query, expected string value, punctuation, or whitespace, but got different type in list: ('a', 1)"),
        ("mv", "name IN ('a', 1)", "ERR While parsing a list in the query, expected string value, punctuation, or whitespace, but got different type in list: ('a', 1)"),
        ("rm", "name IN (None)", "ERR While parsing a list in the query, expected string value, punctuation, or whitespace, but got different type in list: (None,)"),
        ("mv", "name IN (None)", "ERR While parsing a list in the query, expected string value, punctuation, or whitespace, but got different type in list: (None,)"),
        ("rm", "name IN (b'a')", "ERR While parsing a list in the query, expected string value, punctuation, or whitespace, but got different type in list: (b'a',)"),
        ("mv", "name IN (b'a')", "ERR While parsing a list in the query, expected string value, punctuation, or whitespace, but got different type in list: (b'a',)"),
        ("rm", "name IN (a)", "ERR malformed node or string in '(a)'"),  // MLflow: uncaught ValueError (500)
        ("mv", "name IN (a)", "ERR malformed node or string in '(a)'"),  // MLflow: uncaught ValueError (500)
        ("rm", "name IN (1+2)", "ERR While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list."),  // MLflow: uncaught ValueError (500) 'malformed node or string'; pyfmt::literal_eval reports a SyntaxError
        ("mv", "name IN (1+2)", "ERR While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list."),  // MLflow: uncaught ValueError (500) 'malformed node or string'; pyfmt::literal_eval reports a SyntaxError
        ("rm", "name IN ('a' + 'b')", "ERR While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list."),  // MLflow: uncaught ValueError (500) 'malformed node or string'; pyfmt::literal_eval reports a SyntaxError
        ("mv", "name IN ('a' + 'b')", "ERR While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list."),  // MLflow: uncaught ValueError (500) 'malformed node or string'; pyfmt::literal_eval reports a SyntaxError
        ("rm", "name IN (1+2j)", "ERR While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list."),  // MLflow: 'different type in list: ((1+2j),)'; pyfmt::literal_eval has no complex numbers
        ("mv", "name IN (1+2j)", "ERR While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list."),  // MLflow: 'different type in list: ((1+2j),)'; pyfmt::literal_eval has no complex numbers
        ("rm", "name IN (-1)", "ERR While parsing a list in the query, expected string value, punctuation, or whitespace, but got different type in list: (-1,)"),
        ("mv", "name IN (-1)", "ERR While parsing a list in the query, expected string value, punctuation, or whitespace, but got different type in list: (-1,)"),
        ("rm", "name IN (x.y)", "ERR While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list."),  // MLflow: uncaught ValueError (500) 'malformed node or string'; pyfmt::literal_eval reports a SyntaxError
        ("mv", "name IN (x.y)", "ERR While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list."),  // MLflow: uncaught ValueError (500) 'malformed node or string'; pyfmt::literal_eval reports a SyntaxError
        ("rm", "name IN ('a', b)", "ERR malformed node or string in \"('a', b)\""),  // MLflow: uncaught ValueError (500)
        ("mv", "name IN ('a', b)", "ERR malformed node or string in \"('a', b)\""),  // MLflow: uncaught ValueError (500)
        ("rm", "name IN (f(x))", "ERR While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list."),  // MLflow: uncaught ValueError (500) 'malformed node or string'; pyfmt::literal_eval reports a SyntaxError
        ("mv", "name IN (f(x))", "ERR While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list."),  // MLflow: uncaught ValueError (500) 'malformed node or string'; pyfmt::literal_eval reports a SyntaxError
        ("rm", "name IN ('a',)", "attribute name IN ['a']"),
        ("mv", "name IN ('a',)", "attribute name IN ['a']"),
        ("rm", "name IN ('a' 'b')", "attribute name IN ['ab']"),
        ("mv", "name IN ('a' 'b')", "attribute name IN ['ab']"),
        ("rm", "name IN ((\"a\", 'b'))", "attribute name IN ['a', 'b']"),
        ("mv", "name IN ((\"a\", 'b'))", "attribute name IN ['a', 'b']"),
        ("rm", "name IN ('a', 'b'", "ERR Invalid clause(s) in filter string: name, IN, (, 'a', 'b'"),
        ("mv", "name IN ('a', 'b'", "ERR Invalid clause(s) in filter string: name, IN, (, 'a', 'b'"),
        ("rm", "name IN 'a'", "ERR Invalid clause(s) in filter string: name, IN, 'a'"),
        ("mv", "name IN 'a'", "ERR Invalid clause(s) in filter string: name, IN, 'a'"),
        ("rm", "name IN ['a']", "ERR Invalid clause(s) in filter string: name, IN, ['a']"),
        ("mv", "name IN ['a']", "ERR Invalid clause(s) in filter string: name, IN, ['a']"),
        ("rm", "name = ('a', 'b')", "ERR (sqlite3.ProgrammingError) Error binding parameter: type 'tuple' is not supported"),  // MLflow: BAD_REQUEST (400) from sqlite3 at execution
        ("mv", "name = ('a', 'b')", "ERR (sqlite3.ProgrammingError) Error binding parameter: type 'tuple' is not supported"),  // MLflow: BAD_REQUEST (400) from sqlite3 at execution
        ("rm", "name = ('a')", "ERR (sqlite3.ProgrammingError) Error binding parameter: type 'tuple' is not supported"),  // MLflow: BAD_REQUEST (400) from sqlite3 at execution
        ("mv", "name = ('a')", "ERR (sqlite3.ProgrammingError) Error binding parameter: type 'tuple' is not supported"),  // MLflow: BAD_REQUEST (400) from sqlite3 at execution
        ("rm", "name LIKE ('a', 'b')", "ERR (sqlite3.ProgrammingError) Error binding parameter: type 'tuple' is not supported"),  // MLflow: BAD_REQUEST (400) from sqlite3 at execution
        ("mv", "name LIKE ('a', 'b')", "ERR (sqlite3.ProgrammingError) Error binding parameter: type 'tuple' is not supported"),  // MLflow: BAD_REQUEST (400) from sqlite3 at execution
        ("rm", "name > 'a'", "ERR Invalid comparator for attribute: >"),
        ("mv", "name > 'a'", "ERR Invalid comparator for attribute: >"),
        ("rm", "name >= 'a'", "ERR Invalid comparator for attribute: >="),
        ("mv", "name >= 'a'", "ERR Invalid comparator for attribute: >="),
        ("rm", "name < 'a'", "ERR Invalid comparator for attribute: <"),
        ("mv", "name < 'a'", "ERR Invalid comparator for attribute: <"),
        ("rm", "name <= 'a'", "ERR Invalid comparator for attribute: <="),
        ("mv", "name <= 'a'", "ERR Invalid comparator for attribute: <="),
        ("rm", "name == 'a'", "ERR Invalid comparator for attribute: =="),
        ("mv", "name == 'a'", "ERR Invalid comparator for attribute: =="),
        ("rm", "name=='a'", "ERR Invalid comparator for attribute: =="),
        ("mv", "name=='a'", "ERR Invalid comparator for attribute: =="),
        ("rm", "name <> 'a'", "ERR Invalid comparator for attribute: <>"),
        ("mv", "name <> 'a'", "ERR Invalid comparator for attribute: <>"),
        ("rm", "name NOT LIKE 'a'", "ERR Invalid comparator for attribute: NOT LIKE"),
        ("mv", "name NOT LIKE 'a'", "ERR Invalid comparator for attribute: NOT LIKE"),
        ("rm", "name IS NULL", "ERR not enough values to unpack (expected 3, got 2)"),  // MLflow: uncaught ValueError (500)
        ("mv", "name IS NULL", "ERR not enough values to unpack (expected 3, got 2)"),  // MLflow: uncaught ValueError (500)
        ("rm", "name IS NOT NULL", "ERR not enough values to unpack (expected 3, got 2)"),  // MLflow: uncaught ValueError (500)
        ("mv", "name IS NOT NULL", "ERR not enough values to unpack (expected 3, got 2)"),  // MLflow: uncaught ValueError (500)
        ("rm", "name IS 'a'", "ERR Invalid clause(s) in filter string: name, IS, 'a'"),
        ("mv", "name IS 'a'", "ERR Invalid clause(s) in filter string: name, IS, 'a'"),
        ("rm", "name = null", "ERR Expected a quoted string value or a list of quoted string values for attributes. Got value null"),
        ("mv", "name = null", "ERR Expected a quoted string value or a list of quoted string values for attributes. Got value null"),
        ("rm", "name = true", "ERR Invalid clause(s) in filter string: name, =, true"),
        ("mv", "name = true", "ERR Invalid clause(s) in filter string: name, =, true"),
        ("rm", "tags.a = 'b'", "tag a = 'b'"),
        ("mv", "tags.a = 'b'", "tag a = 'b'"),
        ("rm", "tags.a != 'b'", "tag a != 'b'"),
        ("mv", "tags.a != 'b'", "tag a != 'b'"),
        ("rm", "tag.a = 'b'", "tag a = 'b'"),
        ("mv", "tag.a = 'b'", "tag a = 'b'"),
        ("rm", "tags.a LIKE 'b%'", "tag a LIKE 'b%'"),
        ("mv", "tags.a LIKE 'b%'", "tag a LIKE 'b%'"),
        ("rm", "tags.a ilike 'B%'", "tag a ILIKE 'B%'"),
        ("mv", "tags.a ilike 'B%'", "tag a ILIKE 'B%'"),
        ("rm", "tags.a NOT LIKE 'b'", "ERR Invalid comparator for tag: NOT LIKE"),
        ("mv", "tags.a NOT LIKE 'b'", "ERR Invalid comparator for tag: NOT LIKE"),
        ("rm", "tags.a IN ('b')", "ERR Expected a quoted string value for tag (e.g. 'my-value'). Got value ('b')"),
        ("mv", "tags.a IN ('b')", "ERR Expected a quoted string value for tag (e.g. 'my-value'). Got value ('b')"),
        ("rm", "tags.a NOT IN ('b')", "ERR Expected a quoted string value for tag (e.g. 'my-value'). Got value ('b')"),
        ("mv", "tags.a NOT IN ('b')", "ERR Expected a quoted string value for tag (e.g. 'my-value'). Got value ('b')"),
        ("rm", "tags.a > 'b'", "ERR Invalid comparator for tag: >"),
        ("mv", "tags.a > 'b'", "ERR Invalid comparator for tag: >"),
        ("rm", "tags.a = b", "ERR Parameter value is either not quoted or unidentified quote types used for string value b. Use either single or double quotes."),
        ("mv", "tags.a = b", "ERR Parameter value is either not quoted or unidentified quote types used for string value b. Use either single or double quotes."),
        ("rm", "tags.a = \"b\"", "tag a = 'b'"),
        ("mv", "tags.a = \"b\"", "tag a = 'b'"),
        ("rm", "tags.a = 1", "ERR Expected a quoted string value for tag (e.g. 'my-value'). Got value 1"),
        ("mv", "tags.a = 1", "ERR Expected a quoted string value for tag (e.g. 'my-value'). Got value 1"),
        ("rm", "tags.a = ('b')", "ERR Expected a quoted string value for tag (e.g. 'my-value'). Got value ('b')"),
        ("mv", "tags.a = ('b')", "ERR Expected a quoted string value for tag (e.g. 'my-value'). Got value ('b')"),
        ("rm", "tags.`a.b` = 'c'", "tag a.b = 'c'"),
        ("mv", "tags.`a.b` = 'c'", "tag a.b = 'c'"),
        ("rm", "tags.\"a b\" = 'c'", "tag a b = 'c'"),
        ("mv", "tags.\"a b\" = 'c'", "tag a b = 'c'"),
        ("rm", "tags.'a b' = 'c'", "tag a b = 'c'"),
        ("mv", "tags.'a b' = 'c'", "tag a b = 'c'"),
        ("rm", "tags.a.b = 'c'", "tag a.b = 'c'"),
        ("mv", "tags.a.b = 'c'", "tag a.b = 'c'"),
        ("rm", "tags. = 'c'", "tag  = 'c'"),
        ("mv", "tags. = 'c'", "tag  = 'c'"),
        ("rm", "tags.`` = 'c'", "tag  = 'c'"),
        ("mv", "tags.`` = 'c'", "tag  = 'c'"),
        ("rm", "tags.`mlflow.prompt.is_prompt` != 'true'", "tag mlflow.prompt.is_prompt != 'true'"),
        ("mv", "tags.`mlflow.prompt.is_prompt` != 'true'", "tag mlflow.prompt.is_prompt != 'true'"),
        ("rm", "tags.`mlflow.prompt.is_prompt` = 'true'", "tag mlflow.prompt.is_prompt = 'true'"),
        ("mv", "tags.`mlflow.prompt.is_prompt` = 'true'", "tag mlflow.prompt.is_prompt = 'true'"),
        ("rm", "tags.`mlflow.prompt.is_prompt` = 'false'", "tag mlflow.prompt.is_prompt = 'false'"),
        ("mv", "tags.`mlflow.prompt.is_prompt` = 'false'", "tag mlflow.prompt.is_prompt = 'false'"),
        ("rm", "tags.x = 'y' AND tags.`mlflow.prompt.is_prompt` = 'TRUE'", "tag x = 'y' AND tag mlflow.prompt.is_prompt = 'TRUE'"),
        ("mv", "tags.x = 'y' AND tags.`mlflow.prompt.is_prompt` = 'TRUE'", "tag x = 'y' AND tag mlflow.prompt.is_prompt = 'TRUE'"),
        ("rm", "tags.a IS NULL", "ERR not enough values to unpack (expected 3, got 2)"),  // MLflow: uncaught ValueError (500)
        ("mv", "tags.a IS NULL", "ERR not enough values to unpack (expected 3, got 2)"),  // MLflow: uncaught ValueError (500)
        ("rm", "tags.a IS NOT NULL", "ERR not enough values to unpack (expected 3, got 2)"),  // MLflow: uncaught ValueError (500)
        ("mv", "tags.a IS NOT NULL", "ERR not enough values to unpack (expected 3, got 2)"),  // MLflow: uncaught ValueError (500)
        ("rm", "`tags`.a = 'b'", "ERR Invalid entity type '`tags`'. Valid entity types are ('attribute', 'tag', 'tags')"),
        ("mv", "`tags`.a = 'b'", "ERR Invalid entity type '`tags`'. Valid entity types are ('attribute', 'tag', 'tags')"),
        ("rm", "tags = 'a'", "ERR Invalid attribute key 'tags' specified. Valid keys are '{'name'}'"),
        ("mv", "tags = 'a'", "ERR Invalid attribute key 'tags' specified. Valid keys are '{'name', 'version_number', 'run_id', 'source_path'}'"),
        ("rm", "attribute.name = 'a'", "attribute name = 'a'"),
        ("mv", "attribute.name = 'a'", "attribute name = 'a'"),
        ("rm", "attributes.name = 'a'", "ERR Invalid entity type 'attributes'. Valid entity types are ('attribute', 'tag', 'tags')"),
        ("mv", "attributes.name = 'a'", "ERR Invalid entity type 'attributes'. Valid entity types are ('attribute', 'tag', 'tags')"),
        ("rm", "attr.name = 'a'", "ERR Invalid entity type 'attr'. Valid entity types are ('attribute', 'tag', 'tags')"),
        ("mv", "attr.name = 'a'", "ERR Invalid entity type 'attr'. Valid entity types are ('attribute', 'tag', 'tags')"),
        ("rm", "run.name = 'a'", "ERR Invalid entity type 'run'. Valid entity types are ('attribute', 'tag', 'tags')"),
        ("mv", "run.name = 'a'", "ERR Invalid entity type 'run'. Valid entity types are ('attribute', 'tag', 'tags')"),
        ("rm", "params.a = 'b'", "ERR Invalid entity type 'params'. Valid entity types are ('attribute', 'tag', 'tags')"),
        ("mv", "params.a = 'b'", "ERR Invalid entity type 'params'. Valid entity types are ('attribute', 'tag', 'tags')"),
        ("rm", "metrics.a = 1", "ERR Invalid entity type 'metrics'. Valid entity types are ('attribute', 'tag', 'tags')"),
        ("mv", "metrics.a = 1", "ERR Invalid entity type 'metrics'. Valid entity types are ('attribute', 'tag', 'tags')"),
        ("rm", "x.y.z = 'a'", "ERR Invalid entity type 'x'. Valid entity types are ('attribute', 'tag', 'tags')"),
        ("mv", "x.y.z = 'a'", "ERR Invalid entity type 'x'. Valid entity types are ('attribute', 'tag', 'tags')"),
        ("rm", "`name` = 'a'", "ERR Invalid attribute key '`name`' specified. Valid keys are '{'name'}'"),
        ("mv", "`name` = 'a'", "ERR Invalid attribute key '`name`' specified. Valid keys are '{'name', 'version_number', 'run_id', 'source_path'}'"),
        ("rm", "attribute.`name` = 'a'", "ERR Invalid attribute key '`name`' specified. Valid keys are '{'name'}'"),
        ("mv", "attribute.`name` = 'a'", "ERR Invalid attribute key '`name`' specified. Valid keys are '{'name', 'version_number', 'run_id', 'source_path'}'"),
        ("rm", "\"name\" = 'a'", "ERR Invalid attribute key '\"name\"' specified. Valid keys are '{'name'}'"),
        ("mv", "\"name\" = 'a'", "ERR Invalid attribute key '\"name\"' specified. Valid keys are '{'name', 'version_number', 'run_id', 'source_path'}'"),
        ("rm", "NAME = 'a'", "ERR Invalid attribute key 'NAME' specified. Valid keys are '{'name'}'"),
        ("mv", "NAME = 'a'", "ERR Invalid attribute key 'NAME' specified. Valid keys are '{'name', 'version_number', 'run_id', 'source_path'}'"),
        ("rm", "'a' = name", "ERR Invalid comparison clause. Expected 'Identifier' found ''a''"),
        ("mv", "'a' = name", "ERR Invalid comparison clause. Expected 'Identifier' found ''a''"),
        ("rm", "version_number = 1", "ERR Invalid attribute key 'version_number' specified. Valid keys are '{'name'}'"),
        ("mv", "version_number = 1", "attribute version_number = 1"),
        ("rm", "version_number = '1'", "ERR Invalid attribute key 'version_number' specified. Valid keys are '{'name'}'"),
        ("mv", "version_number = '1'", "attribute version_number = 1"),
        ("rm", "version_number > 1", "ERR Invalid attribute key 'version_number' specified. Valid keys are '{'name'}'"),
        ("mv", "version_number > 1", "attribute version_number > 1"),
        ("rm", "version_number >= 1", "ERR Invalid attribute key 'version_number' specified. Valid keys are '{'name'}'"),
        ("mv", "version_number >= 1", "attribute version_number >= 1"),
        ("rm", "version_number < 2", "ERR Invalid attribute key 'version_number' specified. Valid keys are '{'name'}'"),
        ("mv", "version_number < 2", "attribute version_number < 2"),
        ("rm", "version_number <= 2", "ERR Invalid attribute key 'version_number' specified. Valid keys are '{'name'}'"),
        ("mv", "version_number <= 2", "attribute version_number <= 2"),
        ("rm", "version_number != 1", "ERR Invalid attribute key 'version_number' specified. Valid keys are '{'name'}'"),
        ("mv", "version_number != 1", "attribute version_number != 1"),
        ("rm", "version_number = -1", "ERR Invalid attribute key 'version_number' specified. Valid keys are '{'name'}'"),
        ("mv", "version_number = -1", "attribute version_number = -1"),
        ("rm", "version_number = 1.5", "ERR Invalid attribute key 'version_number' specified. Valid keys are '{'name'}'"),
        ("mv", "version_number = 1.5", "ERR Invalid value for numeric attribute 'version_number': 1.5"),
        ("rm", "version_number = 1.0", "ERR Invalid attribute key 'version_number' specified. Valid keys are '{'name'}'"),
        ("mv", "version_number = 1.0", "ERR Invalid value for numeric attribute 'version_number': 1.0"),
        ("rm", "version_number = 1e3", "ERR Invalid attribute key 'version_number' specified. Valid keys are '{'name'}'"),
        ("mv", "version_number = 1e3", "ERR Invalid value for numeric attribute 'version_number': 1000.0"),
        ("rm", "version_number = 1e400", "ERR Invalid attribute key 'version_number' specified. Valid keys are '{'name'}'"),
        ("mv", "version_number = 1e400", "ERR Invalid value for numeric attribute 'version_number': inf"),
        ("rm", "version_number = .5", "ERR Invalid attribute key 'version_number' specified. Valid keys are '{'name'}'"),
        ("mv", "version_number = .5", "ERR Invalid value for numeric attribute 'version_number': 0.5"),
        ("rm", "version_number = 'abc'", "ERR Invalid attribute key 'version_number' specified. Valid keys are '{'name'}'"),
        ("mv", "version_number = 'abc'", "ERR Invalid value for numeric attribute 'version_number': 'abc'"),
        ("rm", "version_number = ''", "ERR Invalid attribute key 'version_number' specified. Valid keys are '{'name'}'"),
        ("mv", "version_number = ''", "ERR Invalid value for numeric attribute 'version_number': ''"),
        ("rm", "version_number = '1.0'", "ERR Invalid attribute key 'version_number' specified. Valid keys are '{'name'}'"),
        ("mv", "version_number = '1.0'", "ERR Invalid value for numeric attribute 'version_number': '1.0'"),
        ("rm", "version_number = '0x10'", "ERR Invalid attribute key 'version_number' specified. Valid keys are '{'name'}'"),
        ("mv", "version_number = '0x10'", "ERR Invalid value for numeric attribute 'version_number': '0x10'"),
        ("rm", "version_number = ' 12 '", "ERR Invalid attribute key 'version_number' specified. Valid keys are '{'name'}'"),
        ("mv", "version_number = ' 12 '", "attribute version_number = 12"),
        ("rm", "version_number = '1_0'", "ERR Invalid attribute key 'version_number' specified. Valid keys are '{'name'}'"),
        ("mv", "version_number = '1_0'", "attribute version_number = 10"),
        ("rm", "version_number = '+3'", "ERR Invalid attribute key 'version_number' specified. Valid keys are '{'name'}'"),
        ("mv", "version_number = '+3'", "attribute version_number = 3"),
        ("rm", "version_number = a", "ERR Invalid attribute key 'version_number' specified. Valid keys are '{'name'}'"),
        ("mv", "version_number = a", "ERR Parameter value is either not quoted or unidentified quote types used for string value a. Use either single or double quotes."),
        ("rm", "version_number LIKE '1'", "ERR Invalid attribute key 'version_number' specified. Valid keys are '{'name'}'"),
        ("mv", "version_number LIKE '1'", "ERR Invalid comparator for attribute version_number: LIKE"),
        ("rm", "version_number LIKE 1", "ERR Invalid attribute key 'version_number' specified. Valid keys are '{'name'}'"),
        ("mv", "version_number LIKE 1", "ERR Invalid comparator for attribute version_number: LIKE"),
        ("rm", "version_number IN ('1')", "ERR Invalid attribute key 'version_number' specified. Valid keys are '{'name'}'"),
        ("mv", "version_number IN ('1')", "ERR Only ['name', 'run_id'] attributes support comparison with a list of quoted string values."),
        ("rm", "version_number IN (1, 2)", "ERR Invalid attribute key 'version_number' specified. Valid keys are '{'name'}'"),
        ("mv", "version_number IN (1, 2)", "ERR Only ['name', 'run_id'] attributes support comparison with a list of quoted string values."),
        ("rm", "version_number = 9223372036854775807", "ERR Invalid attribute key 'version_number' specified. Valid keys are '{'name'}'"),
        ("mv", "version_number = 9223372036854775807", "attribute version_number = 9223372036854775807"),
        ("rm", "version_number = -9223372036854775808", "ERR Invalid attribute key 'version_number' specified. Valid keys are '{'name'}'"),
        ("mv", "version_number = -9223372036854775808", "attribute version_number = -9223372036854775808"),
        ("rm", "version_number = 9223372036854775808", "ERR Invalid attribute key 'version_number' specified. Valid keys are '{'name'}'"),
        ("mv", "version_number = 9223372036854775808", "E500 Python int too large to convert to SQLite INTEGER"),  // MLflow: INTERNAL_ERROR (500)
        ("rm", "version_number = 99999999999999999999", "ERR Invalid attribute key 'version_number' specified. Valid keys are '{'name'}'"),
        ("mv", "version_number = 99999999999999999999", "E500 Python int too large to convert to SQLite INTEGER"),  // MLflow: INTERNAL_ERROR (500)
        ("rm", "version_number = '99999999999999999999'", "ERR Invalid attribute key 'version_number' specified. Valid keys are '{'name'}'"),
        ("mv", "version_number = '99999999999999999999'", "E500 Python int too large to convert to SQLite INTEGER"),  // MLflow: INTERNAL_ERROR (500)
        ("rm", "version = 1", "ERR Invalid clause(s) in filter string: version, =, 1"),
        ("mv", "version = 1", "ERR Invalid clause(s) in filter string: version, =, 1"),
        ("rm", "run_id = 'r1'", "ERR Invalid attribute key 'run_id' specified. Valid keys are '{'name'}'"),
        ("mv", "run_id = 'r1'", "attribute run_id = 'r1'"),
        ("rm", "run_id IN ('r1', 'r2')", "ERR Invalid attribute key 'run_id' specified. Valid keys are '{'name'}'"),
        ("mv", "run_id IN ('r1', 'r2')", "attribute run_id IN ['r1', 'r2']"),
        ("rm", "run_id NOT IN ('r1')", "ERR Invalid attribute key 'run_id' specified. Valid keys are '{'name'}'"),
        ("mv", "run_id NOT IN ('r1')", "attribute run_id NOT IN ['r1']"),
        ("rm", "run_id LIKE 'r%'", "ERR Invalid attribute key 'run_id' specified. Valid keys are '{'name'}'"),
        ("mv", "run_id LIKE 'r%'", "attribute run_id LIKE 'r%'"),
        ("rm", "run_id > 'r'", "ERR Invalid attribute key 'run_id' specified. Valid keys are '{'name'}'"),
        ("mv", "run_id > 'r'", "ERR Invalid comparator for attribute: >"),
        ("rm", "run_id != ('a')", "ERR Invalid attribute key 'run_id' specified. Valid keys are '{'name'}'"),
        ("mv", "run_id != ('a')", "ERR (sqlite3.ProgrammingError) Error binding parameter: type 'tuple' is not supported"),  // MLflow: BAD_REQUEST (400) from sqlite3 at execution
        ("rm", "run_id = 1", "ERR Invalid attribute key 'run_id' specified. Valid keys are '{'name'}'"),
        ("mv", "run_id = 1", "ERR Only the '{'version_number', 'creation_timestamp', 'last_updated_timestamp'}' attributes support comparison with numeric values."),
        ("rm", "source_path = 's3://x'", "ERR Invalid attribute key 'source_path' specified. Valid keys are '{'name'}'"),
        ("mv", "source_path = 's3://x'", "attribute source_path = 's3://x'"),
        ("rm", "source_path LIKE 's3%'", "ERR Invalid attribute key 'source_path' specified. Valid keys are '{'name'}'"),
        ("mv", "source_path LIKE 's3%'", "attribute source_path LIKE 's3%'"),
        ("rm", "source_path IN ('a')", "ERR Invalid attribute key 'source_path' specified. Valid keys are '{'name'}'"),
        ("mv", "source_path IN ('a')", "ERR Only ['name', 'run_id'] attributes support comparison with a list of quoted string values."),
        ("rm", "source_path = 1", "ERR Invalid attribute key 'source_path' specified. Valid keys are '{'name'}'"),
        ("mv", "source_path = 1", "ERR Only the '{'version_number', 'creation_timestamp', 'last_updated_timestamp'}' attributes support comparison with numeric values."),
        ("rm", "creation_timestamp > 1", "ERR Invalid attribute key 'creation_timestamp' specified. Valid keys are '{'name'}'"),
        ("mv", "creation_timestamp > 1", "ERR Invalid attribute key 'creation_timestamp' specified. Valid keys are '{'name', 'version_number', 'run_id', 'source_path'}'"),
        ("rm", "last_updated_timestamp > 1", "ERR Invalid attribute key 'last_updated_timestamp' specified. Valid keys are '{'name'}'"),
        ("mv", "last_updated_timestamp > 1", "ERR Invalid attribute key 'last_updated_timestamp' specified. Valid keys are '{'name', 'version_number', 'run_id', 'source_path'}'"),
        ("rm", "status = 'READY'", "ERR Invalid attribute key 'status' specified. Valid keys are '{'name'}'"),
        ("mv", "status = 'READY'", "ERR Invalid attribute key 'status' specified. Valid keys are '{'name', 'version_number', 'run_id', 'source_path'}'"),
        ("rm", "current_stage = 'None'", "ERR Invalid attribute key 'current_stage' specified. Valid keys are '{'name'}'"),
        ("mv", "current_stage = 'None'", "ERR Invalid attribute key 'current_stage' specified. Valid keys are '{'name', 'version_number', 'run_id', 'source_path'}'"),
        ("rm", "user_id = 'a'", "ERR Invalid attribute key 'user_id' specified. Valid keys are '{'name'}'"),
        ("mv", "user_id = 'a'", "ERR Invalid attribute key 'user_id' specified. Valid keys are '{'name', 'version_number', 'run_id', 'source_path'}'"),
        ("rm", "name = 'a' AND tags.b = 'c'", "attribute name = 'a' AND tag b = 'c'"),
        ("mv", "name = 'a' AND tags.b = 'c'", "attribute name = 'a' AND tag b = 'c'"),
        ("rm", "name = 'a' and tags.b = 'c'", "attribute name = 'a' AND tag b = 'c'"),
        ("mv", "name = 'a' and tags.b = 'c'", "attribute name = 'a' AND tag b = 'c'"),
        ("rm", "name = 'a'\nAND tags.b = 'c'", "attribute name = 'a' AND tag b = 'c'"),
        ("mv", "name = 'a'\nAND tags.b = 'c'", "attribute name = 'a' AND tag b = 'c'"),
        ("rm", "name = 'a' OR name = 'b'", "ERR Invalid clause(s) in filter string: OR"),
        ("mv", "name = 'a' OR name = 'b'", "ERR Invalid clause(s) in filter string: OR"),
        ("rm", "name IN ('a', 'b') OR name = 'c'", "ERR Invalid clause(s) in filter string: OR"),
        ("mv", "name IN ('a', 'b') OR name = 'c'", "ERR Invalid clause(s) in filter string: OR"),
        ("rm", "name = 'a' OR", "ERR Invalid clause(s) in filter string: OR"),
        ("mv", "name = 'a' OR", "ERR Invalid clause(s) in filter string: OR"),
        ("rm", "name = 'a' AND", "attribute name = 'a'"),
        ("mv", "name = 'a' AND", "attribute name = 'a'"),
        ("rm", "AND name = 'a'", "attribute name = 'a'"),
        ("mv", "AND name = 'a'", "attribute name = 'a'"),
        ("rm", "name = 'a' AND AND name = 'b'", "attribute name = 'a' AND attribute name = 'b'"),
        ("mv", "name = 'a' AND AND name = 'b'", "attribute name = 'a' AND attribute name = 'b'"),
        ("rm", "name = 'a'; name = 'b'", "ERR Search filter contained multiple expression \"name = 'a'; name = 'b'\". Provide AND-ed expression list."),
        ("mv", "name = 'a'; name = 'b'", "ERR Search filter contained multiple expression \"name = 'a'; name = 'b'\". Provide AND-ed expression list."),
        ("rm", "name = 'a';", "ERR Invalid clause(s) in filter string: ;"),
        ("mv", "name = 'a';", "ERR Invalid clause(s) in filter string: ;"),
        ("rm", "name = 'a' name = 'b'", "attribute name = 'a' AND attribute name = 'b'"),
        ("mv", "name = 'a' name = 'b'", "attribute name = 'a' AND attribute name = 'b'"),
        ("rm", "name", "ERR Invalid clause(s) in filter string: name"),
        ("mv", "name", "ERR Invalid clause(s) in filter string: name"),
        ("rm", "name = 'it''s'", "attribute name = \"it''s\""),
        ("mv", "name = 'it''s'", "attribute name = \"it''s\""),
        ("rm", "name = 'a\\'b'", "attribute name = \"a\\\\'b\""),
        ("mv", "name = 'a\\'b'", "attribute name = \"a\\\\'b\""),
        ("rm", "name = \"it's\"", "attribute name = \"it's\""),
        ("mv", "name = \"it's\"", "attribute name = \"it's\""),
        ("rm", "name = ''", "attribute name = ''"),
        ("mv", "name = ''", "attribute name = ''"),
        ("rm", "name = '", "ERR Invalid clause(s) in filter string: name, =, '"),
        ("mv", "name = '", "ERR Invalid clause(s) in filter string: name, =, '"),
        ("rm", "name = 'a", "ERR Invalid clause(s) in filter string: name, =, ', a"),
        ("mv", "name = 'a", "ERR Invalid clause(s) in filter string: name, =, ', a"),
        ("rm", "tags.a = 'b' AND tags.a = 'c'", "tag a = 'b' AND tag a = 'c'"),
        ("mv", "tags.a = 'b' AND tags.a = 'c'", "tag a = 'b' AND tag a = 'c'"),
        ("rm", "tags.a = 'b' 'c'", "ERR Invalid clause(s) in filter string: 'c'"),
        ("mv", "tags.a = 'b' 'c'", "ERR Invalid clause(s) in filter string: 'c'"),
        ("rm", "(name = 'a')", "ERR Invalid clause(s) in filter string: (name = 'a')"),
        ("mv", "(name = 'a')", "ERR Invalid clause(s) in filter string: (name = 'a')"),
        ("rm", "name = 'a' AND (tags.a = 'b')", "ERR Invalid clause(s) in filter string: (tags.a = 'b')"),
        ("mv", "name = 'a' AND (tags.a = 'b')", "ERR Invalid clause(s) in filter string: (tags.a = 'b')"),
        ("rm", "name = 'a' AND tags.a", "ERR Invalid clause(s) in filter string: tags.a"),
        ("mv", "name = 'a' AND tags.a", "ERR Invalid clause(s) in filter string: tags.a"),
        ("rm", "name = 'a' AND 1", "ERR Invalid clause(s) in filter string: 1"),
        ("mv", "name = 'a' AND 1", "ERR Invalid clause(s) in filter string: 1"),
        ("rm", "name = 'a' AND NOT name = 'b'", "ERR Invalid clause(s) in filter string: NOT"),
        ("mv", "name = 'a' AND NOT name = 'b'", "ERR Invalid clause(s) in filter string: NOT"),
        ("rm", "name IN ('a', 'b') AND run_id IN ('c')", "ERR Invalid attribute key 'run_id' specified. Valid keys are '{'name'}'"),
        ("mv", "name IN ('a', 'b') AND run_id IN ('c')", "attribute name IN ['a', 'b'] AND attribute run_id IN ['c']"),
        ("rm", "name IN ('a', 'b') AND version_number > 2 AND tags.`x y` LIKE '%z'", "ERR Invalid attribute key 'version_number' specified. Valid keys are '{'name'}'"),
        ("mv", "name IN ('a', 'b') AND version_number > 2 AND tags.`x y` LIKE '%z'", "attribute name IN ['a', 'b'] AND attribute version_number > 2 AND tag x y LIKE '%z'"),
        ("rm", "name = 'a' -- comment", "ERR Invalid clause(s) in filter string: -- comment"),
        ("mv", "name = 'a' -- comment", "ERR Invalid clause(s) in filter string: -- comment"),
        ("rm", "name = /*c*/ 'a'", "ERR Invalid clause(s) in filter string: name, =, /*c*/, 'a'"),
        ("mv", "name = /*c*/ 'a'", "ERR Invalid clause(s) in filter string: name, =, /*c*/, 'a'"),
        ("rm", "name LIKE 'a' ESCAPE '\\\\'", "ERR Invalid clause(s) in filter string: ESCAPE, '\\\\'"),
        ("mv", "name LIKE 'a' ESCAPE '\\\\'", "ERR Invalid clause(s) in filter string: ESCAPE, '\\\\'"),
        ("rm", "tag.`a = 'b'", "ERR Invalid clause(s) in filter string: tag., `"),
        ("mv", "tag.`a = 'b'", "ERR Invalid clause(s) in filter string: tag., `"),
        ("rm", ".name = 'a'", "ERR Invalid clause(s) in filter string: ."),
        ("mv", ".name = 'a'", "ERR Invalid clause(s) in filter string: ."),
        ("rm", "  name = 'a'", "attribute name = 'a'"),
        ("mv", "  name = 'a'", "attribute name = 'a'"),
        ("rm", "name = ('a') AND tags.x > 'y'", "ERR Invalid comparator for tag: >"),
        ("mv", "name = ('a') AND tags.x > 'y'", "ERR Invalid comparator for tag: >"),
        ("rm", "tags.x > 'y' AND name = 'a' AND name = 1", "ERR Expected a quoted string value or a list of quoted string values for attributes. Got value 1"),
        ("mv", "tags.x > 'y' AND name = 'a' AND name = 1", "ERR Only the '{'version_number', 'creation_timestamp', 'last_updated_timestamp'}' attributes support comparison with numeric values."),
        ("rm", "name = 'a' AND name IS NULL", "ERR not enough values to unpack (expected 3, got 2)"),  // MLflow: uncaught ValueError (500)
        ("mv", "name = 'a' AND name IS NULL", "ERR not enough values to unpack (expected 3, got 2)"),  // MLflow: uncaught ValueError (500)
        ("rm", "name = 1 AND name IS NULL", "ERR Expected a quoted string value or a list of quoted string values for attributes. Got value 1"),
        ("mv", "name = 1 AND name IS NULL", "ERR Only the '{'version_number', 'creation_timestamp', 'last_updated_timestamp'}' attributes support comparison with numeric values."),
        ("rm", "version_number IN ('1') AND version_number LIKE 1", "ERR Invalid attribute key 'version_number' specified. Valid keys are '{'name'}'"),
        ("mv", "version_number IN ('1') AND version_number LIKE 1", "ERR Only ['name', 'run_id'] attributes support comparison with a list of quoted string values."),
        ("rm", "version_number = 99999999999999999999 AND name = ('a')", "ERR Invalid attribute key 'version_number' specified. Valid keys are '{'name'}'"),
        ("mv", "version_number = 99999999999999999999 AND name = ('a')", "E500 Python int too large to convert to SQLite INTEGER"),  // MLflow: INTERNAL_ERROR (500)
        ("rm", "name = ('a') AND version_number = 99999999999999999999", "ERR Invalid attribute key 'version_number' specified. Valid keys are '{'name'}'"),
        ("mv", "name = ('a') AND version_number = 99999999999999999999", "ERR (sqlite3.ProgrammingError) Error binding parameter: type 'tuple' is not supported"),  // MLflow: BAD_REQUEST (400) from sqlite3 at execution
    ];

    /// (target, order_by, expected ORDER BY with the tie-breakers).
    #[rustfmt::skip]
    const ORDERS: &[(&str, &[&str], &str)] = &[
        ("rm", &[], "registered_models.name ASC"),
        ("mv", &[], "model_versions.last_updated_time DESC, model_versions.name ASC, model_versions.version DESC"),
        ("rm", &["name"], "registered_models.name ASC"),
        ("mv", &["name"], "model_versions.name ASC, model_versions.version DESC"),
        ("rm", &["name ASC"], "registered_models.name ASC"),
        ("mv", &["name ASC"], "model_versions.name ASC, model_versions.version DESC"),
        ("rm", &["name DESC"], "registered_models.name DESC"),
        ("mv", &["name DESC"], "model_versions.name DESC, model_versions.version DESC"),
        ("rm", &["name asc"], "registered_models.name ASC"),
        ("mv", &["name asc"], "model_versions.name ASC, model_versions.version DESC"),
        ("rm", &["name desc"], "registered_models.name DESC"),
        ("mv", &["name desc"], "model_versions.name DESC, model_versions.version DESC"),
        ("rm", &["name Desc"], "registered_models.name DESC"),
        ("mv", &["name Desc"], "model_versions.name DESC, model_versions.version DESC"),
        ("rm", &["name\tDESC"], "registered_models.name DESC"),
        ("mv", &["name\tDESC"], "model_versions.name DESC, model_versions.version DESC"),
        ("rm", &["timestamp"], "registered_models.last_updated_time ASC, registered_models.name ASC"),
        ("mv", &["timestamp"], "ERR Invalid attribute key 'timestamp' specified. Valid keys are '{'name', 'version_number', 'creation_timestamp', 'last_updated_timestamp'}'"),
        ("rm", &["timestamp DESC"], "registered_models.last_updated_time DESC, registered_models.name ASC"),
        ("mv", &["timestamp DESC"], "ERR Invalid attribute key 'timestamp' specified. Valid keys are '{'name', 'version_number', 'creation_timestamp', 'last_updated_timestamp'}'"),
        ("rm", &["timestamp asc"], "registered_models.last_updated_time ASC, registered_models.name ASC"),
        ("mv", &["timestamp asc"], "ERR Invalid attribute key 'timestamp' specified. Valid keys are '{'name', 'version_number', 'creation_timestamp', 'last_updated_timestamp'}'"),
        ("rm", &["timestamp  DESC"], "registered_models.last_updated_time DESC, registered_models.name ASC"),
        ("mv", &["timestamp  DESC"], "ERR Invalid attribute key 'timestamp' specified. Valid keys are '{'name', 'version_number', 'creation_timestamp', 'last_updated_timestamp'}'"),
        ("rm", &["TIMESTAMP"], "ERR Invalid order_by clause 'TIMESTAMP'. Could not be parsed."),
        ("mv", &["TIMESTAMP"], "ERR Invalid order_by clause 'TIMESTAMP'. Could not be parsed."),
        ("rm", &["Timestamp DESC"], "ERR Invalid order_by clause 'Timestamp DESC'. Could not be parsed."),
        ("mv", &["Timestamp DESC"], "ERR Invalid order_by clause 'Timestamp DESC'. Could not be parsed."),
        ("rm", &["timestamp_ms"], "ERR Invalid order by key 'timestamp_ms' specified. Valid keys are '{'name', 'timestamp'}'"),
        ("mv", &["timestamp_ms"], "ERR Invalid attribute key 'timestamp_ms' specified. Valid keys are '{'name', 'version_number', 'creation_timestamp', 'last_updated_timestamp'}'"),
        ("rm", &["timestamp DESC extra"], "ERR Invalid order_by clause 'timestamp DESC extra'. Could not be parsed."),
        ("mv", &["timestamp DESC extra"], "ERR Invalid order_by clause 'timestamp DESC extra'. Could not be parsed."),
        ("rm", &["last_updated_timestamp"], "registered_models.last_updated_time ASC, registered_models.name ASC"),
        ("mv", &["last_updated_timestamp"], "model_versions.last_updated_time ASC, model_versions.name ASC, model_versions.version DESC"),
        ("rm", &["last_updated_timestamp DESC"], "registered_models.last_updated_time DESC, registered_models.name ASC"),
        ("mv", &["last_updated_timestamp DESC"], "model_versions.last_updated_time DESC, model_versions.name ASC, model_versions.version DESC"),
        ("rm", &["`last_updated_timestamp` DESC"], "registered_models.last_updated_time DESC, registered_models.name ASC"),
        ("mv", &["`last_updated_timestamp` DESC"], "model_versions.last_updated_time DESC, model_versions.name ASC, model_versions.version DESC"),
        ("rm", &["creation_timestamp"], "ERR Invalid order by key 'creation_timestamp' specified. Valid keys are '{'name', 'timestamp'}'"),
        ("mv", &["creation_timestamp"], "model_versions.creation_time ASC, model_versions.name ASC, model_versions.version DESC"),
        ("rm", &["creation_timestamp DESC"], "ERR Invalid order by key 'creation_timestamp' specified. Valid keys are '{'name', 'timestamp'}'"),
        ("mv", &["creation_timestamp DESC"], "model_versions.creation_time DESC, model_versions.name ASC, model_versions.version DESC"),
        ("rm", &["version_number"], "ERR Invalid order by key 'version_number' specified. Valid keys are '{'name', 'timestamp'}'"),
        ("mv", &["version_number"], "model_versions.version ASC, model_versions.name ASC"),
        ("rm", &["version_number ASC"], "ERR Invalid order by key 'version_number' specified. Valid keys are '{'name', 'timestamp'}'"),
        ("mv", &["version_number ASC"], "model_versions.version ASC, model_versions.name ASC"),
        ("rm", &["name", "timestamp"], "registered_models.name ASC, registered_models.last_updated_time ASC"),
        ("mv", &["name", "timestamp"], "ERR Invalid attribute key 'timestamp' specified. Valid keys are '{'name', 'version_number', 'creation_timestamp', 'last_updated_timestamp'}'"),
        ("rm", &["timestamp", "last_updated_timestamp"], "E500 `order_by` contains duplicate fields: ['timestamp', 'last_updated_timestamp']"),  // MLflow: INTERNAL_ERROR (500)
        ("mv", &["timestamp", "last_updated_timestamp"], "ERR Invalid attribute key 'timestamp' specified. Valid keys are '{'name', 'version_number', 'creation_timestamp', 'last_updated_timestamp'}'"),
        ("rm", &["name", "name DESC"], "E500 `order_by` contains duplicate fields: ['name', 'name DESC']"),  // MLflow: INTERNAL_ERROR (500)
        ("mv", &["name", "name DESC"], "E500 `order_by` contains duplicate fields: ['name', 'name DESC']"),  // MLflow: INTERNAL_ERROR (500)
        ("rm", &["creation_timestamp", "creation_timestamp DESC"], "ERR Invalid order by key 'creation_timestamp' specified. Valid keys are '{'name', 'timestamp'}'"),
        ("mv", &["creation_timestamp", "creation_timestamp DESC"], "E500 `order_by` contains duplicate fields: ['creation_timestamp', 'creation_timestamp DESC']"),  // MLflow: INTERNAL_ERROR (500)
        ("rm", &["tags.name", "name"], "ERR Invalid order by key 'tags.name' specified. Valid keys are '{'name', 'timestamp'}'"),
        ("mv", &["tags.name", "name"], "E500 `order_by` contains duplicate fields: ['tags.name', 'name']"),  // MLflow: INTERNAL_ERROR (500)
        ("rm", &["name DESC", "timestamp ASC"], "registered_models.name DESC, registered_models.last_updated_time ASC"),
        ("mv", &["name DESC", "timestamp ASC"], "ERR Invalid attribute key 'timestamp' specified. Valid keys are '{'name', 'version_number', 'creation_timestamp', 'last_updated_timestamp'}'"),
        ("rm", &["name DESC ASC"], "ERR Invalid order_by clause 'name DESC ASC'. Could not be parsed."),
        ("mv", &["name DESC ASC"], "ERR Invalid order_by clause 'name DESC ASC'. Could not be parsed."),
        ("rm", &["name sideways"], "ERR Invalid ordering key in order_by clause 'name sideways'."),
        ("mv", &["name sideways"], "ERR Invalid ordering key in order_by clause 'name sideways'."),
        ("rm", &[""], "ERR Invalid order_by clause ''. Could not be parsed."),
        ("mv", &[""], "ERR Invalid order_by clause ''. Could not be parsed."),
        ("rm", &[" name"], "ERR Invalid order_by clause ' name'. Could not be parsed."),
        ("mv", &[" name"], "ERR Invalid order_by clause ' name'. Could not be parsed."),
        ("rm", &["name "], "ERR Invalid order_by clause 'name '. Could not be parsed."),
        ("mv", &["name "], "ERR Invalid order_by clause 'name '. Could not be parsed."),
        ("rm", &["`name`"], "ERR Invalid order by key '`name`' specified. Valid keys are '{'name', 'timestamp'}'"),
        ("mv", &["`name`"], "model_versions.name ASC, model_versions.version DESC"),
        ("rm", &["`name` DESC"], "registered_models.name DESC"),
        ("mv", &["`name` DESC"], "model_versions.name DESC, model_versions.version DESC"),
        ("rm", &["\"name\" DESC"], "registered_models.name DESC"),
        ("mv", &["\"name\" DESC"], "model_versions.name DESC, model_versions.version DESC"),
        ("rm", &["'name' DESC"], "ERR Invalid order_by clause ''name' DESC'. Could not be parsed."),
        ("mv", &["'name' DESC"], "ERR Invalid order_by clause ''name' DESC'. Could not be parsed."),
        ("rm", &["tags.name"], "ERR Invalid order by key 'tags.name' specified. Valid keys are '{'name', 'timestamp'}'"),
        ("mv", &["tags.name"], "model_versions.name ASC, model_versions.version DESC"),
        ("rm", &["tags.name DESC"], "ERR Invalid order by key 'tags.name' specified. Valid keys are '{'name', 'timestamp'}'"),
        ("mv", &["tags.name DESC"], "model_versions.name DESC, model_versions.version DESC"),
        ("rm", &["tags.`name` DESC"], "ERR Invalid order by key 'tags.name' specified. Valid keys are '{'name', 'timestamp'}'"),
        ("mv", &["tags.`name` DESC"], "model_versions.name DESC, model_versions.version DESC"),
        ("rm", &["`tags.name` DESC"], "ERR Invalid order by key 'tags.name' specified. Valid keys are '{'name', 'timestamp'}'"),
        ("mv", &["`tags.name` DESC"], "model_versions.name DESC, model_versions.version DESC"),
        ("rm", &["attribute.name"], "ERR Invalid order by key 'attribute.name' specified. Valid keys are '{'name', 'timestamp'}'"),
        ("mv", &["attribute.name"], "model_versions.name ASC, model_versions.version DESC"),
        ("rm", &["attribute.version_number DESC"], "ERR Invalid order by key 'attribute.version_number' specified. Valid keys are '{'name', 'timestamp'}'"),
        ("mv", &["attribute.version_number DESC"], "model_versions.version DESC, model_versions.name ASC"),
        ("rm", &["attributes.name"], "ERR Invalid order by key 'attributes.name' specified. Valid keys are '{'name', 'timestamp'}'"),
        ("mv", &["attributes.name"], "ERR Invalid entity type 'attributes'. Valid entity types are ('attribute', 'tag', 'tags')"),
        ("rm", &["tag.version_number"], "ERR Invalid order by key 'tag.version_number' specified. Valid keys are '{'name', 'timestamp'}'"),
        ("mv", &["tag.version_number"], "model_versions.version ASC, model_versions.name ASC"),
        ("rm", &["tag.`version_number`"], "ERR Invalid order by key 'tag.`version_number`' specified. Valid keys are '{'name', 'timestamp'}'"),
        ("mv", &["tag.`version_number`"], "model_versions.version ASC, model_versions.name ASC"),
        ("rm", &["params.x"], "ERR Invalid order by key 'params.x' specified. Valid keys are '{'name', 'timestamp'}'"),
        ("mv", &["params.x"], "ERR Invalid entity type 'params'. Valid entity types are ('attribute', 'tag', 'tags')"),
        ("rm", &["`tags`.name"], "ERR Invalid order by key '`tags`.name' specified. Valid keys are '{'name', 'timestamp'}'"),
        ("mv", &["`tags`.name"], "ERR Invalid entity type '`tags`'. Valid entity types are ('attribute', 'tag', 'tags')"),
        ("rm", &["tags.foo"], "ERR Invalid order by key 'tags.foo' specified. Valid keys are '{'name', 'timestamp'}'"),
        ("mv", &["tags.foo"], "ERR Invalid order by key 'foo' specified. Valid keys are {'name', 'version_number', 'creation_timestamp', 'last_updated_timestamp'}"),
        ("rm", &["tags.\"x y\" DESC"], "ERR Invalid order by key 'tags.x y' specified. Valid keys are '{'name', 'timestamp'}'"),
        ("mv", &["tags.\"x y\" DESC"], "ERR Invalid order by key 'x y' specified. Valid keys are {'name', 'version_number', 'creation_timestamp', 'last_updated_timestamp'}"),
        ("rm", &["foo"], "ERR Invalid order by key 'foo' specified. Valid keys are '{'name', 'timestamp'}'"),
        ("mv", &["foo"], "ERR Invalid attribute key 'foo' specified. Valid keys are '{'name', 'version_number', 'creation_timestamp', 'last_updated_timestamp'}'"),
        ("rm", &["foo DESC"], "ERR Invalid order by key 'foo' specified. Valid keys are '{'name', 'timestamp'}'"),
        ("mv", &["foo DESC"], "ERR Invalid attribute key 'foo' specified. Valid keys are '{'name', 'version_number', 'creation_timestamp', 'last_updated_timestamp'}'"),
        ("rm", &["run_id"], "ERR Invalid order by key 'run_id' specified. Valid keys are '{'name', 'timestamp'}'"),
        ("mv", &["run_id"], "ERR Invalid attribute key 'run_id' specified. Valid keys are '{'name', 'version_number', 'creation_timestamp', 'last_updated_timestamp'}'"),
        ("rm", &["source_path"], "ERR Invalid order by key 'source_path' specified. Valid keys are '{'name', 'timestamp'}'"),
        ("mv", &["source_path"], "ERR Invalid attribute key 'source_path' specified. Valid keys are '{'name', 'version_number', 'creation_timestamp', 'last_updated_timestamp'}'"),
        ("rm", &["name; timestamp"], "ERR Invalid order_by clause 'name; timestamp'. Could not be parsed."),
        ("mv", &["name; timestamp"], "ERR Invalid order_by clause 'name; timestamp'. Could not be parsed."),
        ("rm", &["name,timestamp"], "ERR Invalid order_by clause 'name,timestamp'. Could not be parsed."),
        ("mv", &["name,timestamp"], "ERR Invalid order_by clause 'name,timestamp'. Could not be parsed."),
        ("rm", &["name DESC, timestamp"], "ERR Invalid order_by clause 'name DESC, timestamp'. Could not be parsed."),
        ("mv", &["name DESC, timestamp"], "ERR Invalid order_by clause 'name DESC, timestamp'. Could not be parsed."),
        ("rm", &["name --c"], "ERR Invalid order_by clause 'name --c'. Could not be parsed."),
        ("mv", &["name --c"], "ERR Invalid order_by clause 'name --c'. Could not be parsed."),
        ("rm", &["name /*c*/ DESC"], "ERR Invalid order_by clause 'name /*c*/ DESC'. Could not be parsed."),
        ("mv", &["name /*c*/ DESC"], "ERR Invalid order_by clause 'name /*c*/ DESC'. Could not be parsed."),
        ("rm", &["`name DESC"], "ERR Invalid order_by clause '`name DESC'. Could not be parsed."),
        ("mv", &["`name DESC"], "ERR Invalid order_by clause '`name DESC'. Could not be parsed."),
        ("rm", &["\"name DESC"], "ERR Invalid order_by clause '\"name DESC'. Could not be parsed."),
        ("mv", &["\"name DESC"], "ERR Invalid order_by clause '\"name DESC'. Could not be parsed."),
        ("rm", &["`na\"me` DESC"], "ERR No closing quotation"),  // MLflow: uncaught ValueError (500)
        ("mv", &["`na\"me` DESC"], "ERR No closing quotation"),  // MLflow: uncaught ValueError (500)
        ("rm", &["`name\\` DESC"], "ERR No closing quotation"),  // MLflow: uncaught ValueError (500)
        ("mv", &["`name\\` DESC"], "ERR No closing quotation"),  // MLflow: uncaught ValueError (500)
        ("rm", &["last_updated_timestamp DESC", "name ASC", "version_number DESC"], "ERR Invalid order by key 'version_number' specified. Valid keys are '{'name', 'timestamp'}'"),
        ("mv", &["last_updated_timestamp DESC", "name ASC", "version_number DESC"], "model_versions.last_updated_time DESC, model_versions.name ASC, model_versions.version DESC"),
        ("rm", &["creation_timestamp", "last_updated_timestamp"], "ERR Invalid order by key 'creation_timestamp' specified. Valid keys are '{'name', 'timestamp'}'"),
        ("mv", &["creation_timestamp", "last_updated_timestamp"], "model_versions.creation_time ASC, model_versions.last_updated_time ASC, model_versions.name ASC, model_versions.version DESC"),
        ("rm", &["version_number", "name"], "ERR Invalid order by key 'version_number' specified. Valid keys are '{'name', 'timestamp'}'"),
        ("mv", &["version_number", "name"], "model_versions.version ASC, model_versions.name ASC"),
        ("rm", &["name", "version_number ASC"], "ERR Invalid order by key 'version_number' specified. Valid keys are '{'name', 'timestamp'}'"),
        ("mv", &["name", "version_number ASC"], "model_versions.name ASC, model_versions.version ASC"),
        ("rm", &["last_updated_timestamp ASC", "creation_timestamp DESC"], "ERR Invalid order by key 'creation_timestamp' specified. Valid keys are '{'name', 'timestamp'}'"),
        ("mv", &["last_updated_timestamp ASC", "creation_timestamp DESC"], "model_versions.last_updated_time ASC, model_versions.creation_time DESC, model_versions.name ASC, model_versions.version DESC"),
        ("rm", &["name", "foo"], "ERR Invalid order by key 'foo' specified. Valid keys are '{'name', 'timestamp'}'"),
        ("mv", &["name", "foo"], "ERR Invalid attribute key 'foo' specified. Valid keys are '{'name', 'version_number', 'creation_timestamp', 'last_updated_timestamp'}'"),
        ("rm", &["foo", "name", "name"], "ERR Invalid order by key 'foo' specified. Valid keys are '{'name', 'timestamp'}'"),
        ("mv", &["foo", "name", "name"], "ERR Invalid attribute key 'foo' specified. Valid keys are '{'name', 'version_number', 'creation_timestamp', 'last_updated_timestamp'}'"),
    ];

    #[test]
    fn filters_match_mlflow() {
        let mut failures = Vec::new();
        for (target, input, want) in FILTERS {
            let got = filter(target, input);
            if got != *want {
                failures.push(format!("{target} {input:?}\n  got  {got}\n  want {want}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn order_by_matches_mlflow() {
        let mut failures = Vec::new();
        for (target, input, want) in ORDERS {
            let got = order(target, input);
            if got != *want {
                failures.push(format!("{target} {input:?}\n  got  {got}\n  want {want}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn prompt_detection_matches_mlflow() {
        let cases = [
            ("", false),
            ("name = 'a'", false),
            ("tags.`mlflow.prompt.is_prompt` = 'true'", true),
            ("tags.`mlflow.prompt.is_prompt` = 'TRUE'", true),
            ("tags.`mlflow.prompt.is_prompt` != 'false'", true),
            ("tags.`mlflow.prompt.is_prompt` != 'true'", false),
            ("tags.`mlflow.prompt.is_prompt` = 'false'", false),
            ("tags.`mlflow.prompt.is_prompt` LIKE 'true'", false),
            // Only the first clause on the tag counts.
            ("tags.`mlflow.prompt.is_prompt` = 'false' AND tags.`mlflow.prompt.is_prompt` = 'true'", false),
            ("tags.x = 'true' AND tags.`mlflow.prompt.is_prompt` = 'True'", true),
            ("tags.mlflow.prompt.is_prompt = 'true'", true),
        ];
        for (f, want) in cases {
            let rm = parse_registered_model_filter(f).unwrap();
            let mv = parse_model_version_filter(f).unwrap();
            assert_eq!(is_querying_prompt(&rm), want, "{f}");
            assert_eq!(is_querying_prompt(&mv), want, "{f}");
        }
    }

    /// MLflow checks a registered-model request in the order filter syntax, order_by,
    /// page token, filter comparators, execution; a model-version request in the order
    /// filter syntax, filter comparators, order_by, page token, execution.
    #[test]
    fn request_errors_in_mlflow_order() {
        let rm = |f: &str, ob: &[&str], pt: Option<&str>| {
            let ob: Vec<String> = ob.iter().map(|s| s.to_string()).collect();
            parse_search_registered_models_request(f, &ob, pt).map_err(error)
        };
        let mv = |f: &str, ob: &[&str], pt: Option<&str>| {
            let ob: Vec<String> = ob.iter().map(|s| s.to_string()).collect();
            parse_search_model_versions_request(f, &ob, pt).map_err(error)
        };
        let bad_token = "ERR Invalid page token, could not base64-decode".to_string();
        assert_eq!(
            rm("tags.a > 'b'", &["foo"], None).unwrap_err(),
            "ERR Invalid order by key 'foo' specified. Valid keys are '{'name', 'timestamp'}'"
        );
        assert_eq!(rm("tags.a > 'b'", &[], Some("xx")).unwrap_err(), bad_token);
        assert_eq!(
            rm("name = 1", &["foo"], None).unwrap_err(),
            "ERR Expected a quoted string value or a list of quoted string values for attributes. Got value 1"
        );
        assert_eq!(rm("name = ('a')", &[], Some("xx")).unwrap_err(), bad_token);
        assert_eq!(
            mv("tags.a > 'b'", &["foo"], None).unwrap_err(),
            "ERR Invalid comparator for tag: >"
        );
        assert_eq!(
            mv("name = ('a')", &["foo"], None).unwrap_err(),
            "ERR Invalid attribute key 'foo' specified. Valid keys are '{'name', 'version_number', 'creation_timestamp', 'last_updated_timestamp'}'"
        );
        assert_eq!(mv("name = ('a')", &[], Some("xx")).unwrap_err(), bad_token);
        assert_eq!(
            mv("version_number = 99999999999999999999", &[], Some("xx")).unwrap_err(),
            bad_token
        );
        assert_eq!(
            mv("", &["foo"], Some("xx")).unwrap_err(),
            "ERR Invalid attribute key 'foo' specified. Valid keys are '{'name', 'version_number', 'creation_timestamp', 'last_updated_timestamp'}'"
        );

        let token = crate::search::create_page_token(20);
        let q = mv("version_number >= '2' AND tags.t = 'x'", &[], Some(&token)).unwrap();
        assert_eq!(q.offset, 20);
        assert_eq!(
            q.filter[0],
            Clause {
                entity: Entity::Attribute,
                key: "version_number".into(),
                op: Comparator::Ge,
                value: Value::Int(2),
            }
        );
        let keys: Vec<(&str, bool)> = q
            .order_by
            .iter()
            .map(|o| (o.key.as_str(), o.ascending))
            .collect();
        assert_eq!(
            keys,
            [
                ("last_updated_timestamp", false),
                ("name", true),
                ("version_number", false)
            ]
        );
        let q = rm("name LIKE 'a%'", &["timestamp DESC"], None).unwrap();
        assert_eq!(q.offset, 0);
        assert_eq!(q.filter[0].op, Comparator::Like);
        let keys: Vec<(&str, bool)> = q
            .order_by
            .iter()
            .map(|o| (o.key.as_str(), o.ascending))
            .collect();
        assert_eq!(keys, [("last_updated_timestamp", false), ("name", true)]);
    }
}

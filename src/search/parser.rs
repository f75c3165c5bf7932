//! MLflow's filter semantics on top of the sqlparse port: `SearchUtils` and
//! `SearchExperimentsUtils` (`parse_search_filter`, `_process_statement`,
//! `_get_comparison`, `_get_identifier`, `_get_value` in `mlflow/utils/search_utils.py`)
//! followed by the comparator / value checks the SQL store performs
//! (`_get_sqlalchemy_filter_clauses` and `_get_search_experiments_filter_clauses` in
//! `mlflow/store/tracking/sqlalchemy_store.py`). The two stages are separate functions
//! because MLflow runs the order_by parsing between them for `search_runs`.
//!
//! Python prints several *sets* in messages (`Valid keys are '{…}'`); their order varies
//! with the interpreter's hash seed, so we print them in MLflow's source order.

use super::ast::{Clause, Comparator, Entity, Value};
use super::grouping::{Kind, Tree};
use super::lexer::{tokenize, Tt};
use super::pyfmt::{literal_eval, py_int, repr_float, repr_str, EvalError, PyVal};
use super::splitter::split_statements;
use super::SearchError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flavor {
    Runs,
    Experiments,
}

pub(crate) const RUN_ATTRS_SET: &str =
    "{'artifact_uri', 'end_time', 'run_id', 'run_name', 'start_time', 'status', 'user_id', 'created', 'Created', 'run name', 'Run name', 'Run Name'}";
pub(crate) const EXP_ATTRS_SET: &str =
    "{'name', 'experiment_id', 'creation_time', 'last_update_time'}";
const DATASET_SET: &str = "{'name', 'digest', 'context'}";
const METRIC_CMP_SET: &str = "{'>', '>=', '!=', '=', '<', '<='}";
const PARAM_CMP_SET: &str = "{'!=', '=', 'LIKE', 'ILIKE', 'IS NULL', 'IS NOT NULL'}";
const STRING_ATTR_CMP_SET: &str = "{'!=', '=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'}";

const RUN_ATTRS: &[&str] = &[
    "artifact_uri",
    "end_time",
    "run_id",
    "run_name",
    "start_time",
    "status",
    "user_id",
    "created",
    "Created",
    "run name",
    "Run name",
    "Run Name",
];
const EXP_ATTRS: &[&str] = &["name", "experiment_id", "creation_time", "last_update_time"];
const METRIC_CMPS: &[&str] = &[">", ">=", "!=", "=", "<", "<="];
const PARAM_CMPS: &[&str] = &["!=", "=", "LIKE", "ILIKE", "IS NULL", "IS NOT NULL"];
const STRING_ATTR_CMPS: &[&str] = &["!=", "=", "LIKE", "ILIKE", "IN", "NOT IN"];

fn err(msg: impl Into<String>) -> SearchError {
    SearchError::invalid(msg)
}

/// A clause as `parse_search_filter` returns it, before the store's checks.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RawClause {
    pub entity: Entity,
    pub key: String,
    /// Comparator text exactly as typed (`like`, `IN`, `==`…); `IS NULL` forms upper-cased.
    pub comparator: String,
    pub value: RawValue,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum RawValue {
    /// Quoted string with the quotes removed.
    Str(String),
    /// Metric literal text (MLflow keeps it as text, the store calls `float()`).
    MetricText(String),
    Int(i64),
    /// An integer literal beyond i64 (Python keeps a bigint).
    BigInt(f64),
    Float(f64),
    List(Vec<String>),
    None,
}

impl Flavor {
    fn numeric_attrs(self) -> &'static [&'static str] {
        match self {
            Flavor::Runs => &["start_time", "end_time", "created", "Created"],
            Flavor::Experiments => &["creation_time", "last_update_time"],
        }
    }
    pub(crate) fn attrs(self, order_by: bool) -> (&'static [&'static str], &'static str) {
        match self {
            // Orderable run attributes = searchable ones + created/Created, without the
            // "run name" aliases (`VALID_ORDER_BY_ATTRIBUTE_KEYS`).
            Flavor::Runs if order_by => (
                &["artifact_uri", "end_time", "run_id", "run_name", "start_time", "status", "user_id", "created", "Created"],
                "{'artifact_uri', 'end_time', 'run_id', 'run_name', 'start_time', 'status', 'user_id', 'created', 'Created'}",
            ),
            Flavor::Runs => (RUN_ATTRS, RUN_ATTRS_SET),
            Flavor::Experiments => (EXP_ATTRS, EXP_ATTRS_SET),
        }
    }
}

fn is_quoted(v: &str, q: char) -> bool {
    v.chars().count() >= 2 && v.starts_with(q) && v.ends_with(q)
}

fn trim_ends(v: &str) -> String {
    let mut c = v.chars();
    c.next();
    c.next_back();
    c.as_str().to_string()
}

pub(crate) fn trim_backticks(v: &str) -> String {
    if is_quoted(v, '`') {
        trim_ends(v)
    } else {
        v.to_string()
    }
}

/// `SearchUtils._strip_quotes`.
pub(crate) fn strip_quotes(v: &str, expect_quoted: bool) -> Result<String, SearchError> {
    if is_quoted(v, '\'') || is_quoted(v, '"') {
        Ok(trim_ends(v))
    } else if expect_quoted {
        Err(err(format!(
            "Parameter value is either not quoted or unidentified quote types used for string value {v}. Use either single or double quotes."
        )))
    } else {
        Ok(v.to_string())
    }
}

/// `SearchUtils._valid_entity_type`.
fn valid_entity_type(entity: &str) -> Result<Entity, SearchError> {
    let e = trim_backticks(entity);
    Ok(match e.as_str() {
        "metric" | "metrics" => Entity::Metric,
        "parameter" | "parameters" | "param" | "params" => Entity::Param,
        "tag" | "tags" => Entity::Tag,
        "attribute" | "attr" | "attributes" | "run" => Entity::Attribute,
        "dataset" | "datasets" => Entity::Dataset,
        _ => {
            return Err(err(format!(
                "Invalid entity type '{e}'. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']"
            )))
        }
    })
}

/// `_get_identifier` of `SearchUtils` / `SearchExperimentsUtils`.
pub(crate) fn get_identifier(
    flavor: Flavor,
    ident: &str,
    order_by: bool,
) -> Result<(Entity, String), SearchError> {
    let (entity, key) = match ident.split_once('.') {
        None => (Entity::Attribute, ident),
        Some((e, k)) => {
            if flavor == Flavor::Experiments && !["attribute", "tag", "tags"].contains(&e) {
                return Err(err(format!(
                    "Invalid entity type '{e}'. Valid entity types are ('attribute', 'tag', 'tags')"
                )));
            }
            (valid_entity_type(e)?, k)
        }
    };
    let key = trim_backticks(&strip_quotes(key, false)?);
    let (valid, valid_repr) = flavor.attrs(order_by);
    if entity == Entity::Attribute && !valid.contains(&key.as_str()) {
        return Err(err(format!(
            "Invalid attribute key '{key}' specified. Valid keys are '{valid_repr}'"
        )));
    }
    if flavor == Flavor::Runs
        && entity == Entity::Dataset
        && !["name", "digest", "context"].contains(&key.as_str())
    {
        return Err(err(format!(
            "Invalid dataset key '{key}' specified. Valid keys are '{DATASET_SET}'"
        )));
    }
    Ok((entity, key))
}

/// `SearchUtils.parse_search_filter` (+ the `SearchExperimentsUtils` overrides).
/// sqlparse.parse: every statement of `filter`, grouped (before MLflow looks at the count).
fn group_statements(filter: &str) -> Result<(Tree, Vec<usize>), super::grouping::GroupingError> {
    let mut tree = Tree::new();
    let mut roots = Vec::new();
    for st in &split_statements(tokenize(filter)) {
        roots.push(tree.statement(st)?);
    }
    Ok((tree, roots))
}

/// The one statement of a `SearchUtils`-style filter, with its messages for none or several.
fn single_statement(filter: &str) -> Result<(Tree, usize), SearchError> {
    let (tree, roots) =
        group_statements(filter).map_err(|_| err(format!("Error on parsing filter '{filter}'")))?;
    match roots[..] {
        [] => Err(err(format!(
            "Invalid filter '{filter}'. Could not be parsed."
        ))),
        [root] => Ok((tree, root)),
        _ => Err(err(format!(
            "Search filter contained multiple expression {}. Provide AND-ed expression list.",
            repr_str(filter)
        ))),
    }
}

pub(crate) fn parse_filter(flavor: Flavor, filter: &str) -> Result<Vec<RawClause>, SearchError> {
    if filter.is_empty() {
        return Ok(Vec::new());
    }
    let (mut tree, root) = single_statement(filter)?;
    process_statement(flavor, &mut tree, root)
}

enum Item {
    Node(usize),
    /// A comparison built by `_join_in_comparison_tokens` (IN, NOT IN, IS [NOT] NULL).
    Joined(Vec<usize>),
}

/// `_join_in_comparison_tokens` (sqlparse >= 0.4.4 does not group `x IN (…)` itself).
fn join_in_comparisons(tree: &mut Tree, stmt: usize) -> Vec<Item> {
    let nw: Vec<usize> = tree
        .children(stmt)
        .iter()
        .copied()
        .filter(|&c| !tree.is_ws(c))
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < nw.len() {
        let first = nw[i];
        if nw.len() - i < 3 {
            out.extend(nw[i..].iter().map(|&n| Item::Node(n)));
            break;
        }
        if !tree.is(first, Kind::Identifier) {
            out.push(Item::Node(first));
            i += 1;
            continue;
        }
        let (second, third) = (nw[i + 1], nw[i + 2]);
        if tree.matches(second, Tt::Keyword, &["IN"]) && tree.is(third, Kind::Parenthesis) {
            out.push(Item::Joined(vec![first, second, third]));
            i += 3;
            continue;
        }
        if tree.matches(second, Tt::Keyword, &["IS"]) && tree.matches(third, Tt::Keyword, &["NULL"])
        {
            let op = tree.leaf(Tt::Keyword, "IS NULL");
            out.push(Item::Joined(vec![first, op]));
            i += 3;
            continue;
        }
        if tree.matches(second, Tt::Keyword, &["IS"])
            && tree.tt(third) == Some(Tt::Keyword)
            && !tree.is_group(third)
            && tree.value(third).to_uppercase() == "NOT NULL"
        {
            let op = tree.leaf(Tt::Keyword, "IS NOT NULL");
            out.push(Item::Joined(vec![first, op]));
            i += 3;
            continue;
        }
        let Some(&fourth) = nw.get(i + 3) else {
            out.extend([first, second, third].map(Item::Node));
            break;
        };
        if tree.matches(second, Tt::Keyword, &["NOT"])
            && tree.matches(third, Tt::Keyword, &["IN"])
            && tree.is(fourth, Kind::Parenthesis)
        {
            let op = tree.leaf(Tt::Keyword, "NOT IN");
            out.push(Item::Joined(vec![first, op, fourth]));
        } else {
            out.extend([first, second, third, fourth].map(Item::Node));
        }
        i += 4;
    }
    out
}

/// `_invalid_statement_token`: what is neither a comparison, whitespace nor `AND`.
fn invalid_clauses(tree: &Tree, items: &[Item]) -> Vec<String> {
    items
        .iter()
        .filter_map(|it| match it {
            Item::Joined(_) => None,
            Item::Node(n) => {
                let ok = tree.is(*n, Kind::Comparison)
                    || tree.is_ws(*n)
                    || tree.matches(*n, Tt::Keyword, &["AND"]);
                (!ok).then(|| tree.value(*n))
            }
        })
        .collect()
}

fn process_statement(
    flavor: Flavor,
    tree: &mut Tree,
    stmt: usize,
) -> Result<Vec<RawClause>, SearchError> {
    let items = join_in_comparisons(tree, stmt);
    let invalid = invalid_clauses(tree, &items);
    if !invalid.is_empty() {
        let list = match flavor {
            Flavor::Runs => invalid
                .iter()
                .map(|v| format!("'{v}'"))
                .collect::<Vec<_>>()
                .join(", "),
            Flavor::Experiments => invalid.join(", "),
        };
        return Err(err(format!("Invalid clause(s) in filter string: {list}")));
    }
    let mut out = Vec::new();
    for it in items {
        let toks = match it {
            Item::Joined(t) => t,
            Item::Node(n) if tree.is(n, Kind::Comparison) => tree
                .children(n)
                .iter()
                .copied()
                .filter(|&c| !tree.is_ws(c))
                .collect(),
            Item::Node(_) => continue,
        };
        out.push(get_comparison(flavor, tree, &toks)?);
    }
    Ok(out)
}

/// `_validate_comparison` + `_get_comparison`.
fn get_comparison(flavor: Flavor, tree: &Tree, toks: &[usize]) -> Result<RawClause, SearchError> {
    let base = "Invalid comparison clause";
    if toks.len() == 2 {
        let cmp = tree.value(toks[1]).to_uppercase();
        if cmp == "IS NULL" || cmp == "IS NOT NULL" {
            if !tree.is(toks[0], Kind::Identifier) {
                return Err(err(format!(
                    "{base}. Expected 'Identifier' found '{}'",
                    tree.value(toks[0])
                )));
            }
            let (entity, key) = get_identifier(flavor, &tree.value(toks[0]), false)?;
            match flavor {
                Flavor::Runs if !matches!(entity, Entity::Tag | Entity::Param) => {
                    return Err(err(format!(
                        "IS NULL / IS NOT NULL is only supported for tags and params, not for '{}' '{key}'",
                        entity.mlflow_name()
                    )))
                }
                Flavor::Experiments if entity != Entity::Tag => {
                    return Err(err(format!(
                        "IS NULL / IS NOT NULL is only supported for tags, not for attribute '{key}'"
                    )))
                }
                _ => {}
            }
            return Ok(RawClause {
                entity,
                key,
                comparator: cmp,
                value: RawValue::None,
            });
        }
    }
    if toks.len() != 3 {
        return Err(err(format!(
            "{base}. Expected 3 tokens found {}",
            toks.len()
        )));
    }
    if !tree.is(toks[0], Kind::Identifier) {
        return Err(err(format!(
            "{base}. Expected 'Identifier' found '{}'",
            tree.value(toks[0])
        )));
    }
    let (entity, key) = get_identifier(flavor, &tree.value(toks[0]), false)?;
    let comparator = tree.value(toks[1]);
    let value = get_value(flavor, tree, entity, &key, toks[2])?;
    Ok(RawClause {
        entity,
        key,
        comparator,
        value,
    })
}

/// `SearchUtils._get_value`.
fn get_value(
    flavor: Flavor,
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
    let numeric = matches!(tt, Some(Tt::NumberInteger | Tt::NumberFloat));
    let stringy = tt == Some(Tt::StringSingle) || tree.is(tok, Kind::Identifier);
    let paren = tree.is(tok, Kind::Parenthesis);
    match entity {
        Entity::Metric => {
            if !numeric {
                return Err(err(format!(
                    "Expected numeric value type for metric. Found {text}"
                )));
            }
            Ok(RawValue::MetricText(text))
        }
        Entity::Param | Entity::Tag => {
            if stringy {
                return Ok(RawValue::Str(strip_quotes(&text, true)?));
            }
            Err(err(format!(
                "Expected a quoted string value for {} (e.g. 'my-value'). Got value {text}",
                entity.mlflow_name()
            )))
        }
        Entity::Attribute => {
            if flavor.numeric_attrs().contains(&key) {
                return match tt {
                    Some(Tt::NumberInteger) => Ok(match text.parse::<i64>() {
                        Ok(i) => RawValue::Int(i),
                        Err(_) => RawValue::BigInt(text.parse::<f64>().unwrap_or(f64::INFINITY)),
                    }),
                    Some(Tt::NumberFloat) => {
                        Ok(RawValue::Float(text.parse::<f64>().unwrap_or(f64::NAN)))
                    }
                    _ => Err(err(format!(
                        "Expected numeric value type for numeric attribute: {key}. Found {text}"
                    ))),
                };
            }
            if stringy {
                return Ok(RawValue::Str(strip_quotes(&text, true)?));
            }
            if paren {
                let supported = match flavor {
                    Flavor::Runs => "run_id",
                    Flavor::Experiments => "experiment_id",
                };
                if key != supported {
                    return Err(err(format!(
                        "Only ['{supported}'] attributes support comparison with a list of quoted string values."
                    )));
                }
                return parse_list(&text).map(RawValue::List);
            }
            Err(err(format!(
                "Expected a quoted string value for attributes. Got value {text}"
            )))
        }
        Entity::Dataset => {
            if stringy {
                return Ok(RawValue::Str(strip_quotes(&text, true)?));
            }
            if paren {
                return parse_list(&text).map(RawValue::List);
            }
            Err(err(format!(
                "Expected a quoted string value for dataset attributes. Got value {text}"
            )))
        }
    }
}

/// `SearchUtils._parse_list_from_sql_token` + `_check_valid_identifier_list`.
pub(crate) fn parse_list(text: &str) -> Result<Vec<String>, SearchError> {
    let parsed = match literal_eval(text) {
        Ok(v) => v,
        Err(EvalError::Syntax) => {
            return Err(err(
                "While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list.",
            ))
        }
        // ast.literal_eval's ValueError is not caught by MLflow: a 500.
        Err(EvalError::Malformed) => {
            return Err(SearchError::internal(format!("malformed node or string in {}", repr_str(text))))
        }
    };
    let items = match parsed {
        PyVal::Tuple(v) => v,
        other => vec![other],
    };
    if items.is_empty() {
        return Err(err(
            "While parsing a list in the query, expected a non-empty list of string values, but got empty list",
        ));
    }
    let mut out = Vec::new();
    for it in &items {
        match it {
            PyVal::Str(s) => out.push(s.clone()),
            _ => {
                return Err(err(format!(
                    "While parsing a list in the query, expected string value, punctuation, or whitespace, but got different type in list: {}",
                    PyVal::Tuple(items.clone()).repr()
                )))
            }
        }
    }
    Ok(out)
}

/// `SearchUtils.translate_key_alias`.
pub(crate) fn translate_key_alias(key: &str) -> &str {
    match key {
        "created" | "Created" => "start_time",
        "run name" | "Run name" | "Run Name" => "run_name",
        k => k,
    }
}

fn cmp_err(c: &str, set: &str, closing_quote: bool) -> SearchError {
    let q = if closing_quote { "'" } else { "" };
    err(format!("Invalid comparator '{c}' not one of '{set}{q}"))
}

fn to_comparator(c: &str) -> Result<Comparator, SearchError> {
    Comparator::from_mlflow(c).ok_or_else(|| err(format!("Invalid comparator '{c}'")))
}

fn plain_value(v: RawValue) -> Value {
    match v {
        RawValue::Str(s) => Value::Str(s),
        RawValue::MetricText(t) => Value::Float(t.parse().unwrap_or(f64::NAN)),
        RawValue::Int(i) => Value::Int(i),
        RawValue::Float(f) | RawValue::BigInt(f) => Value::Float(f),
        RawValue::List(l) => Value::List(l),
        RawValue::None => Value::Null,
    }
}

/// The comparator checks of `_get_sqlalchemy_filter_clauses` (search_runs).
pub(crate) fn validate_run_clauses(raw: Vec<RawClause>) -> Result<Vec<Clause>, SearchError> {
    let mut out = Vec::new();
    for r in raw {
        let c = r.comparator.to_uppercase();
        let key = translate_key_alias(&r.key).to_string();
        let numeric = ["start_time", "end_time", "created", "Created"].contains(&key.as_str());
        // (allowed, set printed in the message, message has its closing quote)
        let (allowed, set, closing) = match (r.entity, numeric) {
            (Entity::Attribute, false) => (STRING_ATTR_CMPS, STRING_ATTR_CMP_SET, true),
            // MLflow's message names the *string* attribute comparators here.
            (Entity::Attribute, true) => (METRIC_CMPS, STRING_ATTR_CMP_SET, false),
            (Entity::Metric, _) => (METRIC_CMPS, METRIC_CMP_SET, false),
            (Entity::Param, _) => (PARAM_CMPS, PARAM_CMP_SET, true),
            (Entity::Tag, _) => (PARAM_CMPS, PARAM_CMP_SET, false),
            (Entity::Dataset, _) => (STRING_ATTR_CMPS, STRING_ATTR_CMP_SET, false),
        };
        if !allowed.contains(&c.as_str()) {
            return Err(cmp_err(&c, set, closing));
        }
        out.push(Clause {
            entity: r.entity,
            key,
            op: to_comparator(&c)?,
            value: plain_value(r.value),
        });
    }
    Ok(out)
}

/// The checks and conversions of `_get_search_experiments_filter_clauses`. Note the
/// comparator is *not* upper-cased there, so `name like 'a'` is rejected.
pub(crate) fn validate_experiment_clauses(raw: Vec<RawClause>) -> Result<Vec<Clause>, SearchError> {
    let mut out = Vec::new();
    for r in raw {
        let c = r.comparator.as_str();
        let value = match (r.entity, r.key.as_str()) {
            (Entity::Attribute, "experiment_id") => {
                if !["=", "!=", "IN", "NOT IN"].contains(&c) {
                    return Err(err(format!("Invalid comparator for experiment_id: {c}")));
                }
                let parse = |v: &str| {
                    py_int(v).ok_or_else(|| {
                        err(format!(
                            "Invalid experiment ID '{v}'. Experiment ID must be a valid integer."
                        ))
                    })
                };
                match r.value {
                    RawValue::List(l) => {
                        Value::IntList(l.iter().map(|v| parse(v)).collect::<Result<_, _>>()?)
                    }
                    RawValue::Str(s) => Value::Int(parse(&s)?),
                    other => plain_value(other),
                }
            }
            (Entity::Attribute, key @ ("creation_time" | "last_update_time")) => {
                if !METRIC_CMPS.contains(&c) {
                    return Err(cmp_err(c, STRING_ATTR_CMP_SET, false));
                }
                match r.value {
                    RawValue::Float(f) => {
                        return Err(err(format!(
                            "Invalid value for numeric attribute '{key}': {}",
                            repr_str(&repr_float(f))
                        )))
                    }
                    other => plain_value(other),
                }
            }
            (Entity::Attribute, _) => {
                if !STRING_ATTR_CMPS.contains(&c) {
                    return Err(cmp_err(c, STRING_ATTR_CMP_SET, true));
                }
                if !["=", "!=", "LIKE", "ILIKE"].contains(&c) {
                    return Err(err(format!("Invalid comparator for string attribute: {c}")));
                }
                plain_value(r.value)
            }
            (Entity::Tag, _) => {
                if !["IS NULL", "IS NOT NULL", "=", "!=", "LIKE", "ILIKE"].contains(&c) {
                    return Err(err(format!("Invalid comparator for tag: {c}")));
                }
                plain_value(r.value)
            }
            (e, _) => return Err(err(format!("Invalid token type: {}", e.mlflow_name()))),
        };
        out.push(Clause {
            entity: r.entity,
            key: r.key,
            op: to_comparator(c)?,
            value,
        });
    }
    Ok(out)
}

/// `parse_search_filter` + `_process_statement` as `SearchModelUtils` and
/// `SearchModelVersionUtils` run them (`mlflow/utils/search_utils.py`): the grouped tree and,
/// for each comparison of the single statement, its non-whitespace tokens (for an `IN`,
/// `NOT IN`, `IS NULL` or `IS NOT NULL` comparison, the tokens `_join_in_comparison_tokens`
/// built). Invalid clauses are listed like `SearchExperimentsUtils` does (no quotes). The
/// caller handles the empty filter (`if not filter_string: return []`).
pub(crate) fn registry_comparisons(filter: &str) -> Result<(Tree, Vec<Vec<usize>>), SearchError> {
    let (mut tree, root) = single_statement(filter)?;
    let items = join_in_comparisons(&mut tree, root);
    let invalid = invalid_clauses(&tree, &items);
    if !invalid.is_empty() {
        return Err(err(format!(
            "Invalid clause(s) in filter string: {}",
            invalid.join(", ")
        )));
    }
    let mut out = Vec::new();
    for it in items {
        match it {
            Item::Joined(t) => out.push(t),
            Item::Node(n) if tree.is(n, Kind::Comparison) => out.push(
                tree.children(n)
                    .iter()
                    .copied()
                    .filter(|&c| !tree.is_ws(c))
                    .collect(),
            ),
            Item::Node(_) => {}
        }
    }
    Ok((tree, out))
}

/// What `search_logged_model_utils.parse_filter_string` walks: for each comparison of a
/// single statement, the text of its non-whitespace tokens (`str(t)`) and its own text
/// (`str(stmt)`). `AND` separators are skipped; anything else is refused with its message.
pub(crate) fn logged_model_comparisons(
    filter: &str,
) -> Result<Vec<(Vec<String>, String)>, SearchError> {
    let (mut tree, roots) = group_statements(filter)
        .map_err(|_| err(format!("Invalid filter string: {}.", repr_str(filter))))?;
    if roots.len() != 1 {
        return Err(err(format!(
            "Invalid filter string: {}. Expected a single SQL expression.",
            repr_str(filter)
        )));
    }
    let mut out = Vec::new();
    for item in join_in_comparisons(&mut tree, roots[0]) {
        match item {
            Item::Joined(toks) => {
                let texts: Vec<String> = toks.iter().map(|&t| tree.value(t)).collect();
                let whole = texts.concat();
                out.push((texts, whole));
            }
            Item::Node(n) if tree.is(n, Kind::Comparison) => {
                let texts = tree
                    .children(n)
                    .iter()
                    .filter(|&&c| !tree.is_ws(c))
                    .map(|&c| tree.value(c))
                    .collect();
                out.push((texts, tree.value(n)));
            }
            Item::Node(n) if tree.value(n).trim().eq_ignore_ascii_case("AND") => {}
            Item::Node(_) => {
                return Err(err(format!(
                    "Invalid filter string: {}. Expected a list of comparisons separated by \
                     'AND' (e.g. 'metrics.loss > 0.1 AND params.lr = 0.01').",
                    repr_str(filter)
                )))
            }
        }
    }
    Ok(out)
}

//! `order_by` parsing: `SearchUtils._validate_order_by_and_generate_token`,
//! `_parse_order_by_string`, `parse_order_by_for_search_runs` and
//! `SearchExperimentsUtils.parse_order_by_for_search_experiments`
//! (`mlflow/utils/search_utils.py`), plus the per-entry checks of `_get_orderby_clauses`
//! and `_get_search_experiments_order_by_clauses` (`sqlalchemy_store.py`).
//!
//! Implicit tie-breakers are *not* appended here; MLflow appends, for runs,
//! `start_time DESC` (unless `start_time` was ordered on) and then `run_uuid ASC`; for
//! experiments an empty list means `creation_time DESC, experiment_id ASC`, and
//! `experiment_id DESC` is appended unless `experiment_id` was ordered on.

use super::ast::{Entity, OrderBy};
use super::grouping::{Kind, Tree};
use super::lexer::{tokenize, Tt};
use super::parser::{get_identifier, translate_key_alias, Flavor};
use super::pyfmt::repr_str;
use super::splitter::split_statements;
use super::SearchError;

/// `_parse_order_by_string`: the identifier text and the direction.
pub(crate) fn parse_order_by_string(order_by: &str) -> Result<(String, bool), SearchError> {
    let bad = || {
        SearchError::invalid(format!(
            "Invalid order_by clause '{order_by}'. Could not be parsed."
        ))
    };
    let statements = split_statements(tokenize(order_by));
    let mut tree = Tree::new();
    let mut roots = Vec::new();
    for st in &statements {
        roots.push(tree.statement(st).map_err(|_| {
            SearchError::invalid(format!("Error on parsing order_by clause '{order_by}'"))
        })?);
    }
    let [stmt] = roots[..] else { return Err(bad()) };
    let toks = tree.children(stmt).to_vec();
    let is_ts = |n: usize| tree.matches(n, Tt::NameBuiltin, &["timestamp"]);
    let token_value = match toks.as_slice() {
        [one] if tree.is(*one, Kind::Identifier) => tree.value(*one),
        [one] if is_ts(*one) => "timestamp".to_string(),
        [first, mid @ .., last]
            if is_ts(*first)
                && mid.iter().all(|&m| tree.is_ws(m))
                && tree.tt(*last) == Some(Tt::KeywordOrder)
                && !tree.is_group(*last) =>
        {
            format!("timestamp {}", tree.value(*last))
        }
        _ => return Err(bad()),
    };
    let parts = shlex_split(&token_value.replace('`', "\""))?;
    match parts.as_slice() {
        [key, dir] => {
            let dir = dir.to_lowercase();
            if dir != "asc" && dir != "desc" {
                return Err(SearchError::invalid(format!(
                    "Invalid ordering key in order_by clause '{order_by}'."
                )));
            }
            Ok((key.clone(), dir == "asc"))
        }
        [_, _, _, ..] => Err(bad()),
        _ => Ok((token_value, true)),
    }
}

/// `shlex.split(s)` (POSIX mode, no comments). Unbalanced quotes / a trailing backslash
/// raise `ValueError` in Python, which MLflow does not catch (a 500).
pub(crate) fn shlex_split(s: &str) -> Result<Vec<String>, SearchError> {
    let ws = |c: char| matches!(c, ' ' | '\t' | '\r' | '\n');
    let mut out = Vec::new();
    let mut tok = String::new();
    let mut in_token = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            c if ws(c) => {
                if in_token {
                    out.push(std::mem::take(&mut tok));
                    in_token = false;
                }
            }
            '\\' => {
                let n = chars
                    .next()
                    .ok_or_else(|| SearchError::internal("No escaped character"))?;
                tok.push(n);
                in_token = true;
            }
            '\'' | '"' => {
                in_token = true;
                loop {
                    let n = chars
                        .next()
                        .ok_or_else(|| SearchError::internal("No closing quotation"))?;
                    if n == c {
                        break;
                    }
                    if c == '"' && n == '\\' {
                        let e = chars
                            .next()
                            .ok_or_else(|| SearchError::internal("No closing quotation"))?;
                        if e != '"' && e != '\\' {
                            tok.push('\\');
                        }
                        tok.push(e);
                        continue;
                    }
                    tok.push(n);
                }
            }
            c => {
                tok.push(c);
                in_token = true;
            }
        }
    }
    if in_token {
        out.push(tok);
    }
    Ok(out)
}

fn parse_one(flavor: Flavor, clause: &str) -> Result<OrderBy, SearchError> {
    let (value, ascending) = parse_order_by_string(clause)?;
    let (entity, key) = get_identifier(flavor, value.trim(), true)?;
    Ok(OrderBy {
        entity,
        key,
        ascending,
    })
}

/// Parses `search_runs`' `order_by` list, with `_get_orderby_clauses`' checks, in its
/// order: each entry is parsed, then rejected if it is a dataset, then checked against
/// the earlier ones. A duplicate is a plain `MlflowException`, i.e. INTERNAL_ERROR (500).
pub fn parse_run_order_by(order_by: &[String]) -> Result<Vec<OrderBy>, SearchError> {
    let mut out: Vec<OrderBy> = Vec::new();
    for clause in order_by {
        let mut ob = parse_one(Flavor::Runs, clause)?;
        ob.key = translate_key_alias(&ob.key).to_string();
        if ob.entity == Entity::Dataset {
            return Err(SearchError::invalid("Invalid identifier type 'dataset'"));
        }
        if out.iter().any(|o| o.entity == ob.entity && o.key == ob.key) {
            let list: Vec<String> = order_by.iter().map(|s| repr_str(s)).collect();
            return Err(SearchError::internal(format!(
                "`order_by` contains duplicate fields: [{}]",
                list.join(", ")
            )));
        }
        out.push(ob);
    }
    Ok(out)
}

/// Parses `search_experiments`' `order_by` list (only attributes may be ordered on).
/// An empty list stays empty: the caller applies MLflow's default.
pub fn parse_experiment_order_by(order_by: &[String]) -> Result<Vec<OrderBy>, SearchError> {
    order_by
        .iter()
        .map(|clause| {
            let ob = parse_one(Flavor::Experiments, clause)?;
            if ob.entity != Entity::Attribute {
                return Err(SearchError::invalid(format!(
                    "Invalid order_by entity: {}",
                    ob.entity.mlflow_name()
                )));
            }
            Ok(ob)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(s: &str) -> String {
        match parse_run_order_by(&[s.to_string()]) {
            Ok(v) => format!("{:?} {} {}", v[0].entity, v[0].key, v[0].ascending),
            Err(e) => format!("ERR {}", e.message),
        }
    }

    #[test]
    fn run_order_by_table() {
        let cases = [
            ("metrics.loss DESC", "Metric loss false"),
            ("params.alpha asc", "Param alpha true"),
            ("tags.`mlflow.runName` DESC", "Tag mlflow.runName false"),
            ("attributes.start_time", "Attribute start_time true"),
            ("start_time", "Attribute start_time true"),
            ("created DESC", "Attribute start_time false"),
            ("metrics.`my metric`", "Metric my metric true"),
            ("metrics.\"my metric\" DESC", "Metric my metric false"),
            ("metric.a", "Metric a true"),
            ("param.a", "Param a true"),
            ("tag.a", "Tag a true"),
            ("attribute.run_name", "Attribute run_name true"),
            ("run_id DESC", "Attribute run_id false"),
            ("", "ERR Invalid order_by clause ''. Could not be parsed."),
            (" metrics.a", "ERR Invalid order_by clause ' metrics.a'. Could not be parsed."),
            ("metrics.a DESC ASC", "ERR Invalid order_by clause 'metrics.a DESC ASC'. Could not be parsed."),
            ("metrics.a; params.b", "ERR Invalid order_by clause 'metrics.a; params.b'. Could not be parsed."),
            ("abc.a", "ERR Invalid entity type 'abc'. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']"),
            ("datasets.name", "ERR Invalid identifier type 'dataset'"),
            ("metrics.a sideways", "ERR Invalid ordering key in order_by clause 'metrics.a sideways'."),
            // shlex splits "run name" into a key and a bogus direction.
            ("run name", "ERR Invalid ordering key in order_by clause 'run name'."),
            (
                "nope",
                "ERR Invalid attribute key 'nope' specified. Valid keys are '{'artifact_uri', 'end_time', 'run_id', 'run_name', 'start_time', 'status', 'user_id', 'created', 'Created'}'",
            ),
        ];
        for (inp, want) in cases {
            assert_eq!(run(inp), want, "input {inp:?}");
        }
    }

    #[test]
    fn duplicates_are_internal_errors() {
        let e = parse_run_order_by(&["metrics.a".into(), "metrics.a DESC".into()]).unwrap_err();
        assert!(e.is_internal());
        assert_eq!(
            e.message,
            "`order_by` contains duplicate fields: ['metrics.a', 'metrics.a DESC']"
        );
        let e = parse_run_order_by(&["created".into(), "start_time DESC".into()]).unwrap_err();
        assert!(e.is_internal());
        assert!(parse_run_order_by(&["metrics.a".into(), "params.a".into()]).is_ok());
    }

    #[test]
    fn experiment_order_by() {
        let ok =
            parse_experiment_order_by(&["last_update_time DESC".into(), "name".into()]).unwrap();
        assert_eq!(
            ok[0],
            OrderBy {
                entity: Entity::Attribute,
                key: "last_update_time".into(),
                ascending: false
            }
        );
        assert_eq!(ok[1].key, "name");
        let e = parse_experiment_order_by(&["tags.a".into()]).unwrap_err();
        assert_eq!(e.message, "Invalid order_by entity: tag");
        let e = parse_experiment_order_by(&["attributes.name".into()]).unwrap_err();
        assert_eq!(
            e.message,
            "Invalid entity type 'attributes'. Valid entity types are ('attribute', 'tag', 'tags')"
        );
        let e = parse_experiment_order_by(&["run_id".into()]).unwrap_err();
        assert_eq!(
            e.message,
            "Invalid attribute key 'run_id' specified. Valid keys are '{'name', 'experiment_id', 'creation_time', 'last_update_time'}'"
        );
    }

    #[test]
    fn shlex_like_python() {
        assert_eq!(shlex_split("a \"b c\" d").unwrap(), vec!["a", "b c", "d"]);
        assert_eq!(shlex_split("\"\" x").unwrap(), vec!["", "x"]);
        assert_eq!(shlex_split("a\\ b").unwrap(), vec!["a b"]);
        assert!(shlex_split("\"abc").is_err());
    }
}

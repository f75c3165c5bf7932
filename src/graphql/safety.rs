//! Checks on a parsed document before it runs: MLflow's batching, alias and depth limits
//! (`mlflow/server/graphql/graphql_no_batching.py`) and its directive set (only
//! `@component(name: String!)` on queries and mutations: `graphql_schema_extensions.py`
//! passes `directives=[ComponentDirective]`, which also drops `@skip`/`@include`).
//!
//! Messages are graphql-core's, which MLflow returns verbatim.

use std::collections::{HashMap, HashSet, VecDeque};

use async_graphql::parser::types::{
    Directive, DocumentOperations, ExecutableDocument, FragmentDefinition, OperationDefinition,
    OperationType, Selection, SelectionSet,
};
use async_graphql::{Name, Positioned, Value};

/// `_MAX_DEPTH`.
const MAX_DEPTH: usize = 10;
/// `_MAX_SELECTIONS`.
const MAX_SELECTIONS: usize = 1000;
/// `MLFLOW_SERVER_GRAPHQL_MAX_ROOT_FIELDS` / `MLFLOW_SERVER_GRAPHQL_MAX_ALIASES` default.
const DEFAULT_LIMIT: usize = 10;
const ROOT_FIELDS_VAR: &str = "MLFLOW_SERVER_GRAPHQL_MAX_ROOT_FIELDS";
const ALIASES_VAR: &str = "MLFLOW_SERVER_GRAPHQL_MAX_ALIASES";

/// The message for a document nested deeper than the parser goes; any selection nesting that
/// deep is far past `MAX_DEPTH`.
pub fn depth_exceeded() -> String {
    format!("Query exceeds maximum depth of {MAX_DEPTH}")
}

/// A limit from the environment (read once), as MLflow's `_EnvironmentVariable.get()`.
fn env_limit(var: &'static str) -> usize {
    static LIMITS: std::sync::OnceLock<HashMap<&'static str, usize>> = std::sync::OnceLock::new();
    let limits = LIMITS.get_or_init(|| {
        [ROOT_FIELDS_VAR, ALIASES_VAR]
            .into_iter()
            .map(|v| {
                let limit = match std::env::var(v) {
                    Ok(s) => s.trim().parse().unwrap_or_else(|_| {
                        tracing::warn!(var = v, value = %s, "not an integer; using 10");
                        DEFAULT_LIMIT
                    }),
                    Err(_) => DEFAULT_LIMIT,
                };
                (v, limit)
            })
            .collect()
    });
    limits.get(var).copied().unwrap_or(DEFAULT_LIMIT)
}

/// The operations in document order (MLflow scans `ast_node.definitions` in order).
pub fn operations_in_order(doc: &ExecutableDocument) -> Vec<&Positioned<OperationDefinition>> {
    let mut ops: Vec<_> = doc.operations.iter().map(|(_, op)| op).collect();
    ops.sort_by_key(|op| (op.pos.line, op.pos.column));
    ops
}

/// `_collect_fields_and_aliases`: the fields of one level, with inline fragments and fragment
/// spreads merged in, and how many of them carry an alias.
fn collect_fields<'a>(
    selection_set: &'a SelectionSet,
    fragments: &'a HashMap<Name, Positioned<FragmentDefinition>>,
) -> (
    Vec<&'a Positioned<async_graphql::parser::types::Field>>,
    usize,
) {
    let mut fields = Vec::new();
    let mut aliases = 0;
    let mut queue: VecDeque<&Positioned<Selection>> = selection_set.items.iter().collect();
    let mut visited: HashSet<&str> = HashSet::new();
    while let Some(selection) = queue.pop_front() {
        match &selection.node {
            Selection::Field(field) => {
                if field.node.alias.is_some() {
                    aliases += 1;
                }
                fields.push(field);
            }
            Selection::InlineFragment(inline) => {
                queue.extend(inline.node.selection_set.node.items.iter());
            }
            Selection::FragmentSpread(spread) => {
                let name = spread.node.fragment_name.node.as_str();
                if visited.insert(name) {
                    if let Some(def) = fragments.get(name) {
                        queue.extend(def.node.selection_set.node.items.iter());
                    }
                }
            }
        }
    }
    (fields, aliases)
}

/// `scan_query` + `check_query_safety`: `Err(message)` when the document is over a limit.
pub fn check_query_safety(doc: &ExecutableDocument) -> Result<(), String> {
    let mut root_fields = 0usize;
    let mut max_aliases = 0usize;
    let mut total_selections = 0usize;
    for op in operations_in_order(doc) {
        let mut stack: Vec<(&SelectionSet, usize)> = vec![(&op.node.selection_set.node, 1)];
        while let Some((selection_set, depth)) = stack.pop() {
            if depth > MAX_DEPTH {
                return Err(depth_exceeded());
            }
            let (fields, aliases) = collect_fields(selection_set, &doc.fragments);
            for field in fields {
                if depth == 1 {
                    root_fields += 1;
                }
                if !field.node.selection_set.node.items.is_empty() {
                    stack.push((&field.node.selection_set.node, depth + 1));
                }
                total_selections += 1;
                if total_selections > MAX_SELECTIONS {
                    return Err(format!(
                        "Query exceeds maximum total selections of {MAX_SELECTIONS}"
                    ));
                }
            }
            max_aliases = max_aliases.max(aliases);
        }
    }
    let (what, var, value) = if root_fields > env_limit(ROOT_FIELDS_VAR) {
        ("root fields", ROOT_FIELDS_VAR, root_fields)
    } else if max_aliases > env_limit(ALIASES_VAR) {
        ("aliases", ALIASES_VAR, max_aliases)
    } else {
        return Ok(());
    };
    Err(format!(
        "GraphQL queries should have at most {} {what}, got {value} {what}. To increase the \
         limit, set the {var} environment variable.",
        env_limit(var)
    ))
}

// ---------------------------------------------------------------------------------------------
// Directives.

/// graphql-core's `DirectiveLocation` values, as its messages print them.
fn operation_location(ty: OperationType) -> &'static str {
    match ty {
        OperationType::Query => "query",
        OperationType::Mutation => "mutation",
        OperationType::Subscription => "subscription",
    }
}

/// graphql-core's `print_ast` of a literal, for "cannot represent" messages.
fn print_value(v: &Value) -> String {
    match v {
        Value::String(s) => crate::graphql::json_string(s),
        Value::Object(_) | Value::List(_) => v.to_string(),
        other => other.to_string(),
    }
}

/// Checks one directive at `location` (`KnownDirectivesRule`, `KnownArgumentNamesOnDirectives`,
/// `ProvidedRequiredArgumentsOnDirectives`, `ValuesOfCorrectTypeRule`).
fn check_directive(d: &Directive, location: &str, errors: &mut Vec<String>) {
    let name = d.name.node.as_str();
    if name != "component" {
        errors.push(format!("Unknown directive '@{name}'."));
        return;
    }
    if location != "query" && location != "mutation" {
        errors.push(format!(
            "Directive '@component' may not be used on {location}."
        ));
    }
    for (arg, value) in &d.arguments {
        if arg.node.as_str() != "name" {
            errors.push(format!(
                "Unknown argument '{}' on directive '@component'.",
                arg.node
            ));
            continue;
        }
        // A variable (no constant form) is left to execution.
        match value.node.clone().into_const() {
            None | Some(Value::String(_)) => {}
            Some(Value::Null) => {
                errors.push("Expected value of type 'String!', found null.".to_owned())
            }
            Some(other) => errors.push(format!(
                "String cannot represent a non string value: {}",
                print_value(&other)
            )),
        }
    }
    if !d.arguments.iter().any(|(a, _)| a.node.as_str() == "name") {
        errors.push(
            "Directive '@component' argument 'name' of type 'String!' is required, but it was \
             not provided."
                .to_owned(),
        );
    }
}

fn check_selection_directives(
    selection_set: &SelectionSet,
    errors: &mut Vec<String>,
    depth: usize,
) {
    // The parser stops at 64 levels; this bound only documents that recursion is finite.
    if depth > 128 {
        return;
    }
    for selection in &selection_set.items {
        match &selection.node {
            Selection::Field(f) => {
                for d in &f.node.directives {
                    check_directive(&d.node, "field", errors);
                }
                check_selection_directives(&f.node.selection_set.node, errors, depth + 1);
            }
            Selection::FragmentSpread(s) => {
                for d in &s.node.directives {
                    check_directive(&d.node, "fragment spread", errors);
                }
            }
            Selection::InlineFragment(i) => {
                for d in &i.node.directives {
                    check_directive(&d.node, "inline fragment", errors);
                }
                check_selection_directives(&i.node.selection_set.node, errors, depth + 1);
            }
        }
    }
}

/// Validates every directive of the document against MLflow's one directive, then removes the
/// accepted `@component` annotations (they mean nothing to execution).
pub fn check_and_strip_directives(doc: &mut ExecutableDocument) -> Result<(), Vec<String>> {
    let mut errors = Vec::new();
    for op in operations_in_order(doc) {
        let location = operation_location(op.node.ty);
        for d in &op.node.directives {
            check_directive(&d.node, location, &mut errors);
        }
        for var in &op.node.variable_definitions {
            for d in &var.node.directives {
                check_directive(&d.node, "variable definition", &mut errors);
            }
        }
        check_selection_directives(&op.node.selection_set.node, &mut errors, 0);
    }
    let mut fragments: Vec<_> = doc.fragments.values().collect();
    fragments.sort_by_key(|f| (f.pos.line, f.pos.column));
    for fragment in fragments {
        for d in &fragment.node.directives {
            check_directive(&d.node, "fragment definition", &mut errors);
        }
        check_selection_directives(&fragment.node.selection_set.node, &mut errors, 0);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let strip = |op: &mut Positioned<OperationDefinition>| op.node.directives.clear();
    match &mut doc.operations {
        DocumentOperations::Single(op) => strip(op),
        DocumentOperations::Multiple(ops) => ops.values_mut().for_each(strip),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::parser::parse_query;

    fn safety(q: &str) -> Result<(), String> {
        check_query_safety(&parse_query(q).expect("parses"))
    }

    #[test]
    fn limits_match_mlflow() {
        let root: String = (0..11)
            .map(|i| format!("a{i}: test {{ output }} "))
            .collect();
        assert!(safety(&format!("{{ {root} }}"))
            .unwrap_err()
            .starts_with("GraphQL queries should have at most 10 root fields, got 11"));
        let aliases: String = (0..11).map(|i| format!("o{i}: output ")).collect();
        assert!(safety(&format!("{{ test {{ {aliases} }} }}"))
            .unwrap_err()
            .starts_with("GraphQL queries should have at most 10 aliases, got 11 aliases."));
        let deep = "{ a { b { c { d { e { f { g { h { i { j { k } } } } } } } } } } }";
        assert_eq!(
            safety(deep).unwrap_err(),
            "Query exceeds maximum depth of 10"
        );
        let ten_deep = "{ a { b { c { d { e { f { g { h { i { j } } } } } } } } } }";
        assert!(safety(ten_deep).is_ok());
        let many: String = "__typename ".repeat(1001);
        assert_eq!(
            safety(&format!("{{ {many} }}")).unwrap_err(),
            "Query exceeds maximum total selections of 1000"
        );
    }

    #[test]
    fn aliases_spread_over_fragments_count_together() {
        let q = "{ test { ... on Test { a1: output a2: output a3: output a4: output a5: output \
                 a6: output } ...F } } fragment F on Test { b1: output b2: output b3: output \
                 b4: output b5: output }";
        assert!(safety(q).unwrap_err().contains("got 11 aliases"));
    }

    #[test]
    fn self_spreading_fragments_terminate() {
        let q = "{ test { ...F } } fragment F on Test { output ...F }";
        assert!(safety(q).is_ok());
        let q = "{ test { ...F } } fragment F on Test { t { ...F } }";
        assert_eq!(safety(q).unwrap_err(), "Query exceeds maximum depth of 10");
    }

    fn directives(q: &str) -> Result<(), Vec<String>> {
        check_and_strip_directives(&mut parse_query(q).expect("parses"))
    }

    #[test]
    fn only_component_on_operations() {
        assert!(directives("query Q @component(name: \"MLflow.X\") { test { output } }").is_ok());
        assert_eq!(
            directives("{ test @skip(if: true) { output } }").unwrap_err(),
            vec!["Unknown directive '@skip'."]
        );
        assert_eq!(
            directives("{ test @component(name: \"x\") { output } }").unwrap_err(),
            vec!["Directive '@component' may not be used on field."]
        );
        assert_eq!(
            directives("query @component { test { output } }").unwrap_err(),
            vec![
                "Directive '@component' argument 'name' of type 'String!' is required, but it \
                 was not provided."
            ]
        );
    }
}

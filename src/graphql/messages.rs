//! async-graphql's validation and execution messages rewritten as graphql-core's, which MLflow
//! returns verbatim (`graphql/validation/rules/*.py`, `graphql/execution/execute.py`), with
//! graphql-core's "Did you mean" suggestions (`graphql/pyutils/suggestion_list.py`,
//! `did_you_mean.py`) computed over MLflow's schema. Messages without a rule here (rare value
//! coercion texts) pass through unchanged.

use std::collections::HashMap;
use std::sync::OnceLock;

use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};
use regex::Regex;

/// For each object type its fields with their argument names, for each input type its fields.
struct SchemaIndex {
    objects: HashMap<String, Vec<(String, Vec<String>)>>,
    inputs: HashMap<String, Vec<String>>,
}

fn index() -> &'static SchemaIndex {
    static INDEX: OnceLock<SchemaIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut idx = SchemaIndex {
            objects: HashMap::new(),
            inputs: HashMap::new(),
        };
        let sdl = crate::graphql::schema::schema().sdl();
        let Ok(doc) = async_graphql::parser::parse_schema(sdl) else {
            return idx;
        };
        for def in doc.definitions {
            let TypeSystemDefinition::Type(ty) = def else {
                continue;
            };
            let name = ty.node.name.node.to_string();
            match ty.node.kind {
                TypeKind::Object(o) => {
                    let fields = o
                        .fields
                        .into_iter()
                        .map(|f| {
                            let args = f.node.arguments.iter();
                            let args = args.map(|a| a.node.name.node.to_string()).collect();
                            (f.node.name.node.to_string(), args)
                        })
                        .collect();
                    idx.objects.insert(name, fields);
                }
                TypeKind::InputObject(i) => {
                    let fields = i.fields.iter().map(|f| f.node.name.node.to_string());
                    idx.inputs.insert(name, fields.collect());
                }
                _ => {}
            }
        }
        idx
    })
}

/// `LexicalDistance.measure`: optimal string alignment distance, case changes counting as one
/// edit, `None` past `threshold`.
fn lexical_distance(input: &str, option: &str, threshold: usize) -> Option<usize> {
    if input == option {
        return Some(0);
    }
    let (a, b) = (input.to_lowercase(), option.to_lowercase());
    if a == b {
        return Some(1);
    }
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len().abs_diff(b.len()) > threshold {
        return None;
    }
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut cell = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cell = cell.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = cell;
        }
    }
    let distance = d[a.len()][b.len()];
    (distance <= threshold).then_some(distance)
}

/// `natural_comparison_key`: digit runs compare as numbers.
fn natural_key(s: &str) -> Vec<(u8, u64, String)> {
    let mut parts = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(&c) = chars.peek() {
        let digit = c.is_ascii_digit();
        let mut part = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_ascii_digit() != digit {
                break;
            }
            part.push(c);
            chars.next();
        }
        let number = if digit {
            part.parse().unwrap_or(u64::MAX)
        } else {
            0
        };
        parts.push((u8::from(!digit), number, part));
    }
    parts
}

/// `suggestion_list(input, options)`.
fn suggestion_list<'a>(input: &str, options: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let threshold = input.chars().count() * 2 / 5 + 1;
    let mut found: Vec<(usize, &str)> = options
        .filter_map(|o| lexical_distance(input, o, threshold).map(|d| (d, o)))
        .collect();
    found.sort_by(|x, y| {
        x.0.cmp(&y.0)
            .then_with(|| natural_key(x.1).cmp(&natural_key(y.1)))
    });
    found.into_iter().map(|(_, o)| o).collect()
}

/// `did_you_mean(quoted suggestions)`.
fn did_you_mean(suggestions: &[&str]) -> String {
    let quoted: Vec<String> = suggestions
        .iter()
        .take(5)
        .map(|s| format!("'{s}'"))
        .collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => format!(" Did you mean {one}?"),
        [a, b] => format!(" Did you mean {a} or {b}?"),
        [init @ .., last] => format!(" Did you mean {}, or {last}?", init.join(", ")),
    }
}

fn object_fields(ty: &str) -> Option<&'static Vec<(String, Vec<String>)>> {
    index().objects.get(ty)
}

/// One rule: an async-graphql message pattern and its graphql-core rewrite (`None` drops a
/// message graphql-core does not produce).
type Rewrite = fn(&regex::Captures) -> Option<String>;

fn rules() -> &'static [(Regex, Rewrite)] {
    static RULES: OnceLock<Vec<(Regex, Rewrite)>> = OnceLock::new();
    RULES.get_or_init(|| {
        let table: [(&str, Rewrite); 19] = [
            (r#"^Unknown field "([^"]*)" on type "([^"]*)"\.(?: Did you mean .*)?$"#, |c| {
                // graphql-core does not look inside leaf types (the subfields rule reports).
                let fields = object_fields(&c[2])?;
                let names = fields.iter().map(|(f, _)| f.as_str());
                let hint = did_you_mean(&suggestion_list(&c[1], names));
                Some(format!("Cannot query field '{}' on type '{}'.{hint}", &c[1], &c[2]))
            }),
            (r#"^Unknown argument "([^"]*)" on field "([^"]*)" of type "([^"]*)"\.(?: Did you mean .*)?$"#, |c| {
                let args = object_fields(&c[3])
                    .and_then(|fs| fs.iter().find(|(f, _)| f == &c[2]))
                    .map(|(_, a)| a.as_slice())
                    .unwrap_or_default();
                let hint = did_you_mean(&suggestion_list(&c[1], args.iter().map(String::as_str)));
                Some(format!("Unknown argument '{}' on field '{}.{}'.{hint}", &c[1], &c[3], &c[2]))
            }),
            (r#"^Invalid value for argument "[^"]*", unknown field "([^"]*)" of type "([^"]*)"$"#, |c| {
                let fields = index().inputs.get(&c[2]).map(Vec::as_slice).unwrap_or_default();
                let hint = did_you_mean(&suggestion_list(&c[1], fields.iter().map(String::as_str)));
                Some(format!("Field '{}' is not defined by type '{}'.{hint}", &c[1], &c[2]))
            }),
            (r#"^Field "([^"]*)" of type "([^"]*)" must have a selection of subfields$"#, |c| {
                Some(format!(
                    "Field '{0}' of type '{1}' must have a selection of subfields. Did you mean '{0} {{ ... }}'?",
                    &c[1], &c[2]
                ))
            }),
            (r#"^Field "([^"]*)" must not have a selection since type "([^"]*)" has no subfields$"#, |c| {
                Some(format!(
                    "Field '{}' must not have a selection since type '{}' has no subfields.",
                    &c[1], &c[2]
                ))
            }),
            (r#"^Operation name required in request\.$"#, |_| {
                Some("Must provide operation name if query contains multiple operations.".into())
            }),
            (r#"^Unknown operation named "(.*)"$"#, |c| {
                Some(format!("Unknown operation named '{}'.", &c[1]))
            }),
            (r#"^Fragment "([^"]*)" is never used$"#, |c| {
                Some(format!("Fragment '{}' is never used.", &c[1]))
            }),
            (r#"^Variable "\$([^"]*)" is not used by operation "([^"]*)"$"#, |c| {
                Some(format!("Variable '${}' is never used in operation '{}'.", &c[1], &c[2]))
            }),
            (r#"^Variable "\$([^"]*)" is not used$"#, |c| {
                Some(format!("Variable '${}' is never used.", &c[1]))
            }),
            (r#"^Variable "\$([^"]*)" is not defined by operation "([^"]*)"$"#, |c| {
                Some(format!("Variable '${}' is not defined by operation '{}'.", &c[1], &c[2]))
            }),
            (r#"^Variable "\$([^"]*)" is not defined$"#, |c| {
                Some(format!("Variable '${}' is not defined.", &c[1]))
            }),
            (r#"^Unknown fragment: "([^"]*)"$"#, |c| {
                Some(format!("Unknown fragment '{}'.", &c[1]))
            }),
            (r#"^Unknown type "([^"]*)"$"#, |c| Some(format!("Unknown type '{}'.", &c[1]))),
            (r#"^There can only be one argument named "([^"]*)"$"#, |c| {
                Some(format!("There can be only one argument named '{}'.", &c[1]))
            }),
            (r#"^There can only be one variable named "\$([^"]*)"$"#, |c| {
                Some(format!("There can be only one variable named '${}'.", &c[1]))
            }),
            (r#"^Fragment (?:"([^"]*)" )?cannot be spread here as objects of type "([^"]*)" can never be of type "([^"]*)"$"#, |c| {
                let named = c.get(1).map(|m| format!("Fragment '{}'", m.as_str()));
                Some(format!(
                    "{} cannot be spread here as objects of type '{}' can never be of type '{}'.",
                    named.as_deref().unwrap_or("Fragment"),
                    &c[2],
                    &c[3]
                ))
            }),
            (r#"^Schema is not configured for subscriptions\.$"#, |_| {
                Some("Schema is not configured to execute subscription operation.".into())
            }),
            (r#"^Expected input type "([^"]*)", found (.*)\.$"#, |c| {
                Some(format!("Expected value of type '{}', found {}.", &c[1], &c[2]))
            }),
        ];
        table
            .into_iter()
            .filter_map(|(pattern, rewrite)| match Regex::new(pattern) {
                Ok(re) => Some((re, rewrite)),
                Err(e) => {
                    tracing::error!(pattern, error = %e, "bad graphql message pattern");
                    None
                }
            })
            .collect()
    })
}

/// graphql-core's wording of one async-graphql message (`None`: graphql-core has no such
/// error).
fn rewrite(message: &str) -> Option<String> {
    for (re, rewrite) in rules() {
        if let Some(c) = re.captures(message) {
            return rewrite(&c);
        }
    }
    Some(message.to_owned())
}

/// The error list as graphql-core reports it: rewritten, repeats of one validation finding
/// (async-graphql reports some from two rules) folded.
pub(crate) fn graphql_core_messages(messages: Vec<String>, validation: bool) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(messages.len());
    for m in messages {
        let Some(m) = rewrite(&m) else { continue };
        if validation && out.contains(&m) {
            continue;
        }
        out.push(m);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_follow_graphql_core() {
        let opts = [
            "info",
            "inputs",
            "data",
            "outputs",
            "experiment",
            "modelVersions",
        ];
        assert_eq!(
            suggestion_list("infos", opts.into_iter()),
            vec!["info", "inputs"]
        );
        assert_eq!(
            did_you_mean(&["info", "inputs"]),
            " Did you mean 'info' or 'inputs'?"
        );
        assert_eq!(
            did_you_mean(&["a", "b", "c"]),
            " Did you mean 'a', 'b', or 'c'?"
        );
        assert_eq!(lexical_distance("abc", "ABC", 2), Some(1));
        assert_eq!(lexical_distance("ab", "ba", 1), Some(1));
    }

    #[test]
    fn messages_are_rewritten() {
        let got = graphql_core_messages(
            vec![
                "Unknown field \"mlflowSearchDatasets\" on type \"Query\". Did you mean \"x\"?"
                    .to_owned(),
                "Unknown operation named \"C\"".to_owned(),
                "Unknown field \"x\" on type \"String\".".to_owned(),
                "Unknown type \"Nope\"".to_owned(),
                "Unknown type \"Nope\"".to_owned(),
            ],
            true,
        );
        assert_eq!(
            got,
            vec![
                "Cannot query field 'mlflowSearchDatasets' on type 'Query'. Did you mean \
                 'mlflowSearchRuns'?",
                "Unknown operation named 'C'.",
                "Unknown type 'Nope'.",
            ]
        );
    }
}

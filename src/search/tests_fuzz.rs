//! Robustness: the parsers must return `Ok` or `Err` for any input, never panic,
//! including pathological nesting and very long filters (sqlparse's own limits,
//! `MAX_GROUPING_DEPTH` / `MAX_GROUPING_TOKENS`, surface as "Error on parsing filter").

use super::*;

/// A small deterministic xorshift generator (no `rand` dependency in this module).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const FRAGMENTS: &[&str] = &[
    "metrics.a",
    "params.b",
    "tags.`x y`",
    "tags.\"q\"",
    "run_id",
    "start_time",
    "datasets.name",
    "name",
    "experiment_id",
    " ",
    "\n",
    "\t",
    "=",
    "!=",
    ">=",
    "<>",
    "LIKE",
    "ILIKE",
    "NOT",
    "IN",
    "IS",
    "NULL",
    "NOT NULL",
    "AND",
    "OR",
    "(",
    ")",
    ",",
    "'x'",
    "\"y\"",
    "'a''b'",
    "'",
    "\"",
    "`",
    "1",
    "-2",
    "1.5",
    ".5",
    "1e3",
    "0x1F",
    "12a",
    ";",
    "--c\n",
    "/*",
    "*/",
    "$$",
    "$a$",
    "select",
    "timestamp",
    "DESC",
    "::",
    ":=",
    "[a]",
    "[",
    "]",
    "*",
    "+",
    "%",
    "#",
    "# ",
    "@",
    "é",
    "日本",
    "\\",
    "WHERE",
    "CASE",
    "END",
    "BEGIN",
    "AS",
    "OVER",
    "VALUES",
    "{",
    "\u{0}",
    "ß",
    "\u{212a}",
    "r'x'",
    "b'x'",
    "'''",
    "('a',)",
];

fn exercise(s: &str) {
    let _ = parse_run_filter(s);
    let _ = parse_experiment_filter(s);
    let _ = parse_run_order_by(&[s.to_string()]);
    let _ = parse_experiment_order_by(&[s.to_string()]);
    let _ = parse_start_offset_from_page_token(Some(s));
    let _ = parse_search_runs_request(s, &[s.to_string()], Some(s));
}

#[test]
fn random_fragments_never_panic() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..20_000 {
        let n = 1 + rng.below(12);
        let s: String = (0..n)
            .map(|_| FRAGMENTS[rng.below(FRAGMENTS.len())])
            .collect::<Vec<_>>()
            .join(" ");
        exercise(&s);
        let glued: String = (0..n)
            .map(|_| FRAGMENTS[rng.below(FRAGMENTS.len())])
            .collect();
        exercise(&glued);
    }
}

#[test]
fn random_chars_never_panic() {
    let mut rng = Rng(42);
    let alphabet: Vec<char> = "ab_1 .=!<>'\"`()-,;%$#*/\\\n\tÀé[]:@?+eEx0\u{2028}\u{85}\u{feff}😀"
        .chars()
        .collect();
    for _ in 0..20_000 {
        let n = rng.below(30);
        let s: String = (0..n)
            .map(|_| alphabet[rng.below(alphabet.len())])
            .collect();
        exercise(&s);
    }
}

#[test]
fn pathological_sizes() {
    let deep = format!("{}metrics.a > 1{}", "(".repeat(5000), ")".repeat(5000));
    assert_eq!(
        parse_run_filter(&deep).unwrap_err().message,
        format!("Error on parsing filter '{deep}'")
    );
    let ops = format!("metrics.a > 1{}", " + 1".repeat(3000));
    assert!(parse_run_filter(&ops).is_err());
    let long = "metrics.a > 1 AND ".repeat(3000) + "metrics.a > 1";
    assert_eq!(
        parse_run_filter(&long).unwrap_err().message,
        format!("Error on parsing filter '{long}'")
    );
    let ok = "metrics.a > 1 AND ".repeat(500) + "metrics.a > 1";
    assert_eq!(parse_run_filter(&ok).map(|v| v.len()), Ok(501));
    exercise(&"'".repeat(5000));
    exercise(&"\\'".repeat(5000));
    exercise(&"$$".repeat(3000));
    exercise(&"/*".repeat(3000));
    exercise(&format!("run_id IN ({})", "(".repeat(3000)));
    exercise(&format!(
        "run_id IN {}'a'{}",
        "(".repeat(90),
        ")".repeat(90)
    ));
}

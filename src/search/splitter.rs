//! sqlparse 0.6.1's `StatementSplitter` (`sqlparse/engine/statement_splitter.py`): cuts
//! the token stream into statements at `;`. MLflow rejects a filter that yields more
//! than one statement ("Search filter contained multiple expression …") and one that
//! yields none (a whitespace-only filter: "Invalid filter …. Could not be parsed.").

use super::lexer::{Token, Tt};

/// `StatementSplitter.process`: splits the token stream at `;` (outside BEGIN blocks and
/// parentheses). Trailing whitespace-only pieces are dropped, as sqlparse does.
pub(crate) fn split_statements(tokens: Vec<Token>) -> Vec<Vec<Token>> {
    let mut out = Vec::new();
    let mut sp = Splitter::default();
    for tok in tokens {
        if sp.consume_ws && !matches!(tok.tt, Tt::Whitespace | Tt::CommentSingle) {
            out.push(std::mem::take(&mut sp.tokens));
            sp = Splitter::default();
        }
        sp.level += sp.change_level(tok.tt, &tok.value);
        let (tt, upper) = (tok.tt, tok.value.to_uppercase());
        let first_word = tok
            .value
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_string();
        sp.tokens.push(tok);
        if tt == Tt::Punctuation && upper == ";" {
            sp.seen_begin = false;
            if sp.level <= 0 && !sp.block_stack.iter().any(|b| b == "BEGIN") {
                sp.consume_ws = true;
            }
        } else if tt == Tt::Keyword && first_word == "GO" {
            sp.consume_ws = true;
        } else if !(matches!(
            tt,
            Tt::Whitespace | Tt::Newline | Tt::CommentSingle | Tt::CommentMultiline
        ) || (tt == Tt::Keyword && upper == "BEGIN"))
        {
            sp.seen_begin = false;
        }
    }
    if !sp.tokens.is_empty() && !sp.tokens.iter().all(|t| t.tt.is_whitespace()) {
        out.push(sp.tokens);
    }
    out
}

#[derive(Default)]
struct Splitter {
    block_stack: Vec<String>,
    unconfirmed_start: Option<&'static str>,
    is_create: bool,
    seen_begin: bool,
    consume_ws: bool,
    tokens: Vec<Token>,
    level: i64,
}

impl Splitter {
    fn pop_if(&mut self, top: &[&str]) -> i64 {
        if self
            .block_stack
            .last()
            .is_some_and(|b| top.contains(&b.as_str()))
        {
            self.block_stack.pop();
            return -1;
        }
        0
    }

    fn change_level(&mut self, tt: Tt, value: &str) -> i64 {
        if tt == Tt::Punctuation && value == ";" {
            self.unconfirmed_start = None;
            if self.seen_begin {
                self.seen_begin = false;
                return self.pop_if(&["BEGIN"]);
            }
            return 0;
        }
        if tt == Tt::Punctuation && value == "(" {
            return 1;
        }
        if tt == Tt::Punctuation && value == ")" {
            return -1;
        }
        if !tt.is_keyword() {
            return 0;
        }
        let unified = value.to_uppercase();
        if tt == Tt::KeywordDdl && unified.starts_with("CREATE") {
            self.is_create = true;
            return 0;
        }
        if unified == "DECLARE" && self.is_create && self.block_stack.is_empty() {
            self.block_stack.push("DECLARE".into());
            return 1;
        }
        if unified == "BEGIN" {
            self.seen_begin = true;
            if self.block_stack.last().is_some_and(|b| b == "DECLARE") {
                self.block_stack.pop();
                self.block_stack.push("BEGIN".into());
                return 0;
            }
            self.block_stack.push("BEGIN".into());
            return 1;
        }
        if self.seen_begin
            && tt == Tt::Keyword
            && [
                "TRANSACTION",
                "WORK",
                "TRAN",
                "DISTRIBUTED",
                "DEFERRED",
                "IMMEDIATE",
                "EXCLUSIVE",
            ]
            .contains(&unified.as_str())
        {
            self.seen_begin = false;
            return self.pop_if(&["BEGIN"]);
        }
        if self.block_stack.iter().any(|b| b == "BEGIN") {
            match unified.as_str() {
                "FOR" => {
                    self.unconfirmed_start = Some("FOR");
                    return 0;
                }
                "WHILE" => {
                    self.unconfirmed_start = Some("WHILE");
                    return 0;
                }
                "LOOP" | "DO" => {
                    if let Some(u) = self.unconfirmed_start.take() {
                        self.block_stack.push(u.into());
                        return 1;
                    }
                    if unified == "LOOP" {
                        self.block_stack.push("LOOP".into());
                        return 1;
                    }
                }
                "IF" | "CASE" => {
                    self.block_stack.push(unified);
                    return 1;
                }
                _ => {}
            }
        }
        match unified.as_str() {
            "END IF" => self.pop_if(&["IF"]),
            "END FOR" => self.pop_if(&["FOR"]),
            "END WHILE" => self.pop_if(&["WHILE"]),
            "END LOOP" => self.pop_if(&["LOOP", "FOR", "WHILE"]),
            "END CASE" => self.pop_if(&["CASE"]),
            "END" => {
                self.block_stack.pop();
                -1
            }
            _ => 0,
        }
    }
}

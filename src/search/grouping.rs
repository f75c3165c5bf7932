//! sqlparse 0.6.1's grouping engine (`sqlparse/engine/grouping.py`, `sqlparse/sql.py`):
//! it turns a statement's flat token list into the tree of `Identifier`, `Comparison`,
//! `Parenthesis`, … groups that MLflow's `SearchUtils` then inspects.
//!
//! The port is deliberately literal. sqlparse iterates over a snapshot of a group's
//! children while regrouping them, so after a merge it keeps visiting tokens that
//! already moved into the new group; emulating that needs object identity, hence the
//! arena: a node is an index into `Tree::nodes`, a group holds child indices.

use super::lexer::{Token, Tt};

/// sqlparse's `MAX_GROUPING_DEPTH` / `MAX_GROUPING_TOKENS`.
const MAX_DEPTH: usize = 100;
const MAX_TOKENS: usize = 10000;

/// Raised where sqlparse raises `SQLParseError` (MLflow: "Error on parsing filter …").
#[derive(Debug)]
pub(crate) struct GroupingError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Statement,
    Parenthesis,
    SquareBrackets,
    Case,
    If,
    For,
    Begin,
    Over,
    Function,
    Where,
    Identifier,
    IdentifierList,
    Comparison,
    Operation,
    TypedLiteral,
    Assignment,
    Comment,
    Values,
    TokenList,
}

#[derive(Debug)]
pub(crate) struct Node {
    /// `ttype`; `None` for groups (group_operator may set it, as sqlparse does).
    pub tt: Option<Tt>,
    /// Leaf text (empty for groups).
    pub text: String,
    pub kind: Option<Kind>,
    pub children: Vec<usize>,
}

pub(crate) struct Tree {
    pub nodes: Vec<Node>,
}

type Res = Result<(), GroupingError>;

impl Tree {
    pub(crate) fn new() -> Self {
        Tree { nodes: Vec::new() }
    }

    pub(crate) fn leaf(&mut self, tt: Tt, text: &str) -> usize {
        self.nodes.push(Node {
            tt: Some(tt),
            text: text.to_string(),
            kind: None,
            children: Vec::new(),
        });
        self.nodes.len() - 1
    }

    fn new_group(&mut self, kind: Kind, children: Vec<usize>) -> usize {
        self.nodes.push(Node {
            tt: None,
            text: String::new(),
            kind: Some(kind),
            children,
        });
        self.nodes.len() - 1
    }

    /// Builds and groups a statement (`grouping.group`); returns the statement node.
    pub(crate) fn statement(&mut self, tokens: &[Token]) -> Result<usize, GroupingError> {
        let children = tokens.iter().map(|t| self.leaf(t.tt, &t.value)).collect();
        let stmt = self.new_group(Kind::Statement, children);
        self.group(stmt)?;
        Ok(stmt)
    }

    pub(crate) fn tt(&self, id: usize) -> Option<Tt> {
        self.nodes[id].tt
    }
    pub(crate) fn kind(&self, id: usize) -> Option<Kind> {
        self.nodes[id].kind
    }
    pub(crate) fn is(&self, id: usize, kind: Kind) -> bool {
        self.nodes[id].kind == Some(kind)
    }
    pub(crate) fn is_group(&self, id: usize) -> bool {
        self.nodes[id].kind.is_some()
    }
    pub(crate) fn children(&self, id: usize) -> &[usize] {
        &self.nodes[id].children
    }
    /// `is_whitespace` / `is_keyword` are fixed at construction in sqlparse, so groups
    /// never count, whatever `tt` later says.
    pub(crate) fn is_ws(&self, id: usize) -> bool {
        !self.is_group(id) && self.tt(id).is_some_and(Tt::is_whitespace)
    }
    pub(crate) fn is_kw(&self, id: usize) -> bool {
        !self.is_group(id) && self.tt(id).is_some_and(Tt::is_keyword)
    }

    /// `str(token)`: the concatenated text of all leaves (iterative: trees can be deep).
    pub(crate) fn value(&self, id: usize) -> String {
        let mut out = String::new();
        let mut stack = vec![id];
        while let Some(n) = stack.pop() {
            let node = &self.nodes[n];
            if node.kind.is_some() {
                stack.extend(node.children.iter().rev());
            } else {
                out.push_str(&node.text);
            }
        }
        out
    }

    fn normalized(&self, id: usize) -> String {
        if self.is_kw(id) {
            self.nodes[id].text.to_uppercase()
        } else {
            self.value(id)
        }
    }

    /// `Token.match(ttype, values)`: exact type, keyword values case-insensitive.
    pub(crate) fn matches(&self, id: usize, tt: Tt, values: &[&str]) -> bool {
        if self.tt(id) != Some(tt) {
            return false;
        }
        if values.is_empty() {
            return true;
        }
        let norm = self.normalized(id);
        if self.is_kw(id) {
            values.iter().any(|v| v.to_uppercase() == norm)
        } else {
            values.iter().any(|v| *v == norm)
        }
    }

    fn tt_is(&self, id: usize, f: fn(Tt) -> bool) -> bool {
        self.tt(id).is_some_and(f)
    }

    // ---- TokenList navigation (indices into `children(list)`) ----

    fn next_by(
        &self,
        list: usize,
        from: usize,
        pred: impl Fn(&Tree, usize) -> bool,
    ) -> Option<usize> {
        let ch = self.children(list);
        (from..ch.len()).find(|&i| pred(self, ch[i]))
    }

    /// `token_next(idx)`: next non-whitespace child after `idx`.
    fn token_next(&self, list: usize, idx: Option<usize>) -> Option<usize> {
        let idx = idx?;
        self.next_by(list, idx + 1, |t, n| !t.is_ws(n))
    }

    /// `token_prev(idx)`: previous non-whitespace child before `idx`.
    fn token_prev(&self, list: usize, idx: usize) -> Option<usize> {
        let ch = self.children(list);
        (0..idx.min(ch.len())).rev().find(|&i| !self.is_ws(ch[i]))
    }

    fn child(&self, list: usize, idx: Option<usize>) -> Option<usize> {
        idx.and_then(|i| self.children(list).get(i).copied())
    }

    /// `TokenList.group_tokens(cls, start, end, extend=…)`.
    fn group_tokens(
        &mut self,
        list: usize,
        kind: Kind,
        start: usize,
        end: usize,
        extend: bool,
    ) -> usize {
        let len = self.nodes[list].children.len();
        if len == 0 {
            return list;
        }
        let start = start.min(len.saturating_sub(1));
        let end_idx = (end + 1).clamp(start, len);
        let first = self.nodes[list].children[start];
        // align_comments passes the base class TokenList, which every group is.
        let same =
            self.kind(first) == Some(kind) || (kind == Kind::TokenList && self.is_group(first));
        if extend && same {
            let moved: Vec<usize> = self.nodes[list]
                .children
                .drain(start + 1..end_idx.max(start + 1))
                .collect();
            self.nodes[first].children.extend(moved);
            first
        } else {
            let moved: Vec<usize> = self.nodes[list].children.drain(start..end_idx).collect();
            let g = self.new_group(kind, moved);
            self.nodes[list].children.insert(start, g);
            g
        }
    }

    fn sublists(&self, list: usize) -> Vec<usize> {
        self.children(list)
            .iter()
            .copied()
            .filter(|&c| self.is_group(c))
            .collect()
    }

    fn group(&mut self, stmt: usize) -> Res {
        self.recurse(stmt, &[Kind::Comment], &mut |t, l| {
            t.group_comments(l);
            Ok(())
        })?;
        for kind in [
            Kind::SquareBrackets,
            Kind::Parenthesis,
            Kind::Case,
            Kind::If,
            Kind::For,
            Kind::Begin,
        ] {
            self.group_matching(stmt, kind, 0)?;
        }
        self.recurse(stmt, &[Kind::Over], &mut |t, l| {
            t.group_over(l);
            Ok(())
        })?;
        self.recurse(stmt, &[Kind::Function], &mut |t, l| {
            t.group_functions(l);
            Ok(())
        })?;
        self.recurse(stmt, &[Kind::Where], &mut |t, l| {
            t.group_where(l);
            Ok(())
        })?;
        self.group_period(stmt)?;
        self.generic(stmt, Kind::Identifier, &G::Arrays, true, false, 0)?;
        self.recurse(stmt, &[Kind::Identifier], &mut |t, l| {
            t.group_identifier(l);
            Ok(())
        })?;
        self.recurse(stmt, &[Kind::Identifier], &mut |t, l| {
            t.group_order(l);
            Ok(())
        })?;
        self.generic(stmt, Kind::Identifier, &G::Typecast, true, true, 0)?;
        self.generic(stmt, Kind::Identifier, &G::TzCast, true, true, 0)?;
        self.generic(stmt, Kind::TypedLiteral, &G::TypedLiteral, false, true, 0)?;
        self.generic(
            stmt,
            Kind::TypedLiteral,
            &G::TypedLiteralExtend,
            true,
            true,
            0,
        )?;
        self.generic(stmt, Kind::Operation, &G::Operator, false, true, 0)?;
        self.generic(stmt, Kind::Comparison, &G::Comparison, false, true, 0)?;
        self.generic(stmt, Kind::Identifier, &G::As, true, true, 0)?;
        self.recurse(stmt, &[], &mut |t, l| {
            t.group_aliased(l);
            Ok(())
        })?;
        self.generic(stmt, Kind::Assignment, &G::Assignment, true, true, 0)?;
        self.recurse(stmt, &[], &mut |t, l| {
            t.align_comments(l);
            Ok(())
        })?;
        self.generic(
            stmt,
            Kind::IdentifierList,
            &G::IdentifierList,
            true,
            true,
            0,
        )?;
        self.group_values(stmt);
        Ok(())
    }

    /// `utils.recurse(*cls)`: apply `f` bottom-up to every group not of `skip`.
    /// sqlparse would hit Python's recursion limit on very deep trees; so do we.
    fn recurse(
        &mut self,
        list: usize,
        skip: &[Kind],
        f: &mut dyn FnMut(&mut Tree, usize) -> Res,
    ) -> Res {
        self.recurse_at(list, skip, f, 0)
    }

    fn recurse_at(
        &mut self,
        list: usize,
        skip: &[Kind],
        f: &mut dyn FnMut(&mut Tree, usize) -> Res,
        depth: usize,
    ) -> Res {
        if depth > 900 {
            return Err(GroupingError);
        }
        for s in self.sublists(list) {
            if !self.kind(s).is_some_and(|k| skip.contains(&k)) {
                self.recurse_at(s, skip, f, depth + 1)?;
            }
        }
        f(self, list)
    }

    fn group_comments(&mut self, list: usize) {
        let is_cm = |t: &Tree, n: usize| !t.is_group(n) && t.tt_is(n, Tt::is_comment);
        let mut tidx = self.next_by(list, 0, is_cm);
        while let Some(ti) = tidx {
            let end = self.next_by(list, ti, |t, n| {
                !(is_cm(t, n) || (!t.is_group(n) && t.tt(n) == Some(Tt::Newline)))
            });
            let Some(e) = end else { break };
            // token_prev(eidx, skip_ws=False) is simply eidx - 1 (> ti here).
            self.group_tokens(list, Kind::Comment, ti, e - 1, false);
            tidx = self.next_by(list, ti + 1, is_cm);
        }
    }

    fn delims(kind: Kind) -> (Tt, &'static [&'static str], Tt, &'static [&'static str]) {
        match kind {
            Kind::Parenthesis => (Tt::Punctuation, &["("], Tt::Punctuation, &[")"]),
            Kind::SquareBrackets => (Tt::Punctuation, &["["], Tt::Punctuation, &["]"]),
            Kind::Case => (Tt::Keyword, &["CASE"], Tt::Keyword, &["END"]),
            Kind::If => (Tt::Keyword, &["IF"], Tt::Keyword, &["END IF"]),
            Kind::For => (Tt::Keyword, &["FOR", "FOREACH"], Tt::Keyword, &["END LOOP"]),
            _ => (Tt::Keyword, &["BEGIN"], Tt::Keyword, &["END"]),
        }
    }

    /// `_group_matching`: pair opening and closing delimiters.
    fn group_matching(&mut self, list: usize, kind: Kind, depth: usize) -> Res {
        if depth > MAX_DEPTH || self.children(list).len() > MAX_TOKENS {
            return Err(GroupingError);
        }
        let (ot, ov, ct, cv) = Self::delims(kind);
        let snapshot = self.children(list).to_vec();
        let mut opens: Vec<usize> = Vec::new();
        let mut offset = 0usize;
        for (idx, &tok) in snapshot.iter().enumerate() {
            let Some(tidx) = idx.checked_sub(offset) else {
                continue;
            };
            if self.is_ws(tok) {
                continue;
            }
            if self.is_group(tok) && self.kind(tok) != Some(kind) {
                self.group_matching(tok, kind, depth + 1)?;
                continue;
            }
            if self.matches(tok, ot, ov) {
                opens.push(tidx);
            } else if self.matches(tok, ct, cv) {
                let Some(open) = opens.pop() else { continue };
                self.group_tokens(list, kind, open, tidx, false);
                offset += tidx.saturating_sub(open);
            }
        }
        Ok(())
    }

    fn group_over(&mut self, list: usize) {
        let mut tidx = self.next_by(list, 0, |t, n| t.matches(n, Tt::Keyword, &["OVER"]));
        while let Some(ti) = tidx {
            let nidx = self.token_next(list, Some(ti));
            if let Some(n) = self.child(list, nidx) {
                let name = !self.is_group(n)
                    && matches!(
                        self.tt(n),
                        Some(Tt::Name | Tt::NamePlaceholder | Tt::NameBuiltin)
                    );
                if self.is(n, Kind::Parenthesis) || name {
                    self.group_tokens(list, Kind::Over, ti, nidx.unwrap_or(ti), false);
                }
            }
            tidx = self.next_by(list, ti + 1, |t, n| t.matches(n, Tt::Keyword, &["OVER"]));
        }
    }

    fn group_functions(&mut self, list: usize) {
        let words: Vec<String> = self
            .children(list)
            .iter()
            .map(|&c| self.value(c).to_uppercase())
            .collect();
        let has = |w: &str| words.iter().any(|x| x == w);
        if has("CREATE") && has("TABLE") && !has("AS") {
            return;
        }
        let is_name = |t: &Tree, n: usize| {
            matches!(
                t.tt(n),
                Some(Tt::Name | Tt::NamePlaceholder | Tt::NameBuiltin)
            )
        };
        let mut tidx = self.next_by(list, 0, is_name);
        while let Some(ti) = tidx {
            let nidx = self.token_next(list, Some(ti));
            if self
                .child(list, nidx)
                .is_some_and(|n| self.is(n, Kind::Parenthesis))
            {
                let over_idx = self.token_next(list, nidx);
                let eidx = match self.child(list, over_idx) {
                    Some(o) if self.is(o, Kind::Over) => over_idx,
                    _ => nidx,
                };
                self.group_tokens(list, Kind::Function, ti, eidx.unwrap_or(ti), false);
            }
            tidx = self.next_by(list, ti + 1, is_name);
        }
    }

    fn group_where(&mut self, list: usize) {
        const CLOSE: &[&str] = &[
            "ORDER BY",
            "GROUP BY",
            "LIMIT",
            "UNION",
            "UNION ALL",
            "EXCEPT",
            "INTERSECT",
            "HAVING",
            "RETURNING",
            "INTO",
        ];
        let mut tidx = self.next_by(list, 0, |t, n| t.matches(n, Tt::Keyword, &["WHERE"]));
        while let Some(ti) = tidx {
            let ch = self.children(list).to_vec();
            let end_tok = match self.next_by(list, ti + 1, |t, n| t.matches(n, Tt::Keyword, CLOSE))
            {
                Some(e) => ch.get(e.wrapping_sub(1)).copied(),
                None => {
                    let delimited = matches!(
                        self.kind(list),
                        Some(Kind::Parenthesis | Kind::SquareBrackets)
                    );
                    if delimited {
                        ch.len().checked_sub(2).and_then(|i| ch.get(i).copied())
                    } else {
                        ch.last().copied()
                    }
                }
            };
            let Some(end_tok) = end_tok else { return };
            let eidx = ch.iter().position(|&c| c == end_tok).unwrap_or(ti);
            self.group_tokens(list, Kind::Where, ti, eidx, false);
            tidx = self.next_by(list, ti + 1, |t, n| t.matches(n, Tt::Keyword, &["WHERE"]));
        }
    }

    fn group_period(&mut self, stmt: usize) -> Res {
        self.generic(stmt, Kind::Identifier, &G::Period, true, true, 0)
    }

    fn group_identifier(&mut self, list: usize) {
        let pred = |t: &Tree, n: usize| matches!(t.tt(n), Some(Tt::StringSymbol | Tt::Name));
        let mut tidx = self.next_by(list, 0, pred);
        while let Some(ti) = tidx {
            self.group_tokens(list, Kind::Identifier, ti, ti, false);
            tidx = self.next_by(list, ti + 1, pred);
        }
    }

    fn group_order(&mut self, list: usize) {
        let pred = |t: &Tree, n: usize| t.tt(n) == Some(Tt::KeywordOrder);
        let mut tidx = self.next_by(list, 0, pred);
        while let Some(mut ti) = tidx {
            if let Some(pi) = self.token_prev(list, ti) {
                let p = self.children(list)[pi];
                if self.is(p, Kind::Identifier) || self.tt_is(p, Tt::is_number) {
                    self.group_tokens(list, Kind::Identifier, pi, ti, false);
                    ti = pi;
                }
            }
            tidx = self.next_by(list, ti + 1, pred);
        }
    }

    fn group_aliased(&mut self, list: usize) {
        let pred = |t: &Tree, n: usize| {
            matches!(
                t.kind(n),
                Some(
                    Kind::Parenthesis
                        | Kind::Function
                        | Kind::Case
                        | Kind::Identifier
                        | Kind::Operation
                        | Kind::Comparison
                )
            ) || t.tt_is(n, Tt::is_number)
        };
        let mut tidx = self.next_by(list, 0, pred);
        while let Some(ti) = tidx {
            let nidx = self.token_next(list, Some(ti));
            if let Some(ni) = nidx {
                if self.is(self.children(list)[ni], Kind::Identifier) {
                    self.group_tokens(list, Kind::Identifier, ti, ni, true);
                }
            }
            tidx = self.next_by(list, ti + 1, pred);
        }
    }

    fn align_comments(&mut self, list: usize) {
        let pred = |t: &Tree, n: usize| t.is(n, Kind::Comment);
        let mut tidx = self.next_by(list, 0, pred);
        while let Some(mut ti) = tidx {
            if let Some(pi) = self.token_prev(list, ti) {
                if self.is_group(self.children(list)[pi]) {
                    self.group_tokens(list, Kind::TokenList, pi, ti, true);
                    ti = pi;
                }
            }
            tidx = self.next_by(list, ti + 1, pred);
        }
    }

    fn group_values(&mut self, list: usize) {
        let Some(start) = self.next_by(list, 0, |t, n| t.matches(n, Tt::Keyword, &["VALUES"]))
        else {
            return;
        };
        let mut end = None;
        let mut tidx = Some(start);
        while let Some(ti) = tidx {
            if self.is(self.children(list)[ti], Kind::Parenthesis) {
                end = Some(ti);
            }
            tidx = self.token_next(list, Some(ti));
        }
        if let Some(e) = end {
            self.group_tokens(list, Kind::Values, start, e, true);
        }
    }

    fn is_delimiter(&self, list: usize, tok: Option<usize>) -> bool {
        let Some(tok) = tok else { return false };
        let delimited = matches!(
            self.kind(list),
            Some(
                Kind::Parenthesis
                    | Kind::SquareBrackets
                    | Kind::Case
                    | Kind::If
                    | Kind::For
                    | Kind::Begin
            )
        );
        let ch = self.children(list);
        delimited && (ch.first() == Some(&tok) || ch.last() == Some(&tok))
    }

    /// `_group`: merge `prev <match> next` triples into a `kind` group.
    fn generic(
        &mut self,
        list: usize,
        kind: Kind,
        g: &G,
        extend: bool,
        recurse: bool,
        depth: usize,
    ) -> Res {
        if depth > MAX_DEPTH || self.children(list).len() > MAX_TOKENS {
            return Err(GroupingError);
        }
        let snapshot = self.children(list).to_vec();
        let mut offset = 0usize;
        let mut pidx: Option<usize> = None;
        let mut prev: Option<usize> = None;
        for (idx, &tok) in snapshot.iter().enumerate() {
            let Some(tidx) = idx.checked_sub(offset) else {
                continue;
            };
            if self.is_ws(tok) {
                continue;
            }
            if recurse && self.is_group(tok) && self.kind(tok) != Some(kind) {
                self.generic(tok, kind, g, extend, true, depth + 1)?;
            }
            if g.matches(self, tok) {
                let nidx = self.token_next(list, Some(tidx));
                let next = self.child(list, nidx);
                if let Some(p) = prev {
                    if g.valid_prev(self, p)
                        && g.valid_next(self, next)
                        && !self.is_delimiter(list, Some(p))
                        && !self.is_delimiter(list, next)
                    {
                        if let Some((from, to)) = g.post(self, list, pidx, tidx, nidx) {
                            let grp = self.group_tokens(list, kind, from, to, extend);
                            offset += to.saturating_sub(from);
                            pidx = Some(from);
                            prev = Some(grp);
                            continue;
                        }
                    }
                }
            }
            pidx = Some(tidx);
            prev = Some(tok);
        }
        Ok(())
    }
}

/// The `match` / `valid_prev` / `valid_next` / `post` quadruples of the `_group` users.
enum G {
    Period,
    Arrays,
    Typecast,
    TzCast,
    TypedLiteral,
    TypedLiteralExtend,
    Operator,
    Comparison,
    As,
    Assignment,
    IdentifierList,
}

const DATE_PARTS: &[&str] = &["DAY", "HOUR", "MINUTE", "MONTH", "SECOND", "YEAR"];

impl G {
    fn matches(&self, t: &Tree, n: usize) -> bool {
        match self {
            G::Period => {
                t.matches(n, Tt::Punctuation, &["."]) || t.matches(n, Tt::Operator, &["->", "->>"])
            }
            G::Arrays => t.is(n, Kind::SquareBrackets),
            G::Typecast => t.matches(n, Tt::Punctuation, &["::"]),
            G::TzCast => t.tt(n) == Some(Tt::KeywordTzCast),
            G::TypedLiteral => {
                t.tt(n) == Some(Tt::NameBuiltin) || t.matches(n, Tt::Keyword, &["TIMESTAMP"])
            }
            G::TypedLiteralExtend => t.is(n, Kind::TypedLiteral),
            G::Operator => matches!(t.tt(n), Some(Tt::Operator | Tt::Wildcard)),
            G::Comparison => t.tt(n) == Some(Tt::OperatorComparison),
            G::As => t.is_kw(n) && t.normalized(n) == "AS",
            G::Assignment => t.matches(n, Tt::Assignment, &[":="]),
            G::IdentifierList => t.matches(n, Tt::Punctuation, &[","]),
        }
    }

    /// The shared operand test of group_operator / group_comparison.
    fn operand(t: &Tree, n: usize, with_brackets: bool) -> bool {
        let cls = matches!(
            t.kind(n),
            Some(
                Kind::Parenthesis
                    | Kind::Function
                    | Kind::Identifier
                    | Kind::Operation
                    | Kind::TypedLiteral
            )
        ) || (with_brackets && t.is(n, Kind::SquareBrackets));
        cls || t.tt_is(n, Tt::is_num_str_name)
    }

    fn valid_prev(&self, t: &Tree, n: usize) -> bool {
        match self {
            G::Period | G::Arrays => {
                matches!(t.kind(n), Some(Kind::SquareBrackets | Kind::Identifier))
                    || (matches!(self, G::Arrays) && t.is(n, Kind::Function))
                    || matches!(t.tt(n), Some(Tt::Name | Tt::StringSymbol))
            }
            G::As => t.normalized(n) == "NULL" || !t.is_kw(n),
            G::Assignment => t.tt(n) != Some(Tt::Keyword),
            G::Typecast | G::TzCast | G::TypedLiteral | G::TypedLiteralExtend => true,
            G::Operator | G::Comparison | G::IdentifierList => self.valid_next(t, Some(n)),
        }
    }

    fn valid_next(&self, t: &Tree, n: Option<usize>) -> bool {
        let Some(n) = n else {
            return matches!(self, G::Period | G::Arrays);
        };
        match self {
            G::Period | G::Arrays | G::Typecast => true,
            G::TzCast => {
                t.is_ws(n)
                    || t.matches(n, Tt::Keyword, &["AS"])
                    || t.matches(n, Tt::StringSingle, &[])
            }
            G::TypedLiteral => t.matches(n, Tt::StringSingle, &[]),
            G::TypedLiteralExtend => t.matches(n, Tt::Keyword, DATE_PARTS),
            G::Operator => {
                Self::operand(t, n, true)
                    || t.matches(
                        n,
                        Tt::Keyword,
                        &["CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP"],
                    )
            }
            G::Comparison => {
                Self::operand(t, n, false) || (t.is_kw(n) && t.normalized(n) == "NULL")
            }
            G::As => !matches!(
                t.tt(n),
                Some(Tt::KeywordDml | Tt::KeywordDdl | Tt::KeywordCte)
            ),
            G::Assignment => t.tt(n) != Some(Tt::Keyword),
            G::IdentifierList => {
                matches!(
                    t.kind(n),
                    Some(
                        Kind::Function
                            | Kind::Case
                            | Kind::Identifier
                            | Kind::Comparison
                            | Kind::IdentifierList
                            | Kind::Operation
                    )
                ) || t.tt_is(n, Tt::is_num_str_name)
                    || matches!(t.tt(n), Some(Tt::Keyword | Tt::Wildcard))
            }
        }
    }

    /// Returns the range to group, or `None` where Python would fail on a `None` index.
    fn post(
        &self,
        t: &mut Tree,
        list: usize,
        pidx: Option<usize>,
        tidx: usize,
        nidx: Option<usize>,
    ) -> Option<(usize, usize)> {
        match self {
            G::Period => {
                let next = t.child(list, nidx);
                let ok = next.is_some_and(|n| {
                    matches!(t.kind(n), Some(Kind::SquareBrackets | Kind::Function))
                        || matches!(
                            t.tt(n),
                            Some(Tt::Name | Tt::StringSymbol | Tt::Wildcard | Tt::StringSingle)
                        )
                });
                Some((pidx?, if ok { nidx? } else { tidx }))
            }
            G::Arrays => Some((pidx?, tidx)),
            G::TypedLiteral | G::TypedLiteralExtend => Some((tidx, nidx?)),
            G::Operator => {
                if let Some(&n) = t.children(list).get(tidx) {
                    t.nodes[n].tt = Some(Tt::Operator);
                }
                Some((pidx?, nidx?))
            }
            G::Assignment => {
                let n = nidx?;
                let semi = t.next_by(list, n + 1, |t, x| t.matches(x, Tt::Punctuation, &[";"]));
                Some((pidx?, semi.filter(|&s| s != 0).unwrap_or(n)))
            }
            _ => Some((pidx?, nidx?)),
        }
    }
}

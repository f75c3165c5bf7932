//! The tokenizer of sqlparse 0.6.1 (`sqlparse/lexer.py`, `sqlparse/keywords.py`
//! `SQL_REGEX`), which MLflow's `SearchUtils.parse_search_filter` runs on every filter.
//!
//! MLflow never looks at the filter text itself: it judges the token types and groups
//! sqlparse produces, and quotes the token text back in its error messages. So the
//! rules below are a hand translation of sqlparse's regular expressions, tried in the
//! same order at each position, with the same backtracking outcome. They run on a
//! `Vec<char>` so look-behinds and look-aheads are plain index arithmetic.

use super::keywords;

/// sqlparse token types that the lexer can produce (`sqlparse/tokens.py`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tt {
    Whitespace,
    Newline,
    CommentSingle,
    CommentSingleHint,
    CommentMultiline,
    CommentMultilineHint,
    /// `Token.Literal`: a dollar-quoted string.
    Literal,
    Assignment,
    Punctuation,
    Wildcard,
    Name,
    NamePlaceholder,
    NameBuiltin,
    Command,
    Keyword,
    KeywordDml,
    KeywordDdl,
    KeywordDcl,
    KeywordCte,
    KeywordOrder,
    KeywordTzCast,
    NumberHex,
    NumberFloat,
    NumberInteger,
    StringSingle,
    StringSymbol,
    OperatorComparison,
    Operator,
    Error,
}

impl Tt {
    /// `ttype in T.Whitespace` (Newline is a child of Whitespace).
    pub(crate) fn is_whitespace(self) -> bool {
        matches!(self, Tt::Whitespace | Tt::Newline)
    }
    /// `ttype in T.Keyword`.
    pub(crate) fn is_keyword(self) -> bool {
        matches!(
            self,
            Tt::Keyword
                | Tt::KeywordDml
                | Tt::KeywordDdl
                | Tt::KeywordDcl
                | Tt::KeywordCte
                | Tt::KeywordOrder
                | Tt::KeywordTzCast
        )
    }
    /// `ttype in T.Comment`.
    pub(crate) fn is_comment(self) -> bool {
        matches!(
            self,
            Tt::CommentSingle
                | Tt::CommentSingleHint
                | Tt::CommentMultiline
                | Tt::CommentMultilineHint
        )
    }
    /// `ttype in T.Number` (hierarchical, includes hexadecimal).
    pub(crate) fn is_number(self) -> bool {
        matches!(self, Tt::NumberHex | Tt::NumberFloat | Tt::NumberInteger)
    }
    /// `ttype in T_NUMERICAL + T_STRING + T_NAME` of `engine/grouping.py` (exact
    /// tuple membership, so hexadecimal numbers and builtin names are excluded).
    pub(crate) fn is_num_str_name(self) -> bool {
        matches!(
            self,
            Tt::NumberFloat
                | Tt::NumberInteger
                | Tt::StringSingle
                | Tt::StringSymbol
                | Tt::Name
                | Tt::NamePlaceholder
        )
    }
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Token {
    pub tt: Tt,
    pub value: String,
}

/// Python's `\w` in Unicode mode (approximated with Rust's alphanumeric classes).
fn is_w(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// Python's `\d`. Only ASCII digits: Python also accepts other Unicode decimal digits,
/// which std cannot tell apart from other numerics (documented divergence).
fn is_d(c: char) -> bool {
    c.is_ascii_digit()
}

/// Python's `\s` in Unicode mode.
fn is_s(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// `[A-ZÀ-Ü]` under `re.IGNORECASE`.
fn is_letter(c: char) -> bool {
    c.is_ascii_alphabetic()
        || ('\u{c0}'..='\u{dc}').contains(&c)
        || ('\u{e0}'..='\u{fc}').contains(&c) && c != '\u{f7}'
        || matches!(c, '\u{17f}' | '\u{212a}' | '\u{212b}')
}

struct Lx<'a> {
    s: &'a [char],
}

impl Lx<'_> {
    fn at(&self, i: usize) -> Option<char> {
        self.s.get(i).copied()
    }
    /// Case-insensitive literal match of an ASCII word at `i`; returns the end.
    fn lit(&self, i: usize, word: &str) -> Option<usize> {
        let mut j = i;
        for w in word.chars() {
            let c = self.at(j)?;
            if !c.eq_ignore_ascii_case(&w) {
                return None;
            }
            j += 1;
        }
        Some(j)
    }
    /// `\b` at `i`.
    fn boundary(&self, i: usize) -> bool {
        let before = i > 0 && self.at(i - 1).is_some_and(is_w);
        let after = self.at(i).is_some_and(is_w);
        before != after
    }
    /// `\s+` at `i`: end of the run, if any.
    fn spaces1(&self, i: usize) -> Option<usize> {
        let mut j = i;
        while self.at(j).is_some_and(is_s) {
            j += 1;
        }
        (j > i).then_some(j)
    }
    fn span_while(&self, i: usize, f: impl Fn(char) -> bool) -> usize {
        let mut j = i;
        while self.at(j).is_some_and(&f) {
            j += 1;
        }
        j
    }
    /// `WORD\b` followed by `\s+WORD2\b`... : all words with whitespace between.
    fn words(&self, i: usize, words: &[&str]) -> Option<usize> {
        let mut j = i;
        for (n, w) in words.iter().enumerate() {
            if n > 0 {
                j = self.spaces1(j)?;
            }
            j = self.lit(j, w)?;
        }
        self.boundary(j).then_some(j)
    }
    /// `(alt1|alt2|...)` of single words, first alternative wins, then `\b`.
    fn one_of(&self, i: usize, alts: &[&str]) -> Option<usize> {
        alts.iter()
            .find_map(|a| self.lit(i, a))
            .filter(|&j| self.boundary(j))
    }
}

/// A quoted-token rule like `'(''|\\'|[^'])*'`: returns the end (exclusive) of the
/// match starting at `start` (which holds the opening quote). Evaluated right to left
/// so the result equals the regex engine's first (greedy, backtracking) match.
fn quoted_end(s: &[char], start: usize, q: char, backslash_escape: bool) -> Option<usize> {
    let n = s.len();
    // res[i]: end of a match of `(alts)*q` starting at i.
    let mut res: Vec<Option<usize>> = vec![None; n + 3];
    for i in (start + 1..n).rev() {
        let c = s[i];
        let mut r = None;
        if c == q && i + 1 < n && s[i + 1] == q {
            r = res[i + 2];
        }
        if r.is_none() && backslash_escape && c == '\\' && i + 1 < n && s[i + 1] == q {
            r = res[i + 2];
        }
        if r.is_none() && c != q {
            r = res[i + 1];
        }
        if r.is_none() && c == q {
            r = Some(i + 1);
        }
        res[i] = r;
    }
    res.get(start + 1).copied().flatten()
}

/// Numbers: rules `-?0x[\dA-F]+`, `-?\d+(\.\d+)?E-?\d+`, the float rule and the integer
/// rule, in that order.
fn number(lx: &Lx, i: usize) -> Option<(Tt, usize)> {
    let neg = usize::from(lx.at(i) == Some('-'));
    let p = i + neg;
    // hexadecimal
    if lx.at(p) == Some('0') && matches!(lx.at(p + 1), Some('x' | 'X')) {
        let e = lx.span_while(p + 2, |c| c.is_ascii_hexdigit());
        if e > p + 2 {
            return Some((Tt::NumberHex, e));
        }
    }
    let d_end = lx.span_while(p, is_d);
    // exponent float
    if d_end > p {
        let mut j = d_end;
        if lx.at(j) == Some('.') {
            let f = lx.span_while(j + 1, is_d);
            if f > j + 1 {
                j = f;
            }
        }
        if matches!(lx.at(j), Some('e' | 'E')) {
            let k = j + 1 + usize::from(lx.at(j + 1) == Some('-'));
            let e = lx.span_while(k, is_d);
            if e > k {
                return Some((Tt::NumberFloat, e));
            }
        }
    }
    let letter_at = |j: usize| lx.at(j).is_some_and(|c| c == '_' || is_letter(c));
    // float: -?(\d+(\.\d*)|\.\d+) not followed by a letter; \d* / \d+ backtrack by one.
    if d_end > p && lx.at(d_end) == Some('.') {
        let f = lx.span_while(d_end + 1, is_d);
        if !letter_at(f) {
            return Some((Tt::NumberFloat, f));
        }
        if f > d_end + 1 {
            return Some((Tt::NumberFloat, f - 1));
        }
    } else if d_end == p && lx.at(p) == Some('.') {
        let f = lx.span_while(p + 1, is_d);
        if f > p + 1 {
            if !letter_at(f) {
                return Some((Tt::NumberFloat, f));
            }
            if f > p + 2 {
                return Some((Tt::NumberFloat, f - 1));
            }
        }
    }
    // integer
    if d_end > p {
        if !letter_at(d_end) {
            return Some((Tt::NumberInteger, d_end));
        }
        if d_end > p + 1 {
            return Some((Tt::NumberInteger, d_end - 1));
        }
    }
    None
}

/// One token at `i` (not a dollar quote / multi-line comment): `(type, end)`.
fn rule(lx: &Lx, i: usize) -> (Tt, usize) {
    let s = lx.s;
    let c = s[i];
    let next = lx.at(i + 1);
    // comments: (--|# )\+?.*?(\r\n|\r|\n|$)
    if (c == '-' && next == Some('-')) || (c == '#' && next == Some(' ')) {
        let hint = lx.at(i + 2) == Some('+');
        let mut j = i + 2;
        while j < s.len() && s[j] != '\n' && s[j] != '\r' {
            j += 1;
        }
        if j < s.len() {
            j += if s[j] == '\r' && lx.at(j + 1) == Some('\n') {
                2
            } else {
                1
            };
        }
        let tt = if hint {
            Tt::CommentSingleHint
        } else {
            Tt::CommentSingle
        };
        return (tt, j);
    }
    if c == '\r' {
        return (Tt::Newline, if next == Some('\n') { i + 2 } else { i + 1 });
    }
    if c == '\n' {
        return (Tt::Newline, i + 1);
    }
    if is_s(c) {
        return (Tt::Whitespace, i + 1);
    }
    if c == ':' && next == Some('=') {
        return (Tt::Assignment, i + 2);
    }
    if c == ':' && next == Some(':') {
        return (Tt::Punctuation, i + 2);
    }
    if c == '*' {
        return (Tt::Wildcard, i + 1);
    }
    if c == '`' || c == '´' {
        if let Some(e) = quoted_end(s, i, c, false) {
            return (Tt::Name, e);
        }
    }
    if c == '?' {
        return (Tt::NamePlaceholder, i + 1);
    }
    if c == '%' {
        // %(\(\w+\))?s
        let mut j = i + 1;
        if lx.at(j) == Some('(') {
            let e = lx.span_while(j + 1, is_w);
            if e > j + 1 && lx.at(e) == Some(')') {
                j = e + 1;
            }
        }
        if matches!(lx.at(j), Some('s' | 'S')) {
            return (Tt::NamePlaceholder, j + 1);
        }
    }
    if matches!(c, '$' | ':' | '?') && !(i > 0 && is_w(s[i - 1])) {
        let e = lx.span_while(i + 1, is_w);
        if e > i + 1 {
            return (Tt::NamePlaceholder, e);
        }
    }
    if c == '\\' {
        let e = lx.span_while(i + 1, is_w);
        if e > i + 1 {
            return (Tt::Command, e);
        }
    }
    if let Some(e) = lx.one_of(i, &["CASE", "IN", "VALUES", "USING", "FROM", "AS"]) {
        return (Tt::Keyword, e);
    }
    // (@|##|#)[A-ZÀ-Ü]\w+
    if c == '@' || c == '#' {
        let p = if c == '#' && next == Some('#') {
            i + 2
        } else {
            i + 1
        };
        for p in [p, i + 1] {
            if lx.at(p).is_some_and(is_letter) {
                let e = lx.span_while(p + 1, is_w);
                if e > p + 1 {
                    return (Tt::Name, e);
                }
            }
        }
    }
    if is_letter(c) {
        let e = lx.span_while(i + 1, is_w);
        // [A-ZÀ-Ü]\w*(?=\s*\.(?!\d))
        let dot = lx.span_while(e, is_s);
        if lx.at(dot) == Some('.') && !lx.at(dot + 1).is_some_and(is_d) {
            return (Tt::Name, e);
        }
        // (?<=\.)[A-ZÀ-Ü]\w*
        if i > 0 && s[i - 1] == '.' {
            return (Tt::Name, e);
        }
        // [A-ZÀ-Ü]\w*(?=\()
        if lx.at(e) == Some('(') {
            return (Tt::Name, e);
        }
    }
    if c == '-' || c == '.' || is_d(c) {
        if let Some((tt, e)) = number(lx, i) {
            return (tt, e);
        }
    }
    if c == '\'' {
        if let Some(e) = quoted_end(s, i, '\'', true) {
            return (Tt::StringSingle, e);
        }
    }
    if c == '"' {
        // `"(""|\\"|[^"])*"`; the fallback rule `(""|".*?[^\\]")` can only match
        // where this one already does.
        if let Some(e) = quoted_end(s, i, '"', true) {
            return (Tt::StringSymbol, e);
        }
    }
    if c == '[' && !(i > 0 && (is_w(s[i - 1]) || s[i - 1] == ']' || s[i - 1] == ')')) {
        let e = lx.span_while(i + 1, |c| c != '[' && c != ']');
        if e > i + 1 && lx.at(e) == Some(']') {
            return (Tt::Name, e + 1);
        }
    }
    if let Some(e) = keyword_rules(lx, i) {
        return e;
    }
    if is_w(c) {
        let e = lx.span_while(i + 1, |c| is_w(c) || c == '$' || c == '#');
        let word: String = s[i..e].iter().collect();
        return (keywords::lookup(&word), e);
    }
    if matches!(c, ';' | ':' | '(' | ')' | '[' | ']' | ',' | '.') {
        return (Tt::Punctuation, i + 1);
    }
    // JSON operators: (\->>?|#>>?|@>|<@|\?\|?|\?&|\-|#\-)
    match (c, next) {
        ('-', Some('>')) | ('#', Some('>')) => {
            let e = if lx.at(i + 2) == Some('>') {
                i + 3
            } else {
                i + 2
            };
            return (Tt::Operator, e);
        }
        ('@', Some('>')) | ('<', Some('@')) | ('#', Some('-')) => return (Tt::Operator, i + 2),
        ('-', _) => return (Tt::Operator, i + 1),
        _ => {}
    }
    if matches!(c, '<' | '>' | '=' | '~' | '!') {
        let e = lx.span_while(i, |c| matches!(c, '<' | '>' | '=' | '~' | '!'));
        return (Tt::OperatorComparison, e);
    }
    if matches!(c, '+' | '/' | '@' | '#' | '%' | '^' | '&' | '|' | '-') {
        let e = lx.span_while(i, |c| {
            matches!(c, '+' | '/' | '@' | '#' | '%' | '^' | '&' | '|' | '-')
        });
        return (Tt::Operator, e);
    }
    (Tt::Error, i + 1)
}

/// The multi-word keyword rules between the bracket-name rule and `\w[$#\w]*`.
fn keyword_rules(lx: &Lx, i: usize) -> Option<(Tt, usize)> {
    // ((LEFT\s+|RIGHT\s+|FULL\s+)?(INNER\s+|OUTER\s+|STRAIGHT\s+)?|(CROSS\s+|NATURAL\s+)?)?JOIN\b
    let opt_word = |j: usize, alts: &[&str]| -> usize {
        alts.iter()
            .find_map(|a| lx.lit(j, a).and_then(|e| lx.spaces1(e)))
            .unwrap_or(j)
    };
    let j = opt_word(i, &["LEFT", "RIGHT", "FULL"]);
    let j = opt_word(j, &["INNER", "OUTER", "STRAIGHT"]);
    if let Some(e) = lx.words(j, &["JOIN"]) {
        return Some((Tt::Keyword, e));
    }
    let j = opt_word(i, &["CROSS", "NATURAL"]);
    if let Some(e) = lx.words(j, &["JOIN"]) {
        return Some((Tt::Keyword, e));
    }
    // END(\s+IF|\s+LOOP|\s+WHILE|\s+FOR|\s+CASE)?\b
    if let Some(e) = lx.lit(i, "END") {
        for w in ["IF", "LOOP", "WHILE", "FOR", "CASE"] {
            if let Some(x) = lx.spaces1(e).and_then(|s| lx.lit(s, w)) {
                if lx.boundary(x) {
                    return Some((Tt::Keyword, x));
                }
            }
        }
        if lx.boundary(e) {
            return Some((Tt::Keyword, e));
        }
    }
    if let Some(e) = lx
        .words(i, &["IF", "NOT", "EXISTS"])
        .or_else(|| lx.words(i, &["IF", "EXISTS"]))
    {
        return Some((Tt::Keyword, e));
    }
    if let Some(e) = lx.words(i, &["NOT", "NULL"]) {
        return Some((Tt::Keyword, e));
    }
    for o in ["ASC", "DESC"] {
        if let Some(e) = lx.lit(i, o) {
            for l in ["FIRST", "LAST"] {
                if let Some(x) = lx.spaces1(e).and_then(|s| lx.words(s, &["NULLS", l])) {
                    return Some((Tt::KeywordOrder, x));
                }
            }
            if lx.boundary(e) {
                return Some((Tt::KeywordOrder, e));
            }
        }
    }
    if let Some(e) = lx
        .words(i, &["NULLS", "FIRST"])
        .or_else(|| lx.words(i, &["NULLS", "LAST"]))
    {
        return Some((Tt::KeywordOrder, e));
    }
    if let Some(e) = lx.words(i, &["UNION", "ALL"]) {
        return Some((Tt::Keyword, e));
    }
    if let Some(e) = lx
        .words(i, &["CREATE", "OR", "REPLACE"])
        .or_else(|| lx.words(i, &["CREATE"]))
    {
        return Some((Tt::KeywordDdl, e));
    }
    if let Some(e) = lx.words(i, &["DOUBLE", "PRECISION"]) {
        return Some((Tt::NameBuiltin, e));
    }
    for pair in [
        ["GROUP", "BY"],
        ["ORDER", "BY"],
        ["PRIMARY", "KEY"],
        ["HANDLER", "FOR"],
    ] {
        if let Some(e) = lx.words(i, &pair) {
            return Some((Tt::Keyword, e));
        }
    }
    // GO(\s\d+)\b
    if let Some(e) = lx.lit(i, "GO") {
        if lx.at(e).is_some_and(is_s) {
            let d = lx.span_while(e + 1, is_d);
            if d > e + 1 && lx.boundary(d) {
                return Some((Tt::Keyword, d));
            }
        }
    }
    // (LATERAL\s+VIEW\s+)(EXPLODE|INLINE|PARSE_URL_TUPLE|POSEXPLODE|STACK)\b
    if let Some(e) = lx.lit(i, "LATERAL").and_then(|e| lx.spaces1(e)) {
        if let Some(e) = lx.lit(e, "VIEW").and_then(|e| lx.spaces1(e)) {
            if let Some(x) = lx.one_of(
                e,
                &[
                    "EXPLODE",
                    "INLINE",
                    "PARSE_URL_TUPLE",
                    "POSEXPLODE",
                    "STACK",
                ],
            ) {
                return Some((Tt::Keyword, x));
            }
        }
    }
    // (AT|WITH')\s+TIME\s+ZONE\s+'[^']+'
    for start in ["AT", "WITH'"] {
        let tz = lx
            .lit(i, start)
            .and_then(|e| lx.spaces1(e))
            .and_then(|e| lx.lit(e, "TIME"))
            .and_then(|e| lx.spaces1(e))
            .and_then(|e| lx.lit(e, "ZONE"))
            .and_then(|e| lx.spaces1(e))
            .filter(|&e| lx.at(e) == Some('\''));
        if let Some(q) = tz {
            let e = lx.span_while(q + 1, |c| c != '\'');
            if e > q + 1 && lx.at(e) == Some('\'') {
                return Some((Tt::KeywordTzCast, e + 1));
            }
        }
    }
    // (NOT\s+)?(LIKE|ILIKE|RLIKE)\b and (NOT\s+)?(REGEXP)(\s+(BINARY))?\b
    let after_not = lx.lit(i, "NOT").and_then(|e| lx.spaces1(e));
    for p in after_not.into_iter().chain(std::iter::once(i)) {
        if let Some(e) = lx.one_of(p, &["LIKE", "ILIKE", "RLIKE"]) {
            return Some((Tt::OperatorComparison, e));
        }
    }
    for p in after_not.into_iter().chain(std::iter::once(i)) {
        if let Some(e) = lx.lit(p, "REGEXP") {
            if let Some(x) = lx.spaces1(e).and_then(|s| lx.words(s, &["BINARY"])) {
                return Some((Tt::OperatorComparison, x));
            }
            if lx.boundary(e) {
                return Some((Tt::OperatorComparison, e));
            }
        }
    }
    None
}

/// `$tag$…$tag$` and `/*…*/` spans (`keywords.find_delimited_spans`): at `i`, the end of
/// the span opening there, if it is closed.
fn delimited(s: &[char], i: usize) -> Option<(Tt, usize)> {
    if s[i] == '/' && s.get(i + 1) == Some(&'*') {
        let hint = s.get(i + 2) == Some(&'+');
        let tt = if hint {
            Tt::CommentMultilineHint
        } else {
            Tt::CommentMultiline
        };
        let mut j = i + 2;
        while j + 1 < s.len() {
            if s[j] == '*' && s[j + 1] == '/' {
                return Some((tt, j + 2));
            }
            j += 1;
        }
        return None;
    }
    if s[i] == '$' {
        if i > 0 && (is_w(s[i - 1]) || s[i - 1] == '"' || s[i - 1] == '$') {
            return None;
        }
        let tag_end = dollar_delim(s, i)?;
        let tag = &s[i..tag_end];
        let mut j = tag_end;
        while j < s.len() {
            if s[j] == '$' && dollar_delim(s, j).is_some_and(|e| &s[j..e] == tag) {
                return Some((Tt::Literal, j + tag.len()));
            }
            j += 1;
        }
    }
    None
}

/// `\$(?:[_A-ZÀ-Ü]\w*)?\$` at `i`: its end.
fn dollar_delim(s: &[char], i: usize) -> Option<usize> {
    if s.get(i) != Some(&'$') {
        return None;
    }
    if let Some(&c) = s.get(i + 1) {
        if c == '_' || is_letter(c) {
            let mut j = i + 2;
            while j < s.len() && is_w(s[j]) {
                j += 1;
            }
            return (s.get(j) == Some(&'$')).then_some(j + 1);
        }
    }
    (s.get(i + 1) == Some(&'$')).then_some(i + 2)
}

/// `sqlparse.lexer.tokenize`.
pub(crate) fn tokenize(text: &str) -> Vec<Token> {
    let s: Vec<char> = text.chars().collect();
    let lx = Lx { s: &s };
    let mut out = Vec::new();
    let mut i = 0;
    while i < s.len() {
        let (tt, end) = delimited(&s, i).unwrap_or_else(|| rule(&lx, i));
        let end = end.clamp(i + 1, s.len());
        out.push(Token {
            tt,
            value: s[i..end].iter().collect(),
        });
        i = end;
    }
    out
}

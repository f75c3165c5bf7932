//! Python value semantics that leak into MLflow's search messages and values:
//! `repr()` of strings, floats and tuples, `int()`, and the `ast.literal_eval` that
//! `SearchUtils._parse_list_from_sql_token` (`mlflow/utils/search_utils.py`) runs on the
//! text of an `IN (…)` list. Only the literal subset a list can sensibly contain is
//! evaluated (strings with prefixes/escapes/implicit concatenation, numbers, `None`,
//! `True`, `False`, tuples, lists); names are "malformed" (Python's `ValueError`),
//! everything else is "ill-formed" (Python's `SyntaxError`).

/// `repr(str)`.
pub fn repr_str(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() || (c.is_whitespace() && c != ' ') => out.push_str(&escape_code(c)),
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

fn escape_code(c: char) -> String {
    let n = c as u32;
    if n <= 0xff {
        format!("\\x{n:02x}")
    } else if n <= 0xffff {
        format!("\\u{n:04x}")
    } else {
        format!("\\U{n:08x}")
    }
}

/// `repr(float)`: shortest round-trip digits, scientific outside `1e-4 <= |x| < 1e16`.
pub(crate) fn repr_float(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if x == 0.0 {
        return if x.is_sign_negative() {
            "-0.0".into()
        } else {
            "0.0".into()
        };
    }
    let sci = format!("{x:e}"); // e.g. "-1.5e-7", "1e16"
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let neg = mant.starts_with('-');
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let sign = if neg { "-" } else { "" };
    if (-4..16).contains(&exp) {
        let n = digits.len() as i32;
        let body = if exp >= 0 {
            let int_len = exp + 1;
            if n <= int_len {
                format!("{digits}{}.0", "0".repeat((int_len - n) as usize))
            } else {
                format!(
                    "{}.{}",
                    &digits[..int_len as usize],
                    &digits[int_len as usize..]
                )
            }
        } else {
            format!("0.{}{digits}", "0".repeat((-exp - 1) as usize))
        };
        format!("{sign}{body}")
    } else {
        let m = if digits.len() > 1 {
            format!("{}.{}", &digits[..1], &digits[1..])
        } else {
            digits
        };
        let es = if exp < 0 { '-' } else { '+' };
        format!("{sign}{m}e{es}{:02}", exp.abs())
    }
}

/// Python's `int(str)`: surrounding whitespace, sign, digits with single `_` between.
pub(crate) fn py_int(s: &str) -> Option<i64> {
    let t = s.trim();
    let (neg, body) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if body.is_empty() || body.starts_with('_') || body.ends_with('_') || body.contains("__") {
        return None;
    }
    let digits: String = body.chars().filter(|&c| c != '_').collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let v: i128 = digits.parse().ok()?;
    i64::try_from(if neg { -v } else { v }).ok()
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum PyVal {
    Str(String),
    Bytes(Vec<u8>),
    Int(String),
    Float(f64),
    None,
    Bool(bool),
    Tuple(Vec<PyVal>),
    List(Vec<PyVal>),
}

impl PyVal {
    pub(crate) fn repr(&self) -> String {
        match self {
            PyVal::Str(s) => repr_str(s),
            PyVal::Bytes(b) => {
                let has_sq = b.contains(&b'\'');
                let q = if has_sq && !b.contains(&b'"') {
                    '"'
                } else {
                    '\''
                };
                let mut o = format!("b{q}");
                for &c in b {
                    match c {
                        b'\\' => o.push_str("\\\\"),
                        b'\n' => o.push_str("\\n"),
                        b'\r' => o.push_str("\\r"),
                        b'\t' => o.push_str("\\t"),
                        c if c as char == q => {
                            o.push('\\');
                            o.push(q);
                        }
                        0x20..=0x7e => o.push(c as char),
                        c => o.push_str(&format!("\\x{c:02x}")),
                    }
                }
                o.push(q);
                o
            }
            PyVal::Int(s) => s.clone(),
            PyVal::Float(f) => repr_float(*f),
            PyVal::None => "None".into(),
            PyVal::Bool(b) => if *b { "True" } else { "False" }.into(),
            PyVal::Tuple(v) => {
                let inner: Vec<String> = v.iter().map(PyVal::repr).collect();
                if v.len() == 1 {
                    format!("({},)", inner[0])
                } else {
                    format!("({})", inner.join(", "))
                }
            }
            PyVal::List(v) => format!(
                "[{}]",
                v.iter().map(PyVal::repr).collect::<Vec<_>>().join(", ")
            ),
        }
    }
}

#[derive(Debug, PartialEq)]
pub(crate) enum EvalError {
    /// Python `SyntaxError`.
    Syntax,
    /// Python `ValueError("malformed node or string …")`.
    Malformed,
}

enum Ast {
    Lit(PyVal),
    Name,
    Tuple(Vec<Ast>),
    List(Vec<Ast>),
    Neg(Box<Ast>, bool),
}

struct P<'a> {
    s: &'a [char],
    i: usize,
    depth: usize,
}

type PR<T> = Result<T, EvalError>;

impl P<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && matches!(self.s[self.i], ' ' | '\t' | '\x0c' | '\n' | '\r') {
            self.i += 1;
        }
    }
    fn peek(&mut self) -> Option<char> {
        self.ws();
        self.s.get(self.i).copied()
    }
    fn expr(&mut self) -> PR<Ast> {
        self.depth += 1;
        if self.depth > 200 {
            return Err(EvalError::Syntax);
        }
        let r = self.unary();
        self.depth -= 1;
        r
    }
    fn unary(&mut self) -> PR<Ast> {
        match self.peek() {
            Some(c @ ('-' | '+')) => {
                self.i += 1;
                Ok(Ast::Neg(Box::new(self.expr()?), c == '-'))
            }
            _ => self.atom(),
        }
    }
    /// Comma-separated items up to `close`; returns (items, saw_comma).
    fn items(&mut self, close: char) -> PR<(Vec<Ast>, bool)> {
        let mut items = Vec::new();
        let mut comma = false;
        loop {
            if self.peek() == Some(close) {
                self.i += 1;
                return Ok((items, comma));
            }
            items.push(self.expr()?);
            match self.peek() {
                Some(',') => {
                    self.i += 1;
                    comma = true;
                }
                Some(c) if c == close => {}
                _ => return Err(EvalError::Syntax),
            }
        }
    }
    fn atom(&mut self) -> PR<Ast> {
        let Some(c) = self.peek() else {
            return Err(EvalError::Syntax);
        };
        if c == '(' {
            self.i += 1;
            let (items, comma) = self.items(')')?;
            return Ok(if items.len() == 1 && !comma {
                items.into_iter().next().ok_or(EvalError::Syntax)?
            } else {
                Ast::Tuple(items)
            });
        }
        if c == '[' {
            self.i += 1;
            return Ok(Ast::List(self.items(']')?.0));
        }
        if c.is_ascii_digit()
            || (c == '.' && self.s.get(self.i + 1).is_some_and(|d| d.is_ascii_digit()))
        {
            return self.number();
        }
        if c == '_' || c.is_alphabetic() {
            let start = self.i;
            while self.i < self.s.len()
                && (self.s[self.i] == '_' || self.s[self.i].is_alphanumeric())
            {
                self.i += 1;
            }
            let word: String = self.s[start..self.i].iter().collect();
            if matches!(self.s.get(self.i), Some('\'' | '"')) && word.len() <= 2 {
                let lw = word.to_ascii_lowercase();
                if ["r", "u", "b", "br", "rb", "f", "fr", "rf"].contains(&lw.as_str()) {
                    return self.strings(Some(lw));
                }
            }
            return Ok(match word.as_str() {
                "None" => Ast::Lit(PyVal::None),
                "True" => Ast::Lit(PyVal::Bool(true)),
                "False" => Ast::Lit(PyVal::Bool(false)),
                _ => Ast::Name,
            });
        }
        if c == '\'' || c == '"' {
            return self.strings(None);
        }
        Err(EvalError::Syntax)
    }
    fn number(&mut self) -> PR<Ast> {
        let start = self.i;
        while self.i < self.s.len()
            && (self.s[self.i].is_ascii_alphanumeric() || matches!(self.s[self.i], '.' | '_'))
        {
            let c = self.s[self.i];
            self.i += 1;
            if matches!(c, 'e' | 'E') && matches!(self.s.get(self.i), Some('+' | '-')) {
                self.i += 1;
            }
        }
        let text: String = self.s[start..self.i]
            .iter()
            .filter(|&&c| c != '_')
            .collect();
        let lower = text.to_ascii_lowercase();
        for (p, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
            if let Some(d) = lower.strip_prefix(p) {
                return u128::from_str_radix(d, radix)
                    .map(|v| Ast::Lit(PyVal::Int(v.to_string())))
                    .map_err(|_| EvalError::Syntax);
            }
        }
        if text.chars().all(|c| c.is_ascii_digit()) {
            let trimmed = text.trim_start_matches('0');
            if trimmed.is_empty() {
                return Ok(Ast::Lit(PyVal::Int("0".into())));
            }
            if trimmed.len() != text.len() {
                return Err(EvalError::Syntax); // leading zeros: "010" is a SyntaxError
            }
            return Ok(Ast::Lit(PyVal::Int(text)));
        }
        text.parse::<f64>()
            .map(|f| Ast::Lit(PyVal::Float(f)))
            .map_err(|_| EvalError::Syntax)
    }
    /// One or more adjacent string literals (implicit concatenation).
    fn strings(&mut self, first_prefix: Option<String>) -> PR<Ast> {
        let mut text = String::new();
        let mut bytes: Option<Vec<u8>> = None;
        let mut kinds = Vec::new();
        let mut prefix = first_prefix;
        let mut fstring = false;
        loop {
            let pre = prefix.take().unwrap_or_default();
            let raw = pre.contains('r');
            let is_bytes = pre.contains('b');
            fstring |= pre.contains('f');
            let body = self.one_string(raw, is_bytes)?;
            kinds.push(is_bytes);
            if is_bytes {
                bytes
                    .get_or_insert_with(Vec::new)
                    .extend(body.chars().map(|c| c as u32 as u8));
            } else {
                text.push_str(&body);
            }
            let save = self.i;
            match self.peek() {
                Some('\'' | '"') => {}
                Some(c) if c.is_ascii_alphabetic() => {
                    let st = self.i;
                    while self.i < self.s.len() && self.s[self.i].is_ascii_alphabetic() {
                        self.i += 1;
                    }
                    let w: String = self.s[st..self.i]
                        .iter()
                        .collect::<String>()
                        .to_ascii_lowercase();
                    if matches!(self.s.get(self.i), Some('\'' | '"'))
                        && ["r", "u", "b", "br", "rb", "f", "fr", "rf"].contains(&w.as_str())
                    {
                        prefix = Some(w);
                    } else {
                        self.i = save;
                        break;
                    }
                }
                _ => {
                    self.i = save;
                    break;
                }
            }
        }
        if kinds.iter().any(|&b| b) && kinds.iter().any(|&b| !b) {
            return Err(EvalError::Syntax);
        }
        if fstring {
            return Ok(Ast::Name);
        }
        Ok(Ast::Lit(match bytes {
            Some(b) => PyVal::Bytes(b),
            None => PyVal::Str(text),
        }))
    }
    fn one_string(&mut self, raw: bool, is_bytes: bool) -> PR<String> {
        let q = self.s[self.i];
        let triple = self.s.get(self.i + 1) == Some(&q) && self.s.get(self.i + 2) == Some(&q);
        self.i += if triple { 3 } else { 1 };
        let mut out = String::new();
        loop {
            let Some(&c) = self.s.get(self.i) else {
                return Err(EvalError::Syntax);
            };
            if c == q {
                if !triple {
                    self.i += 1;
                    return Ok(out);
                }
                if self.s.get(self.i + 1) == Some(&q) && self.s.get(self.i + 2) == Some(&q) {
                    self.i += 3;
                    return Ok(out);
                }
            }
            if (c == '\n' || c == '\r') && !triple {
                return Err(EvalError::Syntax);
            }
            if is_bytes && !c.is_ascii() {
                return Err(EvalError::Syntax);
            }
            self.i += 1;
            if c != '\\' {
                out.push(c);
                continue;
            }
            let Some(&e) = self.s.get(self.i) else {
                return Err(EvalError::Syntax);
            };
            self.i += 1;
            if raw {
                out.push('\\');
                out.push(e);
                continue;
            }
            match e {
                '\n' => {}
                '\\' | '\'' | '"' => out.push(e),
                'a' => out.push('\x07'),
                'b' => out.push('\x08'),
                'f' => out.push('\x0c'),
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                't' => out.push('\t'),
                'v' => out.push('\x0b'),
                '0'..='7' => {
                    let mut v = e.to_digit(8).unwrap_or(0);
                    for _ in 0..2 {
                        match self.s.get(self.i).and_then(|d| d.to_digit(8)) {
                            Some(d) => {
                                v = v * 8 + d;
                                self.i += 1;
                            }
                            None => break,
                        }
                    }
                    out.push(char::from_u32(v).ok_or(EvalError::Syntax)?);
                }
                'x' | 'u' | 'U' if !(is_bytes && e != 'x') => {
                    let n = match e {
                        'x' => 2,
                        'u' => 4,
                        _ => 8,
                    };
                    let hex: String = self
                        .s
                        .get(self.i..self.i + n)
                        .ok_or(EvalError::Syntax)?
                        .iter()
                        .collect();
                    let v = u32::from_str_radix(&hex, 16).map_err(|_| EvalError::Syntax)?;
                    self.i += n;
                    out.push(char::from_u32(v).ok_or(EvalError::Syntax)?);
                }
                // Unknown escapes (and \N{…}, not supported here) keep the backslash.
                other => {
                    out.push('\\');
                    out.push(other);
                }
            }
        }
    }
}

fn eval(a: Ast) -> Result<PyVal, EvalError> {
    Ok(match a {
        Ast::Lit(v) => v,
        Ast::Name => return Err(EvalError::Malformed),
        Ast::Tuple(v) => PyVal::Tuple(v.into_iter().map(eval).collect::<Result<_, _>>()?),
        Ast::List(v) => PyVal::List(v.into_iter().map(eval).collect::<Result<_, _>>()?),
        Ast::Neg(inner, neg) => match eval(*inner)? {
            PyVal::Int(s) if neg => PyVal::Int(if s == "0" { s } else { format!("-{s}") }),
            PyVal::Float(f) if neg => PyVal::Float(-f),
            v @ (PyVal::Int(_) | PyVal::Float(_)) => v,
            _ => return Err(EvalError::Malformed),
        },
    })
}

/// `ast.literal_eval(text)`.
pub(crate) fn literal_eval(text: &str) -> Result<PyVal, EvalError> {
    let chars: Vec<char> = text.chars().collect();
    let mut p = P {
        s: &chars,
        i: 0,
        depth: 0,
    };
    let ast = p.expr()?;
    if p.peek().is_some() {
        return Err(EvalError::Syntax);
    }
    eval(ast)
}

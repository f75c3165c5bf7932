//! Protobuf-JSON request decoding with MLflow's leniency, and the JSON response writer.
//!
//! Requests are decoded the way `google.protobuf.json_format.ParseDict` does it inside
//! `_get_request_message` (`mlflow/server/handlers.py`): proto field names or their
//! lowerCamelCase JSON names, unknown fields ignored, `null` meaning "unset", integers as
//! numbers or decimal strings, doubles also as `"NaN"`/`"Infinity"`/`"-Infinity"`, enums by
//! name or number. Fields are decoded in the order they appear; on the first type error
//! decoding stops and the fields decoded so far are kept, which is what MLflow then validates.
//!
//! Responses are written as Python's `json.dumps(..., indent=2)` writes them
//! (`message_to_json` in `mlflow/utils/proto_json_utils.py`): two-space indentation,
//! `ensure_ascii` escapes and Python's float `repr`.

use serde::Serialize;
use serde_json::{Map, Value};

/// A decoding failure: protobuf's `ParseError`. MLflow does not report it directly; it only
/// switches the schema checks to also check types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError;

/// A value that can be decoded from protobuf JSON.
pub trait ProtoValue: Sized {
    fn from_json(v: &Value) -> Result<Self, ParseError>;

    /// Decodes a field value the way json_format fills a message: the value to store (if any)
    /// and whether decoding succeeded. A repeated field keeps the items decoded before an
    /// error, including the partly filled failing message; enums drop an unknown name or
    /// number (`ignore_unknown_fields=True`) instead of failing.
    fn from_json_field(v: &Value) -> (Option<Self>, bool) {
        match Self::from_json(v) {
            Ok(x) => (Some(x), true),
            Err(ParseError) => (None, false),
        }
    }
}

impl ProtoValue for String {
    fn from_json(v: &Value) -> Result<Self, ParseError> {
        v.as_str().map(str::to_owned).ok_or(ParseError)
    }
}

impl ProtoValue for bool {
    fn from_json(v: &Value) -> Result<Self, ParseError> {
        v.as_bool().ok_or(ParseError)
    }
}

/// json_format's `_ConvertInteger`: numbers with an integral value, or strings without
/// spaces holding one (`"12"`, `"1.0"`); booleans are refused.
fn integer_from_json(v: &Value) -> Result<i64, ParseError> {
    let integral = |f: f64| {
        if f.fract() == 0.0 && f.abs() < 9.2e18 {
            Ok(f as i64)
        } else {
            Err(ParseError)
        }
    };
    match v {
        Value::Number(n) => match n.as_i64() {
            Some(i) => Ok(i),
            None => integral(n.as_f64().ok_or(ParseError)?),
        },
        Value::String(s) if !s.contains(' ') => match s.parse::<i64>() {
            Ok(i) => Ok(i),
            Err(_) => integral(py_float(s).ok_or(ParseError)?),
        },
        _ => Err(ParseError),
    }
}

/// Python's `float(str)`: surrounding whitespace, `_` between digits, `inf`/`infinity`/`nan`
/// in any case with an optional sign.
pub fn py_float(s: &str) -> Option<f64> {
    let t = s.trim();
    let (sign, body) = match t.strip_prefix('-') {
        Some(b) => (-1.0, b),
        None => (1.0, t.strip_prefix('+').unwrap_or(t)),
    };
    let lower = body.to_ascii_lowercase();
    if lower == "inf" || lower == "infinity" {
        return Some(sign * f64::INFINITY);
    }
    if lower == "nan" {
        return Some(f64::NAN);
    }
    let bytes = body.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'_' {
            let ok = i > 0
                && i + 1 < bytes.len()
                && bytes[i - 1].is_ascii_digit()
                && bytes[i + 1].is_ascii_digit();
            if !ok {
                return None;
            }
        }
    }
    let clean: String = body.chars().filter(|c| *c != '_').collect();
    if clean.is_empty()
        || !clean
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
    {
        return None;
    }
    clean.parse::<f64>().ok().map(|f| sign * f)
}

impl ProtoValue for i64 {
    fn from_json(v: &Value) -> Result<Self, ParseError> {
        integer_from_json(v)
    }
}

impl ProtoValue for i32 {
    fn from_json(v: &Value) -> Result<Self, ParseError> {
        i32::try_from(integer_from_json(v)?).map_err(|_| ParseError)
    }
}

/// json_format's `_ConvertFloat`: numbers and booleans (Python's bool is an int), the strings
/// `"NaN"`, `"Infinity"`, `"-Infinity"`, and whatever Python's `float()` reads except other
/// spellings of NaN (`"nan"` is refused).
impl ProtoValue for f64 {
    fn from_json(v: &Value) -> Result<Self, ParseError> {
        match v {
            Value::Number(n) => n.as_f64().ok_or(ParseError),
            Value::Bool(b) => Ok(if *b { 1.0 } else { 0.0 }),
            Value::String(s) => match s.as_str() {
                "NaN" => Ok(f64::NAN),
                "Infinity" => Ok(f64::INFINITY),
                "-Infinity" => Ok(f64::NEG_INFINITY),
                other => match py_float(other) {
                    Some(f) if !f.is_nan() => Ok(f),
                    _ => Err(ParseError),
                },
            },
            _ => Err(ParseError),
        }
    }
}

impl<T: ProtoValue> ProtoValue for Vec<T> {
    fn from_json(v: &Value) -> Result<Self, ParseError> {
        match Self::from_json_field(v) {
            (Some(items), true) => Ok(items),
            _ => Err(ParseError),
        }
    }

    fn from_json_field(v: &Value) -> (Option<Self>, bool) {
        let Some(array) = v.as_array() else {
            return (None, false);
        };
        let mut items = Vec::with_capacity(array.len());
        for item in array.iter().filter(|item| !item.is_null()) {
            let (value, ok) = T::from_json_field(item);
            items.extend(value);
            if !ok {
                return (Some(items), false);
            }
        }
        (Some(items), true)
    }
}

/// A protobuf message decoded field by field.
pub trait ProtoMessage: Default {
    /// Proto field names, with whether each is repeated (GET query strings need to know).
    const FIELDS: &'static [(&'static str, bool)];
    /// Decodes one field given by its proto name.
    fn set_field(&mut self, name: &str, v: &Value) -> Result<(), ParseError>;
}

/// protobuf's default `json_name`: lowerCamelCase of the proto name.
pub fn json_name(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut upper = false;
    for c in field.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Finds which proto field a JSON key names, by proto name or JSON name.
pub fn field_for_key<M: ProtoMessage>(key: &str) -> Option<&'static str> {
    M::FIELDS
        .iter()
        .map(|(name, _)| *name)
        .find(|name| *name == key || json_name(name) == key)
}

/// `ParseDict(json, message, ignore_unknown_fields=True)`: returns the message with every field
/// decoded before the first error, and whether decoding got through without error.
pub fn parse_dict<M: ProtoMessage>(json: &Map<String, Value>) -> (M, bool) {
    let mut msg = M::default();
    for (key, value) in json {
        let Some(field) = field_for_key::<M>(key) else {
            continue;
        };
        if value.is_null() {
            continue;
        }
        if msg.set_field(field, value).is_err() {
            return (msg, false);
        }
    }
    (msg, true)
}

impl<M: ProtoMessage> ProtoValue for Box<M> {
    fn from_json(v: &Value) -> Result<Self, ParseError> {
        match Self::from_json_field(v) {
            (Some(m), true) => Ok(m),
            _ => Err(ParseError),
        }
    }

    fn from_json_field(v: &Value) -> (Option<Self>, bool) {
        let Some(obj) = v.as_object() else {
            // ParseDict appends the sub-message before failing on a non-object item, so the
            // partial message MLflow goes on with holds an empty one in its place.
            let (empty, _) = parse_dict::<M>(&serde_json::Map::new());
            return (Some(Box::new(empty)), false);
        };
        let (msg, ok) = parse_dict::<M>(obj);
        (Some(Box::new(msg)), ok)
    }
}

/// Declares a request message: every field is optional (proto2 presence), decoded with
/// [`ProtoValue`]. Nested messages are written `Box<Msg>` and repeated ones `Vec<...>`.
#[macro_export]
macro_rules! proto_message {
    ($(#[$meta:meta])* pub struct $name:ident { $($field:ident : $ty:ty),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Default, Clone)]
        pub struct $name {
            $(pub $field: Option<$ty>,)*
        }

        impl $crate::wire::proto::ProtoMessage for $name {
            const FIELDS: &'static [(&'static str, bool)] = &[
                $((stringify!($field), $crate::wire::proto::is_repeated::<$ty>())),*
            ];

            fn set_field(
                &mut self,
                name: &str,
                v: &serde_json::Value,
            ) -> Result<(), $crate::wire::proto::ParseError> {
                match name {
                    $(stringify!($field) => {
                        let (value, ok) =
                            <$ty as $crate::wire::proto::ProtoValue>::from_json_field(v);
                        if value.is_some() {
                            self.$field = value;
                        }
                        if !ok {
                            return Err($crate::wire::proto::ParseError);
                        }
                    })*
                    _ => {}
                }
                Ok(())
            }
        }
    };
}

/// Whether a field type is a repeated field, for the query-string decoding of GET requests.
pub const fn is_repeated<T: ?Sized + Repeated>() -> bool {
    T::REPEATED
}

pub trait Repeated {
    const REPEATED: bool = false;
}
impl<T> Repeated for Vec<T> {
    const REPEATED: bool = true;
}
impl Repeated for String {}
impl Repeated for bool {}
impl Repeated for i32 {}
impl Repeated for i64 {}
impl Repeated for f64 {}
impl<M> Repeated for Box<M> {}

// ---------------------------------------------------------------------------------------------
// Responses.

/// Serializes a double as protobuf JSON does: non-finite values become strings.
pub fn serialize_double<S: serde::Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    if v.is_nan() {
        s.serialize_str("NaN")
    } else if *v == f64::INFINITY {
        s.serialize_str("Infinity")
    } else if *v == f64::NEG_INFINITY {
        s.serialize_str("-Infinity")
    } else {
        s.serialize_f64(*v)
    }
}

/// Python's `repr(float)`: the shortest round-tripping digits, positional notation for decimal
/// exponents in [-4, 16), otherwise `d.ddde+XX`.
pub fn py_float_repr(v: f64) -> String {
    let mut out = Vec::with_capacity(24);
    let _ = write_py_float(&mut out, v);
    String::from_utf8(out).unwrap_or_default()
}

/// [`py_float_repr`] written straight into `w`, on the stack: a metric history is mostly
/// floats, and allocating per float was a tenth of a 100,000-point response's time.
pub fn write_py_float<W: ?Sized + std::io::Write>(w: &mut W, v: f64) -> std::io::Result<()> {
    use std::fmt::Write as _;
    /// `{:e}` of an f64 is at most 24 bytes ("-1.7976931348623157e308").
    struct StackBuf {
        buf: [u8; 40],
        len: usize,
    }
    impl std::fmt::Write for StackBuf {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            let end = self.len + s.len();
            let dst = self.buf.get_mut(self.len..end).ok_or(std::fmt::Error)?;
            dst.copy_from_slice(s.as_bytes());
            self.len = end;
            Ok(())
        }
    }
    if v == 0.0 {
        return w.write_all(if v.is_sign_negative() {
            b"-0.0"
        } else {
            b"0.0"
        });
    }
    // Rust's `{:e}` yields the same shortest digits as Python's repr, e.g. "1.5e-5".
    let mut sci = StackBuf {
        buf: [0; 40],
        len: 0,
    };
    write!(sci, "{v:e}").map_err(std::io::Error::other)?;
    let sci = &sci.buf[..sci.len];
    let (mantissa, exp) = match sci.iter().position(|&c| c == b'e') {
        Some(i) => (&sci[..i], &sci[i + 1..]),
        None => (sci, &b"0"[..]),
    };
    let exp: i32 = std::str::from_utf8(exp)
        .ok()
        .and_then(|e| e.parse().ok())
        .unwrap_or(0);
    let mut digits = [0u8; 40];
    let mut n = 0;
    for &c in mantissa.iter().filter(|c| c.is_ascii_digit()) {
        digits[n] = c;
        n += 1;
    }
    let digits = &digits[..n];
    if mantissa.first() == Some(&b'-') {
        w.write_all(b"-")?;
    }
    if (-4..16).contains(&exp) {
        let point = exp + 1; // position of the decimal point within `digits`
        if point <= 0 {
            w.write_all(b"0.")?;
            for _ in 0..-point {
                w.write_all(b"0")?;
            }
            w.write_all(digits)
        } else if point as usize >= digits.len() {
            w.write_all(digits)?;
            for _ in digits.len()..point as usize {
                w.write_all(b"0")?;
            }
            w.write_all(b".0")
        } else {
            let (int, frac) = digits.split_at(point as usize);
            w.write_all(int)?;
            w.write_all(b".")?;
            w.write_all(frac)
        }
    } else {
        let (first, frac) = digits.split_at(digits.len().min(1));
        w.write_all(first)?;
        if !frac.is_empty() {
            w.write_all(b".")?;
            w.write_all(frac)?;
        }
        let esign = if exp < 0 { '-' } else { '+' };
        write!(w, "e{esign}{:02}", exp.abs())
    }
}

/// serde_json formatter reproducing `json.dumps(obj, indent=2)` byte for byte.
struct PythonFormatter {
    pretty: serde_json::ser::PrettyFormatter<'static>,
}

impl serde_json::ser::Formatter for PythonFormatter {
    fn write_f64<W: ?Sized + std::io::Write>(&mut self, w: &mut W, v: f64) -> std::io::Result<()> {
        write_py_float(w, v)
    }
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        write_ascii_escaped(w, fragment)
    }
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.pretty.begin_array(w)
    }
    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.pretty.end_array(w)
    }
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.pretty.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.pretty.end_array_value(w)
    }
    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.pretty.begin_object(w)
    }
    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.pretty.end_object(w)
    }
    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.pretty.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.pretty.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.pretty.end_object_value(w)
    }
}

/// `json.dumps(obj)` with Python's default separators (`", "`, `": "`) and ASCII escapes, as
/// MLflow writes JSON into tag values.
pub fn to_python_json_flat(value: &Value) -> String {
    struct Flat;
    impl serde_json::ser::Formatter for Flat {
        fn write_f64<W: ?Sized + std::io::Write>(
            &mut self,
            w: &mut W,
            v: f64,
        ) -> std::io::Result<()> {
            write_py_float(w, v)
        }
        fn write_string_fragment<W: ?Sized + std::io::Write>(
            &mut self,
            w: &mut W,
            fragment: &str,
        ) -> std::io::Result<()> {
            write_ascii_escaped(w, fragment)
        }
        fn begin_array_value<W: ?Sized + std::io::Write>(
            &mut self,
            w: &mut W,
            first: bool,
        ) -> std::io::Result<()> {
            if first {
                Ok(())
            } else {
                w.write_all(b", ")
            }
        }
        fn begin_object_key<W: ?Sized + std::io::Write>(
            &mut self,
            w: &mut W,
            first: bool,
        ) -> std::io::Result<()> {
            if first {
                Ok(())
            } else {
                w.write_all(b", ")
            }
        }
        fn begin_object_value<W: ?Sized + std::io::Write>(
            &mut self,
            w: &mut W,
        ) -> std::io::Result<()> {
            w.write_all(b": ")
        }
    }
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, Flat);
    if value.serialize(&mut ser).is_err() {
        return String::from("null");
    }
    String::from_utf8(out).unwrap_or_default()
}

/// `ensure_ascii=True`: every non-ASCII character as `\uXXXX` (UTF-16 units).
fn write_ascii_escaped<W: ?Sized + std::io::Write>(
    w: &mut W,
    fragment: &str,
) -> std::io::Result<()> {
    let mut start = 0;
    for (i, c) in fragment.char_indices() {
        if !c.is_ascii() {
            w.write_all(&fragment.as_bytes()[start..i])?;
            let mut buf = [0u16; 2];
            for unit in c.encode_utf16(&mut buf) {
                write!(w, "\\u{unit:04x}")?;
            }
            start = i + c.len_utf8();
        }
    }
    w.write_all(&fragment.as_bytes()[start..])
}

/// Encodes a response body as MLflow's Flask handlers do.
pub fn to_python_json<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    let fmt = PythonFormatter {
        pretty: serde_json::ser::PrettyFormatter::with_indent(b"  "),
    };
    let mut ser = serde_json::Serializer::with_formatter(&mut out, fmt);
    if value.serialize(&mut ser).is_err() {
        // Our wire types contain nothing serde_json can refuse (no non-string map keys).
        out = b"{}".to_vec();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn float_repr_matches_python() {
        for (v, py) in [
            (1.0, "1.0"),
            (0.5, "0.5"),
            (1e-5, "1e-05"),
            (0.0001, "0.0001"),
            (1e16, "1e+16"),
            (1234567890123456.0, "1234567890123456.0"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (-1.7976931348623157e308, "-1.7976931348623157e+308"),
            (0.1 + 0.2, "0.30000000000000004"),
            (-2.5e-7, "-2.5e-07"),
            (123.456, "123.456"),
            (1e15, "1000000000000000.0"),
            (5e-324, "5e-324"),
            (1.5e300, "1.5e+300"),
            (123456789.0, "123456789.0"),
            (0.00012, "0.00012"),
            (-0.5, "-0.5"),
            (-0.0, "-0.0"),
        ] {
            assert_eq!(py_float_repr(v), py, "{v}");
        }
    }

    #[test]
    fn python_flat_json() {
        let v = json!([{"run_id": "r", "flavors": {"a": 1.0}, "n": null}]);
        assert_eq!(
            to_python_json_flat(&v),
            r#"[{"run_id": "r", "flavors": {"a": 1.0}, "n": null}]"#
        );
    }

    #[test]
    fn python_json_layout() {
        let body = to_python_json(&json!({"a": [1, {"b": "é"}], "c": {}, "d": 2.0}));
        assert_eq!(
            String::from_utf8(body).unwrap(),
            "{\n  \"a\": [\n    1,\n    {\n      \"b\": \"\\u00e9\"\n    }\n  ],\n  \"c\": {},\n  \"d\": 2.0\n}"
        );
    }

    crate::proto_message! {
        pub struct Probe { run_id: String, max_results: i32, value: f64, ids: Vec<String> }
    }

    #[test]
    fn parse_dict_is_lenient_like_json_format() {
        let j = json!({"runId": "r", "max_results": "7", "value": "NaN", "ids": ["a"], "zzz": 1});
        let (m, ok) = parse_dict::<Probe>(j.as_object().unwrap());
        assert!(ok);
        assert_eq!(m.run_id.as_deref(), Some("r"));
        assert_eq!(m.max_results, Some(7));
        assert!(m.value.unwrap().is_nan());
        assert_eq!(m.ids, Some(vec!["a".to_owned()]));
    }

    #[test]
    fn scalars_follow_json_format() {
        assert_eq!(f64::from_json(&json!(true)), Ok(1.0));
        assert_eq!(f64::from_json(&json!("nan")), Err(ParseError));
        assert_eq!(f64::from_json(&json!(" 5")), Ok(5.0));
        assert_eq!(f64::from_json(&json!("1_000")), Ok(1000.0));
        assert_eq!(f64::from_json(&json!("INF")), Ok(f64::INFINITY));
        assert_eq!(f64::from_json(&json!("0x10")), Err(ParseError));
        assert_eq!(i64::from_json(&json!(true)), Err(ParseError));
        assert_eq!(i64::from_json(&json!("1.0")), Ok(1));
        assert_eq!(i64::from_json(&json!(" 3")), Err(ParseError));
        assert_eq!(i64::from_json(&json!(1.5)), Err(ParseError));
    }

    crate::proto_message! { pub struct Item { key: String, value: f64, timestamp: i64 } }
    crate::proto_message! { pub struct Batch { run_id: String, metrics: Vec<Box<Item>>, params: Vec<String> } }

    /// As in json_format: items before the failing one stay, the failing one keeps the fields
    /// decoded before its error, and decoding of the message stops there.
    #[test]
    fn repeated_messages_keep_partial_items() {
        let j = json!({"run_id": "r", "metrics": [{"key": "a", "value": 1, "timestamp": 1},
            {"key": "b", "value": "x", "timestamp": 2}, {"key": "c", "value": 1, "timestamp": 3}],
            "params": ["p"]});
        let (m, ok) = parse_dict::<Batch>(j.as_object().unwrap());
        assert!(!ok);
        let metrics = m.metrics.unwrap();
        assert_eq!(metrics.len(), 2);
        assert_eq!(metrics[1].key.as_deref(), Some("b"));
        assert_eq!(metrics[1].value, None);
        assert_eq!(m.params, None);
    }

    #[test]
    fn parse_dict_stops_at_first_type_error() {
        let j = json!({"run_id": "r", "max_results": "x", "value": 1.0});
        let (m, ok) = parse_dict::<Probe>(j.as_object().unwrap());
        assert!(!ok);
        assert_eq!(m.run_id.as_deref(), Some("r"));
        assert_eq!(m.value, None);
    }
}

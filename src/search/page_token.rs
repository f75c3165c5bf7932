//! Offset page tokens: `SearchUtils.create_page_token` and
//! `SearchUtils.parse_start_offset_from_page_token` (`mlflow/utils/search_utils.py`),
//! used by search_runs, search_experiments, get_metric_history and the registry
//! searches. A token is standard padded base64 of Python's `json.dumps({"offset": N})`
//! (note the space after the colon).

use super::pyfmt::{repr_float, repr_str, PyVal};
use super::SearchError;
use base64::Engine;

/// `create_page_token(offset)`: 100 → `eyJvZmZzZXQiOiAxMDB9`.
pub fn create_page_token(offset: u64) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("{{\"offset\": {offset}}}"))
}

/// `parse_start_offset_from_page_token`: absent or empty → 0.
///
/// Errors are INVALID_PARAMETER_VALUE with MLflow's messages, except where Python
/// raises an exception MLflow does not catch (a non-ASCII token, a JSON document that
/// is not an object, an offset that is a list/object, a negative or huge offset):
/// those are `SearchErrorKind::Internal` (MLflow answers 500).
pub fn parse_start_offset_from_page_token(token: Option<&str>) -> Result<u64, SearchError> {
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return Ok(0);
    };
    if !token.is_ascii() {
        return Err(SearchError::internal(
            "string argument should contain only ASCII characters",
        ));
    }
    let decoded = b64decode_lenient(token.as_bytes())
        .ok_or_else(|| SearchError::invalid("Invalid page token, could not base64-decode"))?;
    let parsed: serde_json::Value = serde_json::from_slice(&decoded).map_err(|_| {
        SearchError::invalid(format!(
            "Invalid page token, decoded value={}",
            PyVal::Bytes(decoded.clone()).repr()
        ))
    })?;
    let serde_json::Value::Object(map) = &parsed else {
        return Err(SearchError::internal(format!(
            "'{}' object has no attribute 'get'",
            json_type_name(&parsed)
        )));
    };
    let offset = map.get("offset").unwrap_or(&serde_json::Value::Null);
    if !truthy(offset) {
        return Err(SearchError::invalid(format!(
            "Invalid page token, parsed value={}",
            json_repr(&parsed)
        )));
    }
    // Python: int(offset_str).
    let as_int: Option<i128> = match offset {
        serde_json::Value::Bool(b) => Some(i128::from(*b)),
        serde_json::Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => Some(i128::from(i)),
            (_, Some(u), _) => Some(i128::from(u)),
            (_, _, Some(f)) if f.is_finite() => Some(f.trunc() as i128),
            _ => None,
        },
        serde_json::Value::String(s) => match super::pyfmt::py_int(s) {
            Some(i) => Some(i128::from(i)),
            None => {
                return Err(SearchError::invalid(format!(
                    "Invalid page token, not stringable {s}"
                )));
            }
        },
        _ => None,
    };
    match as_int.and_then(|i| u64::try_from(i).ok()) {
        Some(v) => Ok(v),
        None => Err(SearchError::internal(format!(
            "invalid page token offset {}",
            json_repr(offset)
        ))),
    }
}

/// `base64.b64decode(s)` (non-strict `binascii.a2b_base64`): characters outside the
/// alphabet are skipped, a complete pad sequence ends decoding, a dangling quad fails.
fn b64decode_lenient(input: &[u8]) -> Option<Vec<u8>> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let (mut out, mut quad, mut left, mut pads) = (Vec::new(), 0u32, 0u32, 0u32);
    for &c in input {
        if c == b'=' {
            if quad >= 2 {
                pads += 1;
                if quad + pads >= 4 {
                    return Some(out);
                }
            }
            continue;
        }
        let Some(v) = val(c) else { continue };
        pads = 0;
        match quad {
            0 => {
                left = v;
                quad = 1;
            }
            1 => {
                out.push(((left << 2) | (v >> 4)) as u8);
                left = v & 0xf;
                quad = 2;
            }
            2 => {
                out.push(((left << 4) | (v >> 2)) as u8);
                left = v & 0x3;
                quad = 3;
            }
            _ => {
                out.push(((left << 6) | v) as u8);
                quad = 0;
            }
        }
    }
    (quad == 0).then_some(out)
}

fn truthy(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Null => false,
        serde_json::Value::Bool(b) => *b,
        serde_json::Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        serde_json::Value::String(s) => !s.is_empty(),
        serde_json::Value::Array(a) => !a.is_empty(),
        serde_json::Value::Object(o) => !o.is_empty(),
    }
}

fn json_type_name(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "NoneType",
        serde_json::Value::Bool(_) => "bool",
        serde_json::Value::Number(n) if n.is_f64() => "float",
        serde_json::Value::Number(_) => "int",
        serde_json::Value::String(_) => "str",
        serde_json::Value::Array(_) => "list",
        serde_json::Value::Object(_) => "dict",
    }
}

/// Python `repr()` of what `json.loads` returns. Object keys come out in serde_json's
/// map order (sorted unless `preserve_order` is enabled), Python keeps document order.
fn json_repr(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "None".into(),
        serde_json::Value::Bool(b) => if *b { "True" } else { "False" }.into(),
        serde_json::Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() => repr_float(f),
            _ => n.to_string(),
        },
        serde_json::Value::String(s) => repr_str(s),
        serde_json::Value::Array(a) => format!(
            "[{}]",
            a.iter().map(json_repr).collect::<Vec<_>>().join(", ")
        ),
        serde_json::Value::Object(o) => format!(
            "{{{}}}",
            o.iter()
                .map(|(k, v)| format!("{}: {}", repr_str(k), json_repr(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_matches_python() {
        assert_eq!(create_page_token(100), "eyJvZmZzZXQiOiAxMDB9");
        assert_eq!(create_page_token(1), "eyJvZmZzZXQiOiAxfQ==");
        for n in [1u64, 7, 1000, 123_456_789] {
            assert_eq!(
                parse_start_offset_from_page_token(Some(&create_page_token(n))).ok(),
                Some(n)
            );
        }
    }

    #[test]
    fn lenient_base64_like_binascii() {
        let cases: &[(&str, Option<&[u8]>)] = &[
            ("YQ==YQ==", Some(b"a")),
            ("YQ", None),
            ("YQ=", None),
            ("Y Q = =", Some(b"a")),
            ("YQ==x", Some(b"a")),
            ("YQ===", Some(b"a")),
            ("=YQ==", Some(b"a")),
            ("Y=Q==", Some(b"a")),
            ("YWJj=", Some(b"abc")),
            ("YWJjZA=", None),
            ("YWJjZA==ZA==", Some(b"abcd")),
            ("eyJ#vZmZzZXQiOiAxMDB9", Some(b"{\"offset\": 100}")),
        ];
        for (inp, want) in cases {
            assert_eq!(b64decode_lenient(inp.as_bytes()).as_deref(), *want, "{inp}");
        }
    }

    fn msg(t: &str) -> String {
        match parse_start_offset_from_page_token(Some(t)) {
            Ok(v) => format!("OK {v}"),
            Err(e) => e.message,
        }
    }

    #[test]
    fn errors_match_python() {
        let enc = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        assert_eq!(parse_start_offset_from_page_token(None).ok(), Some(0));
        assert_eq!(parse_start_offset_from_page_token(Some("")).ok(), Some(0));
        assert_eq!(msg("YQ"), "Invalid page token, could not base64-decode");
        assert_eq!(msg(&enc("abc")), "Invalid page token, decoded value=b'abc'");
        assert_eq!(
            msg(&enc("{\"offset\": 0}")),
            "Invalid page token, parsed value={'offset': 0}"
        );
        assert_eq!(
            msg(&enc("{\"a\": 1}")),
            "Invalid page token, parsed value={'a': 1}"
        );
        assert_eq!(
            msg(&enc("{\"offset\": \"x\"}")),
            "Invalid page token, not stringable x"
        );
        assert_eq!(msg(&enc("{\"offset\": \"12\"}")), "OK 12");
        assert_eq!(msg(&enc("{\"offset\": 2.7}")), "OK 2");
        assert_eq!(msg(&enc("{\"offset\": true}")), "OK 1");
        assert!(
            parse_start_offset_from_page_token(Some(&enc("[1]"))).is_err_and(|e| e.is_internal())
        );
    }
}

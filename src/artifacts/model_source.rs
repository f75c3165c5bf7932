//! The string rules `_create_model_version` (`mlflow/server/handlers.py`) applies to a model
//! version's `source`, without the database lookups, so the handler can interleave those itself
//! in MLflow's order (`_validate_source_run`, `_validate_source_model`,
//! `_resolve_registered_model_source_lineage`).
//!
//! Mirrors, from MLflow 3.17.2 on a POSIX server running Python 3.11:
//! - `mlflow/server/handlers.py`: `_validate_non_local_source_contains_relative_paths`,
//!   `_normalized_uri_parts`, `_is_uri_within_root`, `_is_mlflow_artifact_source` and the
//!   `run_artifact_dir in [source, *source.parents]` test;
//! - `mlflow/utils/uri.py`: `is_local_uri`; `mlflow/utils/file_utils.py`: `local_file_uri_to_path`;
//! - `RunsArtifactRepository.parse_runs_uri` and `mlflow/store/artifact/utils/models.py`:
//!   `_parse_model_uri`;
//! - and beneath them CPython 3.11's `urllib.parse` (`urlsplit`, `urlparse`, `unquote`),
//!   `posixpath.realpath` and `pathlib.Path.resolve`, whose quirks decide what MLflow accepts.
//!
//! Where Python raises something other than `MlflowException` (a `ValueError` from `urlsplit`, a
//! `RuntimeError` for a symlink loop), Flask answers a bare 500 page, which the client retries;
//! the source is at fault, so we answer `INVALID_PARAMETER_VALUE` (400) with Python's message.
//! `MlflowException`s raised without a code (`parse_runs_uri`, `_parse_model_uri`,
//! `is_local_uri`) keep MLflow's `INTERNAL_ERROR`.
//!
//! Resolving paths reads the server's filesystem (symlinks, the working directory), exactly as
//! `Path.resolve()` does: MLflow rejects `s3://bucket/bin/model` on a merged-/usr system because
//! `/bin` is a symlink there, and so do we.

use std::collections::HashMap;
use std::path::PathBuf;

use unicode_normalization::UnicodeNormalization;

use crate::error::{ErrorCode, MlflowError, Result};

/// `urllib.parse.uses_params`: the schemes whose last path segment `urlparse` splits `;params`
/// off.
const USES_PARAMS: [&str; 16] = [
    "", "ftp", "hdl", "prospero", "http", "imap", "https", "shttp", "rtsp", "rtsps", "rtspu",
    "sip", "sips", "mms", "sftp", "tel",
];

#[cfg(target_os = "linux")]
const ELOOP: i32 = 40;
#[cfg(not(target_os = "linux"))]
const ELOOP: i32 = 62;

/// A Python exception other than `MlflowException` caused by the source itself (a `ValueError`
/// from `urlsplit`, a NUL byte, a symlink loop): Flask answers a bare 500 page, which the client
/// retries for minutes; here it is a 400 with Python's message.
fn python_error(message: impl Into<String>) -> MlflowError {
    MlflowError::invalid_parameter_value(message)
}

/// A failure of the server itself (reading a symlink, the working directory).
fn server_error(message: impl Into<String>) -> MlflowError {
    MlflowError::new(ErrorCode::INTERNAL_ERROR, message)
}

/// The components `urllib.parse.urlparse` returns (`params` stays empty from [`urlsplit`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UrlParts {
    pub scheme: String,
    pub netloc: String,
    pub path: String,
    pub params: String,
    pub query: String,
    pub fragment: String,
}

/// `urlsplit` without its netloc checks, which only ever raise and never change a component.
fn split_unchecked(url: &str, allow_fragments: bool) -> UrlParts {
    // WHATWG: leading C0 controls and spaces go, tab/CR/LF go everywhere (bpo-43882).
    let url: String = url
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\r' | '\n'))
        .collect();
    let mut rest = url.as_str();
    let mut scheme = String::new();
    if let Some(i) = rest.find(':') {
        let head = &rest[..i];
        let is_scheme = head.as_bytes().first().is_some_and(u8::is_ascii_alphabetic)
            && head
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
        if is_scheme {
            scheme = head.to_ascii_lowercase();
            rest = &rest[i + 1..];
        }
    }
    let mut netloc = "";
    if let Some(after) = rest.strip_prefix("//") {
        // `_splitnetloc` stops at `#` even when fragments are not split off.
        let end = after.find(['/', '?', '#']).unwrap_or(after.len());
        netloc = &after[..end];
        rest = &after[end..];
    }
    let mut fragment = "";
    if allow_fragments {
        if let Some((before, after)) = rest.split_once('#') {
            rest = before;
            fragment = after;
        }
    }
    let mut query = "";
    if let Some((before, after)) = rest.split_once('?') {
        rest = before;
        query = after;
    }
    UrlParts {
        scheme,
        netloc: netloc.to_owned(),
        path: rest.to_owned(),
        params: String::new(),
        query: query.to_owned(),
        fragment: fragment.to_owned(),
    }
}

/// `urlparse` without the netloc checks: `urlsplit` plus `_splitparams`.
fn parse_unchecked(url: &str, allow_fragments: bool) -> UrlParts {
    let mut parts = split_unchecked(url, allow_fragments);
    if USES_PARAMS.contains(&parts.scheme.as_str()) && parts.path.contains(';') {
        let from = parts.path.rfind('/').unwrap_or(0);
        if let Some(i) = parts.path[from..].find(';').map(|i| i + from) {
            parts.params = parts.path[i + 1..].to_owned();
            parts.path.truncate(i);
        }
    }
    parts
}

/// The `ValueError`s of `urlsplit`: unbalanced or invalid brackets, and non-ASCII hosts whose
/// NFKC form smuggles in URL delimiters (bpo-36216).
fn check_netloc(netloc: &str) -> Result<()> {
    let (open, close) = (netloc.contains('['), netloc.contains(']'));
    if open != close {
        return Err(python_error("Invalid IPv6 URL"));
    }
    if open {
        let bracketed = netloc.split_once('[').map_or("", |(_, b)| b);
        let host = bracketed.split_once(']').map_or(bracketed, |(h, _)| h);
        check_bracketed_host(host)?;
    }
    if netloc.is_ascii() {
        return Ok(());
    }
    let stripped: String = netloc
        .chars()
        .filter(|c| !matches!(c, '@' | ':' | '#' | '?'))
        .collect();
    let normalized: String = stripped.nfkc().collect();
    if normalized != stripped && normalized.contains(['/', '?', '#', '@', ':']) {
        return Err(python_error(format!(
            "netloc '{netloc}' contains invalid characters under NFKC normalization"
        )));
    }
    Ok(())
}

/// `_check_bracketed_host`: an IPvFuture literal or an IPv6 address (`ipaddress.ip_address`).
fn check_bracketed_host(host: &str) -> Result<()> {
    if let Some(rest) = host.strip_prefix('v') {
        // \Av[a-fA-F0-9]+\..+\Z
        let hex = rest.bytes().take_while(u8::is_ascii_hexdigit).count();
        let valid = hex > 0
            && rest[hex..]
                .strip_prefix('.')
                .is_some_and(|tail| !tail.is_empty() && !tail.contains('\n'));
        return if valid {
            Ok(())
        } else {
            Err(python_error("IPvFuture address is invalid"))
        };
    }
    if host.parse::<std::net::Ipv4Addr>().is_ok() {
        return Err(python_error("An IPv4 address cannot be in brackets"));
    }
    // `IPv6Address` accepts one non-empty `%scope` suffix.
    let address = match host.split_once('%') {
        Some((_, scope)) if scope.is_empty() || scope.contains('%') => None,
        Some((address, _)) => Some(address),
        None => Some(host),
    };
    if address.is_some_and(|a| a.parse::<std::net::Ipv6Addr>().is_ok()) {
        Ok(())
    } else {
        Err(python_error(format!(
            "'{host}' does not appear to be an IPv4 or IPv6 address"
        )))
    }
}

/// `urllib.parse.urlsplit(url, allow_fragments=...)`, `ValueError`s included.
pub fn urlsplit(url: &str, allow_fragments: bool) -> Result<UrlParts> {
    let parts = split_unchecked(url, allow_fragments);
    check_netloc(&parts.netloc)?;
    Ok(parts)
}

/// `urllib.parse.urlparse(url, allow_fragments=...)`, `ValueError`s included.
pub fn urlparse(url: &str, allow_fragments: bool) -> Result<UrlParts> {
    let parts = parse_unchecked(url, allow_fragments);
    check_netloc(&parts.netloc)?;
    Ok(parts)
}

/// `urllib.parse.urlparse(s).scheme`. Where Python would raise instead, this still gives the
/// scheme it found; use [`urlparse`] to reproduce the raise.
pub fn url_scheme(s: &str) -> String {
    split_unchecked(s, true).scheme
}

/// `urllib.parse.urlparse(s).netloc` (see [`url_scheme`] about inputs Python refuses).
pub fn url_netloc(s: &str) -> String {
    split_unchecked(s, true).netloc
}

/// `SplitResult.hostname`: the host of the netloc, lower-cased except for an IPv6 zone.
fn hostname(netloc: &str) -> Option<String> {
    let hostinfo = netloc.rsplit_once('@').map_or(netloc, |(_, h)| h);
    let host = match hostinfo.split_once('[') {
        Some((_, bracketed)) => bracketed.split_once(']').map_or(bracketed, |(h, _)| h),
        None => hostinfo.split_once(':').map_or(hostinfo, |(h, _)| h),
    };
    if host.is_empty() {
        return None;
    }
    Some(match host.split_once('%') {
        Some((h, zone)) => format!("{}%{zone}", h.to_lowercase()),
        None => host.to_lowercase(),
    })
}

/// `urllib.parse.unquote`: `%XX` to bytes, invalid UTF-8 replaced by U+FFFD, malformed `%`
/// sequences kept. Python decodes each ASCII run separately, but since the raw non-ASCII
/// characters between runs are whole UTF-8 sequences, decoding the whole string lossily
/// yields the same replacement characters.
pub fn unquote(s: &str) -> String {
    if !s.contains('%') {
        return s.to_owned();
    }
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// `urllib.parse.unquote_plus`: `+` is a space, then [`unquote`].
pub fn unquote_plus(s: &str) -> String {
    unquote(&s.replace('+', " "))
}

/// `_iteratively_unquote` (handlers.py). Terminates: every change shortens the string.
fn unquote_repeatedly(s: &str) -> String {
    let mut current = s.to_owned();
    loop {
        let next = unquote(&current);
        if next == current {
            return current;
        }
        current = next;
    }
}

/// `mlflow.utils.uri.is_local_uri(uri)` with its default `is_tracking_or_registry_uri=True`, on
/// a non-Windows server: no scheme (other than the bare word `databricks`) or `file:`.
/// A `file:` URI naming a remote host raises `MlflowException` (500) in MLflow; so does a URI
/// `urlparse` refuses.
pub fn is_local_uri(uri: &str) -> Result<bool> {
    if uri == "databricks" {
        return Ok(false);
    }
    let parsed = urlparse(uri, true)?;
    if parsed.scheme.is_empty() {
        return Ok(true);
    }
    if parsed.scheme != "file" {
        // Remote host or not, any other scheme is not local off Windows.
        return Ok(false);
    }
    let is_remote_hostname = hostname(&parsed.netloc)
        .is_some_and(|h| !(h == "." || h.starts_with("localhost") || h.starts_with("127.0.0.1")));
    if is_remote_hostname {
        return Err(MlflowError::new(
            ErrorCode::INTERNAL_ERROR,
            format!(
                "{uri} is not a valid remote uri. For remote access on windows, please consider \
                 using a different scheme such as SMB (e.g. smb://<hostname>/<path>)."
            ),
        ));
    }
    Ok(true)
}

/// `mlflow.utils.file_utils.local_file_uri_to_path` on POSIX: the path of a `file:` URI (the
/// prefix is case-sensitive; the netloc is dropped), else the string itself, percent-decoded.
/// Python raises where `urlparse` does; callers have run [`is_local_uri`] on the same string
/// first, which raises for exactly those inputs.
pub fn local_file_uri_to_path(uri: &str) -> String {
    if uri.starts_with("file:") {
        unquote(&parse_unchecked(uri, true).path)
    } else {
        unquote(uri)
    }
}

#[cfg(unix)]
fn bytes_to_path(bytes: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(bytes))
}

#[cfg(not(unix))]
fn bytes_to_path(bytes: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(bytes).into_owned())
}

#[cfg(unix)]
fn path_to_bytes(path: PathBuf) -> Vec<u8> {
    use std::os::unix::ffi::OsStringExt;
    path.into_os_string().into_vec()
}

#[cfg(not(unix))]
fn path_to_bytes(path: PathBuf) -> Vec<u8> {
    path.to_string_lossy().into_owned().into_bytes()
}

/// `posixpath.join(a, b)`.
fn join(a: &[u8], b: &[u8]) -> Vec<u8> {
    if b.first() == Some(&b'/') {
        return b.to_vec();
    }
    let mut out = a.to_vec();
    if !a.is_empty() && a.last() != Some(&b'/') {
        out.push(b'/');
    }
    out.extend_from_slice(b);
    out
}

/// `posixpath.split(p)`.
fn split(p: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let i = p.iter().rposition(|&b| b == b'/').map_or(0, |i| i + 1);
    let (mut head, tail) = (p[..i].to_vec(), p[i..].to_vec());
    if head.iter().any(|&b| b != b'/') {
        while head.last() == Some(&b'/') {
            head.pop();
        }
    }
    (head, tail)
}

/// `posixpath.normpath(p)`: lexical; one or two leading slashes kept, three or more become one.
fn normpath(p: &[u8]) -> Vec<u8> {
    if p.is_empty() {
        return b".".to_vec();
    }
    let initial_slashes = match p.iter().take_while(|&&b| b == b'/').count() {
        0 => 0,
        2 => 2,
        _ => 1,
    };
    let mut comps: Vec<&[u8]> = Vec::new();
    for comp in p.split(|&b| b == b'/') {
        if comp.is_empty() || comp == b"." {
            continue;
        }
        if comp != b".."
            || (initial_slashes == 0 && comps.is_empty())
            || comps.last() == Some(&&b".."[..])
        {
            comps.push(comp);
        } else if !comps.is_empty() {
            comps.pop();
        }
    }
    let mut out = vec![b'/'; initial_slashes];
    out.extend_from_slice(&comps.join(&b'/'));
    if out.is_empty() {
        out.push(b'.');
    }
    out
}

/// `posixpath._joinrealpath` (non-strict): resolves the symlinks of `rest` joined onto `path`,
/// applying `..` after resolving what precedes it. The flag is false when a symlink loop
/// stopped resolution (the rest is then appended unresolved).
fn join_realpath(
    mut path: Vec<u8>,
    rest: &[u8],
    seen: &mut HashMap<Vec<u8>, Option<Vec<u8>>>,
) -> Result<(Vec<u8>, bool)> {
    let mut rest = rest;
    if rest.first() == Some(&b'/') {
        rest = &rest[1..];
        path = b"/".to_vec();
    }
    while !rest.is_empty() {
        let (name, tail) = match rest.iter().position(|&b| b == b'/') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, &rest[rest.len()..]),
        };
        rest = tail;
        if name.is_empty() || name == b"." {
            continue;
        }
        if name == b".." {
            if path.is_empty() {
                path = b"..".to_vec();
            } else {
                let (head, last) = split(&path);
                path = if last == b".." {
                    join(&join(&head, b".."), b"..")
                } else {
                    head
                };
            }
            continue;
        }
        let newpath = join(&path, name);
        // Python treats any lstat failure (missing, unreadable) as "not a link".
        let is_link = std::fs::symlink_metadata(bytes_to_path(&newpath))
            .is_ok_and(|m| m.file_type().is_symlink());
        if !is_link {
            path = newpath;
            continue;
        }
        match seen.get(&newpath) {
            Some(Some(resolved)) => {
                path = resolved.clone();
                continue;
            }
            Some(None) => return Ok((join(&newpath, rest), false)),
            None => {}
        }
        seen.insert(newpath.clone(), None);
        let target = std::fs::read_link(bytes_to_path(&newpath)).map_err(|e| {
            tracing::warn!(error = %e, "reading a symlink while resolving a model source");
            server_error(e.to_string())
        })?;
        let (resolved, ok) = join_realpath(path, &path_to_bytes(target), seen)?;
        if !ok {
            return Ok((join(&resolved, rest), false));
        }
        seen.insert(newpath, Some(resolved.clone()));
        path = resolved;
    }
    Ok((path, true))
}

/// `pathlib.Path(path).resolve().as_posix()` (Python 3.11, POSIX): `os.path.realpath` (relative
/// paths are taken against the working directory, symlinks of existing components are
/// followed, missing components kept as they are), then a `stat` that turns a symlink loop
/// into `RuntimeError`. A NUL byte is Python's `ValueError` ("embedded null byte"). Path names
/// that are not UTF-8 (only possible through a symlink's target) are decoded lossily.
pub fn resolve_path(path: &str) -> Result<String> {
    if path.contains('\0') {
        return Err(python_error("embedded null byte"));
    }
    let (real, _) = join_realpath(Vec::new(), path.as_bytes(), &mut HashMap::new())?;
    let absolute = if real.first() == Some(&b'/') {
        real
    } else {
        let cwd = std::env::current_dir().map_err(|e| server_error(e.to_string()))?;
        join(&path_to_bytes(cwd), &real)
    };
    let resolved = normpath(&absolute);
    if let Err(e) = std::fs::metadata(bytes_to_path(&resolved)) {
        if e.raw_os_error() == Some(ELOOP) {
            return Err(python_error(format!(
                "Symlink loop from '{}'",
                String::from_utf8_lossy(&resolved)
            )));
        }
    }
    Ok(String::from_utf8_lossy(&resolved).into_owned())
}

/// `pathlib.Path(local_file_uri_to_path(uri)).resolve()`: what `_validate_source_run` compares
/// (and, for a local source with a `run_id`, the `source` its error message then shows).
pub fn resolve_local_uri(uri: &str) -> Result<String> {
    resolve_path(&local_file_uri_to_path(uri))
}

/// `run_artifact_dir in [source, *source.parents]` of `_validate_source_run` /
/// `_validate_source_model`, both sides resolved with [`resolve_local_uri`] (the source first,
/// as in MLflow). Resolved paths are absolute and normalised, so pathlib's part-wise equality
/// is string equality and ancestry a prefix ending at a `/`.
pub fn path_is_within(dir_uri_or_path: &str, source: &str) -> Result<bool> {
    let source = resolve_local_uri(source)?;
    let dir = resolve_local_uri(dir_uri_or_path)?;
    Ok(dir == source
        || dir == "/"
        || source
            .strip_prefix(dir.as_str())
            .is_some_and(|rest| rest.starts_with('/')))
}

/// `_validate_non_local_source_contains_relative_paths` (handlers.py): after decoding
/// (`unquote_plus` until stable), the URL path must contain no NUL, the decoded source no `..`
/// segment, and the path must already be what `Path.resolve()` makes of it — so a relative
/// path (resolved against the working directory) or one through a symlink on the server is
/// refused too. The message quotes the source as received: Python builds it before decoding.
pub fn validate_non_local_source_contains_relative_paths(source: &str) -> Result<()> {
    let invalid = || {
        MlflowError::invalid_parameter_value(format!(
            "Invalid model version source: '{source}'. If supplying a source as an http, https, \
             local file path, ftp, objectstore, or mlflow-artifacts uri, an absolute path must \
             be provided without relative path references present. Please provide an absolute \
             path."
        ))
    };
    let mut decoded = source.to_owned();
    loop {
        let next = unquote_plus(&decoded);
        if next == decoded {
            break;
        }
        decoded = next;
    }
    let parsed = urlparse(&decoded, true)?;
    let mut source_path = String::with_capacity(parsed.path.len());
    for c in parsed.path.trim_end_matches('/').chars() {
        if !(c == '/' && source_path.ends_with('/')) {
            source_path.push(c);
        }
    }
    if source_path.contains('\0') || decoded.split('/').any(|p| p == "..") {
        return Err(invalid());
    }
    // `os.path.splitdrive` finds no drive on POSIX.
    if resolve_path(&source_path)? != source_path {
        return Err(invalid());
    }
    Ok(())
}

/// `_normalized_uri_parts` (handlers.py): lower-cased scheme and authority, and the non-empty
/// path segments, each percent-decoded until stable.
fn normalized_uri_parts(uri: &str) -> Result<(String, String, Vec<String>)> {
    let parts = urlsplit(uri, true)?;
    let segments = parts
        .path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(unquote_repeatedly)
        .collect();
    Ok((parts.scheme, parts.netloc.to_lowercase(), segments))
}

/// `_is_uri_within_root` (handlers.py): same scheme and authority, and the root's (non-empty)
/// decoded segments are a prefix of the source's.
pub fn is_uri_within_root(source: &str, root: &str) -> Result<bool> {
    let (source_scheme, source_authority, source_parts) = normalized_uri_parts(source)?;
    let (root_scheme, root_authority, root_parts) = normalized_uri_parts(root)?;
    Ok(source_scheme == root_scheme
        && source_authority == root_authority
        && !root_parts.is_empty()
        && source_parts.starts_with(&root_parts))
}

/// `_is_mlflow_artifact_source` (handlers.py): an `mlflow-artifacts:` URI, or an http(s) URL
/// whose decoded path contains the segments `api/2.0/mlflow-artifacts/artifacts`.
pub fn is_mlflow_artifact_source(source: &str) -> Result<bool> {
    let (scheme, _, parts) = normalized_uri_parts(source)?;
    if scheme == "mlflow-artifacts" {
        return Ok(true);
    }
    const ROUTE: [&str; 4] = ["api", "2.0", "mlflow-artifacts", "artifacts"];
    Ok(matches!(scheme.as_str(), "http" | "https")
        && parts.windows(ROUTE.len()).any(|w| w == ROUTE))
}

/// `RunsArtifactRepository.parse_runs_uri`: `(run_id, artifact_path)`, the path `None` when
/// empty. Errors are MLflow's code-less `MlflowException` (`INTERNAL_ERROR`).
pub fn parse_runs_uri(uri: &str) -> Result<(String, Option<String>)> {
    let improper = || {
        MlflowError::new(
            ErrorCode::INTERNAL_ERROR,
            format!(
                "Not a proper runs:/ URI: {uri}. Runs URIs must be of the form \
                 'runs:/<run_id>/run-relative/path/to/artifact'"
            ),
        )
    };
    let parsed = urlparse(uri, true)?;
    if parsed.scheme != "runs" {
        return Err(improper());
    }
    let Some(path) = parsed.path.strip_prefix('/').filter(|p| !p.is_empty()) else {
        return Err(improper());
    };
    let (run_id, artifact_path) = match path.split_once('/') {
        Some((run_id, rest)) => (run_id, Some(rest).filter(|r| !r.is_empty())),
        None => (path, None),
    };
    if run_id.is_empty() {
        return Err(improper());
    }
    Ok((run_id.to_owned(), artifact_path.map(str::to_owned)))
}

/// `ParsedModelUri`: exactly one of `model_id`, `name` alone (latest), `name` + `version`,
/// `name` + `stage` or `name` + `alias` is set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModelUri {
    pub name: Option<String>,
    pub version: Option<String>,
    pub stage: Option<String>,
    pub alias: Option<String>,
    pub model_id: Option<String>,
}

/// `str.isspace()`: Rust's `White_Space` plus the separators U+001C..U+001F.
fn py_isspace(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// `s.strip() == ""`.
fn py_is_blank(s: &str) -> bool {
    s.chars().all(py_isspace)
}

/// `str.isdigit()` (Unicode 14.0, as in Python 3.11): `Numeric_Type` Decimal or Digit, so
/// `"٣"` and `"²"` count, which makes `models:/m/²` a version rather than a stage.
fn py_isdigit(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| {
            PY_DIGIT_RANGES
                .binary_search_by(|&(lo, hi)| {
                    if hi < c {
                        std::cmp::Ordering::Less
                    } else if lo > c {
                        std::cmp::Ordering::Greater
                    } else {
                        std::cmp::Ordering::Equal
                    }
                })
                .is_ok()
        })
}

/// `mlflow.store.artifact.utils.models._parse_model_uri(uri)` (scheme `models`): one path
/// segment is a model ID (`models:/m-…`) unless it contains `@` (`name@alias`); two are
/// `name/suffix`, the suffix a version when all digits, `latest` in any case, else a stage.
/// Errors are MLflow's code-less `MlflowException` (`INTERNAL_ERROR`).
pub fn parse_model_uri(uri: &str) -> Result<ModelUri> {
    let improper = || {
        MlflowError::new(
            ErrorCode::INTERNAL_ERROR,
            format!(
                "Not a proper models:/ URI: {uri}. Models URIs must be of the form \
                 'models:/name/suffix' or 'models:/name@alias' where suffix is a version, stage, \
                 or the string 'latest' and where alias is a registered model alias. Only one \
                 of suffix or alias can be defined at a time."
            ),
        )
    };
    let parsed = urlparse(uri, false)?;
    if parsed.scheme != "models" {
        return Err(improper());
    }
    let path = parsed.path.as_str();
    if !path.starts_with('/') || path.len() <= 1 {
        return Err(improper());
    }
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    if parts.len() > 2 || py_is_blank(parts[0]) {
        return Err(improper());
    }
    let some = |s: &str| Some(s.to_owned());
    if let [name, suffix] = parts[..] {
        if py_is_blank(suffix) {
            return Err(improper());
        }
        return Ok(if py_isdigit(suffix) {
            ModelUri {
                name: some(name),
                version: some(suffix),
                ..ModelUri::default()
            }
        } else if suffix.to_lowercase() == "latest" {
            ModelUri {
                name: some(name),
                ..ModelUri::default()
            }
        } else {
            ModelUri {
                name: some(name),
                stage: some(suffix),
                ..ModelUri::default()
            }
        });
    }
    if path.contains('@') {
        return match parts[0].rsplit_once('@') {
            Some((name, alias)) if !py_is_blank(alias) => Ok(ModelUri {
                name: some(name),
                alias: some(alias),
                ..ModelUri::default()
            }),
            _ => Err(improper()),
        };
    }
    Ok(ModelUri {
        model_id: some(parts[0]),
        ..ModelUri::default()
    })
}

/// The code points for which Python 3.11's `str.isdigit()` is true (Unicode 14.0), generated
/// with `unicodedata`.
const PY_DIGIT_RANGES: [(char, char); 81] = [
    ('\u{30}', '\u{39}'),
    ('\u{b2}', '\u{b3}'),
    ('\u{b9}', '\u{b9}'),
    ('\u{660}', '\u{669}'),
    ('\u{6f0}', '\u{6f9}'),
    ('\u{7c0}', '\u{7c9}'),
    ('\u{966}', '\u{96f}'),
    ('\u{9e6}', '\u{9ef}'),
    ('\u{a66}', '\u{a6f}'),
    ('\u{ae6}', '\u{aef}'),
    ('\u{b66}', '\u{b6f}'),
    ('\u{be6}', '\u{bef}'),
    ('\u{c66}', '\u{c6f}'),
    ('\u{ce6}', '\u{cef}'),
    ('\u{d66}', '\u{d6f}'),
    ('\u{de6}', '\u{def}'),
    ('\u{e50}', '\u{e59}'),
    ('\u{ed0}', '\u{ed9}'),
    ('\u{f20}', '\u{f29}'),
    ('\u{1040}', '\u{1049}'),
    ('\u{1090}', '\u{1099}'),
    ('\u{1369}', '\u{1371}'),
    ('\u{17e0}', '\u{17e9}'),
    ('\u{1810}', '\u{1819}'),
    ('\u{1946}', '\u{194f}'),
    ('\u{19d0}', '\u{19da}'),
    ('\u{1a80}', '\u{1a89}'),
    ('\u{1a90}', '\u{1a99}'),
    ('\u{1b50}', '\u{1b59}'),
    ('\u{1bb0}', '\u{1bb9}'),
    ('\u{1c40}', '\u{1c49}'),
    ('\u{1c50}', '\u{1c59}'),
    ('\u{2070}', '\u{2070}'),
    ('\u{2074}', '\u{2079}'),
    ('\u{2080}', '\u{2089}'),
    ('\u{2460}', '\u{2468}'),
    ('\u{2474}', '\u{247c}'),
    ('\u{2488}', '\u{2490}'),
    ('\u{24ea}', '\u{24ea}'),
    ('\u{24f5}', '\u{24fd}'),
    ('\u{24ff}', '\u{24ff}'),
    ('\u{2776}', '\u{277e}'),
    ('\u{2780}', '\u{2788}'),
    ('\u{278a}', '\u{2792}'),
    ('\u{a620}', '\u{a629}'),
    ('\u{a8d0}', '\u{a8d9}'),
    ('\u{a900}', '\u{a909}'),
    ('\u{a9d0}', '\u{a9d9}'),
    ('\u{a9f0}', '\u{a9f9}'),
    ('\u{aa50}', '\u{aa59}'),
    ('\u{abf0}', '\u{abf9}'),
    ('\u{ff10}', '\u{ff19}'),
    ('\u{104a0}', '\u{104a9}'),
    ('\u{10a40}', '\u{10a43}'),
    ('\u{10d30}', '\u{10d39}'),
    ('\u{10e60}', '\u{10e68}'),
    ('\u{11052}', '\u{1105a}'),
    ('\u{11066}', '\u{1106f}'),
    ('\u{110f0}', '\u{110f9}'),
    ('\u{11136}', '\u{1113f}'),
    ('\u{111d0}', '\u{111d9}'),
    ('\u{112f0}', '\u{112f9}'),
    ('\u{11450}', '\u{11459}'),
    ('\u{114d0}', '\u{114d9}'),
    ('\u{11650}', '\u{11659}'),
    ('\u{116c0}', '\u{116c9}'),
    ('\u{11730}', '\u{11739}'),
    ('\u{118e0}', '\u{118e9}'),
    ('\u{11950}', '\u{11959}'),
    ('\u{11c50}', '\u{11c59}'),
    ('\u{11d50}', '\u{11d59}'),
    ('\u{11da0}', '\u{11da9}'),
    ('\u{16a60}', '\u{16a69}'),
    ('\u{16ac0}', '\u{16ac9}'),
    ('\u{16b50}', '\u{16b59}'),
    ('\u{1d7ce}', '\u{1d7ff}'),
    ('\u{1e140}', '\u{1e149}'),
    ('\u{1e2f0}', '\u{1e2f9}'),
    ('\u{1e950}', '\u{1e959}'),
    ('\u{1f100}', '\u{1f10a}'),
    ('\u{1fbf0}', '\u{1fbf9}'),
];

#[cfg(test)]
mod tests {
    //! Every expected value below was produced by running the Python functions of MLflow
    //! 3.17.2 (Python 3.11.7) on the same input.

    use super::*;

    /// One source and what MLflow's functions make of it. `Err("500")`: Python raised
    /// something other than `MlflowException`; `Err("improper")`: the "Not a proper" error;
    /// `Err("CODE:message")`: that `MlflowException`. `validate` is "ok", "400" (the relative
    /// path message) or "500". `local_path` is `None` where Python raises.
    struct V {
        input: &'static str,
        urlparse: Option<[&'static str; 6]>,
        urlsplit: Option<[&'static str; 5]>,
        urlparse_nofrag: Option<[&'static str; 6]>,
        is_local: Result<bool, &'static str>,
        local_path: Option<&'static str>,
        validate: &'static str,
        artifact_source: Result<bool, &'static str>,
        runs: Result<(&'static str, Option<&'static str>), &'static str>,
        /// name, version, stage, alias, model_id
        model: Result<[Option<&'static str>; 5], &'static str>,
    }

    fn parts6(p: &UrlParts) -> [&str; 6] {
        [
            &p.scheme,
            &p.netloc,
            &p.path,
            &p.params,
            &p.query,
            &p.fragment,
        ]
    }

    fn check_err(what: &str, input: &str, got: &MlflowError, want: &str) {
        match want {
            // Python crashed (a bare 500 from Flask): a 400 here.
            "500" => assert_eq!(
                got.code,
                ErrorCode::INVALID_PARAMETER_VALUE,
                "{what} {input:?}: {got:?}"
            ),
            "improper" => {
                assert_eq!(got.code, ErrorCode::INTERNAL_ERROR, "{what} {input:?}");
                assert!(
                    got.message.starts_with("Not a proper "),
                    "{what} {input:?}: {got:?}"
                );
                assert!(
                    got.message.contains(&format!(" URI: {input}. ")),
                    "{what} {input:?}: {got:?}"
                );
            }
            coded => {
                let (code, message) = coded.split_once(':').unwrap();
                assert_eq!(format!("{:?}", got.code), code, "{what} {input:?}");
                assert_eq!(got.message, message, "{what} {input:?}");
            }
        }
    }

    fn check_bool(what: &str, input: &str, got: Result<bool>, want: Result<bool, &str>) {
        match (got, want) {
            (Ok(g), Ok(w)) => assert_eq!(g, w, "{what} {input:?}"),
            (Err(g), Err(w)) => check_err(what, input, &g, w),
            (g, w) => panic!("{what} {input:?}: got {g:?}, want {w:?}"),
        }
    }

    #[test]
    fn sources_match_python() {
        let mut checks = 0;
        for v in VECTORS {
            let input = v.input;
            match (urlparse(input, true), v.urlparse) {
                (Ok(p), Some(want)) => {
                    assert_eq!(parts6(&p), want, "urlparse {input:?}");
                    assert_eq!(url_scheme(input), want[0], "url_scheme {input:?}");
                    assert_eq!(url_netloc(input), want[1], "url_netloc {input:?}");
                }
                (Err(e), None) => assert_eq!(e.code, ErrorCode::INVALID_PARAMETER_VALUE),
                (got, want) => panic!("urlparse {input:?}: got {got:?}, want {want:?}"),
            }
            match (urlsplit(input, true), v.urlsplit) {
                (Ok(p), Some(want)) => {
                    assert!(p.params.is_empty());
                    assert_eq!(
                        [&*p.scheme, &p.netloc, &p.path, &p.query, &p.fragment],
                        want,
                        "urlsplit {input:?}"
                    );
                }
                (Err(_), None) => {}
                (got, want) => panic!("urlsplit {input:?}: got {got:?}, want {want:?}"),
            }
            match (urlparse(input, false), v.urlparse_nofrag) {
                (Ok(p), Some(want)) => assert_eq!(parts6(&p), want, "urlparse nofrag {input:?}"),
                (Err(_), None) => {}
                (got, want) => panic!("urlparse nofrag {input:?}: got {got:?}, want {want:?}"),
            }
            check_bool("is_local_uri", input, is_local_uri(input), v.is_local);
            if let Some(want) = v.local_path {
                assert_eq!(local_file_uri_to_path(input), want, "local path {input:?}");
            }
            match (
                validate_non_local_source_contains_relative_paths(input),
                v.validate,
            ) {
                (Ok(()), "ok") => {}
                (Err(e), "400") => {
                    assert_eq!(
                        e.code,
                        ErrorCode::INVALID_PARAMETER_VALUE,
                        "validate {input:?}"
                    );
                    assert_eq!(
                        e.message,
                        format!(
                            "Invalid model version source: '{input}'. If supplying a source as \
                             an http, https, local file path, ftp, objectstore, or \
                             mlflow-artifacts uri, an absolute path must be provided without \
                             relative path references present. Please provide an absolute path."
                        )
                    );
                }
                (Err(e), "500") => {
                    assert_eq!(e.code, ErrorCode::INVALID_PARAMETER_VALUE, "{input:?}")
                }
                (got, want) => panic!("validate {input:?}: got {got:?}, want {want}"),
            }
            check_bool(
                "is_mlflow_artifact_source",
                input,
                is_mlflow_artifact_source(input),
                v.artifact_source,
            );
            match (parse_runs_uri(input), v.runs) {
                (Ok((id, path)), Ok((want_id, want_path))) => {
                    assert_eq!(
                        (id.as_str(), path.as_deref()),
                        (want_id, want_path),
                        "{input:?}"
                    )
                }
                (Err(e), Err(want)) => check_err("parse_runs_uri", input, &e, want),
                (got, want) => panic!("parse_runs_uri {input:?}: got {got:?}, want {want:?}"),
            }
            match (parse_model_uri(input), v.model) {
                (Ok(m), Ok(want)) => assert_eq!(
                    [
                        m.name.as_deref(),
                        m.version.as_deref(),
                        m.stage.as_deref(),
                        m.alias.as_deref(),
                        m.model_id.as_deref()
                    ],
                    want,
                    "parse_model_uri {input:?}"
                ),
                (Err(e), Err(want)) => check_err("parse_model_uri", input, &e, want),
                (got, want) => panic!("parse_model_uri {input:?}: got {got:?}, want {want:?}"),
            }
            checks += 1;
        }
        assert_eq!(checks, VECTORS.len());
    }

    #[test]
    fn within_root_matches_python() {
        for &(source, root, want) in WITHIN_ROOT {
            check_bool(
                "is_uri_within_root",
                source,
                is_uri_within_root(source, root),
                want,
            );
        }
    }

    #[test]
    fn exact_error_messages() {
        let e = parse_runs_uri("runs:").unwrap_err();
        assert_eq!(
            e.message,
            "Not a proper runs:/ URI: runs:. Runs URIs must be of the form \
             'runs:/<run_id>/run-relative/path/to/artifact'"
        );
        let e = parse_model_uri("models:/m/1/2").unwrap_err();
        assert_eq!(
            e.message,
            "Not a proper models:/ URI: models:/m/1/2. Models URIs must be of the form \
             'models:/name/suffix' or 'models:/name@alias' where suffix is a version, stage, or \
             the string 'latest' and where alias is a registered model alias. Only one of \
             suffix or alias can be defined at a time."
        );
    }

    /// The tree the Python oracle resolved against, rebuilt under a fresh directory `{T}`.
    #[cfg(unix)]
    fn fixture() -> (tempfile::TempDir, String) {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let t = dir
            .path()
            .canonicalize()
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        std::fs::create_dir_all(format!("{t}/real/artifacts/model")).unwrap();
        std::fs::create_dir_all(format!("{t}/other")).unwrap();
        symlink(format!("{t}/real"), format!("{t}/link")).unwrap();
        symlink("real/artifacts", format!("{t}/rel_link")).unwrap();
        symlink(format!("{t}/loop_a"), format!("{t}/loop_b")).unwrap();
        symlink(format!("{t}/loop_b"), format!("{t}/loop_a")).unwrap();
        symlink("../other", format!("{t}/real/up")).unwrap();
        symlink("/", format!("{t}/root_link")).unwrap();
        (dir, t)
    }

    #[cfg(unix)]
    fn expand(s: &str, t: &str) -> String {
        let cwd = std::env::current_dir().unwrap();
        let parent = cwd.parent().unwrap().to_str().unwrap();
        s.replace("{T}", t)
            .replace("{CWD}", cwd.to_str().unwrap())
            .replace("{PARENT}", parent)
    }

    #[cfg(unix)]
    #[test]
    fn resolve_matches_python() {
        let (_dir, t) = fixture();
        for &(input, want) in RESOLVE {
            let got = resolve_path(&expand(input, &t));
            match want {
                Some(w) => assert_eq!(got.ok(), Some(expand(w, &t)), "resolve {input:?}"),
                None => assert_eq!(
                    got.map_err(|e| e.code),
                    Err(ErrorCode::INVALID_PARAMETER_VALUE)
                ),
            }
        }
    }

    #[cfg(unix)]
    #[test]
    fn path_within_matches_python() {
        let (_dir, t) = fixture();
        for &(dir, source, want) in PATH_WITHIN {
            let got = path_is_within(&expand(dir, &t), &expand(source, &t));
            assert_eq!(got.ok(), want, "path_is_within({dir:?}, {source:?})");
        }
    }

    const VECTORS: &[V] = &[
        V {
            input: "mlflow-artifacts://host:port/../../../../",
            urlparse: Some(["mlflow-artifacts", "host:port", "/../../../../", "", "", ""]),
            urlsplit: Some(["mlflow-artifacts", "host:port", "/../../../../", "", ""]),
            urlparse_nofrag: Some(["mlflow-artifacts", "host:port", "/../../../../", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("mlflow-artifacts://host:port/../../../../"),
            validate: "400",
            artifact_source: Ok(true),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "http://host:port/api/2.0/mlflow-artifacts/artifacts/../../../../",
            urlparse: Some(["http", "host:port", "/api/2.0/mlflow-artifacts/artifacts/../../../../", "", "", ""]),
            urlsplit: Some(["http", "host:port", "/api/2.0/mlflow-artifacts/artifacts/../../../../", "", ""]),
            urlparse_nofrag: Some(["http", "host:port", "/api/2.0/mlflow-artifacts/artifacts/../../../../", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("http://host:port/api/2.0/mlflow-artifacts/artifacts/../../../../"),
            validate: "400",
            artifact_source: Ok(true),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "https://host:port/api/2.0/mlflow-artifacts/artifacts/../../../../",
            urlparse: Some(["https", "host:port", "/api/2.0/mlflow-artifacts/artifacts/../../../../", "", "", ""]),
            urlsplit: Some(["https", "host:port", "/api/2.0/mlflow-artifacts/artifacts/../../../../", "", ""]),
            urlparse_nofrag: Some(["https", "host:port", "/api/2.0/mlflow-artifacts/artifacts/../../../../", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("https://host:port/api/2.0/mlflow-artifacts/artifacts/../../../../"),
            validate: "400",
            artifact_source: Ok(true),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "/models/artifacts/../../../",
            urlparse: Some(["", "", "/models/artifacts/../../../", "", "", ""]),
            urlsplit: Some(["", "", "/models/artifacts/../../../", "", ""]),
            urlparse_nofrag: Some(["", "", "/models/artifacts/../../../", "", "", ""]),
            is_local: Ok(true),
            local_path: Some("/models/artifacts/../../../"),
            validate: "400",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "s3:/my_bucket/models/path/../../other/path",
            urlparse: Some(["s3", "", "/my_bucket/models/path/../../other/path", "", "", ""]),
            urlsplit: Some(["s3", "", "/my_bucket/models/path/../../other/path", "", ""]),
            urlparse_nofrag: Some(["s3", "", "/my_bucket/models/path/../../other/path", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("s3:/my_bucket/models/path/../../other/path"),
            validate: "400",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "file://path/to/../../../../some/where/you/should/not/be",
            urlparse: Some(["file", "path", "/to/../../../../some/where/you/should/not/be", "", "", ""]),
            urlsplit: Some(["file", "path", "/to/../../../../some/where/you/should/not/be", "", ""]),
            urlparse_nofrag: Some(["file", "path", "/to/../../../../some/where/you/should/not/be", "", "", ""]),
            is_local: Err("INTERNAL_ERROR:file://path/to/../../../../some/where/you/should/not/be is not a valid remote uri. For remote access on windows, please consider using a different scheme such as SMB (e.g. smb://<hostname>/<path>)."),
            local_path: Some("/to/../../../../some/where/you/should/not/be"),
            validate: "400",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "mlflow-artifacts://host:port/..%2f..%2f..%2f..%2f",
            urlparse: Some(["mlflow-artifacts", "host:port", "/..%2f..%2f..%2f..%2f", "", "", ""]),
            urlsplit: Some(["mlflow-artifacts", "host:port", "/..%2f..%2f..%2f..%2f", "", ""]),
            urlparse_nofrag: Some(["mlflow-artifacts", "host:port", "/..%2f..%2f..%2f..%2f", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("mlflow-artifacts://host:port/../../../../"),
            validate: "400",
            artifact_source: Ok(true),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "http://host:port/api/2.0/mlflow-artifacts/artifacts%00",
            urlparse: Some(["http", "host:port", "/api/2.0/mlflow-artifacts/artifacts%00", "", "", ""]),
            urlsplit: Some(["http", "host:port", "/api/2.0/mlflow-artifacts/artifacts%00", "", ""]),
            urlparse_nofrag: Some(["http", "host:port", "/api/2.0/mlflow-artifacts/artifacts%00", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("http://host:port/api/2.0/mlflow-artifacts/artifacts\u{0}"),
            validate: "400",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "s3://bucket/a/%2e%2e/b",
            urlparse: Some(["s3", "bucket", "/a/%2e%2e/b", "", "", ""]),
            urlsplit: Some(["s3", "bucket", "/a/%2e%2e/b", "", ""]),
            urlparse_nofrag: Some(["s3", "bucket", "/a/%2e%2e/b", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("s3://bucket/a/../b"),
            validate: "400",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "s3://bucket/a/%2E%2E",
            urlparse: Some(["s3", "bucket", "/a/%2E%2E", "", "", ""]),
            urlsplit: Some(["s3", "bucket", "/a/%2E%2E", "", ""]),
            urlparse_nofrag: Some(["s3", "bucket", "/a/%2E%2E", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("s3://bucket/a/.."),
            validate: "400",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "s3://bucket/a/%252e%252e/b",
            urlparse: Some(["s3", "bucket", "/a/%252e%252e/b", "", "", ""]),
            urlsplit: Some(["s3", "bucket", "/a/%252e%252e/b", "", ""]),
            urlparse_nofrag: Some(["s3", "bucket", "/a/%252e%252e/b", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("s3://bucket/a/%2e%2e/b"),
            validate: "400",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "s3://bucket/a/%25252e%25252e/b",
            urlparse: Some(["s3", "bucket", "/a/%25252e%25252e/b", "", "", ""]),
            urlsplit: Some(["s3", "bucket", "/a/%25252e%25252e/b", "", ""]),
            urlparse_nofrag: Some(["s3", "bucket", "/a/%25252e%25252e/b", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("s3://bucket/a/%252e%252e/b"),
            validate: "400",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "s3://bucket/a+b/c",
            urlparse: Some(["s3", "bucket", "/a+b/c", "", "", ""]),
            urlsplit: Some(["s3", "bucket", "/a+b/c", "", ""]),
            urlparse_nofrag: Some(["s3", "bucket", "/a+b/c", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("s3://bucket/a+b/c"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "s3://bucket/a%2Bb",
            urlparse: Some(["s3", "bucket", "/a%2Bb", "", "", ""]),
            urlsplit: Some(["s3", "bucket", "/a%2Bb", "", ""]),
            urlparse_nofrag: Some(["s3", "bucket", "/a%2Bb", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("s3://bucket/a+b"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "s3://bucket/a%252Bb",
            urlparse: Some(["s3", "bucket", "/a%252Bb", "", "", ""]),
            urlsplit: Some(["s3", "bucket", "/a%252Bb", "", ""]),
            urlparse_nofrag: Some(["s3", "bucket", "/a%252Bb", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("s3://bucket/a%2Bb"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "s3://bucket/%00/x",
            urlparse: Some(["s3", "bucket", "/%00/x", "", "", ""]),
            urlsplit: Some(["s3", "bucket", "/%00/x", "", ""]),
            urlparse_nofrag: Some(["s3", "bucket", "/%00/x", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("s3://bucket/\u{0}/x"),
            validate: "400",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "%00/x",
            urlparse: Some(["", "", "%00/x", "", "", ""]),
            urlsplit: Some(["", "", "%00/x", "", ""]),
            urlparse_nofrag: Some(["", "", "%00/x", "", "", ""]),
            is_local: Ok(true),
            local_path: Some("\u{0}/x"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "s3://bucket/a%2fb",
            urlparse: Some(["s3", "bucket", "/a%2fb", "", "", ""]),
            urlsplit: Some(["s3", "bucket", "/a%2fb", "", ""]),
            urlparse_nofrag: Some(["s3", "bucket", "/a%2fb", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("s3://bucket/a/b"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "s3://bucket/%C3%A9",
            urlparse: Some(["s3", "bucket", "/%C3%A9", "", "", ""]),
            urlsplit: Some(["s3", "bucket", "/%C3%A9", "", ""]),
            urlparse_nofrag: Some(["s3", "bucket", "/%C3%A9", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("s3://bucket/\u{e9}"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "s3://bucket/%E9",
            urlparse: Some(["s3", "bucket", "/%E9", "", "", ""]),
            urlsplit: Some(["s3", "bucket", "/%E9", "", ""]),
            urlparse_nofrag: Some(["s3", "bucket", "/%E9", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("s3://bucket/\u{fffd}"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "s3://bucket/%ED%A0%80",
            urlparse: Some(["s3", "bucket", "/%ED%A0%80", "", "", ""]),
            urlsplit: Some(["s3", "bucket", "/%ED%A0%80", "", ""]),
            urlparse_nofrag: Some(["s3", "bucket", "/%ED%A0%80", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("s3://bucket/\u{fffd}\u{fffd}\u{fffd}"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "s3://bucket/%zz",
            urlparse: Some(["s3", "bucket", "/%zz", "", "", ""]),
            urlsplit: Some(["s3", "bucket", "/%zz", "", ""]),
            urlparse_nofrag: Some(["s3", "bucket", "/%zz", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("s3://bucket/%zz"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "s3://bucket/\u{e9}",
            urlparse: Some(["s3", "bucket", "/\u{e9}", "", "", ""]),
            urlsplit: Some(["s3", "bucket", "/\u{e9}", "", ""]),
            urlparse_nofrag: Some(["s3", "bucket", "/\u{e9}", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("s3://bucket/\u{e9}"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "s3://bucket/a/../b",
            urlparse: Some(["s3", "bucket", "/a/../b", "", "", ""]),
            urlsplit: Some(["s3", "bucket", "/a/../b", "", ""]),
            urlparse_nofrag: Some(["s3", "bucket", "/a/../b", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("s3://bucket/a/../b"),
            validate: "400",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "s3://bucket/a/./b",
            urlparse: Some(["s3", "bucket", "/a/./b", "", "", ""]),
            urlsplit: Some(["s3", "bucket", "/a/./b", "", ""]),
            urlparse_nofrag: Some(["s3", "bucket", "/a/./b", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("s3://bucket/a/./b"),
            validate: "400",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "s3://bucket/a//b",
            urlparse: Some(["s3", "bucket", "/a//b", "", "", ""]),
            urlsplit: Some(["s3", "bucket", "/a//b", "", ""]),
            urlparse_nofrag: Some(["s3", "bucket", "/a//b", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("s3://bucket/a//b"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "s3://bucket/a/b/",
            urlparse: Some(["s3", "bucket", "/a/b/", "", "", ""]),
            urlsplit: Some(["s3", "bucket", "/a/b/", "", ""]),
            urlparse_nofrag: Some(["s3", "bucket", "/a/b/", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("s3://bucket/a/b/"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "s3://bucket/a/b//",
            urlparse: Some(["s3", "bucket", "/a/b//", "", "", ""]),
            urlsplit: Some(["s3", "bucket", "/a/b//", "", ""]),
            urlparse_nofrag: Some(["s3", "bucket", "/a/b//", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("s3://bucket/a/b//"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "s3://bucket",
            urlparse: Some(["s3", "bucket", "", "", "", ""]),
            urlsplit: Some(["s3", "bucket", "", "", ""]),
            urlparse_nofrag: Some(["s3", "bucket", "", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("s3://bucket"),
            validate: "400",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "s3://bucket/",
            urlparse: Some(["s3", "bucket", "/", "", "", ""]),
            urlsplit: Some(["s3", "bucket", "/", "", ""]),
            urlparse_nofrag: Some(["s3", "bucket", "/", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("s3://bucket/"),
            validate: "400",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "s3:/bucket/x",
            urlparse: Some(["s3", "", "/bucket/x", "", "", ""]),
            urlsplit: Some(["s3", "", "/bucket/x", "", ""]),
            urlparse_nofrag: Some(["s3", "", "/bucket/x", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("s3:/bucket/x"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "S3://Bucket/X",
            urlparse: Some(["s3", "Bucket", "/X", "", "", ""]),
            urlsplit: Some(["s3", "Bucket", "/X", "", ""]),
            urlparse_nofrag: Some(["s3", "Bucket", "/X", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("S3://Bucket/X"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "s3://bucket/a..b/c",
            urlparse: Some(["s3", "bucket", "/a..b/c", "", "", ""]),
            urlsplit: Some(["s3", "bucket", "/a..b/c", "", ""]),
            urlparse_nofrag: Some(["s3", "bucket", "/a..b/c", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("s3://bucket/a..b/c"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "s3://bucket/../",
            urlparse: Some(["s3", "bucket", "/../", "", "", ""]),
            urlsplit: Some(["s3", "bucket", "/../", "", ""]),
            urlparse_nofrag: Some(["s3", "bucket", "/../", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("s3://bucket/../"),
            validate: "400",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "s3://bucket/x?q=../..",
            urlparse: Some(["s3", "bucket", "/x", "", "q=../..", ""]),
            urlsplit: Some(["s3", "bucket", "/x", "q=../..", ""]),
            urlparse_nofrag: Some(["s3", "bucket", "/x", "", "q=../..", ""]),
            is_local: Ok(false),
            local_path: Some("s3://bucket/x?q=../.."),
            validate: "400",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "s3://bucket/x#../..",
            urlparse: Some(["s3", "bucket", "/x", "", "", "../.."]),
            urlsplit: Some(["s3", "bucket", "/x", "", "../.."]),
            urlparse_nofrag: Some(["s3", "bucket", "/x#../..", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("s3://bucket/x#../.."),
            validate: "400",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "s3://bucket/a;b/c",
            urlparse: Some(["s3", "bucket", "/a;b/c", "", "", ""]),
            urlsplit: Some(["s3", "bucket", "/a;b/c", "", ""]),
            urlparse_nofrag: Some(["s3", "bucket", "/a;b/c", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("s3://bucket/a;b/c"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "s3://bucket/..;x",
            urlparse: Some(["s3", "bucket", "/..;x", "", "", ""]),
            urlsplit: Some(["s3", "bucket", "/..;x", "", ""]),
            urlparse_nofrag: Some(["s3", "bucket", "/..;x", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("s3://bucket/..;x"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "mlflow-artifacts:/1/abc/artifacts/model",
            urlparse: Some(["mlflow-artifacts", "", "/1/abc/artifacts/model", "", "", ""]),
            urlsplit: Some(["mlflow-artifacts", "", "/1/abc/artifacts/model", "", ""]),
            urlparse_nofrag: Some(["mlflow-artifacts", "", "/1/abc/artifacts/model", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("mlflow-artifacts:/1/abc/artifacts/model"),
            validate: "ok",
            artifact_source: Ok(true),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "mlflow-artifacts://host:5000/x",
            urlparse: Some(["mlflow-artifacts", "host:5000", "/x", "", "", ""]),
            urlsplit: Some(["mlflow-artifacts", "host:5000", "/x", "", ""]),
            urlparse_nofrag: Some(["mlflow-artifacts", "host:5000", "/x", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("mlflow-artifacts://host:5000/x"),
            validate: "ok",
            artifact_source: Ok(true),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "mlflow-artifacts:/",
            urlparse: Some(["mlflow-artifacts", "", "/", "", "", ""]),
            urlsplit: Some(["mlflow-artifacts", "", "/", "", ""]),
            urlparse_nofrag: Some(["mlflow-artifacts", "", "/", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("mlflow-artifacts:/"),
            validate: "400",
            artifact_source: Ok(true),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "mlflow-artifacts:",
            urlparse: Some(["mlflow-artifacts", "", "", "", "", ""]),
            urlsplit: Some(["mlflow-artifacts", "", "", "", ""]),
            urlparse_nofrag: Some(["mlflow-artifacts", "", "", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("mlflow-artifacts:"),
            validate: "400",
            artifact_source: Ok(true),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "MLFLOW-ARTIFACTS:/1/x",
            urlparse: Some(["mlflow-artifacts", "", "/1/x", "", "", ""]),
            urlsplit: Some(["mlflow-artifacts", "", "/1/x", "", ""]),
            urlparse_nofrag: Some(["mlflow-artifacts", "", "/1/x", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("MLFLOW-ARTIFACTS:/1/x"),
            validate: "ok",
            artifact_source: Ok(true),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "mlflow-artifacts:/1/%2e%2e/x",
            urlparse: Some(["mlflow-artifacts", "", "/1/%2e%2e/x", "", "", ""]),
            urlsplit: Some(["mlflow-artifacts", "", "/1/%2e%2e/x", "", ""]),
            urlparse_nofrag: Some(["mlflow-artifacts", "", "/1/%2e%2e/x", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("mlflow-artifacts:/1/../x"),
            validate: "400",
            artifact_source: Ok(true),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "http://h/api/2.0/mlflow-artifacts/artifacts/1/x",
            urlparse: Some(["http", "h", "/api/2.0/mlflow-artifacts/artifacts/1/x", "", "", ""]),
            urlsplit: Some(["http", "h", "/api/2.0/mlflow-artifacts/artifacts/1/x", "", ""]),
            urlparse_nofrag: Some(["http", "h", "/api/2.0/mlflow-artifacts/artifacts/1/x", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("http://h/api/2.0/mlflow-artifacts/artifacts/1/x"),
            validate: "ok",
            artifact_source: Ok(true),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "HTTP://H/API/2.0/mlflow-artifacts/artifacts/1/x",
            urlparse: Some(["http", "H", "/API/2.0/mlflow-artifacts/artifacts/1/x", "", "", ""]),
            urlsplit: Some(["http", "H", "/API/2.0/mlflow-artifacts/artifacts/1/x", "", ""]),
            urlparse_nofrag: Some(["http", "H", "/API/2.0/mlflow-artifacts/artifacts/1/x", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("HTTP://H/API/2.0/mlflow-artifacts/artifacts/1/x"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "https://h/x/api/2.0/mlflow-artifacts/artifacts",
            urlparse: Some(["https", "h", "/x/api/2.0/mlflow-artifacts/artifacts", "", "", ""]),
            urlsplit: Some(["https", "h", "/x/api/2.0/mlflow-artifacts/artifacts", "", ""]),
            urlparse_nofrag: Some(["https", "h", "/x/api/2.0/mlflow-artifacts/artifacts", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("https://h/x/api/2.0/mlflow-artifacts/artifacts"),
            validate: "ok",
            artifact_source: Ok(true),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "http://h/api/2.0/mlflow-artifacts/artifact/1",
            urlparse: Some(["http", "h", "/api/2.0/mlflow-artifacts/artifact/1", "", "", ""]),
            urlsplit: Some(["http", "h", "/api/2.0/mlflow-artifacts/artifact/1", "", ""]),
            urlparse_nofrag: Some(["http", "h", "/api/2.0/mlflow-artifacts/artifact/1", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("http://h/api/2.0/mlflow-artifacts/artifact/1"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "http://h/api%2F2.0/mlflow-artifacts/artifacts/1",
            urlparse: Some(["http", "h", "/api%2F2.0/mlflow-artifacts/artifacts/1", "", "", ""]),
            urlsplit: Some(["http", "h", "/api%2F2.0/mlflow-artifacts/artifacts/1", "", ""]),
            urlparse_nofrag: Some(["http", "h", "/api%2F2.0/mlflow-artifacts/artifacts/1", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("http://h/api/2.0/mlflow-artifacts/artifacts/1"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "http://h/api/2.0/mlflow-artifacts/artifacts;p",
            urlparse: Some(["http", "h", "/api/2.0/mlflow-artifacts/artifacts", "p", "", ""]),
            urlsplit: Some(["http", "h", "/api/2.0/mlflow-artifacts/artifacts;p", "", ""]),
            urlparse_nofrag: Some(["http", "h", "/api/2.0/mlflow-artifacts/artifacts", "p", "", ""]),
            is_local: Ok(false),
            local_path: Some("http://h/api/2.0/mlflow-artifacts/artifacts;p"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "http://h/api/%32.0/mlflow-artifacts/artifacts/1",
            urlparse: Some(["http", "h", "/api/%32.0/mlflow-artifacts/artifacts/1", "", "", ""]),
            urlsplit: Some(["http", "h", "/api/%32.0/mlflow-artifacts/artifacts/1", "", ""]),
            urlparse_nofrag: Some(["http", "h", "/api/%32.0/mlflow-artifacts/artifacts/1", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("http://h/api/2.0/mlflow-artifacts/artifacts/1"),
            validate: "ok",
            artifact_source: Ok(true),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "ftp://h/a;type=i",
            urlparse: Some(["ftp", "h", "/a", "type=i", "", ""]),
            urlsplit: Some(["ftp", "h", "/a;type=i", "", ""]),
            urlparse_nofrag: Some(["ftp", "h", "/a", "type=i", "", ""]),
            is_local: Ok(false),
            local_path: Some("ftp://h/a;type=i"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "http://h/a;p/b",
            urlparse: Some(["http", "h", "/a;p/b", "", "", ""]),
            urlsplit: Some(["http", "h", "/a;p/b", "", ""]),
            urlparse_nofrag: Some(["http", "h", "/a;p/b", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("http://h/a;p/b"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "http://h/a/b;p",
            urlparse: Some(["http", "h", "/a/b", "p", "", ""]),
            urlsplit: Some(["http", "h", "/a/b;p", "", ""]),
            urlparse_nofrag: Some(["http", "h", "/a/b", "p", "", ""]),
            is_local: Ok(false),
            local_path: Some("http://h/a/b;p"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "ws://h/api/2.0/mlflow-artifacts/artifacts/1",
            urlparse: Some(["ws", "h", "/api/2.0/mlflow-artifacts/artifacts/1", "", "", ""]),
            urlsplit: Some(["ws", "h", "/api/2.0/mlflow-artifacts/artifacts/1", "", ""]),
            urlparse_nofrag: Some(["ws", "h", "/api/2.0/mlflow-artifacts/artifacts/1", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("ws://h/api/2.0/mlflow-artifacts/artifacts/1"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "runs:/0123456789abcdef0123456789abcdef/model",
            urlparse: Some(["runs", "", "/0123456789abcdef0123456789abcdef/model", "", "", ""]),
            urlsplit: Some(["runs", "", "/0123456789abcdef0123456789abcdef/model", "", ""]),
            urlparse_nofrag: Some(["runs", "", "/0123456789abcdef0123456789abcdef/model", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("runs:/0123456789abcdef0123456789abcdef/model"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Ok(("0123456789abcdef0123456789abcdef", Some("model"))),
            model: Err("improper"),
        },
        V {
            input: "runs://host/abc/model",
            urlparse: Some(["runs", "host", "/abc/model", "", "", ""]),
            urlsplit: Some(["runs", "host", "/abc/model", "", ""]),
            urlparse_nofrag: Some(["runs", "host", "/abc/model", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("runs://host/abc/model"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Ok(("abc", Some("model"))),
            model: Err("improper"),
        },
        V {
            input: "runs:/abc",
            urlparse: Some(["runs", "", "/abc", "", "", ""]),
            urlsplit: Some(["runs", "", "/abc", "", ""]),
            urlparse_nofrag: Some(["runs", "", "/abc", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("runs:/abc"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Ok(("abc", None)),
            model: Err("improper"),
        },
        V {
            input: "runs:/abc/",
            urlparse: Some(["runs", "", "/abc/", "", "", ""]),
            urlsplit: Some(["runs", "", "/abc/", "", ""]),
            urlparse_nofrag: Some(["runs", "", "/abc/", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("runs:/abc/"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Ok(("abc", None)),
            model: Err("improper"),
        },
        V {
            input: "runs:/",
            urlparse: Some(["runs", "", "/", "", "", ""]),
            urlsplit: Some(["runs", "", "/", "", ""]),
            urlparse_nofrag: Some(["runs", "", "/", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("runs:/"),
            validate: "400",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "runs:",
            urlparse: Some(["runs", "", "", "", "", ""]),
            urlsplit: Some(["runs", "", "", "", ""]),
            urlparse_nofrag: Some(["runs", "", "", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("runs:"),
            validate: "400",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "runs:abc/model",
            urlparse: Some(["runs", "", "abc/model", "", "", ""]),
            urlsplit: Some(["runs", "", "abc/model", "", ""]),
            urlparse_nofrag: Some(["runs", "", "abc/model", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("runs:abc/model"),
            validate: "400",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "RUNS:/abc/model",
            urlparse: Some(["runs", "", "/abc/model", "", "", ""]),
            urlsplit: Some(["runs", "", "/abc/model", "", ""]),
            urlparse_nofrag: Some(["runs", "", "/abc/model", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("RUNS:/abc/model"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Ok(("abc", Some("model"))),
            model: Err("improper"),
        },
        V {
            input: "runs:/abc/model#frag",
            urlparse: Some(["runs", "", "/abc/model", "", "", "frag"]),
            urlsplit: Some(["runs", "", "/abc/model", "", "frag"]),
            urlparse_nofrag: Some(["runs", "", "/abc/model#frag", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("runs:/abc/model#frag"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Ok(("abc", Some("model"))),
            model: Err("improper"),
        },
        V {
            input: "runs:/abc/model?x=1",
            urlparse: Some(["runs", "", "/abc/model", "", "x=1", ""]),
            urlsplit: Some(["runs", "", "/abc/model", "x=1", ""]),
            urlparse_nofrag: Some(["runs", "", "/abc/model", "", "x=1", ""]),
            is_local: Ok(false),
            local_path: Some("runs:/abc/model?x=1"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Ok(("abc", Some("model"))),
            model: Err("improper"),
        },
        V {
            input: "runs:/abc/a;b",
            urlparse: Some(["runs", "", "/abc/a;b", "", "", ""]),
            urlsplit: Some(["runs", "", "/abc/a;b", "", ""]),
            urlparse_nofrag: Some(["runs", "", "/abc/a;b", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("runs:/abc/a;b"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Ok(("abc", Some("a;b"))),
            model: Err("improper"),
        },
        V {
            input: "runs://abc/model",
            urlparse: Some(["runs", "abc", "/model", "", "", ""]),
            urlsplit: Some(["runs", "abc", "/model", "", ""]),
            urlparse_nofrag: Some(["runs", "abc", "/model", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("runs://abc/model"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Ok(("model", None)),
            model: Err("improper"),
        },
        V {
            input: "runs:///abc/model",
            urlparse: Some(["runs", "", "/abc/model", "", "", ""]),
            urlsplit: Some(["runs", "", "/abc/model", "", ""]),
            urlparse_nofrag: Some(["runs", "", "/abc/model", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("runs:///abc/model"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Ok(("abc", Some("model"))),
            model: Err("improper"),
        },
        V {
            input: "runs:////abc/model",
            urlparse: Some(["runs", "", "//abc/model", "", "", ""]),
            urlsplit: Some(["runs", "", "//abc/model", "", ""]),
            urlparse_nofrag: Some(["runs", "", "//abc/model", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("runs:////abc/model"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "runs:/abc//model",
            urlparse: Some(["runs", "", "/abc//model", "", "", ""]),
            urlsplit: Some(["runs", "", "/abc//model", "", ""]),
            urlparse_nofrag: Some(["runs", "", "/abc//model", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("runs:/abc//model"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Ok(("abc", Some("/model"))),
            model: Err("improper"),
        },
        V {
            input: "runs:/abc/a/b/c",
            urlparse: Some(["runs", "", "/abc/a/b/c", "", "", ""]),
            urlsplit: Some(["runs", "", "/abc/a/b/c", "", ""]),
            urlparse_nofrag: Some(["runs", "", "/abc/a/b/c", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("runs:/abc/a/b/c"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Ok(("abc", Some("a/b/c"))),
            model: Err("improper"),
        },
        V {
            input: "models:/m/1",
            urlparse: Some(["models", "", "/m/1", "", "", ""]),
            urlsplit: Some(["models", "", "/m/1", "", ""]),
            urlparse_nofrag: Some(["models", "", "/m/1", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("models:/m/1"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Ok([Some("m"), Some("1"), None, None, None]),
        },
        V {
            input: "models:/m/latest",
            urlparse: Some(["models", "", "/m/latest", "", "", ""]),
            urlsplit: Some(["models", "", "/m/latest", "", ""]),
            urlparse_nofrag: Some(["models", "", "/m/latest", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("models:/m/latest"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Ok([Some("m"), None, None, None, None]),
        },
        V {
            input: "models:/m/LATEST",
            urlparse: Some(["models", "", "/m/LATEST", "", "", ""]),
            urlsplit: Some(["models", "", "/m/LATEST", "", ""]),
            urlparse_nofrag: Some(["models", "", "/m/LATEST", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("models:/m/LATEST"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Ok([Some("m"), None, None, None, None]),
        },
        V {
            input: "models:/m/Production",
            urlparse: Some(["models", "", "/m/Production", "", "", ""]),
            urlsplit: Some(["models", "", "/m/Production", "", ""]),
            urlparse_nofrag: Some(["models", "", "/m/Production", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("models:/m/Production"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Ok([Some("m"), None, Some("Production"), None, None]),
        },
        V {
            input: "models:/m-0123456789abcdef0123456789abcdef",
            urlparse: Some(["models", "", "/m-0123456789abcdef0123456789abcdef", "", "", ""]),
            urlsplit: Some(["models", "", "/m-0123456789abcdef0123456789abcdef", "", ""]),
            urlparse_nofrag: Some(["models", "", "/m-0123456789abcdef0123456789abcdef", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("models:/m-0123456789abcdef0123456789abcdef"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Ok([None, None, None, None, Some("m-0123456789abcdef0123456789abcdef")]),
        },
        V {
            input: "models:/m-0123456789abcdef0123456789abcdef/",
            urlparse: Some(["models", "", "/m-0123456789abcdef0123456789abcdef/", "", "", ""]),
            urlsplit: Some(["models", "", "/m-0123456789abcdef0123456789abcdef/", "", ""]),
            urlparse_nofrag: Some(["models", "", "/m-0123456789abcdef0123456789abcdef/", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("models:/m-0123456789abcdef0123456789abcdef/"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "models:/name@alias",
            urlparse: Some(["models", "", "/name@alias", "", "", ""]),
            urlsplit: Some(["models", "", "/name@alias", "", ""]),
            urlparse_nofrag: Some(["models", "", "/name@alias", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("models:/name@alias"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Ok([Some("name"), None, None, Some("alias"), None]),
        },
        V {
            input: "models:/name@",
            urlparse: Some(["models", "", "/name@", "", "", ""]),
            urlsplit: Some(["models", "", "/name@", "", ""]),
            urlparse_nofrag: Some(["models", "", "/name@", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("models:/name@"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "models:/name@ ",
            urlparse: Some(["models", "", "/name@ ", "", "", ""]),
            urlsplit: Some(["models", "", "/name@ ", "", ""]),
            urlparse_nofrag: Some(["models", "", "/name@ ", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("models:/name@ "),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "models:/na@me@alias",
            urlparse: Some(["models", "", "/na@me@alias", "", "", ""]),
            urlsplit: Some(["models", "", "/na@me@alias", "", ""]),
            urlparse_nofrag: Some(["models", "", "/na@me@alias", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("models:/na@me@alias"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Ok([Some("na@me"), None, None, Some("alias"), None]),
        },
        V {
            input: "models:/@alias",
            urlparse: Some(["models", "", "/@alias", "", "", ""]),
            urlsplit: Some(["models", "", "/@alias", "", ""]),
            urlparse_nofrag: Some(["models", "", "/@alias", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("models:/@alias"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Ok([Some(""), None, None, Some("alias"), None]),
        },
        V {
            input: "models:/m/1/2",
            urlparse: Some(["models", "", "/m/1/2", "", "", ""]),
            urlsplit: Some(["models", "", "/m/1/2", "", ""]),
            urlparse_nofrag: Some(["models", "", "/m/1/2", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("models:/m/1/2"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "models:/ /1",
            urlparse: Some(["models", "", "/ /1", "", "", ""]),
            urlsplit: Some(["models", "", "/ /1", "", ""]),
            urlparse_nofrag: Some(["models", "", "/ /1", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("models:/ /1"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "models:/m/ ",
            urlparse: Some(["models", "", "/m/ ", "", "", ""]),
            urlsplit: Some(["models", "", "/m/ ", "", ""]),
            urlparse_nofrag: Some(["models", "", "/m/ ", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("models:/m/ "),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "models:/m/\u{661}\u{662}",
            urlparse: Some(["models", "", "/m/\u{661}\u{662}", "", "", ""]),
            urlsplit: Some(["models", "", "/m/\u{661}\u{662}", "", ""]),
            urlparse_nofrag: Some(["models", "", "/m/\u{661}\u{662}", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("models:/m/\u{661}\u{662}"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Ok([Some("m"), Some("\u{661}\u{662}"), None, None, None]),
        },
        V {
            input: "models:/m/\u{b2}",
            urlparse: Some(["models", "", "/m/\u{b2}", "", "", ""]),
            urlsplit: Some(["models", "", "/m/\u{b2}", "", ""]),
            urlparse_nofrag: Some(["models", "", "/m/\u{b2}", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("models:/m/\u{b2}"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Ok([Some("m"), Some("\u{b2}"), None, None, None]),
        },
        V {
            input: "models:/m/\u{2460}",
            urlparse: Some(["models", "", "/m/\u{2460}", "", "", ""]),
            urlsplit: Some(["models", "", "/m/\u{2460}", "", ""]),
            urlparse_nofrag: Some(["models", "", "/m/\u{2460}", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("models:/m/\u{2460}"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Ok([Some("m"), Some("\u{2460}"), None, None, None]),
        },
        V {
            input: "models:/m/\u{bd}",
            urlparse: Some(["models", "", "/m/\u{bd}", "", "", ""]),
            urlsplit: Some(["models", "", "/m/\u{bd}", "", ""]),
            urlparse_nofrag: Some(["models", "", "/m/\u{bd}", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("models:/m/\u{bd}"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Ok([Some("m"), None, Some("\u{bd}"), None, None]),
        },
        V {
            input: "models:/m/01",
            urlparse: Some(["models", "", "/m/01", "", "", ""]),
            urlsplit: Some(["models", "", "/m/01", "", ""]),
            urlparse_nofrag: Some(["models", "", "/m/01", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("models:/m/01"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Ok([Some("m"), Some("01"), None, None, None]),
        },
        V {
            input: "models:/m/-1",
            urlparse: Some(["models", "", "/m/-1", "", "", ""]),
            urlsplit: Some(["models", "", "/m/-1", "", ""]),
            urlparse_nofrag: Some(["models", "", "/m/-1", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("models:/m/-1"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Ok([Some("m"), None, Some("-1"), None, None]),
        },
        V {
            input: "models:/m/1.0",
            urlparse: Some(["models", "", "/m/1.0", "", "", ""]),
            urlsplit: Some(["models", "", "/m/1.0", "", ""]),
            urlparse_nofrag: Some(["models", "", "/m/1.0", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("models:/m/1.0"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Ok([Some("m"), None, Some("1.0"), None, None]),
        },
        V {
            input: "models:/m/1#x",
            urlparse: Some(["models", "", "/m/1", "", "", "x"]),
            urlsplit: Some(["models", "", "/m/1", "", "x"]),
            urlparse_nofrag: Some(["models", "", "/m/1#x", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("models:/m/1#x"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Ok([Some("m"), None, Some("1#x"), None, None]),
        },
        V {
            input: "models:/m/1?x=y",
            urlparse: Some(["models", "", "/m/1", "", "x=y", ""]),
            urlsplit: Some(["models", "", "/m/1", "x=y", ""]),
            urlparse_nofrag: Some(["models", "", "/m/1", "", "x=y", ""]),
            is_local: Ok(false),
            local_path: Some("models:/m/1?x=y"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Ok([Some("m"), Some("1"), None, None, None]),
        },
        V {
            input: "models://host/m/1",
            urlparse: Some(["models", "host", "/m/1", "", "", ""]),
            urlsplit: Some(["models", "host", "/m/1", "", ""]),
            urlparse_nofrag: Some(["models", "host", "/m/1", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("models://host/m/1"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Ok([Some("m"), Some("1"), None, None, None]),
        },
        V {
            input: "models:",
            urlparse: Some(["models", "", "", "", "", ""]),
            urlsplit: Some(["models", "", "", "", ""]),
            urlparse_nofrag: Some(["models", "", "", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("models:"),
            validate: "400",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "models:/",
            urlparse: Some(["models", "", "/", "", "", ""]),
            urlsplit: Some(["models", "", "/", "", ""]),
            urlparse_nofrag: Some(["models", "", "/", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("models:/"),
            validate: "400",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "models:///m/1",
            urlparse: Some(["models", "", "/m/1", "", "", ""]),
            urlsplit: Some(["models", "", "/m/1", "", ""]),
            urlparse_nofrag: Some(["models", "", "/m/1", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("models:///m/1"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Ok([Some("m"), Some("1"), None, None, None]),
        },
        V {
            input: "models:////m/1",
            urlparse: Some(["models", "", "//m/1", "", "", ""]),
            urlsplit: Some(["models", "", "//m/1", "", ""]),
            urlparse_nofrag: Some(["models", "", "//m/1", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("models:////m/1"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Ok([Some("m"), Some("1"), None, None, None]),
        },
        V {
            input: "models:/m@a/1",
            urlparse: Some(["models", "", "/m@a/1", "", "", ""]),
            urlsplit: Some(["models", "", "/m@a/1", "", ""]),
            urlparse_nofrag: Some(["models", "", "/m@a/1", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("models:/m@a/1"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Ok([Some("m@a"), Some("1"), None, None, None]),
        },
        V {
            input: "Models:/m/1",
            urlparse: Some(["models", "", "/m/1", "", "", ""]),
            urlsplit: Some(["models", "", "/m/1", "", ""]),
            urlparse_nofrag: Some(["models", "", "/m/1", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("Models:/m/1"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Ok([Some("m"), Some("1"), None, None, None]),
        },
        V {
            input: "models:/m/\u{1c}",
            urlparse: Some(["models", "", "/m/\u{1c}", "", "", ""]),
            urlsplit: Some(["models", "", "/m/\u{1c}", "", ""]),
            urlparse_nofrag: Some(["models", "", "/m/\u{1c}", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("models:/m/\u{1c}"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "models:/\u{1f}/1",
            urlparse: Some(["models", "", "/\u{1f}/1", "", "", ""]),
            urlsplit: Some(["models", "", "/\u{1f}/1", "", ""]),
            urlparse_nofrag: Some(["models", "", "/\u{1f}/1", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("models:/\u{1f}/1"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "models:/m/\u{a0}",
            urlparse: Some(["models", "", "/m/\u{a0}", "", "", ""]),
            urlsplit: Some(["models", "", "/m/\u{a0}", "", ""]),
            urlparse_nofrag: Some(["models", "", "/m/\u{a0}", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("models:/m/\u{a0}"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "models:/m/\u{85}",
            urlparse: Some(["models", "", "/m/\u{85}", "", "", ""]),
            urlsplit: Some(["models", "", "/m/\u{85}", "", ""]),
            urlparse_nofrag: Some(["models", "", "/m/\u{85}", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("models:/m/\u{85}"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "models:/m%2F1",
            urlparse: Some(["models", "", "/m%2F1", "", "", ""]),
            urlsplit: Some(["models", "", "/m%2F1", "", ""]),
            urlparse_nofrag: Some(["models", "", "/m%2F1", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("models:/m/1"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Ok([None, None, None, None, Some("m%2F1")]),
        },
        V {
            input: "models:/m@a#b",
            urlparse: Some(["models", "", "/m@a", "", "", "b"]),
            urlsplit: Some(["models", "", "/m@a", "", "b"]),
            urlparse_nofrag: Some(["models", "", "/m@a#b", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("models:/m@a#b"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Ok([Some("m"), None, None, Some("a#b"), None]),
        },
        V {
            input: "models:m/1",
            urlparse: Some(["models", "", "m/1", "", "", ""]),
            urlsplit: Some(["models", "", "m/1", "", ""]),
            urlparse_nofrag: Some(["models", "", "m/1", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("models:m/1"),
            validate: "400",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "models:/m/1;p",
            urlparse: Some(["models", "", "/m/1;p", "", "", ""]),
            urlsplit: Some(["models", "", "/m/1;p", "", ""]),
            urlparse_nofrag: Some(["models", "", "/m/1;p", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("models:/m/1;p"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Ok([Some("m"), None, Some("1;p"), None, None]),
        },
        V {
            input: "file:///tmp/x",
            urlparse: Some(["file", "", "/tmp/x", "", "", ""]),
            urlsplit: Some(["file", "", "/tmp/x", "", ""]),
            urlparse_nofrag: Some(["file", "", "/tmp/x", "", "", ""]),
            is_local: Ok(true),
            local_path: Some("/tmp/x"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "file:/tmp/x",
            urlparse: Some(["file", "", "/tmp/x", "", "", ""]),
            urlsplit: Some(["file", "", "/tmp/x", "", ""]),
            urlparse_nofrag: Some(["file", "", "/tmp/x", "", "", ""]),
            is_local: Ok(true),
            local_path: Some("/tmp/x"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "file://localhost/tmp/x",
            urlparse: Some(["file", "localhost", "/tmp/x", "", "", ""]),
            urlsplit: Some(["file", "localhost", "/tmp/x", "", ""]),
            urlparse_nofrag: Some(["file", "localhost", "/tmp/x", "", "", ""]),
            is_local: Ok(true),
            local_path: Some("/tmp/x"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "file://localhost.example/tmp/x",
            urlparse: Some(["file", "localhost.example", "/tmp/x", "", "", ""]),
            urlsplit: Some(["file", "localhost.example", "/tmp/x", "", ""]),
            urlparse_nofrag: Some(["file", "localhost.example", "/tmp/x", "", "", ""]),
            is_local: Ok(true),
            local_path: Some("/tmp/x"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "file://host/path",
            urlparse: Some(["file", "host", "/path", "", "", ""]),
            urlsplit: Some(["file", "host", "/path", "", ""]),
            urlparse_nofrag: Some(["file", "host", "/path", "", "", ""]),
            is_local: Err("INTERNAL_ERROR:file://host/path is not a valid remote uri. For remote access on windows, please consider using a different scheme such as SMB (e.g. smb://<hostname>/<path>)."),
            local_path: Some("/path"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "file://HOST/path",
            urlparse: Some(["file", "HOST", "/path", "", "", ""]),
            urlsplit: Some(["file", "HOST", "/path", "", ""]),
            urlparse_nofrag: Some(["file", "HOST", "/path", "", "", ""]),
            is_local: Err("INTERNAL_ERROR:file://HOST/path is not a valid remote uri. For remote access on windows, please consider using a different scheme such as SMB (e.g. smb://<hostname>/<path>)."),
            local_path: Some("/path"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "file://127.0.0.1/x",
            urlparse: Some(["file", "127.0.0.1", "/x", "", "", ""]),
            urlsplit: Some(["file", "127.0.0.1", "/x", "", ""]),
            urlparse_nofrag: Some(["file", "127.0.0.1", "/x", "", "", ""]),
            is_local: Ok(true),
            local_path: Some("/x"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "file://127.0.0.1:80/x",
            urlparse: Some(["file", "127.0.0.1:80", "/x", "", "", ""]),
            urlsplit: Some(["file", "127.0.0.1:80", "/x", "", ""]),
            urlparse_nofrag: Some(["file", "127.0.0.1:80", "/x", "", "", ""]),
            is_local: Ok(true),
            local_path: Some("/x"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "file://./x",
            urlparse: Some(["file", ".", "/x", "", "", ""]),
            urlsplit: Some(["file", ".", "/x", "", ""]),
            urlparse_nofrag: Some(["file", ".", "/x", "", "", ""]),
            is_local: Ok(true),
            local_path: Some("/x"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "file://[::1]/x",
            urlparse: Some(["file", "[::1]", "/x", "", "", ""]),
            urlsplit: Some(["file", "[::1]", "/x", "", ""]),
            urlparse_nofrag: Some(["file", "[::1]", "/x", "", "", ""]),
            is_local: Err("INTERNAL_ERROR:file://[::1]/x is not a valid remote uri. For remote access on windows, please consider using a different scheme such as SMB (e.g. smb://<hostname>/<path>)."),
            local_path: Some("/x"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "file://user@/x",
            urlparse: Some(["file", "user@", "/x", "", "", ""]),
            urlsplit: Some(["file", "user@", "/x", "", ""]),
            urlparse_nofrag: Some(["file", "user@", "/x", "", "", ""]),
            is_local: Ok(true),
            local_path: Some("/x"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "file://user@host/x",
            urlparse: Some(["file", "user@host", "/x", "", "", ""]),
            urlsplit: Some(["file", "user@host", "/x", "", ""]),
            urlparse_nofrag: Some(["file", "user@host", "/x", "", "", ""]),
            is_local: Err("INTERNAL_ERROR:file://user@host/x is not a valid remote uri. For remote access on windows, please consider using a different scheme such as SMB (e.g. smb://<hostname>/<path>)."),
            local_path: Some("/x"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "file://:80/x",
            urlparse: Some(["file", ":80", "/x", "", "", ""]),
            urlsplit: Some(["file", ":80", "/x", "", ""]),
            urlparse_nofrag: Some(["file", ":80", "/x", "", "", ""]),
            is_local: Ok(true),
            local_path: Some("/x"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "FILE:///tmp/x",
            urlparse: Some(["file", "", "/tmp/x", "", "", ""]),
            urlsplit: Some(["file", "", "/tmp/x", "", ""]),
            urlparse_nofrag: Some(["file", "", "/tmp/x", "", "", ""]),
            is_local: Ok(true),
            local_path: Some("FILE:///tmp/x"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "File:/tmp/x",
            urlparse: Some(["file", "", "/tmp/x", "", "", ""]),
            urlsplit: Some(["file", "", "/tmp/x", "", ""]),
            urlparse_nofrag: Some(["file", "", "/tmp/x", "", "", ""]),
            is_local: Ok(true),
            local_path: Some("File:/tmp/x"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "file:tmp/x",
            urlparse: Some(["file", "", "tmp/x", "", "", ""]),
            urlsplit: Some(["file", "", "tmp/x", "", ""]),
            urlparse_nofrag: Some(["file", "", "tmp/x", "", "", ""]),
            is_local: Ok(true),
            local_path: Some("tmp/x"),
            validate: "400",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "file:///tmp/a%20b",
            urlparse: Some(["file", "", "/tmp/a%20b", "", "", ""]),
            urlsplit: Some(["file", "", "/tmp/a%20b", "", ""]),
            urlparse_nofrag: Some(["file", "", "/tmp/a%20b", "", "", ""]),
            is_local: Ok(true),
            local_path: Some("/tmp/a b"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "file:///tmp/a+b",
            urlparse: Some(["file", "", "/tmp/a+b", "", "", ""]),
            urlsplit: Some(["file", "", "/tmp/a+b", "", ""]),
            urlparse_nofrag: Some(["file", "", "/tmp/a+b", "", "", ""]),
            is_local: Ok(true),
            local_path: Some("/tmp/a+b"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "file:///tmp/a;b",
            urlparse: Some(["file", "", "/tmp/a;b", "", "", ""]),
            urlsplit: Some(["file", "", "/tmp/a;b", "", ""]),
            urlparse_nofrag: Some(["file", "", "/tmp/a;b", "", "", ""]),
            is_local: Ok(true),
            local_path: Some("/tmp/a;b"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "file:///tmp/x?q#f",
            urlparse: Some(["file", "", "/tmp/x", "", "q", "f"]),
            urlsplit: Some(["file", "", "/tmp/x", "q", "f"]),
            urlparse_nofrag: Some(["file", "", "/tmp/x", "", "q#f", ""]),
            is_local: Ok(true),
            local_path: Some("/tmp/x"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "/abs/path",
            urlparse: Some(["", "", "/abs/path", "", "", ""]),
            urlsplit: Some(["", "", "/abs/path", "", ""]),
            urlparse_nofrag: Some(["", "", "/abs/path", "", "", ""]),
            is_local: Ok(true),
            local_path: Some("/abs/path"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "/abs/path/",
            urlparse: Some(["", "", "/abs/path/", "", "", ""]),
            urlsplit: Some(["", "", "/abs/path/", "", ""]),
            urlparse_nofrag: Some(["", "", "/abs/path/", "", "", ""]),
            is_local: Ok(true),
            local_path: Some("/abs/path/"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "/abs//path",
            urlparse: Some(["", "", "/abs//path", "", "", ""]),
            urlsplit: Some(["", "", "/abs//path", "", ""]),
            urlparse_nofrag: Some(["", "", "/abs//path", "", "", ""]),
            is_local: Ok(true),
            local_path: Some("/abs//path"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "/abs/./path",
            urlparse: Some(["", "", "/abs/./path", "", "", ""]),
            urlsplit: Some(["", "", "/abs/./path", "", ""]),
            urlparse_nofrag: Some(["", "", "/abs/./path", "", "", ""]),
            is_local: Ok(true),
            local_path: Some("/abs/./path"),
            validate: "400",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "/abs/../path",
            urlparse: Some(["", "", "/abs/../path", "", "", ""]),
            urlsplit: Some(["", "", "/abs/../path", "", ""]),
            urlparse_nofrag: Some(["", "", "/abs/../path", "", "", ""]),
            is_local: Ok(true),
            local_path: Some("/abs/../path"),
            validate: "400",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "relative/path",
            urlparse: Some(["", "", "relative/path", "", "", ""]),
            urlsplit: Some(["", "", "relative/path", "", ""]),
            urlparse_nofrag: Some(["", "", "relative/path", "", "", ""]),
            is_local: Ok(true),
            local_path: Some("relative/path"),
            validate: "400",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "./x",
            urlparse: Some(["", "", "./x", "", "", ""]),
            urlsplit: Some(["", "", "./x", "", ""]),
            urlparse_nofrag: Some(["", "", "./x", "", "", ""]),
            is_local: Ok(true),
            local_path: Some("./x"),
            validate: "400",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "",
            urlparse: Some(["", "", "", "", "", ""]),
            urlsplit: Some(["", "", "", "", ""]),
            urlparse_nofrag: Some(["", "", "", "", "", ""]),
            is_local: Ok(true),
            local_path: Some(""),
            validate: "400",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "C:\\x",
            urlparse: Some(["c", "", "\\x", "", "", ""]),
            urlsplit: Some(["c", "", "\\x", "", ""]),
            urlparse_nofrag: Some(["c", "", "\\x", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("C:\\x"),
            validate: "400",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "C:/x",
            urlparse: Some(["c", "", "/x", "", "", ""]),
            urlsplit: Some(["c", "", "/x", "", ""]),
            urlparse_nofrag: Some(["c", "", "/x", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("C:/x"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "c:x",
            urlparse: Some(["c", "", "x", "", "", ""]),
            urlsplit: Some(["c", "", "x", "", ""]),
            urlparse_nofrag: Some(["c", "", "x", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("c:x"),
            validate: "400",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "\\\\server\\share",
            urlparse: Some(["", "", "\\\\server\\share", "", "", ""]),
            urlsplit: Some(["", "", "\\\\server\\share", "", ""]),
            urlparse_nofrag: Some(["", "", "\\\\server\\share", "", "", ""]),
            is_local: Ok(true),
            local_path: Some("\\\\server\\share"),
            validate: "400",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "databricks",
            urlparse: Some(["", "", "databricks", "", "", ""]),
            urlsplit: Some(["", "", "databricks", "", ""]),
            urlparse_nofrag: Some(["", "", "databricks", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("databricks"),
            validate: "400",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "Databricks",
            urlparse: Some(["", "", "Databricks", "", "", ""]),
            urlsplit: Some(["", "", "Databricks", "", ""]),
            urlparse_nofrag: Some(["", "", "Databricks", "", "", ""]),
            is_local: Ok(true),
            local_path: Some("Databricks"),
            validate: "400",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "//host/path",
            urlparse: Some(["", "host", "/path", "", "", ""]),
            urlsplit: Some(["", "host", "/path", "", ""]),
            urlparse_nofrag: Some(["", "host", "/path", "", "", ""]),
            is_local: Ok(true),
            local_path: Some("//host/path"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "///abs",
            urlparse: Some(["", "", "/abs", "", "", ""]),
            urlsplit: Some(["", "", "/abs", "", ""]),
            urlparse_nofrag: Some(["", "", "/abs", "", "", ""]),
            is_local: Ok(true),
            local_path: Some("///abs"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "/a;b",
            urlparse: Some(["", "", "/a", "b", "", ""]),
            urlsplit: Some(["", "", "/a;b", "", ""]),
            urlparse_nofrag: Some(["", "", "/a", "b", "", ""]),
            is_local: Ok(true),
            local_path: Some("/a;b"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "/a%20b",
            urlparse: Some(["", "", "/a%20b", "", "", ""]),
            urlsplit: Some(["", "", "/a%20b", "", ""]),
            urlparse_nofrag: Some(["", "", "/a%20b", "", "", ""]),
            is_local: Ok(true),
            local_path: Some("/a b"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "/a?b",
            urlparse: Some(["", "", "/a", "", "b", ""]),
            urlsplit: Some(["", "", "/a", "b", ""]),
            urlparse_nofrag: Some(["", "", "/a", "", "b", ""]),
            is_local: Ok(true),
            local_path: Some("/a?b"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "/a#b",
            urlparse: Some(["", "", "/a", "", "", "b"]),
            urlsplit: Some(["", "", "/a", "", "b"]),
            urlparse_nofrag: Some(["", "", "/a#b", "", "", ""]),
            is_local: Ok(true),
            local_path: Some("/a#b"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "/a+b",
            urlparse: Some(["", "", "/a+b", "", "", ""]),
            urlsplit: Some(["", "", "/a+b", "", ""]),
            urlparse_nofrag: Some(["", "", "/a+b", "", "", ""]),
            is_local: Ok(true),
            local_path: Some("/a+b"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: " /abs",
            urlparse: Some(["", "", "/abs", "", "", ""]),
            urlsplit: Some(["", "", "/abs", "", ""]),
            urlparse_nofrag: Some(["", "", "/abs", "", "", ""]),
            is_local: Ok(true),
            local_path: Some(" /abs"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "\u{9}/abs",
            urlparse: Some(["", "", "/abs", "", "", ""]),
            urlsplit: Some(["", "", "/abs", "", ""]),
            urlparse_nofrag: Some(["", "", "/abs", "", "", ""]),
            is_local: Ok(true),
            local_path: Some("\u{9}/abs"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "\u{0}/abs",
            urlparse: Some(["", "", "/abs", "", "", ""]),
            urlsplit: Some(["", "", "/abs", "", ""]),
            urlparse_nofrag: Some(["", "", "/abs", "", "", ""]),
            is_local: Ok(true),
            local_path: Some("\u{0}/abs"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "/a\u{9}b",
            urlparse: Some(["", "", "/ab", "", "", ""]),
            urlsplit: Some(["", "", "/ab", "", ""]),
            urlparse_nofrag: Some(["", "", "/ab", "", "", ""]),
            is_local: Ok(true),
            local_path: Some("/a\u{9}b"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "http://[::1]:5000/x",
            urlparse: Some(["http", "[::1]:5000", "/x", "", "", ""]),
            urlsplit: Some(["http", "[::1]:5000", "/x", "", ""]),
            urlparse_nofrag: Some(["http", "[::1]:5000", "/x", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("http://[::1]:5000/x"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "http://[::1/x",
            urlparse: None,
            urlsplit: None,
            urlparse_nofrag: None,
            is_local: Err("500"),
            local_path: Some("http://[::1/x"),
            validate: "500",
            artifact_source: Err("500"),
            runs: Err("500"),
            model: Err("500"),
        },
        V {
            input: "http://%5B::1/x",
            urlparse: Some(["http", "%5B::1", "/x", "", "", ""]),
            urlsplit: Some(["http", "%5B::1", "/x", "", ""]),
            urlparse_nofrag: Some(["http", "%5B::1", "/x", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("http://[::1/x"),
            validate: "500",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "http://[1.2.3.4]/x",
            urlparse: None,
            urlsplit: None,
            urlparse_nofrag: None,
            is_local: Err("500"),
            local_path: Some("http://[1.2.3.4]/x"),
            validate: "500",
            artifact_source: Err("500"),
            runs: Err("500"),
            model: Err("500"),
        },
        V {
            input: "http://[v1.x]/x",
            urlparse: Some(["http", "[v1.x]", "/x", "", "", ""]),
            urlsplit: Some(["http", "[v1.x]", "/x", "", ""]),
            urlparse_nofrag: Some(["http", "[v1.x]", "/x", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("http://[v1.x]/x"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "http://[vz]/x",
            urlparse: None,
            urlsplit: None,
            urlparse_nofrag: None,
            is_local: Err("500"),
            local_path: Some("http://[vz]/x"),
            validate: "500",
            artifact_source: Err("500"),
            runs: Err("500"),
            model: Err("500"),
        },
        V {
            input: "http://[v1.]/x",
            urlparse: None,
            urlsplit: None,
            urlparse_nofrag: None,
            is_local: Err("500"),
            local_path: Some("http://[v1.]/x"),
            validate: "500",
            artifact_source: Err("500"),
            runs: Err("500"),
            model: Err("500"),
        },
        V {
            input: "http://[fe80::1%25eth0]/x",
            urlparse: Some(["http", "[fe80::1%25eth0]", "/x", "", "", ""]),
            urlsplit: Some(["http", "[fe80::1%25eth0]", "/x", "", ""]),
            urlparse_nofrag: Some(["http", "[fe80::1%25eth0]", "/x", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("http://[fe80::1%eth0]/x"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "http://[fe80::1%]/x",
            urlparse: None,
            urlsplit: None,
            urlparse_nofrag: None,
            is_local: Err("500"),
            local_path: Some("http://[fe80::1%]/x"),
            validate: "500",
            artifact_source: Err("500"),
            runs: Err("500"),
            model: Err("500"),
        },
        V {
            input: "http://a]b[c/x",
            urlparse: None,
            urlsplit: None,
            urlparse_nofrag: None,
            is_local: Err("500"),
            local_path: Some("http://a]b[c/x"),
            validate: "500",
            artifact_source: Err("500"),
            runs: Err("500"),
            model: Err("500"),
        },
        V {
            input: "http://[::ffff:1.2.3.4]/x",
            urlparse: Some(["http", "[::ffff:1.2.3.4]", "/x", "", "", ""]),
            urlsplit: Some(["http", "[::ffff:1.2.3.4]", "/x", "", ""]),
            urlparse_nofrag: Some(["http", "[::ffff:1.2.3.4]", "/x", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("http://[::ffff:1.2.3.4]/x"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "http://[1:2:3:4:5:6:7::]/x",
            urlparse: Some(["http", "[1:2:3:4:5:6:7::]", "/x", "", "", ""]),
            urlsplit: Some(["http", "[1:2:3:4:5:6:7::]", "/x", "", ""]),
            urlparse_nofrag: Some(["http", "[1:2:3:4:5:6:7::]", "/x", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("http://[1:2:3:4:5:6:7::]/x"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "http://[::1:2:3:4:5:6:7]/x",
            urlparse: Some(["http", "[::1:2:3:4:5:6:7]", "/x", "", "", ""]),
            urlsplit: Some(["http", "[::1:2:3:4:5:6:7]", "/x", "", ""]),
            urlparse_nofrag: Some(["http", "[::1:2:3:4:5:6:7]", "/x", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("http://[::1:2:3:4:5:6:7]/x"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "http://[1::2::3]/x",
            urlparse: None,
            urlsplit: None,
            urlparse_nofrag: None,
            is_local: Err("500"),
            local_path: Some("http://[1::2::3]/x"),
            validate: "500",
            artifact_source: Err("500"),
            runs: Err("500"),
            model: Err("500"),
        },
        V {
            input: "http://[12345::]/x",
            urlparse: None,
            urlsplit: None,
            urlparse_nofrag: None,
            is_local: Err("500"),
            local_path: Some("http://[12345::]/x"),
            validate: "500",
            artifact_source: Err("500"),
            runs: Err("500"),
            model: Err("500"),
        },
        V {
            input: "http://[::01.2.3.4]/x",
            urlparse: None,
            urlsplit: None,
            urlparse_nofrag: None,
            is_local: Err("500"),
            local_path: Some("http://[::01.2.3.4]/x"),
            validate: "500",
            artifact_source: Err("500"),
            runs: Err("500"),
            model: Err("500"),
        },
        V {
            input: "http://h\u{2100}/x",
            urlparse: None,
            urlsplit: None,
            urlparse_nofrag: None,
            is_local: Err("500"),
            local_path: Some("http://h\u{2100}/x"),
            validate: "500",
            artifact_source: Err("500"),
            runs: Err("500"),
            model: Err("500"),
        },
        V {
            input: "http://\u{ff48}/x",
            urlparse: Some(["http", "\u{ff48}", "/x", "", "", ""]),
            urlsplit: Some(["http", "\u{ff48}", "/x", "", ""]),
            urlparse_nofrag: Some(["http", "\u{ff48}", "/x", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("http://\u{ff48}/x"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "http://user:pw@Host:80/x",
            urlparse: Some(["http", "user:pw@Host:80", "/x", "", "", ""]),
            urlsplit: Some(["http", "user:pw@Host:80", "/x", "", ""]),
            urlparse_nofrag: Some(["http", "user:pw@Host:80", "/x", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("http://user:pw@Host:80/x"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: " s3://b/x",
            urlparse: Some(["s3", "b", "/x", "", "", ""]),
            urlsplit: Some(["s3", "b", "/x", "", ""]),
            urlparse_nofrag: Some(["s3", "b", "/x", "", "", ""]),
            is_local: Ok(false),
            local_path: Some(" s3://b/x"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "\u{9}s3://b/x",
            urlparse: Some(["s3", "b", "/x", "", "", ""]),
            urlsplit: Some(["s3", "b", "/x", "", ""]),
            urlparse_nofrag: Some(["s3", "b", "/x", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("\u{9}s3://b/x"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "s3://b/a\u{9}b",
            urlparse: Some(["s3", "b", "/ab", "", "", ""]),
            urlsplit: Some(["s3", "b", "/ab", "", ""]),
            urlparse_nofrag: Some(["s3", "b", "/ab", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("s3://b/a\u{9}b"),
            validate: "ok",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "s3://b/a/.\u{9}./c",
            urlparse: Some(["s3", "b", "/a/../c", "", "", ""]),
            urlsplit: Some(["s3", "b", "/a/../c", "", ""]),
            urlparse_nofrag: Some(["s3", "b", "/a/../c", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("s3://b/a/.\u{9}./c"),
            validate: "400",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "1s3://b/x",
            urlparse: Some(["", "", "1s3://b/x", "", "", ""]),
            urlsplit: Some(["", "", "1s3://b/x", "", ""]),
            urlparse_nofrag: Some(["", "", "1s3://b/x", "", "", ""]),
            is_local: Ok(true),
            local_path: Some("1s3://b/x"),
            validate: "400",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "s3+x://b/x",
            urlparse: Some(["s3+x", "b", "/x", "", "", ""]),
            urlsplit: Some(["s3+x", "b", "/x", "", ""]),
            urlparse_nofrag: Some(["s3+x", "b", "/x", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("s3+x://b/x"),
            validate: "400",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "-a:/x",
            urlparse: Some(["", "", "-a:/x", "", "", ""]),
            urlsplit: Some(["", "", "-a:/x", "", ""]),
            urlparse_nofrag: Some(["", "", "-a:/x", "", "", ""]),
            is_local: Ok(true),
            local_path: Some("-a:/x"),
            validate: "400",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "a:b",
            urlparse: Some(["a", "", "b", "", "", ""]),
            urlsplit: Some(["a", "", "b", "", ""]),
            urlparse_nofrag: Some(["a", "", "b", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("a:b"),
            validate: "400",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "s3:",
            urlparse: Some(["s3", "", "", "", "", ""]),
            urlsplit: Some(["s3", "", "", "", ""]),
            urlparse_nofrag: Some(["s3", "", "", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("s3:"),
            validate: "400",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
        V {
            input: "s3:x",
            urlparse: Some(["s3", "", "x", "", "", ""]),
            urlsplit: Some(["s3", "", "x", "", ""]),
            urlparse_nofrag: Some(["s3", "", "x", "", "", ""]),
            is_local: Ok(false),
            local_path: Some("s3:x"),
            validate: "400",
            artifact_source: Ok(false),
            runs: Err("improper"),
            model: Err("improper"),
        },
    ];

    const WITHIN_ROOT: &[(&str, &str, Result<bool, &str>)] = &[
        (
            "mlflow-artifacts:/1/abc/artifacts/model",
            "mlflow-artifacts:/1/abc/artifacts",
            Ok(true),
        ),
        (
            "mlflow-artifacts:/1/abc/artifacts",
            "mlflow-artifacts:/1/abc/artifacts",
            Ok(true),
        ),
        (
            "mlflow-artifacts:/1/abc/artifactsx/model",
            "mlflow-artifacts:/1/abc/artifacts",
            Ok(false),
        ),
        (
            "mlflow-artifacts:/1/abc",
            "mlflow-artifacts:/1/abc/artifacts",
            Ok(false),
        ),
        (
            "mlflow-artifacts:/1/abc/%61rtifacts/model",
            "mlflow-artifacts:/1/abc/artifacts",
            Ok(true),
        ),
        (
            "mlflow-artifacts:/1/abc/%2561rtifacts/model",
            "mlflow-artifacts:/1/abc/artifacts",
            Ok(true),
        ),
        (
            "mlflow-artifacts:/1/abc/artifacts%2Fmodel",
            "mlflow-artifacts:/1/abc/artifacts",
            Ok(false),
        ),
        (
            "mlflow-artifacts:/1/abc/artifacts/model",
            "mlflow-artifacts:/1/abc/artifacts%2F",
            Ok(false),
        ),
        (
            "mlflow-artifacts:/1//abc///artifacts/model/",
            "mlflow-artifacts:/1/abc/artifacts/",
            Ok(true),
        ),
        (
            "mlflow-artifacts://HOST:5000/1/abc/artifacts/m",
            "mlflow-artifacts://host:5000/1/abc/artifacts",
            Ok(true),
        ),
        (
            "mlflow-artifacts://host:5000/1/abc/artifacts/m",
            "mlflow-artifacts:/1/abc/artifacts",
            Ok(false),
        ),
        (
            "MLFLOW-ARTIFACTS:/1/abc/artifacts/m",
            "mlflow-artifacts:/1/abc/artifacts",
            Ok(true),
        ),
        (
            "mlflow-artifacts:/1/ABC/artifacts/m",
            "mlflow-artifacts:/1/abc/artifacts",
            Ok(false),
        ),
        ("mlflow-artifacts:/x", "mlflow-artifacts:/", Ok(false)),
        ("mlflow-artifacts:/x", "mlflow-artifacts:", Ok(false)),
        (
            "http://H/api/2.0/mlflow-artifacts/artifacts/1/r/artifacts/m",
            "http://h/api/2.0/mlflow-artifacts/artifacts/1/r/artifacts",
            Ok(true),
        ),
        (
            "https://h/api/2.0/mlflow-artifacts/artifacts/1/r/artifacts/m",
            "http://h/api/2.0/mlflow-artifacts/artifacts/1/r/artifacts",
            Ok(false),
        ),
        ("http://h/a/b?q=1", "http://h/a", Ok(true)),
        ("http://h/a/b#f", "http://h/a/b", Ok(true)),
        ("http://h/a;p/b", "http://h/a;p", Ok(true)),
        ("http://user@h/a/b", "http://h/a", Ok(false)),
        (
            "s3://bucket/root/1/abc/artifacts/model",
            "s3://bucket/root/1/abc/artifacts",
            Ok(true),
        ),
        ("s3://Bucket/root/x", "s3://bucket/root", Ok(true)),
        (
            "s3://bucket/root/%252e%252e/x",
            "s3://bucket/root/..",
            Ok(true),
        ),
        ("s3://bucket/root/x", "s3://bucket/root/x/y", Ok(false)),
        ("http://[::1/x", "http://h/x", Err("500")),
        ("http://h/x", "http://[::1/x", Err("500")),
        ("http://h/%C3%A9/x", "http://h/\u{e9}", Ok(true)),
        ("http://h/%E9/x", "http://h/\u{fffd}", Ok(true)),
        ("http://\u{c9}/x/y", "http://\u{e9}/x", Ok(true)),
    ];

    const RESOLVE: &[(&str, Option<&str>)] = &[
        ("{T}/real/artifacts/model", Some("{T}/real/artifacts/model")),
        ("{T}/link/artifacts/model", Some("{T}/real/artifacts/model")),
        ("{T}/link/../other", Some("{T}/other")),
        ("{T}/link/artifacts/../x", Some("{T}/real/x")),
        ("{T}/rel_link/model", Some("{T}/real/artifacts/model")),
        ("{T}/rel_link/..", Some("{T}/real")),
        ("{T}/missing/../real", Some("{T}/real")),
        ("{T}/missing/x/../../link", Some("{T}/real")),
        ("{T}/real/up/y", Some("{T}/other/y")),
        ("{T}/real/up/..", Some("{T}")),
        ("{T}/loop_a", None),
        ("{T}/loop_a/x", None),
        ("{T}/root_link/etc/..", Some("/")),
        ("{T}//real/./artifacts/", Some("{T}/real/artifacts")),
        ("//{T}/real", Some("{T}/real")),
        ("relative/path", Some("{CWD}/relative/path")),
        (".", Some("{CWD}")),
        ("", Some("{CWD}")),
        ("..", Some("{PARENT}")),
        ("a/../../b", Some("{PARENT}/b")),
        ("/", Some("/")),
        ("//", Some("/")),
        ("///x", Some("/x")),
        ("/x/\u{0}", None),
        (
            "{T}/real/artifacts/model/../../../link/artifacts",
            Some("{T}/real/artifacts"),
        ),
        ("/nonexistent/a/../b", Some("/nonexistent/b")),
    ];

    const PATH_WITHIN: &[(&str, &str, Option<bool>)] = &[
        ("{T}/real/artifacts", "{T}/real/artifacts/model", Some(true)),
        ("{T}/real/artifacts", "{T}/real/artifacts", Some(true)),
        ("{T}/real/artifacts", "{T}/real/artifactsx", Some(false)),
        ("{T}/real/artifacts", "{T}/real", Some(false)),
        (
            "file://{T}/real/artifacts",
            "{T}/link/artifacts/model",
            Some(true),
        ),
        (
            "{T}/link/artifacts",
            "file:{T}/real/artifacts/m",
            Some(true),
        ),
        (
            "file://localhost{T}/real/artifacts",
            "file://{T}/rel_link/model",
            Some(true),
        ),
        (
            "{T}/real/artifacts",
            "{T}/real/artifacts/model/../../up",
            Some(false),
        ),
        ("{T}/other", "{T}/real/up/z", Some(true)),
        (
            "{T}/real/artifacts",
            "{T}/real/artifacts/../artifacts/%2e%2e/x",
            Some(false),
        ),
        (
            "{T}/real/artifacts",
            "file://{T}/real/artifacts/%2e%2e/x",
            Some(false),
        ),
        (
            "{T}/real/artifacts",
            "file://{T}/real/artifacts/a%20b",
            Some(true),
        ),
        ("/", "{T}/anything", Some(true)),
        ("file:///", "/x", Some(true)),
        ("{T}/real/artifacts", "{T}/loop_a", None),
        ("{T}/real/artifacts", "{T}/real/artifacts/m\u{0}", None),
        ("{T}/real/artifacts", "file://{T}/real/artifacts/%00", None),
        ("relative", "relative/x", Some(true)),
        ("file:relative", "relative/x", Some(true)),
        ("{CWD}/relative", "relative/x", Some(true)),
        (
            "{T}/real/artifacts",
            "FILE://{T}/real/artifacts/m",
            Some(false),
        ),
        ("{T}/real/artifacts", "{T}/real/artifacts/m;p", Some(true)),
        (
            "file://{T}/real/artifacts",
            "file://{T}/real/artifacts/m;p",
            Some(true),
        ),
    ];
}

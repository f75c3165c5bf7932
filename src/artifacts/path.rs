//! Artifact path rules: the one place that turns a client-supplied artifact path into a value
//! that may be joined to a trusted prefix (a local directory or an S3 key prefix).
//!
//! Mirrors, from MLflow 3.17.2:
//! - `mlflow/utils/uri.py`: `validate_path_is_safe`, `_decode`, `_escape_control_characters`
//!   (and, through `_decode`, the `urllib.parse.urlparse`/`urlunparse` round trip of Python 3.11);
//! - `mlflow/server/handlers.py`: `_get_proxied_run_artifact_destination_path`,
//!   `_is_servable_proxied_run_artifact_root` and the callers of `validate_path_is_safe`
//!   (`get_artifact_handler`, `upload_artifact_handler`, `_download_artifact`, `_upload_artifact`,
//!   `_list_artifacts_mlflow_artifacts`, `_delete_artifact_mlflow_artifacts`, the `mpu/*` handlers);
//! - `mlflow/server/artifact_router.py` (the PUT "must include a filename" rule);
//! - `mlflow/store/artifact/{local,s3}_artifact_repo.py` (how relative paths are joined).
//!
//! The only way to obtain a [`RelPath`] is [`validate_path_is_safe`] (or a function built on it),
//! and callers must use the returned value, never the original string: CVE-2023-6018 /
//! CVE-2023-6976 came from MLflow validating `path` and then writing to the unvalidated string.
//!
//! # Policy (where we differ from MLflow we only ever *reject more* or *normalise*)
//!
//! Accepted paths give exactly what MLflow's `validate_path_is_safe` returns, then normalised:
//! - **Empty and `.` segments are dropped, a trailing `/` is dropped** (`a//b/./c/` → `a/b/c`).
//!   MLflow returns `a//b` unchanged; its default (local) destination then applies
//!   `os.path.normpath` (`local_artifact_repo.py`: `get_local_path`, `list_artifacts`,
//!   `_download_file`), so `a//b`, `a/./b` and `a/b/` all name `a/b`, while its S3 repository
//!   would build the distinct key `a//b` (which MinIO refuses). Normalising keeps the local
//!   semantics that clients see from a default `mlflow server` (e.g. the client's
//!   `list_artifacts("dir/")` sends `path=<root>/dir/`) and gives one canonical S3 key per file.
//!   It is done after every security check, and dropping empty/`.` segments can never create
//!   a `..` segment or a leading `/`.
//! - The **empty path is allowed** (MLflow returns `""`): it is the root, which the list
//!   endpoints use. Handlers that need a file name use [`RelPath::file_name`], which is `None`
//!   for the root and for paths that ended in `/` (MLflow's `posixpath.split` tail is empty
//!   there and `artifact_router.upload_artifact` answers 400).
//!
//! Deliberate rejections of inputs MLflow 3.17.2 accepts (on Linux), each "Invalid path":
//! 1. ASCII control characters (0–31, 127) at any decoding stage. MLflow escapes them to `%xx`
//!    (`a%00b` → `a%00b`) or, via `urlsplit`, silently deletes tab/CR/LF (`a%09b` → `ab`).
//! 2. `#` at any decoding stage. MLflow's round trip drops an *empty* fragment, so `a#` and
//!    `a%23` become `a` (CVE-2024-2928/CVE-2024-3848 were `#` tricks).
//! 3. A `file:` scheme at any stage (MLflow turns relative ones into absolute paths anyway).
//! 4. `\` anywhere, and a `:` as second character (Windows drive letters, `C:x`), on every OS.
//!    MLflow checks these only when running on Windows (CVE-2023-6753, CVE-2023-2780); on Linux
//!    it accepts `..\..\windows` and turns `C:x` into `c:x`.
//! 5. A URL authority (`x://host/...`) containing `[`, `]` or non-ASCII: Python raises
//!    `ValueError` (an HTTP 500 in MLflow) or applies NFKC checks we do not reproduce.
//!
//! Decoding that does not settle within MLflow's 10 rounds is an error ("Failed to decode
//! url", as MLflow's `ValueError`; MLflow answers 500, we let the caller answer 400).

use std::fmt;

/// Why a path was refused. Callers answer 400 `INVALID_PARAMETER_VALUE` with `message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathError {
    pub message: String,
}

impl PathError {
    fn invalid() -> Self {
        PathError {
            message: "Invalid path".to_owned(),
        }
    }
    fn new(message: impl Into<String>) -> Self {
        PathError {
            message: message.into(),
        }
    }
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PathError {}

/// A validated, decoded, normalised relative artifact path: `/`-separated, no leading or
/// trailing `/`, no empty, `.` or `..` segments, no `\`, `#`, control characters or drive
/// letters. The empty path is the root. Only constructible through validation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RelPath {
    path: String,
    /// The validated input ended in `/` (or `/.`): it names a directory, not a file.
    dir_syntax: bool,
}

impl RelPath {
    /// The root (the empty path).
    pub fn root() -> Self {
        RelPath {
            path: String::new(),
            dir_syntax: false,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.path
    }

    /// True for the root.
    pub fn is_empty(&self) -> bool {
        self.path.is_empty()
    }

    /// The segments; none for the root.
    pub fn segments(&self) -> impl Iterator<Item = &str> {
        self.path.split('/').filter(|s| !s.is_empty())
    }

    /// `self/other` (`posixpath.join` for two relative paths); keeps `other`'s trailing-`/` flag.
    pub fn join(&self, other: &RelPath) -> RelPath {
        let path = match (self.path.is_empty(), other.path.is_empty()) {
            (_, true) => self.path.clone(),
            (true, false) => other.path.clone(),
            (false, false) => format!("{}/{}", self.path, other.path),
        };
        RelPath {
            path,
            dir_syntax: other.dir_syntax || (other.path.is_empty() && self.dir_syntax),
        }
    }

    /// The last segment, if this path names a file: `None` for the root and for inputs that
    /// ended in `/` (MLflow's PUT answers 400 "Artifact path must include a filename").
    pub fn file_name(&self) -> Option<&str> {
        if self.dir_syntax {
            return None;
        }
        self.path.rsplit('/').next().filter(|s| !s.is_empty())
    }

    /// Everything but the last segment (`posixpath.dirname`); the root for one-segment paths.
    pub fn parent(&self) -> RelPath {
        let path = self
            .path
            .rsplit_once('/')
            .map(|(d, _)| d.to_owned())
            .unwrap_or_default();
        RelPath {
            path,
            dir_syntax: false,
        }
    }

    /// Whether the validated input ended in `/`.
    pub fn ends_with_slash(&self) -> bool {
        self.dir_syntax
    }

    /// Builds from a string already known to pass the checks, dropping empty/`.` segments.
    fn normalised(s: &str) -> RelPath {
        let segs: Vec<&str> = s
            .split('/')
            .filter(|x| !x.is_empty() && *x != ".")
            .collect();
        let last = s.rsplit('/').next().unwrap_or("");
        RelPath {
            path: segs.join("/"),
            dir_syntax: !segs.is_empty() && (last.is_empty() || last == "."),
        }
    }
}

impl fmt::Display for RelPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path)
    }
}

/// `urllib.parse.uses_netloc` (Python 3.11), minus `''` (only consulted for a non-empty scheme).
const USES_NETLOC: &[&str] = &[
    "ftp", "http", "gopher", "nntp", "telnet", "imap", "wais", "file", "mms", "https", "shttp",
    "snews", "prospero", "rtsp", "rtsps", "rtspu", "rsync", "svn", "svn+ssh", "sftp", "nfs", "git",
    "git+ssh", "ws", "wss",
];
/// `urllib.parse.uses_params` (Python 3.11), including `''`.
const USES_PARAMS: &[&str] = &[
    "", "ftp", "hdl", "prospero", "http", "imap", "https", "shttp", "rtsp", "rtsps", "rtspu",
    "sip", "sips", "mms", "sftp", "tel",
];

/// MLflow's `_decode` gives up after this many rounds.
const MAX_DECODE_ROUNDS: usize = 10;

/// S3's limit on object key length, in UTF-8 bytes.
pub const MAX_S3_KEY_BYTES: usize = 1024;

/// `urllib.parse.unquote`: `%XX` to bytes, invalid UTF-8 replaced by U+FFFD, malformed `%`
/// sequences kept literally.
fn unquote(s: &str) -> String {
    if !s.contains('%') {
        return s.to_owned();
    }
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

fn is_forbidden_char(c: char) -> bool {
    c == '#' || c == '\u{7f}' || (c as u32) < 0x20
}

/// The scheme `urlsplit` would find (lower-cased) and the rest of the string.
fn split_scheme(s: &str) -> (String, &str) {
    if let Some(i) = s.find(':') {
        let head = &s[..i];
        let starts_alpha = head.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
        if starts_alpha
            && head
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        {
            return (head.to_ascii_lowercase(), &s[i + 1..]);
        }
    }
    (String::new(), s)
}

/// `urlunparse(urlparse(s))` for a string without control characters or `#` (both already
/// refused). Errors where Python raises `ValueError` or would run NFKC checks (policy 5).
fn url_round_trip(s: &str) -> Result<String, PathError> {
    // urlsplit strips leading C0 controls and spaces; controls are already refused.
    let s = s.trim_start_matches(' ');
    let (scheme, rest) = split_scheme(s);
    let (netloc, rest) = match rest.strip_prefix("//") {
        Some(after) => {
            let end = after.find(['/', '?', '#']).unwrap_or(after.len());
            (&after[..end], &after[end..])
        }
        None => ("", rest),
    };
    if netloc.contains(['[', ']']) || !netloc.is_ascii() {
        return Err(PathError::invalid());
    }
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    // urlparse splits `;params` off the last segment; urlunparse re-adds only non-empty ones.
    let mut url = path.to_owned();
    if USES_PARAMS.contains(&scheme.as_str()) {
        let from = path.rfind('/').unwrap_or(0);
        if let Some(i) = path[from..].find(';').map(|i| i + from) {
            if i + 1 == path.len() {
                url.truncate(i);
            }
        }
    }
    if !netloc.is_empty()
        || (!scheme.is_empty() && USES_NETLOC.contains(&scheme.as_str()) && !url.starts_with("//"))
    {
        if !url.is_empty() && !url.starts_with('/') {
            url.insert(0, '/');
        }
        url = format!("//{netloc}{url}");
    }
    if !scheme.is_empty() {
        url = format!("{scheme}:{url}");
    }
    if !query.is_empty() {
        url.push('?');
        url.push_str(query);
    }
    Ok(url)
}

/// MLflow's `_decode`: `unquote` then the `urlparse` round trip until the string stops
/// changing, at most 10 rounds (CVE-2023-6831 decode-before-validate, CVE-2024-1560
/// double encoding). Control characters and `#` are refused at every stage (policy 1, 2).
fn decode(path: &str) -> Result<String, PathError> {
    let mut url = path.to_owned();
    for _ in 0..MAX_DECODE_ROUNDS {
        let decoded = unquote(&url);
        if decoded.chars().any(is_forbidden_char) {
            return Err(PathError::invalid());
        }
        let parsed = url_round_trip(&decoded)?;
        if split_scheme(&parsed).0 == "file" {
            return Err(PathError::invalid()); // policy 3
        }
        if parsed == url {
            return Ok(url);
        }
        url = parsed;
    }
    Err(PathError::new("Failed to decode url"))
}

/// MLflow's `validate_path_is_safe`, returning the decoded, validated, normalised path.
///
/// Refuses ("Invalid path"): any `..` segment (also percent-encoded, any depth up to MLflow's
/// 10 decoding rounds: CVE-2023-30172, CVE-2023-6831, CVE-2024-1560), absolute POSIX paths and
/// UNC/drive paths (CVE-2023-1176, CVE-2023-6753), `\`, `#`, control characters and `file:`
/// URIs. See the module documentation for the normalisation and where we differ from MLflow.
pub fn validate_path_is_safe(path: &str) -> Result<RelPath, PathError> {
    let decoded = decode(path)?;
    let second_is_colon = decoded.chars().nth(1) == Some(':');
    if decoded.contains('\\')
        || decoded.split('/').any(|seg| seg == "..")
        || decoded.starts_with('/')
        || second_is_colon
    {
        return Err(PathError::invalid());
    }
    Ok(RelPath::normalised(&decoded))
}

/// A path for `PUT /mlflow-artifacts/artifacts/<path>` and the ajax `upload-artifact`:
/// validated, and naming a file (not the root, not ending in `/`). The second error mirrors
/// `artifact_router.upload_artifact` (which MLflow answers with FastAPI's `{"detail": ...}`).
pub fn validate_file_path(path: &str) -> Result<RelPath, PathError> {
    let rel = validate_path_is_safe(path)?;
    if rel.file_name().is_none() {
        return Err(PathError::new(
            "Artifact path must include a filename (cannot end with '/').",
        ));
    }
    Ok(rel)
}

/// The file name of a multipart upload, from the JSON body's `path`. MLflow 3.17.2 does not
/// validate it; its S3 repository uses only `os.path.basename(path)` as the last key segment,
/// so we take the basename, validate it, and require one real segment (refusing `..`, `a/`).
pub fn mpu_file_name(path: &str) -> Result<RelPath, PathError> {
    let base = path.rsplit('/').next().unwrap_or("");
    let rel = validate_path_is_safe(base)?;
    if rel.segments().count() != 1 || rel.ends_with_slash() {
        return Err(PathError::invalid());
    }
    Ok(rel)
}

/// Route anchor of proxied HTTP artifact roots (`_get_proxied_run_artifact_destination_path`).
const HTTP_ARTIFACTS_ANCHOR: &str = "/api/2.0/mlflow-artifacts/artifacts/";

/// Whether `uri` is a proxied artifact root (`_is_servable_proxied_run_artifact_root` minus the
/// `--serve-artifacts` flag, which the caller checks): scheme `mlflow-artifacts`, `http`, `https`.
pub fn is_proxied_artifact_root(uri: &str) -> bool {
    let (scheme, _) = split_scheme(uri.trim_start_matches(|c: char| c <= ' '));
    matches!(scheme.as_str(), "mlflow-artifacts" | "http" | "https")
}

/// The storage path (relative to `--artifacts-destination`) of `relative` inside the proxied
/// artifact root `root` (a run's, logged model's or trace's artifact URI), mirroring
/// `_get_proxied_run_artifact_destination_path`:
/// - `mlflow-artifacts:/0/<run>/artifacts` or `mlflow-artifacts://host:port/0/<run>/artifacts`
///   → `0/<run>/artifacts/<relative>` (the URI path, leading `/` stripped);
/// - `http(s)://host/<prefix>/api/2.0/mlflow-artifacts/artifacts/0/<run>/artifacts`
///   → the part after the anchor.
///
/// Errors if `root` is not proxied (MLflow asserts). The root comes from the database but is
/// ultimately user-controlled (`CreateExperiment.artifact_location`), so its path gets the
/// same structural checks, taken literally as MLflow does (no percent-decoding of the root).
/// A root with a query, fragment or `;params` is refused (CVE-2023-6909, CVE-2024-1593).
pub fn proxied_artifact_destination(
    root: &str,
    relative: Option<&RelPath>,
) -> Result<RelPath, PathError> {
    let not_proxied = || PathError::new(format!("Not a proxied artifact root: '{root}'"));
    let (scheme, rest) = split_scheme(root);
    if rest.contains(['?', '#', ';']) || rest.chars().any(is_forbidden_char) {
        return Err(PathError::invalid());
    }
    // urlparse: an authority starts with `//` and runs to the next `/`.
    let path = match rest.strip_prefix("//") {
        Some(after) => after.find('/').map_or("", |i| &after[i..]),
        None => rest,
    };
    let root_path = match scheme.as_str() {
        "mlflow-artifacts" => path.trim_start_matches('/'),
        "http" | "https" => match path.split_once(HTTP_ARTIFACTS_ANCHOR) {
            // Python's `path.split(anchor)[1]`: up to a second anchor, if any.
            Some((_, tail)) => tail
                .split(HTTP_ARTIFACTS_ANCHOR)
                .next()
                .unwrap_or("")
                .trim_start_matches('/'),
            None => return Err(not_proxied()),
        },
        _ => return Err(not_proxied()),
    };
    let second_is_colon = root_path.chars().nth(1) == Some(':');
    if root_path.contains('\\') || root_path.split('/').any(|s| s == "..") || second_is_colon {
        return Err(PathError::invalid());
    }
    let base = RelPath::normalised(root_path);
    Ok(match relative {
        Some(rel) => base.join(rel),
        None => base,
    })
}

/// The bucket and key prefix of an `s3://bucket/prefix` artifact root
/// (`parse_s3_compliant_uri`). Such roots come from the configuration or from a client's
/// `artifact_location`, so the bucket must be a plain bucket name (no user, port or host
/// tricks) and the prefix must pass [`clean_prefix`]; queries and fragments are refused.
pub fn s3_root(uri: &str) -> Result<(String, String), PathError> {
    let rest = match split_scheme(uri) {
        (scheme, rest) if scheme == "s3" => rest,
        _ => return Err(PathError::new(format!("Not an S3 URI: '{uri}'"))),
    };
    let rest = rest
        .strip_prefix("//")
        .ok_or_else(|| PathError::new(format!("Not an S3 URI: '{uri}'")))?;
    if rest.contains(['?', '#']) || rest.chars().any(is_forbidden_char) {
        return Err(PathError::invalid());
    }
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    let bucket_ok = (1..=255).contains(&bucket.len())
        && bucket
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        && !bucket.starts_with('.');
    if !bucket_ok {
        return Err(PathError::new(format!("Invalid S3 bucket in '{uri}'")));
    }
    let prefix = clean_prefix(prefix)?;
    Ok((bucket.to_owned(), prefix.to_owned()))
}

/// Checks a configured S3 key prefix (e.g. the path of `s3://bucket/prefix`): no `..`, `.`,
/// `\` or control characters; surrounding `/` ignored. Returns it without slashes at the ends.
fn clean_prefix(prefix: &str) -> Result<&str, PathError> {
    let p = prefix.trim_matches('/');
    if p.contains('\\') || p.chars().any(is_forbidden_char) {
        return Err(PathError::invalid());
    }
    if !p.is_empty() && p.split('/').any(|s| s.is_empty() || s == "." || s == "..") {
        return Err(PathError::invalid());
    }
    Ok(p)
}

/// The S3 object key for `rel` under the destination `prefix` (`posixpath.join(dest_path, rel)`
/// in `s3_artifact_repo.py`), re-checked to stay strictly under the prefix: MinIO and AWS
/// treat `..`/`.`/empty segments differently, so none may appear (§A.2.4). Refuses the root
/// (an object needs a name) and keys longer than S3's 1024 bytes.
pub fn s3_object_key(prefix: &str, rel: &RelPath) -> Result<String, PathError> {
    let p = clean_prefix(prefix)?;
    if rel.is_empty() {
        return Err(PathError::invalid());
    }
    let key = if p.is_empty() {
        rel.as_str().to_owned()
    } else {
        format!("{p}/{}", rel.as_str())
    };
    let under = if p.is_empty() {
        key.as_str()
    } else {
        key.strip_prefix(p)
            .and_then(|k| k.strip_prefix('/'))
            .unwrap_or("")
    };
    let segments_ok = !under.is_empty()
        && under
            .split('/')
            .all(|s| !s.is_empty() && s != "." && s != ".." && !s.contains('\\'));
    if !segments_ok || key.len() > MAX_S3_KEY_BYTES {
        return Err(PathError::invalid());
    }
    Ok(key)
}

/// The S3 `ListObjectsV2` prefix for the directory `rel` under `prefix`: `"<prefix>/<rel>/"`,
/// `"<prefix>/"` for the root, `""` when both are empty (`S3ArtifactRepository.list_artifacts`).
pub fn s3_list_prefix(prefix: &str, rel: &RelPath) -> Result<String, PathError> {
    let p = clean_prefix(prefix)?;
    if rel.is_empty() {
        return Ok(if p.is_empty() {
            String::new()
        } else {
            format!("{p}/")
        });
    }
    Ok(format!("{}/", s3_object_key(prefix, rel)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_roots() {
        let ok = |u: &str| s3_root(u).map(|(b, p)| format!("{b}|{p}")).ok();
        assert_eq!(ok("s3://mlflow/"), Some("mlflow|".into()));
        assert_eq!(ok("s3://mlflow"), Some("mlflow|".into()));
        assert_eq!(
            ok("s3://mlflow/a/0/r1/artifacts"),
            Some("mlflow|a/0/r1/artifacts".into())
        );
        assert_eq!(ok("S3://mlflow/x/"), Some("mlflow|x".into()));
        for bad in [
            "s3://mlflow/a/../b",
            "s3://mlflow/./b",
            "s3://mlflow/a//b",
            "s3://mlflow/a?x=1",
            "s3://mlflow/a#frag",
            "s3://user@mlflow/a",
            "s3://mlflow:9000/a",
            "s3://.hidden/a",
            "s3://mlflow/a\\b",
            "s3://mlflow/a\nb",
            "s3:/mlflow/a",
            "s3://",
            "file:///etc",
            "mlflow-artifacts:/x",
        ] {
            assert!(s3_root(bad).is_err(), "{bad:?} must be refused");
        }
    }

    /// `(input, our result, MLflow 3.17.2's result)`. The third column is `"="` when MLflow
    /// (run in the reference venv, Linux) returns the same thing, else its actual answer.
    type Row = (
        &'static str,
        Result<&'static str, &'static str>,
        &'static str,
    );

    const BAD: Result<&str, &str> = Err("Invalid path");

    fn check(rows: &[Row]) {
        for (input, want, _mlflow) in rows {
            let got = validate_path_is_safe(input)
                .map(|p| p.as_str().to_owned())
                .map_err(|e| e.message);
            assert_eq!(
                got.as_deref().map_err(String::as_str),
                *want,
                "input {input:?}"
            );
        }
    }

    #[test]
    fn traversal() {
        check(&[
            ("../../etc/passwd", BAD, "="),
            ("a/../../b", BAD, "="),
            ("..", BAD, "="),
            ("a/..", BAD, "="),
            ("../", BAD, "="),
            ("a/b/../c", BAD, "="),
        ]);
    }

    #[test]
    fn percent_encoded_traversal() {
        check(&[
            ("%2e%2e/%2e%2e/etc/passwd", BAD, "="),
            ("..%2f..%2fetc", BAD, "="),
            ("%2E%2E%2Fetc", BAD, "="),
            ("a%2f..%2fb", BAD, "="),
        ]);
    }

    #[test]
    fn multiply_encoded_traversal() {
        check(&[
            ("%252e%252e%252fetc%252fpasswd", BAD, "="), // CVE-2024-1560
            ("%25252e%25252e/x", BAD, "="),
            // `../x` encoded 9 times settles within 10 rounds; 10 times does not.
            ("%25252525252525252E%25252525252525252E%25252525252525252F%252525252525252578", BAD, "="),
            (
                "%2525252525252525252E%2525252525252525252E%2525252525252525252F%25252525252525252578",
                Err("Failed to decode url"),
                "= (ValueError, HTTP 500 in MLflow)",
            ),
            ("%252525252525252578", Ok("x"), "="),
            ("%25252525252525252578", Err("Failed to decode url"), "= (ValueError)"),
        ]);
    }

    #[test]
    fn absolute_posix() {
        check(&[
            ("/etc/passwd", BAD, "="),
            ("//etc/passwd", BAD, "="),
            ("///", BAD, "="),
            ("%2fetc%2fpasswd", BAD, "="),
            ("%252fetc", BAD, "="),
            (" /etc/passwd", BAD, "="),
            ("%20/etc", BAD, "="),
        ]);
    }

    #[test]
    fn windows_drive_unc_backslash() {
        check(&[
            ("C:\\Windows\\win.ini", BAD, "="),
            ("\\\\server\\share", BAD, "="),
            ("%5c%5cserver%5cshare", BAD, "="),
            ("C:/Windows", BAD, "="),
            // Deliberate: MLflow checks `\` and `X:` only on Windows (CVE-2023-6753).
            ("..\\..\\windows", BAD, "Ok('..\\\\..\\\\windows')"),
            ("a\\b", BAD, "Ok('a\\\\b')"),
            ("c:x", BAD, "Ok('c:x')"),
        ]);
    }

    #[test]
    fn file_uris() {
        check(&[
            ("file:///etc/passwd", BAD, "="),
            ("file://host/etc", BAD, "="),
            ("file:a/b", BAD, "="),
            ("FILE:///etc", BAD, "="),
            ("file%3a///etc/passwd", BAD, "="),
            ("file:", BAD, "Ok('') — policy 3"),
        ]);
    }

    #[test]
    fn hash_tricks() {
        check(&[
            ("a#b", BAD, "="),
            ("a%23/../../b", BAD, "="),
            ("a%2523b", BAD, "="),
            ("a/b#/../../c", BAD, "="),
            // Deliberate: MLflow's round trip drops the empty fragment.
            ("a#", BAD, "Ok('a')"),
            ("a%23", BAD, "Ok('a')"),
            ("#", BAD, "Ok('')"),
        ]);
    }

    #[test]
    fn nul_and_control_characters() {
        // Deliberate: MLflow escapes controls to `%xx` or deletes tab/CR/LF, and accepts.
        check(&[
            ("a%00b", BAD, "Ok('a%00b')"),
            ("a\u{0}b", BAD, "Ok('a%00b')"),
            ("a\u{17}b", BAD, "Ok('a%17b')"),
            ("a%17b", BAD, "Ok('a%17b')"),
            ("a%09b", BAD, "Ok('ab')"),
            ("a\nb", BAD, "Ok('ab')"),
            ("a%0d%0ab", BAD, "Ok('ab')"),
            ("\u{7f}", BAD, "Ok('%7f')"),
        ]);
    }

    #[test]
    fn empty_segments_and_trailing_slashes() {
        // Deliberate normalisation (see module docs); MLflow returns the input unchanged.
        check(&[
            ("a//b", Ok("a/b"), "Ok('a//b')"),
            ("a/b/", Ok("a/b"), "Ok('a/b/')"),
            ("a/b//", Ok("a/b"), "Ok('a/b//')"),
            ("a/./b", Ok("a/b"), "Ok('a/./b')"),
            ("./a", Ok("a"), "Ok('./a')"),
            (".", Ok(""), "Ok('.')"),
            ("", Ok(""), "="),
        ]);
        let p = validate_path_is_safe("a/b/").unwrap();
        assert!(p.ends_with_slash() && p.file_name().is_none());
        assert_eq!(
            validate_path_is_safe("a//b").unwrap().file_name(),
            Some("b")
        );
    }

    #[test]
    fn unicode_and_spaces_accepted() {
        check(&[
            ("dir with space/ü.txt", Ok("dir with space/ü.txt"), "="),
            ("%C3%BC.txt", Ok("ü.txt"), "="),
            ("日本語/ファイル.txt", Ok("日本語/ファイル.txt"), "="),
            ("emoji😀", Ok("emoji😀"), "="),
            (" leading", Ok("leading"), "="),
            ("trailing ", Ok("trailing "), "="),
            ("%20", Ok(""), "="),
            ("a+b", Ok("a+b"), "="),
            ("100%", Ok("100%"), "="),
            ("a%zz", Ok("a%zz"), "="),
            ("%C3", Ok("\u{fffd}"), "="),
        ]);
    }

    #[test]
    fn url_round_trip_quirks() {
        check(&[
            ("a?b", Ok("a?b"), "="),
            ("a?", Ok("a"), "="),
            ("a;", Ok("a"), "="),
            ("a;b", Ok("a;b"), "="),
            ("Foo:bar", Ok("foo:bar"), "="),
            ("http:x", Ok("http:/x"), "Ok('http:///x')"),
            ("ab://c", Ok("ab:/c"), "Ok('ab://c')"),
            ("mlflow-artifacts:/0/r", Ok("mlflow-artifacts:/0/r"), "="),
            ("http://ü", BAD, "Ok('http://ü') — policy 5"),
        ]);
    }

    #[test]
    fn normal_shapes() {
        check(&[
            ("a/b/c.txt", Ok("a/b/c.txt"), "="),
            (
                "0/abc/artifacts/model/MLmodel",
                Ok("0/abc/artifacts/model/MLmodel"),
                "=",
            ),
        ]);
    }

    #[test]
    fn very_long_paths() {
        // MLflow accepts all of these; length limits belong to the store (S3: 1024 bytes).
        let deep = format!("{}x.txt", "a/".repeat(5000));
        assert_eq!(validate_path_is_safe(&deep).unwrap().as_str(), deep);
        let wide = "x".repeat(100_000);
        assert_eq!(validate_path_is_safe(&wide).unwrap().as_str(), wide);
        assert!(validate_path_is_safe(&format!("{}..", "a/".repeat(5000))).is_err());
        assert!(validate_path_is_safe(&format!("%2e%2e/{}", "a".repeat(100_000))).is_err());
        let rel = validate_path_is_safe(&wide).unwrap();
        assert!(s3_object_key("mlartifacts", &rel).is_err());
    }

    #[test]
    fn relpath_api() {
        let a = validate_path_is_safe("0/abc/artifacts").unwrap();
        let b = validate_path_is_safe("model/MLmodel").unwrap();
        let j = a.join(&b);
        assert_eq!(j.as_str(), "0/abc/artifacts/model/MLmodel");
        assert_eq!(
            j.segments().collect::<Vec<_>>(),
            ["0", "abc", "artifacts", "model", "MLmodel"]
        );
        assert_eq!(j.file_name(), Some("MLmodel"));
        assert_eq!(j.parent().as_str(), "0/abc/artifacts/model");
        assert_eq!(RelPath::root().join(&b), b);
        assert_eq!(a.join(&RelPath::root()), a);
        assert_eq!(RelPath::root().segments().count(), 0);
        assert!(RelPath::root().file_name().is_none());
        assert_eq!(validate_file_path("a/b.txt").unwrap().as_str(), "a/b.txt");
        for p in ["", "a/", "a/.", "../x"] {
            assert!(validate_file_path(p).is_err(), "{p:?}");
        }
        assert_eq!(PathError::invalid().to_string(), "Invalid path");
    }

    #[test]
    fn mpu_file_names() {
        assert_eq!(mpu_file_name("model.bin").unwrap().as_str(), "model.bin");
        assert_eq!(
            mpu_file_name("dir/model.bin").unwrap().as_str(),
            "model.bin"
        ); // basename
        assert_eq!(
            mpu_file_name("../../model.bin").unwrap().as_str(),
            "model.bin"
        );
        for p in ["", "a/", "..", "a/..", "%2e%2e", "a%2f..", "x%00", "C:x"] {
            assert!(mpu_file_name(p).is_err(), "{p:?}");
        }
    }

    #[test]
    fn proxied_destinations() {
        let rel = validate_path_is_safe("model/MLmodel").unwrap();
        // Expected values from `_get_proxied_run_artifact_destination_path` in the venv.
        let rows: &[(&str, Option<&RelPath>, &str)] = &[
            (
                "mlflow-artifacts:/0/abc/artifacts",
                Some(&rel),
                "0/abc/artifacts/model/MLmodel",
            ),
            ("mlflow-artifacts:/0/abc/artifacts", None, "0/abc/artifacts"),
            (
                "mlflow-artifacts://host:5000/0/abc/artifacts",
                Some(&rel),
                "0/abc/artifacts/model/MLmodel",
            ),
            (
                "http://h:5000/api/2.0/mlflow-artifacts/artifacts/0/abc/artifacts",
                None,
                "0/abc/artifacts",
            ),
            (
                "https://h/prefix/api/2.0/mlflow-artifacts/artifacts/0/abc/artifacts/",
                None,
                "0/abc/artifacts",
            ),
            ("MLFLOW-ARTIFACTS:/0/a", None, "0/a"),
            ("mlflow-artifacts:/", None, ""),
            ("mlflow-artifacts:", Some(&rel), "model/MLmodel"),
        ];
        for (root, r, want) in rows {
            assert_eq!(
                proxied_artifact_destination(root, *r).unwrap().as_str(),
                *want,
                "{root}"
            );
        }
        for root in [
            "s3://b/0/abc/artifacts",
            "file:///tmp/x",
            "/tmp/x",
            "http://h/other/0/abc",
            "mlflow-artifacts:/../../etc",
            "mlflow-artifacts:/0/x?/../../etc",
            "mlflow-artifacts:/0/x#/../../etc",
            "http://h/x;/../../etc",
            "mlflow-artifacts:/C:/x",
            "mlflow-artifacts:/a\\..\\b",
        ] {
            assert!(proxied_artifact_destination(root, None).is_err(), "{root}");
        }
        assert!(is_proxied_artifact_root("mlflow-artifacts:/0/a"));
        assert!(is_proxied_artifact_root(
            "HTTPS://h/api/2.0/mlflow-artifacts/artifacts/0"
        ));
        assert!(!is_proxied_artifact_root("s3://b/0"));
        assert!(!is_proxied_artifact_root("/mlruns/0"));
    }

    #[test]
    fn s3_keys() {
        let rel = validate_path_is_safe("0/abc/artifacts/model/MLmodel").unwrap();
        assert_eq!(
            s3_object_key("mlartifacts", &rel).unwrap(),
            "mlartifacts/0/abc/artifacts/model/MLmodel"
        );
        assert_eq!(
            s3_object_key("/a/b/", &rel).unwrap(),
            "a/b/0/abc/artifacts/model/MLmodel"
        );
        assert_eq!(
            s3_object_key("", &rel).unwrap(),
            "0/abc/artifacts/model/MLmodel"
        );
        assert_eq!(
            s3_list_prefix("p", &rel).unwrap(),
            "p/0/abc/artifacts/model/MLmodel/"
        );
        assert_eq!(s3_list_prefix("p/", &RelPath::root()).unwrap(), "p/");
        assert_eq!(s3_list_prefix("", &RelPath::root()).unwrap(), "");
        assert!(s3_object_key("p", &RelPath::root()).is_err());
        for prefix in ["a/../b", "..", "a//b", "a/./b", "a\\b"] {
            assert!(s3_object_key(prefix, &rel).is_err(), "{prefix}");
        }
        let max = validate_path_is_safe(&"k".repeat(MAX_S3_KEY_BYTES - 2)).unwrap();
        assert!(s3_object_key("p", &max).is_ok());
        assert!(s3_object_key("pp", &max).is_err());
    }
}

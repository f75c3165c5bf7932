//! URI helpers from `mlflow/utils/uri.py`: joining paths onto artifact URIs and resolving
//! local paths.

/// Splits `scheme:` off a URI the way `urllib.parse.urlparse` recognizes one.
pub fn split_scheme(uri: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = uri.split_once(':')?;
    let mut chars = scheme.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    if first_ok && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')) {
        Some((scheme, rest))
    } else {
        None
    }
}

/// `_join_posixpaths_and_append_absolute_suffixes`.
fn join_posix(prefix: &str, suffix: &str) -> String {
    if prefix.is_empty() {
        return suffix.to_owned();
    }
    let suffix = suffix.trim_start_matches('/');
    if suffix.is_empty() {
        if prefix.ends_with('/') {
            prefix.to_owned()
        } else {
            format!("{prefix}/")
        }
    } else if prefix.ends_with('/') {
        format!("{prefix}{suffix}")
    } else {
        format!("{prefix}/{suffix}")
    }
}

/// `append_to_uri_path`: appends POSIX path segments to a URI's path, keeping its scheme,
/// authority and query (`s3://b/p?x=1` + `a` = `s3://b/p/a?x=1`).
pub fn append_to_uri_path(uri: &str, paths: &[&str]) -> String {
    let mut suffix = String::new();
    for p in paths {
        suffix = join_posix(&suffix, p);
    }
    let Some((scheme, rest)) = split_scheme(uri) else {
        return join_posix(uri, &suffix);
    };
    let (rest, fragment) = match rest.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (rest, None),
    };
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, Some(q)),
        None => (rest, None),
    };
    let (authority, path) = match rest.strip_prefix("//") {
        Some(after) => {
            let cut = after.find('/').unwrap_or(after.len());
            (Some(&after[..cut]), &after[cut..])
        }
        None => (None, rest),
    };
    let mut new_path = join_posix(path, &suffix);
    if authority.is_some_and(|a| !a.is_empty())
        && !new_path.is_empty()
        && !new_path.starts_with('/')
    {
        new_path.insert(0, '/');
    }
    let mut out = format!("{scheme}:");
    if let Some(a) = authority {
        out.push_str("//");
        out.push_str(a);
    }
    out.push_str(&new_path);
    if let Some(q) = query.filter(|q| !q.is_empty()) {
        out.push('?');
        out.push_str(q);
    }
    if let Some(f) = fragment.filter(|f| !f.is_empty()) {
        out.push('#');
        out.push_str(f);
    }
    out
}

/// `resolve_uri_if_local`: a relative local path becomes absolute against the working
/// directory; anything with a (non-file) scheme is returned as is.
pub fn resolve_uri_if_local(uri: &str) -> String {
    let (scheme, path) = match split_scheme(uri) {
        Some(("file", rest)) => ("file", rest.strip_prefix("//").unwrap_or(rest)),
        Some(_) => return uri.to_owned(),
        None => ("", uri),
    };
    if path.starts_with('/') {
        return uri.to_owned();
    }
    let abs = std::env::current_dir()
        .map(|cwd| cwd.join(path).to_string_lossy().into_owned())
        .unwrap_or_else(|_| path.to_owned());
    if scheme == "file" {
        format!("file://{abs}")
    } else {
        abs
    }
}

/// Schemes whose URIs name a host the server would connect to
/// (`HOST_ADDRESSED_ARTIFACT_SCHEMES`, `mlflow/store/artifact/host_policy.py`).
const HOST_ADDRESSED_SCHEMES: [&str; 10] = [
    "ftp",
    "sftp",
    "hdfs",
    "viewfs",
    "http",
    "https",
    "mlflow-artifacts",
    "r2",
    "b2",
    "abfss",
];

/// `(scheme family, host, port)` targets a URI makes the server connect to, or `None` when it
/// names no host (`host_addressed_uri_targets`).
fn host_targets(uri: &str) -> Option<Vec<(String, String, Option<u16>)>> {
    let (scheme, rest) = split_scheme(uri)?;
    let scheme = scheme.to_ascii_lowercase();
    if !HOST_ADDRESSED_SCHEMES.contains(&scheme.as_str()) {
        return None;
    }
    let authority = rest.strip_prefix("//").map(|a| {
        let end = a.find(['/', '?', '#']).unwrap_or(a.len());
        &a[..end]
    });
    if scheme == "mlflow-artifacts" && authority.is_none_or(str::is_empty) {
        // `mlflow-artifacts:/path` resolves against the tracking server itself.
        return None;
    }
    let authority = authority.unwrap_or("");
    let hostport = authority.rsplit('@').next().unwrap_or("");
    let family = match scheme.as_str() {
        "viewfs" => "hdfs",
        "https" | "mlflow-artifacts" => "http",
        s => s,
    }
    .to_owned();
    let malformed = || Some(vec![("malformed".to_owned(), authority.to_owned(), None)]);
    if authority.contains('\\') || authority.chars().any(char::is_whitespace) {
        return malformed();
    }
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || hostport.starts_with('[') => match p.parse::<u16>() {
            Ok(p) => (h, Some(p)),
            Err(_) if p.is_empty() => (h, None),
            Err(_) => return malformed(),
        },
        _ => (hostport, None),
    };
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    let ports: Vec<Option<u16>> = match (port, scheme.as_str()) {
        (Some(p), _) => vec![Some(p)],
        (None, "ftp") => vec![Some(21)],
        (None, "sftp") => vec![Some(22)],
        (None, "http") => vec![Some(80)],
        (None, "https" | "r2" | "b2" | "abfss") => vec![Some(443)],
        (None, "mlflow-artifacts") => vec![Some(80), Some(443)],
        (None, _) => vec![None],
    };
    Some(
        ports
            .into_iter()
            .map(|p| (family.clone(), host.clone(), p))
            .collect(),
    )
}

/// `rejected_host_addressed_scheme`: the scheme when the server must not connect to the host
/// the URI names (not allowed by `MLFLOW_ALLOWED_HOST_ADDRESSED_ARTIFACT_SCHEMES` and not the
/// host of the server's own artifact root or destination).
pub fn rejected_host_addressed_scheme(uri: &str, trusted_roots: &[&str]) -> Option<String> {
    let targets = host_targets(uri)?;
    let scheme = split_scheme(uri)?.0.to_ascii_lowercase();
    let allowed =
        std::env::var("MLFLOW_ALLOWED_HOST_ADDRESSED_ARTIFACT_SCHEMES").unwrap_or_default();
    if allowed
        .split(',')
        .any(|s| s.trim().eq_ignore_ascii_case(&scheme))
    {
        return None;
    }
    let trusted: Vec<_> = trusted_roots
        .iter()
        .filter_map(|r| host_targets(r))
        .flatten()
        .collect();
    if targets.iter().any(|t| trusted.contains(t)) {
        return None;
    }
    Some(scheme)
}

/// `_validate_artifact_uri_scheme` (handlers.py): a request field must not name a host the
/// server would connect to, with `host_addressed_rejection_message`'s wording.
pub fn validate_artifact_uri_scheme(
    value: &str,
    field_name: &str,
    trusted_roots: &[&str],
) -> crate::error::Result<()> {
    match rejected_host_addressed_scheme(value, trusted_roots) {
        None => Ok(()),
        Some(scheme) => Err(crate::error::MlflowError::invalid_parameter_value(format!(
            "'{field_name}' cannot use the '{scheme}' scheme: the '{scheme}' scheme addresses a \
             host other than the tracking server's configured artifact storage, so the server \
             would connect to the host named in the URI. Set the \
             MLFLOW_ALLOWED_HOST_ADDRESSED_ARTIFACT_SCHEMES environment variable on the server to \
             allow it."
        ))),
    }
}

/// Percent-decodes until stable (at most 10 rounds), as `mlflow.utils.uri._decode` does.
pub fn decode_repeatedly(s: &str) -> String {
    let mut cur = s.to_owned();
    for _ in 0..10 {
        let next = percent_encoding::percent_decode_str(&cur)
            .decode_utf8_lossy()
            .into_owned();
        if next == cur {
            break;
        }
        cur = next;
    }
    cur
}

/// `_validate_storage_location_uri` (handlers.py): no fragment or `;params`, no `..` in the
/// query, no host the server would be made to connect to, no `runs:/` URI, MLflow's length
/// limit.
pub fn validate_storage_location_uri(
    value: &str,
    field_name: &str,
    trusted_roots: &[&str],
) -> crate::error::Result<()> {
    use crate::error::MlflowError;
    let without_fragment = value.split('#').next().unwrap_or(value);
    let (before_query, query) = match without_fragment.split_once('?') {
        Some((b, q)) => (b, q),
        None => (without_fragment, ""),
    };
    let last_segment = before_query.rsplit('/').next().unwrap_or("");
    let has_params = split_scheme(value).is_some() && last_segment.contains(';');
    if value.contains('#') || has_params {
        return Err(MlflowError::invalid_parameter_value(format!(
            "'{field_name}' URL can't include fragments or params."
        )));
    }
    if decode_repeatedly(query).contains("..") {
        return Err(MlflowError::invalid_parameter_value("Invalid query string"));
    }
    validate_artifact_uri_scheme(value, field_name, trusted_roots)?;
    if value.starts_with("runs:") {
        return Err(MlflowError::invalid_parameter_value(format!(
            "Artifact location cannot be a runs:/ URI. Given: '{value}'"
        )));
    }
    crate::validation::validate_experiment_artifact_location_length(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_like_mlflow() {
        assert_eq!(
            append_to_uri_path("mlflow-artifacts:/", &["0"]),
            "mlflow-artifacts:/0"
        );
        assert_eq!(
            append_to_uri_path("mlflow-artifacts:/1", &["abc", "artifacts"]),
            "mlflow-artifacts:/1/abc/artifacts"
        );
        assert_eq!(append_to_uri_path("s3://b/root", &["1"]), "s3://b/root/1");
        assert_eq!(append_to_uri_path("s3://b", &["1"]), "s3://b/1");
        assert_eq!(append_to_uri_path("s3://b/p?x=1", &["a"]), "s3://b/p/a?x=1");
        assert_eq!(append_to_uri_path("/tmp/art", &["3"]), "/tmp/art/3");
        assert_eq!(
            append_to_uri_path("file:///tmp/a", &["3"]),
            "file:///tmp/a/3"
        );
        assert_eq!(append_to_uri_path("rel/p", &["/x", "y"]), "rel/p/x/y");
    }

    #[test]
    fn resolves_relative_paths() {
        let abs = resolve_uri_if_local("some/dir");
        assert!(abs.starts_with('/') && abs.ends_with("/some/dir"));
        assert_eq!(resolve_uri_if_local("/abs"), "/abs");
        assert_eq!(resolve_uri_if_local("s3://b/x"), "s3://b/x");
    }
}

#[cfg(test)]
mod host_policy_tests {
    use super::*;

    #[test]
    fn host_addressed_locations() {
        let trusted = ["mlflow-artifacts:/", "s3://bucket/root"];
        assert_eq!(
            rejected_host_addressed_scheme("http://example.com/a", &trusted).as_deref(),
            Some("http")
        );
        assert_eq!(
            rejected_host_addressed_scheme("mlflow-artifacts://evil:80/x", &trusted).as_deref(),
            Some("mlflow-artifacts")
        );
        assert_eq!(
            rejected_host_addressed_scheme("mlflow-artifacts:/x", &trusted),
            None
        );
        assert_eq!(
            rejected_host_addressed_scheme("s3://other/x", &trusted),
            None
        );
        assert_eq!(
            rejected_host_addressed_scheme("/local/path", &trusted),
            None
        );
        let own = ["http://minio:9000/bucket"];
        assert_eq!(
            rejected_host_addressed_scheme("http://minio:9000/other", &own),
            None
        );
        assert!(rejected_host_addressed_scheme("http://minio:9001/other", &own).is_some());
    }

    #[test]
    fn storage_location_rules() {
        assert!(validate_storage_location_uri("s3://b/p#frag", "artifact_location", &[]).is_err());
        assert!(
            validate_storage_location_uri("s3://b/p?x=%252e%252e/", "artifact_location", &[])
                .is_err()
        );
        assert!(validate_storage_location_uri("runs:/abc/x", "artifact_location", &[]).is_err());
        assert!(validate_storage_location_uri("s3://b/p", "artifact_location", &[]).is_ok());
    }
}

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

/// `_validate_storage_location_uri` (handlers.py), the parts that concern the tracking core:
/// no URL fragment or `;params`, and MLflow's length limit. Path-traversal rules for artifact
/// locations live with the artifact store.
pub fn validate_storage_location_uri(value: &str, field_name: &str) -> crate::error::Result<()> {
    let path_part = value.split(['?', '#']).next().unwrap_or(value);
    let has_params = split_scheme(value).is_some()
        && path_part
            .rsplit('/')
            .next()
            .is_some_and(|last| last.contains(';'));
    if value.contains('#') || has_params {
        return Err(crate::error::MlflowError::invalid_parameter_value(format!(
            "'{field_name}' URL can't include fragments or params."
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

//! MLflow's security middleware: Host allow-list (DNS rebinding), blocking of cross-origin
//! state-changing API calls, CORS answers and the `X-Content-Type-Options` / `X-Frame-Options`
//! headers. Mirrors `mlflow/server/fastapi_security.py` and `mlflow/server/security_utils.py`
//! (the uvicorn app `mlflow server` runs), with the CORS part following Starlette's
//! `CORSMiddleware` as MLflow configures it.
//!
//! One middleware runs MLflow's four layers in their order, outermost first:
//! `HostValidationMiddleware`, `CORSMiddleware`, `CORSBlockingMiddleware`,
//! `SecurityHeadersMiddleware`. So a rejected Host gets a bare 403, a preflight is answered
//! before routing (and without the security headers), and a blocked cross-origin call still
//! carries the CORS headers. Paths are checked as sent, `--static-prefix` included, as MLflow's
//! `_add_static_prefix` checks do.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::config::ServerArgs;

/// `INVALID_HOST_MSG` (`security_utils.py`).
pub const INVALID_HOST_MSG: &str = "Invalid Host header - possible DNS rebinding attack detected";
/// `CORS_BLOCKED_MSG` (`security_utils.py`).
pub const CORS_BLOCKED_MSG: &str = "Cross-origin request blocked";
/// `STATE_CHANGING_METHODS`.
const STATE_CHANGING_METHODS: [Method; 4] =
    [Method::POST, Method::PUT, Method::DELETE, Method::PATCH];
/// `HEALTH_ENDPOINTS`: exempt from the Host check (under the prefix).
const HEALTH_ENDPOINTS: [&str; 2] = ["/health", "/version"];
/// `TEST_ENDPOINTS`: never treated as API endpoints.
const TEST_ENDPOINTS: [&str; 2] = ["/test", "/api/test"];
/// `LOCALHOST_VARIANTS`: the default allowed Hosts, with and without a port.
const LOCALHOST_VARIANTS: [&str; 4] = ["localhost", "127.0.0.1", "[::1]", "0.0.0.0"];
/// `CORS_LOCALHOST_HOSTS`: an Origin with one of these hostnames is never blocked.
const CORS_LOCALHOST_HOSTS: [&str; 4] = ["localhost", "127.0.0.1", "[::1]", "::1"];
/// `LOCALHOST_ORIGIN_PATTERNS` (`^http://<host>(:[0-9]+)?$`): allowed CORS origins by default.
const LOCALHOST_ORIGIN_BASES: [&str; 3] = ["http://localhost", "http://127.0.0.1", "http://[::1]"];
/// `TRACE_RENDERER_ASSET_PATH` (`mlflow/tracing/constant.py`): framed by notebooks, so it gets
/// no `X-Frame-Options`. Compared with the path as sent, so under a prefix it never matches,
/// as in MLflow.
const TRACE_RENDERER_ASSET_PATH: &str = "/static-files/lib/notebook-trace-renderer";
/// The methods MLflow allows in credentialed CORS (`init_fastapi_security`), and their header.
const CORS_METHODS: [&str; 6] = ["GET", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"];
const CORS_METHODS_HEADER: &str = "GET, POST, PUT, DELETE, OPTIONS, PATCH";
/// Starlette's `ALL_METHODS`, what `allow_methods=["*"]` means (wildcard origins).
const ALL_METHODS: [&str; 8] = [
    "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "QUERY",
];
const ALL_METHODS_HEADER: &str = "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT, QUERY";
/// Starlette's default `max_age`.
const CORS_MAX_AGE: &str = "600";
/// Starlette's preflight `Vary`.
const PREFLIGHT_VARY: &str = "Origin, Access-Control-Request-Method, \
    Access-Control-Request-Headers, Access-Control-Request-Private-Network";

/// The CORS policy: `--cors-allowed-origins *` (anyone, without credentials, and nothing is
/// blocked) or a list (plus the localhost origins), with credentials.
#[derive(Debug, Clone, PartialEq)]
enum Cors {
    Wildcard,
    AllowList(Vec<String>),
}

/// The security settings of a running server (`init_fastapi_security`).
#[derive(Debug, Clone)]
pub struct Security {
    /// Host patterns; `None` when `*` is among them (no Host check at all).
    allowed_hosts: Option<Vec<String>>,
    cors: Cors,
    /// `None` for `NONE`.
    x_frame_options: Option<HeaderValue>,
    /// `--static-prefix`, or empty.
    prefix: String,
}

impl Security {
    /// The middleware for these flags (`--allowed-hosts`, `--cors-allowed-origins`,
    /// `--x-frame-options`), already resolved from their environment variables. Empty values
    /// count as unset, as click treats them.
    pub fn new(
        allowed_hosts: Option<&str>,
        cors_allowed_origins: Option<&str>,
        x_frame_options: Option<&str>,
        static_prefix: Option<&str>,
    ) -> Result<Self, String> {
        let allowed_hosts = split_list(allowed_hosts).unwrap_or_else(default_allowed_hosts);
        let allowed_hosts = (!allowed_hosts.iter().any(|h| h == "*")).then_some(allowed_hosts);
        let cors = match split_list(cors_allowed_origins) {
            Some(list) if list.iter().any(|o| o == "*") => Cors::Wildcard,
            list => Cors::AllowList(list.unwrap_or_default()),
        };
        let xfo = x_frame_options
            .filter(|v| !v.is_empty())
            .unwrap_or("SAMEORIGIN")
            .to_uppercase();
        let x_frame_options = match xfo.as_str() {
            "NONE" => None,
            v => Some(
                HeaderValue::from_str(v)
                    .map_err(|_| format!("--x-frame-options: '{v}' is not a valid header value"))?,
            ),
        };
        Ok(Security {
            allowed_hosts,
            cors,
            x_frame_options,
            prefix: static_prefix.unwrap_or("").trim_end_matches('/').to_owned(),
        })
    }

    /// `None` with `--disable-security-middleware`; logs what `mlflow server` prints at start-up.
    pub fn from_args(args: &ServerArgs) -> Result<Option<Arc<Self>>, String> {
        if args.disable_security_middleware {
            tracing::warn!(
                "Security middleware is DISABLED. Your MLflow server is vulnerable to various \
                 attacks."
            );
            return Ok(None);
        }
        let sec = Security::new(
            args.allowed_hosts.as_deref(),
            args.cors_allowed_origins.as_deref(),
            args.x_frame_options.as_deref(),
            args.static_prefix.as_deref(),
        )?;
        if sec.allowed_hosts.is_none() {
            tracing::warn!(
                "Accepting ALL hosts. This may leave the server vulnerable to DNS rebinding attacks."
            );
        }
        if sec.cors == Cors::Wildcard {
            tracing::warn!(
                "Allowing ALL origins for CORS, without credentials. This allows ANY website to \
                 access your MLflow data."
            );
        }
        let (hosts, origins) = (&args.allowed_hosts, &args.cors_allowed_origins);
        tracing::info!(
            allowed_hosts = hosts.as_deref().unwrap_or("localhost, private IPs"),
            cors_allowed_origins = origins.as_deref().unwrap_or("localhost"),
            x_frame_options = ?sec.x_frame_options,
            "security middleware enabled"
        );
        Ok(Some(Arc::new(sec)))
    }

    /// `is_health_endpoint`: `/health` and `/version` under the prefix. mlflowd also answers
    /// `/health` without the prefix (so probes need not know it), and exempts it too.
    fn is_health_endpoint(&self, path: &str) -> bool {
        HEALTH_ENDPOINTS
            .iter()
            .any(|e| path.strip_prefix(self.prefix.as_str()) == Some(*e))
            || (!self.prefix.is_empty() && path == "/health")
    }

    /// `is_api_endpoint`: under `<prefix>/api/` or `<prefix>/ajax-api/`, or the artifact
    /// service's unprefixed paths (MLflow's artifact router ignores the prefix).
    fn is_api_endpoint(&self, path: &str) -> bool {
        let prefixed = path
            .strip_prefix(self.prefix.as_str())
            .is_some_and(|rest| rest.starts_with("/api/") || rest.starts_with("/ajax-api/"));
        let artifacts = path.starts_with("/api/2.0/mlflow-artifacts/artifacts")
            || path.starts_with("/ajax-api/2.0/mlflow-artifacts/artifacts");
        (prefixed || artifacts) && !TEST_ENDPOINTS.contains(&path)
    }

    /// `CORSMiddleware.is_allowed_origin`: the origins whose name is echoed back.
    fn is_allowed_origin(&self, origin: &str) -> bool {
        match &self.cors {
            Cors::Wildcard => true,
            Cors::AllowList(list) => {
                is_localhost_origin_pattern(origin) || list.iter().any(|o| o == origin)
            }
        }
    }

    /// `should_block_cors_request`, with `is_localhost_origin` and the fnmatch allow-list.
    fn should_block(&self, origin: &str, method: &Method) -> bool {
        let Cors::AllowList(allowed) = &self.cors else {
            return false;
        };
        if origin.is_empty() || !STATE_CHANGING_METHODS.contains(method) {
            return false;
        }
        if is_localhost_origin(origin) {
            return false;
        }
        !allowed.iter().any(|a| matches_entry(origin, a))
    }

    /// Starlette's `preflight_response`: 200 "OK" or 400 "Disallowed CORS …".
    fn preflight(&self, origin: &HeaderValue, request: &HeaderMap) -> Response {
        let allowed_origin = self.is_allowed_origin(&lossy(origin));
        let (methods, methods_header): (&[&str], _) = match self.cors {
            Cors::Wildcard => (&ALL_METHODS, ALL_METHODS_HEADER),
            Cors::AllowList(_) => (&CORS_METHODS, CORS_METHODS_HEADER),
        };
        let mut headers = HeaderMap::new();
        set(&mut headers, header::VARY, PREFLIGHT_VARY);
        set(
            &mut headers,
            header::ACCESS_CONTROL_ALLOW_METHODS,
            methods_header,
        );
        set(&mut headers, header::ACCESS_CONTROL_MAX_AGE, CORS_MAX_AGE);
        match self.cors {
            // Without credentials Starlette answers `*`, whoever asks.
            Cors::Wildcard => set(&mut headers, header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
            Cors::AllowList(_) => {
                set(
                    &mut headers,
                    header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
                    "true",
                );
                if allowed_origin {
                    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
                }
            }
        }
        let mut failures = Vec::new();
        if !allowed_origin {
            failures.push("origin");
        }
        let requested_method = request
            .get(header::ACCESS_CONTROL_REQUEST_METHOD)
            .map(lossy)
            .unwrap_or_default();
        if !methods.contains(&requested_method.as_str()) {
            failures.push("method");
        }
        // `allow_headers=["*"]`: whatever was asked for is allowed, by echoing it.
        if let Some(requested) = request.get(header::ACCESS_CONTROL_REQUEST_HEADERS) {
            headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, requested.clone());
        }
        // `allow_private_network` is off.
        if request.contains_key("access-control-request-private-network") {
            failures.push("private-network");
        }
        let (status, body) = match failures.is_empty() {
            true => (StatusCode::OK, "OK".to_owned()),
            false => (
                StatusCode::BAD_REQUEST,
                format!("Disallowed CORS {}", failures.join(", ")),
            ),
        };
        set(
            &mut headers,
            header::CONTENT_TYPE,
            "text/plain; charset=utf-8",
        );
        (status, headers, body).into_response()
    }

    /// Starlette's `CORSMiddleware.send` on an ordinary response: the CORS headers when the
    /// request had an Origin, the origin echoed when allowed, and `Vary: Origin` always.
    fn add_cors_headers(&self, origin: Option<&HeaderValue>, headers: &mut HeaderMap) {
        if let Some(origin) = origin {
            match self.cors {
                Cors::Wildcard => set(headers, header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
                Cors::AllowList(_) => {
                    set(headers, header::ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
                    if self.is_allowed_origin(&lossy(origin)) {
                        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
                    }
                }
            }
            set(headers, header::ACCESS_CONTROL_EXPOSE_HEADERS, "*");
        }
        append_vary_origin(headers);
    }

    /// `SecurityHeadersMiddleware`: nosniff, `X-Frame-Options`, and 204 for a successful
    /// OPTIONS on an API path.
    fn add_security_headers(&self, method: &Method, path: &str, response: &mut Response) {
        let headers = response.headers_mut();
        set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
        if let Some(xfo) = &self.x_frame_options {
            if !path.starts_with(TRACE_RENDERER_ASSET_PATH) {
                headers.insert(header::X_FRAME_OPTIONS, xfo.clone());
            }
        }
        if method == Method::OPTIONS
            && response.status() == StatusCode::OK
            && self.is_api_endpoint(path)
        {
            *response.status_mut() = StatusCode::NO_CONTENT;
            response.headers_mut().remove(header::CONTENT_LENGTH);
            *response.body_mut() = Body::empty();
        }
    }
}

/// The middleware (`app.rs` installs it unless `--disable-security-middleware`).
pub async fn security(State(sec): State<Arc<Security>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let method = req.method().clone();
    // HostValidationMiddleware
    if let Some(allowed) = &sec.allowed_hosts {
        let host = host_header(&req);
        if !sec.is_health_endpoint(&path) && !is_allowed_host_header(allowed, &host) {
            tracing::warn!(host, "Rejected request with invalid Host header");
            return plain_403(INVALID_HOST_MSG);
        }
    }
    // CORSMiddleware: a preflight is answered here.
    let origin = req.headers().get(header::ORIGIN).cloned();
    if let Some(origin) = &origin {
        if method == Method::OPTIONS
            && req
                .headers()
                .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
        {
            return sec.preflight(origin, req.headers());
        }
    }
    // CORSBlockingMiddleware, then SecurityHeadersMiddleware around the app.
    let origin_str = origin.as_ref().map(lossy).unwrap_or_default();
    let mut response = if sec.is_api_endpoint(&path) && sec.should_block(&origin_str, &method) {
        tracing::warn!(origin = origin_str, "Blocked cross-origin request");
        plain_403(CORS_BLOCKED_MSG)
    } else {
        let mut response = next.run(req).await;
        sec.add_security_headers(&method, &path, &mut response);
        response
    };
    sec.add_cors_headers(origin.as_ref(), response.headers_mut());
    response
}

/// MLflow's 403s: `text/plain`, nothing else.
fn plain_403(message: &'static str) -> Response {
    (
        StatusCode::FORBIDDEN,
        [(header::CONTENT_TYPE, "text/plain")],
        message,
    )
        .into_response()
}

/// The Host the client asked for: the (last, as MLflow's header dict keeps) `Host` header, or
/// the HTTP/2 `:authority`. Undecodable or missing: empty, which is never allowed.
fn host_header(req: &Request) -> String {
    match req.headers().get_all(header::HOST).iter().next_back() {
        Some(v) => std::str::from_utf8(v.as_bytes()).unwrap_or("").to_owned(),
        None => req
            .uri()
            .authority()
            .map(|a| a.as_str().to_owned())
            .unwrap_or_default(),
    }
}

fn set(headers: &mut HeaderMap, name: HeaderName, value: &'static str) {
    headers.insert(name, HeaderValue::from_static(value));
}

fn lossy(v: &HeaderValue) -> String {
    String::from_utf8_lossy(v.as_bytes()).into_owned()
}

/// Starlette's `headers["Vary"] = ", ".join([*headers.getlist("Vary"), "Origin"])`, without
/// repeating a `Vary: Origin` the response already has.
fn append_vary_origin(headers: &mut HeaderMap) {
    let mut values: Vec<&str> = headers
        .get_all(header::VARY)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    let has_origin = values
        .iter()
        .flat_map(|v| v.split(','))
        .any(|v| v.trim().eq_ignore_ascii_case("origin"));
    if !has_origin {
        values.push("Origin");
    }
    let joined = values.join(", ");
    if let Ok(v) = HeaderValue::from_str(&joined) {
        headers.insert(header::VARY, v);
    }
}

/// `s.split(",")` with each entry stripped; unset or empty is `None`.
fn split_list(value: Option<&str>) -> Option<Vec<String>> {
    value
        .filter(|v| !v.is_empty())
        .map(|v| v.split(',').map(|s| s.trim().to_owned()).collect())
}

/// `get_default_allowed_hosts`: the localhost forms, with any port, and private IP ranges.
fn default_allowed_hosts() -> Vec<String> {
    let mut hosts: Vec<String> = LOCALHOST_VARIANTS.iter().map(|h| h.to_string()).collect();
    for h in LOCALHOST_VARIANTS {
        // `[` opens a character class in fnmatch; MLflow escapes it as `[[]`.
        hosts.push(format!("{}:*", h.replacen('[', "[[]", 1)));
    }
    hosts.push("192.168.*".into());
    hosts.push("10.*".into());
    hosts.extend((16..32).map(|i| format!("172.{i}.*")));
    hosts.push("fc00:*".into());
    hosts.push("fd00:*".into());
    hosts
}

/// `is_allowed_host_header`.
fn is_allowed_host_header(allowed: &[String], host: &str) -> bool {
    !host.is_empty() && allowed.iter().any(|a| a == "*" || matches_entry(host, a))
}

/// How MLflow compares a Host or Origin with an allow-list entry: fnmatch when the entry has a
/// `*`, else exactly.
fn matches_entry(value: &str, entry: &str) -> bool {
    match entry.contains('*') {
        true => fnmatch(value, entry),
        false => value == entry,
    }
}

/// `LOCALHOST_ORIGIN_PATTERNS` joined with `|`, as Starlette `fullmatch`es them.
fn is_localhost_origin_pattern(origin: &str) -> bool {
    LOCALHOST_ORIGIN_BASES.iter().any(|base| {
        origin.strip_prefix(base).is_some_and(|rest| {
            rest.is_empty()
                || rest
                    .strip_prefix(':')
                    .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        })
    })
}

/// `is_localhost_origin`: `urlparse(origin).hostname` is a loopback name (any scheme, any
/// port); an origin `urlparse` refuses is not local.
fn is_localhost_origin(origin: &str) -> bool {
    matches!(urlparse_hostname(origin), Ok(Some(h)) if CORS_LOCALHOST_HOSTS.contains(&h.as_str()))
}

/// `urllib.parse.urlsplit(url).hostname` (CPython 3.11), including the `ValueError`s it raises
/// for bad brackets and NFKC tricks in the network location.
fn urlparse_hostname(url: &str) -> Result<Option<String>, ()> {
    let url: String = url
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\r' | '\n'))
        .collect();
    let mut rest = url.as_str();
    if let Some(i) = rest.find(':') {
        let scheme = &rest[..i];
        let valid = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if valid {
            rest = &rest[i + 1..];
        }
    }
    let Some(after) = rest.strip_prefix("//") else {
        return Ok(None);
    };
    let netloc = &after[..after.find(['/', '?', '#']).unwrap_or(after.len())];
    let (open, close) = (netloc.contains('['), netloc.contains(']'));
    if open != close {
        return Err(()); // "Invalid IPv6 URL"
    }
    if open {
        let bracketed = netloc.split_once('[').map_or("", |(_, b)| b);
        check_bracketed_host(bracketed.split_once(']').map_or(bracketed, |(h, _)| h))?;
    }
    check_netloc(netloc)?;
    let hostinfo = netloc.rsplit_once('@').map_or(netloc, |(_, h)| h);
    let hostname = match hostinfo.split_once('[') {
        Some((_, bracketed)) => bracketed.split_once(']').map_or(bracketed, |(h, _)| h),
        None => hostinfo.split_once(':').map_or(hostinfo, |(h, _)| h),
    };
    if hostname.is_empty() {
        return Ok(None);
    }
    // The zone of a scoped IPv6 address keeps its case.
    Ok(Some(match hostname.split_once('%') {
        Some((h, zone)) => format!("{}%{zone}", h.to_lowercase()),
        None => hostname.to_lowercase(),
    }))
}

/// `_check_bracketed_host`: an IPv6 address (optionally scoped) or an IPvFuture literal.
fn check_bracketed_host(host: &str) -> Result<(), ()> {
    if let Some(future) = host.strip_prefix('v') {
        let (version, addr) = future.split_once('.').ok_or(())?;
        let ok = !version.is_empty()
            && version.bytes().all(|b| b.is_ascii_hexdigit())
            && !addr.is_empty();
        return ok.then_some(()).ok_or(());
    }
    let addr = match host.split_once('%') {
        Some((_, zone)) if zone.is_empty() || zone.contains('%') => return Err(()),
        Some((addr, _)) => addr,
        None => host,
    };
    addr.parse::<std::net::Ipv6Addr>()
        .map(|_| ())
        .map_err(|_| ())
}

/// `_checknetloc`: a non-ASCII network location must not gain `/?#@:` under NFKC.
fn check_netloc(netloc: &str) -> Result<(), ()> {
    use unicode_normalization::UnicodeNormalization;
    if netloc.is_ascii() {
        return Ok(());
    }
    let n: String = netloc
        .chars()
        .filter(|c| !matches!(c, '@' | ':' | '#' | '?'))
        .collect();
    let normalized: String = n.nfkc().collect();
    if normalized != n && normalized.contains(['/', '?', '#', '@', ':']) {
        return Err(());
    }
    Ok(())
}

/// `fnmatch.fnmatch` on POSIX (case-sensitive): `*`, `?`, `[seq]`, `[!seq]`; an unclosed `[`
/// is literal.
fn fnmatch(name: &str, pattern: &str) -> bool {
    let tokens = glob_tokens(pattern);
    let name: Vec<char> = name.chars().collect();
    // Classic wildcard matching: remember the last `*` and retry from one character later.
    let (mut t, mut n) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        match tokens.get(t) {
            Some(Glob::Star) => {
                star = Some((t, n));
                t += 1;
            }
            Some(tok) if tok.matches(name[n]) => {
                t += 1;
                n += 1;
            }
            _ => match star {
                Some((st, sn)) => {
                    t = st + 1;
                    n = sn + 1;
                    star = Some((st, sn + 1));
                }
                None => return false,
            },
        }
    }
    tokens[t..].iter().all(|tok| matches!(tok, Glob::Star))
}

enum Glob {
    Star,
    Char(char),
    Any,
    /// Inclusive ranges; `negated` for `[!…]`.
    Class {
        ranges: Vec<(char, char)>,
        negated: bool,
    },
}

impl Glob {
    fn matches(&self, c: char) -> bool {
        match self {
            Glob::Star => true,
            Glob::Any => true,
            Glob::Char(x) => *x == c,
            Glob::Class { ranges, negated } => {
                ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&c)) != *negated
            }
        }
    }
}

/// `fnmatch.translate`'s reading of a pattern (CPython 3.11).
fn glob_tokens(pattern: &str) -> Vec<Glob> {
    let p: Vec<char> = pattern.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < p.len() {
        let c = p[i];
        i += 1;
        match c {
            '*' => {
                if !matches!(out.last(), Some(Glob::Star)) {
                    out.push(Glob::Star);
                }
            }
            '?' => out.push(Glob::Any),
            '[' => {
                let mut j = i;
                if p.get(j) == Some(&'!') {
                    j += 1;
                }
                if p.get(j) == Some(&']') {
                    j += 1;
                }
                while j < p.len() && p[j] != ']' {
                    j += 1;
                }
                if j >= p.len() {
                    out.push(Glob::Char('['));
                    continue;
                }
                let negated = p[i] == '!';
                let body = &p[if negated { i + 1 } else { i }..j];
                out.push(Glob::Class {
                    ranges: class_ranges(body),
                    negated,
                });
                i = j + 1;
            }
            c => out.push(Glob::Char(c)),
        }
    }
    out
}

/// The members of a class body: `a-z` is a range (a reversed one is empty), a `-` first or
/// last is literal, and after a range the next `-` is literal.
fn class_ranges(body: &[char]) -> Vec<(char, char)> {
    let mut ranges = Vec::new();
    let mut k = 0;
    while k < body.len() {
        if k + 2 < body.len() && body[k + 1] == '-' {
            ranges.push((body[k], body[k + 2]));
            k += 3;
        } else {
            ranges.push((body[k], body[k]));
            k += 1;
        }
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::header::VARY;

    fn default_security(prefix: Option<&str>) -> Security {
        Security::new(None, None, None, prefix).expect("defaults are valid")
    }

    #[test]
    #[rustfmt::skip]
    fn fnmatch_like_python() {
        // Each checked against CPython's fnmatch.fnmatch.
        for (name, pat, want) in [
            ("localhost:5000", "localhost:*", true), ("localhost:", "localhost:*", true),
            ("localhost", "localhost:*", false), ("[::1]:80", "[[]::1]:*", true),
            ("10.evil.com", "10.*", true), ("a.internal", "*.internal", true),
            (".internal", "*.internal", true), ("host.x", "h?st.*", true),
            ("hst.x", "h?st.*", false), ("b", "[a-c]*", true), ("d", "[a-c]*", false),
            ("d", "[!a-c]*", true), ("-", "[a-]*", true), ("]", "[]]*", true), ("[x", "[x*", true),
            ("a", "[z-a]*", false), ("b", "[az-ab]*", true), ("A.B", "a.*", false),
            ("axxbxxc", "a*b*c", true), ("axxbxx", "a*b*c", false),
            ("https://x.b.example", "https://*.b.example", true),
            ("https://b.example", "https://*.b.example", false),
        ] {
            assert_eq!(fnmatch(name, pat), want, "fnmatch({name:?}, {pat:?})");
        }
    }

    #[test]
    #[rustfmt::skip]
    fn default_hosts_as_mlflow() {
        let allowed = default_allowed_hosts();
        // Captured from `mlflow server` 3.17.2 (GET with each Host).
        for (host, ok) in [
            ("localhost", true), ("localhost:5000", true), ("localhost:", true),
            ("LOCALHOST", false), ("127.0.0.1:80", true), ("[::1]", true), ("[::1]:5000", true),
            ("0.0.0.0:1", true), ("192.168.1.5:5000", true), ("10.1.2.3:8080", true),
            ("172.15.0.1", false), ("172.16.0.1", true), ("172.31.255.1:9", true),
            ("172.32.0.1", false), ("[fd00::1]", false), ("fd00::1", true), ("fc00:1", true),
            ("evil.com", false), ("evil.com:5000", false), ("127.0.0.1.evil.com", false),
            ("localhost.evil.com", false), ("", false), ("10.evil.com", true),
        ] {
            assert_eq!(is_allowed_host_header(&allowed, host), ok, "{host:?}");
        }
    }

    #[test]
    #[rustfmt::skip]
    fn localhost_origins() {
        // `is_localhost_origin`, checked against CPython 3.11's urlparse.
        for (origin, local) in [
            ("http://localhost:3000", true), ("https://localhost:3000", true),
            ("http://LOCALHOST:3000", true), ("http://127.0.0.1", true),
            ("http://[::1]:3000", true), ("http://user@localhost:3000", true),
            ("http://localhost:abc", true), ("//localhost", true), ("localhost", false),
            ("localhost:3000", false), ("null", false), ("http://[::1", false),
            ("http://[zz]@[::1]", false), ("http://localhost.evil.com", false),
            ("https://evil.com", false),
        ] {
            assert_eq!(is_localhost_origin(origin), local, "{origin:?}");
        }
        for (origin, allowed) in [
            ("http://localhost", true), ("http://localhost:1", true), ("http://[::1]:8080", true),
            ("https://localhost:1", false), ("http://localhost:", false),
            ("http://LOCALHOST:1", false), ("http://localhost:1/", false),
        ] {
            assert_eq!(is_localhost_origin_pattern(origin), allowed, "{origin:?}");
        }
    }

    #[test]
    fn blocking_rules() {
        let sec = Security::new(
            None,
            Some("https://a.example, https://*.b.example"),
            None,
            None,
        )
        .expect("valid");
        let post = Method::POST;
        assert!(!sec.should_block("", &post));
        assert!(!sec.should_block("https://evil.com", &Method::GET));
        assert!(!sec.should_block("http://localhost:1", &post));
        assert!(!sec.should_block("https://a.example", &post));
        assert!(!sec.should_block("https://x.b.example", &post));
        assert!(sec.should_block("https://evil.com", &Method::PATCH));
        assert!(
            !sec.is_allowed_origin("https://x.b.example"),
            "Starlette matches exactly"
        );
        let any = Security::new(None, Some("https://a.example,*"), None, None).expect("valid");
        assert!(!any.should_block("https://evil.com", &post));
        assert_eq!(any.cors, Cors::Wildcard);
    }

    #[test]
    fn paths_under_a_prefix() {
        let sec = default_security(Some("/p"));
        assert!(sec.is_health_endpoint("/p/health"));
        assert!(sec.is_health_endpoint("/p/version"));
        assert!(
            sec.is_health_endpoint("/health"),
            "mlflowd's unprefixed /health"
        );
        assert!(!sec.is_health_endpoint("/version"));
        assert!(sec.is_api_endpoint("/p/api/2.0/mlflow/runs/create"));
        assert!(sec.is_api_endpoint("/p/ajax-api/2.0/mlflow/runs/create"));
        assert!(!sec.is_api_endpoint("/api/2.0/mlflow/runs/create"));
        assert!(sec.is_api_endpoint("/api/2.0/mlflow-artifacts/artifacts/x"));
        let root = default_security(None);
        assert!(root.is_api_endpoint("/api/2.0/mlflow/runs/create"));
        assert!(!root.is_api_endpoint("/api/test"));
        assert!(!root.is_api_endpoint("/api"));
        assert!(!root.is_health_endpoint("/healthz"));
    }

    #[test]
    fn x_frame_options_values() {
        let xfo = |v: Option<&str>| {
            Security::new(None, None, v, None)
                .expect("valid")
                .x_frame_options
                .map(|h| h.to_str().unwrap_or("").to_owned())
        };
        assert_eq!(xfo(None).as_deref(), Some("SAMEORIGIN"));
        assert_eq!(xfo(Some("")).as_deref(), Some("SAMEORIGIN"));
        assert_eq!(xfo(Some("deny")).as_deref(), Some("DENY"));
        assert_eq!(xfo(Some("none")), None);
        assert!(Security::new(None, None, Some("a\nb"), None).is_err());
        let star = Security::new(Some("a.com, *"), None, None, None).expect("valid");
        assert!(star.allowed_hosts.is_none());
    }

    #[test]
    fn method_headers_list_the_methods() {
        assert_eq!(CORS_METHODS.join(", "), CORS_METHODS_HEADER);
        assert_eq!(ALL_METHODS.join(", "), ALL_METHODS_HEADER);
    }

    #[test]
    fn vary_is_appended_once() {
        let mut h = HeaderMap::new();
        h.insert(VARY, HeaderValue::from_static("Accept-Encoding"));
        append_vary_origin(&mut h);
        assert_eq!(h[VARY], "Accept-Encoding, Origin");
        append_vary_origin(&mut h);
        assert_eq!(h[VARY], "Accept-Encoding, Origin");
    }
}

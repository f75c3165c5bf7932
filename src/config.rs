//! Command line and environment, mirroring `mlflow server` (`mlflow/cli/__init__.py`,
//! `mlflow/utils/cli_args.py`): same flag names, same env vars, same defaults.

use clap::builder::BoolishValueParser;
use clap::{ArgAction, Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "mlflowd", version, about = "A native MLflow tracking server")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the tracking server (the `mlflow server` replacement).
    Server(Box<ServerArgs>),
    /// Database maintenance.
    Db {
        #[command(subcommand)]
        command: DbCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Create MLflow 3.17.2's schema on an empty database; a current one is left as is.
    Upgrade {
        /// Database URI, e.g. postgresql://user@host/db or sqlite:///mlflow.db (from the
        /// environment, the server's variable, so a password need not be on the command line)
        #[arg(env = "MLFLOW_BACKEND_STORE_URI")]
        url: String,
    },
    /// Optional PostgreSQL tuning beyond MLflow's schema (storage settings only; see the README,
    /// "The database"); --undo restores MLflow's schema exactly.
    Tune {
        /// Database URI, as for `db upgrade`
        #[arg(env = "MLFLOW_BACKEND_STORE_URI")]
        url: String,
        /// Remove the tuning instead of applying it
        #[arg(long)]
        undo: bool,
    },
}

/// `mlflow server`'s options. `-h` is `--host` there, so help is `--help` only.
#[derive(Debug, Clone, Args)]
#[command(disable_help_flag = true)]
pub struct ServerArgs {
    /// Backend store URI: postgresql://… (any +driver spelling), sqlite:///relative.db or
    /// sqlite:////absolute.db.
    #[arg(
        long,
        env = "MLFLOW_BACKEND_STORE_URI",
        default_value = "sqlite:///mlflow.db"
    )]
    pub backend_store_uri: String,

    /// Model registry store URI (defaults to the backend store). mlflowd keeps the registry in
    /// the backend store's database; a different URI is refused.
    #[arg(long, env = "MLFLOW_REGISTRY_STORE_URI")]
    pub registry_store_uri: Option<String>,

    /// Root of new experiments' artifact locations (default: mlflow-artifacts:/ when serving
    /// artifacts, ./mlruns otherwise).
    #[arg(long, env = "MLFLOW_DEFAULT_ARTIFACT_ROOT")]
    pub default_artifact_root: Option<String>,

    /// Serve artifacts through the server (mlflow-artifacts:/ URIs).
    #[arg(
        long,
        env = "MLFLOW_SERVE_ARTIFACTS",
        default_value_t = true,
        action = ArgAction::Set,
        num_args = 0..=1,
        default_missing_value = "true",
        value_parser = BoolishValueParser::new()
    )]
    pub serve_artifacts: bool,

    /// Do not serve artifacts.
    #[arg(long = "no-serve-artifacts", conflicts_with = "serve_artifacts")]
    pub no_serve_artifacts: bool,

    /// Where proxied artifacts are stored.
    #[arg(
        long,
        env = "MLFLOW_ARTIFACTS_DESTINATION",
        default_value = "./mlartifacts"
    )]
    pub artifacts_destination: String,

    /// Serve only the proxied artifact API (no tracking or registry routes).
    #[arg(long, env = "MLFLOW_ARTIFACTS_ONLY", action = ArgAction::SetTrue)]
    pub artifacts_only: bool,

    /// With an S3 `--artifacts-destination`: tell clients (server-info) to upload large files
    /// and download files with presigned S3 URLs instead of through this server. Only for
    /// S3 endpoints the clients can reach themselves; off by default, so everything streams
    /// through mlflowd (the multipart endpoints answer either way).
    #[arg(long, env = "MLFLOWD_S3_PRESIGNED_URLS", action = ArgAction::SetTrue)]
    pub s3_presigned_urls: bool,

    /// Seconds in-flight requests get to finish after SIGTERM/SIGINT before the process exits.
    #[arg(long, env = "MLFLOWD_SHUTDOWN_GRACE_PERIOD", default_value_t = 30)]
    pub shutdown_grace_period: u64,

    /// Bind address.
    #[arg(short = 'h', long, env = "MLFLOW_HOST", default_value = "127.0.0.1")]
    pub host: String,

    /// Port.
    #[arg(short = 'p', long, env = "MLFLOW_PORT", default_value_t = 5000)]
    pub port: u16,

    /// Python spawns this many processes; mlflowd is one process, and uses this as its number
    /// of worker threads (default: one per core).
    #[arg(short = 'w', long, env = "MLFLOW_WORKERS")]
    pub workers: Option<usize>,

    /// URL prefix for every route, e.g. /mlflow (must start with / and not end with /).
    #[arg(long, env = "MLFLOW_STATIC_PREFIX")]
    pub static_prefix: Option<String>,

    /// Directory of the built MLflow UI (`scripts/fetch-ui.py` fetches it from the mlflow
    /// wheel). Default: ./mlflow-ui, then /usr/share/mlflowd/ui, when they hold an index.html.
    #[arg(long, env = "MLFLOWD_UI_DIR")]
    pub ui_dir: Option<std::path::PathBuf>,

    /// Maximum database connections per replica.
    #[arg(long, env = "MLFLOWD_DB_MAX_CONNECTIONS", default_value_t = 10)]
    pub db_max_connections: u32,

    /// Comma-separated Host headers the server answers (DNS rebinding protection); a `*` in an
    /// entry makes it an fnmatch pattern (`192.168.*`, `app-*.internal`), `*` alone allows
    /// all. Default: localhost, 127.0.0.1, [::1] and 0.0.0.0 on any port, and the private
    /// ranges 10.*, 192.168.*, 172.16-31.*. Other Hosts get 403; /health and /version never do.
    #[arg(long, env = "MLFLOW_SERVER_ALLOWED_HOSTS")]
    pub allowed_hosts: Option<String>,
    /// Comma-separated origins allowed to make cross-origin API calls (fnmatch `*` allowed)
    /// besides http://localhost, http://127.0.0.1 and http://[::1] on any port; `*` allows
    /// every origin (without credentials). POST/PUT/DELETE/PATCH under /api/ and /ajax-api/
    /// from any other Origin get 403; requests without an Origin are never blocked.
    #[arg(long, env = "MLFLOW_SERVER_CORS_ALLOWED_ORIGINS")]
    pub cors_allowed_origins: Option<String>,
    /// DANGEROUS: turn off the Host check, CORS protection and the security headers.
    #[arg(
        long,
        env = "MLFLOW_SERVER_DISABLE_SECURITY_MIDDLEWARE",
        action = ArgAction::SetTrue,
        value_parser = click_bool
    )]
    pub disable_security_middleware: bool,
    /// X-Frame-Options header on every response: SAMEORIGIN (default), DENY, or NONE for no
    /// header (to embed the UI in other sites' iframes).
    #[arg(long, env = "MLFLOW_SERVER_X_FRAME_OPTIONS")]
    pub x_frame_options: Option<String>,
    /// Python server options with no meaning here; accepted so existing manifests start.
    #[arg(long, env = "MLFLOW_GUNICORN_OPTS")]
    pub gunicorn_opts: Option<String>,
    #[arg(long, env = "MLFLOW_UVICORN_OPTS")]
    pub uvicorn_opts: Option<String>,
    #[arg(long)]
    pub waitress_opts: Option<String>,
    #[arg(long, action = ArgAction::SetTrue)]
    pub dev: bool,
    /// Accepted; not yet effective.
    #[arg(long, env = "MLFLOW_EXPOSE_PROMETHEUS")]
    pub expose_prometheus: Option<String>,
    /// Only the default app exists here; `basic-auth` is refused.
    #[arg(long)]
    pub app_name: Option<String>,

    #[arg(long, action = ArgAction::Help)]
    pub help: Option<bool>,
}

/// click's `BoolParamType`, as `mlflow server` reads a flag's environment variable: empty is
/// false, surrounding spaces and case do not matter.
fn click_bool(value: &str) -> Result<bool, String> {
    match value.trim().to_lowercase().as_str() {
        "" | "0" | "false" | "f" | "no" | "n" | "off" => Ok(false),
        "1" | "true" | "t" | "yes" | "y" | "on" => Ok(true),
        _ => Err(format!(
            "'{value}' is not a valid boolean. Recognized values: , 0, 1, f, false, n, no, off, \
             on, t, true, y, yes"
        )),
    }
}

impl ServerArgs {
    pub fn serve_artifacts(&self) -> bool {
        self.serve_artifacts && !self.no_serve_artifacts
    }

    /// `resolve_default_artifact_root` (`mlflow/utils/server_cli_utils.py`).
    pub fn default_artifact_root(&self) -> String {
        match &self.default_artifact_root {
            Some(root) => crate::uri::resolve_uri_if_local(root),
            None if self.serve_artifacts() => "mlflow-artifacts:/".to_owned(),
            None => crate::uri::resolve_uri_if_local("./mlruns"),
        }
    }

    /// Flags a user may set that do nothing yet: reported at start-up, never silently.
    pub fn not_yet_effective(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.gunicorn_opts.is_some() {
            out.push("--gunicorn-opts");
        }
        if self.uvicorn_opts.is_some() {
            out.push("--uvicorn-opts");
        }
        if self.waitress_opts.is_some() {
            out.push("--waitress-opts");
        }
        if self.dev {
            out.push("--dev");
        }
        if self.expose_prometheus.is_some() {
            out.push("--expose-prometheus");
        }
        out
    }

    /// Checks MLflow applies before starting.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(p) = &self.static_prefix {
            if !p.starts_with('/') || p.ends_with('/') {
                return Err(format!(
                    "--static-prefix must begin with a '/' and not end with a '/', got '{p}'"
                ));
            }
        }
        if let Some(name) = &self.app_name {
            return Err(format!(
                "--app-name {name}: no alternative apps are available in mlflowd yet"
            ));
        }
        if let Some(reg) = &self.registry_store_uri {
            if reg != &self.backend_store_uri {
                return Err(
                    "--registry-store-uri different from --backend-store-uri is not supported yet"
                        .to_owned(),
                );
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn defaults_match_mlflow_server() {
        let cli = Cli::try_parse_from(["mlflowd", "server"]).unwrap();
        let Command::Server(a) = cli.command else {
            panic!()
        };
        assert_eq!(a.backend_store_uri, "sqlite:///mlflow.db");
        assert_eq!(a.host, "127.0.0.1");
        assert_eq!(a.port, 5000);
        assert!(a.serve_artifacts());
        assert_eq!(a.default_artifact_root(), "mlflow-artifacts:/");
        assert_eq!(a.artifacts_destination, "./mlartifacts");
    }

    #[test]
    fn short_flags_and_no_serve_artifacts() {
        let cli = Cli::try_parse_from([
            "mlflowd",
            "server",
            "-h",
            "0.0.0.0",
            "-p",
            "8080",
            "--no-serve-artifacts",
            "-w",
            "2",
        ])
        .unwrap();
        let Command::Server(a) = cli.command else {
            panic!()
        };
        assert_eq!(
            (a.host.as_str(), a.port, a.workers),
            ("0.0.0.0", 8080, Some(2))
        );
        assert!(!a.serve_artifacts());
        assert!(a.default_artifact_root().ends_with("/mlruns"));
    }

    #[test]
    fn click_booleans() {
        for (v, want) in [("", false), ("false", false), ("0", false), ("off", false)]
            .into_iter()
            .chain([
                ("true", true),
                ("TRUE", true),
                ("1", true),
                (" yes ", true),
                ("on", true),
            ])
        {
            assert_eq!(click_bool(v), Ok(want), "{v:?}");
        }
        assert!(click_bool("garbage").is_err());
        let cli = Cli::try_parse_from(["mlflowd", "server", "--disable-security-middleware"])
            .expect("the flag takes no value");
        let Command::Server(a) = cli.command else {
            panic!()
        };
        assert!(a.disable_security_middleware);
    }

    #[test]
    fn static_prefix_rules() {
        for (p, ok) in [("/mlflow", true), ("mlflow", false), ("/mlflow/", false)] {
            let cli = Cli::try_parse_from(["mlflowd", "server", "--static-prefix", p]).unwrap();
            let Command::Server(a) = cli.command else {
                panic!()
            };
            assert_eq!(a.validate().is_ok(), ok, "{p}");
        }
    }
}

//! `mlflowd server`, `mlflowd db upgrade` and `mlflowd db tune`: parse, connect, check the
//! schema, serve.

use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use mlflowd::artifacts::s3::{S3Connector, S3Settings};
use mlflowd::config::{Cli, Command, DbCommand, ServerArgs};
use mlflowd::store::{schema, Db, Store};

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();
    let cli = Cli::parse();
    let workers = match &cli.command {
        Command::Server(args) => args.workers,
        Command::Db { .. } => Some(1),
    };
    let mut rt = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = workers.filter(|n| *n > 0) {
        rt.worker_threads(n);
    }
    let rt = match rt.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => return fail(&format!("cannot start the runtime: {e}")),
    };
    let result = rt.block_on(async {
        match cli.command {
            Command::Server(args) => serve(*args).await,
            Command::Db {
                command: DbCommand::Upgrade { url },
            } => upgrade(&url).await,
            Command::Db {
                command: DbCommand::Tune { url, undo },
            } => tune(&url, undo).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => fail(&msg),
    }
}

fn fail(msg: &str) -> ExitCode {
    eprintln!("mlflowd: {msg}");
    ExitCode::FAILURE
}

async fn upgrade(url: &str) -> Result<(), String> {
    let db = Db::connect(url, 2)
        .await
        .map_err(|e| format!("cannot connect: {e}"))?;
    let created = schema::upgrade(&db, url).await;
    db.close().await;
    match created? {
        true => println!(
            "Created MLflow schema {} on {}",
            schema::ALEMBIC_HEAD,
            mlflowd::store::db::redact(url)
        ),
        false => println!("Schema already at {}; nothing to do", schema::ALEMBIC_HEAD),
    }
    Ok(())
}

async fn tune(url: &str, undo: bool) -> Result<(), String> {
    let db = Db::connect(url, 1)
        .await
        .map_err(|e| format!("cannot connect: {e}"))?;
    let result = schema::tune(&db, url, undo).await;
    db.close().await;
    result?;
    let target = mlflowd::store::db::redact(url);
    if undo {
        println!("Removed mlflowd's tuning from {target}: MLflow's schema as it was");
    } else {
        println!("Tuned {target} (undo with `mlflowd db tune --undo`)");
    }
    Ok(())
}

async fn serve(args: ServerArgs) -> Result<(), String> {
    args.validate()?;
    let security = mlflowd::api::security::Security::from_args(&args)?;
    for flag in args.not_yet_effective() {
        tracing::warn!(
            flag,
            "accepted for compatibility with `mlflow server` but not effective yet"
        );
    }
    let uri = &args.backend_store_uri;
    let store = if args.artifacts_only {
        // No tracking store at all, as in MLflow: nothing is created, nothing connects. The
        // tracking routes answer 503 and never reach this empty in-memory database.
        if !matches!(uri.as_str(), "sqlite:///mlflow.db" | "./mlruns") {
            return Err(format!(
                "You are starting a tracking server in `--artifacts-only` mode and have \
                 provided a value for `--backend_store_uri`: '{uri}'. A tracking server in \
                 `--artifacts-only` mode cannot have a value set for `--backend_store_uri` to \
                 properly proxy access to the artifact storage location."
            ));
        }
        Store {
            db: Db::connect("sqlite:///:memory:", 1)
                .await
                .map_err(|e| format!("cannot start: {e}"))?,
            artifact_root: args.default_artifact_root(),
        }
    } else {
        let db = Db::connect(uri, args.db_max_connections)
            .await
            .map_err(|e| format!("cannot connect to {}: {e}", mlflowd::store::db::redact(uri)))?;
        if schema::upgrade(&db, uri).await? {
            tracing::info!(revision = schema::ALEMBIC_HEAD, "created the MLflow schema");
        }
        let store = Store {
            db,
            artifact_root: args.default_artifact_root(),
        };
        store
            .create_default_experiment()
            .await
            .map_err(|e| e.message)?;
        store
    };
    let trusted = vec![
        store.artifact_root.clone(),
        args.artifacts_destination.clone(),
    ];
    let s3 = Arc::new(S3Connector::new(S3Settings::from_env()));
    let artifacts = artifact_store(&args, &s3)?;
    let ui_dir = mlflowd::api::ui::resolve_ui_dir(args.ui_dir.as_deref());
    match &ui_dir {
        Some(dir) if dir.join("index.html").is_file() => {
            tracing::info!(dir = %dir.display(), "serving the MLflow UI")
        }
        Some(dir) => tracing::warn!(
            dir = %dir.display(),
            "no index.html in the UI directory; / explains how to fetch the UI (scripts/fetch-ui.py)"
        ),
        None => tracing::info!(
            "MLflow UI files not found (scripts/fetch-ui.py fetches them); serving the API only"
        ),
    }
    let state = mlflowd::app::AppState {
        store: Arc::new(store),
        trusted_artifact_roots: Arc::new(trusted),
        artifacts,
        s3,
        presigned_urls: args.s3_presigned_urls,
        artifacts_only: args.artifacts_only,
        shutting_down: Arc::new(std::sync::atomic::AtomicBool::new(false)),
        ui_dir: ui_dir.map(Arc::new),
    };
    let shutting_down = state.shutting_down.clone();
    let app = mlflowd::app::app(state, args.static_prefix.as_deref(), security);
    let addr = format!("{}:{}", args.host, args.port);
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    tracing::info!(%addr, backend = %mlflowd::store::db::redact(uri), "mlflowd listening");
    // On SIGTERM/SIGINT: stop accepting, let in-flight requests (uploads included) finish, and
    // exit 0 when they have, or when the grace period is over.
    let grace = std::time::Duration::from_secs(args.shutdown_grace_period);
    let signalled = Arc::new(tokio::sync::Notify::new());
    let on_signal = {
        let signalled = signalled.clone();
        async move {
            shutdown_signal().await;
            shutting_down.store(true, std::sync::atomic::Ordering::Relaxed);
            tracing::info!(
                grace_seconds = grace.as_secs(),
                "shutting down: no new connections, finishing in-flight requests"
            );
            signalled.notify_one();
        }
    };
    let server = axum::serve(listener, app).with_graceful_shutdown(on_signal);
    tokio::select! {
        served = std::future::IntoFuture::into_future(server) => {
            served.map_err(|e| format!("server error: {e}"))?;
            tracing::info!("all requests finished; exiting");
        }
        _ = async { signalled.notified().await; tokio::time::sleep(grace).await } => {
            tracing::warn!("grace period over with requests still running; exiting");
        }
    }
    Ok(())
}

/// The proxied artifact store for `--artifacts-destination`: a local directory or S3.
fn artifact_store(
    args: &ServerArgs,
    s3: &Arc<S3Connector>,
) -> Result<Option<Arc<dyn mlflowd::artifacts::ArtifactStore>>, String> {
    if !args.serve_artifacts() {
        return Ok(None);
    }
    let dest = &args.artifacts_destination;
    let local = match mlflowd::uri::split_scheme(dest) {
        None => dest.clone(),
        Some(("file", rest)) => rest.trim_start_matches("//").to_owned(),
        Some(("s3", _)) => {
            let (bucket, prefix) = mlflowd::artifacts::path::s3_root(dest)
                .map_err(|e| format!("--artifacts-destination {dest}: {}", e.message))?;
            return Ok(Some(Arc::new(s3.store(&bucket, &prefix))));
        }
        Some((scheme, _)) => {
            return Err(format!(
                "--artifacts-destination {dest}: the '{scheme}' scheme is not supported \
                 (local directories and s3:// are)"
            ))
        }
    };
    let store = mlflowd::artifacts::local::LocalArtifactStore::new(&local)
        .map_err(|e| format!("cannot use --artifacts-destination {dest}: {e}"))?;
    Ok(Some(Arc::new(store)))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

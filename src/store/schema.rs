//! MLflow's SQL schema: creating it on an empty database and checking the revision of an
//! existing one. Mirrors `mlflow/store/db/utils.py` (`_initialize_tables`, `_verify_schema`).
//!
//! The DDL in `migrations/` is MLflow 3.17.2's schema at alembic head as `mlflow db upgrade`
//! leaves it, so Python MLflow accepts the database as current and its later migrations,
//! which drop constraints by name, still apply. mlflowd never alters an existing schema.

use crate::store::db::Db;

/// The alembic head of MLflow 3.17.2, the release whose schema mlflowd speaks.
pub const ALEMBIC_HEAD: &str = "dc11669786a5";

const PG_SCHEMA: &str =
    include_str!("../../migrations/postgres/0001_mlflow_3.17.2_dc11669786a5.sql");
const SQLITE_SCHEMA: &str =
    include_str!("../../migrations/sqlite/0001_mlflow_3.17.2_dc11669786a5.sql");

/// Advisory-lock key serializing schema creation across replicas ("mlflowd" in ASCII).
const SCHEMA_LOCK_KEY: i64 = 0x006d_6c66_6c6f_7764;

/// What a database holds, as far as the schema goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaState {
    /// No tables at all (alembic's own table aside).
    Empty,
    /// Stamped with [`ALEMBIC_HEAD`].
    Current,
    /// Stamped with another revision.
    OtherRevision(String),
    /// Has tables but no alembic revision: not an MLflow database we know.
    Unstamped,
}

pub async fn inspect(db: &Db) -> Result<SchemaState, sqlx::Error> {
    let tables: Vec<String> =
        match db {
            Db::Pg(p) => {
                sqlx::query_scalar(
                    "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
                )
                .fetch_all(p)
                .await?
            }
            Db::Sqlite(p) => sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            )
            .fetch_all(p)
            .await?,
        };
    let has_alembic = tables.iter().any(|t| t == "alembic_version");
    if tables.iter().all(|t| t == "alembic_version") {
        let version = if has_alembic {
            version(db).await?
        } else {
            None
        };
        return Ok(match version {
            None => SchemaState::Empty,
            Some(v) => SchemaState::OtherRevision(v),
        });
    }
    if !has_alembic {
        return Ok(SchemaState::Unstamped);
    }
    Ok(match version(db).await? {
        Some(v) if v == ALEMBIC_HEAD => SchemaState::Current,
        Some(v) => SchemaState::OtherRevision(v),
        None => SchemaState::Unstamped,
    })
}

async fn version(db: &Db) -> Result<Option<String>, sqlx::Error> {
    const SQL: &str = "SELECT version_num FROM alembic_version";
    crate::with_pool!(db, p => sqlx::query_scalar(SQL).fetch_optional(p).await)
}

/// Why the schema cannot be used, in words for the operator.
pub fn refusal(state: &SchemaState, uri: &str) -> Option<String> {
    let uri = crate::store::db::redact(uri);
    match state {
        SchemaState::Empty | SchemaState::Current => None,
        SchemaState::OtherRevision(found) => Some(format!(
            "Detected a database schema mlflowd cannot use (found alembic revision {found}, \
             but mlflowd speaks MLflow 3.17.2's schema, revision {ALEMBIC_HEAD}). The database \
             was left untouched. If it comes from an older MLflow, take a backup, then run \
             `mlflow db upgrade {uri}` with MLflow 3.17.2 (pip install mlflow==3.17.2) and start \
             mlflowd again. If it comes from a newer MLflow, use a release of mlflowd that \
             targets that MLflow version."
        )),
        SchemaState::Unstamped => Some(format!(
            "The database {uri} holds tables but no alembic_version row, so it is not an MLflow \
             database mlflowd recognizes. It was left untouched; point mlflowd at an empty \
             database or at one created by MLflow 3.17.2."
        )),
    }
}

/// `mlflowd db upgrade` and start-up: creates the schema on an empty database, accepts the
/// current one as is, and refuses anything else without changing it.
pub async fn upgrade(db: &Db, uri: &str) -> Result<bool, String> {
    let state = inspect(db)
        .await
        .map_err(|e| format!("cannot read the schema: {e}"))?;
    if let Some(why) = refusal(&state, uri) {
        return Err(why);
    }
    if state == SchemaState::Current {
        return Ok(false);
    }
    // Replicas starting together on an empty database: the first one creates the schema under
    // a lock, the others find it there once they get the lock and use it as is.
    let result: Result<bool, sqlx::Error> = async {
        match db {
            Db::Pg(p) => {
                let mut tx = p.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(SCHEMA_LOCK_KEY)
                    .execute(&mut *tx)
                    .await?;
                let exists: bool =
                    sqlx::query_scalar("SELECT to_regclass('alembic_version') IS NOT NULL")
                        .fetch_one(&mut *tx)
                        .await?;
                if exists {
                    return Ok(false);
                }
                sqlx::raw_sql(PG_SCHEMA).execute(&mut *tx).await?;
                tx.commit().await?;
            }
            Db::Sqlite(p) => {
                let mut tx = p.begin_with("BEGIN IMMEDIATE").await?;
                let exists: bool = sqlx::query_scalar(
                    "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version')",
                )
                .fetch_one(&mut *tx)
                .await?;
                if exists {
                    return Ok(false);
                }
                sqlx::raw_sql(SQLITE_SCHEMA).execute(&mut *tx).await?;
                tx.commit().await?;
            }
        }
        Ok(true)
    }
    .await;
    let created =
        result.map_err(|e| format!("creating the schema failed (nothing was kept): {e}"))?;
    if !created {
        // Another process created it meanwhile: check what it left.
        let state = inspect(db)
            .await
            .map_err(|e| format!("cannot read the schema: {e}"))?;
        if let Some(why) = refusal(&state, uri) {
            return Err(why);
        }
    }
    Ok(created)
}

/// `mlflowd db tune`: PostgreSQL settings that MLflow's schema does not carry and that change
/// neither the tables nor what any query returns, only how PostgreSQL stores them (measured in
/// bench/README.md). Opt-in, because `db upgrade` builds exactly MLflow's schema; `--undo`
/// restores it exactly, and Python MLflow works with either.
const PG_TUNING: &[&str] = &[
    // A log-batch rewrites up to 1,000 `latest_metrics` rows of one run at once. On pages
    // packed full, every new row version goes to another page (6% of them stayed HOT in
    // the benchmark), so each update also inserts into both indexes; with half of each page
    // free the updates stay on their page (100% HOT): log-batch +20% in an A/B on one
    // database. Existing pages follow as their rows are updated (VACUUM FULL applies it at
    // once, under lock).
    "ALTER TABLE latest_metrics SET (fillfactor = 50)",
];
const PG_TUNING_UNDO: &[&str] = &["ALTER TABLE latest_metrics RESET (fillfactor)"];

/// Applies (or with `undo`, removes) [`PG_TUNING`] in one transaction, on an MLflow database.
pub async fn tune(db: &Db, uri: &str, undo: bool) -> Result<(), String> {
    let Db::Pg(pool) = db else {
        return Err("`db tune` changes PostgreSQL settings; SQLite has none of them".into());
    };
    let state = inspect(db)
        .await
        .map_err(|e| format!("cannot read the schema: {e}"))?;
    match state {
        SchemaState::Current | SchemaState::OtherRevision(_) => {}
        SchemaState::Empty => {
            return Err(format!(
                "{} has no MLflow schema yet; run `mlflowd db upgrade` first",
                crate::store::db::redact(uri)
            ))
        }
        SchemaState::Unstamped => return Err(refusal(&state, uri).unwrap_or_default()),
    }
    let statements = if undo { PG_TUNING_UNDO } else { PG_TUNING };
    let result: Result<(), sqlx::Error> = async {
        let mut tx = pool.begin().await?;
        for sql in statements {
            sqlx::query(sql).execute(&mut *tx).await?;
        }
        tx.commit().await
    }
    .await;
    result.map_err(|e| format!("tuning failed (nothing was changed): {e}"))
}

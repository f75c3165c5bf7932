//! The database handle: one enum over the two backends, the connection URIs MLflow users
//! already have, per-connection settings, and the macros that run one store body on either.
//!
//! Store methods are written once; [`with_tx!`] and [`with_pool!`] expand the body for each
//! backend so every statement runs on the native driver with its own placeholders and types.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::{PgPool, SqlitePool};

/// A connection pool on one of the supported backends.
#[derive(Clone, Debug)]
pub enum Db {
    Pg(PgPool),
    Sqlite(SqlitePool),
}

/// Which backend a URI names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbUri {
    Postgres(String),
    /// A filesystem path, or `:memory:`.
    Sqlite(String),
}

impl DbUri {
    /// Accepts the SQLAlchemy spellings found in MLflow deployments:
    /// `postgresql://`, `postgres://`, `postgresql+psycopg2://` (any `+driver`),
    /// `sqlite:///relative.db`, `sqlite:////abs/path.db`, `sqlite://` (in memory).
    pub fn parse(uri: &str) -> Result<DbUri, String> {
        let (scheme, rest) = uri
            .split_once("://")
            .ok_or_else(|| format!("not a database URI: {}", redact(uri)))?;
        let dialect = scheme.split('+').next().unwrap_or(scheme);
        match dialect {
            "postgresql" | "postgres" => Ok(DbUri::Postgres(format!("postgresql://{rest}"))),
            "sqlite" => {
                // sqlite:///x -> "x" (relative), sqlite:////x -> "/x"; drop query options.
                let path = rest.strip_prefix('/').unwrap_or(rest);
                let path = path.split('?').next().unwrap_or(path);
                if path.is_empty() || path == ":memory:" {
                    Ok(DbUri::Sqlite(":memory:".to_owned()))
                } else {
                    Ok(DbUri::Sqlite(path.to_owned()))
                }
            }
            other => Err(format!(
                "unsupported backend store '{other}': mlflowd supports PostgreSQL and SQLite \
                 (mysql and mssql are not implemented)"
            )),
        }
    }
}

/// The URI with any password replaced, for logs and messages.
pub fn redact(uri: &str) -> String {
    match url::Url::parse(uri) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => uri.to_owned(),
    }
}

impl Db {
    /// Opens a pool. SQLite files are created if missing, as SQLAlchemy does.
    pub async fn connect(uri: &str, max_connections: u32) -> Result<Db, sqlx::Error> {
        match DbUri::parse(uri).map_err(|e| sqlx::Error::Configuration(e.into()))? {
            DbUri::Postgres(pg) => {
                let opts = PgConnectOptions::from_str(&pg)?.application_name("mlflowd");
                let pool = PgPoolOptions::new()
                    .max_connections(max_connections)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(opts)
                    .await?;
                Ok(Db::Pg(pool))
            }
            DbUri::Sqlite(path) => {
                let memory = path == ":memory:";
                let opts = if memory {
                    SqliteConnectOptions::from_str("sqlite::memory:")?
                } else {
                    SqliteConnectOptions::new().filename(&path)
                }
                .create_if_missing(true)
                .foreign_keys(true)
                // MLflow's engine sets these on every SQLite connection
                // (`mlflow/store/db/utils.py`): LIKE must be case-sensitive as on PostgreSQL.
                .busy_timeout(Duration::from_secs(20))
                .pragma("case_sensitive_like", "true");
                let pool = SqlitePoolOptions::new()
                    // One in-memory database exists per connection, so keep exactly one.
                    .max_connections(if memory {
                        1
                    } else {
                        max_connections.clamp(1, 8)
                    })
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(opts)
                    .await?;
                Ok(Db::Sqlite(pool))
            }
        }
    }

    pub async fn close(&self) {
        match self {
            Db::Pg(p) => p.close().await,
            Db::Sqlite(p) => p.close().await,
        }
    }
}

/// Runs `$body` inside one transaction on whichever backend `$db` is, binding the
/// transaction to `$tx`. Commits when the body succeeds; an early `?` rolls back on drop.
/// SQLite write transactions start with `BEGIN IMMEDIATE` so concurrent writers wait on
/// `busy_timeout` instead of failing when a read lock would have to be upgraded.
#[macro_export]
macro_rules! with_tx {
    ($db:expr, $tx:ident => $body:expr) => {
        match $db {
            $crate::store::db::Db::Pg(pool) => {
                #[allow(unused_mut)]
                let mut $tx = pool.begin().await?;
                let out = $body;
                $tx.commit().await?;
                out
            }
            $crate::store::db::Db::Sqlite(pool) => {
                #[allow(unused_mut)]
                let mut $tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                let out = $body;
                $tx.commit().await?;
                out
            }
        }
    };
}

/// Runs `$body` with `$pool` bound to the backend's pool (for reads outside a transaction).
#[macro_export]
macro_rules! with_pool {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::store::db::Db::Pg($pool) => $body,
            $crate::store::db::Db::Sqlite($pool) => $body,
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlalchemy_uris() {
        assert_eq!(
            DbUri::parse("postgresql+psycopg2://u:p@h:5432/db").unwrap(),
            DbUri::Postgres("postgresql://u:p@h:5432/db".into())
        );
        assert_eq!(
            DbUri::parse("postgres://h/db").unwrap(),
            DbUri::Postgres("postgresql://h/db".into())
        );
        assert_eq!(
            DbUri::parse("sqlite:///mlflow.db").unwrap(),
            DbUri::Sqlite("mlflow.db".into())
        );
        assert_eq!(
            DbUri::parse("sqlite:////tmp/x.db").unwrap(),
            DbUri::Sqlite("/tmp/x.db".into())
        );
        assert_eq!(
            DbUri::parse("sqlite://").unwrap(),
            DbUri::Sqlite(":memory:".into())
        );
        assert!(DbUri::parse("mysql://h/db").is_err());
        assert!(DbUri::parse("./mlruns").is_err());
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("postgresql://u:secret@h/db"),
            "postgresql://u:***@h/db"
        );
    }

    /// SQLite binds `$N` placeholders positionally, which lets the store keep one SQL text
    /// for both backends.
    #[tokio::test]
    async fn sqlite_binds_dollar_placeholders() {
        let Db::Sqlite(pool) = Db::connect("sqlite://", 1).await.unwrap() else {
            panic!("expected sqlite");
        };
        let (a, b): (i64, String) = sqlx::query_as("SELECT $2, $1")
            .bind("x")
            .bind(7_i64)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!((a, b.as_str()), (7, "x"));
    }
}

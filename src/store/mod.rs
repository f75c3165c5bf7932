//! The tracking store: MLflow's `SqlAlchemyStore` (`mlflow/store/tracking/sqlalchemy_store.py`)
//! written once over both backends. Method names follow the Python store.
//!
//! Each resource file holds its SQL as one `const` per statement with `$N` placeholders,
//! which both drivers bind; dynamic statements go through `sqlx::QueryBuilder`.

pub mod db;
pub mod dialect;
pub mod experiments;
pub mod inputs;
pub mod logged_models;
pub mod metrics;
pub mod registry;
pub mod runs;
pub mod schema;
pub mod search_sql;

use std::time::{SystemTime, UNIX_EPOCH};

pub use db::Db;

/// The tracking store: a pool plus the root under which new experiments get their
/// artifact location.
#[derive(Clone, Debug)]
pub struct Store {
    pub db: Db,
    /// `--default-artifact-root`, e.g. `mlflow-artifacts:/` or `s3://bucket/path`.
    pub artifact_root: String,
}

impl Store {
    /// A round trip to the database (`/health`).
    pub async fn ping(&self) -> crate::error::Result<()> {
        crate::with_pool!(&self.db, p => {
            sqlx::query("SELECT 1").execute(p).await?;
        });
        Ok(())
    }
}

/// `get_current_time_millis`.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// A page of results and the token for the next one (`PagedList`).
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_page_token: Option<String>,
}

/// Splits `rows` fetched with `LIMIT max_results + 1` into a page and its next token, as
/// MLflow's SQL store does (a token only when one more row exists).
pub fn paginate<T>(mut rows: Vec<T>, offset: u64, max_results: u64) -> Page<T> {
    let next_page_token = if rows.len() as u64 > max_results {
        rows.truncate(max_results as usize);
        Some(crate::search::create_page_token(offset + max_results))
    } else {
        None
    };
    Page {
        items: rows,
        next_page_token,
    }
}

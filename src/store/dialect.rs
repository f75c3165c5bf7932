//! Everything that differs between PostgreSQL and SQLite SQL, in one place.
//!
//! The rest of the store writes dialect-neutral SQL: `$N` placeholders (SQLite binds them
//! positionally), `INSERT ... ON CONFLICT` (SQLite >= 3.24), `RETURNING` (>= 3.35), row
//! values (>= 3.15) and bound booleans.

use crate::store::db::Db;

/// A case-insensitive LIKE: PostgreSQL has `ILIKE`; MLflow emulates it on SQLite with
/// `lower(x) LIKE lower(y)` (`SearchUtils.get_sql_comparison_func`).
pub fn ilike(db: &Db, column: &str) -> (String, &'static str) {
    match db {
        Db::Pg(_) => (format!("{column} ILIKE "), ""),
        Db::Sqlite(_) => (format!("LOWER({column}) LIKE LOWER("), ")"),
    }
}

/// Row locking for read-modify-write sequences. SQLite write transactions already hold the
/// database lock (`BEGIN IMMEDIATE`), so there is nothing to add there.
pub fn for_update(db: &Db) -> &'static str {
    match db {
        Db::Pg(_) => " FOR UPDATE",
        Db::Sqlite(_) => "",
    }
}

/// An OFFSET with no LIMIT: SQLite's grammar wants a LIMIT before OFFSET.
pub fn unlimited(db: &Db) -> &'static str {
    match db {
        Db::Pg(_) => "",
        Db::Sqlite(_) => " LIMIT -1",
    }
}

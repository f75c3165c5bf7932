//! MLflow's search filter / order_by / page-token language, mirroring
//! `mlflow/utils/search_utils.py` (`SearchUtils`, `SearchExperimentsUtils`) of MLflow
//! 3.17.2 together with the clause checks of `mlflow/store/tracking/sqlalchemy_store.py`.
//!
//! MLflow parses filters with the `sqlparse` library and then inspects its token tree,
//! so what it accepts, and the text of its error messages, are defined by sqlparse's
//! tokenizer and grouping rules. To be a drop-in replacement this module ports the
//! relevant part of sqlparse 0.6.1 literally:
//!
//! * `lexer`, `splitter`: sqlparse's regex tokenizer and statement splitter;
//! * `keywords`: sqlparse's keyword table;
//! * `grouping`: sqlparse's grouping engine (Identifier, Comparison, Parenthesis, …);
//! * `parser`: MLflow's interpretation of the tree, plus the store-side comparator
//!   checks;
//! * [`order_by`], [`page_token`]: order_by entries and offset page tokens;
//! * [`ast`]: the typed result ([`Clause`], [`OrderBy`]);
//! * `pyfmt`: the Python `repr()` / `int()` / `ast.literal_eval` behaviour that shows
//!   through MLflow's messages and `IN (…)` lists.
//!
//! Every error is a [`SearchError`]; the HTTP layer maps `SearchErrorKind::InvalidParameter`
//! to `INVALID_PARAMETER_VALUE` (400) and `SearchErrorKind::Internal` to
//! `INTERNAL_ERROR` (500), which is what MLflow answers for the few inputs where Python
//! raises an exception it does not translate.
//!
//! For byte-exact MLflow error ordering in a whole request use
//! [`parse_search_runs_request`] / [`parse_search_experiments_request`].

pub mod ast;
mod grouping;
mod keywords;
mod lexer;
pub mod logged_models;
pub mod order_by;
pub mod page_token;
mod parser;
mod pyfmt;
pub mod registry;
mod splitter;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_fuzz;

use std::fmt;

pub use ast::{Clause, Comparator, Entity, OrderBy, Value};
pub use order_by::{parse_experiment_order_by, parse_run_order_by};
pub use page_token::{create_page_token, parse_start_offset_from_page_token};
pub(crate) use pyfmt::py_int;
/// Python's `repr(str)`, also used for MLflow's validation messages.
pub use pyfmt::repr_str;

/// Which MLflow error code a [`SearchError`] corresponds to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SearchErrorKind {
    /// `INVALID_PARAMETER_VALUE` (HTTP 400): MLflow raised `MlflowException` with it.
    InvalidParameter,
    /// `INTERNAL_ERROR` (HTTP 500): MLflow raised a bare `MlflowException` (e.g. duplicate
    /// order_by fields) or an uncaught Python exception (e.g. `IN (a)`).
    Internal,
}

/// A rejected filter, order_by or page token, with MLflow's message text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchError {
    pub message: String,
    pub kind: SearchErrorKind,
}

impl SearchError {
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        SearchError {
            message: message.into(),
            kind: SearchErrorKind::InvalidParameter,
        }
    }
    pub(crate) fn internal(message: impl Into<String>) -> Self {
        SearchError {
            message: message.into(),
            kind: SearchErrorKind::Internal,
        }
    }
    pub fn is_internal(&self) -> bool {
        self.kind == SearchErrorKind::Internal
    }
}

impl fmt::Display for SearchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SearchError {}

/// Parses and validates a `runs/search` filter. The empty string gives no clauses; a
/// whitespace-only filter is an error, as in MLflow ("Invalid filter '   '. Could not be
/// parsed.").
pub fn parse_run_filter(filter: &str) -> Result<Vec<Clause>, SearchError> {
    parser::validate_run_clauses(parser::parse_filter(parser::Flavor::Runs, filter)?)
}

/// Parses and validates an `experiments/search` filter.
pub fn parse_experiment_filter(filter: &str) -> Result<Vec<Clause>, SearchError> {
    parser::validate_experiment_clauses(parser::parse_filter(parser::Flavor::Experiments, filter)?)
}

/// A parsed `runs/search` or `experiments/search` request.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchQuery {
    pub filter: Vec<Clause>,
    pub order_by: Vec<OrderBy>,
    pub offset: u64,
}

/// Everything `SqlAlchemyStore._search_runs` derives from the request, with errors
/// reported in MLflow's order: filter syntax, order_by, filter comparators, page token.
pub fn parse_search_runs_request(
    filter: &str,
    order_by: &[String],
    page_token: Option<&str>,
) -> Result<SearchQuery, SearchError> {
    let raw = parser::parse_filter(parser::Flavor::Runs, filter)?;
    let order_by = parse_run_order_by(order_by)?;
    let filter = parser::validate_run_clauses(raw)?;
    let offset = parse_start_offset_from_page_token(page_token)?;
    Ok(SearchQuery {
        filter,
        order_by,
        offset,
    })
}

/// Everything `SqlAlchemyStore._search_experiments` derives from the request, in its
/// order: filter (syntax, then checks), order_by, page token. An empty `order_by`
/// stays empty (MLflow's default is `creation_time DESC, experiment_id ASC`).
pub fn parse_search_experiments_request(
    filter: &str,
    order_by: &[String],
    page_token: Option<&str>,
) -> Result<SearchQuery, SearchError> {
    let filter = parse_experiment_filter(filter)?;
    let order_by = parse_experiment_order_by(order_by)?;
    let offset = parse_start_offset_from_page_token(page_token)?;
    Ok(SearchQuery {
        filter,
        order_by,
        offset,
    })
}

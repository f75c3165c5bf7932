//! Metrics (`SqlMetric`, `SqlLatestMetric`) and the atomic `log_batch`.
//!
//! MLflow commits log_batch in three separate sessions (params, metrics, tags), so a failure
//! half-way leaves part of a batch behind. Here the whole batch is one transaction with one
//! multi-row statement per table.

use std::collections::{BTreeMap, HashSet};

use sqlx::QueryBuilder;

use crate::error::{MlflowError, Result};
use crate::search::parse_start_offset_from_page_token;
use crate::store::runs::{check_run_is_active, fetch_run, RunRow, MLFLOW_RUN_NAME};
use crate::store::{paginate, Page, Store};
use crate::validation::{
    py_str_repr, validate_batch_log_limits, validate_metric, validate_param,
    validate_param_keys_unique, validate_run_id, validate_tag,
};
use crate::wire::tracking::{Metric, MetricWithRunId};
use crate::with_tx;

const SELECT_PARAMS: &str = "SELECT key, value FROM params WHERE run_uuid = $1";
const UPDATE_RUN_NAME: &str = "UPDATE runs SET name = $1 WHERE run_uuid = $2";

/// A metric as logged: already validated, value sanitized for SQL.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricPoint {
    pub key: String,
    pub value: f64,
    pub timestamp: i64,
    pub step: i64,
    /// The logged model the metric also belongs to (`Metric.model_id`), with its dataset.
    pub model: Option<ModelRef>,
}

/// Where a metric logged against a model lands in `logged_model_metrics`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModelRef {
    pub model_id: String,
    pub dataset_name: Option<String>,
    pub dataset_digest: Option<String>,
}

impl MetricPoint {
    /// `sanitize_metric_value`: NaN is stored as 0 with `is_nan`; ±inf as ±f64::MAX.
    fn sanitized(&self) -> (f64, bool) {
        if self.value.is_nan() {
            (0.0, true)
        } else if self.value.is_infinite() {
            (f64::MAX.copysign(self.value), false)
        } else {
            (self.value, false)
        }
    }
}

#[derive(Debug, sqlx::FromRow)]
struct MetricRow {
    key: String,
    value: f64,
    timestamp: i64,
    step: i64,
    is_nan: bool,
}

/// What one `log_batch` writes, validated.
#[derive(Debug, Default)]
pub struct Batch {
    pub metrics: Vec<MetricPoint>,
    pub params: Vec<(String, String)>,
    pub tags: Vec<(String, String)>,
}

impl Batch {
    /// `_validate_batch_log_data`, `_validate_batch_log_limits`, `_validate_param_keys_unique`;
    /// `single` gives the un-indexed error paths of `log_metric`.
    pub fn validate(mut self, single: bool) -> Result<Batch> {
        for (i, m) in self.metrics.iter().enumerate() {
            let path = if single {
                String::new()
            } else {
                format!("metrics[{i}]")
            };
            validate_metric(&m.key, m.value, m.timestamp, &path)?;
        }
        for (i, (k, v)) in self.params.iter_mut().enumerate() {
            *v = validate_param(k, v, &format!("params[{i}]"))?;
        }
        for (i, (k, v)) in self.tags.iter_mut().enumerate() {
            *v = validate_tag(k, v, &format!("tags[{i}]"))?;
        }
        validate_batch_log_limits(self.metrics.len(), self.params.len(), self.tags.len())?;
        validate_param_keys_unique(self.params.iter().map(|(k, _)| k.as_str()))?;
        Ok(self)
    }
}

impl Store {
    /// `log_metric`.
    pub async fn log_metric(&self, run_id: &str, metric: MetricPoint) -> Result<()> {
        let batch = Batch {
            metrics: vec![metric],
            ..Batch::default()
        }
        .validate(true)?;
        self.write_batch(run_id, batch).await
    }

    /// `log_batch`: params, metrics and tags of one run, all or nothing.
    pub async fn log_batch(&self, run_id: &str, batch: Batch) -> Result<()> {
        validate_run_id(run_id)?;
        let batch = batch.validate(false)?;
        self.write_batch(run_id, batch).await
    }

    async fn write_batch(&self, run_id: &str, batch: Batch) -> Result<()> {
        let db = &self.db;
        with_tx!(db, tx => {
            let run: RunRow = fetch_run!(&mut *tx, run_id);
            check_run_is_active(&run)?;

            // Params: write-once. Conflicts are reported together, as `_log_params` does.
            if !batch.params.is_empty() {
                let existing: Vec<(String, String)> =
                    sqlx::query_as(SELECT_PARAMS).bind(run_id).fetch_all(&mut *tx).await?;
                let existing: BTreeMap<String, String> = existing.into_iter().collect();
                let mut conflicts = Vec::new();
                let mut new = Vec::new();
                for (k, v) in &batch.params {
                    match existing.get(k) {
                        Some(old) if old != v => conflicts.push(format!(
                            "{{'key': {}, 'old_value': {}, 'new_value': {}}}",
                            py_str_repr(k), py_str_repr(old), py_str_repr(v)
                        )),
                        Some(_) => {}
                        None => new.push((k, v)),
                    }
                }
                if !conflicts.is_empty() {
                    return Err(MlflowError::invalid_parameter_value(format!(
                        "Changing param values is not allowed. Params were already logged='[{}]' \
                         for run ID='{run_id}'.",
                        conflicts.join(", ")
                    )));
                }
                if !new.is_empty() {
                    let mut qb = QueryBuilder::new("INSERT INTO params (key, value, run_uuid) ");
                    qb.push_values(new, |mut b, (k, v)| {
                        b.push_bind(k).push_bind(v).push_bind(run_id);
                    });
                    qb.push(" ON CONFLICT (key, run_uuid) DO NOTHING");
                    qb.build().execute(&mut *tx).await?;
                }
            }

            // Metrics: full history (exact duplicates are no-ops) and the latest value per key.
            if !batch.metrics.is_empty() {
                let mut seen = HashSet::new();
                let rows: Vec<(&MetricPoint, f64, bool)> = batch
                    .metrics
                    .iter()
                    .filter_map(|m| {
                        let (v, nan) = m.sanitized();
                        seen.insert((m.key.as_str(), m.timestamp, m.step, v.to_bits(), nan))
                            .then_some((m, v, nan))
                    })
                    .collect();
                let mut qb = QueryBuilder::new(
                    "INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) ",
                );
                qb.push_values(&rows, |mut b, (m, v, nan)| {
                    b.push_bind(&m.key)
                        .push_bind(*v)
                        .push_bind(m.timestamp)
                        .push_bind(run_id)
                        .push_bind(m.step)
                        .push_bind(*nan);
                });
                qb.push(" ON CONFLICT DO NOTHING");
                qb.build().execute(&mut *tx).await?;

                // One candidate per key: the greatest (step, timestamp, value), compared on the
                // sanitized value as MLflow does.
                let mut latest: BTreeMap<&str, (&MetricPoint, f64, bool)> = BTreeMap::new();
                for (m, v, nan) in &rows {
                    let better = match latest.get(m.key.as_str()) {
                        None => true,
                        Some((o, ov, _)) => {
                            (m.step, m.timestamp, *v).partial_cmp(&(o.step, o.timestamp, *ov))
                                == Some(std::cmp::Ordering::Greater)
                        }
                    };
                    if better {
                        latest.insert(m.key.as_str(), (*m, *v, *nan));
                    }
                }
                // `_log_model_metrics`: the same metric, also under its logged model, with the
                // value sanitized as for `metrics` (NaN as 0).
                let model_rows: Vec<_> = rows
                    .iter()
                    .filter_map(|(m, v, _)| m.model.as_ref().map(|r| (*m, r, *v)))
                    .collect();
                if !model_rows.is_empty() {
                    let mut qb = QueryBuilder::new(
                        "INSERT INTO logged_model_metrics (model_id, metric_name, \
                         metric_timestamp_ms, metric_step, metric_value, experiment_id, run_id, \
                         dataset_uuid, dataset_name, dataset_digest) ",
                    );
                    qb.push_values(&model_rows, |mut b, (m, r, v)| {
                        b.push_bind(&r.model_id)
                            .push_bind(&m.key)
                            .push_bind(m.timestamp)
                            .push_bind(m.step)
                            .push_bind(*v)
                            .push_bind(run.experiment_id)
                            .push_bind(run_id)
                            .push_bind(None::<String>)
                            .push_bind(&r.dataset_name)
                            .push_bind(&r.dataset_digest);
                    });
                    qb.push(" ON CONFLICT DO NOTHING");
                    qb.build().execute(&mut *tx).await?;
                }

                let mut qb = QueryBuilder::new(
                    "INSERT INTO latest_metrics (key, value, timestamp, step, is_nan, run_uuid) ",
                );
                qb.push_values(latest.values(), |mut b, (m, v, nan)| {
                    b.push_bind(&m.key)
                        .push_bind(*v)
                        .push_bind(m.timestamp)
                        .push_bind(m.step)
                        .push_bind(*nan)
                        .push_bind(run_id);
                });
                qb.push(
                    " ON CONFLICT (key, run_uuid) DO UPDATE SET value = excluded.value, \
                     timestamp = excluded.timestamp, step = excluded.step, is_nan = excluded.is_nan \
                     WHERE (excluded.step, excluded.timestamp, excluded.value) > \
                     (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value)",
                );
                qb.build().execute(&mut *tx).await?;
            }

            // Tags: the last value of a repeated key wins; mlflow.runName renames the run.
            if !batch.tags.is_empty() {
                // In first-seen key order, as a Python dict keeps them: rows go in in that
                // order and both databases read them back in it (the UI shows tags so).
                let mut last: Vec<(&str, &str)> = Vec::new();
                for (k, v) in &batch.tags {
                    match last.iter_mut().find(|(key, _)| key == k) {
                        Some(entry) => entry.1 = v,
                        None => last.push((k, v)),
                    }
                }
                let run_name = last.iter().find(|(k, _)| *k == MLFLOW_RUN_NAME).map(|(_, v)| *v);
                if let Some(name) = run_name.filter(|n| !n.is_empty()) {
                    sqlx::query(UPDATE_RUN_NAME).bind(name).bind(run_id).execute(&mut *tx).await?;
                }
                let mut qb = QueryBuilder::new("INSERT INTO tags (key, value, run_uuid) ");
                qb.push_values(last.iter(), |mut b, (k, v)| {
                    b.push_bind(*k).push_bind(*v).push_bind(run_id);
                });
                qb.push(" ON CONFLICT (key, run_uuid) DO UPDATE SET value = excluded.value");
                qb.build().execute(&mut *tx).await?;
            }
        });
        Ok(())
    }

    /// `get_metric_history`: ordered by timestamp, step, value; paged when `max_results` is
    /// given. An unknown run simply has no history, as in MLflow.
    pub async fn get_metric_history(
        &self,
        run_id: &str,
        key: &str,
        max_results: Option<i64>,
        page_token: Option<&str>,
    ) -> Result<Page<Metric>> {
        let offset = parse_start_offset_from_page_token(page_token)
            .map_err(crate::store::runs::search_error)?;
        let unlimited = crate::store::dialect::unlimited(&self.db);
        let rows: Vec<MetricRow> = crate::with_pool!(&self.db, p => {
            let mut qb = QueryBuilder::new(
                "SELECT key, value, timestamp, step, is_nan FROM metrics WHERE run_uuid = ",
            );
            qb.push_bind(run_id)
                .push(" AND key = ")
                .push_bind(key)
                .push(" ORDER BY timestamp, step, value");
            if let Some(max) = max_results {
                qb.push(" LIMIT ").push_bind(max + 1);
            } else {
                qb.push(unlimited);
            }
            qb.push(" OFFSET ").push_bind(offset as i64);
            qb.build_query_as().fetch_all(p).await?
        });
        let metrics: Vec<Metric> = rows
            .into_iter()
            .map(|r| Metric {
                key: r.key,
                value: if r.is_nan { f64::NAN } else { r.value },
                timestamp: r.timestamp,
                step: r.step,
                run_id: None,
            })
            .collect();
        Ok(match max_results {
            Some(max) => paginate(metrics, offset, max as u64),
            None => Page {
                items: metrics,
                next_page_token: None,
            },
        })
    }
}

/// `MAX_RESULTS_PER_RUN` for the bulk-interval endpoint.
pub const MAX_RESULTS_PER_RUN: i64 = 2500;

impl Store {
    /// `get_metric_history_bulk_interval`: per run, at most `max_results` points evenly
    /// sampled in SQL (NTILE buckets, first row of each), always keeping the last point.
    pub async fn get_metric_history_bulk_interval(
        &self,
        run_ids: &[String],
        key: &str,
        max_results: i64,
        steps: Option<(i64, i64)>,
    ) -> Result<Vec<MetricWithRunId>> {
        let max_results = max_results.max(1);
        let mut out = Vec::new();
        for run_id in run_ids {
            let (mut rows, last): (Vec<MetricRow>, Option<MetricRow>) = crate::with_pool!(&self.db, p => {
                let mut qb = QueryBuilder::new(
                    "SELECT key, value, timestamp, step, is_nan FROM (\
                     SELECT key, value, timestamp, step, is_nan, ROW_NUMBER() OVER \
                     (PARTITION BY bucket ORDER BY step, timestamp, value, is_nan) AS rn FROM (\
                     SELECT key, value, timestamp, step, is_nan, NTILE(",
                );
                qb.push_bind(max_results as i32).push(
                    ") OVER (ORDER BY step, timestamp, value, is_nan) AS bucket FROM metrics WHERE run_uuid = ",
                );
                push_metric_filter(&mut qb, run_id, key, steps);
                qb.push(") b) r WHERE rn = 1 ORDER BY step, timestamp, value, is_nan");
                let rows: Vec<MetricRow> = qb.build_query_as().fetch_all(p).await?;
                let mut qb = QueryBuilder::new(
                    "SELECT key, value, timestamp, step, is_nan FROM metrics WHERE run_uuid = ",
                );
                push_metric_filter(&mut qb, run_id, key, steps);
                qb.push(" ORDER BY step DESC, timestamp DESC, value DESC, is_nan DESC LIMIT 1");
                let last: Option<MetricRow> = qb.build_query_as().fetch_optional(p).await?;
                (rows, last)
            });
            if let Some(last) = last {
                let same = rows.last().is_some_and(|r| {
                    (r.step, r.timestamp, r.is_nan) == (last.step, last.timestamp, last.is_nan)
                        && (r.is_nan || r.value == last.value)
                });
                if !same {
                    if rows.len() as i64 >= max_results {
                        rows.pop();
                    }
                    rows.push(last);
                }
            }
            out.extend(rows.into_iter().map(|r| MetricWithRunId {
                key: r.key,
                value: if r.is_nan { f64::NAN } else { r.value },
                timestamp: r.timestamp,
                step: r.step,
                run_id: run_id.clone(),
            }));
        }
        Ok(out)
    }

    /// `get_metric_history_bulk` (legacy UI): runs in id order, each by timestamp, step,
    /// value; at most `max_results` points in all.
    pub async fn get_metric_history_bulk(
        &self,
        run_ids: &[String],
        key: &str,
        max_results: i64,
    ) -> Result<Vec<MetricWithRunId>> {
        let mut ids: Vec<&str> = run_ids.iter().map(String::as_str).collect();
        ids.sort_unstable();
        let rows: Vec<(String, String, f64, i64, i64, bool)> = crate::with_pool!(&self.db, p => {
            let mut qb = QueryBuilder::new(
                "SELECT run_uuid, key, value, timestamp, step, is_nan FROM metrics WHERE key = ",
            );
            qb.push_bind(key).push(" AND run_uuid IN (");
            crate::store::runs::push_list(&mut qb, &ids);
            qb.push(" ORDER BY run_uuid, timestamp, step, value LIMIT ").push_bind(max_results);
            qb.build_query_as().fetch_all(p).await?
        });
        Ok(rows
            .into_iter()
            .map(
                |(run_id, key, value, timestamp, step, is_nan)| MetricWithRunId {
                    key,
                    value: if is_nan { f64::NAN } else { value },
                    timestamp,
                    step,
                    run_id,
                },
            )
            .collect())
    }
}

/// `<run_id> AND key = <key> [AND step BETWEEN ...]`, after `WHERE run_uuid = `.
fn push_metric_filter<'a, DB>(
    qb: &mut QueryBuilder<'a, DB>,
    run_id: &'a str,
    key: &'a str,
    steps: Option<(i64, i64)>,
) where
    DB: sqlx::Database,
    &'a str: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    qb.push_bind(run_id).push(" AND key = ").push_bind(key);
    if let Some((start, end)) = steps {
        qb.push(" AND step >= ")
            .push_bind(start)
            .push(" AND step <= ")
            .push_bind(end);
    }
}

//! Runs, params and run tags (`SqlRun`, `SqlParam`, `SqlTag`), and reading whole runs.

use std::collections::HashMap;

use sqlx::QueryBuilder;

use crate::error::{ErrorCode, MlflowError, Result};
use crate::names::generate_random_name;
use crate::store::experiments::check_experiment_is_active;
use crate::store::{now_ms, Store};
use crate::uri::append_to_uri_path;
use crate::validation::{validate_param, validate_tag};
use crate::wire::tracking::{Metric, Run, RunData, RunInfo, RunInputs, RunStatus, Tag};
use crate::{with_pool, with_tx};

/// The tag that mirrors a run's name (`mlflow.utils.mlflow_tags.MLFLOW_RUN_NAME`).
pub const MLFLOW_RUN_NAME: &str = "mlflow.runName";

/// Qualified: the search query joins tables with columns of the same names.
pub(crate) const RUN_COLUMNS: &str = "runs.run_uuid, runs.name, runs.experiment_id, \
     runs.user_id, runs.status, runs.start_time, runs.end_time, runs.artifact_uri, \
     runs.lifecycle_stage";

pub(crate) const SELECT_RUN: &str =
    "SELECT run_uuid, name, experiment_id, user_id, status, start_time, \
     end_time, artifact_uri, lifecycle_stage FROM runs WHERE run_uuid = $1";
const INSERT_RUN: &str = "INSERT INTO runs (run_uuid, name, source_type, source_name, \
     entry_point_name, user_id, status, start_time, end_time, source_version, lifecycle_stage, \
     artifact_uri, experiment_id, deleted_time) \
     VALUES ($1, $2, 'UNKNOWN', '', '', $3, 'RUNNING', $4, NULL, '', 'active', $5, $6, NULL)";
const UPSERT_TAG: &str = "INSERT INTO tags (key, value, run_uuid) VALUES ($1, $2, $3) \
     ON CONFLICT (key, run_uuid) DO UPDATE SET value = excluded.value";
const UPDATE_RUN_STATUS: &str = "UPDATE runs SET status = $1 WHERE run_uuid = $2";
const UPDATE_RUN_END_TIME: &str = "UPDATE runs SET end_time = $1 WHERE run_uuid = $2";
const UPDATE_RUN_NAME: &str = "UPDATE runs SET name = $1 WHERE run_uuid = $2";
const SET_RUN_STAGE: &str =
    "UPDATE runs SET lifecycle_stage = $1, deleted_time = $2 WHERE run_uuid = $3";
const SELECT_PARAM: &str = "SELECT value FROM params WHERE run_uuid = $1 AND key = $2";
const INSERT_PARAM: &str = "INSERT INTO params (key, value, run_uuid) VALUES ($1, $2, $3) \
     ON CONFLICT (key, run_uuid) DO NOTHING";
const DELETE_TAG: &str = "DELETE FROM tags WHERE run_uuid = $1 AND key = $2";

/// A `runs` row (the columns the API shows).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RunRow {
    pub run_uuid: String,
    pub name: Option<String>,
    pub experiment_id: Option<i32>,
    pub user_id: Option<String>,
    pub status: Option<String>,
    pub start_time: Option<i64>,
    pub end_time: Option<i64>,
    pub artifact_uri: Option<String>,
    pub lifecycle_stage: Option<String>,
}

impl RunRow {
    /// `RunInfo.to_proto`.
    pub fn to_wire(&self) -> RunInfo {
        RunInfo {
            run_uuid: self.run_uuid.clone(),
            experiment_id: self
                .experiment_id
                .map(|e| e.to_string())
                .unwrap_or_default(),
            run_name: self.name.clone(),
            user_id: self.user_id.clone().unwrap_or_default(),
            status: self
                .status
                .as_deref()
                .and_then(RunStatus::parse)
                .unwrap_or(RunStatus::RUNNING),
            start_time: self.start_time.unwrap_or(0),
            end_time: self.end_time.filter(|t| *t != 0),
            artifact_uri: self.artifact_uri.clone().filter(|u| !u.is_empty()),
            lifecycle_stage: self.lifecycle_stage.clone().unwrap_or_default(),
            run_id: self.run_uuid.clone(),
        }
    }
}

#[derive(Debug, sqlx::FromRow)]
struct KeyValueRow {
    run_uuid: String,
    key: String,
    value: Option<String>,
}

#[derive(Debug, sqlx::FromRow)]
struct LatestMetricRow {
    run_uuid: String,
    key: String,
    value: f64,
    timestamp: Option<i64>,
    step: i64,
    is_nan: bool,
}

pub(crate) fn run_not_found(run_id: &str) -> MlflowError {
    MlflowError::does_not_exist(format!("Run with id={run_id} not found"))
}

/// `_check_run_is_active`.
pub(crate) fn check_run_is_active(run: &RunRow) -> Result<()> {
    if run.lifecycle_stage.as_deref() == Some("active") {
        return Ok(());
    }
    Err(MlflowError::invalid_parameter_value(format!(
        "The run {} must be in the 'active' state. Current state is {}.",
        run.run_uuid,
        run.lifecycle_stage.as_deref().unwrap_or("None")
    )))
}

/// Fetches a run row with any executor, or RESOURCE_DOES_NOT_EXIST.
macro_rules! fetch_run {
    ($ex:expr, $run_id:expr) => {
        sqlx::query_as::<_, $crate::store::runs::RunRow>($crate::store::runs::SELECT_RUN)
            .bind($run_id)
            .fetch_optional($ex)
            .await?
            .ok_or_else(|| $crate::store::runs::run_not_found($run_id))?
    };
}
pub(crate) use fetch_run;

impl Store {
    /// The run row, or RESOURCE_DOES_NOT_EXIST.
    pub(crate) async fn get_run_row(&self, run_id: &str) -> Result<RunRow> {
        Ok(with_pool!(&self.db, p => fetch_run!(p, run_id)))
    }

    /// `create_run`: in an active experiment; the name comes from `run_name`, the
    /// `mlflow.runName` tag or a random one, and the tag is kept in step with it.
    pub async fn create_run(
        &self,
        experiment_id: &str,
        user_id: &str,
        start_time: i64,
        tags: Vec<(String, String)>,
        run_name: &str,
    ) -> Result<Run> {
        if experiment_id.is_empty() {
            // MLflow inserts the empty id and fails on the foreign key (BAD_REQUEST).
            return Err(MlflowError::new(
                ErrorCode::BAD_REQUEST,
                "Run must belong to an experiment: 'experiment_id' is missing.",
            ));
        }
        let experiment = self.get_experiment_row(experiment_id).await?;
        check_experiment_is_active(&experiment)?;
        let run_id = uuid::Uuid::new_v4().simple().to_string();
        let location = experiment.artifact_location.clone().unwrap_or_default();
        let artifact_uri = append_to_uri_path(&location, &[&run_id, "artifacts"]);
        let mut tags = tags;
        let name_tag = tags
            .iter()
            .rev()
            .find(|(k, _)| k == MLFLOW_RUN_NAME)
            .map(|(_, v)| v.clone());
        if let Some(tag) = &name_tag {
            if !run_name.is_empty() && run_name != tag {
                return Err(MlflowError::invalid_parameter_value(format!(
                    "Both 'run_name' argument and 'mlflow.runName' tag are specified, but with \
                     different values (run_name='{run_name}', mlflow.runName='{tag}')."
                )));
            }
        }
        let name = if !run_name.is_empty() {
            run_name.to_owned()
        } else if let Some(tag) = name_tag.clone().filter(|t| !t.is_empty()) {
            tag
        } else {
            generate_random_name()
        };
        if name_tag.is_none() {
            tags.push((MLFLOW_RUN_NAME.to_owned(), name.clone()));
        }
        let row = RunRow {
            run_uuid: run_id.clone(),
            name: Some(name),
            experiment_id: Some(experiment.experiment_id),
            user_id: Some(user_id.to_owned()),
            status: Some("RUNNING".to_owned()),
            start_time: Some(start_time),
            end_time: None,
            artifact_uri: Some(artifact_uri),
            lifecycle_stage: Some("active".to_owned()),
        };
        with_tx!(&self.db, tx => {
            sqlx::query(INSERT_RUN)
                .bind(&row.run_uuid)
                .bind(&row.name)
                .bind(user_id)
                .bind(start_time)
                .bind(&row.artifact_uri)
                .bind(experiment.experiment_id)
                .execute(&mut *tx)
                .await?;
            for (k, v) in &tags {
                sqlx::query(UPSERT_TAG).bind(k).bind(v).bind(&run_id).execute(&mut *tx).await?;
            }
        });
        let mut data = RunData::default();
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (k, v) in &tags {
            // Last value wins for a key repeated in the request, as in the stored rows.
            match seen.get(k.as_str()) {
                Some(i) => data.tags[*i].value = v.clone(),
                None => {
                    seen.insert(k, data.tags.len());
                    data.tags.push(Tag {
                        key: k.clone(),
                        value: v.clone(),
                    });
                }
            }
        }
        Ok(Run {
            info: row.to_wire(),
            data,
            inputs: RunInputs::default(),
            outputs: None,
        })
    }

    /// `get_run`.
    pub async fn get_run(&self, run_id: &str) -> Result<Run> {
        let row = self.get_run_row(run_id).await?;
        Ok(self.load_runs(vec![row]).await?.remove(0))
    }

    /// Attaches latest metrics, params and tags to run rows, in three queries.
    pub(crate) async fn load_runs(&self, rows: Vec<RunRow>) -> Result<Vec<Run>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<&str> = rows.iter().map(|r| r.run_uuid.as_str()).collect();
        // Independent reads, sent at once on separate pool connections: a page's latency is
        // the slowest of them, not their sum.
        let ((tags, params, metrics), mut io) = tokio::try_join!(
            async {
                Ok::<_, MlflowError>(with_pool!(&self.db, p => {
                    let mut tq = QueryBuilder::new("SELECT run_uuid, key, value FROM tags WHERE run_uuid IN (");
                    push_list(&mut tq, &ids);
                    let mut pq = QueryBuilder::new("SELECT run_uuid, key, value FROM params WHERE run_uuid IN (");
                    push_list(&mut pq, &ids);
                    let mut mq = QueryBuilder::new(
                        "SELECT run_uuid, key, value, timestamp, step, is_nan FROM latest_metrics WHERE run_uuid IN (",
                    );
                    push_list(&mut mq, &ids);
                    tokio::try_join!(
                        tq.build_query_as::<KeyValueRow>().fetch_all(p),
                        pq.build_query_as::<KeyValueRow>().fetch_all(p),
                        mq.build_query_as::<LatestMetricRow>().fetch_all(p),
                    )?
                }))
            },
            self.load_run_io(&ids),
        )?;
        let mut data: HashMap<String, RunData> = HashMap::new();
        for t in tags {
            data.entry(t.run_uuid).or_default().tags.push(Tag {
                key: t.key,
                value: t.value.unwrap_or_default(),
            });
        }
        for p in params {
            data.entry(p.run_uuid).or_default().params.push(Tag {
                key: p.key,
                value: p.value.unwrap_or_default(),
            });
        }
        for m in metrics {
            data.entry(m.run_uuid).or_default().metrics.push(Metric {
                key: m.key,
                value: if m.is_nan { f64::NAN } else { m.value },
                timestamp: m.timestamp.unwrap_or(0),
                step: m.step,
                run_id: None,
            });
        }
        Ok(rows
            .into_iter()
            .map(|r| {
                let (inputs, outputs) = io.remove(&r.run_uuid).unwrap_or_default();
                Run {
                    data: data.remove(&r.run_uuid).unwrap_or_default(),
                    info: r.to_wire(),
                    inputs,
                    outputs: Some(outputs),
                }
            })
            .collect())
    }

    /// `update_run_info`: status, end time and name (the name tag follows the name).
    pub async fn update_run_info(
        &self,
        run_id: &str,
        status: Option<RunStatus>,
        end_time: Option<i64>,
        run_name: Option<&str>,
    ) -> Result<RunInfo> {
        let row = with_tx!(&self.db, tx => {
            let mut run = fetch_run!(&mut *tx, run_id);
            check_run_is_active(&run)?;
            if let Some(st) = status {
                sqlx::query(UPDATE_RUN_STATUS).bind(st.as_str()).bind(run_id).execute(&mut *tx).await?;
                run.status = Some(st.as_str().to_owned());
            }
            if let Some(t) = end_time {
                sqlx::query(UPDATE_RUN_END_TIME).bind(t).bind(run_id).execute(&mut *tx).await?;
                run.end_time = Some(t);
            }
            if let Some(name) = run_name.filter(|n| !n.is_empty()) {
                sqlx::query(UPDATE_RUN_NAME).bind(name).bind(run_id).execute(&mut *tx).await?;
                sqlx::query(UPSERT_TAG).bind(MLFLOW_RUN_NAME).bind(name).bind(run_id).execute(&mut *tx).await?;
                run.name = Some(name.to_owned());
            }
            run
        });
        Ok(row.to_wire())
    }

    /// `delete_run` (soft; no active check) and `restore_run`.
    pub async fn set_run_lifecycle(&self, run_id: &str, deleted: bool) -> Result<()> {
        let (stage, deleted_time) = if deleted {
            ("deleted", Some(now_ms()))
        } else {
            ("active", None)
        };
        with_tx!(&self.db, tx => {
            let _ = fetch_run!(&mut *tx, run_id);
            sqlx::query(SET_RUN_STAGE)
                .bind(stage)
                .bind(deleted_time)
                .bind(run_id)
                .execute(&mut *tx)
                .await?;
        });
        Ok(())
    }

    /// `log_param`: write-once; the same value again is accepted.
    pub async fn log_param(&self, run_id: &str, key: &str, value: &str) -> Result<()> {
        let value = validate_param(key, value, "")?;
        with_tx!(&self.db, tx => {
            let run = fetch_run!(&mut *tx, run_id);
            check_run_is_active(&run)?;
            let inserted = sqlx::query(INSERT_PARAM)
                .bind(key)
                .bind(&value)
                .bind(run_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if inserted == 0 {
                let old: String = sqlx::query_scalar(SELECT_PARAM)
                    .bind(run_id)
                    .bind(key)
                    .fetch_one(&mut *tx)
                    .await?;
                if old != value {
                    return Err(MlflowError::invalid_parameter_value(format!(
                        "Changing param values is not allowed. Param with key='{key}' was already \
                         logged with value='{old}' for run ID='{run_id}'. Attempted logging new \
                         value '{value}'."
                    )));
                }
            }
        });
        Ok(())
    }

    /// `set_tag`: `mlflow.runName` renames the run.
    pub async fn set_tag(&self, run_id: &str, key: &str, value: &str) -> Result<()> {
        let value = validate_tag(key, value, "")?;
        let run = self.get_run_row(run_id).await?;
        check_run_is_active(&run)?;
        if key == MLFLOW_RUN_NAME {
            self.update_run_info(run_id, None, None, Some(&value))
                .await?;
            return Ok(());
        }
        with_tx!(&self.db, tx => {
            sqlx::query(UPSERT_TAG).bind(key).bind(&value).bind(run_id).execute(&mut *tx).await?;
        });
        Ok(())
    }

    /// `delete_tag`.
    pub async fn delete_tag(&self, run_id: &str, key: &str) -> Result<()> {
        with_tx!(&self.db, tx => {
            let run = fetch_run!(&mut *tx, run_id);
            check_run_is_active(&run)?;
            let n = sqlx::query(DELETE_TAG).bind(run_id).bind(key).execute(&mut *tx).await?.rows_affected();
            if n == 0 {
                return Err(MlflowError::does_not_exist(format!(
                    "No tag with name: {key} in run with id {run_id}"
                )));
            }
        });
        Ok(())
    }
}

/// The run tag holding MLflow 2 model records (`MLFLOW_LOGGED_MODELS`).
const MLFLOW_LOGGED_MODELS: &str = "mlflow.log-model.history";
const SELECT_TAG: &str = "SELECT value FROM tags WHERE run_uuid = $1 AND key = $2";

impl Store {
    /// `record_logged_model`: appends `Model.get_tags_dict()` to the run's model history tag.
    pub async fn record_logged_model(
        &self,
        run_id: &str,
        model: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<()> {
        use serde_json::Value;
        let mut entry = serde_json::Map::new();
        for key in ["run_id", "artifact_path", "utc_time_created", "model_uuid"] {
            let v = model.get(key).cloned().unwrap_or(Value::Null);
            // `Model.__init__` stores `str(utc_time_created)`.
            let v = match (key, v) {
                ("utc_time_created", Value::Number(n)) => Value::String(n.to_string()),
                (_, v) => v,
            };
            if !(v.is_null() && matches!(key, "run_id" | "artifact_path")) {
                entry.insert(key.to_owned(), v);
            }
        }
        // Flavor configs without their "config" entry, as `get_tags_dict` leaves them.
        let flavors: serde_json::Map<String, Value> = model
            .get("flavors")
            .and_then(Value::as_object)
            .map(|f| {
                f.iter()
                    .map(|(name, conf)| {
                        let conf = match conf {
                            Value::Object(c) => Value::Object(
                                c.iter()
                                    .filter(|(k, _)| *k != "config")
                                    .map(|(k, v)| (k.clone(), v.clone()))
                                    .collect(),
                            ),
                            other => other.clone(),
                        };
                        (name.clone(), conf)
                    })
                    .collect()
            })
            .unwrap_or_default();
        entry.insert("flavors".to_owned(), Value::Object(flavors));
        with_tx!(&self.db, tx => {
            let run = fetch_run!(&mut *tx, run_id);
            check_run_is_active(&run)?;
            let previous: Option<Option<String>> = sqlx::query_scalar(SELECT_TAG)
                .bind(run_id)
                .bind(MLFLOW_LOGGED_MODELS)
                .fetch_optional(&mut *tx)
                .await?;
            let mut history = match previous.flatten().map(|p| serde_json::from_str::<Value>(&p)) {
                Some(Ok(Value::Array(items))) => items,
                _ => Vec::new(),
            };
            history.push(Value::Object(entry));
            let value = crate::wire::proto::to_python_json_flat(&Value::Array(history));
            sqlx::query(UPSERT_TAG).bind(MLFLOW_LOGGED_MODELS).bind(&value).bind(run_id).execute(&mut *tx).await?;
        });
        Ok(())
    }
}

/// Pushes `$a, $b, ...)` binding each string.
pub(crate) fn push_list<'a, DB>(qb: &mut QueryBuilder<'a, DB>, items: &[&'a str])
where
    DB: sqlx::Database,
    &'a str: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    let mut sep = qb.separated(", ");
    for item in items {
        sep.push_bind(*item);
    }
    sep.push_unseparated(")");
}

/// `_validate_max_results_param`.
pub(crate) fn validate_max_results(max_results: i64) -> Result<()> {
    if max_results < 1 {
        return Err(MlflowError::invalid_parameter_value(format!(
            "Invalid value {max_results} for parameter 'max_results' supplied. It must be a positive integer"
        )));
    }
    if max_results > crate::validation::SEARCH_MAX_RESULTS_THRESHOLD {
        return Err(MlflowError::invalid_parameter_value(format!(
            "Invalid value {max_results} for parameter 'max_results' supplied. It must be at most {}",
            crate::validation::SEARCH_MAX_RESULTS_THRESHOLD
        )));
    }
    Ok(())
}

/// Search errors are client errors. Where MLflow's own parser crashes on the input (duplicate
/// order_by keys, `run_id IN (a)`, an unclosed quote in order_by) it answers 500, which the
/// client retries for minutes; mlflowd keeps MLflow's text and answers 400.
pub(crate) fn search_error(e: crate::search::SearchError) -> MlflowError {
    MlflowError::invalid_parameter_value(e.message)
}

impl Store {
    /// `search_runs` / `_search_runs`.
    pub async fn search_runs(
        &self,
        experiment_ids: &[String],
        filter: &str,
        view_type: crate::wire::tracking::ViewType,
        max_results: i64,
        order_by: &[String],
        page_token: Option<&str>,
    ) -> Result<crate::store::Page<Run>> {
        use crate::store::search_sql::{push_run_filters, push_run_order_by, push_run_order_joins};
        validate_max_results(max_results)?;
        let clauses = crate::search::parse_run_filter(filter).map_err(search_error)?;
        let order = crate::search::parse_run_order_by(order_by).map_err(search_error)?;
        let offset =
            crate::search::parse_start_offset_from_page_token(page_token).map_err(search_error)?;
        let ids = experiment_ids
            .iter()
            .map(|e| crate::validation::parse_experiment_id(e))
            .collect::<Result<Vec<i64>>>()?;
        if ids.is_empty() {
            return Ok(crate::store::Page {
                items: Vec::new(),
                next_page_token: None,
            });
        }
        let db = &self.db;
        let rows: Vec<RunRow> = with_pool!(db, p => {
            let mut qb = QueryBuilder::new(format!("SELECT {RUN_COLUMNS} FROM runs"));
            push_run_order_joins(&mut qb, &order);
            qb.push(" WHERE runs.experiment_id IN (");
            let mut sep = qb.separated(", ");
            for id in &ids {
                sep.push_bind(*id);
            }
            qb.push(") AND runs.lifecycle_stage IN (");
            let mut sep = qb.separated(", ");
            for stage in view_type.stages() {
                sep.push_bind(*stage);
            }
            qb.push(")");
            push_run_filters(&mut qb, db, &clauses)?;
            push_run_order_by(&mut qb, &order)?;
            qb.push(" LIMIT ").push_bind(max_results + 1).push(" OFFSET ").push_bind(offset as i64);
            qb.build_query_as().fetch_all(p).await?
        });
        let page = crate::store::paginate(rows, offset, max_results as u64);
        Ok(crate::store::Page {
            items: self.load_runs(page.items).await?,
            next_page_token: page.next_page_token,
        })
    }
}

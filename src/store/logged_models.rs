//! MLflow 3 logged models (`SqlLoggedModel` and its params, tags and metrics tables):
//! `create_logged_model` … `search_logged_models` of `SqlAlchemyStore`.

use std::collections::HashMap;

use serde_json::{json, Value as Json};
use sqlx::{Database, Encode, QueryBuilder, Type};

use crate::error::{MlflowError, Result};
use crate::search::logged_models::{
    model_attribute_alias, parse_logged_model_filter, ModelComparison, ModelEntity, MODEL_COLUMNS,
};
use crate::search::{repr_str, Comparator, Value};
use crate::store::experiments::check_experiment_is_active;
use crate::store::search_sql::{push_comparison, push_string_list};
use crate::store::{now_ms, Page, Store};
use crate::uri::append_to_uri_path;
use crate::validation::parse_experiment_id;
use crate::wire::logged_models::{
    LoggedModel, LoggedModelData, LoggedModelInfo, LoggedModelStatus, ModelMetric,
};
use crate::wire::tracking::Tag;
use crate::{with_pool, with_tx};

/// `SEARCH_LOGGED_MODEL_MAX_RESULTS_DEFAULT`.
pub const SEARCH_MAX_RESULTS_DEFAULT: i64 = 100;

const MODEL_SELECT: &str = "SELECT lm.model_id, lm.experiment_id, lm.name, lm.artifact_location, \
     lm.creation_timestamp_ms, lm.last_updated_timestamp_ms, lm.status, lm.lifecycle_stage, \
     lm.model_type, lm.source_run_id, lm.status_message FROM logged_models lm";
const INSERT_MODEL: &str = "INSERT INTO logged_models (model_id, experiment_id, name, \
     artifact_location, creation_timestamp_ms, last_updated_timestamp_ms, status, \
     lifecycle_stage, model_type, source_run_id) VALUES ($1, $2, $3, $4, $5, $5, $6, 'active', \
     $7, $8)";
const INSERT_PARAM: &str = "INSERT INTO logged_model_params (model_id, experiment_id, \
     param_key, param_value) VALUES ($1, $2, $3, $4)";
/// At creation a repeated key is a constraint violation (400), as in MLflow's `add_all`.
const INSERT_TAG: &str = "INSERT INTO logged_model_tags (model_id, experiment_id, tag_key, \
     tag_value) VALUES ($1, $2, $3, $4)";
const UPSERT_TAG: &str = "INSERT INTO logged_model_tags (model_id, experiment_id, tag_key, \
     tag_value) VALUES ($1, $2, $3, $4) ON CONFLICT (model_id, tag_key) DO UPDATE SET \
     tag_value = excluded.tag_value";
const DELETE_TAG: &str = "DELETE FROM logged_model_tags WHERE model_id = $1 AND tag_key = $2";
const SET_DELETED: &str = "UPDATE logged_models SET lifecycle_stage = 'deleted', \
     last_updated_timestamp_ms = $1 WHERE model_id = $2";
const SET_STATUS: &str = "UPDATE logged_models SET status = $1, last_updated_timestamp_ms = $2 \
     WHERE model_id = $3";
const INSERT_METRIC: &str = "INSERT INTO logged_model_metrics (model_id, metric_name, \
     metric_timestamp_ms, metric_step, metric_value, experiment_id, run_id, dataset_uuid, \
     dataset_name, dataset_digest) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, $9) \
     ON CONFLICT DO NOTHING";

/// A `logged_models` row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ModelRow {
    pub model_id: String,
    pub experiment_id: i32,
    pub name: String,
    pub artifact_location: String,
    pub creation_timestamp_ms: i64,
    pub last_updated_timestamp_ms: i64,
    pub status: i32,
    pub lifecycle_stage: Option<String>,
    pub model_type: Option<String>,
    pub source_run_id: Option<String>,
    pub status_message: Option<String>,
}

#[derive(Debug, sqlx::FromRow)]
struct KvRow {
    model_id: String,
    key: String,
    value: Option<String>,
}

#[derive(Debug, sqlx::FromRow)]
struct MetricRow {
    model_id: String,
    metric_name: String,
    metric_timestamp_ms: i64,
    metric_step: i64,
    metric_value: Option<f64>,
    run_id: String,
    dataset_name: Option<String>,
    dataset_digest: Option<String>,
}

/// A metric logged against a model (from `log-metric` / `log-batch` with `model_id`).
pub struct ModelMetricInput<'a> {
    pub model_id: &'a str,
    pub key: &'a str,
    pub value: f64,
    pub timestamp: i64,
    pub step: i64,
    pub dataset_name: Option<&'a str>,
    pub dataset_digest: Option<&'a str>,
}

fn not_found(model_id: &str) -> MlflowError {
    MlflowError::does_not_exist(format!("Logged model with ID '{model_id}' not found."))
}

/// `_validate_logged_model_name`.
fn validate_name(name: &str) -> Result<()> {
    const BAD: [char; 6] = ['/', ':', '.', '%', '"', '\''];
    if name.is_empty() || name.contains(BAD) {
        return Err(MlflowError::invalid_parameter_value(format!(
            "Invalid model name ({}) provided. Model name must be a non-empty string and cannot \
             contain the following characters: ('/', ':', '.', '%', '\"', \"'\")",
            repr_str(name)
        )));
    }
    Ok(())
}

fn assemble(
    row: ModelRow,
    tags: Vec<Tag>,
    params: Vec<Tag>,
    metrics: Vec<ModelMetric>,
) -> LoggedModel {
    let status = LoggedModelStatus::from_number(i64::from(row.status))
        .unwrap_or(LoggedModelStatus::LOGGED_MODEL_STATUS_UNSPECIFIED);
    LoggedModel {
        info: LoggedModelInfo {
            model_id: row.model_id,
            experiment_id: row.experiment_id.to_string(),
            name: row.name,
            creation_timestamp_ms: row.creation_timestamp_ms,
            last_updated_timestamp_ms: row.last_updated_timestamp_ms,
            artifact_uri: row.artifact_location,
            status: status.as_str(),
            model_type: row.model_type,
            source_run_id: row.source_run_id,
            status_message: row.status_message,
            tags,
        },
        data: LoggedModelData { params, metrics },
    }
}

/// The page token of `logged-models/search` (`SearchLoggedModelsPaginationToken`): base64 of
/// Python's `json.dumps` of the request's identity and the offset.
fn encode_token(experiment_ids: &[String], filter: &Json, order_by: &Json, offset: i64) -> String {
    use base64::Engine;
    let body = json!({
        "experiment_ids": experiment_ids,
        "filter_string": filter,
        "order_by": order_by,
        "offset": offset,
    });
    base64::engine::general_purpose::STANDARD.encode(crate::wire::proto::to_python_json_flat(&body))
}

/// Python's `repr` of a JSON-like value (lists of str, dicts, None, bools, numbers).
fn py_repr(v: &Json) -> String {
    match v {
        Json::Null => "None".to_owned(),
        Json::Bool(true) => "True".to_owned(),
        Json::Bool(false) => "False".to_owned(),
        Json::Number(n) => n.to_string(),
        Json::String(s) => repr_str(s),
        Json::Array(items) => format!(
            "[{}]",
            items.iter().map(py_repr).collect::<Vec<_>>().join(", ")
        ),
        Json::Object(map) => format!(
            "{{{}}}",
            map.iter()
                .map(|(k, v)| format!("{}: {}", repr_str(k), py_repr(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn py_str(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        other => py_repr(other),
    }
}

/// `SearchLoggedModelsPaginationToken.decode` + `validate`: the offset.
fn decode_token(
    token: &str,
    experiment_ids: &[String],
    filter: &Json,
    order_by: &Json,
) -> Result<i64> {
    use base64::Engine;
    let invalid = |detail: &str| {
        MlflowError::invalid_parameter_value(format!("Invalid page token: {token}. {detail}"))
    };
    let raw = base64::engine::general_purpose::STANDARD
        .decode(token.as_bytes())
        .map_err(|e| invalid(&e.to_string()))?;
    let parsed: Json = serde_json::from_slice(&raw).map_err(|e| invalid(&e.to_string()))?;
    let Json::Object(map) = parsed else {
        return Err(invalid("Expected a JSON object"));
    };
    let got_ids = map.get("experiment_ids").cloned().unwrap_or(Json::Null);
    let want_ids = json!(experiment_ids);
    if got_ids != want_ids {
        return Err(MlflowError::invalid_parameter_value(format!(
            "Experiment IDs in the page token do not match the requested experiment IDs. \
             Expected: {}. Found: {}",
            py_repr(&want_ids),
            py_repr(&got_ids)
        )));
    }
    // `token.get(...) or None`: empty strings and lists read as None.
    let or_none = |v: Option<&Json>| match v {
        None | Some(Json::Null) => Json::Null,
        Some(Json::String(s)) if s.is_empty() => Json::Null,
        Some(Json::Array(a)) if a.is_empty() => Json::Null,
        Some(other) => other.clone(),
    };
    let got_filter = or_none(map.get("filter_string"));
    if &got_filter != filter {
        return Err(MlflowError::invalid_parameter_value(format!(
            "Filter string in the page token does not match the requested filter string. \
             Expected: {}. Found: {}",
            py_str(filter),
            py_str(&got_filter)
        )));
    }
    let got_order = or_none(map.get("order_by"));
    if &got_order != order_by {
        return Err(MlflowError::invalid_parameter_value(format!(
            "Order by in the page token does not match the requested order by. Expected: {}. \
             Found: {}",
            py_repr(order_by),
            py_repr(&got_order)
        )));
    }
    Ok(map.get("offset").and_then(Json::as_i64).unwrap_or(0))
}

/// One `order_by` entry of `logged-models/search`.
#[derive(Debug, Clone)]
pub struct ModelOrderBy {
    pub field_name: String,
    pub ascending: bool,
    pub dataset_name: Option<String>,
    pub dataset_digest: Option<String>,
}

/// One `datasets` entry of `logged-models/search`.
#[derive(Debug, Clone)]
pub struct ModelDatasetFilter {
    pub dataset_name: String,
    pub dataset_digest: Option<String>,
}

/// Everything `search_logged_models` takes.
pub struct ModelSearch {
    pub experiment_ids: Vec<String>,
    pub filter: Option<String>,
    pub datasets: Vec<ModelDatasetFilter>,
    pub max_results: Option<i64>,
    pub order_by: Vec<ModelOrderBy>,
    pub page_token: Option<String>,
}

/// `(dataset_name = $ [AND dataset_digest = $ | IS NULL]) OR …` on `alias`.
fn push_dataset_filters<'a, DB>(
    qb: &mut QueryBuilder<'a, DB>,
    alias: &str,
    datasets: &'a [ModelDatasetFilter],
) where
    DB: Database,
    String: Encode<'a, DB> + Type<DB>,
{
    qb.push("(");
    for (i, d) in datasets.iter().enumerate() {
        if i > 0 {
            qb.push(" OR ");
        }
        qb.push(format!("({alias}.dataset_name = "))
            .push_bind(d.dataset_name.clone());
        // MLflow always passes the digest key, so a missing digest means `IS NULL`.
        match &d.dataset_digest {
            Some(digest) => {
                qb.push(format!(" AND {alias}.dataset_digest = "))
                    .push_bind(digest.clone());
            }
            None => {
                qb.push(format!(" AND {alias}.dataset_digest IS NULL"));
            }
        }
        qb.push(")");
    }
    qb.push(")");
}

fn push_search<'a, DB>(
    qb: &mut QueryBuilder<'a, DB>,
    db: &crate::store::Db,
    s: &'a ModelSearch,
    experiment_ids: &'a [i64],
    filters: &'a [ModelComparison],
    limit: i64,
    offset: i64,
) -> Result<()>
where
    DB: Database,
    String: Encode<'a, DB> + Type<DB>,
    f64: Encode<'a, DB> + Type<DB>,
    i64: Encode<'a, DB> + Type<DB>,
{
    qb.push(MODEL_SELECT);
    let mut order_clauses: Vec<String> = Vec::new();
    let (mut has_creation, mut has_model_id) = (false, false);
    for (i, ob) in s.order_by.iter().enumerate() {
        match ob.field_name.split_once('.') {
            None => {
                let name = model_attribute_alias(&ob.field_name);
                if !MODEL_COLUMNS.contains(&name) {
                    return Err(MlflowError::invalid_parameter_value(format!(
                        "Invalid order by field name: {}",
                        ob.field_name
                    ))
                    .with_error_class("ATTRIBUTE_NOT_FOUND", "KAM04"));
                }
                has_creation |= name == "creation_timestamp_ms";
                has_model_id |= name == "model_id";
                let dir = if ob.ascending { "ASC" } else { "DESC" };
                order_clauses.push(format!(
                    "CASE WHEN lm.{name} IS NULL THEN 1 ELSE 0 END ASC, lm.{name} {dir}"
                ));
            }
            Some((entity, name)) => {
                if entity != "metrics" {
                    return Err(MlflowError::invalid_parameter_value(format!(
                        "Invalid order by field name: {}. Only metrics are supported.",
                        ob.field_name
                    )));
                }
                // The latest value of the metric per model (newest timestamp, then step).
                qb.push(
                    " LEFT JOIN (SELECT model_id, metric_value FROM (SELECT model_id, \
                     metric_value, ROW_NUMBER() OVER (PARTITION BY model_id, metric_name ORDER \
                     BY metric_timestamp_ms DESC, metric_step DESC, run_id ASC) AS row_num FROM \
                     logged_model_metrics WHERE metric_name = ",
                )
                .push_bind(name.to_owned());
                if let Some(d) = &ob.dataset_name {
                    qb.push(" AND dataset_name = ").push_bind(d.clone());
                }
                if let Some(d) = &ob.dataset_digest {
                    qb.push(" AND dataset_digest = ").push_bind(d.clone());
                }
                qb.push(format!(
                    ") ranked WHERE row_num = 1) ob{i} ON ob{i}.model_id = lm.model_id"
                ));
                let dir = if ob.ascending { "ASC" } else { "DESC" };
                order_clauses.push(format!(
                    "CASE WHEN ob{i}.metric_value IS NULL THEN 1 ELSE 0 END ASC, \
                     ob{i}.metric_value {dir}"
                ));
            }
        }
    }
    if !has_creation {
        order_clauses.push("lm.creation_timestamp_ms DESC".to_owned());
    }
    if !has_model_id {
        order_clauses.push("lm.model_id ASC".to_owned());
    }
    qb.push(" WHERE lm.lifecycle_stage != 'deleted' AND ");
    if experiment_ids.is_empty() {
        qb.push("1 = 0");
    } else {
        qb.push("lm.experiment_id IN (");
        let mut sep = qb.separated(", ");
        for id in experiment_ids {
            sep.push_bind(*id);
        }
        sep.push_unseparated(")");
    }
    let mut has_metric_filter = false;
    for f in filters {
        qb.push(" AND ");
        match f.entity {
            ModelEntity::Attribute => match (f.key.as_str(), &f.value) {
                // Integer columns get string values (MLflow's grammar has no numbers for
                // them): an integer literal compares as a number; anything else is what each
                // database makes of it in MLflow, a type error on PostgreSQL (400) and no
                // match on SQLite.
                ("experiment_id" | "status", Value::Str(v))
                    if matches!(f.op, Comparator::Eq | Comparator::Ne) =>
                {
                    match v.trim().parse::<i64>() {
                        Ok(n) => {
                            qb.push(format!("lm.{} {} ", f.key, f.op.as_sql()))
                                .push_bind(n);
                        }
                        Err(_) if matches!(db, crate::store::Db::Pg(_)) => {
                            return Err(MlflowError::new(
                                crate::error::ErrorCode::BAD_REQUEST,
                                format!("invalid input syntax for type integer: \"{v}\""),
                            ));
                        }
                        Err(_) => {
                            push_comparison(qb, db, &format!("lm.{}", f.key), f.op, &f.value)?;
                        }
                    }
                }
                ("experiment_id" | "status", _) => {
                    push_comparison(
                        qb,
                        db,
                        &format!("CAST(lm.{} AS TEXT)", f.key),
                        f.op,
                        &f.value,
                    )?;
                }
                (key, _) => push_comparison(qb, db, &format!("lm.{key}"), f.op, &f.value)?,
            },
            ModelEntity::Metric => {
                has_metric_filter = true;
                qb.push("EXISTS (SELECT 1 FROM logged_model_metrics f WHERE f.model_id = lm.model_id AND f.metric_name = ")
                    .push_bind(f.key.clone())
                    .push(" AND ");
                push_comparison(qb, db, "f.metric_value", f.op, &f.value)?;
                if !s.datasets.is_empty() {
                    qb.push(" AND ");
                    push_dataset_filters(qb, "f", &s.datasets);
                }
                qb.push(")");
            }
            ModelEntity::Param | ModelEntity::Tag => {
                let (table, key, value) = if f.entity == ModelEntity::Param {
                    ("logged_model_params", "param_key", "param_value")
                } else {
                    ("logged_model_tags", "tag_key", "tag_value")
                };
                qb.push(format!(
                    "EXISTS (SELECT 1 FROM {table} f WHERE f.model_id = lm.model_id AND f.{key} = "
                ))
                .push_bind(f.key.clone())
                .push(" AND ");
                push_comparison(qb, db, &format!("f.{value}"), f.op, &f.value)?;
                qb.push(")");
            }
        }
    }
    if !s.datasets.is_empty() && !has_metric_filter {
        qb.push(
            " AND EXISTS (SELECT 1 FROM logged_model_metrics d WHERE d.model_id = lm.model_id AND ",
        );
        push_dataset_filters(qb, "d", &s.datasets);
        qb.push(")");
    }
    qb.push(" ORDER BY ").push(order_clauses.join(", "));
    qb.push(" LIMIT ").push_bind(limit);
    qb.push(" OFFSET ").push_bind(offset);
    Ok(())
}

impl Store {
    async fn model_row(&self, model_id: &str, allow_deleted: bool) -> Result<ModelRow> {
        let sql = if allow_deleted {
            format!("{MODEL_SELECT} WHERE lm.model_id = $1")
        } else {
            format!("{MODEL_SELECT} WHERE lm.model_id = $1 AND lm.lifecycle_stage != 'deleted'")
        };
        let row: Option<ModelRow> = with_pool!(&self.db, p => {
            sqlx::query_as::<_, ModelRow>(&sql).bind(model_id).fetch_optional(p).await?
        });
        row.ok_or_else(|| not_found(model_id))
    }

    /// Tags, params and metrics of `rows`, assembled into models (three queries per page).
    async fn load_models(&self, rows: Vec<ModelRow>) -> Result<Vec<LoggedModel>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<String> = rows.iter().map(|r| r.model_id.clone()).collect();
        let (tags, params, metrics): (Vec<KvRow>, Vec<KvRow>, Vec<MetricRow>) = with_pool!(&self.db, p => {
            let mut qb = QueryBuilder::new(
                "SELECT model_id, tag_key AS key, tag_value AS value FROM logged_model_tags \
                 WHERE model_id IN ",
            );
            push_string_list(&mut qb, &ids);
            let tags = qb.build_query_as::<KvRow>().fetch_all(p).await?;
            let mut qb = QueryBuilder::new(
                "SELECT model_id, param_key AS key, param_value AS value FROM \
                 logged_model_params WHERE model_id IN ",
            );
            push_string_list(&mut qb, &ids);
            let params = qb.build_query_as::<KvRow>().fetch_all(p).await?;
            let mut qb = QueryBuilder::new(
                "SELECT model_id, metric_name, metric_timestamp_ms, metric_step, \
                 metric_value, run_id, dataset_name, dataset_digest FROM \
                 logged_model_metrics WHERE model_id IN ",
            );
            push_string_list(&mut qb, &ids);
            let metrics = qb.build_query_as::<MetricRow>().fetch_all(p).await?;
            (tags, params, metrics)
        });
        let mut tag_map: HashMap<String, Vec<Tag>> = HashMap::new();
        for t in tags {
            tag_map.entry(t.model_id).or_default().push(Tag {
                key: t.key,
                value: t.value.unwrap_or_default(),
            });
        }
        let mut param_map: HashMap<String, Vec<Tag>> = HashMap::new();
        for t in params {
            param_map.entry(t.model_id).or_default().push(Tag {
                key: t.key,
                value: t.value.unwrap_or_default(),
            });
        }
        let mut metric_map: HashMap<String, Vec<ModelMetric>> = HashMap::new();
        for m in metrics {
            metric_map
                .entry(m.model_id.clone())
                .or_default()
                .push(ModelMetric {
                    key: m.metric_name,
                    value: m.metric_value.unwrap_or(f64::NAN),
                    timestamp: m.metric_timestamp_ms,
                    step: m.metric_step,
                    dataset_name: m.dataset_name,
                    dataset_digest: m.dataset_digest,
                    model_id: m.model_id,
                    run_id: m.run_id,
                });
        }
        Ok(rows
            .into_iter()
            .map(|r| {
                let id = r.model_id.clone();
                assemble(
                    r,
                    tag_map.remove(&id).unwrap_or_default(),
                    param_map.remove(&id).unwrap_or_default(),
                    metric_map.remove(&id).unwrap_or_default(),
                )
            })
            .collect())
    }

    /// `create_logged_model`.
    pub async fn create_logged_model(
        &self,
        experiment_id: &str,
        name: Option<&str>,
        model_type: Option<&str>,
        source_run_id: Option<&str>,
        params: &[(String, String)],
        tags: &[(String, String)],
    ) -> Result<LoggedModel> {
        if let Some(name) = name {
            validate_name(name)?;
        }
        let experiment = self.get_experiment_row(experiment_id).await?;
        check_experiment_is_active(&experiment)?;
        let model_id = format!("m-{}", uuid::Uuid::new_v4().simple());
        let artifact_location = append_to_uri_path(
            experiment.artifact_location.as_deref().unwrap_or(""),
            &["models", &model_id, "artifacts"],
        );
        let name = name
            .map(str::to_owned)
            .unwrap_or_else(crate::names::generate_random_name);
        let now = now_ms();
        let exp_id = experiment.experiment_id;
        let status = LoggedModelStatus::LOGGED_MODEL_PENDING as i32;
        with_tx!(&self.db, tx => {
            sqlx::query(INSERT_MODEL)
                .bind(&model_id)
                .bind(exp_id)
                .bind(&name)
                .bind(&artifact_location)
                .bind(now)
                .bind(status)
                .bind(model_type)
                .bind(source_run_id)
                .execute(&mut *tx)
                .await?;
            for (k, v) in params {
                sqlx::query(INSERT_PARAM)
                    .bind(&model_id).bind(exp_id).bind(k).bind(v)
                    .execute(&mut *tx)
                    .await?;
            }
            for (k, v) in tags {
                sqlx::query(INSERT_TAG)
                    .bind(&model_id).bind(exp_id).bind(k).bind(v)
                    .execute(&mut *tx)
                    .await?;
            }
        });
        let row = ModelRow {
            model_id,
            experiment_id: exp_id,
            name,
            artifact_location,
            creation_timestamp_ms: now,
            last_updated_timestamp_ms: now,
            status,
            lifecycle_stage: Some("active".to_owned()),
            model_type: model_type.map(str::to_owned),
            source_run_id: source_run_id.map(str::to_owned),
            status_message: None,
        };
        let kv = |v: &[(String, String)]| {
            v.iter()
                .map(|(key, value)| Tag {
                    key: key.clone(),
                    value: value.clone(),
                })
                .collect::<Vec<_>>()
        };
        Ok(assemble(row, kv(tags), kv(params), Vec::new()))
    }

    /// `get_logged_model`.
    pub async fn get_logged_model(
        &self,
        model_id: &str,
        allow_deleted: bool,
    ) -> Result<LoggedModel> {
        let row = self.model_row(model_id, allow_deleted).await?;
        Ok(self.load_models(vec![row]).await?.remove(0))
    }

    /// `delete_logged_model` (soft delete).
    pub async fn delete_logged_model(&self, model_id: &str) -> Result<()> {
        self.model_row(model_id, true).await?;
        with_pool!(&self.db, p => {
            sqlx::query(SET_DELETED).bind(now_ms()).bind(model_id).execute(p).await?;
        });
        Ok(())
    }

    /// `finalize_logged_model`.
    pub async fn finalize_logged_model(
        &self,
        model_id: &str,
        status: LoggedModelStatus,
    ) -> Result<LoggedModel> {
        self.model_row(model_id, true).await?;
        with_pool!(&self.db, p => {
            sqlx::query(SET_STATUS)
                .bind(status as i32)
                .bind(now_ms())
                .bind(model_id)
                .execute(p)
                .await?;
        });
        self.get_logged_model(model_id, true).await
    }

    /// `set_logged_model_tags`: upserts; a key repeated in one call keeps its last value.
    pub async fn set_logged_model_tags(
        &self,
        model_id: &str,
        tags: &[(String, String)],
    ) -> Result<()> {
        let row = self.model_row(model_id, true).await?;
        let mut deduped: Vec<(&str, &str)> = Vec::new();
        for (k, v) in tags {
            match deduped.iter_mut().find(|(key, _)| key == k) {
                Some(slot) => slot.1 = v,
                None => deduped.push((k, v)),
            }
        }
        with_tx!(&self.db, tx => {
            for (k, v) in &deduped {
                sqlx::query(UPSERT_TAG)
                    .bind(model_id).bind(row.experiment_id).bind(*k).bind(*v)
                    .execute(&mut *tx)
                    .await?;
            }
        });
        Ok(())
    }

    /// `delete_logged_model_tag`.
    pub async fn delete_logged_model_tag(&self, model_id: &str, key: &str) -> Result<()> {
        self.model_row(model_id, true).await?;
        let deleted = with_pool!(&self.db, p => {
            sqlx::query(DELETE_TAG).bind(model_id).bind(key).execute(p).await?.rows_affected()
        });
        if deleted == 0 {
            return Err(MlflowError::does_not_exist(format!(
                "No tag with key {} found for model with ID {}.",
                repr_str(key),
                repr_str(model_id)
            )));
        }
        Ok(())
    }

    /// `log_logged_model_params`.
    pub async fn log_logged_model_params(
        &self,
        model_id: &str,
        params: &[(String, String)],
    ) -> Result<()> {
        let row = self.model_row(model_id, true).await?;
        with_tx!(&self.db, tx => {
            for (k, v) in params {
                sqlx::query(INSERT_PARAM)
                    .bind(model_id).bind(row.experiment_id).bind(k).bind(v)
                    .execute(&mut *tx)
                    .await?;
            }
        });
        Ok(())
    }

    /// `_log_model_metrics`: metrics that name a model also go to `logged_model_metrics`
    /// (the same metric twice is stored once).
    pub async fn log_model_metrics(
        &self,
        run_id: &str,
        experiment_id: i32,
        metrics: &[ModelMetricInput<'_>],
    ) -> Result<()> {
        if metrics.is_empty() {
            return Ok(());
        }
        with_tx!(&self.db, tx => {
            for m in metrics {
                // NaN is stored as NULL here (`sanitize_metric_value`), ±inf clamped.
                let value = if m.value.is_nan() {
                    None
                } else {
                    Some(m.value.clamp(f64::MIN, f64::MAX))
                };
                sqlx::query(INSERT_METRIC)
                    .bind(m.model_id)
                    .bind(m.key)
                    .bind(m.timestamp)
                    .bind(m.step)
                    .bind(value)
                    .bind(experiment_id)
                    .bind(run_id)
                    .bind(m.dataset_name)
                    .bind(m.dataset_digest)
                    .execute(&mut *tx)
                    .await?;
            }
        });
        Ok(())
    }

    /// `search_logged_models`.
    pub async fn search_logged_models(&self, s: &ModelSearch) -> Result<Page<LoggedModel>> {
        if s.datasets.iter().any(|d| d.dataset_name.is_empty()) {
            return Err(MlflowError::invalid_parameter_value(
                "`dataset_name` in the `datasets` clause must be specified.",
            ));
        }
        let filter_json = match &s.filter {
            Some(f) => Json::String(f.clone()),
            None => Json::Null,
        };
        let order_json = if s.order_by.is_empty() {
            Json::Null
        } else {
            Json::Array(
                s.order_by
                    .iter()
                    .map(|o| {
                        json!({
                            "field_name": o.field_name,
                            "ascending": o.ascending,
                            "dataset_name": o.dataset_name,
                            "dataset_digest": o.dataset_digest,
                        })
                    })
                    .collect(),
            )
        };
        let offset = match &s.page_token {
            Some(t) => decode_token(t, &s.experiment_ids, &filter_json, &order_json)?,
            None => 0,
        };
        let max_results = s.max_results.unwrap_or(SEARCH_MAX_RESULTS_DEFAULT);
        if max_results < 0 {
            return Err(MlflowError::invalid_parameter_value(format!(
                "Invalid value {max_results} for parameter 'max_results' supplied. It must be a \
                 non-negative integer."
            )));
        }
        let filters = parse_logged_model_filter(s.filter.as_deref().unwrap_or(""))
            .map_err(crate::store::runs::search_error)?;
        let experiment_ids = s
            .experiment_ids
            .iter()
            .map(|e| parse_experiment_id(e))
            .collect::<Result<Vec<_>>>()?;
        let rows: Vec<ModelRow> = with_pool!(&self.db, p => {
            let mut qb = QueryBuilder::new("");
            push_search(&mut qb, &self.db, s, &experiment_ids, &filters, max_results + 1, offset)?;
            qb.build_query_as::<ModelRow>().fetch_all(p).await?
        });
        let mut rows = rows;
        let token = if rows.len() as i64 > max_results {
            rows.truncate(max_results as usize);
            Some(encode_token(
                &s.experiment_ids,
                &filter_json,
                &order_json,
                offset + max_results,
            ))
        } else {
            None
        };
        Ok(Page {
            items: self.load_models(rows).await?,
            next_page_token: token,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_token_is_pythons() {
        let t = encode_token(&["0".to_owned()], &Json::Null, &Json::Null, 1);
        assert_eq!(
            t,
            "eyJleHBlcmltZW50X2lkcyI6IFsiMCJdLCAiZmlsdGVyX3N0cmluZyI6IG51bGwsICJvcmRlcl9ieSI6IG51bGwsICJvZmZzZXQiOiAxfQ=="
        );
        assert_eq!(
            decode_token(&t, &["0".to_owned()], &Json::Null, &Json::Null).unwrap(),
            1
        );
        let e = decode_token(&t, &["1".to_owned()], &Json::Null, &Json::Null).unwrap_err();
        assert_eq!(
            e.message,
            "Experiment IDs in the page token do not match the requested experiment IDs. \
             Expected: ['1']. Found: ['0']"
        );
    }
}

//! The model registry: `mlflow/store/model_registry/sqlalchemy_store.py` (registered models,
//! model versions, their tags and aliases), over the same pool as the tracking store.
//!
//! Every row lives in MLflow's `default` workspace (the `workspace` column of the registry
//! keys); mlflowd does not serve other workspaces, and filters on this one so rows another
//! workspace-enabled server wrote stay invisible, as they are to a non-workspace MLflow.

use std::collections::HashMap;

use sqlx::{Database, Encode, QueryBuilder, Type};

use crate::error::{ErrorCode, MlflowError, Result};
use crate::search::registry::{
    is_querying_prompt, model_version_column, parse_search_model_versions_request,
    parse_search_registered_models_request, registered_model_column, IS_PROMPT_TAG_KEY,
};
use crate::search::{Clause, Entity, OrderBy, SearchError};
use crate::store::search_sql::{push_comparison, push_string_list};
use crate::store::{now_ms, Page, Store};
use crate::validation::{exceeds_maximum_length, validate_length_limit, validate_tag_name};
use crate::wire::registry::{ModelVersion, RegisteredModel, RegisteredModelAlias};
use crate::wire::tracking::Tag;
use crate::{with_pool, with_tx};

/// `STAGE_DELETED_INTERNAL`: a deleted version keeps its row (and number) under this stage.
pub const STAGE_DELETED_INTERNAL: &str = "Deleted_Internal";
/// `ALL_STAGES`, in MLflow's order (error messages list them so).
const ALL_STAGES: [&str; 4] = ["None", "Staging", "Production", "Archived"];
/// `SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD`.
pub const SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD: i64 = 1000;
/// `SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD`.
pub const SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD: i64 = 200_000;
const MAX_TAG_KEY_LENGTH: usize = 250;
const MAX_TAG_VALUE_LENGTH: usize = 100_000;
const MAX_ALIAS_LENGTH: usize = 255;
/// Attempts at picking the next version number when concurrent creations collide
/// (`CREATE_MODEL_VERSION_RETRIES`).
const CREATE_MODEL_VERSION_RETRIES: usize = 3;

/// Registering, transitioning or deleting a version moves its model's `last_updated_time`.
const TOUCH_MODEL: &str =
    "UPDATE registered_models SET last_updated_time = $1 WHERE workspace = 'default' AND name = $2";
const RM_COLUMNS: &str = "rm.name, rm.creation_time, rm.last_updated_time, rm.description";
const MV_COLUMNS: &str = "mv.name, mv.version, mv.creation_time, mv.last_updated_time, \
     mv.description, mv.user_id, mv.current_stage, mv.source, mv.run_id, mv.status, \
     mv.status_message, mv.run_link, mv.storage_location";

#[derive(Debug, Clone, sqlx::FromRow)]
struct RmRow {
    name: String,
    creation_time: Option<i64>,
    last_updated_time: Option<i64>,
    description: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MvRow {
    name: String,
    version: i32,
    creation_time: Option<i64>,
    last_updated_time: Option<i64>,
    description: Option<String>,
    user_id: Option<String>,
    current_stage: Option<String>,
    source: Option<String>,
    run_id: Option<String>,
    status: Option<String>,
    status_message: Option<String>,
    run_link: Option<String>,
    storage_location: Option<String>,
}

impl MvRow {
    /// `get_model_version_download_uri`: `storage_location or source`.
    pub fn download_uri(&self) -> String {
        self.storage_location
            .clone()
            .filter(|s| !s.is_empty())
            .or_else(|| self.source.clone())
            .unwrap_or_default()
    }

    pub fn run_id(&self) -> Option<&str> {
        self.run_id.as_deref()
    }
}

#[derive(Debug, sqlx::FromRow)]
struct TagRow {
    name: String,
    version: i32,
    key: String,
    value: Option<String>,
}

#[derive(Debug, sqlx::FromRow)]
struct AliasRow {
    name: String,
    alias: String,
    version: i32,
}

/// `ModelVersion.to_proto` of a row with its tags and aliases.
fn model_version(row: MvRow, tags: Vec<Tag>, aliases: Vec<String>) -> ModelVersion {
    ModelVersion {
        name: row.name,
        version: row.version.to_string(),
        creation_timestamp: row.creation_time,
        last_updated_timestamp: row.last_updated_time,
        user_id: row.user_id,
        current_stage: row.current_stage,
        description: row.description,
        source: row.source,
        run_id: row.run_id,
        status: row.status,
        status_message: row.status_message.filter(|m| !m.is_empty()),
        tags,
        run_link: row.run_link,
        aliases,
    }
}

/// `_validate_model_name`.
pub fn validate_model_name(name: &str) -> Result<()> {
    if name.trim().is_empty() {
        return Err(MlflowError::invalid_parameter_value(
            crate::validation::missing_value("name"),
        ));
    }
    if name.contains(['/', ':']) {
        return Err(MlflowError::invalid_parameter_value(format!(
            "Invalid model name '{name}'. Names cannot contain '/' or ':'."
        )));
    }
    crate::validation::validate_unique_path_name(name, "name")
}

/// `_validate_model_version`: Python's `int(version)`.
pub fn parse_version(version: &str) -> Result<i64> {
    crate::validation::py_int(version).ok_or_else(|| {
        MlflowError::invalid_parameter_value(format!(
            "Parameter 'version' must be an integer, got '{version}'."
        ))
    })
}

/// `_validate_model_alias_name`.
fn validate_alias_name(alias: &str) -> Result<()> {
    if alias.is_empty() {
        return Err(MlflowError::invalid_parameter_value(
            "Registered model alias name cannot be empty.",
        ));
    }
    if !alias
        .chars()
        .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
    {
        return Err(MlflowError::invalid_parameter_value(format!(
            "Invalid alias name: '{alias}'. Names may only contain alphanumerics, underscores \
             (_), and dashes (-)."
        )));
    }
    validate_length_limit(
        "Registered model alias name",
        MAX_ALIAS_LENGTH,
        alias,
        false,
    )?;
    Ok(())
}

/// `_validate_model_alias_name_reserved`.
fn validate_alias_not_reserved(alias: &str) -> Result<()> {
    if alias.eq_ignore_ascii_case("latest") {
        return Err(MlflowError::invalid_parameter_value(
            "'latest' alias name (case insensitive) is reserved.",
        ));
    }
    let mut chars = alias.chars();
    if matches!(chars.next(), Some('v' | 'V'))
        && alias.len() > 1
        && chars.all(|c| c.is_ascii_digit())
    {
        return Err(MlflowError::invalid_parameter_value(format!(
            "Version alias name '{alias}' is reserved."
        )));
    }
    Ok(())
}

/// `_validate_registered_model_tag`.
fn validate_registered_model_tag(key: &str, value: &str) -> Result<()> {
    validate_tag_name(key, "key")?;
    validate_length_limit("key", MAX_TAG_KEY_LENGTH, key, false)?;
    validate_length_limit("value", MAX_TAG_VALUE_LENGTH, value, false)?;
    Ok(())
}

/// `_validate_model_version_tag`.
fn validate_model_version_tag(key: &str, value: &str) -> Result<()> {
    validate_tag_name(key, "key")?;
    validate_length_limit("key", MAX_TAG_KEY_LENGTH, key, false)?;
    if key == "mlflow.prompt.text" && value.chars().count() > MAX_TAG_VALUE_LENGTH {
        return Err(MlflowError::invalid_parameter_value(format!(
            "Prompt text exceeds max length of {MAX_TAG_VALUE_LENGTH} characters."
        )));
    }
    if value.chars().count() > MAX_TAG_VALUE_LENGTH {
        return Err(MlflowError::invalid_parameter_value(
            exceeds_maximum_length("value", MAX_TAG_VALUE_LENGTH),
        ));
    }
    Ok(())
}

/// `get_canonical_stage`.
pub fn canonical_stage(stage: &str) -> Result<&'static str> {
    ALL_STAGES
        .into_iter()
        .find(|s| s.eq_ignore_ascii_case(stage))
        .ok_or_else(|| {
            MlflowError::invalid_parameter_value(format!(
                "Invalid Model Version stage: {stage}. Value must be one of {}.",
                ALL_STAGES.join(", ")
            ))
        })
}

fn model_not_found(name: &str) -> MlflowError {
    MlflowError::does_not_exist(format!("Registered Model with name={name} not found"))
}

fn version_not_found(name: &str, version: i64) -> MlflowError {
    MlflowError::does_not_exist(format!(
        "Model Version (name={name}, version={version}) not found"
    ))
}

/// The registry's search errors: MLflow raises its duplicate-`order_by` and overflow errors
/// without a code (500); everything else is a bad parameter.
fn search_error(e: SearchError) -> MlflowError {
    if e.is_internal() {
        MlflowError::new(ErrorCode::INTERNAL_ERROR, e.message)
    } else {
        MlflowError::invalid_parameter_value(e.message)
    }
}

/// A unique-key violation as RESOURCE_ALREADY_EXISTS (callers word the message), any other
/// database error as usual.
fn exists_on_conflict(e: sqlx::Error) -> MlflowError {
    if let sqlx::Error::Database(db) = &e {
        if db.kind() == sqlx::error::ErrorKind::UniqueViolation {
            return MlflowError::already_exists("unique key violation");
        }
    }
    e.into()
}

/// Dedupes tags by key, the last value winning, in first-seen key order (a Python dict).
fn tag_dict(tags: &[(String, String)]) -> Vec<Tag> {
    let mut out: Vec<Tag> = Vec::new();
    for (k, v) in tags {
        match out.iter_mut().find(|t| &t.key == k) {
            Some(t) => t.value = v.clone(),
            None => out.push(Tag {
                key: k.clone(),
                value: v.clone(),
            }),
        }
    }
    out
}

/// The WHERE clauses of a registry search (after `WHERE <alias>.workspace = 'default'`):
/// attribute comparisons, MLflow's prompt anti-join unless the filter asks for prompts, and
/// one `EXISTS` per tag key whose tag row must satisfy every clause on that key (MLflow's
/// `GROUP BY … HAVING count(*) = <keys>` over an OR of the per-key conditions).
fn push_registry_filters<'a, DB>(
    qb: &mut QueryBuilder<'a, DB>,
    db: &crate::store::Db,
    clauses: &[Clause],
    versions: bool,
) -> Result<()>
where
    DB: Database,
    String: Encode<'a, DB> + Type<DB>,
    f64: Encode<'a, DB> + Type<DB>,
    i64: Encode<'a, DB> + Type<DB>,
{
    let (alias, tag_table, key_join) = if versions {
        (
            "mv",
            "model_version_tags",
            "t.workspace = mv.workspace AND t.name = mv.name AND t.version = mv.version",
        )
    } else {
        (
            "rm",
            "registered_model_tags",
            "t.workspace = rm.workspace AND t.name = rm.name",
        )
    };
    let prompts = is_querying_prompt(clauses);
    let mut tag_keys: Vec<&str> = Vec::new();
    for c in clauses {
        match c.entity {
            Entity::Tag => {
                if !prompts && c.key == IS_PROMPT_TAG_KEY {
                    continue;
                }
                if !tag_keys.contains(&c.key.as_str()) {
                    tag_keys.push(&c.key);
                }
            }
            _ => {
                let column = if versions {
                    model_version_column(&c.key)
                } else {
                    registered_model_column(&c.key)
                }
                .ok_or_else(|| {
                    MlflowError::invalid_parameter_value(format!(
                        "Invalid attribute name: {}",
                        c.key
                    ))
                })?;
                qb.push(" AND ");
                push_comparison(qb, db, &format!("{alias}.{column}"), c.op, &c.value)?;
            }
        }
    }
    if !prompts {
        qb.push(format!(
            " AND NOT EXISTS (SELECT 1 FROM {tag_table} p WHERE p.workspace = {alias}.workspace \
             AND p.name = {alias}.name AND p.key = "
        ))
        .push_bind(IS_PROMPT_TAG_KEY.to_owned())
        .push(" AND p.value = ")
        .push_bind("true".to_owned())
        .push(")");
    }
    for key in tag_keys {
        qb.push(format!(
            " AND EXISTS (SELECT 1 FROM {tag_table} t WHERE {key_join} AND t.key = "
        ))
        .push_bind(key.to_owned());
        for c in clauses
            .iter()
            .filter(|c| c.entity == Entity::Tag && c.key == key)
        {
            qb.push(" AND ");
            push_comparison(qb, db, "t.value", c.op, &c.value)?;
        }
        qb.push(")");
    }
    Ok(())
}

fn push_registry_order<'a, DB: Database>(
    qb: &mut QueryBuilder<'a, DB>,
    order_by: &[OrderBy],
    versions: bool,
) -> Result<()> {
    let alias = if versions { "mv" } else { "rm" };
    let mut parts = Vec::new();
    for o in order_by {
        let column = if versions {
            model_version_column(&o.key)
        } else {
            registered_model_column(&o.key)
        }
        .ok_or_else(|| {
            MlflowError::invalid_parameter_value(format!("Invalid order by key '{}'", o.key))
        })?;
        parts.push(format!(
            "{alias}.{column} {}",
            if o.ascending { "ASC" } else { "DESC" }
        ));
    }
    qb.push(" ORDER BY ").push(parts.join(", "));
    Ok(())
}

/// Python's `rows[:n]` for the `max_results` slice (negative `n` counts from the end).
fn py_slice<T>(mut rows: Vec<T>, n: i64) -> Vec<T> {
    let len = rows.len() as i64;
    let keep = if n < 0 { (len + n).max(0) } else { n.min(len) };
    rows.truncate(keep as usize);
    rows
}

/// A registry search page: MLflow fetches `max_results + 1` rows and hands out a token
/// when it got exactly that many (`_compute_next_token`).
fn registry_page<T>(rows: Vec<T>, offset: u64, max_results: i64) -> Page<T> {
    // A negative max_results yields a negative offset in MLflow's token too.
    let next_page_token = (rows.len() as i64 == max_results + 1).then(|| {
        use base64::Engine;
        let offset = offset as i64 + max_results;
        base64::engine::general_purpose::STANDARD.encode(format!("{{\"offset\": {offset}}}"))
    });
    Page {
        items: py_slice(rows, max_results),
        next_page_token,
    }
}

impl Store {
    async fn registered_model_row(&self, name: &str) -> Result<RmRow> {
        validate_model_name(name)?;
        let row: Option<RmRow> = with_pool!(&self.db, p => {
            sqlx::query_as(&format!(
                "SELECT {RM_COLUMNS} FROM registered_models rm WHERE rm.workspace = 'default' \
                 AND rm.name = $1"
            ))
            .bind(name)
            .fetch_optional(p)
            .await?
        });
        row.ok_or_else(|| model_not_found(name))
    }

    /// `_get_sql_model_version`: a live (not deleted) version.
    pub async fn model_version_row(&self, name: &str, version: &str) -> Result<MvRow> {
        validate_model_name(name)?;
        let v = parse_version(version)?;
        let row: Option<MvRow> = with_pool!(&self.db, p => {
            sqlx::query_as(&format!(
                "SELECT {MV_COLUMNS} FROM model_versions mv WHERE mv.workspace = 'default' \
                 AND mv.name = $1 AND mv.version = $2 AND mv.current_stage <> $3"
            ))
            .bind(name)
            .bind(v)
            .bind(STAGE_DELETED_INTERNAL)
            .fetch_optional(p)
            .await?
        });
        row.ok_or_else(|| version_not_found(name, v))
    }

    async fn version_tags(&self, names: &[String]) -> Result<HashMap<(String, i32), Vec<Tag>>> {
        let mut out: HashMap<(String, i32), Vec<Tag>> = HashMap::new();
        if names.is_empty() {
            return Ok(out);
        }
        let rows: Vec<TagRow> = with_pool!(&self.db, p => {
            let mut qb = QueryBuilder::new(
                "SELECT name, version, key, value FROM model_version_tags \
                 WHERE workspace = 'default' AND name IN ",
            );
            push_string_list(&mut qb, names);
            qb.push(" ORDER BY name, version, key");
            qb.build_query_as::<TagRow>().fetch_all(p).await?
        });
        for t in rows {
            out.entry((t.name, t.version)).or_default().push(Tag {
                key: t.key,
                value: t.value.unwrap_or_default(),
            });
        }
        Ok(out)
    }

    async fn aliases_of(&self, names: &[String]) -> Result<HashMap<String, Vec<AliasRow>>> {
        let mut out: HashMap<String, Vec<AliasRow>> = HashMap::new();
        if names.is_empty() {
            return Ok(out);
        }
        let rows: Vec<AliasRow> = with_pool!(&self.db, p => {
            let mut qb = QueryBuilder::new(
                "SELECT name, alias, version FROM registered_model_aliases \
                 WHERE workspace = 'default' AND name IN ",
            );
            push_string_list(&mut qb, names);
            qb.push(" ORDER BY name, alias");
            qb.build_query_as::<AliasRow>().fetch_all(p).await?
        });
        for a in rows {
            out.entry(a.name.clone()).or_default().push(a);
        }
        Ok(out)
    }

    /// Model versions with their tags; `aliases` from the model's aliases when asked for
    /// (`_populate_model_version_aliases`), else none (as search results carry them).
    async fn assemble_versions(
        &self,
        rows: Vec<MvRow>,
        with_aliases: bool,
    ) -> Result<Vec<ModelVersion>> {
        let mut names: Vec<String> = rows.iter().map(|r| r.name.clone()).collect();
        names.sort();
        names.dedup();
        let mut tags = self.version_tags(&names).await?;
        let aliases = if with_aliases {
            self.aliases_of(&names).await?
        } else {
            HashMap::new()
        };
        Ok(rows
            .into_iter()
            .map(|r| {
                let t = tags
                    .remove(&(r.name.clone(), r.version))
                    .unwrap_or_default();
                let a = aliases
                    .get(&r.name)
                    .map(|list| {
                        list.iter()
                            .filter(|a| a.version == r.version)
                            .map(|a| a.alias.clone())
                            .collect()
                    })
                    .unwrap_or_default();
                model_version(r, t, a)
            })
            .collect())
    }

    async fn assemble_version(&self, row: MvRow) -> Result<ModelVersion> {
        let mut v = self.assemble_versions(vec![row], true).await?;
        v.pop().ok_or_else(MlflowError::internal)
    }

    /// The newest live version per stage of each model. MLflow orders them two ways: a model
    /// read on its own lists stages as they first occur in its history
    /// (`SqlRegisteredModel.to_mlflow_entity`); a search page lists them as its window query
    /// partitions them, by stage name (`_get_latest_versions_for_models`).
    async fn latest_version_rows(
        &self,
        names: &[String],
        by_stage_name: bool,
    ) -> Result<HashMap<String, Vec<MvRow>>> {
        let mut out: HashMap<String, Vec<MvRow>> = HashMap::new();
        if names.is_empty() {
            return Ok(out);
        }
        let rows: Vec<MvRow> = with_pool!(&self.db, p => {
            let mut qb = QueryBuilder::new(format!(
                "SELECT {MV_COLUMNS} FROM (SELECT m.*, ROW_NUMBER() OVER (PARTITION BY m.name, \
                 m.current_stage ORDER BY m.version DESC) AS rn, MIN(m.version) OVER \
                 (PARTITION BY m.name, m.current_stage) AS first_version FROM model_versions m \
                 WHERE m.workspace = 'default' AND m.current_stage <> 'Deleted_Internal' AND \
                 m.name IN "
            ));
            push_string_list(&mut qb, names);
            qb.push(if by_stage_name {
                ") mv WHERE mv.rn = 1 ORDER BY mv.name, mv.current_stage"
            } else {
                ") mv WHERE mv.rn = 1 ORDER BY mv.name, mv.first_version"
            });
            qb.build_query_as::<MvRow>().fetch_all(p).await?
        });
        for r in rows {
            out.entry(r.name.clone()).or_default().push(r);
        }
        Ok(out)
    }

    async fn assemble_models(
        &self,
        rows: Vec<RmRow>,
        search_page: bool,
    ) -> Result<Vec<RegisteredModel>> {
        let names: Vec<String> = rows.iter().map(|r| r.name.clone()).collect();
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let mut latest = self.latest_version_rows(&names, search_page).await?;
        let tags: Vec<TagRow> = with_pool!(&self.db, p => {
            let mut qb = QueryBuilder::new(
                "SELECT name, 0 AS version, key, value FROM registered_model_tags \
                 WHERE workspace = 'default' AND name IN ",
            );
            push_string_list(&mut qb, &names);
            qb.push(" ORDER BY name, key");
            qb.build_query_as::<TagRow>().fetch_all(p).await?
        });
        let mut tag_map: HashMap<String, Vec<Tag>> = HashMap::new();
        for t in tags {
            tag_map.entry(t.name).or_default().push(Tag {
                key: t.key,
                value: t.value.unwrap_or_default(),
            });
        }
        let mut aliases = self.aliases_of(&names).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let latest_rows = latest.remove(&r.name).unwrap_or_default();
            let latest_versions = self.assemble_versions(latest_rows, false).await?;
            out.push(RegisteredModel {
                tags: tag_map.remove(&r.name).unwrap_or_default(),
                aliases: aliases
                    .remove(&r.name)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|a| RegisteredModelAlias {
                        alias: a.alias,
                        version: a.version.to_string(),
                    })
                    .collect(),
                name: r.name,
                creation_timestamp: r.creation_time,
                last_updated_timestamp: r.last_updated_time.filter(|t| *t != 0),
                description: r.description.filter(|d| !d.is_empty()),
                latest_versions,
            });
        }
        Ok(out)
    }

    async fn assemble_model(&self, row: RmRow) -> Result<RegisteredModel> {
        let mut m = self.assemble_models(vec![row], false).await?;
        m.pop().ok_or_else(MlflowError::internal)
    }

    /// `create_registered_model`.
    pub async fn create_registered_model(
        &self,
        name: &str,
        tags: &[(String, String)],
        description: &str,
    ) -> Result<RegisteredModel> {
        validate_model_name(name)?;
        for (k, v) in tags {
            validate_registered_model_tag(k, v)?;
        }
        let tags = tag_dict(tags);
        let now = now_ms();
        let inserted: Result<()> = async {
            with_tx!(&self.db, tx => {
                sqlx::query(
                    "INSERT INTO registered_models (workspace, name, creation_time, \
                     last_updated_time, description) VALUES ('default', $1, $2, $2, $3)",
                )
                .bind(name)
                .bind(now)
                .bind(description)
                .execute(&mut *tx)
                .await
                .map_err(exists_on_conflict)?;
                for t in &tags {
                    sqlx::query(
                        "INSERT INTO registered_model_tags (workspace, key, value, name) \
                         VALUES ('default', $1, $2, $3)",
                    )
                    .bind(&t.key)
                    .bind(&t.value)
                    .bind(name)
                    .execute(&mut *tx)
                    .await?;
                }
            });
            Ok(())
        }
        .await;
        if let Err(e) = inserted {
            if e.code != ErrorCode::RESOURCE_ALREADY_EXISTS {
                return Err(e);
            }
            // `handle_resource_already_exist_error`: the message says whether a prompt or a
            // model holds the name.
            let existing = self.get_registered_model(name).await?;
            let old_is_prompt = existing.tags.iter().any(|t| t.key == IS_PROMPT_TAG_KEY);
            let new_is_prompt = tags.iter().any(|t| t.key == IS_PROMPT_TAG_KEY);
            let entity = |prompt: bool| if prompt { "Prompt" } else { "Registered Model" };
            let (old, new) = (entity(old_is_prompt), entity(new_is_prompt));
            return Err(if old != new {
                MlflowError::already_exists(format!(
                    "Tried to create a {} with name {}, but the name is already taken by a {}. \
                     MLflow does not allow creating a model and a prompt with the same name.",
                    new.to_lowercase(),
                    crate::search::repr_str(name),
                    old.to_lowercase()
                ))
            } else {
                MlflowError::already_exists(format!("{new} (name={name}) already exists."))
            });
        }
        Ok(RegisteredModel {
            name: name.to_owned(),
            creation_timestamp: Some(now),
            last_updated_timestamp: Some(now).filter(|t| *t != 0),
            description: Some(description.to_owned()).filter(|d| !d.is_empty()),
            latest_versions: Vec::new(),
            tags,
            aliases: Vec::new(),
        })
    }

    /// `get_registered_model`.
    pub async fn get_registered_model(&self, name: &str) -> Result<RegisteredModel> {
        let row = self.registered_model_row(name).await?;
        self.assemble_model(row).await
    }

    /// `update_registered_model`: the description is replaced (`""` when not given).
    pub async fn update_registered_model(
        &self,
        name: &str,
        description: &str,
    ) -> Result<RegisteredModel> {
        self.registered_model_row(name).await?;
        let now = now_ms();
        with_pool!(&self.db, p => {
            sqlx::query(
                "UPDATE registered_models SET description = $1, last_updated_time = $2 \
                 WHERE workspace = 'default' AND name = $3",
            )
            .bind(description)
            .bind(now)
            .bind(name)
            .execute(p)
            .await?;
        });
        self.get_registered_model(name).await
    }

    /// `rename_registered_model`: the foreign keys' `ON UPDATE CASCADE` carries versions,
    /// tags and aliases to the new name; every version's `last_updated_time` moves too.
    pub async fn rename_registered_model(
        &self,
        name: &str,
        new_name: &str,
    ) -> Result<RegisteredModel> {
        if new_name.trim().is_empty() {
            return Err(MlflowError::invalid_parameter_value(
                crate::validation::missing_value("new_name"),
            ));
        }
        validate_model_name(new_name)?;
        self.registered_model_row(name).await?;
        let now = now_ms();
        let renamed: Result<()> = async {
            with_tx!(&self.db, tx => {
                sqlx::query(
                    "UPDATE registered_models SET name = $1, last_updated_time = $2 \
                     WHERE workspace = 'default' AND name = $3",
                )
                .bind(new_name)
                .bind(now)
                .bind(name)
                .execute(&mut *tx)
                .await
                .map_err(exists_on_conflict)?;
                sqlx::query(
                    "UPDATE model_versions SET last_updated_time = $1 \
                     WHERE workspace = 'default' AND name = $2",
                )
                .bind(now)
                .bind(new_name)
                .execute(&mut *tx)
                .await?;
            });
            Ok(())
        }
        .await;
        match renamed {
            Err(e) if e.code == ErrorCode::RESOURCE_ALREADY_EXISTS => {
                Err(MlflowError::already_exists(format!(
                    "Registered Model (name={new_name}) already exists."
                )))
            }
            Err(e) => Err(e),
            Ok(()) => self.get_registered_model(new_name).await,
        }
    }

    /// `delete_registered_model`: the model, its versions, and all their tags and aliases.
    pub async fn delete_registered_model(&self, name: &str) -> Result<()> {
        self.registered_model_row(name).await?;
        with_tx!(&self.db, tx => {
            for table in [
                "model_version_tags",
                "registered_model_aliases",
                "model_versions",
                "registered_model_tags",
                "registered_models",
            ] {
                sqlx::query(&format!(
                    "DELETE FROM {table} WHERE workspace = 'default' AND name = $1"
                ))
                .bind(name)
                .execute(&mut *tx)
                .await?;
            }
        });
        Ok(())
    }

    /// `search_registered_models`.
    pub async fn search_registered_models(
        &self,
        filter: &str,
        max_results: i64,
        order_by: &[String],
        page_token: Option<&str>,
    ) -> Result<Page<RegisteredModel>> {
        if max_results > SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD {
            return Err(MlflowError::invalid_parameter_value(format!(
                "Invalid value for request parameter max_results. It must be at most \
                 {SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD}, but got value {max_results}"
            )));
        }
        let q = parse_search_registered_models_request(filter, order_by, page_token)
            .map_err(search_error)?;
        let limit = max_results + 1;
        let rows: Vec<RmRow> = with_pool!(&self.db, p => {
            let mut qb = QueryBuilder::new(format!(
                "SELECT {RM_COLUMNS} FROM registered_models rm WHERE rm.workspace = 'default'"
            ));
            push_registry_filters(&mut qb, &self.db, &q.filter, false)?;
            push_registry_order(&mut qb, &q.order_by, false)?;
            push_limit(&mut qb, limit, q.offset);
            qb.build_query_as::<RmRow>().fetch_all(p).await?
        });
        let page = registry_page(rows, q.offset, max_results);
        Ok(Page {
            items: self.assemble_models(page.items, true).await?,
            next_page_token: page.next_page_token,
        })
    }

    /// `get_latest_versions`: the newest version of each requested stage (all stages when
    /// none are given), with aliases.
    pub async fn get_latest_versions(
        &self,
        name: &str,
        stages: &[String],
    ) -> Result<Vec<ModelVersion>> {
        self.registered_model_row(name).await?;
        let wanted: Vec<&str> = if stages.is_empty() {
            ALL_STAGES.to_vec()
        } else {
            stages
                .iter()
                .map(|s| canonical_stage(s))
                .collect::<Result<_>>()?
        };
        let rows = self
            .latest_version_rows(&[name.to_owned()], false)
            .await?
            .remove(name)
            .unwrap_or_default()
            .into_iter()
            .filter(|r| {
                r.current_stage
                    .as_deref()
                    .is_some_and(|s| wanted.contains(&s))
            })
            .collect();
        self.assemble_versions(rows, true).await
    }

    /// `set_registered_model_tag`.
    pub async fn set_registered_model_tag(&self, name: &str, key: &str, value: &str) -> Result<()> {
        validate_model_name(name)?;
        validate_registered_model_tag(key, value)?;
        self.registered_model_row(name).await?;
        with_pool!(&self.db, p => {
            sqlx::query(
                "INSERT INTO registered_model_tags (workspace, key, value, name) \
                 VALUES ('default', $1, $2, $3) ON CONFLICT (workspace, key, name) \
                 DO UPDATE SET value = excluded.value",
            )
            .bind(key)
            .bind(value)
            .bind(name)
            .execute(p)
            .await?;
        });
        Ok(())
    }

    /// `delete_registered_model_tag`: a missing tag is not an error.
    pub async fn delete_registered_model_tag(&self, name: &str, key: &str) -> Result<()> {
        validate_model_name(name)?;
        validate_tag_name(key, "key")?;
        self.registered_model_row(name).await?;
        with_pool!(&self.db, p => {
            sqlx::query(
                "DELETE FROM registered_model_tags WHERE workspace = 'default' AND name = $1 \
                 AND key = $2",
            )
            .bind(name)
            .bind(key)
            .execute(p)
            .await?;
        });
        Ok(())
    }

    /// `create_model_version`, once the handler has checked the source and resolved where
    /// the files are (`storage_location`) and which run made them.
    pub async fn create_model_version(&self, v: NewModelVersion<'_>) -> Result<ModelVersion> {
        validate_model_name(v.name)?;
        for (k, val) in v.tags {
            validate_model_version_tag(k, val)?;
        }
        let tags = tag_dict(v.tags);
        let now = now_ms();
        for _ in 0..CREATE_MODEL_VERSION_RETRIES {
            let attempt: Result<i32> = async {
                Ok(with_tx!(&self.db, tx => {
                    let updated = sqlx::query(TOUCH_MODEL)
                    .bind(now)
                    .bind(v.name)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if updated == 0 {
                        return Err(model_not_found(v.name));
                    }
                    let max: Option<i32> = sqlx::query_scalar(
                        "SELECT MAX(version) FROM model_versions WHERE workspace = 'default' \
                         AND name = $1",
                    )
                    .bind(v.name)
                    .fetch_one(&mut *tx)
                    .await?;
                    let version = max.unwrap_or(0) + 1;
                    sqlx::query(
                        "INSERT INTO model_versions (workspace, name, version, creation_time, \
                         last_updated_time, description, current_stage, source, run_id, \
                         status, run_link, storage_location) VALUES ('default', $1, $2, $3, \
                         $3, $4, 'None', $5, $6, 'READY', $7, $8)",
                    )
                    .bind(v.name)
                    .bind(version)
                    .bind(now)
                    .bind(v.description)
                    .bind(v.source)
                    .bind(v.run_id)
                    .bind(v.run_link)
                    .bind(v.storage_location)
                    .execute(&mut *tx)
                    .await
                    .map_err(exists_on_conflict)?;
                    for t in &tags {
                        sqlx::query(
                            "INSERT INTO model_version_tags (workspace, key, value, name, \
                             version) VALUES ('default', $1, $2, $3, $4)",
                        )
                        .bind(&t.key)
                        .bind(&t.value)
                        .bind(v.name)
                        .bind(version)
                        .execute(&mut *tx)
                        .await?;
                    }
                    version
                }))
            }
            .await;
            match attempt {
                Ok(version) => {
                    return Ok(ModelVersion {
                        name: v.name.to_owned(),
                        version: version.to_string(),
                        creation_timestamp: Some(now),
                        last_updated_timestamp: Some(now),
                        user_id: None,
                        current_stage: Some("None".to_owned()),
                        description: v.description.map(str::to_owned),
                        source: Some(v.source.to_owned()),
                        run_id: v.run_id.map(str::to_owned),
                        status: Some("READY".to_owned()),
                        status_message: None,
                        tags,
                        run_link: v.run_link.map(str::to_owned),
                        aliases: Vec::new(),
                    });
                }
                // Another replica took the same number: pick the next one.
                Err(e) if e.code == ErrorCode::RESOURCE_ALREADY_EXISTS => {
                    tracing::info!(name = v.name, "model version number taken; retrying");
                }
                Err(e) => return Err(e),
            }
        }
        Err(MlflowError::new(
            ErrorCode::INTERNAL_ERROR,
            format!(
                "Model Version creation error (name={}). Giving up after \
                 {CREATE_MODEL_VERSION_RETRIES} attempts.",
                v.name
            ),
        ))
    }

    /// `get_model_version`.
    pub async fn get_model_version(&self, name: &str, version: &str) -> Result<ModelVersion> {
        let row = self.model_version_row(name, version).await?;
        self.assemble_version(row).await
    }

    /// `update_model_version`: `None` clears the description, as in MLflow.
    pub async fn update_model_version(
        &self,
        name: &str,
        version: &str,
        description: Option<&str>,
    ) -> Result<ModelVersion> {
        let row = self.model_version_row(name, version).await?;
        let now = now_ms();
        with_pool!(&self.db, p => {
            sqlx::query(
                "UPDATE model_versions SET description = $1, last_updated_time = $2 \
                 WHERE workspace = 'default' AND name = $3 AND version = $4",
            )
            .bind(description)
            .bind(now)
            .bind(&row.name)
            .bind(row.version)
            .execute(p)
            .await?;
        });
        self.get_model_version(name, version).await
    }

    /// `transition_model_version_stage`.
    pub async fn transition_model_version_stage(
        &self,
        name: &str,
        version: &str,
        stage: &str,
        archive_existing_versions: bool,
    ) -> Result<ModelVersion> {
        let canonical = canonical_stage(stage)?;
        if archive_existing_versions && !matches!(canonical, "Staging" | "Production") {
            return Err(MlflowError::new(
                ErrorCode::INTERNAL_ERROR,
                format!(
                    "Model version transition cannot archive existing model versions because \
                     '{stage}' is not an Active stage. Valid stages are ['Staging', 'Production']"
                ),
            ));
        }
        let row = self.model_version_row(name, version).await?;
        let now = now_ms();
        with_tx!(&self.db, tx => {
            if archive_existing_versions {
                sqlx::query(
                    "UPDATE model_versions SET current_stage = 'Archived', \
                     last_updated_time = $1 WHERE workspace = 'default' AND name = $2 \
                     AND version <> $3 AND current_stage = $4",
                )
                .bind(now)
                .bind(&row.name)
                .bind(row.version)
                .bind(canonical)
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query(
                "UPDATE model_versions SET current_stage = $1, last_updated_time = $2 \
                 WHERE workspace = 'default' AND name = $3 AND version = $4",
            )
            .bind(canonical)
            .bind(now)
            .bind(&row.name)
            .bind(row.version)
            .execute(&mut *tx)
            .await?;
            sqlx::query(TOUCH_MODEL)
            .bind(now)
            .bind(&row.name)
            .execute(&mut *tx)
            .await?;
        });
        self.get_model_version(name, version).await
    }

    /// `delete_model_version`: the row stays (its number is never reused) under the internal
    /// stage, with identifying fields redacted; aliases on it are dropped; tags are kept.
    pub async fn delete_model_version(&self, name: &str, version: &str) -> Result<()> {
        parse_version(version)?;
        let row = self.model_version_row(name, version).await?;
        let now = now_ms();
        with_tx!(&self.db, tx => {
            sqlx::query(TOUCH_MODEL)
            .bind(now)
            .bind(&row.name)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "DELETE FROM registered_model_aliases WHERE workspace = 'default' \
                 AND name = $1 AND version = $2",
            )
            .bind(&row.name)
            .bind(row.version)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "UPDATE model_versions SET current_stage = $1, last_updated_time = $2, \
                 description = NULL, user_id = NULL, source = 'REDACTED-SOURCE-PATH', \
                 run_id = 'REDACTED-RUN-ID', run_link = 'REDACTED-RUN-LINK', \
                 status_message = NULL WHERE workspace = 'default' AND name = $3 \
                 AND version = $4",
            )
            .bind(STAGE_DELETED_INTERNAL)
            .bind(now)
            .bind(&row.name)
            .bind(row.version)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// `get_model_version_download_uri`.
    pub async fn get_model_version_download_uri(
        &self,
        name: &str,
        version: &str,
    ) -> Result<String> {
        Ok(self.model_version_row(name, version).await?.download_uri())
    }

    /// `search_model_versions`.
    pub async fn search_model_versions(
        &self,
        filter: &str,
        max_results: i64,
        order_by: &[String],
        page_token: Option<&str>,
    ) -> Result<Page<ModelVersion>> {
        if max_results < 1 {
            return Err(MlflowError::invalid_parameter_value(format!(
                "Invalid value for max_results. It must be a positive integer, but got \
                 {max_results}"
            )));
        }
        if max_results > SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD {
            return Err(MlflowError::invalid_parameter_value(format!(
                "Invalid value for request parameter max_results. It must be at most \
                 {SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD}, but got value {max_results}"
            )));
        }
        let q = parse_search_model_versions_request(filter, order_by, page_token)
            .map_err(search_error)?;
        let rows: Vec<MvRow> = with_pool!(&self.db, p => {
            let mut qb = QueryBuilder::new(format!(
                "SELECT {MV_COLUMNS} FROM model_versions mv WHERE mv.workspace = 'default'"
            ));
            push_registry_filters(&mut qb, &self.db, &q.filter, true)?;
            qb.push(" AND mv.current_stage <> ")
                .push_bind(STAGE_DELETED_INTERNAL.to_owned());
            push_registry_order(&mut qb, &q.order_by, true)?;
            push_limit(&mut qb, max_results + 1, q.offset);
            qb.build_query_as::<MvRow>().fetch_all(p).await?
        });
        let page = registry_page(rows, q.offset, max_results);
        Ok(Page {
            items: self.assemble_versions(page.items, false).await?,
            next_page_token: page.next_page_token,
        })
    }

    /// `set_model_version_tag`.
    pub async fn set_model_version_tag(
        &self,
        name: &str,
        version: &str,
        key: &str,
        value: &str,
    ) -> Result<()> {
        validate_model_name(name)?;
        parse_version(version)?;
        validate_model_version_tag(key, value)?;
        let row = self.model_version_row(name, version).await?;
        with_pool!(&self.db, p => {
            sqlx::query(
                "INSERT INTO model_version_tags (workspace, key, value, name, version) \
                 VALUES ('default', $1, $2, $3, $4) ON CONFLICT (workspace, key, name, version) \
                 DO UPDATE SET value = excluded.value",
            )
            .bind(key)
            .bind(value)
            .bind(&row.name)
            .bind(row.version)
            .execute(p)
            .await?;
        });
        Ok(())
    }

    /// `delete_model_version_tag`: a missing tag is not an error.
    pub async fn delete_model_version_tag(
        &self,
        name: &str,
        version: &str,
        key: &str,
    ) -> Result<()> {
        validate_model_name(name)?;
        parse_version(version)?;
        validate_tag_name(key, "key")?;
        let row = self.model_version_row(name, version).await?;
        with_pool!(&self.db, p => {
            sqlx::query(
                "DELETE FROM model_version_tags WHERE workspace = 'default' AND name = $1 \
                 AND version = $2 AND key = $3",
            )
            .bind(&row.name)
            .bind(row.version)
            .bind(key)
            .execute(p)
            .await?;
        });
        Ok(())
    }

    /// `set_registered_model_alias`: an existing alias moves to the new version.
    pub async fn set_registered_model_alias(
        &self,
        name: &str,
        alias: &str,
        version: &str,
    ) -> Result<()> {
        validate_model_name(name)?;
        validate_alias_name(alias)?;
        validate_alias_not_reserved(alias)?;
        parse_version(version)?;
        let row = self.model_version_row(name, version).await?;
        with_pool!(&self.db, p => {
            sqlx::query(
                "INSERT INTO registered_model_aliases (workspace, alias, version, name) \
                 VALUES ('default', $1, $2, $3) ON CONFLICT (workspace, name, alias) \
                 DO UPDATE SET version = excluded.version",
            )
            .bind(alias)
            .bind(row.version)
            .bind(&row.name)
            .execute(p)
            .await?;
        });
        Ok(())
    }

    /// `delete_registered_model_alias`: a missing alias is not an error.
    pub async fn delete_registered_model_alias(&self, name: &str, alias: &str) -> Result<()> {
        validate_model_name(name)?;
        validate_alias_name(alias)?;
        self.registered_model_row(name).await?;
        with_pool!(&self.db, p => {
            sqlx::query(
                "DELETE FROM registered_model_aliases WHERE workspace = 'default' \
                 AND name = $1 AND alias = $2",
            )
            .bind(name)
            .bind(alias)
            .execute(p)
            .await?;
        });
        Ok(())
    }

    /// `get_model_version_by_alias`; `latest` (any case) is the newest live version.
    pub async fn get_model_version_by_alias(
        &self,
        name: &str,
        alias: &str,
    ) -> Result<ModelVersion> {
        validate_model_name(name)?;
        validate_alias_name(alias)?;
        if alias.eq_ignore_ascii_case("latest") {
            let versions = self.get_latest_versions(name, &[]).await?;
            return versions
                .into_iter()
                .max_by_key(|v| v.version.parse::<i64>().unwrap_or(0))
                .ok_or_else(|| {
                    MlflowError::does_not_exist(format!(
                        "Latest version not found for model {name}."
                    ))
                });
        }
        self.registered_model_row(name).await?;
        let version: Option<i32> = with_pool!(&self.db, p => {
            sqlx::query_scalar(
                "SELECT version FROM registered_model_aliases WHERE workspace = 'default' \
                 AND name = $1 AND alias = $2",
            )
            .bind(name)
            .bind(alias)
            .fetch_optional(p)
            .await?
        });
        match version {
            Some(v) => self.get_model_version(name, &v.to_string()).await,
            None => Err(MlflowError::invalid_parameter_value(format!(
                "Registered model alias {alias} not found."
            ))),
        }
    }
}

/// `LIMIT n OFFSET m`, with MLflow's quirks: the offset only when a page token was given
/// (a zero offset otherwise), and a negative limit as the database takes it.
fn push_limit<DB: Database>(qb: &mut QueryBuilder<'_, DB>, limit: i64, offset: u64) {
    qb.push(format!(" LIMIT {limit}"));
    if offset > 0 {
        qb.push(format!(" OFFSET {offset}"));
    }
}

/// What `create_model_version` stores.
pub struct NewModelVersion<'a> {
    pub name: &'a str,
    pub source: &'a str,
    pub storage_location: &'a str,
    pub run_id: Option<&'a str>,
    pub tags: &'a [(String, String)],
    pub run_link: Option<&'a str>,
    pub description: Option<&'a str>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_and_aliases() {
        assert_eq!(canonical_stage("production").unwrap(), "Production");
        assert_eq!(
            canonical_stage("Foo").unwrap_err().message,
            "Invalid Model Version stage: Foo. Value must be one of None, Staging, Production, \
             Archived."
        );
        assert!(validate_alias_not_reserved("v1").is_err());
        assert!(validate_alias_not_reserved("V12").is_err());
        assert!(validate_alias_not_reserved("v").is_ok());
        assert!(validate_alias_not_reserved("v1a").is_ok());
        assert!(validate_alias_not_reserved("LaTeSt").is_err());
        assert!(validate_alias_name("champ-1_x").is_ok());
        assert!(validate_alias_name("a.b").is_err());
        assert_eq!(parse_version(" 7 ").unwrap(), 7);
        assert_eq!(
            parse_version("x").unwrap_err().message,
            "Parameter 'version' must be an integer, got 'x'."
        );
    }

    #[test]
    fn page_slices_like_python() {
        let p = registry_page(vec![1, 2, 3], 0, 2);
        assert_eq!(p.items, vec![1, 2]);
        assert!(p.next_page_token.is_some());
        let p = registry_page(vec![1, 2], 0, 2);
        assert_eq!(p.items, vec![1, 2]);
        assert!(p.next_page_token.is_none());
        assert_eq!(py_slice(vec![1, 2, 3], -1), vec![1, 2]);
    }
}

//! Experiments and experiment tags (`SqlExperiment`, `SqlExperimentTag`).

use std::collections::HashMap;

use crate::error::{ErrorCode, MlflowError, Result};
use crate::store::{now_ms, Store};
use crate::uri::append_to_uri_path;
use crate::validation::{
    parse_experiment_id, validate_experiment_artifact_location_length, validate_experiment_name,
    validate_experiment_tag,
};
use crate::wire::tracking::{Experiment, Tag};
use crate::{with_pool, with_tx};

pub(crate) const EXPERIMENT_COLUMNS: &str = "experiment_id, name, artifact_location, \
     lifecycle_stage, creation_time, last_update_time, workspace";

const INSERT_DEFAULT_EXPERIMENT: &str = "INSERT INTO experiments (experiment_id, name, \
     artifact_location, lifecycle_stage, creation_time, last_update_time, workspace) \
     VALUES (0, 'Default', $1, 'active', $2, $2, 'default') ON CONFLICT DO NOTHING";
const INSERT_EXPERIMENT: &str = "INSERT INTO experiments (name, artifact_location, \
     lifecycle_stage, creation_time, last_update_time, workspace) \
     VALUES ($1, $2, 'active', $3, $3, 'default') ON CONFLICT DO NOTHING RETURNING experiment_id";
const SET_ARTIFACT_LOCATION: &str =
    "UPDATE experiments SET artifact_location = $1 WHERE experiment_id = $2";
const INSERT_EXPERIMENT_TAG: &str = "INSERT INTO experiment_tags (key, value, experiment_id) \
     VALUES ($1, $2, $3) ON CONFLICT (key, experiment_id) DO UPDATE SET value = excluded.value";
const SELECT_EXPERIMENT_BY_ID: &str = "SELECT experiment_id, name, artifact_location, \
     lifecycle_stage, creation_time, last_update_time, workspace FROM experiments \
     WHERE experiment_id = $1";
const SELECT_EXPERIMENT_BY_NAME: &str = "SELECT experiment_id, name, artifact_location, \
     lifecycle_stage, creation_time, last_update_time, workspace FROM experiments \
     WHERE name = $1 AND workspace = 'default'";
const SELECT_EXPERIMENT_TAGS: &str =
    "SELECT experiment_id, key, value FROM experiment_tags WHERE experiment_id = $1";
const SET_EXPERIMENT_STAGE: &str =
    "UPDATE experiments SET lifecycle_stage = $1, last_update_time = $2 WHERE experiment_id = $3";
const SET_EXPERIMENT_RUNS_STAGE: &str =
    "UPDATE runs SET lifecycle_stage = $1, deleted_time = $2 WHERE experiment_id = $3";
const RENAME_EXPERIMENT: &str =
    "UPDATE experiments SET name = $1, last_update_time = $2 WHERE experiment_id = $3";
const DELETE_EXPERIMENT_TAG: &str =
    "DELETE FROM experiment_tags WHERE experiment_id = $1 AND key = $2";

/// An `experiments` row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ExperimentRow {
    pub experiment_id: i32,
    pub name: String,
    pub artifact_location: Option<String>,
    pub lifecycle_stage: Option<String>,
    pub creation_time: Option<i64>,
    pub last_update_time: Option<i64>,
    pub workspace: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ExperimentTagRow {
    pub experiment_id: i32,
    pub key: String,
    pub value: Option<String>,
}

impl ExperimentRow {
    pub fn is_active(&self) -> bool {
        self.lifecycle_stage.as_deref() == Some("active")
    }

    /// `Experiment.to_proto`: zero times are left out, as proto2 would.
    pub fn into_wire(self, tags: Vec<Tag>) -> Experiment {
        Experiment {
            experiment_id: self.experiment_id.to_string(),
            name: self.name,
            artifact_location: self.artifact_location.unwrap_or_default(),
            lifecycle_stage: self.lifecycle_stage.unwrap_or_default(),
            last_update_time: self.last_update_time.filter(|t| *t != 0),
            creation_time: self.creation_time.filter(|t| *t != 0),
            tags,
            workspace: self.workspace,
        }
    }
}

/// Attaches tags (rows from any number of experiments) to their experiments.
pub(crate) fn assemble(rows: Vec<ExperimentRow>, tags: Vec<ExperimentTagRow>) -> Vec<Experiment> {
    let mut by_exp: HashMap<i32, Vec<Tag>> = HashMap::new();
    for t in tags {
        by_exp.entry(t.experiment_id).or_default().push(Tag {
            key: t.key,
            value: t.value.unwrap_or_default(),
        });
    }
    rows.into_iter()
        .map(|r| {
            let tags = by_exp.remove(&r.experiment_id).unwrap_or_default();
            r.into_wire(tags)
        })
        .collect()
}

fn not_found(id: i64) -> MlflowError {
    MlflowError::does_not_exist(format!("No Experiment with id={id} exists"))
}

/// `_check_experiment_is_active`.
pub(crate) fn check_experiment_is_active(row: &ExperimentRow) -> Result<()> {
    if row.is_active() {
        return Ok(());
    }
    Err(MlflowError::invalid_parameter_value(format!(
        "The experiment {} must be in the 'active' state. Current state is {}.",
        row.experiment_id,
        row.lifecycle_stage.as_deref().unwrap_or("None")
    )))
}

/// `experiment_id or DEFAULT_EXPERIMENT_ID`, parsed as the SQL store does.
fn experiment_id_or_default(experiment_id: &str) -> Result<i64> {
    parse_experiment_id(if experiment_id.is_empty() {
        "0"
    } else {
        experiment_id
    })
}

impl Store {
    /// `_create_default_experiment`: experiment 0 "Default", created once; an existing one
    /// (or a database where it was renamed) is left alone.
    pub async fn create_default_experiment(&self) -> Result<()> {
        let location = append_to_uri_path(&self.artifact_root, &["0"]);
        let now = now_ms();
        with_tx!(&self.db, tx => {
            sqlx::query(INSERT_DEFAULT_EXPERIMENT)
                .bind(&location)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        });
        Ok(())
    }

    /// `create_experiment`: returns the new id. Names are unique across deleted experiments.
    pub async fn create_experiment(
        &self,
        name: &str,
        artifact_location: Option<&str>,
        tags: &[(String, String)],
    ) -> Result<String> {
        validate_experiment_name(name)?;
        let artifact_location = match artifact_location.filter(|l| !l.is_empty()) {
            Some(loc) => {
                let resolved = crate::uri::resolve_uri_if_local(loc);
                validate_experiment_artifact_location_length(&resolved)?;
                Some(resolved)
            }
            None => None,
        };
        for (k, v) in tags {
            validate_experiment_tag(k, v)?;
        }
        let now = now_ms();
        let id: i32 = with_tx!(&self.db, tx => {
            let id: Option<i32> = sqlx::query_scalar(INSERT_EXPERIMENT)
                .bind(name)
                .bind(artifact_location.as_deref())
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
            let Some(id) = id else {
                return Err(MlflowError::already_exists(format!(
                    "Experiment(name={name}) already exists."
                )));
            };
            if artifact_location.is_none() {
                let loc = append_to_uri_path(&self.artifact_root, &[&id.to_string()]);
                sqlx::query(SET_ARTIFACT_LOCATION)
                    .bind(loc)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            for (k, v) in tags {
                sqlx::query(INSERT_EXPERIMENT_TAG)
                    .bind(k)
                    .bind(v)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            id
        });
        Ok(id.to_string())
    }

    async fn experiment_row(&self, id: i64) -> Result<Option<ExperimentRow>> {
        Ok(with_pool!(&self.db, p => {
            sqlx::query_as::<_, ExperimentRow>(SELECT_EXPERIMENT_BY_ID)
                .bind(id)
                .fetch_optional(p)
                .await?
        }))
    }

    async fn experiment_tags(&self, id: i32) -> Result<Vec<ExperimentTagRow>> {
        Ok(with_pool!(&self.db, p => {
            sqlx::query_as::<_, ExperimentTagRow>(SELECT_EXPERIMENT_TAGS)
                .bind(id)
                .fetch_all(p)
                .await?
        }))
    }

    /// The experiment row, in any lifecycle stage, or RESOURCE_DOES_NOT_EXIST.
    pub(crate) async fn get_experiment_row(&self, experiment_id: &str) -> Result<ExperimentRow> {
        let id = experiment_id_or_default(experiment_id)?;
        self.experiment_row(id).await?.ok_or_else(|| not_found(id))
    }

    /// `get_experiment` (deleted experiments included).
    pub async fn get_experiment(&self, experiment_id: &str) -> Result<Experiment> {
        let row = self.get_experiment_row(experiment_id).await?;
        let tags = self.experiment_tags(row.experiment_id).await?;
        Ok(assemble(vec![row], tags).remove(0))
    }

    /// `get_experiment_by_name` (deleted experiments included).
    pub async fn get_experiment_by_name(&self, name: &str) -> Result<Option<Experiment>> {
        let row: Option<ExperimentRow> = with_pool!(&self.db, p => {
            sqlx::query_as::<_, ExperimentRow>(SELECT_EXPERIMENT_BY_NAME)
                .bind(name)
                .fetch_optional(p)
                .await?
        });
        let Some(row) = row else { return Ok(None) };
        let tags = self.experiment_tags(row.experiment_id).await?;
        Ok(Some(assemble(vec![row], tags).remove(0)))
    }

    /// `delete_experiment`: soft-deletes an active experiment and all its runs.
    pub async fn delete_experiment(&self, experiment_id: &str) -> Result<()> {
        self.set_experiment_lifecycle(experiment_id, true).await
    }

    /// `restore_experiment`: restores a deleted experiment and all its runs.
    pub async fn restore_experiment(&self, experiment_id: &str) -> Result<()> {
        self.set_experiment_lifecycle(experiment_id, false).await
    }

    /// Moves an experiment and its runs between lifecycle stages in one transaction; the
    /// experiment must be in the other stage (MLflow looks it up with that view type, so a
    /// wrong stage reads as "does not exist").
    async fn set_experiment_lifecycle(&self, experiment_id: &str, delete: bool) -> Result<()> {
        let id = experiment_id_or_default(experiment_id)?;
        let (from, to) = if delete {
            ("active", "deleted")
        } else {
            ("deleted", "active")
        };
        let now = now_ms();
        with_tx!(&self.db, tx => {
            let row = sqlx::query_as::<_, ExperimentRow>(SELECT_EXPERIMENT_BY_ID)
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .filter(|r| r.lifecycle_stage.as_deref() == Some(from))
                .ok_or_else(|| not_found(id))?;
            sqlx::query(SET_EXPERIMENT_STAGE)
                .bind(to)
                .bind(now)
                .bind(row.experiment_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(SET_EXPERIMENT_RUNS_STAGE)
                .bind(to)
                .bind(delete.then_some(now))
                .bind(row.experiment_id)
                .execute(&mut *tx)
                .await?;
        });
        Ok(())
    }

    /// `rename_experiment`: only active experiments; the name stays unique.
    pub async fn rename_experiment(&self, experiment_id: &str, new_name: &str) -> Result<()> {
        validate_experiment_name(new_name)?;
        let row = self.get_experiment_row(experiment_id).await?;
        if !row.is_active() {
            return Err(MlflowError::invalid_state(
                "Cannot rename a non-active experiment.",
            ));
        }
        // A name held by another experiment fails on the unique constraint, which MLflow
        // reports as BAD_REQUEST (a database integrity error), not RESOURCE_ALREADY_EXISTS.
        with_tx!(&self.db, tx => {
            sqlx::query(RENAME_EXPERIMENT)
                .bind(new_name)
                .bind(now_ms())
                .bind(row.experiment_id)
                .execute(&mut *tx)
                .await?;
        });
        Ok(())
    }

    /// `set_experiment_tag`: upsert on an active experiment.
    pub async fn set_experiment_tag(
        &self,
        experiment_id: &str,
        key: &str,
        value: &str,
    ) -> Result<()> {
        validate_experiment_tag(key, value)?;
        let row = self.get_experiment_row(experiment_id).await?;
        check_experiment_is_active(&row)?;
        with_tx!(&self.db, tx => {
            sqlx::query(INSERT_EXPERIMENT_TAG)
                .bind(key)
                .bind(value)
                .bind(row.experiment_id)
                .execute(&mut *tx)
                .await?;
        });
        Ok(())
    }

    /// `delete_experiment_tag`.
    pub async fn delete_experiment_tag(&self, experiment_id: &str, key: &str) -> Result<()> {
        let row = self.get_experiment_row(experiment_id).await?;
        check_experiment_is_active(&row)?;
        let deleted = with_tx!(&self.db, tx => {
            sqlx::query(DELETE_EXPERIMENT_TAG)
                .bind(row.experiment_id)
                .bind(key)
                .execute(&mut *tx)
                .await?
                .rows_affected()
        });
        if deleted == 0 {
            return Err(MlflowError::new(
                ErrorCode::RESOURCE_DOES_NOT_EXIST,
                format!("No tag with name: {key} in experiment with id {experiment_id}"),
            ));
        }
        Ok(())
    }
}

impl Store {
    /// `search_experiments` / `_search_experiments`.
    pub async fn search_experiments(
        &self,
        view_type: crate::wire::tracking::ViewType,
        max_results: i64,
        filter: &str,
        order_by: &[String],
        page_token: Option<&str>,
    ) -> Result<crate::store::Page<Experiment>> {
        use crate::store::runs::{search_error, validate_max_results};
        use crate::store::search_sql::{push_experiment_filters, push_experiment_order_by};
        validate_max_results(max_results)?;
        let clauses = crate::search::parse_experiment_filter(filter).map_err(search_error)?;
        let order = crate::search::parse_experiment_order_by(order_by).map_err(search_error)?;
        let offset =
            crate::search::parse_start_offset_from_page_token(page_token).map_err(search_error)?;
        let db = &self.db;
        let (rows, tags) = with_pool!(db, p => {
            let mut qb = sqlx::QueryBuilder::new(format!(
                "SELECT {EXPERIMENT_COLUMNS} FROM experiments WHERE experiments.workspace = 'default' \
                 AND experiments.lifecycle_stage IN ("
            ));
            let mut sep = qb.separated(", ");
            for stage in view_type.stages() {
                sep.push_bind(*stage);
            }
            qb.push(")");
            push_experiment_filters(&mut qb, db, &clauses)?;
            push_experiment_order_by(&mut qb, &order)?;
            qb.push(" LIMIT ").push_bind(max_results + 1).push(" OFFSET ").push_bind(offset as i64);
            let rows: Vec<ExperimentRow> = qb.build_query_as().fetch_all(p).await?;
            let mut tags: Vec<ExperimentTagRow> = Vec::new();
            if !rows.is_empty() {
                let mut qb = sqlx::QueryBuilder::new(
                    "SELECT experiment_id, key, value FROM experiment_tags WHERE experiment_id IN (",
                );
                let mut sep = qb.separated(", ");
                for r in &rows {
                    sep.push_bind(r.experiment_id);
                }
                qb.push(")");
                tags = qb.build_query_as().fetch_all(p).await?;
            }
            (rows, tags)
        });
        let page = crate::store::paginate(rows, offset, max_results as u64);
        Ok(crate::store::Page {
            items: assemble(page.items, tags),
            next_page_token: page.next_page_token,
        })
    }
}

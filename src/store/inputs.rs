//! Run inputs and outputs: datasets (`SqlDataset`, `SqlInput`, `SqlInputTag`) and logged-model
//! edges, as `log_inputs`, `log_outputs`, `_get_run_inputs` and `_search_datasets` write and
//! read them. `inputs` is a generic edge table: (DATASET → RUN), (RUN_INPUT → MODEL_INPUT),
//! (RUN_OUTPUT → MODEL_OUTPUT, with a step).

use std::collections::HashMap;

use sqlx::QueryBuilder;

use crate::error::{MlflowError, Result};
use crate::store::runs::{check_run_is_active, fetch_run, push_list};
use crate::store::Store;
use crate::validation::{exceeds_maximum_length, validate_run_id};
use crate::wire::tracking::{
    Dataset, DatasetInput, DatasetSummary, ModelInput, ModelOutput, RunInputs, RunOutputs, Tag,
};
use crate::{with_pool, with_tx};

/// `MLFLOW_DATASET_CONTEXT`.
const DATASET_CONTEXT_TAG: &str = "mlflow.data.context";

// Limits from `mlflow/utils/validation.py`.
const MAX_DATASET_NAME_SIZE: usize = 500;
const MAX_DATASET_DIGEST_SIZE: usize = 36;
const MAX_DATASET_SCHEMA_SIZE: usize = 1_048_575;
const MAX_DATASET_SOURCE_SIZE: usize = 65_535;
const MAX_DATASET_PROFILE_SIZE: usize = 16_777_215;
const MAX_INPUT_TAG_KEY_SIZE: usize = 255;
const MAX_INPUT_TAG_VALUE_SIZE: usize = 500;

const SELECT_DATASET: &str = "SELECT dataset_uuid FROM datasets \
     WHERE experiment_id = $1 AND name = $2 AND digest = $3";
const INSERT_DATASET: &str = "INSERT INTO datasets (dataset_uuid, experiment_id, name, digest, \
     dataset_source_type, dataset_source, dataset_schema, dataset_profile) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
const INSERT_INPUT: &str = "INSERT INTO inputs (input_uuid, source_type, source_id, \
     destination_type, destination_id, step) VALUES ($1, $2, $3, $4, $5, $6) \
     ON CONFLICT (source_type, source_id, destination_type, destination_id) DO NOTHING";
const INSERT_INPUT_TAG: &str =
    "INSERT INTO input_tags (input_uuid, name, value) VALUES ($1, $2, $3)";

/// A dataset input as logged.
#[derive(Debug, Clone)]
pub struct NewDatasetInput {
    pub dataset: Dataset,
    pub tags: Vec<(String, String)>,
}

/// `_validate_dataset` / `_validate_input_tag`.
fn validate_dataset_input(d: &NewDatasetInput) -> Result<()> {
    let too_long = |field: &str, limit: usize, v: &str| {
        if v.chars().count() > limit {
            Err(MlflowError::invalid_parameter_value(
                exceeds_maximum_length(field, limit),
            ))
        } else {
            Ok(())
        }
    };
    too_long("name", MAX_DATASET_NAME_SIZE, &d.dataset.name)?;
    too_long("digest", MAX_DATASET_DIGEST_SIZE, &d.dataset.digest)?;
    too_long("source", MAX_DATASET_SOURCE_SIZE, &d.dataset.source)?;
    if let Some(s) = &d.dataset.schema {
        too_long("schema", MAX_DATASET_SCHEMA_SIZE, s)?;
    }
    if let Some(p) = &d.dataset.profile {
        too_long("profile", MAX_DATASET_PROFILE_SIZE, p)?;
    }
    for (k, v) in &d.tags {
        too_long("key", MAX_INPUT_TAG_KEY_SIZE, k)?;
        too_long("value", MAX_INPUT_TAG_VALUE_SIZE, v)?;
    }
    Ok(())
}

fn new_uuid() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

#[derive(Debug, sqlx::FromRow)]
struct DatasetInputRow {
    run_uuid: String,
    dataset_uuid: String,
    name: String,
    digest: String,
    dataset_source_type: String,
    dataset_source: String,
    dataset_schema: Option<String>,
    dataset_profile: Option<String>,
    tag_name: Option<String>,
    tag_value: Option<String>,
}

#[derive(Debug, sqlx::FromRow)]
struct EdgeRow {
    source_type: String,
    source_id: String,
    destination_id: String,
    step: i64,
}

impl Store {
    /// `log_inputs`: datasets are shared per experiment by (name, digest); an edge to the run
    /// is added once, with its tags.
    pub async fn log_inputs(
        &self,
        run_id: &str,
        datasets: Vec<NewDatasetInput>,
        models: Vec<String>,
    ) -> Result<()> {
        validate_run_id(run_id)?;
        for d in &datasets {
            validate_dataset_input(d)?;
        }
        // First occurrence of each (name, digest) wins, as in `_log_inputs_impl`.
        let mut seen = std::collections::HashSet::new();
        let datasets: Vec<NewDatasetInput> = datasets
            .into_iter()
            .filter(|d| seen.insert((d.dataset.name.clone(), d.dataset.digest.clone())))
            .collect();
        with_tx!(&self.db, tx => {
            let run = fetch_run!(&mut *tx, run_id);
            check_run_is_active(&run)?;
            let experiment_id = run.experiment_id.unwrap_or(0);
            for d in &datasets {
                let existing: Option<String> = sqlx::query_scalar(SELECT_DATASET)
                    .bind(experiment_id)
                    .bind(&d.dataset.name)
                    .bind(&d.dataset.digest)
                    .fetch_optional(&mut *tx)
                    .await?;
                let dataset_uuid = match existing {
                    Some(u) => u,
                    None => {
                        let u = new_uuid();
                        sqlx::query(INSERT_DATASET)
                            .bind(&u)
                            .bind(experiment_id)
                            .bind(&d.dataset.name)
                            .bind(&d.dataset.digest)
                            .bind(&d.dataset.source_type)
                            .bind(&d.dataset.source)
                            .bind(&d.dataset.schema)
                            .bind(&d.dataset.profile)
                            .execute(&mut *tx)
                            .await?;
                        u
                    }
                };
                let input_uuid = new_uuid();
                let added = sqlx::query(INSERT_INPUT)
                    .bind(&input_uuid)
                    .bind("DATASET")
                    .bind(&dataset_uuid)
                    .bind("RUN")
                    .bind(run_id)
                    .bind(0_i64)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if added > 0 {
                    for (k, v) in &d.tags {
                        sqlx::query(INSERT_INPUT_TAG).bind(&input_uuid).bind(k).bind(v).execute(&mut *tx).await?;
                    }
                }
            }
            for model_id in &models {
                sqlx::query(INSERT_INPUT)
                    .bind(new_uuid())
                    .bind("RUN_INPUT")
                    .bind(run_id)
                    .bind("MODEL_INPUT")
                    .bind(model_id)
                    .bind(0_i64)
                    .execute(&mut *tx)
                    .await?;
            }
        });
        Ok(())
    }

    /// `log_outputs`: (run → logged model) edges with the step they were logged at.
    pub async fn log_outputs(&self, run_id: &str, models: Vec<(String, i64)>) -> Result<()> {
        with_tx!(&self.db, tx => {
            let run = fetch_run!(&mut *tx, run_id);
            check_run_is_active(&run)?;
            for (model_id, step) in &models {
                sqlx::query(INSERT_INPUT)
                    .bind(new_uuid())
                    .bind("RUN_OUTPUT")
                    .bind(run_id)
                    .bind("MODEL_OUTPUT")
                    .bind(model_id)
                    .bind(*step)
                    .execute(&mut *tx)
                    .await?;
            }
        });
        Ok(())
    }

    /// Inputs and outputs of several runs, in two queries (`_get_run_inputs`,
    /// `_get_model_inputs`, `_get_model_outputs_bulk`).
    pub(crate) async fn load_run_io(
        &self,
        run_ids: &[&str],
    ) -> Result<HashMap<String, (RunInputs, RunOutputs)>> {
        let mut out: HashMap<String, (RunInputs, RunOutputs)> = HashMap::new();
        if run_ids.is_empty() {
            return Ok(out);
        }
        let (datasets, edges) = with_pool!(&self.db, p => {
            let mut qb = QueryBuilder::new(
                "SELECT i.destination_id AS run_uuid, d.dataset_uuid, d.name, d.digest, \
                 d.dataset_source_type, d.dataset_source, d.dataset_schema, d.dataset_profile, \
                 t.name AS tag_name, t.value AS tag_value \
                 FROM inputs i JOIN datasets d ON i.source_id = d.dataset_uuid \
                 LEFT JOIN input_tags t ON t.input_uuid = i.input_uuid \
                 WHERE i.destination_type = 'RUN' AND i.destination_id IN (",
            );
            push_list(&mut qb, run_ids);
            qb.push(" ORDER BY i.destination_id");
            let datasets: Vec<DatasetInputRow> = qb.build_query_as().fetch_all(p).await?;
            let mut qb = QueryBuilder::new(
                "SELECT source_type, source_id, destination_id, step FROM inputs \
                 WHERE source_type IN ('RUN_INPUT', 'RUN_OUTPUT') \
                 AND destination_type IN ('MODEL_INPUT', 'MODEL_OUTPUT') AND source_id IN (",
            );
            push_list(&mut qb, run_ids);
            let edges: Vec<EdgeRow> = qb.build_query_as().fetch_all(p).await?;
            (datasets, edges)
        });
        let mut index: HashMap<(String, String), usize> = HashMap::new();
        for r in datasets {
            let inputs = &mut out.entry(r.run_uuid.clone()).or_default().0;
            let key = (r.run_uuid.clone(), r.dataset_uuid.clone());
            let i = *index.entry(key).or_insert_with(|| {
                inputs.dataset_inputs.push(DatasetInput {
                    tags: Vec::new(),
                    dataset: Dataset {
                        name: r.name.clone(),
                        digest: r.digest.clone(),
                        source_type: r.dataset_source_type.clone(),
                        source: r.dataset_source.clone(),
                        schema: r.dataset_schema.clone(),
                        profile: r.dataset_profile.clone(),
                    },
                });
                inputs.dataset_inputs.len() - 1
            });
            if let (Some(k), Some(v)) = (r.tag_name, r.tag_value) {
                inputs.dataset_inputs[i].tags.push(Tag { key: k, value: v });
            }
        }
        for e in edges {
            let entry = out.entry(e.source_id).or_default();
            if e.source_type == "RUN_INPUT" {
                entry.0.model_inputs.push(ModelInput {
                    model_id: e.destination_id,
                });
            } else {
                entry.1.model_outputs.push(ModelOutput {
                    model_id: e.destination_id,
                    step: e.step,
                });
            }
        }
        Ok(out)
    }

    /// `_search_datasets`: distinct (experiment, name, digest, context), at most 1000.
    pub async fn search_datasets(&self, experiment_ids: &[String]) -> Result<Vec<DatasetSummary>> {
        let ids = experiment_ids
            .iter()
            .map(|e| crate::validation::parse_experiment_id(e))
            .collect::<Result<Vec<i64>>>()?;
        let rows: Vec<(i32, String, String, Option<String>)> = with_pool!(&self.db, p => {
            let mut qb = QueryBuilder::new(
                "SELECT DISTINCT d.experiment_id, d.name, d.digest, t.value FROM datasets d \
                 JOIN inputs i ON i.source_id = d.dataset_uuid \
                 LEFT JOIN input_tags t ON t.input_uuid = i.input_uuid AND t.name = ",
            );
            qb.push_bind(DATASET_CONTEXT_TAG).push(" WHERE d.experiment_id IN (");
            let mut sep = qb.separated(", ");
            for id in &ids {
                sep.push_bind(*id);
            }
            qb.push(") LIMIT 1000");
            qb.build_query_as().fetch_all(p).await?
        });
        Ok(rows
            .into_iter()
            .map(|(e, name, digest, context)| DatasetSummary {
                experiment_id: e.to_string(),
                name,
                digest,
                context,
            })
            .collect())
    }
}

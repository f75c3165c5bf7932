"""The seed deployment's server invocation, unchanged, on mlflowd.

The team this project started from ran the Python image as ``mlflow server --backend-store-uri
postgresql://… --default-artifact-root s3://mlflow/ --host 0.0.0.0 --port 5000 --workers 2`` with
``MLFLOW_S3_ENDPOINT_URL`` pointing at MinIO. Our image links ``mlflow`` to ``mlflowd``; this
module starts mlflowd through such a link with exactly those arguments (PostgreSQL, moto for
MinIO) and runs the seed's workflow with the stock client: params, metrics, an artifact and an
sklearn model written straight to S3 by the client (the default artifact root is ``s3://``),
registered, loaded back by ``models:/name@alias``, and read through the server as the UI does.
In oracle mode the Python server gets the same arguments.
"""

from __future__ import annotations

import os
import secrets

import mlflow
import numpy as np
import pytest
from mlflow.tracking import MlflowClient
from sklearn.linear_model import LinearRegression

from conftest import mlflowd_bin, mlflowd_is_python, s3_env


@pytest.fixture(scope="module")
def seed(db_factory, server_factory, moto_s3, s3_client_env, tmp_path_factory):
    bucket = moto_s3.create_bucket()
    db = db_factory("postgres")
    srv = server_factory("mlflowd", db, label="seed", start=False, env=s3_env(moto_s3.url))
    seed_args = ["server", "--backend-store-uri", db.uri if srv.impl == "mlflowd" else
                 db.python_uri, "--default-artifact-root", f"s3://{bucket}/", "--host",
                 "0.0.0.0", "--port", str(srv.port), "--workers", "2"]
    if srv.impl == "mlflowd":
        link_dir = tmp_path_factory.mktemp("image-bin")
        (link_dir / "mlflowd").symlink_to(mlflowd_bin().resolve())
        (link_dir / "mlflow").symlink_to("mlflowd")
        srv.cmd = [str(link_dir / "mlflow"), *seed_args]
    else:
        # The reference keeps its own launcher; only the arguments are the seed's.
        srv.cmd = [srv.cmd[0], *seed_args]
    srv.start()
    srv.bucket = bucket
    srv.moto = moto_s3
    mlflow.set_tracking_uri(srv.base_url)
    mlflow.set_registry_uri(srv.base_url)
    yield srv
    while mlflow.active_run() is not None:
        mlflow.end_run()
    srv.stop()


def test_seed_arguments_serve_the_workflow(seed, tmp_path):
    client = MlflowClient(tracking_uri=seed.base_url, registry_uri=seed.base_url)
    name = f"seed-{secrets.token_hex(3)}"
    exp_id = client.create_experiment(name)
    assert client.get_experiment(exp_id).artifact_location == f"s3://{seed.bucket}/{exp_id}"
    x = np.arange(20, dtype=float).reshape(-1, 1)
    y = 3 * x.ravel() + 1
    model = LinearRegression().fit(x, y)
    notes = tmp_path / "notes.txt"
    notes.write_text("trained on the seed set-up\n")
    with mlflow.start_run(experiment_id=exp_id) as run:
        mlflow.log_param("alpha", "0.1")
        for step in range(5):
            mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
        mlflow.log_artifact(str(notes))
        info = mlflow.sklearn.log_model(model, name="model", registered_model_name=name,
                                        input_example=x[:2])
    run_id = run.info.run_id
    assert run.info.artifact_uri == f"s3://{seed.bucket}/{exp_id}/{run_id}/artifacts"

    # The client wrote to S3 itself.
    s3 = seed.moto.client()
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=seed.bucket,
                                                 Prefix=f"{exp_id}/").get("Contents", [])}
    assert f"{exp_id}/{run_id}/artifacts/notes.txt" in keys, keys
    assert f"{exp_id}/models/{info.model_id}/artifacts/MLmodel" in keys, keys

    # The server reads what the client wrote, as the UI does.
    listing = seed.api.session.get(seed.base_url + "/api/2.0/mlflow/artifacts/list",
                                   params={"run_id": run_id}, timeout=60).json()
    assert [f["path"] for f in listing["files"]] == ["notes.txt"], listing
    r = seed.api.session.get(seed.base_url + "/get-artifact",
                             params={"run_uuid": run_id, "path": "notes.txt"}, timeout=60)
    assert r.status_code == 200 and r.text == "trained on the seed set-up\n"
    r = seed.api.session.get(seed.base_url + "/model-versions/get-artifact",
                             params={"name": name, "version": "1", "path": "MLmodel"}, timeout=60)
    assert r.status_code == 200 and info.model_id in r.text, (r.status_code, r.text[:300])

    # Registry and loading back by alias.
    client.set_registered_model_alias(name, "champion", "1")
    mv = client.get_model_version_by_alias(name, "champion")
    assert mv.version == "1" and mv.run_id == run_id
    assert client.get_model_version_download_uri(name, "1") == \
        f"s3://{seed.bucket}/{exp_id}/models/{info.model_id}/artifacts"
    loaded = mlflow.pyfunc.load_model(f"models:/{name}@champion")
    np.testing.assert_allclose(loaded.predict(x), model.predict(x))
    got = client.get_run(run_id)
    assert got.data.params == {"alpha": "0.1"} and got.data.metrics == {"loss": 0.2}
    history = client.get_metric_history(run_id, "loss")
    assert [m.step for m in history] == [0, 1, 2, 3, 4]


def test_seed_server_is_one_process(seed):
    """`--workers 2` starts two Python processes; mlflowd stays one process and uses the value
    as its thread count (README)."""
    if mlflowd_is_python():
        pytest.skip("the reference forks its workers")
    children = os.popen(f"pgrep -P {seed.proc.pid}").read().split()
    assert children == [], children

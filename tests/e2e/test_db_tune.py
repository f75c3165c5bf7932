"""`mlflowd db tune`: the optional PostgreSQL tuning beyond MLflow's schema.

It sets `latest_metrics`' fillfactor. What it must guarantee: the data are untouched, Python
MLflow still opens the database as current, running it twice is harmless, and `--undo` gives
back exactly MLflow's schema (the pg_dump of `db upgrade`). SQLite and databases without
MLflow's schema are refused unchanged.
"""
from __future__ import annotations

import subprocess
import sys

import pytest
from test_schema_parity import (
    MLFLOWD_BIN,
    _diff,
    needs_mlflowd,
    pg_db_uri,
    pg_dump_data,
    pg_dump_schema,
    psql,
    run_mlflowd_upgrade,
    scratch_pg_dbs,
    sqlite_schema,
)


@pytest.fixture
def pg_dbs():
    with scratch_pg_dbs("mlflowd_tune") as make:
        yield make


def run_tune(uri: str, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [MLFLOWD_BIN, "db", "tune", *extra, uri], capture_output=True, text=True, timeout=300
    )


def reloptions(db: str, table: str) -> str:
    return psql(db, f"SELECT coalesce(array_to_string(reloptions, ','), '') FROM pg_class "
                    f"WHERE relname = '{table}' AND relkind = 'r'").strip()


def seed(db: str) -> None:
    """A run with metrics, params and tags, so that the data dump has rows to compare."""
    psql(db, """
        INSERT INTO experiments (experiment_id, name, lifecycle_stage) VALUES (7, 'e', 'active');
        INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id,
                          status, start_time, source_version, lifecycle_stage, artifact_uri,
                          experiment_id)
        VALUES ('r1', 'run', 'LOCAL', '', '', 'u', 'RUNNING', 0, '', 'active', '', 7);
        INSERT INTO params VALUES ('p', 'v', 'r1');
        INSERT INTO tags VALUES ('t', 'x', 'r1');
        INSERT INTO metrics VALUES ('m', 0.5, 1, 'r1', 0, false);
        INSERT INTO latest_metrics VALUES ('m', 0.5, 1, 0, false, 'r1');
    """)


def mlflow_opens(uri: str) -> str:
    """Python MLflow's stores open the database as current; returns their output."""
    code = (
        "import sys, tempfile\n"
        "from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore\n"
        "s = SqlAlchemyStore(sys.argv[1], tempfile.mkdtemp())\n"
        "runs = s.search_runs(['7'], \"params.p = 'v' and tags.t = 'x'\", 1, 10)\n"
        "assert [r.info.run_id for r in runs] == ['r1'], runs\n"
        "assert runs[0].data.metrics == {'m': 0.5}, runs[0].data.metrics\n"
    )
    res = subprocess.run([sys.executable, "-c", code, uri], capture_output=True, text=True,
                         timeout=300)
    out = res.stdout + res.stderr
    assert res.returncode == 0, out
    assert "out-of-date" not in out and "Creating initial MLflow database tables" not in out, out
    return out


@needs_mlflowd
def test_tune_then_undo_gives_back_mlflows_schema(pg_dbs):
    db = pg_dbs("apply")
    uri = pg_db_uri(db)
    run_mlflowd_upgrade(uri)
    seed(db)
    schema, data = pg_dump_schema(db), pg_dump_data(db)
    assert reloptions(db, "latest_metrics") == ""

    res = run_tune(uri)
    assert res.returncode == 0, res.stdout + res.stderr
    assert reloptions(db, "latest_metrics") == "fillfactor=50"
    tuned = pg_dump_schema(db)
    assert tuned != schema
    assert pg_dump_data(db) == data, "tuning changed data"

    # Twice is the same as once.
    res = run_tune(uri)
    assert res.returncode == 0, res.stdout + res.stderr
    assert pg_dump_schema(db) == tuned

    # Python MLflow reads and searches the tuned database as a current one (and, opening it,
    # adds its Default experiment, as on any database).
    mlflow_opens(pg_db_uri(db, driver="psycopg2"))
    data = pg_dump_data(db)

    res = run_tune(uri, "--undo")
    assert res.returncode == 0, res.stdout + res.stderr
    restored = pg_dump_schema(db)
    assert restored == schema, "undo left differences:\n" + _diff(schema, restored, "before",
                                                                  "after undo")
    assert pg_dump_data(db) == data
    res = run_tune(uri, "--undo")
    assert res.returncode == 0, res.stdout + res.stderr
    assert pg_dump_schema(db) == schema


@needs_mlflowd
def test_tune_refuses_a_database_without_mlflows_schema(pg_dbs):
    db = pg_dbs("empty")
    res = run_tune(pg_db_uri(db))
    assert res.returncode != 0
    assert "db upgrade" in res.stderr, res.stderr
    assert psql(db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").strip() == "0"

    psql(db, "CREATE TABLE latest_metrics (key text)")
    res = run_tune(pg_db_uri(db))
    assert res.returncode != 0
    assert "not an MLflow database" in res.stderr, res.stderr
    assert reloptions(db, "latest_metrics") == ""


@needs_mlflowd
def test_tune_refuses_sqlite(tmp_path):
    path = tmp_path / "mlflow.db"
    run_mlflowd_upgrade(f"sqlite:///{path}")
    before = sqlite_schema(path)
    for extra in ((), ("--undo",)):
        res = run_tune(f"sqlite:///{path}", *extra)
        assert res.returncode != 0
        assert "SQLite" in res.stderr, res.stderr
    assert sqlite_schema(path) == before

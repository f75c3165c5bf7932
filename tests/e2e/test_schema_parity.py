"""Schema parity: `mlflowd db upgrade` must build exactly MLflow's schema.

On an empty database, `mlflowd db upgrade <uri>` applies the embedded SQL
(migrations/<dialect>/0001_mlflow_3.17.2_dc11669786a5.sql). The result must be
indistinguishable from what `mlflow db upgrade` (MLflow 3.17.2) creates:
same pg_dump --schema-only output (after removing only comments, blank lines,
the random \\restrict keys and SET lines), same sqlite_master texts and PRAGMA
info, same data rows (alembic_version, the 'default' workspace).

Environment:
  MLFLOWD_BIN      path of the built mlflowd binary (default target/debug/mlflowd;
                   the tests skip if it is unset and that file does not exist,
                   and when MLFLOWD_BIN_IS_PYTHON is set)
  MLFLOWD_TEST_PG  PostgreSQL base URI, default postgresql://postgres@127.0.0.1:5432
  The `mlflow` CLI is taken from the directory of sys.executable (the venv).

Module-level helpers (normalize_pg_dump, pg_dump_schema, sqlite_schema, ...)
are meant to be imported by other tests.
"""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest

HEAD_REVISION = "dc11669786a5"
OTHER_REVISION = "8b6ad64cb8f5"
PG_BASE = os.environ.get("MLFLOWD_TEST_PG", "postgresql://postgres@127.0.0.1:5432").rstrip("/")
REPO_ROOT = Path(__file__).resolve().parents[2]
# Like conftest.py: $MLFLOWD_BIN, else the debug build in the work tree.
MLFLOWD_BIN = os.environ.get("MLFLOWD_BIN") or str(REPO_ROOT / "target" / "debug" / "mlflowd")
MLFLOWD_IS_PYTHON = os.environ.get("MLFLOWD_BIN_IS_PYTHON", "") not in ("", "0", "false", "False")

# Data rows that `mlflow db upgrade` leaves in an empty database.
EXPECTED_ROWS = {
    "alembic_version": [(HEAD_REVISION,)],
    "workspaces": [("default", "Default workspace for legacy resources", None, None, None)],
}


# --------------------------------------------------------------------------
# helpers (importable)
# --------------------------------------------------------------------------


def mlflow_cli() -> str:
    cand = Path(sys.executable).parent / "mlflow"
    if cand.exists():
        return str(cand)
    found = shutil.which("mlflow")
    if not found:
        raise RuntimeError("mlflow CLI not found next to sys.executable nor on PATH")
    return found


def pg_conn_args(base: str = PG_BASE) -> list[str]:
    """-h/-p/-U arguments for psql/pg_dump/createdb from a base URI."""
    u = urlsplit(base)
    args = ["-h", u.hostname or "127.0.0.1", "-p", str(u.port or 5432)]
    if u.username:
        args += ["-U", u.username]
    return args


def pg_env(base: str = PG_BASE) -> dict:
    env = dict(os.environ)
    u = urlsplit(base)
    if u.password:
        env["PGPASSWORD"] = u.password
    return env


def pg_db_uri(db: str, base: str = PG_BASE, driver: str | None = None) -> str:
    """postgresql://user@host:port/<db>, or postgresql+<driver>://... ."""
    u = urlsplit(base)
    scheme = "postgresql" + (f"+{driver}" if driver else "")
    return f"{scheme}://{u.netloc}/{db}"


def createdb(db: str, base: str = PG_BASE) -> None:
    subprocess.run(["createdb", *pg_conn_args(base), db], check=True, env=pg_env(base))


def dropdb(db: str, base: str = PG_BASE) -> None:
    subprocess.run(
        ["dropdb", *pg_conn_args(base), "--if-exists", "--force", db],
        check=False,
        env=pg_env(base),
        capture_output=True,
    )


def psql(db: str, sql: str, base: str = PG_BASE) -> str:
    """Run SQL with psql (ON_ERROR_STOP), return unaligned tuples-only output."""
    res = subprocess.run(
        ["psql", *pg_conn_args(base), "-X", "-v", "ON_ERROR_STOP=1", "-tA", "-d", db, "-c", sql],
        check=True,
        capture_output=True,
        text=True,
        env=pg_env(base),
    )
    return res.stdout


_PG_DUMP_DROP = re.compile(r"^(--.*|\\restrict .*|\\unrestrict .*|SET .*|SELECT pg_catalog\.set_config\(.*)$")


def normalize_pg_dump(text: str) -> str:
    """Remove only what is legitimately irrelevant from pg_dump output.

    Dropped: comment lines (they hold the server/pg_dump versions), blank
    lines, psql's \\restrict/\\unrestrict lines (random keys), SET lines and
    the search_path set_config() call. Everything else is compared verbatim.
    """
    keep = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if _PG_DUMP_DROP.match(line):
            continue
        keep.append(line.rstrip())
    return "\n".join(keep) + "\n"


def pg_dump_schema(db: str, base: str = PG_BASE) -> str:
    res = subprocess.run(
        ["pg_dump", *pg_conn_args(base), "--schema-only", "--no-owner", "--no-privileges", db],
        check=True,
        capture_output=True,
        text=True,
        env=pg_env(base),
    )
    return normalize_pg_dump(res.stdout)


def pg_dump_data(db: str, base: str = PG_BASE) -> str:
    """Normalized data-only dump (INSERTs + sequence setvals)."""
    res = subprocess.run(
        ["pg_dump", *pg_conn_args(base), "--data-only", "--inserts", "--no-owner", "--no-privileges", db],
        check=True,
        capture_output=True,
        text=True,
        env=pg_env(base),
    )
    return normalize_pg_dump(res.stdout)


def pg_rows(db: str, table: str, base: str = PG_BASE) -> list[str]:
    return sorted(psql(db, f"SELECT * FROM {table}", base).splitlines())


_SQL_SEP = re.compile(r"^(.*?)((?:, )?)$")


def canonical_sqlite_create(sql: str | None) -> str | None:
    """Sort each run of consecutive `\tCONSTRAINT <name> CHECK ...` lines by name.

    MLflow 3.17.2's own `db upgrade` on SQLite writes the two named CHECK
    constraints of CREATE TABLE "runs" in an order that varies from run to run
    (an alembic batch rebuild iterates a set keyed by object identity), so
    this order is irrelevant; everything else in the text is kept verbatim.
    """
    if sql is None:
        return None
    lines = sql.split("\n")
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and re.match(r"^\tCONSTRAINT \S+ CHECK ", lines[j]):
            j += 1
        if j - i > 1:
            parts = [_SQL_SEP.match(line).groups() for line in lines[i:j]]
            contents = sorted(p[0] for p in parts)
            lines[i:j] = [c + p[1] for c, p in zip(contents, parts)]
        i = max(j, i + 1)
    return "\n".join(lines)


def sqlite_schema(path: str | os.PathLike, canonical: bool = True) -> dict:
    """Everything about a SQLite schema that matters, independent of page layout.

    Returns {"master": sorted (type, name, tbl_name, sql) rows of sqlite_master
    (rootpage excluded; sql passed through canonical_sqlite_create unless
    canonical=False), "tables": {table: {"table_xinfo", "index_list" (with
    index_xinfo of each index), "foreign_key_list"}}, "pragmas": {...}}.
    """
    con = sqlite3.connect(str(path))
    try:
        master = sorted(
            (
                (ty, n, tn, canonical_sqlite_create(sq) if canonical else sq)
                for ty, n, tn, sq in con.execute(
                    "SELECT type, name, tbl_name, sql FROM sqlite_master"
                ).fetchall()
            ),
            key=lambda r: (r[0], r[1]),
        )
        tables = {}
        for (name,) in con.execute(
            "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"
        ).fetchall():
            q = name.replace('"', '""')
            indexes = []
            for idx in sorted(con.execute(f'PRAGMA index_list("{q}")').fetchall(), key=lambda r: r[1]):
                iq = idx[1].replace('"', '""')
                # drop seq (position in list) — it depends on creation order only
                indexes.append((idx[1:], con.execute(f'PRAGMA index_xinfo("{iq}")').fetchall()))
            tables[name] = {
                "table_xinfo": con.execute(f'PRAGMA table_xinfo("{q}")').fetchall(),
                "index_list": indexes,
                "foreign_key_list": con.execute(f'PRAGMA foreign_key_list("{q}")').fetchall(),
            }
        pragmas = {
            p: con.execute(f"PRAGMA {p}").fetchall()
            for p in ("user_version", "application_id", "encoding", "auto_vacuum")
        }
        return {"master": master, "tables": tables, "pragmas": pragmas}
    finally:
        con.close()


def sqlite_rows(path: str | os.PathLike, table: str) -> list[tuple]:
    con = sqlite3.connect(str(path))
    try:
        return sorted(con.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr)
    finally:
        con.close()


def sqlite_all_rows(path: str | os.PathLike) -> dict:
    """{table: sorted rows} for every non-empty table."""
    con = sqlite3.connect(str(path))
    try:
        out = {}
        for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall():
            rows = con.execute(f'SELECT * FROM "{name}"').fetchall()
            if rows:
                out[name] = sorted(rows, key=repr)
        return out
    finally:
        con.close()


def run_mlflow_upgrade(uri: str) -> None:
    res = subprocess.run(
        [mlflow_cli(), "db", "upgrade", uri], capture_output=True, text=True, timeout=600
    )
    assert res.returncode == 0, f"mlflow db upgrade failed:\n{res.stdout}\n{res.stderr}"


def run_mlflowd_upgrade(uri: str, check: bool = True) -> subprocess.CompletedProcess:
    assert Path(MLFLOWD_BIN).exists(), f"mlflowd binary not found at {MLFLOWD_BIN} (set MLFLOWD_BIN)"
    res = subprocess.run(
        [MLFLOWD_BIN, "db", "upgrade", uri], capture_output=True, text=True, timeout=300
    )
    if check:
        assert res.returncode == 0, (
            f"mlflowd db upgrade {uri} exited {res.returncode}:\n{res.stdout}\n{res.stderr}"
        )
    return res


def _diff(a: str, b: str, a_name: str, b_name: str) -> str:
    import difflib

    return "".join(
        difflib.unified_diff(
            a.splitlines(True), b.splitlines(True), fromfile=a_name, tofile=b_name, n=2
        )
    )


# --------------------------------------------------------------------------
# fixtures
# --------------------------------------------------------------------------

needs_mlflowd = pytest.mark.skipif(
    MLFLOWD_IS_PYTHON or not (os.environ.get("MLFLOWD_BIN") or Path(MLFLOWD_BIN).exists()),
    reason="needs the mlflowd binary (MLFLOWD_BIN unset and no target/debug/mlflowd, "
    "or MLFLOWD_BIN_IS_PYTHON set)",
)


@contextlib.contextmanager
def scratch_pg_dbs(prefix: str):
    """Factory of uniquely named scratch PG databases `<prefix>_<tag>_<random>`, dropped on
    exit (importable, for other tests' fixtures)."""
    created: list[str] = []

    def make(tag: str) -> str:
        db = f"{prefix}_{tag}_{uuid.uuid4().hex[:10]}"
        createdb(db)
        created.append(db)
        return db

    try:
        yield make
    finally:
        for db in created:
            dropdb(db)


@pytest.fixture
def pg_dbs():
    with scratch_pg_dbs("mlflowd_parity") as make:
        yield make


@pytest.fixture(scope="module")
def mlflow_pg_reference():
    """A PG database upgraded by MLflow itself: (schema dump, data dump)."""
    db = f"mlflowd_parity_ref_{uuid.uuid4().hex[:10]}"
    createdb(db)
    try:
        run_mlflow_upgrade(pg_db_uri(db, driver="psycopg2"))
        yield pg_dump_schema(db), pg_dump_data(db)
    finally:
        dropdb(db)


@pytest.fixture(scope="module")
def mlflow_sqlite_reference(tmp_path_factory):
    path = tmp_path_factory.mktemp("sqlite_ref") / "mlflow.db"
    run_mlflow_upgrade(f"sqlite:///{path}")
    return path


# --------------------------------------------------------------------------
# PostgreSQL
# --------------------------------------------------------------------------


@needs_mlflowd
def test_pg_schema_matches_mlflow(pg_dbs, mlflow_pg_reference):
    ref_schema, ref_data = mlflow_pg_reference
    db = pg_dbs("mlflowd")
    run_mlflowd_upgrade(pg_db_uri(db))
    ours = pg_dump_schema(db)
    assert ours == ref_schema, "pg_dump --schema-only differs:\n" + _diff(
        ref_schema, ours, "mlflow", "mlflowd"
    )
    assert pg_rows(db, "alembic_version") == [HEAD_REVISION]
    ours_data = pg_dump_data(db)
    assert ours_data == ref_data, "data rows differ:\n" + _diff(
        ref_data, ours_data, "mlflow", "mlflowd"
    )
    # No Default experiment: the server creates it at start-up, like MLflow.
    assert psql(db, "SELECT count(*) FROM experiments").strip() == "0"


@needs_mlflowd
def test_pg_upgrade_is_idempotent(pg_dbs):
    db = pg_dbs("idem")
    run_mlflowd_upgrade(pg_db_uri(db))
    before_schema, before_data = pg_dump_schema(db), pg_dump_data(db)
    res = run_mlflowd_upgrade(pg_db_uri(db), check=False)
    assert res.returncode == 0, f"second upgrade failed:\n{res.stdout}\n{res.stderr}"
    assert pg_dump_schema(db) == before_schema
    assert pg_dump_data(db) == before_data


@needs_mlflowd
def test_pg_upgrade_refuses_other_revision(pg_dbs):
    db = pg_dbs("other")
    run_mlflowd_upgrade(pg_db_uri(db))
    psql(db, f"UPDATE alembic_version SET version_num='{OTHER_REVISION}'")
    before_schema, before_data = pg_dump_schema(db), pg_dump_data(db)
    res = run_mlflowd_upgrade(pg_db_uri(db), check=False)
    out = res.stdout + res.stderr
    assert res.returncode != 0, f"expected failure on revision {OTHER_REVISION}:\n{out}"
    assert OTHER_REVISION in out and HEAD_REVISION in out, out
    assert pg_dump_schema(db) == before_schema
    assert pg_dump_data(db) == before_data
    assert pg_rows(db, "alembic_version") == [OTHER_REVISION]


@needs_mlflowd
def test_mlflow_accepts_mlflowd_pg_database(pg_dbs):
    """MLflow's own store opens the mlflowd-built DB as current (no upgrade)."""
    db = pg_dbs("accept")
    run_mlflowd_upgrade(pg_db_uri(db))
    before = pg_dump_schema(db)
    code = (
        "import sys, tempfile\n"
        "from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore\n"
        "from mlflow.store.model_registry.sqlalchemy_store import SqlAlchemyStore as R\n"
        "SqlAlchemyStore(sys.argv[1], tempfile.mkdtemp())\n"
        "R(sys.argv[1])\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", code, pg_db_uri(db, driver="psycopg2")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = res.stdout + res.stderr
    assert res.returncode == 0, out
    assert "out-of-date" not in out and "Creating initial MLflow database tables" not in out, out
    assert pg_dump_schema(db) == before


# --------------------------------------------------------------------------
# SQLite
# --------------------------------------------------------------------------


def _assert_sqlite_equal(ref: dict, ours: dict) -> None:
    ref_master = {(t, n): s for (t, n, _tbl, s) in ref["master"]}
    our_master = {(t, n): s for (t, n, _tbl, s) in ours["master"]}
    missing = sorted(set(ref_master) - set(our_master))
    extra = sorted(set(our_master) - set(ref_master))
    assert not missing and not extra, f"sqlite_master: missing {missing}, extra {extra}"
    for key, sql in ref_master.items():
        assert our_master[key] == sql, f"sqlite_master.sql differs for {key}:\n" + _diff(
            sql or "", our_master[key] or "", "mlflow", "mlflowd"
        )
    assert ref["master"] == ours["master"]
    for table, info in ref["tables"].items():
        for k, v in info.items():
            assert ours["tables"][table][k] == v, f"PRAGMA {k}({table}) differs"
    assert ours["pragmas"] == ref["pragmas"]


@needs_mlflowd
def test_sqlite_schema_matches_mlflow(tmp_path, mlflow_sqlite_reference):
    path = tmp_path / "mlflowd.db"
    run_mlflowd_upgrade(f"sqlite:///{path}")
    _assert_sqlite_equal(sqlite_schema(mlflow_sqlite_reference), sqlite_schema(path))
    assert sqlite_rows(path, "alembic_version") == [(HEAD_REVISION,)]
    assert sqlite_all_rows(path) == sqlite_all_rows(mlflow_sqlite_reference)
    assert sqlite_all_rows(path) == EXPECTED_ROWS


@needs_mlflowd
def test_sqlite_upgrade_is_idempotent(tmp_path):
    path = tmp_path / "idem.db"
    run_mlflowd_upgrade(f"sqlite:///{path}")
    before = (sqlite_schema(path), sqlite_all_rows(path))
    res = run_mlflowd_upgrade(f"sqlite:///{path}", check=False)
    assert res.returncode == 0, f"second upgrade failed:\n{res.stdout}\n{res.stderr}"
    assert (sqlite_schema(path), sqlite_all_rows(path)) == before


@needs_mlflowd
def test_sqlite_upgrade_refuses_other_revision(tmp_path):
    path = tmp_path / "other.db"
    run_mlflowd_upgrade(f"sqlite:///{path}")
    con = sqlite3.connect(str(path))
    with con:
        con.execute("UPDATE alembic_version SET version_num=?", (OTHER_REVISION,))
    con.close()
    before = (sqlite_schema(path), sqlite_all_rows(path))
    res = run_mlflowd_upgrade(f"sqlite:///{path}", check=False)
    out = res.stdout + res.stderr
    assert res.returncode != 0, f"expected failure on revision {OTHER_REVISION}:\n{out}"
    assert OTHER_REVISION in out and HEAD_REVISION in out, out
    assert (sqlite_schema(path), sqlite_all_rows(path)) == before


@needs_mlflowd
def test_mlflow_accepts_mlflowd_sqlite_database(tmp_path):
    path = tmp_path / "accept.db"
    run_mlflowd_upgrade(f"sqlite:///{path}")
    before = sqlite_schema(path)
    code = (
        "import sys, tempfile\n"
        "from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore\n"
        "from mlflow.store.model_registry.sqlalchemy_store import SqlAlchemyStore as R\n"
        "SqlAlchemyStore(sys.argv[1], tempfile.mkdtemp())\n"
        "R(sys.argv[1])\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", code, f"sqlite:///{path}"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = res.stdout + res.stderr
    assert res.returncode == 0, out
    assert "out-of-date" not in out and "Creating initial MLflow database tables" not in out, out
    assert sqlite_schema(path) == before

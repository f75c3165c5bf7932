#!/usr/bin/env python3
"""Regenerate the embedded schema SQL files from a real MLflow installation.

The files under migrations/postgres/ and migrations/sqlite/ must reproduce,
byte for byte as far as pg_dump and sqlite_master can tell, the schema that
`mlflow db upgrade` creates on an empty database. They are therefore never
written by hand: they are produced by this script.

Usage (in a venv with `mlflow==<version>` and `psycopg2-binary`, with
`createdb`, `dropdb`, `pg_dump` on PATH and a reachable PostgreSQL):

    python migrations/generate.py [--pg postgresql://postgres@127.0.0.1:5432]

It
  * PostgreSQL: creates a scratch database, runs
    `mlflow db upgrade postgresql+psycopg2://.../<db>`, then
    `pg_dump --schema-only --no-owner --no-privileges` and
    `pg_dump --data-only --column-inserts --no-owner --no-privileges`,
    strips comments, psql meta-commands (\\restrict ...), SET lines, the
    search_path set_config() call and sequence setval() calls (a fresh
    sequence already has that state), and removes the `public.` schema
    qualification so objects land in the first schema of the search_path,
    exactly like MLflow's own (unqualified) DDL;
  * SQLite: runs `mlflow db upgrade sqlite:///<tmp>.db` and copies the
    `sqlite_master` SQL texts verbatim (tables in foreign-key dependency
    order, then each table's indexes, then triggers), plus INSERTs for every
    row present after the upgrade.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _mlflow_cmd() -> str:
    cand = Path(sys.executable).parent / "mlflow"
    return str(cand) if cand.exists() else "mlflow"


def _mlflow_version() -> str:
    out = subprocess.run(
        [_mlflow_cmd(), "--version"], check=True, capture_output=True, text=True
    ).stdout
    return out.strip().split()[-1]


def _head_revision() -> str:
    code = (
        "from mlflow.store.db.utils import _get_latest_schema_revision;"
        "print(_get_latest_schema_revision())"
    )
    return subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout.strip()


def _split_base(base: str) -> tuple[str, str, str]:
    m = re.match(r"^postgres(?:ql)?(?:\+\w+)?://([^@/]+)@([^:/]+)(?::(\d+))?/?$", base)
    if not m:
        raise SystemExit(f"unsupported PG base URI: {base}")
    return m.group(1), m.group(2), m.group(3) or "5432"


def _pg_env_args(base: str) -> list[str]:
    user, host, port = _split_base(base)
    return ["-h", host, "-p", port, "-U", user]


_DROP_LINE = re.compile(
    r"^(--.*|\\restrict .*|\\unrestrict .*|SET .*|SELECT pg_catalog\.set_config\(.*|"
    r"SELECT pg_catalog\.setval\(.*)$"
)


def clean_pg_dump(text: str) -> list[str]:
    """Drop comments, meta-commands, SET lines; return the remaining lines."""
    out: list[str] = []
    for line in text.splitlines():
        if _DROP_LINE.match(line):
            continue
        out.append(line)
    return out


def _unqualify(line: str) -> str:
    # Only identifiers are ever qualified with `public.` in these dumps
    # (checked when the files were generated: no string literal contains it).
    return re.sub(r"(?<![\w.])public\.", "", line)


_ANY_ARRAY_CHECK = re.compile(
    r"CHECK \(\(\((\w+)\)::text = ANY \(\(ARRAY\[((?:'[^']*'::character varying(?:, )?)+)\]\)::text\[\]\)\)\)"
)


def _restore_in_checks(line: str) -> str:
    """Give CHECK (col IN (...)) constraints back the text MLflow sent.

    PostgreSQL stores `col IN ('a', 'b')` on a varchar column as
    `((col)::text = ANY ((ARRAY['a'::varchar, 'b'::varchar])::text[]))`, and
    re-parsing that deparsed text yields a different tree (pg_dump then shows
    `ARRAY[('a'::varchar)::text, ...]`). Emitting the original IN form makes
    PostgreSQL build exactly the expression MLflow's DDL built.
    """
    def repl(m: re.Match) -> str:
        vals = re.findall(r"'[^']*'", m.group(2))
        return f"CHECK ({m.group(1)} IN ({', '.join(vals)}))"

    out = _ANY_ARRAY_CHECK.sub(repl, line)
    if "CHECK" in out and "ANY" in out:
        raise SystemExit(f"unhandled CHECK form, would not round-trip: {line}")
    return out


def _collapse_blank(lines: list[str]) -> list[str]:
    res: list[str] = []
    for line in lines:
        if line.strip() == "" and (not res or res[-1].strip() == ""):
            continue
        res.append(line)
    while res and res[-1].strip() == "":
        res.pop()
    return res


def generate_pg(base: str, version: str, head: str) -> str:
    db = f"ddl_gen_{uuid.uuid4().hex[:10]}"
    conn = _pg_env_args(base)
    user, host, port = _split_base(base)
    subprocess.run(["createdb", *conn, db], check=True)
    try:
        subprocess.run(
            [_mlflow_cmd(), "db", "upgrade", f"postgresql+psycopg2://{user}@{host}:{port}/{db}"],
            check=True,
        )
        schema = subprocess.run(
            ["pg_dump", *conn, "--schema-only", "--no-owner", "--no-privileges", db],
            check=True, capture_output=True, text=True,
        ).stdout
        data = subprocess.run(
            ["pg_dump", *conn, "--data-only", "--column-inserts", "--no-owner",
             "--no-privileges", db],
            check=True, capture_output=True, text=True,
        ).stdout
    finally:
        subprocess.run(["dropdb", *conn, "--if-exists", db], check=False)

    ddl = _collapse_blank([_restore_in_checks(_unqualify(l)) for l in clean_pg_dump(schema)])
    rows = [_unqualify(l) for l in clean_pg_dump(data) if l.startswith("INSERT INTO ")]
    if any("experiments" in r.split("(")[0] for r in rows):
        raise SystemExit("unexpected experiments row after upgrade")
    header = _header(
        "PostgreSQL",
        version,
        head,
        [
            "createdb <db>",
            "mlflow db upgrade postgresql+psycopg2://<user>@<host>:<port>/<db>",
            "pg_dump --schema-only --no-owner --no-privileges <db>",
            "pg_dump --data-only --column-inserts --no-owner --no-privileges <db>",
        ],
        [
            "Comments, psql meta-commands (\\restrict), SET lines, the search_path",
            "set_config() and sequence setval() calls were stripped, and the `public.`",
            "qualification removed (objects go to the current search_path, like",
            "MLflow's own DDL). CHECK (col = ANY (ARRAY[...])) constraints are written",
            "back in the IN (...) form MLflow sent, since PostgreSQL does not deparse",
            "them to text that re-parses to the same expression.",
            "Run as one multi-statement script in one transaction",
            "(simple-query protocol); do not split it on ';' (the plpgsql function",
            "body contains semicolons).",
        ],
    )
    body = "\n".join(ddl)
    body += "\n\n-- Rows present after `mlflow db upgrade` (the Default experiment is NOT\n"
    body += "-- created here: the server creates it at start-up, like MLflow).\n\n"
    body += "\n".join(rows) + "\n"
    content = header + body
    _verify_pg(base, content, schema, data)
    return content


def _normalize_dump(text: str) -> str:
    return "\n".join(l.rstrip() for l in clean_pg_dump(text) if l.strip()) + "\n"


def _verify_pg(base: str, content: str, ref_schema: str, ref_data: str) -> None:
    """Apply the generated file to a fresh database; its dumps must match."""
    db = f"ddl_chk_{uuid.uuid4().hex[:10]}"
    conn = _pg_env_args(base)
    subprocess.run(["createdb", *conn, db], check=True)
    try:
        with tempfile.NamedTemporaryFile("w", suffix=".sql") as f:
            f.write(content)
            f.flush()
            subprocess.run(
                ["psql", *conn, "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction",
                 "-f", f.name, db],
                check=True,
            )
        for args, ref in (
            (["--schema-only"], ref_schema),
            (["--data-only", "--column-inserts"], ref_data),
        ):
            got = subprocess.run(
                ["pg_dump", *conn, *args, "--no-owner", "--no-privileges", db],
                check=True, capture_output=True, text=True,
            ).stdout
            if _normalize_dump(got) != _normalize_dump(ref):
                raise SystemExit(f"round trip failed: pg_dump {args} differs from MLflow's")
    finally:
        subprocess.run(["dropdb", *conn, "--if-exists", db], check=False)


_SEP = re.compile(r"^(.*?)((?:, )?)$")


def canonical_sqlite_create(sql: str | None) -> str | None:
    """Sort each run of consecutive `\tCONSTRAINT <name> CHECK` lines by name.

    MLflow's own SQLite DDL lists these in an order that changes from run to
    run; sorting picks one of the orders MLflow produces, deterministically.
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
            parts = [_SEP.match(l).groups() for l in lines[i:j]]
            contents = sorted(p[0] for p in parts)
            lines[i:j] = [c + p[1] for c, p in zip(contents, parts)]
        i = max(j, i + 1)
    return "\n".join(lines)


def _sqlite_fingerprint(path: Path):
    con = sqlite3.connect(path)
    try:
        master = sorted(
            (ty, n, tn, canonical_sqlite_create(sq))
            for ty, n, tn, sq in con.execute("SELECT type, name, tbl_name, sql FROM sqlite_master")
        )
        info = {}
        for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type='table'"):
            info[t] = [
                con.execute(f'PRAGMA table_xinfo("{t}")').fetchall(),
                con.execute(f'PRAGMA foreign_key_list("{t}")').fetchall(),
                sorted(r[1:] for r in con.execute(f'PRAGMA index_list("{t}")')),
                sorted(con.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr),
            ]
        return master, info
    finally:
        con.close()


def _fk_order(con: sqlite3.Connection, tables: list[str]) -> list[str]:
    deps = {}
    for t in tables:
        refs = {r[2] for r in con.execute(f'PRAGMA foreign_key_list("{t}")')}
        refs.discard(t)
        deps[t] = refs
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(t: str) -> None:
        s = state.get(t)
        if s == 2:
            return
        if s == 1:
            raise SystemExit(f"foreign-key cycle through {t}")
        state[t] = 1
        for d in sorted(deps.get(t, ())):
            if d in deps:
                visit(d)
        state[t] = 2
        order.append(t)

    for t in sorted(tables):
        visit(t)
    return order


def _sql_literal(v) -> str:
    if v is None:
        return "NULL"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, bytes):
        return "X'" + v.hex() + "'"
    return "'" + str(v).replace("'", "''") + "'"


def generate_sqlite(version: str, head: str) -> str:
    tmp = Path(tempfile.mkdtemp(prefix="ddl_gen_"))
    try:
        path = tmp / "ref.db"
        subprocess.run(
            [_mlflow_cmd(), "db", "upgrade", f"sqlite:///{path}"], check=True
        )
        con = sqlite3.connect(path)
        master = con.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid"
        ).fetchall()
        tables = [n for (ty, n, _t, _s) in master if ty == "table" and not n.startswith("sqlite_")]
        stmts: list[str] = []
        for t in _fk_order(con, tables):
            create = next(s for (ty, n, _tn, s) in master if ty == "table" and n == t)
            stmts.append(canonical_sqlite_create(create) + ";")
            # sorted by name: the rowid order of indexes varies between runs
            for ty, n, tn, s in sorted(master, key=lambda r: r[1]):
                if ty == "index" and tn == t and s is not None:
                    stmts.append(s + ";")
        for ty, n, tn, s in sorted(master, key=lambda r: r[1]):
            if ty in ("trigger", "view"):
                stmts.append(s + ";")
        others = {ty for (ty, *_r) in master} - {"table", "index", "trigger"}
        if others:
            raise SystemExit(f"unexpected sqlite_master types: {others}")
        rows: list[str] = []
        for t in _fk_order(con, tables):
            cur = con.execute(f'SELECT * FROM "{t}"')
            cols = [d[0] for d in cur.description]
            for r in cur.fetchall():
                if t == "experiments":
                    raise SystemExit("unexpected experiments row after upgrade")
                rows.append(
                    f"INSERT INTO {t} ({', '.join(cols)}) VALUES "
                    f"({', '.join(_sql_literal(v) for v in r)});"
                )
        con.close()
        ref_fp = _sqlite_fingerprint(path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    header = _header(
        "SQLite",
        version,
        head,
        [
            "mlflow db upgrade sqlite:///<file>.db",
            "SELECT type, name, tbl_name, sql FROM sqlite_master  (texts copied verbatim)",
        ],
        [
            "The CREATE texts are MLflow's own, verbatim (including the quoting and",
            "trailing blanks that alembic's batch table rebuilds and ADD COLUMN left),",
            "because parity is checked on sqlite_master.sql. Tables are in foreign-key",
            "dependency order, each followed by its indexes (by name); triggers last. Execute",
            "statement after statement (sqlite3_prepare tail); do not split on ';'",
            "(the trigger body contains one). MLflow itself emits the named CHECK",
            "constraints of CREATE TABLE \"runs\" in a run-to-run varying order (alembic",
            "batch rebuild iterating a set); consecutive CONSTRAINT ... CHECK lines are",
            "sorted by name here, which is one of the orders MLflow produces.",
        ],
    )
    body = "\n\n".join(stmts)
    body += "\n\n-- Rows present after `mlflow db upgrade` (the Default experiment is NOT\n"
    body += "-- created here: the server creates it at start-up, like MLflow).\n\n"
    body += "\n".join(rows) + "\n"
    content = header + body
    with tempfile.TemporaryDirectory(prefix="ddl_chk_") as d:
        chk = Path(d) / "chk.db"
        con = sqlite3.connect(chk, isolation_level=None)
        con.executescript("BEGIN;\n" + content + "\nCOMMIT;")
        con.close()
        if _sqlite_fingerprint(chk) != ref_fp:
            raise SystemExit("round trip failed: SQLite schema differs from MLflow's")
    return content


def _header(dialect: str, version: str, head: str, cmds: list[str], notes: list[str]) -> str:
    lines = [
        f"-- MLflow {version} schema for {dialect}, alembic head {head}.",
        "--",
        "-- GENERATED FILE - DO NOT EDIT BY HAND. Regenerate with migrations/generate.py,",
        "-- which runs, on an empty database:",
    ]
    lines += [f"--     {c}" for c in cmds]
    lines += ["--"]
    lines += [f"-- {n}" for n in notes]
    return "\n".join(lines) + "\n\n"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pg", default=os.environ.get("MLFLOWD_TEST_PG", "postgresql://postgres@127.0.0.1:5432"))
    args = ap.parse_args()
    version = _mlflow_version()
    head = _head_revision()
    name = f"0001_mlflow_{version}_{head}.sql"
    (HERE / "postgres").mkdir(exist_ok=True)
    (HERE / "sqlite").mkdir(exist_ok=True)
    (HERE / "postgres" / name).write_text(generate_pg(args.pg, version, head))
    (HERE / "sqlite" / name).write_text(generate_sqlite(version, head))
    print(f"wrote postgres/{name} and sqlite/{name}")


if __name__ == "__main__":
    main()

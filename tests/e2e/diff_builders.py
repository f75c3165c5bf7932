"""Step builders shared by the differential case tables (diff_cases_*.py)."""

from __future__ import annotations

from diffharness import GET, POST

SQL_TEXT = "the reference message embeds SQLAlchemy/driver error text (SQL, parameters, URL)"


# --- small builders ---------------------------------------------------------------------------

def new_exp(name: str = "$P", var: str = "exp", **extra):
    return POST("experiments/create", {"name": name, **extra}, save={var: "experiment_id"})


def new_run(var: str = "run", exp: str = "$exp", **fields):
    fields.setdefault("start_time", 1_000)
    return POST("runs/create", {"experiment_id": exp, **fields}, save={var: "run.info.run_id"})


def get_run(var: str = "run"):
    return GET("runs/get", {"run_id": f"${var}"})


def get_exp(var: str = "exp"):
    return GET("experiments/get", {"experiment_id": f"${var}"})


def search_runs(_save=None, **body):
    body.setdefault("experiment_ids", ["$exp"])
    return POST("runs/search", body, save=_save or {})


def search_exps(**body):
    body.setdefault("max_results", 100)
    body.setdefault("filter", "name LIKE '$P%'")
    return POST("experiments/search", body)


def metric(key, value, ts=100, step=0):
    return {"key": key, "value": value, "timestamp": ts, "step": step}


def setup_runs():
    """An experiment with four runs of known data (for search cases)."""
    return [
        new_exp(),
        new_run("r1", run_name="a1", start_time=1000),
        new_run("r2", run_name="a2", start_time=2000),
        new_run("r3", run_name="b3", start_time=3000),
        new_run("r4", run_name="b4", start_time=4000),
        POST("runs/log-batch", {"run_id": "$r1", "metrics": [metric("loss", 0.5), metric("acc", 1)],
                                "params": [{"key": "alpha", "value": "0.1"}],
                                "tags": [{"key": "team", "value": "red"}]}),
        POST("runs/log-batch", {"run_id": "$r2", "metrics": [metric("loss", 0.1)],
                                "params": [{"key": "alpha", "value": "0.5"}],
                                "tags": [{"key": "team", "value": "blue"}]}),
        POST("runs/log-batch", {"run_id": "$r3", "metrics": [metric("loss", 0.3)],
                                "params": [{"key": "alpha", "value": "0.5"}],
                                "tags": [{"key": "team", "value": "RED"}]}),
        POST("runs/update", {"run_id": "$r3", "status": "FINISHED", "end_time": 3500}),
        POST("runs/update", {"run_id": "$r2", "status": "FAILED", "end_time": 2500}),
    ]


def bad_search(filter_=None, **body):
    if filter_ is not None:
        body["filter"] = filter_
    return search_runs(**body)

"""Machinery for the differential tests: request steps with ``$var`` substitution, response
normalization (volatile ids, times, generated names) and a structural diff.

Kept apart from the case table (test_differential.py) so that adding a case stays a few lines.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

import requests

# ---------------------------------------------------------------------------------------------
# Steps and cases
# ---------------------------------------------------------------------------------------------

FULL = "full"  # status + whole normalized body
NO_MESSAGE = "no-message"  # status + body except the error "message" (reason required)
STATUS = "status"  # status code only (reason required)
UNORDERED = "unordered"  # status + whole body with every list sorted (reason required)


def deep_sort(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: deep_sort(v) for k, v in node.items()}
    if isinstance(node, list):
        return sorted((deep_sort(v) for v in node), key=lambda v: json.dumps(v, sort_keys=True))
    return node


@dataclass
class Step:
    method: str
    path: str  # relative to /<prefix>/2.0/mlflow/, or absolute when it starts with "/"
    body: Any = None  # JSON body (non-GET) or query params (GET; lists become repeated keys)
    save: dict[str, str] = field(default_factory=dict)  # var -> dotted path in response
    prefix: str = "api"
    raw: str | None = None  # raw request body (sent as-is after $var substitution)
    query: str | None = None  # raw query string for GET (after $var substitution)
    headers: dict[str, str] | None = None
    compare: str = FULL
    reason: str = ""  # why compare != FULL

    def __post_init__(self):
        if self.compare != FULL and not self.reason:
            raise ValueError(f"{self.method} {self.path}: compare={self.compare} needs a reason")

    def label(self) -> str:
        return f"{self.method} {self.prefix if not self.path.startswith('/') else ''}" \
               f"{'/' if not self.path.startswith('/') else ''}{self.path}"


def GET(path: str, params: Any = None, **kw) -> Step:
    return Step("GET", path, params, **kw)


def POST(path: str, body: Any = None, **kw) -> Step:
    return Step("POST", path, body, **kw)


@dataclass
class Case:
    name: str
    steps: list[Step]
    xfail: str | None = None  # concrete known difference; the case must then fail (strict)


# ---------------------------------------------------------------------------------------------
# Variable substitution
# ---------------------------------------------------------------------------------------------

_VAR = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def subst(value: Any, env: dict[str, Any]) -> Any:
    if isinstance(value, str):
        m = _VAR.fullmatch(value)
        if m and m.group(1) in env:
            return env[m.group(1)]
        return _VAR.sub(lambda mm: str(env[mm.group(1)]) if mm.group(1) in env else mm.group(0),
                        value)
    if isinstance(value, list):
        return [subst(v, env) for v in value]
    if isinstance(value, tuple):
        return tuple(subst(v, env) for v in value)
    if isinstance(value, dict):
        return {subst(k, env): subst(v, env) for k, v in value.items()}
    return value


def dig(body: Any, path: str) -> Any:
    cur = body
    for part in path.split("."):
        if isinstance(cur, list):
            cur = cur[int(part)]
        elif isinstance(cur, dict):
            cur = cur[part]
        else:
            raise KeyError(path)
    return cur


# ---------------------------------------------------------------------------------------------
# Sending
# ---------------------------------------------------------------------------------------------


@dataclass
class Result:
    status: int
    content_type: str
    text: str
    json: Any  # parsed body, or None if not JSON


def send(session: requests.Session, base_url: str, step: Step, env: dict[str, Any]) -> Result:
    if step.path.startswith("/"):
        url = base_url + subst(step.path, env)
    else:
        url = f"{base_url}/{step.prefix}/2.0/mlflow/{subst(step.path, env)}"
    headers = dict(step.headers or {})  # a None value suppresses the header
    kwargs: dict[str, Any] = {"timeout": 60, "headers": headers}
    if step.method == "GET":
        if step.query is not None:
            url += "?" + subst(step.query, env)
        elif step.body is not None:
            kwargs["params"] = subst(step.body, env)
    else:
        if step.raw is not None:
            kwargs["data"] = subst(step.raw, env).encode()
        else:
            kwargs["data"] = json.dumps(subst(step.body if step.body is not None else {}, env))
        headers.setdefault("Content-Type", "application/json")
    r = session.request(step.method, url, **kwargs)
    ctype = r.headers.get("Content-Type", "")
    try:
        parsed = r.json() if "json" in ctype else None
    except ValueError:
        parsed = None
    return Result(r.status_code, ctype, r.text, parsed)


# ---------------------------------------------------------------------------------------------
# Normalization
# ---------------------------------------------------------------------------------------------

RUN_ID_RE = re.compile(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])")
GENERATED_NAME_RE = re.compile(r"^[a-z]+-[a-z]+-\d{1,4}$")
TIME_KEYS = {
    "creation_time", "last_update_time", "start_time", "end_time", "timestamp",
    "creation_timestamp", "last_updated_timestamp", "deleted_time",
    "creation_timestamp_ms", "last_updated_timestamp_ms",
}
EXP_ID_KEYS = {"experiment_id"}
UNORDERED_LISTS = {"params", "tags", "metrics"}  # inside run.data / experiment.tags: keyed sets
# Contexts in which a known experiment id is replaced inside free text.
EXP_IN_TEXT = re.compile(r"(id=|[Ee]xperiment(?: with id)? '?|mlflow-artifacts:/)(\d+)(?=\D|$)")
# A Python set of strings rendered into a message ("Valid keys are '{'b', 'a'}'"): its order
# depends on hash randomization even between two runs of the reference, so it is sorted.
PY_SET_RE = re.compile(r"\{'[^'{}]*'(?:, '[^'{}]*')+\}")


def _sorted_set(m: re.Match) -> str:
    items = re.findall(r"'([^']*)'", m.group(0))
    return "{" + ", ".join(f"'{i}'" for i in sorted(items)) + "}"


SESSION_START_MS = int(time.time() * 1000)


class Normalizer:
    """Per server and per case: maps volatile values to stable placeholders by order of
    appearance (or by the name of the variable a step saved them under)."""

    def __init__(self, replacements: dict[str, str] | None = None):
        # Server-specific literal strings (e.g. its working directory, against which relative
        # artifact locations resolve) -> placeholder.
        self.replacements = dict(replacements or {})
        self.run_ids: dict[str, str] = {}
        self.exp_ids: dict[str, str] = {}
        self.names: dict[str, str] = {}

    def learn_saved(self, var: str, value: Any, key_hint: str) -> None:
        if not isinstance(value, str):
            return
        if RUN_ID_RE.fullmatch(value):
            self.run_ids.setdefault(value, f"<run:{var}>")
        elif key_hint.endswith("experiment_id") and value.isdigit():
            self.exp_ids.setdefault(value, f"<exp:{var}>")

    def _run(self, rid: str) -> str:
        return self.run_ids.setdefault(rid, f"<run#{len(self.run_ids) + 1}>")

    def _exp(self, eid: str) -> str:
        if eid == "0":
            return "0"  # the Default experiment is the same everywhere
        return self.exp_ids.setdefault(eid, f"<exp#{len(self.exp_ids) + 1}>")

    def _collect(self, node: Any, key: str | None = None) -> None:
        """First pass: register ids and generated names in order of appearance."""
        if isinstance(node, dict):
            for k, v in node.items():
                self._collect(v, k)
            # tags: mlflow.runName value
            if node.get("key") == "mlflow.runName" and isinstance(node.get("value"), str):
                self._name(node["value"])
        elif isinstance(node, list):
            for v in node:
                self._collect(v, key)
        elif isinstance(node, str):
            if key in EXP_ID_KEYS or key == "experiment_ids":
                if node.isdigit():
                    self._exp(node)
            if key == "run_name":
                self._name(node)
            for rid in RUN_ID_RE.findall(node):
                self._run(rid)

    def _name(self, name: str) -> None:
        if GENERATED_NAME_RE.match(name) and name not in self.names:
            self.names[name] = f"<generated-name#{len(self.names) + 1}>"

    def _text(self, s: str) -> str:
        for literal, placeholder in self.replacements.items():
            s = s.replace(literal, placeholder)
        s = PY_SET_RE.sub(_sorted_set, s)
        s = RUN_ID_RE.sub(lambda m: self._run(m.group(0)), s)
        s = EXP_IN_TEXT.sub(
            lambda m: m.group(1) + (self.exp_ids.get(m.group(2), m.group(2))), s)
        if s in self.names:
            return self.names[s]
        for name, ph in self.names.items():
            s = re.sub(rf"(?<![\w-]){re.escape(name)}(?![\w-])", ph, s)
        return s

    def _norm(self, node: Any, key: str | None = None, parent: str | None = None) -> Any:
        if isinstance(node, dict):
            out = {k: self._norm(v, k, key) for k, v in node.items()}
            return out
        if isinstance(node, list):
            items = [self._norm(v, key, parent) for v in node]
            if key in UNORDERED_LISTS and all(isinstance(i, dict) and "key" in i for i in items):
                items.sort(key=lambda i: json.dumps(i, sort_keys=True))
            return items
        if isinstance(node, bool):
            return node
        if isinstance(node, int) and key in TIME_KEYS:
            if SESSION_START_MS - 600_000 <= node <= int(time.time() * 1000) + 600_000:
                return "<now>"
            return node
        if isinstance(node, str):
            if key in EXP_ID_KEYS and node.isdigit():
                return self._exp(node)
            if key in ("artifact_location", "artifact_uri"):
                # <root>/<experiment id>[/<run id>/artifacts] for any root
                node = re.sub(r"(?<=/)(\d+)(?=/|$)",
                              lambda m: self.exp_ids.get(m.group(1), m.group(1)), node)
            return self._text(node)
        return node

    def normalize(self, res: Result) -> Any:
        if res.json is None:
            ctype = res.content_type.split(";")[0].strip()
            if ctype == "text/html":
                return {"<non-json>": ctype}
            return {"<non-json>": ctype, "text": self._text(res.text)}
        self._collect(res.json)
        return self._norm(res.json)


# ---------------------------------------------------------------------------------------------
# Diff
# ---------------------------------------------------------------------------------------------


def structural_diff(a: Any, b: Any, path: str = "$") -> list[str]:
    """Differences between expected ``a`` (reference) and actual ``b`` (mlflowd)."""
    out: list[str] = []
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b), key=str):
            if k not in b:
                out.append(f"{path}.{k}: missing (expected {_short(a[k])})")
            elif k not in a:
                out.append(f"{path}.{k}: unexpected {_short(b[k])}")
            else:
                out += structural_diff(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(f"{path}: length {len(b)} != expected {len(a)}")
        for i, (x, y) in enumerate(zip(a, b)):
            out += structural_diff(x, y, f"{path}[{i}]")
    elif type(a) is not type(b) and not (_num(a) and _num(b)):
        out.append(f"{path}: {_short(b)} ({type(b).__name__}) != expected {_short(a)} "
                   f"({type(a).__name__})")
    elif a != b:
        out.append(f"{path}: {_short(b)} != expected {_short(a)}")
    return out


def _num(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _short(x: Any, n: int = 300) -> str:
    s = json.dumps(x, ensure_ascii=False) if not isinstance(x, str) else repr(x)
    return s if len(s) <= n else s[:n] + "…"

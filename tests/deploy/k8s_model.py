"""Read-only helpers over a rendered multi-document Kubernetes manifest.

`Manifest` indexes the objects `kubectl kustomize` printed; the functions below answer the
questions the invariants in `k8s_invariants.py` ask: which pod templates exist, what a
container's environment resolves to (including `$(VAR)` expansion and values read from the
Secrets and ConfigMaps of the same output), what a label selector selects, and how big a
resource quantity is. Nothing here judges anything; it only looks things up.
"""

from __future__ import annotations

import base64
import binascii
import re
import shlex
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Iterator

import yaml

Obj = dict[str, Any]

# Workload kinds whose pods come from `spec.template` (CronJob: `spec.jobTemplate.spec.template`).
TEMPLATE_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job")
SHELLS = ("sh", "bash", "ash", "dash")


def load_documents(text: str) -> list[Obj]:
    """Parse multi-document YAML, dropping empty documents."""
    return [d for d in yaml.safe_load_all(text) if d]


def name_of(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("name", "?"))


def ns_of(obj: Obj) -> str:
    """The object's namespace, "" when the manifest leaves it to `kubectl apply -n`."""
    return str((obj.get("metadata") or {}).get("namespace") or "")


def ref(obj: Obj) -> str:
    """`Kind ns/name` for messages."""
    ns = ns_of(obj)
    return f"{obj.get('kind', '?')} {ns + '/' if ns else ''}{name_of(obj)}"


@dataclass
class PodTemplate:
    """One pod template: its owning object, pod spec and pod labels."""

    owner: Obj
    spec: Obj
    labels: dict[str, str]

    @property
    def ns(self) -> str:
        return ns_of(self.owner)

    def containers(self, init: bool = True) -> Iterator[Obj]:
        yield from self.spec.get("containers") or []
        if init:
            yield from self.spec.get("initContainers") or []

    def container_ports(self) -> list[Obj]:
        return [p for c in self.containers() for p in c.get("ports") or []]


@dataclass
class Manifest:
    """The objects of one rendered overlay."""

    docs: list[Obj]
    by_kind: dict[str, list[Obj]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for d in self.docs:
            self.by_kind.setdefault(str(d.get("kind")), []).append(d)

    @classmethod
    def from_yaml(cls, text: str) -> "Manifest":
        return cls(load_documents(text))

    def of_kind(self, kind: str) -> list[Obj]:
        return self.by_kind.get(kind, [])

    def get(self, kind: str, name: str, ns: str) -> Obj | None:
        for o in self.of_kind(kind):
            if name_of(o) == name and ns_of(o) == ns:
                return o
        return None

    def pod_templates(self) -> list[PodTemplate]:
        out = []
        for d in self.docs:
            kind = d.get("kind")
            spec = d.get("spec") or {}
            tmpl = None
            if kind in TEMPLATE_KINDS:
                tmpl = spec.get("template")
            elif kind == "CronJob":
                tmpl = ((spec.get("jobTemplate") or {}).get("spec") or {}).get("template")
            elif kind == "Pod":
                tmpl = d
            if tmpl:
                labels = ((tmpl.get("metadata") or {}).get("labels")) or {}
                out.append(PodTemplate(d, tmpl.get("spec") or {}, dict(labels)))
        return out


# --------------------------------------------------------------------------- selectors


def selector_matches(selector: dict[str, str] | None, labels: dict[str, str]) -> bool:
    """A Service-style equality selector; an empty selector selects nothing here."""
    if not selector:
        return False
    return all(labels.get(k) == v for k, v in selector.items())


def label_selector_matches(selector: Obj | None, labels: dict[str, str]) -> bool:
    """A metav1.LabelSelector (matchLabels + matchExpressions); empty selects nothing here."""
    if not selector:
        return False
    ml = selector.get("matchLabels") or {}
    exprs = selector.get("matchExpressions") or []
    if not ml and not exprs:
        return False
    if not all(labels.get(k) == v for k, v in ml.items()):
        return False
    for e in exprs:
        key, op, values = e.get("key"), e.get("operator"), e.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and labels.get(key) in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


# --------------------------------------------------------------------------- quantities

_SUFFIX = {
    "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60,
    "n": Fraction(1, 10**9), "u": Fraction(1, 10**6), "m": Fraction(1, 1000),
    "": 1, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18,
}
_QUANTITY = re.compile(r"^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$")


def parse_quantity(q: Any) -> Fraction:
    """A Kubernetes resource.Quantity ("10Gi", "500M", "1.5") as an exact number."""
    m = _QUANTITY.match(str(q).strip())
    if not m:
        raise ValueError(f"not a Kubernetes quantity: {q!r}")
    return Fraction(m.group(1)) * _SUFFIX[m.group(2) or ""]


# --------------------------------------------------------------------------- Secrets / ConfigMaps


def secret_values(secret: Obj) -> dict[str, str | None]:
    """A Secret's keys with decoded values (None when `data` is not base64 text)."""
    out: dict[str, str | None] = {}
    for k, v in (secret.get("data") or {}).items():
        try:
            out[k] = base64.b64decode(str(v), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            out[k] = None
    for k, v in (secret.get("stringData") or {}).items():
        out[k] = None if v is None else str(v)
    return out


def configmap_values(cm: Obj) -> dict[str, str | None]:
    out: dict[str, str | None] = {k: None if v is None else str(v) for k, v in (cm.get("data") or {}).items()}
    out.update({k: None for k in (cm.get("binaryData") or {})})
    return out


def source_values(m: Manifest, kind: str, name: str, ns: str) -> dict[str, str | None] | None:
    """Keys and values of Secret/ConfigMap `name` in `ns`, or None if the output lacks it."""
    obj = m.get(kind, name, ns)
    if obj is None:
        return None
    return secret_values(obj) if kind == "Secret" else configmap_values(obj)


# --------------------------------------------------------------------------- environment

_VAR_REF = re.compile(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)")
_SHELL_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def var_refs(s: str) -> list[str]:
    """The `$(VAR)` names Kubernetes would expand in `s` (`$$(X)` is an escape)."""
    return [mt.group(1) for mt in _VAR_REF.finditer(s) if mt.group(1)]


def expand(s: str, env: dict[str, str]) -> str:
    """Kubernetes `$(VAR)` expansion: defined names are replaced, others stay verbatim."""

    def sub(mt: re.Match[str]) -> str:
        if mt.group(0) == "$$":
            return "$"
        var = mt.group(1)
        return env[var] if var in env else mt.group(0)

    return _VAR_REF.sub(sub, s)


def _shell_expand(s: str, env: dict[str, str]) -> str:
    return _SHELL_REF.sub(lambda mt: env.get(mt.group(1) or mt.group(2), mt.group(0)), s)


def container_env(m: Manifest, c: Obj, ns: str) -> dict[str, str]:
    """Name -> value of a container's environment as the kubelet would build it.

    `envFrom` first, then `env` (later entries win, `$(VAR)` in values sees earlier ones).
    A value that lives outside the output (a Secret not rendered, a fieldRef) becomes a stable
    placeholder such as `<secret db/uri>`, so two containers reading the same key still compare
    equal.
    """
    env: dict[str, str] = {}
    for ef in c.get("envFrom") or []:
        prefix = ef.get("prefix") or ""
        for kind, key in (("ConfigMap", "configMapRef"), ("Secret", "secretRef")):
            src = ef.get(key)
            if src:
                vals = source_values(m, kind, src.get("name", ""), ns) or {}
                for k, v in vals.items():
                    env[prefix + k] = v if v is not None else f"<{kind.lower()} {src.get('name')}/{k}>"
    for e in c.get("env") or []:
        name = e.get("name")
        if "value" in e or "valueFrom" not in e:
            env[name] = expand(str(e.get("value") or ""), env)
            continue
        vf = e["valueFrom"] or {}
        for kind, key in (("Secret", "secretKeyRef"), ("ConfigMap", "configMapKeyRef")):
            src = vf.get(key)
            if src:
                vals = source_values(m, kind, src.get("name", ""), ns) or {}
                v = vals.get(src.get("key", ""))
                env[name] = v if v is not None else f"<{kind.lower()} {src.get('name')}/{src.get('key')}>"
        if "fieldRef" in vf:
            env[name] = f"<field {vf['fieldRef'].get('fieldPath')}>"
        if "resourceFieldRef" in vf:
            env[name] = f"<resource {vf['resourceFieldRef'].get('resource')}>"
    return env


def argv(c: Obj) -> list[str]:
    """command + args as written (no expansion)."""
    return [str(a) for a in (c.get("command") or []) + (c.get("args") or [])]


def effective_argv(m: Manifest, c: Obj, ns: str) -> list[str]:
    """The argv the process sees: `$(VAR)` expanded; a `sh -c '…'` script is split and its
    `$VAR` / `${VAR}` expanded from the container environment."""
    env = container_env(m, c, ns)
    words = [expand(a, env) for a in argv(c)]
    if words and words[0].rsplit("/", 1)[-1] in SHELLS and "-c" in words:
        i = words.index("-c")
        if i + 1 < len(words):
            try:
                return [_shell_expand(w, env) for w in shlex.split(words[i + 1])]
            except ValueError:
                return words
    return words


def flag_value(words: list[str], flag: str) -> str | None:
    """Value of `--flag value` or `--flag=value` (last one wins), else None."""
    val = None
    for i, w in enumerate(words):
        if w == flag and i + 1 < len(words):
            val = words[i + 1]
        elif w.startswith(flag + "="):
            val = w[len(flag) + 1:]
    return val


def image_parts(image: str) -> tuple[str, str | None, str | None]:
    """(repository, tag, digest) of an image reference."""
    digest = None
    if "@" in image:
        image, digest = image.split("@", 1)
    last = image.rsplit("/", 1)[-1]
    tag = None
    if ":" in last:
        repo_last, tag = last.split(":", 1)
        image = image[: len(image) - len(last)] + repo_last
    return image, tag, digest


def image_basename(image: str) -> str:
    return image_parts(image)[0].rsplit("/", 1)[-1]


def service_hosts(svc: Obj) -> set[str]:
    """The DNS names by which pods reach a Service."""
    name, ns = name_of(svc), ns_of(svc) or "default"
    names = {name, f"{name}.{ns}", f"{name}.{ns}.svc", f"{name}.{ns}.svc.cluster.local"}
    return names

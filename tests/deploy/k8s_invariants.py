"""mlflowd's own invariants over a rendered kustomize overlay.

Each `check_*` function takes a `Manifest` and returns a list of problems (one string each,
naming the object and what is wrong); an empty list means the invariant holds. `CHECKS` lists
them all (with the Pod Security and NetworkPolicy checks of k8s_policies.py); `check_all` runs
them. The unit tests in `test_deploy_invariants_unit.py` feed each
check hand-made bad inputs, so every rule here is proven to fire.

Where the rules come from: the issue's acceptance list, and
the team research notes on Kubernetes deployments, Part B (B.3 complaints, B.4 lessons).
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlsplit

from k8s_policies import check_network_policies, check_pod_security
from k8s_model import (
    Manifest, Obj, PodTemplate, argv, container_env, effective_argv, flag_value, image_basename,
    image_parts, label_selector_matches, name_of, ns_of, parse_quantity, ref, secret_values,
    selector_matches, service_hosts, var_refs,
)

Problems = list[str]

SECRET_KEY = re.compile(r"password|passwd|secret|token|access_?key|credential", re.IGNORECASE)
# Secret keys that usually hold identifiers rather than secrets (a user or database name is
# often kept next to its password); their values may legitimately reappear in a ConfigMap.
IDENTIFIER_KEY = re.compile(r"(^|[_-])(user(name)?|db|database|name|host|port|bucket|region|endpoint)$",
                            re.IGNORECASE)
URI_WITH_PASSWORD = re.compile(r"^[a-z][a-z0-9+.-]*://[^/@:\s]+:[^/@\s]+@", re.IGNORECASE)
PROBE_PATHS = ("/health", "/version")  # mlflowd's unauthenticated, DB-light endpoints
LISTEN_ALL = ("0.0.0.0", "::", "[::]")


# --------------------------------------------------------------------------- the mlflowd server


@dataclass
class Server:
    """The `mlflowd server` container of a Deployment."""

    tmpl: PodTemplate
    container: Obj
    words: list[str]
    env: dict[str, str]

    @property
    def label(self) -> str:
        return f"{ref(self.tmpl.owner)} container {self.container.get('name')}"

    def setting(self, flag: str, env_name: str) -> str | None:
        """A server option as clap resolves it: the flag wins over the env var."""
        v = flag_value(self.words, flag)
        return v if v is not None else self.env.get(env_name)

    @property
    def static_prefix(self) -> str:
        return (self.setting("--static-prefix", "MLFLOW_STATIC_PREFIX") or "").rstrip("/")

    @property
    def backend_uri(self) -> str | None:
        return self.setting("--backend-store-uri", "MLFLOW_BACKEND_STORE_URI")


def is_mlflowd(c: Obj) -> bool:
    return image_basename(str(c.get("image", ""))) == "mlflowd"


def find_servers(m: Manifest) -> list[Server]:
    out = []
    for pt in m.pod_templates():
        if pt.owner.get("kind") != "Deployment":
            continue
        for c in pt.containers(init=False):
            words = effective_argv(m, c, pt.ns)
            if is_mlflowd(c) and "server" in words:
                out.append(Server(pt, c, words, container_env(m, c, pt.ns)))
    return out


def _servers_or_problem(m: Manifest, problems: Problems) -> list[Server]:
    servers = find_servers(m)
    if not servers:
        problems.append("no Deployment has a container with an `mlflowd` image running `server`")
    return servers


def _has_port(c: Obj, port: int | str) -> bool:
    for p in c.get("ports") or []:
        if isinstance(port, str) and not port.isdigit():
            if p.get("name") == port:
                return True
        elif p.get("containerPort") == int(port):
            return True
    return False


def _pods_selected_by(m: Manifest, svc: Obj) -> list[PodTemplate]:
    sel = (svc.get("spec") or {}).get("selector")
    return [pt for pt in m.pod_templates() if pt.ns == ns_of(svc) and selector_matches(sel, pt.labels)]


def _services_of(m: Manifest, pods: list[PodTemplate]) -> list[Obj]:
    owners = {id(pt.owner) for pt in pods}
    return [s for s in m.of_kind("Service") if any(id(pt.owner) in owners for pt in _pods_selected_by(m, s))]


def _workloads_with_image(m: Manifest, ns: str, prefix: str) -> list[PodTemplate]:
    return [pt for pt in m.pod_templates() if pt.ns == ns
            and any(image_basename(str(c.get("image", ""))).startswith(prefix) for c in pt.containers(init=False))]


# --------------------------------------------------------------------------- volumes


def _claims(m: Manifest) -> list[tuple[str, str, str, Obj]]:
    """(label, namespace, claim name, PVC spec) for PVCs and StatefulSet volumeClaimTemplates."""
    out = [(ref(p), ns_of(p), name_of(p), p.get("spec") or {}) for p in m.of_kind("PersistentVolumeClaim")]
    for sts in m.of_kind("StatefulSet"):
        spec = sts.get("spec") or {}
        for t in spec.get("volumeClaimTemplates") or []:
            for i in range(int(spec.get("replicas", 1) or 0)):
                claim = f"{name_of(t)}-{name_of(sts)}-{i}"
                out.append((f"{ref(sts)} volumeClaimTemplate {name_of(t)} (PVC {claim})",
                            ns_of(sts), claim, t.get("spec") or {}))
    return out


def _compare_pv(label: str, ns: str, claim: str, spec: Obj, pv: Obj) -> Problems:
    problems = []
    pvs = pv.get("spec") or {}
    want_sc, have_sc = spec.get("storageClassName"), pvs.get("storageClassName", "")
    if want_sc != have_sc:
        problems.append(f"{label}: storageClassName {want_sc!r} differs from {ref(pv)}'s {have_sc!r}")
    try:
        req = parse_quantity(((spec.get("resources") or {}).get("requests") or {}).get("storage"))
        cap = parse_quantity((pvs.get("capacity") or {}).get("storage"))
        if cap < req:
            problems.append(f"{label}: requests more storage than {ref(pv)} provides")
    except ValueError as e:
        problems.append(f"{label} / {ref(pv)}: {e}")
    missing = set(spec.get("accessModes") or []) - set(pvs.get("accessModes") or [])
    if missing:
        problems.append(f"{label}: access modes {sorted(missing)} not offered by {ref(pv)}")
    cr = pvs.get("claimRef")
    if cr and (cr.get("name") != claim or (ns and cr.get("namespace") not in (None, ns))):
        problems.append(f"{ref(pv)}: claimRef {cr.get('namespace')}/{cr.get('name')} is not {label}")
    return problems


def check_volumes(m: Manifest) -> Problems:
    """PVCs bind by name to PVs of this overlay (class, size, modes agree); each PV has one claim."""
    problems: Problems = []
    pvs = {name_of(pv): pv for pv in m.of_kind("PersistentVolume")}
    claimed: dict[str, list[str]] = {n: [] for n in pvs}
    for label, ns, claim, spec in _claims(m):
        vn = spec.get("volumeName")
        pv = pvs.get(vn) if vn else None
        if vn and pv is None:
            problems.append(f"{label}: volumeName {vn!r} names no PersistentVolume in this overlay")
            continue
        if pv is None:
            pv = next((p for p in pvs.values() if ((p.get("spec") or {}).get("claimRef") or {}).get("name") == claim
                       and ((p["spec"]["claimRef"].get("namespace") or ns) == ns)), None)
        if pv is None:
            if pvs:
                problems.append(f"{label}: this overlay has PersistentVolumes but the claim is bound to none "
                                "(set spec.volumeName or a PV claimRef)")
            continue
        claimed[name_of(pv)].append(label)
        problems += _compare_pv(label, ns, claim, spec, pv)
    for n, labels in claimed.items():
        if len(labels) != 1:
            problems.append(f"{ref(pvs[n])}: claimed by {len(labels)} claims {labels}, expected exactly one")
    for pv in pvs.values():
        s = pv.get("spec") or {}
        if "local" in s and not ((s.get("nodeAffinity") or {}).get("required") or {}).get("nodeSelectorTerms"):
            problems.append(f"{ref(pv)}: a local PersistentVolume needs spec.nodeAffinity.required")
    return problems


# --------------------------------------------------------------------------- services


def check_services(m: Manifest) -> Problems:
    """Each Service selector matches a pod template; each targetPort is a containerPort there."""
    problems: Problems = []
    for svc in m.of_kind("Service"):
        spec = svc.get("spec") or {}
        if spec.get("type") == "ExternalName":
            continue
        if not spec.get("selector"):
            if not any(m.get(kind, name_of(svc), ns_of(svc)) for kind in ("Endpoints", "EndpointSlice")):
                problems.append(f"{ref(svc)}: has no selector and no Endpoints of its own in the output")
            continue
        pods = _pods_selected_by(m, svc)
        if not pods:
            problems.append(f"{ref(svc)}: selector {spec['selector']} matches no pod template in its namespace")
            continue
        for p in spec.get("ports") or []:
            tp = p.get("targetPort", p.get("port"))
            if not any(_has_port(c, tp) for pt in pods for c in pt.containers(init=False)):
                problems.append(f"{ref(svc)}: port {p.get('name') or p.get('port')} targetPort {tp!r} is not a "
                                f"containerPort of {[ref(pt.owner) for pt in pods]}")
    return problems


# --------------------------------------------------------------------------- Secret / ConfigMap references


def _check_source(m: Manifest, where: str, kind: str, name: str, ns: str, keys: list[str]) -> Problems:
    obj = m.get(kind, name, ns)
    if obj is None:
        return [f"{where}: {kind} {name!r} is not in the rendered output"]
    have = secret_values(obj) if kind == "Secret" else {**(obj.get("data") or {}), **(obj.get("binaryData") or {})}
    return [f"{where}: {kind} {name!r} has no key {k!r}" for k in keys if k not in have]


def check_config_refs(m: Manifest) -> Problems:
    """secretKeyRef / configMapKeyRef / envFrom / secret and configMap volumes resolve in the output."""
    problems: Problems = []
    for pt in m.pod_templates():
        for c in pt.containers():
            where = f"{ref(pt.owner)} container {c.get('name')}"
            for e in c.get("env") or []:
                vf = e.get("valueFrom") or {}
                for kind, key in (("Secret", "secretKeyRef"), ("ConfigMap", "configMapKeyRef")):
                    if key in vf:
                        r = vf[key]
                        problems += _check_source(m, f"{where} env {e.get('name')}", kind, r.get("name", ""),
                                                  pt.ns, [r.get("key", "")])
            for ef in c.get("envFrom") or []:
                for kind, key in (("Secret", "secretRef"), ("ConfigMap", "configMapRef")):
                    if key in ef:
                        problems += _check_source(m, f"{where} envFrom", kind, ef[key].get("name", ""), pt.ns, [])
        for v in pt.spec.get("volumes") or []:
            where = f"{ref(pt.owner)} volume {v.get('name')}"
            sources = [("Secret", v["secret"].get("secretName", ""), v["secret"])] if "secret" in v else []
            if "configMap" in v:
                sources.append(("ConfigMap", v["configMap"].get("name", ""), v["configMap"]))
            for s in (v.get("projected") or {}).get("sources") or []:
                if "secret" in s:
                    sources.append(("Secret", s["secret"].get("name", ""), s["secret"]))
                if "configMap" in s:
                    sources.append(("ConfigMap", s["configMap"].get("name", ""), s["configMap"]))
            for kind, name, src in sources:
                keys = [i.get("key", "") for i in src.get("items") or []]
                problems += _check_source(m, where, kind, name, pt.ns, keys)
    return problems


# --------------------------------------------------------------------------- probes and listening


def _probe_port(probe: Obj) -> int | str | None:
    for k in ("httpGet", "tcpSocket", "grpc"):
        if k in probe:
            return (probe[k] or {}).get("port")
    return None


def check_probes(m: Manifest) -> Problems:
    """Probe ports exist on their container; mlflowd has all three probes on prefixed /health."""
    problems: Problems = []
    for pt in m.pod_templates():
        for c in pt.containers():
            for kind in ("readinessProbe", "livenessProbe", "startupProbe"):
                probe = c.get(kind)
                port = _probe_port(probe) if probe else None
                if port is not None and not _has_port(c, port):
                    problems.append(f"{ref(pt.owner)} container {c.get('name')} {kind}: port {port!r} "
                                    "is not a containerPort of that container")
    for s in _servers_or_problem(m, problems):
        prefix = s.static_prefix
        for kind in ("readinessProbe", "livenessProbe", "startupProbe"):
            probe = s.container.get(kind)
            if not probe:
                problems.append(f"{s.label}: has no {kind}")
                continue
            if "httpGet" not in probe:
                problems.append(f"{s.label} {kind}: not an httpGet probe")
                continue
            path = str(probe["httpGet"].get("path", "/")).split("?", 1)[0]
            allowed = [prefix + p for p in PROBE_PATHS]
            if kind == "readinessProbe":
                allowed = [prefix + "/health"]
            if path not in allowed:
                problems.append(f"{s.label} {kind}: path {path!r} should be one of {allowed} "
                                f"(static prefix {prefix or 'none'})")
    return problems


def check_server_listen(m: Manifest) -> Problems:
    """mlflowd listens on all interfaces (its default host is 127.0.0.1) on a declared containerPort."""
    problems: Problems = []
    for s in _servers_or_problem(m, problems):
        host = s.setting("--host", "MLFLOW_HOST") or s.setting("-h", "MLFLOW_HOST") or "127.0.0.1"
        if host not in LISTEN_ALL:
            problems.append(f"{s.label}: listens on {host!r}; pods are only reachable with --host 0.0.0.0")
        port = s.setting("--port", "MLFLOW_PORT") or s.setting("-p", "MLFLOW_PORT") or "5000"
        if not port.isdigit() or not _has_port(s.container, int(port)):
            problems.append(f"{s.label}: listens on port {port!r}, which is not a declared containerPort")
    return problems


# --------------------------------------------------------------------------- backend store and S3


def _endpoint_problems(label: str, what: str, url: str | None, default_port: int, svcs: list[Obj]) -> Problems:
    names = {h for s in svcs for h in service_hosts(s)}
    if url is None:
        return [f"{label}: {what} is not set"]
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port or default_port
    except ValueError:
        return [f"{label}: {what} {url!r} does not parse as a URL with a numeric port"]
    if host not in names:
        return [f"{label}: {what} host {host!r} is none of {sorted(names)}"]
    svc_ports = {p.get("port") for s in svcs if host in service_hosts(s)
                 for p in (s.get("spec") or {}).get("ports") or []}
    if port not in svc_ports:
        return [f"{label}: {what} port {port} is not a port of Service {host} {sorted(svc_ports)}"]
    return []


def check_backend_store(m: Manifest) -> Problems:
    """--backend-store-uri is PostgreSQL at the in-overlay PostgreSQL Service's name and port."""
    problems: Problems = []
    for s in _servers_or_problem(m, problems):
        uri = s.backend_uri
        pg = _workloads_with_image(m, s.tmpl.ns, "postgres")
        if uri is not None and re.search(r"<(secret|configmap|field|resource) ", uri):
            if pg:  # an external Secret is fine for an external database, not for ours
                problems.append(f"{s.label}: backend store URI {uri!r} comes from outside the rendered "
                                "output, so it cannot be checked against the PostgreSQL Service")
            continue
        if uri is None or not re.match(r"^postgres(ql)?(\+\w+)?://", uri):
            problems.append(f"{s.label}: backend store URI {uri!r} is not a postgresql:// URI "
                            "(the default sqlite:///mlflow.db would live on the pod's disk)")
            continue
        if pg:
            svcs = _services_of(m, pg)
            if not svcs:
                problems.append(f"{s.label}: no Service selects the PostgreSQL workload {[ref(p.owner) for p in pg]}")
            else:
                problems += _endpoint_problems(s.label, "--backend-store-uri", uri, 5432, svcs)
    return problems


def check_s3_endpoint(m: Manifest) -> Problems:
    """MLFLOW_S3_ENDPOINT_URL of mlflowd points at the in-overlay MinIO Service and port."""
    problems: Problems = []
    for s in _servers_or_problem(m, problems):
        minio = _workloads_with_image(m, s.tmpl.ns, "minio")
        if not minio:
            continue
        svcs = _services_of(m, minio)
        if not svcs:
            problems.append(f"{s.label}: no Service selects the MinIO workload {[ref(p.owner) for p in minio]}")
            continue
        url = s.env.get("MLFLOW_S3_ENDPOINT_URL")
        default = 443 if (url or "").startswith("https:") else 80
        problems += _endpoint_problems(s.label, "MLFLOW_S3_ENDPOINT_URL", url, default, svcs)
    return problems


def check_var_refs(m: Manifest) -> Problems:
    """Every `$(VAR)` in command/args (or in an env value) is defined in that container's env."""
    problems: Problems = []
    for pt in m.pod_templates():
        for c in pt.containers():
            defined = set(container_env(m, c, pt.ns))
            where = f"{ref(pt.owner)} container {c.get('name')}"
            for word in argv(c):
                for v in var_refs(word):
                    if v not in defined:
                        problems.append(f"{where}: $({v}) in command/args is not defined in its env")
            seen: set[str] = {k for k in defined if not any(e.get("name") == k for e in c.get("env") or [])}
            for e in c.get("env") or []:
                for v in var_refs(str(e.get("value") or "")):
                    if v not in seen:
                        problems.append(f"{where}: env {e.get('name')} uses $({v}) before it is defined")
                seen.add(e.get("name"))
    return problems


# --------------------------------------------------------------------------- images, ConfigMaps


def check_images(m: Manifest) -> Problems:
    """Every container image has an explicit tag or digest, never `:latest`."""
    problems: Problems = []
    for pt in m.pod_templates():
        for c in pt.containers():
            image = str(c.get("image") or "")
            _, tag, digest = image_parts(image)
            if not image:
                problems.append(f"{ref(pt.owner)} container {c.get('name')}: no image")
            elif tag == "latest":
                problems.append(f"{ref(pt.owner)} container {c.get('name')}: image {image} uses :latest")
            elif not tag and not digest:
                problems.append(f"{ref(pt.owner)} container {c.get('name')}: image {image} has no tag or digest")
    return problems


def check_configmap_secrets(m: Manifest) -> Problems:
    """No ConfigMap holds a secret-looking key, a URI with a password, or a Secret's value."""
    problems: Problems = []
    secret_vals = {v for s in m.of_kind("Secret") for k, v in secret_values(s).items()
                   if v and len(v) >= 4 and not IDENTIFIER_KEY.search(k)}
    for cm in m.of_kind("ConfigMap"):
        for k, v in (cm.get("data") or {}).items():
            v = "" if v is None else str(v)
            if SECRET_KEY.search(k):
                problems.append(f"{ref(cm)}: key {k!r} looks like a secret; keep it in a Secret")
            if URI_WITH_PASSWORD.search(v):
                problems.append(f"{ref(cm)}: key {k!r} holds a URI with a password")
            if v in secret_vals or any(len(s) >= 8 and s in v for s in secret_vals):
                problems.append(f"{ref(cm)}: key {k!r} holds a value that is also in a Secret")
    return problems


# --------------------------------------------------------------------------- the mlflowd pod


def _security_problems(label: str, pod_sc: Obj, c: Obj) -> Problems:
    sc = c.get("securityContext") or {}
    out = []
    if sc.get("runAsNonRoot", pod_sc.get("runAsNonRoot")) is not True:
        out.append(f"{label}: runAsNonRoot is not true")
    if sc.get("runAsUser", pod_sc.get("runAsUser")) == 0:
        out.append(f"{label}: runAsUser is 0")
    if sc.get("readOnlyRootFilesystem") is not True:
        out.append(f"{label}: readOnlyRootFilesystem is not true")
    if sc.get("allowPrivilegeEscalation") is not False:
        out.append(f"{label}: allowPrivilegeEscalation is not false")
    if "ALL" not in ((sc.get("capabilities") or {}).get("drop") or []):
        out.append(f"{label}: capabilities.drop does not contain ALL")
    if (sc.get("seccompProfile") or pod_sc.get("seccompProfile") or {}).get("type") != "RuntimeDefault":
        out.append(f"{label}: seccompProfile is not RuntimeDefault")
    res = c.get("resources") or {}
    req, lim = res.get("requests") or {}, res.get("limits") or {}
    if not {"cpu", "memory"} <= set(req):
        out.append(f"{label}: resources.requests must set cpu and memory (has {sorted(req)})")
    if "memory" not in lim:
        out.append(f"{label}: resources.limits must set memory (has {sorted(lim)})")
    return out


def check_mlflowd_pod(m: Manifest) -> Problems:
    """Every container of the mlflowd pod is non-root, read-only, unprivileged, and sized."""
    problems: Problems = []
    for s in _servers_or_problem(m, problems):
        spec = s.tmpl.spec
        for c in s.tmpl.containers():
            problems += _security_problems(f"{ref(s.tmpl.owner)} container {c.get('name')}",
                                           spec.get("securityContext") or {}, c)
        if spec.get("automountServiceAccountToken") is not False:
            problems.append(f"{ref(s.tmpl.owner)}: automountServiceAccountToken is not false (B.4)")
    return problems


def check_availability(m: Manifest) -> Problems:
    """A PodDisruptionBudget and a HorizontalPodAutoscaler target the mlflowd Deployment."""
    problems: Problems = []
    for s in _servers_or_problem(m, problems):
        dep = s.tmpl.owner
        if not any(ns_of(p) == s.tmpl.ns
                   and label_selector_matches((p.get("spec") or {}).get("selector"), s.tmpl.labels)
                   for p in m.of_kind("PodDisruptionBudget")):
            problems.append(f"{ref(dep)}: no PodDisruptionBudget selects its pods")
        hpas = [h for h in m.of_kind("HorizontalPodAutoscaler") if ns_of(h) == s.tmpl.ns
                and ((h.get("spec") or {}).get("scaleTargetRef") or {}).get("kind") == "Deployment"
                and h["spec"]["scaleTargetRef"].get("name") == name_of(dep)]
        if not hpas:
            problems.append(f"{ref(dep)}: no HorizontalPodAutoscaler has it as scaleTargetRef")
        for h in hpas:
            if h["spec"]["scaleTargetRef"].get("apiVersion") != "apps/v1":
                problems.append(f"{ref(h)}: scaleTargetRef.apiVersion is not apps/v1")
    return problems


def check_ingress(m: Manifest) -> Problems:
    """An Ingress routes to the mlflowd Service (at the static prefix when there is one)."""
    problems: Problems = []
    for s in _servers_or_problem(m, problems):
        svcs = {name_of(x): x for x in _services_of(m, [s.tmpl])}
        prefix = s.static_prefix
        routes = []
        for ing in m.of_kind("Ingress"):
            if ns_of(ing) != s.tmpl.ns:
                continue
            for rule in (ing.get("spec") or {}).get("rules") or []:
                for p in (rule.get("http") or {}).get("paths") or []:
                    routes.append((ing, p.get("path", "/"), (p.get("backend") or {}).get("service") or {}))
        hits = [(ing, path, b) for ing, path, b in routes if b.get("name") in svcs]
        if not hits:
            problems.append(f"{s.label}: no Ingress path routes to its Service(s) {sorted(svcs)}")
        for ing, path, b in hits:
            svc_ports = (svcs[b["name"]].get("spec") or {}).get("ports") or []
            port = b.get("port") or {}
            if not any(("number" in port and sp.get("port") == port["number"]) or
                       ("name" in port and sp.get("name") == port["name"]) for sp in svc_ports):
                problems.append(f"{ref(ing)}: backend port {port} is not a port of Service {b['name']}")
            if prefix and path.rstrip("/") != prefix:
                problems.append(f"{ref(ing)}: path {path!r} routes to mlflowd, expected the static prefix {prefix!r}")
    return problems


# MLflow's default allow-list (mlflow/server/security_utils.py): loopback forms with any port and
# private address patterns.
DEFAULT_ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", "0.0.0.0", "localhost:*", "127.0.0.1:*",
                         "[[]::1]:*", "0.0.0.0:*", "192.168.*", "10.*",
                         *[f"172.{i}.*" for i in range(16, 32)], "fc00:*", "fd00:*"]


def host_allowed(allowed: list[str], host: str) -> bool:
    """`is_allowed_host_header`: entries with `*` are fnmatch patterns, others exact."""
    if "*" in allowed:
        return True
    return any(fnmatch.fnmatch(host, a) if "*" in a else host == a for a in allowed)


def check_allowed_hosts(m: Manifest) -> Problems:
    """The Host headers the server will see pass its allow-list (a miss is a 403 for every
    request): each Ingress host routed to mlflowd, and the Service's in-cluster DNS names with and
    without its port."""
    problems: Problems = []
    for s in _servers_or_problem(m, problems):
        setting = s.setting("--allowed-hosts", "MLFLOW_SERVER_ALLOWED_HOSTS")
        allowed = [h.strip() for h in setting.split(",")] if setting else DEFAULT_ALLOWED_HOSTS
        svcs = {name_of(x): x for x in _services_of(m, [s.tmpl])}
        hosts: list[str] = []
        for ing in m.of_kind("Ingress"):
            if ns_of(ing) != s.tmpl.ns:
                continue
            for rule in (ing.get("spec") or {}).get("rules") or []:
                paths = (rule.get("http") or {}).get("paths") or []
                if rule.get("host") and any(((p.get("backend") or {}).get("service") or {}).get("name")
                                            in svcs for p in paths):
                    hosts.append(rule["host"])
        for name, svc in svcs.items():
            ns = s.tmpl.ns
            for dns in (name, f"{name}.{ns}", f"{name}.{ns}.svc", f"{name}.{ns}.svc.cluster.local"):
                hosts.append(dns)
                for sp in (svc.get("spec") or {}).get("ports") or []:
                    if sp.get("port") not in (None, 80):
                        hosts.append(f"{dns}:{sp['port']}")
        for host in hosts:
            if not host_allowed(allowed, host):
                problems.append(f"{s.label}: Host {host!r} is not in its allowed hosts "
                                f"({setting or 'MLflow defaults'}): requests with it get 403")
    return problems


def check_db_upgrade(m: Manifest) -> Problems:
    """An init container or Job runs `mlflowd db upgrade` on the server's own backend URI and image."""
    problems: Problems = []
    for s in _servers_or_problem(m, problems):
        found = False
        for pt in m.pod_templates():
            if pt.ns != s.tmpl.ns:
                continue
            for c in pt.containers():
                words = effective_argv(m, c, pt.ns)
                idx = [i for i in range(len(words) - 1) if words[i:i + 2] == ["db", "upgrade"]]
                if not idx:
                    continue
                found = True
                where = f"{ref(pt.owner)} container {c.get('name')}"
                rest = [w for w in words[idx[0] + 2:] if not w.startswith("-")]
                # The positional URL, else MLFLOW_BACKEND_STORE_URI (clap's env fallback).
                uri = rest[0] if rest else container_env(m, c, pt.ns).get("MLFLOW_BACKEND_STORE_URI")
                if uri != s.backend_uri:
                    problems.append(f"{where}: db upgrade URI {uri!r} differs from the server's {s.backend_uri!r}")
                if c.get("image") != s.container.get("image"):
                    problems.append(f"{where}: image {c.get('image')} differs from the server's "
                                    f"{s.container.get('image')}")
        if not found:
            problems.append(f"{s.label}: no init container or Job runs `db upgrade`")
    return problems


CHECKS: list[Callable[[Manifest], Problems]] = [
    check_volumes, check_services, check_config_refs, check_probes, check_server_listen,
    check_backend_store, check_s3_endpoint, check_var_refs, check_images, check_configmap_secrets,
    check_mlflowd_pod, check_availability, check_ingress, check_allowed_hosts, check_db_upgrade,
    check_pod_security, check_network_policies,
]


def check_all(m: Manifest) -> Problems:
    return [p for check in CHECKS for p in check(m)]

"""The invariant checker proven on hand-made inputs.

fixtures/good_stack.yaml passes every check; each case below breaks one thing in a fresh copy
and asserts the named check reports it (and the message says what). A checker that never fires
would fail here.
"""

from __future__ import annotations

import base64
import json
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable

import pytest

import k8s_invariants as inv
from deploytools import FIXTURES
from k8s_model import (
    Manifest, effective_argv, expand, image_parts, label_selector_matches, load_documents,
    parse_quantity, var_refs,
)

GOOD = (FIXTURES / "good_stack.yaml").read_text()


def stack() -> list[dict[str, Any]]:
    return json.loads(json.dumps(load_documents(GOOD)))  # a deep, alias-free copy


def obj(docs: list[dict], kind: str, name: str) -> dict:
    return next(d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name)


def pod(docs: list[dict], kind: str = "Deployment", name: str = "mlflowd") -> dict:
    return obj(docs, kind, name)["spec"]["template"]["spec"]


def server(docs: list[dict]) -> dict:
    return pod(docs)["containers"][0]


def init(docs: list[dict]) -> dict:
    return pod(docs)["initContainers"][0]


def env_of(c: dict, name: str) -> dict:
    return next(e for e in c["env"] if e["name"] == name)


def set_arg(c: dict, flag: str, value: str) -> None:
    i = c["args"].index(flag)
    c["args"][i + 1] = value


def set_secret(docs: list[dict], name: str, key: str, value: str) -> None:
    obj(docs, "Secret", name)["data"][key] = base64.b64encode(value.encode()).decode()


def with_prefix(docs: list[dict], prefix: str = "/mlflow") -> None:
    """The static-prefix overlay done right: flag, probe paths and Ingress path."""
    server(docs)["args"] += ["--static-prefix", prefix]
    for p in ("readinessProbe", "livenessProbe", "startupProbe"):
        server(docs)[p]["httpGet"]["path"] = prefix + "/health"
    obj(docs, "Ingress", "mlflowd")["spec"]["rules"][0]["http"]["paths"][0]["path"] = prefix


def run(check: Callable, docs: list[dict]) -> list[str]:
    return check(Manifest(docs))


# --------------------------------------------------------------------------- baselines


def test_good_stack_passes_every_check():
    assert inv.check_all(Manifest(stack())) == []


def test_good_stack_with_static_prefix_passes_every_check():
    docs = stack()
    with_prefix(docs)
    assert inv.check_all(Manifest(docs)) == []


def test_good_stack_is_schema_valid(tmp_path: Path):
    from test_deploy_manifests import kubernetes_validate  # the same function CI uses

    path = tmp_path / "good.yaml"
    path.write_text(GOOD)
    assert kubernetes_validate(path, "1.30") == []


def test_kubernetes_validate_rejects_unknown_field_and_removed_api(tmp_path: Path):
    from test_deploy_manifests import kubernetes_validate

    docs = stack()
    obj(docs, "Deployment", "mlflowd")["spec"]["bogus"] = 1
    obj(docs, "PodDisruptionBudget", "mlflowd")["apiVersion"] = "policy/v1beta1"  # removed in 1.25
    path = tmp_path / "bad.yaml"
    path.write_text("---\n".join(json.dumps(d) + "\n" for d in docs))
    problems = "\n".join(kubernetes_validate(path, "1.30"))
    assert "'bogus' was unexpected" in problems
    assert "PodDisruptionBudget" in problems and "policy/v1beta1" in problems


# --------------------------------------------------------------------------- one defect each


def _rm(d: dict, key: str) -> None:
    del d[key]


def _add_pv(docs: list[dict]) -> None:
    pv = json.loads(json.dumps(obj(docs, "PersistentVolume", "pg-data")))
    pv["metadata"]["name"] = "orphan"
    docs.append(pv)


def _second_claim(docs: list[dict]) -> None:
    pvc = json.loads(json.dumps(obj(docs, "PersistentVolumeClaim", "minio-data")))
    pvc["metadata"]["name"] = "minio-data-2"
    docs.append(pvc)


def _service_in_other_ns(docs: list[dict]) -> None:
    obj(docs, "Service", "minio")["metadata"]["namespace"] = "other"


def _ingress_port(docs: list[dict]) -> None:
    backend = obj(docs, "Ingress", "mlflowd")["spec"]["rules"][0]["http"]["paths"][0]["backend"]
    backend["service"]["port"] = {"number": 5000}


def _no_db_upgrade(docs: list[dict]) -> None:
    del pod(docs)["initContainers"]


def _upgrade_other_uri(docs: list[dict]) -> None:
    init(docs)["env"][0] = {"name": "MLFLOW_BACKEND_STORE_URI", "value": "postgresql://mlflow@postgres:5432/other"}


CASES: list[tuple[str, Callable, Callable[[list[dict]], None], str]] = [
    # ---- PersistentVolumes and claims
    ("pvc-volume-name-unknown", inv.check_volumes,
     lambda d: obj(d, "PersistentVolumeClaim", "minio-data")["spec"].update(volumeName="nope"),
     "volumeName 'nope' names no PersistentVolume"),
    ("pvc-storage-class-differs", inv.check_volumes,
     lambda d: obj(d, "PersistentVolumeClaim", "minio-data")["spec"].update(storageClassName="standard"),
     "storageClassName 'standard' differs"),
    ("pvc-storage-class-missing", inv.check_volumes,
     lambda d: _rm(obj(d, "PersistentVolumeClaim", "minio-data")["spec"], "storageClassName"),
     "storageClassName None differs"),
    ("pvc-request-exceeds-pv", inv.check_volumes,
     lambda d: obj(d, "PersistentVolumeClaim", "minio-data")["spec"]["resources"]["requests"].update(storage="101Gi"),
     "requests more storage than PersistentVolume minio-data"),
    ("sts-template-request-exceeds-pv", inv.check_volumes,
     lambda d: obj(d, "StatefulSet", "postgres")["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]
     .update(storage="20Gi"), "(PVC data-postgres-0): requests more storage"),
    ("pvc-access-mode-not-offered", inv.check_volumes,
     lambda d: obj(d, "PersistentVolumeClaim", "minio-data")["spec"].update(accessModes=["ReadWriteMany"]),
     "access modes ['ReadWriteMany'] not offered"),
    ("pv-without-claim", inv.check_volumes, _add_pv, "PersistentVolume orphan: claimed by 0 claims"),
    ("pv-with-two-claims", inv.check_volumes, _second_claim, "PersistentVolume minio-data: claimed by 2 claims"),
    ("sts-template-two-replicas-one-pv", inv.check_volumes,
     lambda d: obj(d, "StatefulSet", "postgres")["spec"].update(replicas=2),
     "PersistentVolume pg-data: claimed by 2 claims"),
    ("pvc-unbound-while-pvs-exist", inv.check_volumes,
     lambda d: _rm(obj(d, "PersistentVolumeClaim", "minio-data")["spec"], "volumeName"),
     "has PersistentVolumes but the claim is bound to none"),
    ("pv-claimref-names-other-claim", inv.check_volumes,
     lambda d: obj(d, "PersistentVolume", "minio-data")["spec"].update(claimRef={"namespace": "mlflow", "name": "x"}),
     "claimRef mlflow/x is not"),
    ("local-pv-without-node-affinity", inv.check_volumes,
     lambda d: _rm(obj(d, "PersistentVolume", "pg-data")["spec"], "nodeAffinity"),
     "local PersistentVolume needs spec.nodeAffinity.required"),
    # ---- Services
    ("service-selector-matches-nothing", inv.check_services,
     lambda d: obj(d, "Service", "mlflowd")["spec"].update(selector={"app.kubernetes.io/name": "mlflow"}),
     "matches no pod template"),
    ("service-selector-other-namespace", inv.check_services, _service_in_other_ns, "Service other/minio: selector"),
    ("service-target-port-name-missing", inv.check_services,
     lambda d: obj(d, "Service", "mlflowd")["spec"]["ports"][0].update(targetPort="web"),
     "targetPort 'web' is not a containerPort"),
    ("service-target-port-number-missing", inv.check_services,
     lambda d: obj(d, "Service", "minio")["spec"]["ports"][0].update(targetPort=9001),
     "targetPort 9001 is not a containerPort"),
    ("service-default-target-port-missing", inv.check_services,
     lambda d: _rm(obj(d, "Service", "mlflowd")["spec"]["ports"][0], "targetPort"),
     "targetPort 80 is not a containerPort"),
    ("service-without-selector", inv.check_services,
     lambda d: _rm(obj(d, "Service", "mlflowd")["spec"], "selector"),
     "Service mlflow/mlflowd: has no selector and no Endpoints"),
    # ---- Secret / ConfigMap references
    ("secret-key-ref-missing-secret", inv.check_config_refs,
     lambda d: env_of(server(d), "MLFLOW_BACKEND_STORE_URI")["valueFrom"]["secretKeyRef"].update(name="db"),
     "Secret 'db' is not in the rendered output"),
    ("secret-key-ref-missing-key", inv.check_config_refs,
     lambda d: env_of(server(d), "MLFLOW_BACKEND_STORE_URI")["valueFrom"]["secretKeyRef"].update(key="uri"),
     "Secret 'mlflow-db' has no key 'uri'"),
    ("configmap-key-ref-missing-key", inv.check_config_refs,
     lambda d: env_of(pod(d, "StatefulSet", "postgres")["containers"][0], "POSTGRES_DB")["valueFrom"]
     ["configMapKeyRef"].update(key="DB"), "ConfigMap 'mlflowd-config' has no key 'DB'"),
    ("env-from-missing-configmap", inv.check_config_refs,
     lambda d: server(d)["envFrom"][0]["configMapRef"].update(name="gone"), "ConfigMap 'gone' is not in"),
    ("env-from-missing-secret", inv.check_config_refs,
     lambda d: pod(d, "StatefulSet", "minio")["containers"][0]["envFrom"][0]["secretRef"].update(name="gone"),
     "Secret 'gone' is not in"),
    ("volume-secret-missing", inv.check_config_refs,
     lambda d: pod(d)["volumes"].append({"name": "tls", "secret": {"secretName": "tls"}}),
     "volume tls: Secret 'tls' is not in"),
    ("volume-configmap-item-missing", inv.check_config_refs,
     lambda d: pod(d)["volumes"][1]["configMap"]["items"][0].update(key="CA_PEM"),
     "ConfigMap 'mlflowd-config' has no key 'CA_PEM'"),
    # ---- probes
    ("probe-port-name-missing", inv.check_probes,
     lambda d: server(d)["livenessProbe"]["httpGet"].update(port="metrics"), "livenessProbe: port 'metrics'"),
    ("probe-port-number-missing", inv.check_probes,
     lambda d: pod(d, "StatefulSet", "minio")["containers"][0]["readinessProbe"]["httpGet"].update(port=9001),
     "container minio readinessProbe: port 9001"),
    ("readiness-path-not-health", inv.check_probes,
     lambda d: server(d)["readinessProbe"]["httpGet"].update(path="/version"), "readinessProbe: path '/version'"),
    ("probe-path-unknown", inv.check_probes,
     lambda d: server(d)["livenessProbe"]["httpGet"].update(path="/healthz"), "livenessProbe: path '/healthz'"),
    ("probe-path-without-prefix", inv.check_probes,
     lambda d: (with_prefix(d), server(d)["startupProbe"]["httpGet"].update(path="/health")),
     "startupProbe: path '/health' should be one of ['/mlflow/health', '/mlflow/version']"),
    ("probe-path-prefix-from-env", inv.check_probes,
     lambda d: server(d)["env"].append({"name": "MLFLOW_STATIC_PREFIX", "value": "/mlflow"}),
     "readinessProbe: path '/health' should be one of ['/mlflow/health']"),
    ("startup-probe-missing", inv.check_probes, lambda d: _rm(server(d), "startupProbe"), "has no startupProbe"),
    ("liveness-not-http", inv.check_probes,
     lambda d: server(d).update(livenessProbe={"tcpSocket": {"port": "http"}}), "livenessProbe: not an httpGet"),
    # ---- listening address
    ("server-default-host", inv.check_server_listen,
     lambda d: server(d)["args"].__delitem__(slice(1, 3)), "listens on '127.0.0.1'"),
    ("server-port-undeclared", inv.check_server_listen,
     lambda d: server(d)["args"].__setitem__(3, "--port=8080"), "port '8080', which is not a declared"),
    # ---- backend store
    ("backend-host-not-the-service", inv.check_backend_store,
     lambda d: set_secret(d, "mlflow-db", "MLFLOW_BACKEND_STORE_URI", "postgresql://u:p@postgresql:5432/mlflow"),
     "host 'postgresql' is none of"),
    ("backend-port-not-the-service", inv.check_backend_store,
     lambda d: set_secret(d, "mlflow-db", "MLFLOW_BACKEND_STORE_URI", "postgresql://u:p@postgres.mlflow:5433/m"),
     "port 5433 is not a port of Service postgres.mlflow"),
    ("backend-is-sqlite", inv.check_backend_store,
     lambda d: set_arg(server(d), "--backend-store-uri", "sqlite:///mlflow.db"), "is not a postgresql:// URI"),
    ("backend-missing", inv.check_backend_store,
     lambda d: server(d).update(args=["server", "--host", "0.0.0.0"], env=[]), "None is not a postgresql://"),
    ("backend-secret-not-rendered", inv.check_backend_store,
     lambda d: env_of(server(d), "MLFLOW_BACKEND_STORE_URI")["valueFrom"]["secretKeyRef"].update(name="ext"),
     "comes from outside the rendered output"),
    ("backend-no-pg-service", inv.check_backend_store,
     lambda d: obj(d, "Service", "postgres")["spec"].update(selector={"x": "y"}), "no Service selects the PostgreSQL"),
    # ---- S3 endpoint
    ("s3-endpoint-host-wrong", inv.check_s3_endpoint,
     lambda d: obj(d, "ConfigMap", "mlflowd-config")["data"].update(MLFLOW_S3_ENDPOINT_URL="http://s3:9000"),
     "MLFLOW_S3_ENDPOINT_URL host 's3' is none of"),
    ("s3-endpoint-port-wrong", inv.check_s3_endpoint,
     lambda d: obj(d, "ConfigMap", "mlflowd-config")["data"].update(MLFLOW_S3_ENDPOINT_URL="http://minio:9001"),
     "port 9001 is not a port of Service minio"),
    ("s3-endpoint-default-port", inv.check_s3_endpoint,
     lambda d: obj(d, "ConfigMap", "mlflowd-config")["data"].update(MLFLOW_S3_ENDPOINT_URL="http://minio"),
     "port 80 is not a port"),
    ("s3-endpoint-missing", inv.check_s3_endpoint,
     lambda d: obj(d, "ConfigMap", "mlflowd-config")["data"].pop("MLFLOW_S3_ENDPOINT_URL"),
     "MLFLOW_S3_ENDPOINT_URL is not set"),
    # ---- $(VAR) references
    ("arg-var-undefined", inv.check_var_refs,
     lambda d: set_arg(server(d), "--backend-store-uri", "$(DB_URI)"), "$(DB_URI) in command/args is not defined"),
    ("env-var-used-before-defined", inv.check_var_refs,
     lambda d: server(d)["env"].insert(0, {"name": "X", "value": "$(MLFLOW_BACKEND_STORE_URI)"}),
     "env X uses $(MLFLOW_BACKEND_STORE_URI) before it is defined"),
    # ---- images
    ("image-latest", inv.check_images,
     lambda d: pod(d, "StatefulSet", "minio")["containers"][0].update(image="minio/minio:latest"), "uses :latest"),
    ("image-untagged", inv.check_images,
     lambda d: init(d).update(image="ghcr.io/example/mlflowd"), "has no tag or digest"),
    ("image-registry-port-untagged", inv.check_images,
     lambda d: init(d).update(image="registry:5000/mlflowd"), "has no tag or digest"),
    # ---- ConfigMap contents
    ("configmap-password-key", inv.check_configmap_secrets,
     lambda d: obj(d, "ConfigMap", "mlflowd-config")["data"].update(POSTGRES_PASSWORD="x"),
     "'POSTGRES_PASSWORD' looks"),
    ("configmap-access-key", inv.check_configmap_secrets,
     lambda d: obj(d, "ConfigMap", "mlflowd-config")["data"].update(aws_access_key_id="x"), "looks like a secret"),
    ("configmap-secret-value", inv.check_configmap_secrets,
     lambda d: obj(d, "ConfigMap", "mlflowd-config")["data"].update(PGPASS="s3cr3t-pw"), "also in a Secret"),
    ("configmap-uri-with-password", inv.check_configmap_secrets,
     lambda d: obj(d, "ConfigMap", "mlflowd-config")["data"].update(DB="postgresql://a:b@h/db"), "URI with a password"),
    # ---- the mlflowd pod
    ("run-as-non-root-missing", inv.check_mlflowd_pod,
     lambda d: _rm(pod(d)["securityContext"], "runAsNonRoot"), "container mlflowd: runAsNonRoot is not true"),
    ("run-as-root-user", inv.check_mlflowd_pod,
     lambda d: server(d)["securityContext"].update(runAsUser=0), "runAsUser is 0"),
    ("read-only-root-false", inv.check_mlflowd_pod,
     lambda d: server(d)["securityContext"].update(readOnlyRootFilesystem=False), "readOnlyRootFilesystem is not true"),
    ("privilege-escalation-unset", inv.check_mlflowd_pod,
     lambda d: _rm(init(d)["securityContext"], "allowPrivilegeEscalation"),
     "container db-upgrade: allowPrivilegeEscalation is not false"),
    ("capabilities-not-dropped", inv.check_mlflowd_pod,
     lambda d: server(d)["securityContext"]["capabilities"].update(drop=["NET_RAW"]), "drop does not contain ALL"),
    ("seccomp-missing", inv.check_mlflowd_pod,
     lambda d: _rm(pod(d)["securityContext"], "seccompProfile"), "seccompProfile is not RuntimeDefault"),
    ("limits-missing", inv.check_mlflowd_pod,
     lambda d: _rm(server(d)["resources"], "limits"), "resources.limits must set memory"),
    ("requests-cpu-missing", inv.check_mlflowd_pod,
     lambda d: _rm(init(d)["resources"]["requests"], "cpu"), "resources.requests must set cpu and memory"),
    ("sa-token-mounted", inv.check_mlflowd_pod,
     lambda d: _rm(pod(d), "automountServiceAccountToken"), "automountServiceAccountToken is not false"),
    # ---- PDB / HPA / Ingress
    ("pdb-missing", inv.check_availability,
     lambda d: d.remove(obj(d, "PodDisruptionBudget", "mlflowd")), "no PodDisruptionBudget selects"),
    ("pdb-selects-other-pods", inv.check_availability,
     lambda d: obj(d, "PodDisruptionBudget", "mlflowd")["spec"].update(selector={"matchLabels": {"app": "x"}}),
     "no PodDisruptionBudget selects"),
    ("hpa-targets-other", inv.check_availability,
     lambda d: obj(d, "HorizontalPodAutoscaler", "mlflowd")["spec"]["scaleTargetRef"].update(name="mlflow"),
     "no HorizontalPodAutoscaler has it"),
    ("allowed-hosts-miss-ingress", inv.check_allowed_hosts,
     lambda d: obj(d, "Ingress", "mlflowd")["spec"]["rules"][0].update(host="other.example"),
     "Host 'other.example' is not in its allowed hosts"),
    ("ingress-missing", inv.check_ingress, lambda d: d.remove(obj(d, "Ingress", "mlflowd")), "no Ingress path routes"),
    ("ingress-port-wrong", inv.check_ingress, _ingress_port, "backend port {'number': 5000} is not a port"),
    ("ingress-path-not-prefix", inv.check_ingress,
     lambda d: (with_prefix(d), obj(d, "Ingress", "mlflowd")["spec"]["rules"][0]["http"]["paths"][0].update(path="/")),
     "path '/' routes to mlflowd, expected the static prefix '/mlflow'"),
    # ---- db upgrade
    ("db-upgrade-missing", inv.check_db_upgrade, _no_db_upgrade, "no init container or Job runs `db upgrade`"),
    ("db-upgrade-other-uri", inv.check_db_upgrade, _upgrade_other_uri, "db upgrade URI 'postgresql://mlflow@postgres"),
    ("db-upgrade-other-image", inv.check_db_upgrade,
     lambda d: init(d).update(image="ghcr.io/example/mlflowd:0.0.9"), "image ghcr.io/example/mlflowd:0.0.9 differs"),
    # ---- Pod Security admission ("restricted" on the namespace)
    ("pss-escalation-unset", inv.check_pod_security,
     lambda d: _rm(pod(d, "StatefulSet", "minio")["containers"][0]["securityContext"], "allowPrivilegeEscalation"),
     "StatefulSet mlflow/minio container minio: allowPrivilegeEscalation must be false"),
    ("pss-root", inv.check_pod_security,
     lambda d: pod(d, "StatefulSet", "postgres")["securityContext"].update(runAsNonRoot=False),
     "container postgres: runAsNonRoot must be true"),
    ("pss-host-path", inv.check_pod_security,
     lambda d: pod(d, "StatefulSet", "minio")["volumes"].append({"name": "h", "hostPath": {"path": "/srv"}}),
     "volume h: type ['hostPath'] is not allowed"),
    ("pss-capability-added", inv.check_pod_security,
     lambda d: pod(d, "StatefulSet", "postgres")["containers"][0]["securityContext"]["capabilities"]
     .update(add=["CHOWN"]), "capabilities.add may only hold NET_BIND_SERVICE"),
    ("pss-host-network", inv.check_pod_security,
     lambda d: pod(d, "StatefulSet", "minio").update(hostNetwork=True), "hostNetwork is not allowed"),
    # ---- NetworkPolicies
    ("netpol-selects-nothing", inv.check_network_policies,
     lambda d: obj(d, "NetworkPolicy", "minio")["spec"]["podSelector"].update(matchLabels={"app": "s3"}),
     "NetworkPolicy mlflow/minio: podSelector matches no pod template"),
    ("netpol-from-selects-nothing", inv.check_network_policies,
     lambda d: obj(d, "NetworkPolicy", "postgres")["spec"]["ingress"][0]["from"][0]["podSelector"]
     ["matchLabels"].update({"app.kubernetes.io/name": "mlflow"}), "ingress from podSelector"),
    ("netpol-port-not-container-port", inv.check_network_policies,
     lambda d: obj(d, "NetworkPolicy", "postgres")["spec"]["ingress"][0]["ports"][0].update(port=5433),
     "ingress port 5433 is not a containerPort"),
    ("netpol-blocks-server-to-db", inv.check_network_policies,
     lambda d: obj(d, "NetworkPolicy", "postgres")["spec"]["ingress"][0]["from"][0]["podSelector"]
     ["matchLabels"].update({"app.kubernetes.io/name": "minio"}),
     "Deployment mlflow/mlflowd -> Service mlflow/postgres:5432: blocked by the NetworkPolicies on StatefulSet"),
    ("netpol-blocks-named-port", inv.check_network_policies,
     lambda d: obj(d, "NetworkPolicy", "minio")["spec"]["ingress"][0]["ports"][0].update(port="console"),
     "-> Service mlflow/minio:9000: blocked"),
    ("netpol-egress-blocks-minio", inv.check_network_policies,
     lambda d: obj(d, "NetworkPolicy", "mlflowd-egress")["spec"]["egress"].pop(),
     "-> Service mlflow/minio:9000: blocked by its egress NetworkPolicies"),
    ("netpol-egress-without-dns", inv.check_network_policies,
     lambda d: obj(d, "NetworkPolicy", "mlflowd-egress")["spec"]["egress"].pop(0), "do not allow DNS (UDP 53)"),
    ("netpol-other-namespace-peer", inv.check_network_policies,
     lambda d: obj(d, "NetworkPolicy", "postgres")["spec"]["ingress"][0]["from"][0].update(
         namespaceSelector={"matchLabels": {"kubernetes.io/metadata.name": "other"}}),
     "-> Service mlflow/postgres:5432: blocked by the NetworkPolicies"),
]


@pytest.mark.parametrize("check, mutate, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_checker_reports_defect(check: Callable, mutate: Callable, expected: str):
    docs = stack()
    mutate(docs)
    problems = run(check, docs)
    assert any(expected in p for p in problems), f"{check.__name__} missed the defect; it reported {problems}"


def test_every_check_has_a_failing_case():
    covered = {c[1] for c in CASES}
    assert [c.__name__ for c in inv.CHECKS if c not in covered] == []


@pytest.mark.parametrize("check", inv.CHECKS, ids=lambda c: c.__name__)
def test_check_reports_missing_server(check: Callable):
    docs = [d for d in stack() if d["kind"] != "Deployment"]
    needs_server = check not in (inv.check_volumes, inv.check_services, inv.check_config_refs,
                                 inv.check_var_refs, inv.check_images, inv.check_configmap_secrets,
                                 inv.check_pod_security, inv.check_network_policies)
    problems = run(check, docs)
    if needs_server:
        assert any("no Deployment has a container with an `mlflowd` image" in p for p in problems)
    else:
        assert not any("mlflowd" in p and "Deployment" in p for p in problems)


# --------------------------------------------------------------------------- things that must NOT fire


def test_digest_pinned_image_is_accepted():
    docs = stack()
    init(docs)["image"] = "ghcr.io/example/mlflowd@sha256:" + "a" * 64
    assert inv.check_images(Manifest(docs)) == []


def test_username_shared_with_configmap_is_not_a_leak():
    # POSTGRES_USER "mlflow" (a Secret) equals POSTGRES_DB "mlflow" (the ConfigMap) in the good stack.
    assert inv.check_configmap_secrets(Manifest(stack())) == []


def test_backend_host_forms_are_all_accepted():
    for host in ("postgres", "postgres.mlflow", "postgres.mlflow.svc", "postgres.mlflow.svc.cluster.local"):
        docs = stack()
        set_secret(docs, "mlflow-db", "MLFLOW_BACKEND_STORE_URI", f"postgresql+psycopg2://u:p@{host}:5432/mlflow")
        init(docs)["env"] = server(docs)["env"]
        assert inv.check_all(Manifest(docs)) == [], host


def test_external_database_needs_no_postgres_service():
    docs = [d for d in stack() if d["metadata"]["name"] not in ("postgres", "pg-data")]
    set_secret(docs, "mlflow-db", "MLFLOW_BACKEND_STORE_URI", "postgresql://u:p@db.example.com:5432/mlflow")
    assert inv.check_backend_store(Manifest(docs)) == []


def test_selectorless_service_with_endpoints_is_accepted():
    docs = stack()
    del obj(docs, "Service", "postgres")["spec"]["selector"]
    docs.append({"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "postgres", "namespace": "mlflow"},
                 "subsets": [{"addresses": [{"ip": "10.0.0.5"}], "ports": [{"name": "postgres", "port": 5432}]}]})
    assert inv.check_services(Manifest(docs)) == []


def test_pod_security_is_only_enforced_where_the_namespace_asks():
    docs = stack()
    del obj(docs, "Namespace", "mlflow")["metadata"]["labels"]
    del pod(docs, "StatefulSet", "minio")["securityContext"]
    assert inv.check_pod_security(Manifest(docs)) == []


def test_namespace_selector_matching_own_namespace_is_allowed():
    docs = stack()
    obj(docs, "NetworkPolicy", "postgres")["spec"]["ingress"][0]["from"][0]["namespaceSelector"] = {
        "matchLabels": {"pod-security.kubernetes.io/enforce": "restricted"}}
    assert inv.check_network_policies(Manifest(docs)) == []


def test_shell_wrapped_db_upgrade_is_understood():
    docs = stack()
    init(docs).update(command=["sh", "-c"], args=['exec mlflowd db upgrade "$MLFLOW_BACKEND_STORE_URI"'])
    assert inv.check_db_upgrade(Manifest(docs)) == []


# --------------------------------------------------------------------------- the model helpers


@pytest.mark.parametrize("q, value", [("10Gi", 10 * 2**30), ("100G", 10**11), ("500m", Fraction(1, 2)),
                                      ("1.5Mi", 3 * 2**19), ("2", 2), ("1e3", 1000)])
def test_parse_quantity(q: str, value):
    assert parse_quantity(q) == value


def test_parse_quantity_rejects_garbage():
    with pytest.raises(ValueError):
        parse_quantity("10 GB")


@pytest.mark.parametrize("image, parts", [
    ("mlflowd", ("mlflowd", None, None)),
    ("mlflowd:0.1", ("mlflowd", "0.1", None)),
    ("registry:5000/a/mlflowd", ("registry:5000/a/mlflowd", None, None)),
    ("registry:5000/mlflowd:1@sha256:ab", ("registry:5000/mlflowd", "1", "sha256:ab")),
])
def test_image_parts(image: str, parts):
    assert image_parts(image) == parts


def test_expand_follows_kubernetes_rules():
    env = {"A": "x"}
    assert expand("$(A)-$(B)-$$(A)", env) == "x-$(B)-$(A)"
    assert var_refs("$(A)-$$(C)-$(B)") == ["A", "B"]


def test_label_selector_expressions():
    labels = {"app": "mlflowd", "tier": "web"}
    in_expr = {"matchExpressions": [{"key": "app", "operator": "In", "values": ["mlflowd"]}]}
    assert label_selector_matches(in_expr, labels)
    assert not label_selector_matches({"matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}]}, labels)
    assert not label_selector_matches({}, labels)


def test_effective_argv_expands_shell_scripts():
    m = Manifest(stack())
    c = {"command": ["/bin/sh", "-c"], "args": ["mlflowd db upgrade ${U}"], "env": [{"name": "U", "value": "u"}]}
    assert effective_argv(m, c, "mlflow") == ["mlflowd", "db", "upgrade", "u"]


def test_db_upgrade_uri_from_env_is_understood():
    """`mlflowd db upgrade` with no URL argument reads MLFLOW_BACKEND_STORE_URI."""
    docs = stack()
    init(docs)["args"] = ["db", "upgrade"]
    assert inv.check_db_upgrade(Manifest(docs)) == []
    init(docs)["env"][0] = {"name": "MLFLOW_BACKEND_STORE_URI",
                            "value": "postgresql://mlflow@postgres:5432/other"}
    problems = inv.check_db_upgrade(Manifest(docs))
    assert len(problems) == 1 and "db upgrade URI 'postgresql://mlflow@postgres:5432/other'" \
        in problems[0], problems


def test_ingress_host_must_be_an_allowed_host():
    """An Ingress host missing from MLFLOW_SERVER_ALLOWED_HOSTS would be a 403 for everyone."""
    docs = stack()
    obj(docs, "Ingress", "mlflowd")["spec"]["rules"][0]["host"] = "mlflow.example.org"
    env = pod(docs)["containers"][0].setdefault("env", [])
    env.append({"name": "MLFLOW_SERVER_ALLOWED_HOSTS", "value": "mlflowd,mlflowd.*"})
    problems = inv.check_allowed_hosts(Manifest(docs))
    assert any("'mlflow.example.org' is not in its allowed hosts" in p for p in problems), problems
    env[-1]["value"] = "mlflow.example.org,mlflowd,mlflowd:*,mlflowd.*"
    assert inv.check_allowed_hosts(Manifest(docs)) == []


def test_service_names_need_allowed_hosts_by_default():
    """With MLflow's default allow-list only loopback and private IPs pass: the Service's DNS
    names do not."""
    docs = stack()
    container = pod(docs)["containers"][0]
    container["env"] = [e for e in container["env"] if e["name"] != "MLFLOW_SERVER_ALLOWED_HOSTS"]
    problems = inv.check_allowed_hosts(Manifest(docs))
    assert any("Host 'mlflowd.mlflow.svc'" in p for p in problems), problems

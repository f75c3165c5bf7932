"""Cluster-policy invariants: Pod Security admission and NetworkPolicies.

Two ways a manifest that renders and validates still fails once applied:
- the namespace enforces the "restricted" Pod Security Standard and a pod template breaks it
  (the API server then refuses to create the pods: the ReplicaSet or Job just stays empty);
- a NetworkPolicy's selectors or ports drift from the pods they guard, so a client that the
  manifests wire to a Service (a URL in its env or args) is silently blocked.
Each `check_*` returns problems as strings, like k8s_invariants.py, which lists them in CHECKS.
"""

from __future__ import annotations

import re

from k8s_model import (
    Manifest, Obj, PodTemplate, container_env, effective_argv, label_selector_matches, ns_of, ref,
    selector_matches, service_hosts,
)

Problems = list[str]

# https://kubernetes.io/docs/concepts/security/pod-security-standards/ ("Restricted", v1.30)
RESTRICTED_VOLUME_TYPES = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
                           "persistentVolumeClaim", "projected", "secret"}
URL = re.compile(r"([a-z][a-z0-9.-]*)(?:\+[a-z0-9]+)?://(?:[^@/\s]*@)?([A-Za-z0-9.-]+)(?::(\d+))?")
DEFAULT_PORTS = {"http": 80, "https": 443, "postgresql": 5432, "postgres": 5432, "s3": 443}


def _pss_level(m: Manifest, ns: str) -> str | None:
    for n in m.of_kind("Namespace"):
        if (n.get("metadata") or {}).get("name") == ns:
            return ((n.get("metadata") or {}).get("labels") or {}).get("pod-security.kubernetes.io/enforce")
    return None


def _restricted_problems(pt: PodTemplate) -> Problems:
    out: Problems = []
    spec, owner = pt.spec, ref(pt.owner)
    pod_sc = spec.get("securityContext") or {}
    for key in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(key):
            out.append(f"{owner}: {key} is not allowed")
    for v in spec.get("volumes") or []:
        kinds = set(v) - {"name"}
        if not kinds <= RESTRICTED_VOLUME_TYPES:
            out.append(f"{owner} volume {v.get('name')}: type {sorted(kinds)} is not allowed")
    for c in list(pt.containers()) + list(spec.get("ephemeralContainers") or []):
        sc = c.get("securityContext") or {}
        label = f"{owner} container {c.get('name')}"
        if sc.get("privileged"):
            out.append(f"{label}: privileged")
        if sc.get("allowPrivilegeEscalation") is not False:
            out.append(f"{label}: allowPrivilegeEscalation must be false")
        caps = sc.get("capabilities") or {}
        if "ALL" not in (caps.get("drop") or []):
            out.append(f"{label}: capabilities.drop must contain ALL")
        if set(caps.get("add") or []) - {"NET_BIND_SERVICE"}:
            out.append(f"{label}: capabilities.add may only hold NET_BIND_SERVICE")
        if sc.get("runAsNonRoot", pod_sc.get("runAsNonRoot")) is not True:
            out.append(f"{label}: runAsNonRoot must be true")
        if sc.get("runAsUser", pod_sc.get("runAsUser")) == 0:
            out.append(f"{label}: runAsUser 0")
        seccomp = (sc.get("seccompProfile") or pod_sc.get("seccompProfile") or {}).get("type")
        if seccomp not in ("RuntimeDefault", "Localhost"):
            out.append(f"{label}: seccompProfile must be RuntimeDefault or Localhost")
        if any(p.get("hostPort") for p in c.get("ports") or []):
            out.append(f"{label}: hostPort is not allowed")
    return out


def check_pod_security(m: Manifest) -> Problems:
    """Pods in a namespace labelled `pod-security.kubernetes.io/enforce: restricted` meet it."""
    problems: Problems = []
    for pt in m.pod_templates():
        level = _pss_level(m, pt.ns)
        if level == "restricted":
            problems += _restricted_problems(pt)
        elif level not in (None, "baseline", "privileged"):
            problems.append(f"Namespace {pt.ns}: unknown Pod Security level {level!r}")
    return problems


# --------------------------------------------------------------------------- NetworkPolicies


def _selects(np: Obj, pt: PodTemplate) -> bool:
    if ns_of(np) != pt.ns:
        return False
    sel = (np.get("spec") or {}).get("podSelector")
    return not sel or label_selector_matches(sel, pt.labels)  # {} selects every pod


def _types(np: Obj) -> set[str]:
    spec = np.get("spec") or {}
    types = set(spec.get("policyTypes") or [])
    if not types:
        types = {"Ingress"} | ({"Egress"} if "egress" in spec else set())
    return types


def _namespace_labels(m: Manifest, ns: str) -> dict[str, str]:
    labels = {"kubernetes.io/metadata.name": ns}
    for n in m.of_kind("Namespace"):
        if (n.get("metadata") or {}).get("name") == ns:
            labels.update(((n.get("metadata") or {}).get("labels")) or {})
    return labels


def _peer_matches(m: Manifest, peer: Obj, pt: PodTemplate, ns: str) -> bool:
    """Does a NetworkPolicy peer of a policy in namespace `ns` cover pod template `pt`?"""
    if "ipBlock" in peer:
        return False  # pod-to-pod traffic is not something we can judge against ipBlocks
    if "namespaceSelector" in peer:
        nsel = peer["namespaceSelector"]
        if nsel and not label_selector_matches(nsel, _namespace_labels(m, pt.ns)):
            return False
    elif pt.ns != ns:
        return False
    sel = peer.get("podSelector")
    return not sel or label_selector_matches(sel, pt.labels)


def _port_allowed(rule: Obj, number: int, name: str | None, protocol: str = "TCP") -> bool:
    ports = rule.get("ports") or []
    if not ports:
        return True
    for p in ports:
        if (p.get("protocol") or "TCP") != protocol:
            continue
        port = p.get("port")
        end = p.get("endPort")
        if port is None or port == number or (name is not None and port == name) or \
                (isinstance(port, int) and end is not None and port <= number <= end):
            return True
    return False


def _allowed(m: Manifest, policies: list[Obj], direction: str, peer_pt: PodTemplate, ns: str, number: int,
             name: str | None) -> bool:
    key, peers_key = ("ingress", "from") if direction == "Ingress" else ("egress", "to")
    for np in policies:
        for rule in (np.get("spec") or {}).get(key) or []:
            peers = rule.get(peers_key)
            if (not peers or any(_peer_matches(m, p, peer_pt, ns) for p in peers)) and \
                    _port_allowed(rule, number, name):
                return True
    return False


def _target_ports(svc: Obj, svc_port: int, pods: list[PodTemplate]) -> list[tuple[int, str | None]]:
    """(containerPort, name) pairs a Service port leads to on its pods."""
    out = []
    for p in (svc.get("spec") or {}).get("ports") or []:
        if p.get("port") != svc_port:
            continue
        tp = p.get("targetPort", p.get("port"))
        for pt in pods:
            for cp in pt.container_ports():
                if cp.get("containerPort") == tp or cp.get("name") == tp:
                    out.append((cp.get("containerPort"), cp.get("name")))
    return out


def _connections(m: Manifest, pt: PodTemplate) -> list[tuple[Obj, int]]:
    """(Service, port) pairs a pod's containers are wired to by URLs in their env or args."""
    svcs = [s for s in m.of_kind("Service") if ns_of(s) == pt.ns]
    found = []
    for c in pt.containers():
        words = list(container_env(m, c, pt.ns).values()) + effective_argv(m, c, pt.ns)
        for w in words:
            for scheme, host, port in URL.findall(w):
                for s in svcs:
                    if host in service_hosts(s):
                        found.append((s, int(port) if port else DEFAULT_PORTS.get(scheme, 80)))
    return found


def check_network_policies(m: Manifest) -> Problems:
    """NetworkPolicy selectors and ports match real pods, and every URL-wired client may connect."""
    problems: Problems = []
    nps = m.of_kind("NetworkPolicy")
    pts = m.pod_templates()
    for np in nps:
        ns, spec = ns_of(np), np.get("spec") or {}
        guarded = [pt for pt in pts if _selects(np, pt)]
        if not guarded:
            problems.append(f"{ref(np)}: podSelector matches no pod template")
        for rule in spec.get("ingress") or []:
            for peer in rule.get("from") or []:
                if peer.get("podSelector") and "namespaceSelector" not in peer and \
                        not any(_peer_matches(m, peer, pt, ns) for pt in pts):
                    problems.append(f"{ref(np)}: ingress from podSelector {peer['podSelector']} "
                                    "matches no pod template")
            for p in rule.get("ports") or []:
                port = p.get("port")
                if port is not None and guarded and not any(
                        cp.get("containerPort") == port or cp.get("name") == port
                        for pt in guarded for cp in pt.container_ports()):
                    problems.append(f"{ref(np)}: ingress port {port!r} is not a containerPort of the pods it guards")
    for client in pts:
        egress = [np for np in nps if _selects(np, client) and "Egress" in _types(np)]
        conns = _connections(m, client)
        dns_ok = any(_port_allowed(r, 53, None, "UDP")
                     for np in egress for r in (np.get("spec") or {}).get("egress") or [])
        if egress and conns and not dns_ok:
            problems.append(f"{ref(client.owner)}: its egress NetworkPolicies do not allow DNS (UDP 53)")
        for svc, port in conns:
            targets = [pt for pt in pts if pt.ns == ns_of(svc)
                       and selector_matches((svc.get("spec") or {}).get("selector"), pt.labels)]
            for number, name in _target_ports(svc, port, targets):
                for target in targets:
                    ingress = [np for np in nps if _selects(np, target) and "Ingress" in _types(np)]
                    if ingress and not _allowed(m, ingress, "Ingress", client, target.ns, number, name):
                        problems.append(f"{ref(client.owner)} -> {ref(svc)}:{port}: blocked by the NetworkPolicies "
                                        f"on {ref(target.owner)} {[ref(n) for n in ingress]}")
                    if egress and not _allowed(m, egress, "Egress", target, client.ns, number, name):
                        problems.append(f"{ref(client.owner)} -> {ref(svc)}:{port}: blocked by its egress "
                                        f"NetworkPolicies {[ref(n) for n in egress]}")
    return sorted(set(problems))

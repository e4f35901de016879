"""Services -> names on the project network, environment variables and proxy pods (pure).

| Service                                         | on the host                                      |
|-------------------------------------------------|--------------------------------------------------|
| ClusterIP, every port reaches the same port on  | network aliases ``<svc>``, ``<svc>.<ns>``, ``<svc>.<ns>.svc``, |
| each selected pod                               | ``<svc>.<ns>.svc.cluster.local`` on every selected pod: aardvark-dns answers with all their addresses |
| ClusterIP with ``port`` != ``targetPort`` (or a | a proxy pod ``<svc>-service`` holding those aliases, one container per port: |
| named one that differs), NodePort, LoadBalancer | ``nc -ll -p PORT -e ...`` forwards each TCP connection to a selected pod chosen at random, reached by its alias ``<pod>.<ns>.endpoints.kube2pod``; NodePort/LoadBalancer: also published on the host (``nodePort``, else ``port``) |
| headless (``clusterIP: None``)                  | the aliases on every selected pod; a selected pod's ``<hostname>.<subdomain>`` (StatefulSet: ``<sts>-<i>.<serviceName>``) too |
| ExternalName                                    | refused with a warning: aardvark-dns has no CNAME records |

Every Service of a namespace that has a cluster address (not headless, not ExternalName) gives
its pods the kubelet's ``<NAME>_SERVICE_HOST``/``_PORT`` variables, with the Service's DNS name as
the address, unless ``enableServiceLinks: false``. What one host cannot give (session
affinity, traffic policies, readiness-based endpoints) is a positioned warning.
"""

from __future__ import annotations

from typing import NamedTuple

from kube2pod.diagnostics import Diagnostics
from kube2pod.load.manifest import Manifest
from kube2pod.plan import Container, EnvVar, ObjectRef, Pod, PortMapping, ServiceRecord
from kube2pod.plan import ownership_labels
from kube2pod.translate.ports import PROTOCOLS
from kube2pod.translate.workload import PodSource

CLUSTER_DOMAIN = "cluster.local"
DEFAULT_PROXY_IMAGE = "docker.io/library/busybox:1.36"
PROXY_STOP_TIMEOUT = 1  # nc as PID 1 ignores SIGTERM


def service_names(name: str, namespace: str) -> list[str]:
    """The names a Service answers to from a pod of its namespace."""
    return [name, f"{name}.{namespace}", f"{name}.{namespace}.svc", f"{name}.{namespace}.svc.{CLUSTER_DOMAIN}"]


def endpoint_alias(pod: str, namespace: str) -> str:
    """The name a proxy reaches one selected pod by."""
    return f"{pod}.{namespace}.endpoints.kube2pod"


class Backend(NamedTuple):
    """One pod a Service may select: its workload's source and its pod name."""

    src: PodSource
    pod: str
    index: int  # replica index (StatefulSet hostnames)

    @property
    def namespace(self) -> str:
        return self.src.ctx.manifest.namespace or "default"


class Emulation:
    """What the Services become: ``aliases`` per pod name, ``env`` per namespace, the ``proxies``,
    and a ``records`` entry per Service."""

    def __init__(self):
        self.aliases: dict[str, list[str]] = {}
        self.env: dict[str, list[EnvVar]] = {}
        self.proxies: list[Pod] = []
        self.records: list[ServiceRecord] = []

    def alias(self, pod: str, names: list[str]) -> None:
        have = self.aliases.setdefault(pod, [])
        have.extend(n for n in names if n not in have)


def emulate(services: list[Manifest], sources: list[PodSource], diags: Diagnostics,
            proxy_image: str = DEFAULT_PROXY_IMAGE) -> Emulation:
    """The emulation of ``services`` over the pods of ``sources``."""
    out = Emulation()
    backends = [Backend(src, name, i) for src in sources for i, name in enumerate(src.pod_names)]
    headless = {}
    for m in sorted(services, key=lambda m: m.name):
        spec = m.obj.spec
        if spec is None:
            continue
        ns = m.namespace or "default"
        kind = spec.type or "ClusterIP"
        if kind == "ExternalName":
            diags.warning(f"Service/{m.name} (ExternalName {spec.external_name}) is not created: podman's DNS "
                          "(aardvark-dns) has no CNAME records", m.source.pos(("spec", "type")),
                          f"use {spec.external_name} directly, or hostAliases with its address")
            continue
        _unsupported(m, spec, diags)
        chosen = _selected(m, spec, backends, diags)
        names, endpoints = service_names(m.name, ns), [b.pod for b in chosen]
        if spec.cluster_ip == "None":
            headless[(ns, m.name)] = m
            for b in chosen:
                out.alias(b.pod, names)
            out.records.append(_record(m, "headless", names, spec.ports or [], endpoints))
            continue
        out.env.setdefault(ns, []).extend(link_variables(m.name, ns, spec.ports or []))
        ports = _port_targets(m, spec, chosen, diags)
        if kind == "ClusterIP" and all(t == p.port for p, targets in ports for t in targets.values()):
            for b in chosen:
                out.alias(b.pod, names)
            out.records.append(_record(m, "aliases", names, spec.ports or [], endpoints))
        elif chosen:
            for b in chosen:
                out.alias(b.pod, [endpoint_alias(b.pod, ns)])
            proxy = _proxy_pod(m, kind, ports, proxy_image, diags)
            out.proxies.append(proxy)
            out.alias(proxy.name, names)
            out.records.append(_record(m, "proxy", names, spec.ports or [], endpoints, proxy))
    _subdomains(backends, headless, out, diags)
    return out


def _record(m: Manifest, mechanism: str, names: list[str], ports: list, endpoints: list[str],
            proxy: Pod | None = None) -> ServiceRecord:
    shown = []
    for p in ports:
        if p.port is None:
            continue
        target = p.target_port if p.target_port not in (None, "", p.port) else None
        shown.append(f"{p.port}{'->' + str(target) if target is not None else ''}/{(p.protocol or 'TCP').lower()}")
    return ServiceRecord.make(
        name=m.name, source=ObjectRef.make(kind="Service", name=m.name, namespace=m.namespace, file=m.source.file,
                                           line=m.source.start.line),
        mechanism=mechanism, names=list(names), ports=shown, endpoints=list(endpoints),
        proxy=proxy.name if proxy is not None else "", host_ports=[p.host_port for p in proxy.ports] if proxy else [])


def _selected(m: Manifest, spec, backends: list[Backend], diags: Diagnostics) -> list[Backend]:
    ns = m.namespace or "default"
    selector = spec.selector or {}
    if not selector:
        diags.warning(f"Service/{m.name} has no selector: its Endpoints are not emulated, and its name does "
                      "not resolve", m.source.pos(("spec",)), "select the pods with spec.selector")
        return []
    chosen = [b for b in backends if b.namespace == ns and all(b.src.labels.get(k) == v for k, v in selector.items())]
    if not chosen:
        diags.warning(f"Service/{m.name} selects no pod of the input; its name does not resolve",
                      m.source.pos(("spec", "selector")))
    return chosen


def _unsupported(m: Manifest, spec, diags: Diagnostics) -> None:
    if (spec.session_affinity or "None") != "None":
        diags.warning(f"Service/{m.name}: sessionAffinity {spec.session_affinity} is not kept: each connection "
                      "goes to any selected pod", m.source.key_pos(("spec", "sessionAffinity")))
    for field, key in (("external_traffic_policy", "externalTrafficPolicy"),
                       ("internal_traffic_policy", "internalTrafficPolicy"), ("external_i_ps", "externalIPs"),
                       ("load_balancer_source_ranges", "loadBalancerSourceRanges")):
        if getattr(spec, field, None):
            diags.warning(f"Service/{m.name}: {key} has no meaning on one host and is ignored",
                          m.source.key_pos(("spec", key)))


def _port_targets(m: Manifest, spec, chosen: list[Backend], diags: Diagnostics) -> list[tuple]:
    """``(service port, {pod: target port number})`` for each port; pods that lack a named port are left out."""
    out = []
    for i, p in enumerate(spec.ports or []):
        if p.port is None:
            continue
        targets = {}
        for b in chosen:
            number = _target(p, b)
            if number is None:
                diags.warning(f"Service/{m.name} port {p.port}: pod {b.pod} has no container port named "
                              f"{p.target_port!r}; the Service does not send it this port",
                              m.source.pos(("spec", "ports", i, "targetPort")))
            else:
                targets[b.pod] = number
        out.append((p, targets))
    return out


def _target(port, b: Backend) -> int | None:
    target = port.target_port
    if target is None or target == "":
        return int(port.port)
    if isinstance(target, int) or str(target).isdigit():
        return int(target)
    proto = (port.protocol or "TCP").upper()
    for c in b.src.spec.containers or []:
        for cp in c.ports or []:
            if cp.name == target and (cp.protocol or "TCP").upper() == proto and cp.container_port:
                return int(cp.container_port)
    return None


def _proxy_pod(m: Manifest, kind: str, ports: list[tuple], image: str, diags: Diagnostics) -> Pod:
    ns = m.namespace or "default"
    name = f"{m.name}-service"
    ref = ObjectRef.make(kind="Service", name=m.name, namespace=m.namespace, file=m.source.file,
                         line=m.source.start.line)
    labels = ownership_labels.owner_labels("Service", m.namespace, m.name)
    containers, published = [], []
    for i, (p, targets) in enumerate(ports):
        proto = PROTOCOLS.get((p.protocol or "TCP").upper(), "tcp")
        if proto != "tcp":
            diags.warning(f"Service/{m.name} port {p.port}/{proto} is not forwarded: the proxy forwards TCP only",
                          m.source.pos(("spec", "ports", i)), "make port and targetPort equal, and the type ClusterIP")
            continue
        if not targets:
            continue
        containers.append(Container.make(
            name=f"{name}-{p.name or p.port}", image=image, entrypoint=proxy_command(int(p.port), targets, ns),
            labels=labels, restart_policy="always", stop_timeout=PROXY_STOP_TIMEOUT))
        if kind in ("NodePort", "LoadBalancer"):
            host = int(p.node_port) if kind == "NodePort" and p.node_port else int(p.port)
            published.append(PortMapping.make(host_port=host, container_port=int(p.port), protocol="tcp", host_ip=""))
    return Pod.make(name=name, source=ref, hostname=name, labels=labels, ports=published, containers=containers,
                    networks=[])


def proxy_command(port: int, targets: dict[str, int], namespace: str) -> list[str]:
    """busybox nc: for each connection to ``port``, a shell picks one target at random and relays to it
    (``exec nc HOST PORT``; ``${1%:*}`` strips the port, ``${1##*:}`` keeps it)."""
    # absolute names (a trailing dot): no search path, so no query leaves for the host's resolvers
    words = " ".join(f"{endpoint_alias(pod, namespace)}.:{n}" for pod, n in sorted(targets.items()))
    pick = f'set -- {words}; shift $((RANDOM % $#)); exec nc "${{1%:*}}" "${{1##*:}}"'
    return ["nc", "-ll", "-p", str(port), "-e", "sh", "-c", pick]


def link_variables(name: str, namespace: str, ports: list) -> list[EnvVar]:
    """The kubelet's Docker-link-style variables of one Service, its DNS name as the address."""
    host = f"{name}.{namespace}.svc.{CLUSTER_DOMAIN}"
    prefix = name.upper().replace("-", "_")
    ports = [p for p in ports if p.port is not None]
    out = [EnvVar.make(name=f"{prefix}_SERVICE_HOST", value=host)]
    if not ports:
        return out
    out.append(EnvVar.make(name=f"{prefix}_SERVICE_PORT", value=str(ports[0].port)))
    for p in ports:
        if p.name:
            out.append(EnvVar.make(name=f"{prefix}_SERVICE_PORT_{p.name.upper().replace('-', '_')}", value=str(p.port)))
    first = ports[0]
    out.append(EnvVar.make(name=f"{prefix}_PORT", value=f"{(first.protocol or 'TCP').lower()}://{host}:{first.port}"))
    for p in ports:
        proto = (p.protocol or "TCP").upper()
        key = f"{prefix}_PORT_{p.port}_{proto}"
        out += [EnvVar.make(name=key, value=f"{proto.lower()}://{host}:{p.port}"),
                EnvVar.make(name=f"{key}_PROTO", value=proto.lower()),
                EnvVar.make(name=f"{key}_PORT", value=str(p.port)),
                EnvVar.make(name=f"{key}_ADDR", value=host)]
    return out


def _subdomains(backends: list[Backend], headless: dict, out: Emulation, diags: Diagnostics) -> None:
    """``<hostname>.<subdomain>`` of each pod whose subdomain names a headless Service of its namespace
    (a StatefulSet's pods: ``<sts>-<i>.<serviceName>``)."""
    for b in backends:
        m = b.src.ctx.manifest
        if m.kind == "StatefulSet":
            sub, host = m.obj.spec.service_name, f"{m.name}-{b.index}"
            path = ("spec", "serviceName")
        else:
            sub, host = b.src.spec.subdomain, b.src.spec.hostname or b.pod
            path = b.src.ctx.spec_path + ("subdomain",)
        if not sub:
            continue
        if (b.namespace, sub) not in headless:
            if b.index == 0:
                diags.warning(f"no headless Service {sub} in namespace {b.namespace}: {host}.{sub} does not "
                              "resolve (as in Kubernetes)", m.source.key_pos(path),
                              f"add a Service {sub} with clusterIP: None")
            continue
        out.alias(b.pod, [f"{host}.{n}" for n in service_names(sub, b.namespace)])

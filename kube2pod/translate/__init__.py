"""Translation: Manifests -> Plan, as pure functions (no I/O).

``translate(manifests, options, host) -> Translation(plan, diagnostics)``. Every
field of every workload is handled, warned about or refused (see coverage). ``host``: the
ConfigMaps and Secrets an earlier apply kept on the host (read by apply/, passed in here as
input; translate/kept.py), resolved when the input lacks them; ``Translation.from_host``
names those the pods used. What no pod of the input uses is kept (translate/kept.py).
An option translate cannot use (a ``userns`` mode podman does not have) raises
``OptionError``: a usage error, not a diagnostic of the input.
"""

from __future__ import annotations

import posixpath
from typing import NamedTuple

from kube2pod import gcpause
from kube2pod.diagnostics import Diagnostic, Diagnostics, ErrorLevel, Result, SourcePos
from kube2pod.load.manifest import Manifest
from kube2pod.plan import Container, EnvVar, HostPath, Network, ObjectRef, Plan, Pod, Volume
from kube2pod.translate import kept, multus, network, podip, selinux
from kube2pod.translate.context import Context
from kube2pod.translate.objects import build_index
from kube2pod.plan.ownership_labels import with_hash
from kube2pod.translate.pod import translate_pod, userns_mode
from kube2pod.translate.pullsecrets import PullSecretRegistry
from kube2pod.translate.secrets import SecretRegistry
from kube2pod.translate.services import DEFAULT_PROXY_IMAGE, Emulation, emulate
from kube2pod.translate.workload import WORKLOAD_KINDS, PodSource, pod_sources

PASSIVE_KINDS = ("ConfigMap", "Secret", "PersistentVolumeClaim", "Service", multus.KIND)


class Options(NamedTuple):
    """publish_all: publish containerPorts without hostPort; relabel: "auto" or "none";
    userns: every pod's ``--userns`` ("": each pod's own, see translate/pod.py); level: what
    happens to warnings (``ErrorLevel.ERROR``: ``--strict``); project: the input set's name (its
    networks are ``<project>_<namespace>``); network: ``--network NAME|host|none`` ("": the
    project's); proxy_image: the image of the Service proxies (translate/services.py)."""

    publish_all: bool = False
    relabel: str = "auto"
    userns: str = ""
    level: ErrorLevel = ErrorLevel.WARN
    project: str = ""
    network: str = ""
    proxy_image: str = DEFAULT_PROXY_IMAGE


class OptionError(ValueError):
    """An option translate cannot use; the message names it."""


class Translation(Result):
    """The plan and the diagnostics of translating it (the plan is not to be used when they have errors)."""

    def __init__(self, plan: Plan, diagnostics: list[Diagnostic] | None = None,
                 from_host: list[Manifest] | None = None):
        super().__init__(diagnostics)
        self.plan = plan
        self.from_host: list[Manifest] = [] if from_host is None else from_host


def check(options: Options) -> None:
    """Raise ``OptionError`` for an option :func:`translate` would refuse (callers check before loading)."""
    try:
        userns_mode(options.userns)
        network.check_override(options.network)
    except ValueError as exc:
        raise OptionError(str(exc)) from None


def translate(manifests: list[Manifest], options: Options = Options(), host: list[Manifest] = ()) -> Translation:
    """The plan of ``manifests`` (with the cyclic GC paused, as in the loader); ``host``: the
    ConfigMaps and Secrets kept on the host, for references the input does not define."""
    check(options)
    with gcpause.paused():
        return _translate(manifests, options, list(host))


def _translate(manifests: list[Manifest], options: Options, host: list[Manifest]) -> Translation:
    diags = Diagnostics(options.level)
    userns = userns_mode(options.userns)
    claims, pvcs = _claims(manifests)
    objects = build_index(manifests, host)
    secrets = SecretRegistry()
    pulls = PullSecretRegistry()
    sources: list[PodSource] = []
    for m in manifests:
        if m.kind in WORKLOAD_KINDS:
            src = pod_sources(Context(m, diags, objects=objects, secrets=secrets, pulls=pulls))
            if src is not None:
                sources.append(src)
        elif m.kind not in PASSIVE_KINDS:
            diags.warning(f"{m.kind}/{m.name} is not translated", m.source.pos())
    relabel = _relabel_policy(sources, options.relabel)
    emulation = _services(manifests, sources, options, diags)
    networks: dict[str, Network] = {}
    nads = _definitions(manifests, options, diags)
    pods: dict[str, Pod] = {}
    volumes: dict[str, Volume] = {}
    host_paths: dict[str, HostPath] = {}
    addresses = podip.plan_addresses(sources, options.project, options.network, diags)
    for src in sources:
        src.ctx.pod_ips = addresses.by_pod
        for name in src.pod_names:
            pod, vols, hps = translate_pod(src, name, relabel, claims, pvcs, options.publish_all, userns)
            if pod is None:
                continue
            pod = _place(pod, src, emulation, options, networks, nads)
            if _check_unique(diags, pods, pod):
                pods[pod.name] = pod
            for v in vols:
                volumes.setdefault(v.name, v)
            for hp in hps:
                _merge_host_path(host_paths, hp)
    for proxy in emulation.proxies:
        namespace = proxy.source.namespace or "default"
        proxy = _on_network(proxy, namespace, emulation.aliases.get(proxy.name, []), None, options, networks)
        if _check_unique(diags, pods, proxy):
            pods[proxy.name] = proxy
    podip.place(pods, networks, addresses)
    pods = {name: with_hash(pod) for name, pod in pods.items()}
    for net in nads.values():
        networks.setdefault(net.name, net)
    _check_host_ports(diags, list(pods.values()))
    for v in kept.keep(manifests, objects, secrets, set(volumes), diags):
        volumes.setdefault(v.name, v)
    if not sources and not volumes and not secrets.by_name and not diags.has_errors:
        diags.warning("no Pod or workload found in the input; nothing to run")
    plan = Plan.make(
        sources=sorted({m.source.file for m in manifests}),
        host_paths=list(host_paths.values()),
        networks=list(networks.values()),
        volumes=list(volumes.values()),
        secrets=secrets.secrets(),
        pods=list(pods.values()),
        services=emulation.records,
        pull_secrets=pulls.secrets(),
    )
    return Translation(plan, diags.items, [s.manifest for s in objects.from_host()])


def _services(manifests: list[Manifest], sources: list[PodSource], options: Options,
              diags: Diagnostics) -> Emulation:
    services = [m for m in manifests if m.kind == "Service"]
    if options.network in network.MODES:
        for m in services:
            diags.warning(f"Service/{m.name} is not created: with --network {options.network} there is no "
                          "network to give it a name on", m.source.pos())
        return Emulation()
    return emulate(services, sources, diags, options.proxy_image)


def _definitions(manifests: list[Manifest], options: Options, diags: Diagnostics) -> dict[tuple, Network]:
    """The NetworkAttachmentDefinitions' networks (added to the plan after the project networks)."""
    bases = {ns: network.network_name(options.project or "default", ns)
             for ns in {m.namespace or "default" for m in manifests if m.kind == multus.KIND}}
    return multus.definitions(manifests, bases, diags)


def _place(pod: Pod, src: PodSource, emulation: Emulation, options: Options, networks: dict[str, Network],
           nads: dict[tuple, Network]) -> Pod:
    """The pod on its namespace's network, with its Service names and the Service variables, and on
    the networks its Multus annotation asks for."""
    if pod.network == "host":
        return pod
    if options.network in network.MODES:
        if multus.ANNOTATION in src.annotations.all and pod.name == src.pod_names[0]:
            src.ctx.diags.warning(f"{multus.ANNOTATION} is not honoured: with --network {options.network} the "
                                  "pod joins no other network",
                                  src.ctx.manifest.source.key_pos(src.annotations.paths[multus.ANNOTATION]))
        return pod.replace(network=options.network, ports=[])
    namespace = src.ctx.manifest.namespace or "default"
    pod = _on_network(pod, namespace, emulation.aliases.get(pod.name, []), src.spec.dns_policy, options, networks)
    extra = multus.attachments(src, nads, report=pod.name == src.pod_names[0])
    if extra:
        pod = pod.replace(networks=[*pod.networks, *extra])
    links = emulation.env.get(namespace, [])
    if links and src.spec.enable_service_links is not False:
        pod = pod.replace(init_containers=[_with_links(c, links) for c in pod.init_containers],
                          containers=[_with_links(c, links) for c in pod.containers])
    return pod


def _on_network(pod: Pod, namespace: str, aliases: list[str], dns_policy: str | None, options: Options,
                networks: dict[str, Network]) -> Pod:
    net = network.project_network(options.project or "default", namespace, options.network)
    networks.setdefault(net.name, net)
    return network.attach(pod, net.name, aliases, namespace, dns_policy)


def _with_links(c: Container, links: list[EnvVar]) -> Container:
    """The Service variables first; the container's own variables of the same name win."""
    own = {e.name for e in c.env} | {e.name for e in c.secret_env}
    return c.replace(env=[e for e in links if e.name not in own] + list(c.env))


def _claims(manifests: list[Manifest]) -> tuple[dict[str, ObjectRef], dict[str, Manifest]]:
    refs: dict[str, ObjectRef] = {}
    pvcs: dict[str, Manifest] = {}
    for m in manifests:
        if m.kind == "PersistentVolumeClaim":
            refs[m.name] = ObjectRef.make(kind=m.kind, name=m.name, namespace=m.namespace,
                                          file=m.source.file, line=m.source.start.line)
            pvcs[m.name] = m
    return refs, pvcs


def _relabel_policy(sources: list[PodSource], mode: str):
    if mode == "none":
        return lambda path: ""
    uses = []
    for src in sources:
        for vol in src.spec.volumes or []:
            if vol.host_path is not None and vol.host_path.path:
                path = posixpath.normpath(vol.host_path.path)
                uses.extend((pod, path) for pod in src.pod_names)
    counts = selinux.count_pods_per_path(uses)
    return lambda path: selinux.relabel_for(path, counts.get(path, 1))


def _check_unique(diags: Diagnostics, pods: dict[str, Pod], pod: Pod) -> bool:
    other = pods.get(pod.name)
    if other is not None:
        diags.error(f"pod name {pod.name!r} is also produced by {other.source} at {other.source.location}",
                    SourcePos(pod.source.file, pod.source.line, 1))
    return other is None


def _check_host_ports(diags: Diagnostics, pods: list[Pod]) -> None:
    """One host port, one pod: a second pod publishing it (a NodePort and a hostPort, say) is an error."""
    seen: dict[tuple, Pod] = {}
    for pod in pods:
        for p in pod.ports:
            key = (p.host_ip, p.host_port, p.protocol)
            other = seen.setdefault(key, pod)
            if other is not pod:
                diags.error(f"host port {p.host_port}/{p.protocol} of {pod.source} is also published by "
                            f"{other.source} at {other.source.location}", SourcePos(pod.source.file, pod.source.line, 1),
                            "publish one of them on another port")


def _merge_host_path(host_paths: dict[str, HostPath], hp: HostPath) -> None:
    prev = host_paths.get(hp.path)
    if prev is None:
        host_paths[hp.path] = hp
    elif hp.create and not prev.create:
        host_paths[hp.path] = hp

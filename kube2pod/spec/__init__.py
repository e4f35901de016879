"""The podman spec: the plan as podman options, one typed structure per podman object.

``build(plan, version) -> Spec``, once per output; ``gaps(plan, version, outputs)``: what the
target version lacks (the pipeline reports them as positioned diagnostics). Each structure (spec/pod.py, container.py,
volume.py, secret.py, network.py) has one field per podman option; each field's
:class:`~kube2pod.spec.option.Option` says how the CLI, the REST API and Quadlet write it,
and since which Podman version. The serializers (render/argv.py, render/rest.py,
render/quadlet.py) only walk those fields. Host paths (plan HostPath) and a volume's files
are host steps, not podman options: the plan nodes are used as they are.

:data:`PLAN_FIELDS` says where every plan field goes, so a new plan field is a decision here.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, NamedTuple

from kube2pod.plan import Plan
from kube2pod.spec.container import ContainerSpec, container_spec
from kube2pod.spec.network import NetworkSpec, network_spec
from kube2pod.spec.option import Feature, Option, fields, newer_than, set_fields, with_features
from kube2pod.spec.pod import PodSpec, pod_spec
from kube2pod.spec.secret import SecretSpec, secret_spec
from kube2pod.spec.version import DEFAULT, Version
from kube2pod.spec.volume import VolumeSpec, volume_spec

__all__ = ["ContainerSpec", "Feature", "Gap", "NetworkSpec", "NotInVersion", "Option", "PodSpec", "SecretSpec", "Spec", "Version",
           "VolumeSpec", "build", "container_spec", "fields", "gaps", "network_spec", "pod_spec", "secret_spec", "set_fields",
           "volume_spec"]

SPEC_TYPES = (PodSpec, ContainerSpec, VolumeSpec, SecretSpec, NetworkSpec)


class Gap(NamedTuple):
    """A set option (or a feature of its value) that the target lacks in ``output``.

    ``owner``: the plan object (Volume, Network, Secret, Pod) and ``container`` the plan Container
    (None for the others); ``plan_field``: the plan field it comes from (``Container.mounts``, from
    :data:`PLAN_FIELDS`); ``item``: the list item of that field that uses it, if one does."""

    what: str
    since: Version
    target: Version
    output: str
    owner: Any
    container: Any = None
    plan_field: str = ""
    item: Any = None

    @property
    def message(self) -> str:
        where = {"cli": "the podman CLI", "rest": "the Podman REST API", "quadlet": "Quadlet"}[self.output]
        return (f"{self.what} needs Podman {self.since} or later ({where}); the target is Podman {self.target}")


class NotInVersion(ValueError):
    """A set option that the target Podman version does not have; ``source`` is the plan object's
    ObjectRef, ``gap`` the :class:`Gap` (the pipeline reports gaps as positioned diagnostics first:
    a renderer meets this only when called without that check)."""

    def __init__(self, gap: Gap):
        super().__init__(gap.message)
        self.gap = gap
        self.source = getattr(gap.owner, "source", None)


class Spec(NamedTuple):
    """The podman objects of a plan, by name, for one target version."""

    version: Version
    volumes: dict[str, VolumeSpec]
    networks: dict[str, NetworkSpec]
    secrets: dict[str, SecretSpec]
    pods: dict[str, PodSpec]
    containers: dict[str, ContainerSpec]


def build(plan: Plan, version: Version = DEFAULT, output: str = "cli") -> Spec:
    """The spec of every object of ``plan``; :class:`NotInVersion` for the first option that
    ``version`` lacks in ``output`` (:func:`gaps` lists them all)."""
    spec = _build(plan, version)
    for gap in _gaps(plan, spec, (output,)):
        raise NotInVersion(gap)
    return spec


def _build(plan: Plan, version: Version) -> Spec:
    volumes = {v.name: volume_spec(v, version) for v in plan.volumes}
    networks = {n.name: network_spec(n, version) for n in plan.networks}
    secrets = {s.name: secret_spec(s, version) for s in plan.secrets}
    pods, containers = {}, {}
    for p in plan.pods:
        pods[p.name] = pod_spec(p)
        for c in [*p.init_containers, *p.containers]:
            containers[c.name] = container_spec(p, c, version, plan.pull_secrets)
    return Spec(version, volumes, networks, secrets, pods, containers)


def gaps(plan: Plan, version: Version, outputs: tuple[str, ...] = ("cli",)) -> list[Gap]:
    """Every set option or feature of ``plan``'s spec that ``version`` lacks in one of ``outputs``
    (cli: the script and the units' commands; rest: apply), in plan order."""
    return list(_gaps(plan, _build(plan, version), outputs))


def _gaps(plan: Plan, spec: Spec, outputs: tuple[str, ...]):
    objects = [*((v, None, spec.volumes[v.name]) for v in plan.volumes),
               *((n, None, spec.networks[n.name]) for n in plan.networks),
               *((s, None, spec.secrets[s.name]) for s in plan.secrets)]
    for p in plan.pods:
        objects.append((p, None, spec.pods[p.name]))
        objects += [(p, c, spec.containers[c.name]) for c in [*p.init_containers, *p.containers]]
    for owner, container, node in objects:
        for output in outputs:
            yield from _node_gaps(node, spec.version, output, owner, container)


def _node_gaps(node, version: Version, output: str, owner, container):
    state = node.__dict__
    kind = type(node).__name__
    for f in newer_than(type(node), version, output):
        value = state[f.name]
        if value is not f.default and value != f.default and _has_form(f.option, output):
            yield Gap(f.option.flag or f.name, f.option.first_version(output), version, output, owner, container,
                      _plan_field(kind, f.name))
    for f in with_features(type(node)):
        value = state[f.name]
        if value is f.default or value == f.default or not _has_form(f.option, output):
            continue
        for feat in f.option.features(value):
            since = feat.first_version(output)
            if since > version:
                item = value[feat.item] if feat.item is not None else None
                yield Gap(feat.name, since, version, output, owner, container, _plan_field(kind, f.name), item)


#: The first Podman with Quadlet.
QUADLET_SINCE = Version(4, 4)
#: The first Podman whose Quadlet has ``.pod`` units (before, render/units.py makes the pod).
QUADLET_POD_SINCE = Version(5, 0)
#: The first Podman whose Quadlet unit of each spec kind has ``PodmanArgs=`` (``.pod`` units: 5.0).
QUADLET_ARGS_SINCE = {"ContainerSpec": Version(4, 4), "VolumeSpec": Version(4, 6), "NetworkSpec": Version(4, 6),
                      "PodSpec": QUADLET_POD_SINCE}


def quadlet_key(node, name: str, version: Version) -> str | None:
    """The unit key field ``name`` of ``node`` is written with for ``version``: its own key; else
    (the key is newer) ``PodmanArgs`` with its CLI flag, where that unit kind has it; else None."""
    option = next(f.option for f in fields(type(node)) if f.name == name)
    args_since = QUADLET_ARGS_SINCE[type(node).__name__]
    own = option.first_version("quadlet")
    if own <= version and (option.quadlet != "PodmanArgs" or args_since <= version):
        return option.quadlet
    if option.flag and args_since <= version:
        return "PodmanArgs"
    return None


def _has_form(option: Option, output: str) -> bool:
    return {"cli": option.flag, "rest": option.rest, "quadlet": option.quadlet}[output] is not None


_SPEC_OWNER = {"ContainerSpec": "Container", "PodSpec": "Pod", "VolumeSpec": "Volume", "NetworkSpec": "Network",
               "SecretSpec": "Secret"}


@lru_cache(maxsize=None)
def _plan_field(spec_kind: str, spec_field: str) -> str:
    """The plan field a spec field comes from (:data:`PLAN_FIELDS` read backwards): ``Kind.field``."""
    wanted = f"{spec_kind}.{spec_field}"
    owner = _SPEC_OWNER[spec_kind]
    for name, goes in PLAN_FIELDS[owner].items():
        if wanted in goes.split() or (goes.endswith("*") and wanted.startswith(goes[:-1])):
            return f"{owner}.{name}"
    return owner


#: Where each plan field goes: ``Spec.field`` (the spec fields it becomes) or a host step.
PLAN_FIELDS: dict[str, dict[str, str]] = {
    "Plan": {"sources": "comments of the script", "host_paths": "host steps", "networks": "NetworkSpec", "volumes": "VolumeSpec",
             "secrets": "SecretSpec", "pods": "PodSpec",
             "services": "comments of the script, kube2pod status (their pods are in pods)",
             "pull_secrets": "ContainerSpec.auth_file ContainerSpec.image_pulls, apply's pulls (X-Registry-Auth)"},
    "PullSecret": {"name": "comments, events", "source": "comments, diagnostics",
                   "key": "the script's auth file (a .dockercfg value is wrapped in auths)",
                   "registries": "ContainerSpec.auth_file (which secret an image uses), comments",
                   "images": "ContainerSpec.auth_file ContainerSpec.image_pulls, apply: which pulls send it",
                   "pods": "ContainerSpec.auth_file ContainerSpec.image_pulls (the pods that name it)",
                   "value": "the script's variable PullSecret.env_var, apply's X-Registry-Auth header (never serialised)"},
    "HostPath": {f: "host step: render/shell.py host_path_command, apply/hostpaths.py"
                 for f in ("path", "source", "expect", "create", "mode")},
    "Volume": {"name": "VolumeSpec.name", "source": "comments, diagnostics", "lifetime": "apply's lifetime label",
               "labels": "VolumeSpec.labels", "driver": "VolumeSpec.driver", "options": "VolumeSpec.options",
               "files": "host step: render/volume_script.py, apply/volume_content.py"},
    "VolumeFile": {f: "host step: render/volume_script.py, apply/volume_content.py"
                   for f in ("path", "mode", "text", "base64")},
    "Secret": {"name": "SecretSpec.name", "source": "comments, diagnostics", "secret": "comments",
               "key": "comments", "labels": "SecretSpec.labels",
               "value": "the script's variable SecretSpec.env_var, apply's request body"},
    "Pod": {"name": "PodSpec.name", "source": "comments, diagnostics", "hostname": "PodSpec.hostname",
            "labels": "PodSpec.labels", "ports": "PodSpec.publish", "share": "PodSpec.share",
            "network": "PodSpec.network", "networks": "PodSpec.networks", "pid": "PodSpec.pid", "uts": "PodSpec.uts", "userns": "PodSpec.userns",
            "infra_name": "PodSpec.infra_name", "add_hosts": "PodSpec.add_hosts", "dns_servers": "PodSpec.dns",
            "dns_search": "PodSpec.dns_search", "dns_options": "PodSpec.dns_options", "sysctls": "PodSpec.sysctls",
            "init_containers": "ContainerSpec", "containers": "ContainerSpec",
            "schedule": "PodSpec.exit_policy, the timer of the unit outputs (render/timer.py); apply and the "
                        "script refuse it"},
    "ImageMount": {f: "ContainerSpec.image_volumes ContainerSpec.image_pulls"
                   for f in ("image", "destination", "pull_policy")},
    "Schedule": {f: "the timer of the unit outputs (render/timer.py)"
                 for f in ("calendars", "time_zone", "persistent", "suspended")},
    "Network": {"name": "NetworkSpec.name", "source": "comments, diagnostics", "labels": "NetworkSpec.labels",
                "driver": "NetworkSpec.driver", "shared": "the script's and apply's ownership check",
                "subnet": "NetworkSpec.subnet", "gateway": "NetworkSpec.gateway", "ip_range": "NetworkSpec.ip_range",
                "options": "NetworkSpec.options", "dns": "NetworkSpec.dns NetworkSpec.disable_dns"},
    "ServiceRecord": {f: "comments of the script, kube2pod status"
                      for f in ("name", "source", "mechanism", "names", "ports", "endpoints", "proxy", "host_ports")},
    "HostEnv": {f: "ContainerSpec.host_env" for f in ("name", "fact")},
    "Attachment": {f: "PodSpec.networks" for f in ("network", "aliases", "ips", "mac", "interface")},
    "PortMapping": {f: "PodSpec.publish" for f in ("host_port", "container_port", "protocol", "host_ip")},
    "Container": {
        "name": "ContainerSpec.name", "image": "ContainerSpec.image", "pull_policy": "ContainerSpec.pull",
        "entrypoint": "ContainerSpec.entrypoint", "command": "ContainerSpec.command",
        "workdir": "ContainerSpec.workdir", "env": "ContainerSpec.env", "mounts": "ContainerSpec.mounts",
        "devices": "ContainerSpec.devices", "cap_add": "ContainerSpec.cap_add", "cap_drop": "ContainerSpec.cap_drop",
        "secret_env": "ContainerSpec.secret_env", "host_env": "ContainerSpec.host_env", "user": "ContainerSpec.user", "group_add": "ContainerSpec.group_add",
        "privileged": "ContainerSpec.privileged", "read_only": "ContainerSpec.read_only ContainerSpec.read_only_tmpfs",
        "no_new_privileges": "ContainerSpec.no_new_privileges",
        "selinux_opts": "ContainerSpec.selinux_opts ContainerSpec.recorded_annotations",
        "unmask": "ContainerSpec.unmask", "memory": "ContainerSpec.memory",
        "memory_reservation": "ContainerSpec.memory_reservation", "memory_swap": "ContainerSpec.memory_swap",
        "cpu_quota": "ContainerSpec.cpu_quota", "cpu_period": "ContainerSpec.cpu_period",
        "cpu_shares": "ContainerSpec.cpu_shares", "tty": "ContainerSpec.tty", "stdin": "ContainerSpec.interactive",
        "stop_signal": "ContainerSpec.stop_signal",
        "healthcheck": "ContainerSpec.health_cmd ContainerSpec.health_interval ContainerSpec.health_timeout "
                       "ContainerSpec.health_retries ContainerSpec.health_start_period "
                       "ContainerSpec.health_on_failure",
        "labels": "ContainerSpec.labels", "annotations": "ContainerSpec.annotations",
        "restart_policy": "ContainerSpec.restart", "stop_timeout": "ContainerSpec.stop_timeout",
        "init_type": "ContainerSpec.init_ctr", "requires": "ContainerSpec.requires",
        "image_mounts": "ContainerSpec.image_volumes ContainerSpec.image_pulls", "ipc": "ContainerSpec.ipc",
        "seccomp_profile": "ContainerSpec.seccomp ContainerSpec.recorded_annotations",
        "secret_files": "ContainerSpec.secret_files"},
    "Healthcheck": {f: "ContainerSpec.health_*" for f in ("test", "interval", "timeout", "retries", "start_period",
                                                          "on_failure")},
    "EnvVar": {"name": "ContainerSpec.env", "value": "ContainerSpec.env"},
    "SecretEnv": {"name": "ContainerSpec.secret_env", "secret": "ContainerSpec.secret_env"},
    "BindMount": {f: "ContainerSpec.mounts" for f in ("type", "source", "destination", "read_only", "relabel",
                                                      "propagation")},
    "VolumeMount": {f: "ContainerSpec.mounts" for f in ("type", "volume", "destination", "read_only", "subpath")},
    "DeviceMapping": {"host_path": "ContainerSpec.devices", "container_path": "ContainerSpec.devices"},
    "SecretFile": {f: "ContainerSpec.secret_files" for f in ("secret", "target", "mode")},
    "ObjectRef": {f: "comments, diagnostics" for f in ("kind", "name", "namespace", "file", "line")},
}

"""The podman spec: the plan as podman options, one typed structure per podman object.

``build(plan, version) -> Spec``, once per output. Each structure (spec/pod.py, container.py,
volume.py, secret.py, network.py) has one field per podman option; each field's
:class:`~kube2pod.spec.option.Option` says how the CLI, the REST API and Quadlet write it,
and since which Podman version. The serializers (render/argv.py, render/rest.py,
render/quadlet.py) only walk those fields. Host paths (plan HostPath) and a volume's files
are host steps, not podman options: the plan nodes are used as they are.

:data:`PLAN_FIELDS` says where every plan field goes, so a new plan field is a decision here.
"""

from __future__ import annotations

from typing import NamedTuple

from kube2pod.plan import Plan
from kube2pod.spec.container import ContainerSpec, container_spec
from kube2pod.spec.network import NetworkSpec, network_spec
from kube2pod.spec.option import Option, fields, newer_than, set_fields
from kube2pod.spec.pod import PodSpec, pod_spec
from kube2pod.spec.secret import SecretSpec, secret_spec
from kube2pod.spec.version import DEFAULT, Version
from kube2pod.spec.volume import VolumeSpec, volume_spec

__all__ = ["ContainerSpec", "NetworkSpec", "NotInVersion", "Option", "PodSpec", "SecretSpec", "Spec", "Version",
           "VolumeSpec", "build", "container_spec", "fields", "network_spec", "pod_spec", "secret_spec", "set_fields",
           "volume_spec"]

SPEC_TYPES = (PodSpec, ContainerSpec, VolumeSpec, SecretSpec, NetworkSpec)


class NotInVersion(ValueError):
    """A set option that the target Podman version does not have; ``source`` is the plan object."""

    def __init__(self, message: str, source=None):
        super().__init__(message)
        self.source = source


class Spec(NamedTuple):
    """The podman objects of a plan, by name, for one target version."""

    version: Version
    volumes: dict[str, VolumeSpec]
    networks: dict[str, NetworkSpec]
    secrets: dict[str, SecretSpec]
    pods: dict[str, PodSpec]
    containers: dict[str, ContainerSpec]


def build(plan: Plan, version: Version = DEFAULT) -> Spec:
    """The spec of every object of ``plan``; :class:`NotInVersion` for an option that
    ``version`` lacks (reported at the plan object it comes from)."""
    volumes = {v.name: _checked(volume_spec(v), version, v.source) for v in plan.volumes}
    networks = {n.name: _checked(network_spec(n), version, n.source) for n in plan.networks}
    secrets = {s.name: _checked(secret_spec(s), version, s.source) for s in plan.secrets}
    pods, containers = {}, {}
    for p in plan.pods:
        pods[p.name] = _checked(pod_spec(p), version, p.source)
        for c in [*p.init_containers, *p.containers]:
            containers[c.name] = _checked(container_spec(p, c), version, p.source)
    return Spec(version, volumes, networks, secrets, pods, containers)


def _checked(node, version: Version, source):
    state = node.__dict__
    for f in newer_than(type(node), version):
        value = state[f.name]
        if value is not f.default and value != f.default:
            flag = f.option.flag or f.name
            raise NotInVersion(f"{flag} needs Podman {f.option.since} or later; the target is Podman {version}",
                               source)
    return node


#: Where each plan field goes: ``Spec.field`` (the spec fields it becomes) or a host step.
PLAN_FIELDS: dict[str, dict[str, str]] = {
    "Plan": {"sources": "comments of the script", "host_paths": "host steps", "networks": "NetworkSpec", "volumes": "VolumeSpec",
             "secrets": "SecretSpec", "pods": "PodSpec",
             "services": "comments of the script, kube2pod status (their pods are in pods)",
             "pull_secrets": "apply's pulls (X-Registry-Auth); the script's comments name the registries to log in to"},
    "PullSecret": {"name": "comments, events", "source": "comments, diagnostics",
                   "registries": "the script's podman login comment", "images": "apply: which pulls send it",
                   "value": "apply's X-Registry-Auth header only (never serialised)"},
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
            "init_containers": "ContainerSpec", "containers": "ContainerSpec"},
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
        "init_type": "ContainerSpec.init_ctr", "ipc": "ContainerSpec.ipc",
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

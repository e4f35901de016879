"""Plan nodes -> Podman API request bodies (libpod SpecGenerator / PodSpecGenerator).

They carry the same options as the CLI arguments the shell renderer prints
(``render/podman_args.py``), so a script and an apply make the same containers.
"""

from __future__ import annotations

from kube2pod.plan import BindMount, Container, Pod, Volume
from kube2pod.plan.pod import DEFAULT_SHARE


def volume_body(vol: Volume) -> dict:
    body: dict = {"Name": vol.name, "Label": dict(vol.labels), "Options": dict(vol.options)}
    if vol.driver:
        body["Driver"] = vol.driver
    return body


def pod_body(pod: Pod) -> dict:
    body: dict = {"name": pod.name, "labels": dict(pod.labels)}
    if pod.hostname:
        body["hostname"] = pod.hostname
    if pod.ports:
        body["portmappings"] = [
            {"host_ip": p.host_ip, "host_port": p.host_port, "container_port": p.container_port, "protocol": p.protocol}
            for p in pod.ports
        ]
    body.update(pod_namespace_fields(pod))
    return body


def pod_namespace_fields(pod: Pod) -> dict:
    """Same as ``podman_args.pod_namespace_args``: namespaces, name resolution, sysctls."""
    body: dict = {}
    if tuple(pod.share) != DEFAULT_SHARE:
        body["shared_namespaces"] = list(pod.share)
    for key, value in (("netns", pod.network), ("pidns", pod.pid), ("userns", pod.userns)):
        if value:
            body[key] = {"nsmode": value}
    if pod.infra_name:
        body["infra_name"] = pod.infra_name
    for key, values in (("hostadd", pod.add_hosts), ("dns_server", pod.dns_servers),
                        ("dns_search", pod.dns_search), ("dns_option", pod.dns_options)):
        if values:
            body[key] = list(values)
    if pod.sysctls:
        body["sysctl"] = dict(pod.sysctls)
    return body


def container_body(pod: Pod, c: Container) -> dict:
    body: dict = {
        "name": c.name,
        "pod": pod.name,
        "image": c.image,
        "labels": dict(c.labels),
        "env": {e.name: e.value for e in c.env},
    }
    if c.entrypoint is not None:
        body["entrypoint"] = list(c.entrypoint)
    if c.command is not None:
        body["command"] = list(c.command)
    if c.workdir:
        body["work_dir"] = c.workdir
    mounts, volumes = [], []
    for m in c.mounts:
        if isinstance(m, BindMount):
            mounts.append({"type": "bind", "source": m.source, "destination": m.destination, "options": _bind_options(m)})
        else:
            opts = ["ro"] if m.read_only else []
            volumes.append({"Name": m.volume, "Dest": m.destination, "Options": opts})
    if mounts:
        body["mounts"] = mounts
    if volumes:
        body["volumes"] = volumes
    if c.devices:
        body["devices"] = [{"path": f"{d.host_path}:{d.container_path}"} for d in c.devices]
    if c.cap_add:
        body["cap_add"] = list(c.cap_add)
    if c.cap_drop:
        body["cap_drop"] = list(c.cap_drop)
    body.update(container_pod_fields(c))
    _add_runtime_fields(body, c)
    return body


def container_pod_fields(c: Container) -> dict:
    """Same as ``podman_args.container_pod_args``."""
    body: dict = {}
    if c.annotations:
        body["annotations"] = dict(c.annotations)
    if c.restart_policy:
        body["restart_policy"] = c.restart_policy
    if c.stop_timeout is not None:
        body["stop_timeout"] = c.stop_timeout
    if c.init_type:
        body["init_container_type"] = c.init_type
    if c.ipc:
        body["ipcns"] = {"nsmode": c.ipc}
    if c.seccomp_profile:
        body["seccomp_profile_path"] = c.seccomp_profile
        body["annotations"] = {**body.get("annotations", {}), SECCOMP_ANNOTATION: c.seccomp_profile}
    if c.secret_files:
        body["secrets"] = [{"Source": f.secret, "Target": f.target, "Mode": f.mode} for f in c.secret_files]
    return body


NS = 1_000_000_000
HEALTH_ON_FAILURE = {"none": 0, "kill": 2, "restart": 3, "stop": 4}  # libpod define.HealthCheckOnFailureAction
LABEL_ANNOTATION = "io.podman.annotations.label"  # podman's CLI records label= options here
SECCOMP_ANNOTATION = "io.podman.annotations.seccomp"  # ... and the seccomp profile here


def _add_runtime_fields(body: dict, c: Container) -> None:
    """Same as ``podman_args.container_runtime_args``."""
    if c.secret_env:
        body["secret_env"] = {s.name: s.secret for s in c.secret_env}
    if c.user:
        body["user"] = c.user
    if c.group_add:
        body["groups"] = list(c.group_add)
    if c.privileged:
        body["privileged"] = True
    if c.read_only:
        body["read_only_filesystem"] = True
    if c.no_new_privileges:
        body["no_new_privileges"] = True
    if c.selinux_opts:
        body["selinux_opts"] = list(c.selinux_opts)
        body["annotations"] = {**body.get("annotations", {}), LABEL_ANNOTATION: ",label=".join(c.selinux_opts)}
    if c.unmask:
        body["unmask"] = list(c.unmask)
    limits: dict = {}
    memory = {k: v for k, v in (("limit", c.memory), ("reservation", c.memory_reservation),
                                ("swap", c.memory_swap)) if v is not None}
    if memory:
        limits["memory"] = memory
    cpu = {k: v for k, v in (("shares", c.cpu_shares), ("quota", c.cpu_quota), ("period", c.cpu_period))
           if v is not None}
    if cpu:
        limits["cpu"] = cpu
    if limits:
        body["resource_limits"] = limits
    if c.tty:
        body["terminal"] = True
    if c.stdin:
        body["stdin"] = True
    if c.stop_signal is not None:
        body["stop_signal"] = c.stop_signal
    if c.healthcheck is not None:
        h = c.healthcheck
        body["healthconfig"] = {"Test": list(h.test), "Interval": h.interval * NS, "Timeout": h.timeout * NS,
                                "StartPeriod": h.start_period * NS, "Retries": h.retries}
        body["health_check_on_failure_action"] = HEALTH_ON_FAILURE[h.on_failure]


def _bind_options(m: BindMount) -> list[str]:
    opts = ["rbind"]
    if m.read_only:
        opts.append("ro")
    if m.relabel:
        opts.append(m.relabel)
    if m.propagation:
        opts.append(m.propagation)
    return opts

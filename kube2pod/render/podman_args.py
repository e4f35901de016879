"""Plan nodes -> podman CLI argument lists (the same options the executor sends to the API)."""

from __future__ import annotations

import json

from kube2pod.plan import BindMount, Container, Healthcheck, Pod, Secret, Volume, VolumeMount
from kube2pod.plan.pod import DEFAULT_SHARE
from kube2pod.render.quoting import csv_field


def _opt(flag: str, value: str) -> str:
    """``--flag=value``: one argument, so a value starting with ``-`` is never read as a flag."""
    return f"{flag}={value}"


def volume_create(vol: Volume) -> list[str]:
    args = ["podman", "volume", "create"]
    if vol.driver:
        args.append(_opt("--driver", vol.driver))
    for k, v in vol.labels.items():
        args.append(_opt("--label", f"{k}={v}"))
    for k, v in vol.options.items():
        args.append(_opt("--opt", f"{k}={v}"))
    return args + [vol.name]


def secret_create(secret: Secret) -> list[str]:
    """``podman secret create --env``: the value comes from the variable ``secret.env_var``
    of the environment, never from the command line."""
    args = ["podman", "secret", "create", "--env"]
    args += [_opt("--label", f"{k}={v}") for k, v in secret.labels.items()]
    return args + [secret.name, secret.env_var]


def pod_create(pod: Pod) -> list[str]:
    args = ["podman", "pod", "create", _opt("--name", pod.name)]
    if pod.hostname:
        args.append(_opt("--hostname", pod.hostname))
    for k, v in pod.labels.items():
        args.append(_opt("--label", f"{k}={v}"))
    for p in pod.ports:
        host = f"{p.host_ip}:" if p.host_ip else ""
        args.append(_opt("--publish", f"{host}{p.host_port}:{p.container_port}/{p.protocol}"))
    return args + pod_namespace_args(pod)


def pod_namespace_args(pod: Pod) -> list[str]:
    """Namespaces, name resolution and sysctls of a pod (translate/pod.py)."""
    args = []
    if tuple(pod.share) != DEFAULT_SHARE:
        args.append(_opt("--share", ",".join(pod.share)))
    for flag, value in (("--network", pod.network), ("--pid", pod.pid), ("--userns", pod.userns),
                        ("--infra-name", pod.infra_name)):
        if value:
            args.append(_opt(flag, value))
    args += [_opt("--add-host", h) for h in pod.add_hosts]
    args += [_opt("--dns", d) for d in pod.dns_servers]
    args += [_opt("--dns-search", d) for d in pod.dns_search]
    args += [_opt("--dns-option", d) for d in pod.dns_options]
    args += [_opt("--sysctl", f"{k}={v}") for k, v in pod.sysctls.items()]
    return args


def mount_option(m: BindMount | VolumeMount) -> str:
    if isinstance(m, BindMount):
        fields = ["type=bind", f"source={m.source}", f"destination={m.destination}"]
        if m.relabel:
            fields.append("relabel=" + ("private" if m.relabel == "Z" else "shared"))
        if m.propagation:
            fields.append(f"bind-propagation={m.propagation}")
    else:
        fields = ["type=volume", f"source={m.volume}", f"destination={m.destination}"]
        if m.subpath:
            fields.append(f"subpath={m.subpath}")
    if m.read_only:
        fields.append("ro=true")
    return ",".join(csv_field(f) for f in fields)


def container_create(pod: Pod, c: Container) -> list[str]:
    args = ["podman", "create", _opt("--pod", pod.name), _opt("--name", c.name), _opt("--pull", c.pull_policy)]
    for k, v in c.labels.items():
        args.append(_opt("--label", f"{k}={v}"))
    if c.workdir:
        args.append(_opt("--workdir", c.workdir))
    for e in c.env:
        args.append(_opt("--env", f"{e.name}={e.value}"))
    for m in c.mounts:
        args.append(_opt("--mount", mount_option(m)))
    for d in c.devices:
        args.append(_opt("--device", f"{d.host_path}:{d.container_path}"))
    for cap in c.cap_add:
        args.append(_opt("--cap-add", cap))
    for cap in c.cap_drop:
        args.append(_opt("--cap-drop", cap))
    args += container_pod_args(c)
    args += container_runtime_args(c)
    if c.entrypoint is not None:
        args.append(_opt("--entrypoint", json.dumps(c.entrypoint)))
    args.append(c.image)
    return args + list(c.command or [])


def container_pod_args(c: Container) -> list[str]:
    """Settings a container takes from its pod: annotations, restart, stop timeout, init type,
    ipc, seccomp, secret volume files."""
    args = [_opt("--annotation", f"{k}={v}") for k, v in c.annotations.items()]
    if c.restart_policy:
        args.append(_opt("--restart", c.restart_policy))
    if c.stop_timeout is not None:
        args.append(_opt("--stop-timeout", str(c.stop_timeout)))
    if c.init_type:
        args.append(_opt("--init-ctr", c.init_type))
    if c.ipc:
        args.append(_opt("--ipc", c.ipc))
    if c.seccomp_profile:
        args.append(_opt("--security-opt", f"seccomp={c.seccomp_profile}"))
    for f in c.secret_files:
        args.append(_opt("--secret", f"{f.secret},type=mount,target={f.target},mode={f.mode:04o}"))
    return args


def container_runtime_args(c: Container) -> list[str]:
    """Secret env, user, security options, resources, tty/stdin, stop signal, healthcheck
    (same as ``spec.container_runtime_fields``)."""
    args = [_opt("--secret", f"{s.secret},type=env,target={s.name}") for s in c.secret_env]
    if c.user:
        args.append(_opt("--user", c.user))
    args += [_opt("--group-add", g) for g in c.group_add]
    if c.privileged:
        args.append("--privileged")
    if c.read_only:
        args += ["--read-only", "--read-only-tmpfs=false"]
    if c.no_new_privileges:
        args.append(_opt("--security-opt", "no-new-privileges"))
    args += [_opt("--security-opt", f"label={o}") for o in c.selinux_opts]
    args += [_opt("--security-opt", f"unmask={u}") for u in c.unmask]
    for flag, value in (("--memory", c.memory), ("--memory-reservation", c.memory_reservation),
                        ("--memory-swap", c.memory_swap), ("--cpu-shares", c.cpu_shares)):
        if value is not None:
            args.append(_opt(flag, str(value)))
    if c.cpu_quota is not None:
        args += [_opt("--cpu-period", str(c.cpu_period)), _opt("--cpu-quota", str(c.cpu_quota))]
    if c.tty:
        args.append("--tty")
    if c.stdin:
        args.append("--interactive")
    if c.stop_signal is not None:
        args.append(_opt("--stop-signal", str(c.stop_signal)))
    if c.healthcheck is not None:
        args += health_args(c.healthcheck)
    return args


def health_args(h: Healthcheck) -> list[str]:
    """``--health-*``. podman 4.3 reads ``--health-cmd`` as: a JSON array of two or more
    words -> ``["CMD", ...]``; ``CMD w`` -> ``["CMD", "w"]``; ``["CMD-SHELL", s]`` as is."""
    kind, *words = h.test
    if kind == "CMD" and len(words) == 1:
        cmd = f"CMD {words[0]}"
    else:
        cmd = json.dumps(words if kind == "CMD" else h.test)
    return [_opt("--health-cmd", cmd), _opt("--health-interval", f"{h.interval}s"),
            _opt("--health-timeout", f"{h.timeout}s"), _opt("--health-retries", str(h.retries)),
            _opt("--health-start-period", f"{h.start_period}s"), _opt("--health-on-failure", h.on_failure)]


def pod_start(pod: Pod) -> list[str]:
    return ["podman", "pod", "start", pod.name]

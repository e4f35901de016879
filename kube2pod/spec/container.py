"""A container as podman options (``podman create``, libpod SpecGenerator, Quadlet ``.container``).

One field per option, in the order the CLI writes them (the image and its arguments last,
as positional arguments); ``container_spec(pod, c)`` makes it from the plan and holds every
decision about how a plan setting becomes podman options.
"""

from __future__ import annotations

import json
import shlex
from typing import Annotated, Any, Sequence

from kube2pod.plan import Container, Pod, PullSecret
from kube2pod.plan.base import Frozen
from kube2pod.spec import mount
from kube2pod.spec.authfile import AUTH_FILE, ImagePull, choose, unit_path
from kube2pod.spec.option import HostWord, Option, as_json, bare, csv_pairs, each, mapping, nanoseconds, nsmode, one, pairs, seconds
from kube2pod.spec.version import DEFAULT, Version

HEALTH_ON_FAILURE = {"none": 0, "kill": 2, "restart": 3, "stop": 4}  # libpod define.HealthCheckOnFailureAction
LABEL_ANNOTATION = "io.podman.annotations.label"  # podman's CLI records label= options here
SECCOMP_ANNOTATION = "io.podman.annotations.seccomp"  # ... and the seccomp profile here

_POSITIONAL = {"cli": "a positional argument of podman create"}
_BY_CLI = {"cli": "the CLI records it itself from --security-opt", "quadlet": "as the CLI"}
_HEALTH = "healthconfig"
_QUADLET_INIT = ("podman run (Quadlet's command) rejects --init-ctr; init containers become oneshot "
                 "services ordered before the others, and Quadlet recreates the containers on every "
                 "start, where once and always agree")

_QUADLET_REQUIRES = ("the container's service Requires= and is After= the services of these containers "
                     "(render/quadlet.py): systemd starts them first and stops them last")


def _image_mount(m) -> str:
    return f"type=image,source={mount.csv_field(m.image)},destination={mount.csv_field(m.destination)}"


def pull_command(image: str, policy: str, authfile: str = "") -> str:
    """The shell command that gets ``image`` by a pull policy before a container mounts it (podman
    pulls only the container's own image): never -> it must exist; missing -> pulled when absent;
    newer -> pulled, the local one used when the registry cannot be reached; always -> pulled.
    ``authfile``: a shell word, the auth file of the image's pull secret (spec/authfile.py)."""
    img = shlex.quote(image)
    pull = f"podman pull --authfile {authfile} {img}" if authfile else f"podman pull {img}"
    return {"never": f"podman image exists {img}",
            "missing": f"podman image exists {img} || {pull}",
            "newer": f"{pull} || podman image exists {img}"}.get(policy, pull)


def _unit_pull(p: ImagePull) -> str:
    """An image volume's pull as a unit's ``ExecStartPre=`` (the auth file at its unit path)."""
    return f"/bin/sh -c {shlex.quote(pull_command(p.image, p.pull_policy, unit_path(p.auth) if p.auth else ''))} image-volume"


def _health_cmd(test: list[str]) -> list[str]:
    """podman 4.3 reads ``--health-cmd`` as: a JSON array of two or more words -> ``["CMD", ...]``;
    ``CMD w`` -> ``["CMD", "w"]``; ``["CMD-SHELL", s]`` as is."""
    kind, *words = test
    if kind == "CMD" and len(words) == 1:
        return [f"CMD {words[0]}"]
    return [json.dumps(words if kind == "CMD" else test)]


def _secret_env(items: list) -> list[str]:
    return [f"{s.secret},type=env,target={s.name}" for s in items]


def _host_env(items: dict) -> list[str]:
    return [HostWord(f"{name}=", fact) for name, fact in items.items()]


def _secret_files(items: list) -> list[str]:
    return [f"{f.secret},type=mount,target={f.target},mode={f.mode:04o}" for f in items]


class ContainerSpec(Frozen):
    image: Annotated[str, Option("", "image", "Image", absent=_POSITIONAL)]
    pod: Annotated[str, Option("--pod", "pod", "Pod", unit="unit:.pod", since_by={"quadlet": Version(5, 0)})]
    name: Annotated[str, Option("--name", "name", "ContainerName")]
    pull: Annotated[str, Option("--pull", None, "Pull", since_by={"quadlet": Version(4, 6)}, absent={
        "rest": "apply pulls each image by its policy before creating anything (apply/decisions.py)"})]
    labels: Annotated[dict[str, str], Option("--label", "labels", "Label", words=pairs, unit="words")] = {}
    workdir: Annotated[str, Option("--workdir", "work_dir", "WorkingDir", since_by={"quadlet": Version(4, 6)})] = ""
    env: Annotated[dict[str, str], Option("--env", "env", "Environment", words=pairs, unit="words")] = {}
    host_env: Annotated[dict[str, str], Option("--env", None, None, words=_host_env, absent={
        "rest": "apply adds the values it reads on the host to env (apply/host_env.py)",
        "quadlet": "the container unit reads them from an EnvironmentFile= its ExecStartPre= writes "
                   "(render/quadlet.py host_env_keys)"})] = {}
    mounts: Annotated[list[Any], Option("--mount", ("mounts", "volumes"), "Mount", words=mount.words,
                                        body=mount.body, unit="mount",
                                        features=mount.features, since_by={"quadlet": Version(4, 5)})] = []
    devices: Annotated[list[str], Option("--device", "devices", "AddDevice", words=each,
                                         body=lambda ds: [{"path": d} for d in ds])] = []
    cap_add: Annotated[list[str], Option("--cap-add", "cap_add", "AddCapability", words=each)] = []
    cap_drop: Annotated[list[str], Option("--cap-drop", "cap_drop", "DropCapability", words=each)] = []
    annotations: Annotated[dict[str, str], Option("--annotation", "annotations", "Annotation", words=csv_pairs,
                                                  unit="words")] = {}
    restart: Annotated[str, Option("--restart", "restart_policy", "Service.Restart")] = ""
    stop_timeout: Annotated[int | None, Option("--stop-timeout", "stop_timeout", "PodmanArgs")] = None
    init_ctr: Annotated[str, Option("--init-ctr", "init_container_type", None,
                                    absent={"quadlet": _QUADLET_INIT})] = ""
    image_volumes: Annotated[list[Any], Option("--mount", "image_volumes", "Mount", words=lambda ms: [
        _image_mount(m) for m in ms], body=lambda ms: [{"Source": m.image, "Destination": m.destination,
                                                        "ReadWrite": False} for m in ms])] = []
    auth_file: Annotated[str, AUTH_FILE] = ""
    image_pulls: Annotated[list[Any], Option(None, None, "Service.ExecStartPre", words=lambda ps: [
        _unit_pull(p) for p in ps], absent={
        "cli": "the script runs pull_command before it creates the container (render/shell.py)",
        "rest": "apply pulls these images by their policies with the containers' (apply/decisions.py)"})] = []
    requires: Annotated[list[str], Option("--requires", "dependencyContainers", None, words=lambda names: [",".join(names)],
                                          absent={"quadlet": _QUADLET_REQUIRES})] = []
    ipc: Annotated[str, Option("--ipc", "ipcns", "PodmanArgs", body=nsmode)] = ""
    seccomp: Annotated[str, Option("--security-opt", "seccomp_profile_path", "PodmanArgs",
                                   words=lambda p: [f"seccomp={p}"])] = ""
    secret_files: Annotated[list[Any], Option("--secret", "secrets", "Secret", words=_secret_files, since_by={"quadlet": Version(4, 5)}, body=lambda fs: [
        {"Source": f.secret, "Target": f.target, "Mode": f.mode} for f in fs])] = []
    secret_env: Annotated[list[Any], Option("--secret", "secret_env", "Secret", words=_secret_env, since_by={"quadlet": Version(4, 5)},
                                            body=lambda es: {s.name: s.secret for s in es})] = []
    user: Annotated[str, Option("--user", "user", "User")] = ""
    group_add: Annotated[list[str], Option("--group-add", "groups", "GroupAdd", words=each, since_by={"quadlet": Version(5, 1)})] = []
    privileged: Annotated[bool, Option("--privileged", "privileged", "PodmanArgs", words=bare)] = False
    read_only: Annotated[bool, Option("--read-only", "read_only_filesystem", "PodmanArgs", words=bare)] = False
    read_only_tmpfs: Annotated[bool | None, Option("--read-only-tmpfs", None, "PodmanArgs", words=lambda v: [
        str(v).lower()], absent={"rest": "a REST create mounts no tmpfs on a read-only root; the CLI must be "
                                         "told not to (its default is true)"})] = None
    no_new_privileges: Annotated[bool, Option("--security-opt", "no_new_privileges", "PodmanArgs",
                                              words=lambda v: ["no-new-privileges"] if v else [])] = False
    selinux_opts: Annotated[list[str], Option("--security-opt", "selinux_opts", "PodmanArgs",
                                              words=lambda os_: [f"label={o}" for o in os_])] = []
    unmask: Annotated[list[str], Option("--security-opt", "unmask", "PodmanArgs",
                                        words=lambda us: [f"unmask={u}" for u in us])] = []
    memory: Annotated[int | None, Option("--memory", "resource_limits.memory.limit", "PodmanArgs")] = None
    memory_reservation: Annotated[int | None, Option("--memory-reservation", "resource_limits.memory.reservation",
                                                     "PodmanArgs")] = None
    memory_swap: Annotated[int | None, Option("--memory-swap", "resource_limits.memory.swap", "PodmanArgs")] = None
    cpu_shares: Annotated[int | None, Option("--cpu-shares", "resource_limits.cpu.shares", "PodmanArgs")] = None
    cpu_period: Annotated[int | None, Option("--cpu-period", "resource_limits.cpu.period", "PodmanArgs")] = None
    cpu_quota: Annotated[int | None, Option("--cpu-quota", "resource_limits.cpu.quota", "PodmanArgs")] = None
    tty: Annotated[bool, Option("--tty", "terminal", "PodmanArgs", words=bare)] = False
    interactive: Annotated[bool, Option("--interactive", "stdin", "PodmanArgs", words=bare)] = False
    stop_signal: Annotated[int | None, Option("--stop-signal", "stop_signal", "PodmanArgs")] = None
    health_cmd: Annotated[list[str] | None, Option("--health-cmd", f"{_HEALTH}.Test", "PodmanArgs",
                                                   words=_health_cmd)] = None
    health_interval: Annotated[int | None, Option("--health-interval", f"{_HEALTH}.Interval", "PodmanArgs",
                                                  words=seconds, body=nanoseconds)] = None
    health_timeout: Annotated[int | None, Option("--health-timeout", f"{_HEALTH}.Timeout", "PodmanArgs",
                                                 words=seconds, body=nanoseconds)] = None
    health_retries: Annotated[int | None, Option("--health-retries", f"{_HEALTH}.Retries", "PodmanArgs")] = None
    health_start_period: Annotated[int | None, Option("--health-start-period", f"{_HEALTH}.StartPeriod",
                                                      "PodmanArgs", words=seconds, body=nanoseconds)] = None
    health_on_failure: Annotated[str, Option("--health-on-failure", "health_check_on_failure_action", "PodmanArgs",
                                             since=Version(4, 3), body=HEALTH_ON_FAILURE.__getitem__)] = ""
    recorded_annotations: Annotated[dict[str, str], Option(None, "annotations", None, body=mapping,
                                                           absent=_BY_CLI)] = {}
    entrypoint: Annotated[list[str] | None, Option("--entrypoint", "entrypoint", "Entrypoint", words=as_json, since_by={"quadlet": Version(5, 0)})] = None
    command: Annotated[list[str] | None, Option("", "command", "Exec", words=list, absent=_POSITIONAL,
                                                unit="exec")] = None


def _ident(image: str, pod: str, pull_secrets: Sequence[PullSecret]) -> str:
    ps = choose(image, pod, pull_secrets) if pull_secrets else None
    return ps.ident if ps is not None else ""


def container_spec(pod: Pod, c: Container, version: Version = DEFAULT,
                   pull_secrets: Sequence[PullSecret] = ()) -> ContainerSpec:
    """The podman options of container ``c`` of ``pod``.

    Decisions: env as a mapping (the last of a repeated name wins, as in Kubernetes);
    a read-only root gets no tmpfs mounts (``--read-only-tmpfs=false``, as the API makes it);
    the period goes with a CPU quota only; a healthcheck's health-on-failure is always
    written; ``label=``/``seccomp=`` security options are also recorded as the annotations
    the CLI would write (the API does not write them); a volume sub-path is mounted natively
    or as a bind of the volume's directory, by ``version`` (spec/mount.py); the image and each image
    volume are pulled with the auth file of the pull secret :func:`~kube2pod.spec.authfile.choose` picks.
    """
    values: dict[str, Any] = {
        "image": c.image, "pod": pod.name, "name": c.name, "pull": c.pull_policy,
        "labels": c.labels, "workdir": c.workdir, "env": {e.name: e.value for e in c.env},
        "host_env": {h.name: h.fact for h in c.host_env},
        "mounts": mount.for_version(c.mounts, version), "devices": [f"{d.host_path}:{d.container_path}" for d in c.devices],
        "cap_add": c.cap_add, "cap_drop": c.cap_drop, "annotations": c.annotations,
        "restart": c.restart_policy, "stop_timeout": c.stop_timeout, "init_ctr": c.init_type,
        "requires": c.requires, "ipc": c.ipc, "image_volumes": c.image_mounts,
        "image_pulls": [ImagePull(m.image, m.pull_policy, _ident(m.image, pod.name, pull_secrets)) for m in c.image_mounts],
        "auth_file": _ident(c.image, pod.name, pull_secrets),
        "seccomp": c.seccomp_profile, "secret_files": c.secret_files, "secret_env": c.secret_env,
        "user": c.user, "group_add": c.group_add, "privileged": c.privileged, "read_only": c.read_only,
        "read_only_tmpfs": False if c.read_only else None, "no_new_privileges": c.no_new_privileges,
        "selinux_opts": c.selinux_opts, "unmask": c.unmask, "memory": c.memory,
        "memory_reservation": c.memory_reservation, "memory_swap": c.memory_swap, "cpu_shares": c.cpu_shares,
        "tty": c.tty, "interactive": c.stdin, "stop_signal": c.stop_signal,
        "entrypoint": c.entrypoint, "command": c.command,
    }
    if c.cpu_quota is not None:
        values["cpu_period"], values["cpu_quota"] = c.cpu_period, c.cpu_quota
    h = c.healthcheck
    if h is not None:
        values.update(health_cmd=h.test, health_interval=h.interval, health_timeout=h.timeout,
                      health_retries=h.retries, health_start_period=h.start_period, health_on_failure=h.on_failure)
    recorded = {}
    if c.seccomp_profile:
        recorded[SECCOMP_ANNOTATION] = c.seccomp_profile
    if c.selinux_opts:
        recorded[LABEL_ANNOTATION] = ",label=".join(c.selinux_opts)
    if recorded:
        values["recorded_annotations"] = recorded
    return ContainerSpec.make(**values)

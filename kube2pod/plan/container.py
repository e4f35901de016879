"""A container of a pod (``podman create --pod``)."""

from __future__ import annotations

from typing import Literal

from kube2pod.plan.base import Frozen
from kube2pod.plan.healthcheck import Healthcheck
from kube2pod.plan.mount import DeviceMapping, ImageMount, Mount, SecretFile

PullPolicy = Literal["always", "missing", "never", "newer"]


class EnvVar(Frozen):
    """``--env NAME=value``."""

    name: str
    value: str


HostFactName = Literal["node-name", "host-ip"]


class HostEnv(Frozen):
    """``--env NAME=<value>`` whose value only the host knows (downward API fieldRef): ``node-name``
    its hostname in lower case (spec.nodeName), ``host-ip`` the source address of its default route
    (status.hostIP; status.podIP of a hostNetwork pod). apply reads them on the host, the script
    at run time (render/shell.py)."""

    name: str
    fact: HostFactName


class SecretEnv(Frozen):
    """``--secret SECRET,type=env,target=NAME``: env var NAME holds podman secret SECRET."""

    name: str
    secret: str


class Container(Frozen):
    """One container. ``entrypoint`` None keeps the image ENTRYPOINT; ``command``
    None keeps the image CMD (podman drops the image CMD whenever an entrypoint is given)."""

    name: str
    image: str
    pull_policy: PullPolicy = "missing"
    entrypoint: list[str] | None = None
    command: list[str] | None = None
    workdir: str = ""
    env: list[EnvVar] = []
    mounts: list[Mount] = []
    devices: list[DeviceMapping] = []
    cap_add: list[str] = []
    cap_drop: list[str] = []
    # container-level settings (translate/env.py, resources.py, security.py, probes.py)
    secret_env: list[SecretEnv] = []  # --secret NAME,type=env,target=VAR
    host_env: list[HostEnv] = []  # --env NAME=<host fact>
    user: str = ""  # --user UID[:GID]
    group_add: list[str] = []  # --group-add
    privileged: bool = False  # --privileged
    read_only: bool = False  # --read-only
    no_new_privileges: bool = False  # --security-opt no-new-privileges
    selinux_opts: list[str] = []  # --security-opt label=<opt>
    unmask: list[str] = []  # --security-opt unmask=<path|ALL>
    memory: int | None = None  # --memory (bytes)
    memory_reservation: int | None = None  # --memory-reservation (bytes)
    memory_swap: int | None = None  # --memory-swap (bytes, memory + swap; = memory: no swap)
    cpu_quota: int | None = None  # --cpu-quota (us per cpu_period)
    cpu_period: int | None = None  # --cpu-period (us)
    cpu_shares: int | None = None  # --cpu-shares
    tty: bool = False  # --tty
    stdin: bool = False  # --interactive
    stop_signal: int | None = None  # --stop-signal (signal number)
    healthcheck: Healthcheck | None = None  # --health-*
    labels: dict[str, str] = {}
    # pod-level settings every container carries (translate/pod.py, translate/annotations.py)
    annotations: dict[str, str] = {}
    restart_policy: Literal["", "always", "on-failure", "no"] = ""  # --restart
    stop_timeout: int | None = None  # --stop-timeout (terminationGracePeriodSeconds)
    init_type: Literal["", "once", "always"] = ""  # --init-ctr (init containers only)
    requires: list[str] = []  # --requires: containers started before this one (native sidecars)
    image_mounts: list[ImageMount] = []  # --mount type=image (image volumes)
    ipc: str = ""  # --ipc host (hostIPC)
    seccomp_profile: str = ""  # --security-opt seccomp=<path|unconfined> ("" = podman default)
    # secret volume keys: --secret NAME,type=mount,target=PATH
    secret_files: list[SecretFile] = []

"""A container of a pod (``podman create --pod``)."""

from __future__ import annotations

from typing import Literal

from kube2pod.plan.base import Frozen
from kube2pod.plan.mount import DeviceMapping, Mount

PullPolicy = Literal["always", "missing", "never", "newer"]


class EnvVar(Frozen):
    """``--env NAME=value``."""

    name: str
    value: str


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
    labels: dict[str, str] = {}

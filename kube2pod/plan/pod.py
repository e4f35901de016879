"""A pod: its infra container's settings and its containers."""

from __future__ import annotations

from kube2pod.plan.base import Frozen, ObjectRef
from kube2pod.plan.container import Container
from kube2pod.plan.port import PortMapping


class Pod(Frozen):
    """``podman pod create --name ... --hostname ... -p ...`` plus its containers."""

    name: str
    source: ObjectRef
    hostname: str = ""
    labels: dict[str, str] = {}
    ports: list[PortMapping] = []
    containers: list[Container] = []

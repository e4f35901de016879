"""A published port of a pod (``podman pod create -p``)."""

from __future__ import annotations

from typing import Literal

from kube2pod.plan.base import Frozen


class PortMapping(Frozen):
    """``-p [host_ip:]host_port:container_port/protocol`` on the pod's infra container."""

    host_port: int
    container_port: int
    protocol: Literal["tcp", "udp", "sctp"] = "tcp"
    host_ip: str = ""

"""The values of a container's host-fact env (plan ``HostEnv``: downward API fields only the host
knows), read on this machine when a container is created, as the script reads them when it runs
(render/shell.py HOST_FACTS): the node name is the hostname in lower case (the kubelet's node name),
the host's address the source address of its default route (else of the hostname's address).
apply reaches a local Podman for these, as for volume content (apply/volume_content.py)."""

from __future__ import annotations

import socket
from functools import lru_cache

from kube2pod.apply.errors import ApplyError

_PROBE = ("1.0.0.0", 9)  # connecting a UDP socket only picks the route: no packet is sent


def values(host_env: dict[str, str]) -> dict[str, str]:
    """``{NAME: value}`` for the spec's ``host_env`` ``{NAME: fact}``."""
    return {name: fact_value(fact) for name, fact in host_env.items()}


def fact_value(fact: str) -> str:
    if fact == "node-name":
        return socket.gethostname().lower()
    if fact == "host-ip":
        return host_ip()
    raise ApplyError(f"unknown host fact {fact!r}")


@lru_cache(maxsize=1)
def host_ip() -> str:
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(_PROBE)
            return s.getsockname()[0]
    except OSError:
        pass
    try:
        return socket.gethostbyname(socket.gethostname())
    except OSError as exc:
        raise ApplyError(f"cannot find the host's address for status.hostIP: {exc}") from None

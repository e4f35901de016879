"""Which host ports that pods would publish are already taken on this host (read only).

A port is taken when binding it fails with "address in use": another process listens there, or
another pod publishes it (Podman holds its pods' host ports open). Only pods that apply creates
are asked about: a pod that exists holds its own ports, and a recreated one releases them when it
is removed. The check binds and closes at once, with SO_REUSEADDR, so a connection lingering in
TIME_WAIT does not count.
"""

from __future__ import annotations

import errno
import socket

from kube2pod.plan import Pod


def taken(pods: list[Pod]) -> list[tuple[Pod, str]]:
    """``(pod, "PORT/PROTO")`` for each published host port that is in use."""
    out = []
    for pod in pods:
        if pod.network == "host":
            continue
        for p in pod.ports:
            if p.protocol in ("tcp", "udp") and _in_use(p.host_ip, p.host_port, p.protocol):
                out.append((pod, f"{p.host_port}/{p.protocol}"))
    return out


def _in_use(address: str, port: int, protocol: str) -> bool:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    kind = socket.SOCK_STREAM if protocol == "tcp" else socket.SOCK_DGRAM
    with socket.socket(family, kind) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((address or ("::" if family == socket.AF_INET6 else "0.0.0.0"), port))
        except OSError as exc:
            return exc.errno == errno.EADDRINUSE
    return False

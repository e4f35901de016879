"""Container ports -> pod port mappings.

A port with hostPort > 0 is published on the pod: ``-p [hostIP:]hostPort:containerPort/proto``
(protocol lower-cased). A containerPort without hostPort is not published,
unless ``publish_all`` (then hostPort = containerPort). The protocol and two
hostPorts on one host port are the loader's rules (load/validate.py); the clash
only ``publish_all`` makes (a containerPort on a host port published for another
container port) is an error here. The same mapping twice is published once.
"""

from __future__ import annotations

from kube2pod.plan import PortMapping
from kube2pod.translate.context import Context

PROTOCOLS = {"TCP": "tcp", "UDP": "udp", "SCTP": "sctp"}


def pod_ports(ctx: Context, spec, publish_all: bool) -> list[PortMapping]:
    out: list[PortMapping] = []
    seen: dict[tuple, tuple[int, bool]] = {}  # (host IP, host port, protocol) -> (container port, explicit)
    for i, c in enumerate(spec.containers or []):
        for j, port in enumerate(c.ports or []):
            proto = PROTOCOLS.get((port.protocol or "TCP").upper())
            explicit = bool(port.host_port)
            host_port = port.host_port or (port.container_port if publish_all else 0)
            if proto is None or not host_port or port.container_port is None:
                continue  # a protocol the loader refuses, or not published
            mapping = PortMapping.make(host_port=int(host_port), container_port=int(port.container_port),
                                       protocol=proto, host_ip=port.host_ip or "")
            key = (mapping.host_ip, mapping.host_port, proto)
            prev = seen.get(key)
            if prev is None:
                seen[key] = (mapping.container_port, explicit)
                out.append(mapping)
            elif prev[0] != mapping.container_port and not (explicit and prev[1]):
                ctx.error(("containers", i, "ports", j, "hostPort" if explicit else "containerPort"),
                          f"host port {host_port}/{proto} is already published by this pod",
                          "--publish-all publishes each containerPort without a hostPort on the same host port")
    return out

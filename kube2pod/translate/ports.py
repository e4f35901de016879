"""Container ports -> pod port mappings.

A port with hostPort > 0 is published on the pod: ``-p [hostIP:]hostPort:containerPort/proto``
(protocol lower-cased). A containerPort without hostPort is not published,
unless ``publish_all`` (then hostPort = containerPort).
"""

from __future__ import annotations

from kube2pod.plan import PortMapping
from kube2pod.translate.context import Context

PROTOCOLS = {"TCP": "tcp", "UDP": "udp", "SCTP": "sctp"}


def pod_ports(ctx: Context, spec, publish_all: bool) -> list[PortMapping]:
    out: list[PortMapping] = []
    seen: dict[tuple, tuple] = {}
    for i, c in enumerate(spec.containers or []):
        for j, port in enumerate(c.ports or []):
            path = ("containers", i, "ports", j)
            proto = PROTOCOLS.get((port.protocol or "TCP").upper())
            if proto is None:
                ctx.error(path + ("protocol",), f"unknown protocol {port.protocol!r}", "one of: TCP, UDP, SCTP")
                continue
            host_port = port.host_port or (port.container_port if publish_all else 0)
            if not host_port:
                continue
            mapping = PortMapping.make(host_port=int(host_port), container_port=int(port.container_port),
                                       protocol=proto, host_ip=port.host_ip or "")
            key = (mapping.host_ip, mapping.host_port, proto)
            if key in seen:
                if seen[key] != (mapping.container_port,):
                    ctx.error(path + ("hostPort",), f"host port {host_port}/{proto} is already published by this pod")
                continue
            seen[key] = (mapping.container_port,)
            out.append(mapping)
    return out

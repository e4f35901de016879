"""A podman network as options (``podman network create``, libpod Network, Quadlet ``.network``).

The plan has no networks yet (the networking issue adds them); the fields carry the options
a bridge network with DNS needs.
"""

from __future__ import annotations

from typing import Annotated

from kube2pod.plan.base import Frozen
from kube2pod.spec.option import Option, bare, mapping, pairs

_POSITIONAL = {"cli": "the last argument of podman network create"}


class NetworkSpec(Frozen):
    name: Annotated[str, Option("", "name", "NetworkName", absent=_POSITIONAL)]
    driver: Annotated[str, Option("--driver", "driver", "Driver")] = ""
    labels: Annotated[dict[str, str], Option("--label", "labels", "Label", words=pairs, body=mapping,
                                             unit="words")] = {}
    subnet: Annotated[str, Option("--subnet", "subnets", "Subnet", body=lambda s: [{"subnet": s}])] = ""
    internal: Annotated[bool, Option("--internal", "internal", "Internal", words=bare, unit="bool")] = False
    disable_dns: Annotated[bool, Option("--disable-dns", "dns_enabled", "DisableDNS", words=bare,
                                        body=lambda v: not v, unit="bool")] = False

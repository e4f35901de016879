"""A podman network as options (``podman network create``, libpod Network, Quadlet ``.network``).

``network_spec(n)`` makes it from the plan: a bridge with DNS (the CLI's defaults; the REST API
must be asked for DNS) and kube2pod's labels.
"""

from __future__ import annotations

from typing import Annotated

from kube2pod.plan import Network
from kube2pod.plan.base import Frozen
from kube2pod.spec.option import Option, bare, mapping, pairs

_POSITIONAL = {"cli": "the last argument of podman network create"}
_DNS_DEFAULT = {"cli": "podman network create turns DNS on for a bridge by itself",
                "quadlet": "Quadlet's podman network create turns DNS on for a bridge by itself"}


class NetworkSpec(Frozen):
    name: Annotated[str, Option("", "name", "NetworkName", absent=_POSITIONAL)]
    driver: Annotated[str, Option("--driver", "driver", "Driver")] = ""
    labels: Annotated[dict[str, str], Option("--label", "labels", "Label", words=pairs, body=mapping,
                                             unit="words")] = {}
    subnet: Annotated[str, Option("--subnet", "subnets", "Subnet", body=lambda s: [{"subnet": s}])] = ""
    internal: Annotated[bool, Option("--internal", "internal", "Internal", words=bare, unit="bool")] = False
    dns: Annotated[bool, Option(None, "dns_enabled", None, absent=_DNS_DEFAULT)] = False
    disable_dns: Annotated[bool, Option("--disable-dns", "dns_enabled", "DisableDNS", words=bare,
                                        body=lambda v: not v, unit="bool")] = False


def network_spec(n: Network) -> NetworkSpec:
    """The podman options of network ``n``."""
    return NetworkSpec.make(name=n.name, driver="" if n.driver == "bridge" else n.driver, labels=n.labels,
                            dns=n.driver == "bridge")

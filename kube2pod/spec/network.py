"""A podman network as options (``podman network create``, libpod Network, Quadlet ``.network``).

``network_spec(n)`` makes it from the plan: a bridge with DNS (the CLI's defaults; the REST API
must be asked for DNS, which the CLI turns on for macvlan networks too) or a macvlan network, its subnet, gateway and address range, its driver
options (a macvlan's ``parent`` is the REST API's ``network_interface``) and kube2pod's labels.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated

from kube2pod.plan import Network
from kube2pod.plan.base import Frozen
from kube2pod.spec.option import Option, bare, mapping, pairs
from kube2pod.spec.version import DEFAULT, Version

_POSITIONAL = {"cli": "the last argument of podman network create"}
#: ``podman network create --ignore`` (REST query ``ignoreIfExists``, also 4.4): an existing network
#: is left as it is.
IGNORE = Option("--ignore", None, None, since=Version(4, 4), words=bare, absent={
    "rest": "apply decides from what Podman has (apply/decisions.py) and never sends ignoreIfExists",
    "quadlet": "Quadlet's network service passes --ignore itself"})
_DNS_DEFAULT = {"cli": "podman network create turns DNS on by itself",
                "quadlet": "Quadlet's podman network create turns DNS on by itself"}


def _lease_range(cidr: str) -> list[dict]:
    """``--ip-range CIDR`` as the REST API's lease range, as the CLI makes it (podman 4.3: the
    block's second address to its last)."""
    block = ipaddress.ip_network(cidr, strict=False)
    first = block[1] if block.num_addresses > 2 else block[0]
    return [{"lease_range": {"start_ip": str(first), "end_ip": str(block[-1])}}]


def _driver_options(options: dict) -> dict:
    """The CLI's ``-o parent=IF`` is the REST API's ``network_interface``; the others are ``options``."""
    rest = {k: v for k, v in options.items() if k != "parent"}
    return {"options": rest, "network_interface": options.get("parent", "")}


class NetworkSpec(Frozen):
    ignore: Annotated[bool, IGNORE] = False
    name: Annotated[str, Option("", "name", "NetworkName", absent=_POSITIONAL, since_by={"quadlet": Version(4, 7)})]
    driver: Annotated[str, Option("--driver", "driver", "Driver")] = ""
    labels: Annotated[dict[str, str], Option("--label", "labels", "Label", words=pairs, body=mapping,
                                             unit="words")] = {}
    subnet: Annotated[str, Option("--subnet", "subnets", "Subnet", body=lambda s: [{"subnet": s}])] = ""
    gateway: Annotated[str, Option("--gateway", "subnets", "Gateway", body=lambda g: [{"gateway": g}])] = ""
    ip_range: Annotated[str, Option("--ip-range", "subnets", "IPRange", body=_lease_range)] = ""
    options: Annotated[dict[str, str], Option("--opt", ("options", "network_interface"), "Options", words=pairs,
                                              body=_driver_options)] = {}
    internal: Annotated[bool, Option("--internal", "internal", "Internal", words=bare, unit="bool")] = False
    dns: Annotated[bool, Option(None, "dns_enabled", None, absent=_DNS_DEFAULT)] = False
    disable_dns: Annotated[bool, Option("--disable-dns", "dns_enabled", "DisableDNS", words=bare,
                                        body=lambda v: not v, unit="bool")] = False


def network_spec(n: Network, version: Version = DEFAULT) -> NetworkSpec:
    """The podman options of network ``n``; ``--ignore`` where the target has it."""
    return NetworkSpec.make(ignore=version >= IGNORE.since, name=n.name, driver="" if n.driver == "bridge" else n.driver, labels=n.labels,
                            subnet=n.subnet, gateway=n.gateway, ip_range=n.ip_range, options=n.options, dns=n.dns,
                            disable_dns=not n.dns)

"""status.podIP of a pod on its project network -> a static address kube2pod gives the pod (pure).

netavark gives a pod its address when the pod starts, and again on every start, after the
containers' env is fixed: no value set when a container is created can be that address. So a pod
whose env asks for ``status.podIP`` gets a static address on its namespace's project network,
chosen before its containers are translated (translate/env.py reads it: ``$(VAR)`` expands), and
that network a subnet of kube2pod's choosing:

| what                     | value                                                              |
|--------------------------|--------------------------------------------------------------------|
| the network's subnet     | ``10.<90 + i div 256>.<i mod 256>.0/24``, i = sha256(network name) mod 512 (in 10.90.0.0/15, beside Podman's own pool 10.88-10.89); the next one when another network of the input has it |
| the network's ``ip_range`` | ``.128/25``: the addresses netavark gives the other pods          |
| a pod's static address   | in ``.2``-``.127``: sha256(pod name) mod 126, the next free one on a clash (pods in name order) |
| the env variable         | that address, a plain ``--env`` (``$(VAR)`` of it expanded)        |

The same input gives the same addresses on every convert and apply. ``hostNetwork`` pods (and
``--network host``) have the host's address (``host-ip``). With ``--network NAME`` (a network
kube2pod does not shape) or ``--network none`` the address is not known: an error.
"""

from __future__ import annotations

import hashlib
import ipaddress

from kube2pod.diagnostics import Diagnostics
from kube2pod.plan import Attachment, Network, Pod
from kube2pod.translate.network import network_name

POOL = ipaddress.ip_network("10.90.0.0/15")
STATIC = range(2, 128)  # host numbers of the static addresses; .128/25 is netavark's range


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def subnet_of(network: str, taken: frozenset = frozenset()) -> ipaddress.IPv4Network:
    """The /24 of ``POOL`` that project network ``network`` gets: the next one when another network
    of the input has it (``taken``)."""
    count = POOL.num_addresses // 256
    index = _digest(network) % count
    while True:
        subnet = ipaddress.ip_network((int(POOL.network_address) + index * 256, 24))
        if subnet not in taken:
            return subnet
        index = (index + 1) % count


FIELDS = ("status.podIP", "status.podIPs")


def pod_ip_field(spec) -> tuple | None:
    """The path (in the pod spec) of the first env fieldRef of status.podIP(s), or None."""
    for field in ("initContainers", "containers"):
        for i, c in enumerate((spec.init_containers if field == "initContainers" else spec.containers) or []):
            for k, v in enumerate(c.env or []):
                if v.value_from is not None and v.value_from.field_ref is not None \
                        and v.value_from.field_ref.field_path in FIELDS:
                    return (field, i, "env", k, "valueFrom", "fieldRef", "fieldPath")
    return None


class Addresses:
    """The static addresses of the pods that ask for status.podIP (``by_pod``), and the subnet and
    range of their networks (``subnets``: network name -> (subnet, ip_range))."""

    def __init__(self):
        self.by_pod: dict[str, str] = {}
        self.subnets: dict[str, tuple[str, str]] = {}


def plan_addresses(sources: list, project: str, override: str, diags: Diagnostics) -> Addresses:
    """The addresses of the pods of ``sources`` (translate/workload.PodSource) before they are
    translated, so that their env holds the address and ``$(VAR)`` of it expands."""
    out = Addresses()
    wanting: dict[str, list[str]] = {}
    for src in sources:
        field = pod_ip_field(src.spec)
        if src.spec.host_network or override == "host" or field is None:
            continue  # host-network pods have the host's address (translate/env.py)
        m = src.ctx.manifest
        if override:
            src.ctx.error(field, f"status.podIP is not known with --network {override}: kube2pod gives a pod a "
                          "static address only on its project network",
                          "leave out --network, or set the address the application needs explicitly")
            continue
        wanting.setdefault(network_name(project or "default", m.namespace or "default"), []).extend(src.pod_names)
    taken: set = set()
    for net_name, names in sorted(wanting.items()):
        subnet = subnet_of(net_name, frozenset(taken))
        taken.add(subnet)
        if len(set(names)) > len(STATIC):
            diags.error(f"{len(set(names))} pods of network {net_name} ask for status.podIP; kube2pod gives at most "
                        f"{len(STATIC)} static addresses per network")
            continue
        out.subnets[net_name] = (str(subnet), str(ipaddress.ip_network((int(subnet.network_address) + 128, 25))))
        hosts: set[int] = set()
        for name in sorted(set(names)):
            host = STATIC[_digest(name) % len(STATIC)]
            while host in hosts:
                host = STATIC[(host - STATIC.start + 1) % len(STATIC)]
            hosts.add(host)
            out.by_pod[name] = str(subnet.network_address + host)
    return out


def place(pods: dict[str, Pod], networks: dict[str, Network], addresses: Addresses) -> None:
    """The addresses on the pods' first networks and the subnets on those networks (in place)."""
    for name, address in addresses.by_pod.items():
        pod = pods.get(name)
        if pod is None or not pod.networks or pod.networks[0].network not in addresses.subnets:
            continue
        first: Attachment = pod.networks[0]
        pods[name] = pod.replace(networks=[first.replace(ips=[address]), *pod.networks[1:]])
    for net_name, (subnet, ip_range) in addresses.subnets.items():
        if net_name in networks:
            networks[net_name] = networks[net_name].replace(subnet=subnet, ip_range=ip_range)

"""status.podIP of a pod on its project network -> a static address kube2pod gives the pod (pure).

netavark gives a pod its address when the pod starts, and again on every start, after the
containers' env is fixed: no value set when a container is created can be that address. So a pod
whose env asks for ``status.podIP`` (a ``pod-ip`` HostEnv from translate/env.py) gets a static
address on its namespace's project network, and that network a subnet of kube2pod's choosing:

| what                     | value                                                              |
|--------------------------|--------------------------------------------------------------------|
| the network's subnet     | ``10.<90 + i div 256>.<i mod 256>.0/24``, i = sha256(network name) mod 512 (in 10.90.0.0/15, beside Podman's own pool 10.88-10.89); the next one when another network of the input has it |
| the network's ``ip_range`` | ``.128/25``: the addresses netavark gives the other pods          |
| a pod's static address   | in ``.2``-``.127``: sha256(pod name) mod 126, the next free one on a clash (pods in name order) |
| the env variable         | that address, a plain ``--env``                                    |

The same input gives the same addresses on every convert and apply. ``hostNetwork`` pods (and
``--network host``) have the host's address (``host-ip``). With ``--network NAME`` (a network
kube2pod does not shape) or ``--network none`` the address is not known: an error.
"""

from __future__ import annotations

import hashlib
import ipaddress

from kube2pod.diagnostics import Diagnostics, SourcePos
from kube2pod.plan import Attachment, Container, EnvVar, Network, Pod

POD_IP = "pod-ip"
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


def needs_pod_ip(pod: Pod) -> bool:
    return any(h.fact == POD_IP for c in [*pod.init_containers, *pod.containers] for h in c.host_env)


def assign(pods: dict[str, Pod], networks: dict[str, Network], diags: Diagnostics) -> None:
    """Give every pod that asks for status.podIP its address (``pods``, ``networks`` updated in place)."""
    wanting: dict[str, list[str]] = {}
    for name in sorted(pods):
        pod = pods[name]
        if not needs_pod_ip(pod):
            continue
        if pod.network == "host":
            pods[name] = _resolved(pod, None)
            continue
        net = networks.get(pod.networks[0].network) if pod.networks else None
        if net is None or net.shared:
            why = f"--network {net.name}, a network kube2pod does not shape" if net is not None else \
                f"--network {pod.network or 'none'}"
            diags.error(f"status.podIP of pod {name} is not known with {why}: kube2pod gives a pod a static "
                        "address only on its project network", SourcePos(pod.source.file, pod.source.line, 1),
                        "leave out --network, or set the address the application needs explicitly")
            continue
        wanting.setdefault(net.name, []).append(name)
    taken: set = set()
    for net_name, names in sorted(wanting.items()):
        subnet = subnet_of(net_name, frozenset(taken))
        taken.add(subnet)
        if len(names) > len(STATIC):
            first = pods[names[0]]
            diags.error(f"{len(names)} pods of network {net_name} ask for status.podIP; kube2pod gives at most "
                        f"{len(STATIC)} static addresses per network", SourcePos(first.source.file, first.source.line, 1))
            continue
        networks[net_name] = networks[net_name].replace(subnet=str(subnet),
                                                        ip_range=str(ipaddress.ip_network((int(subnet.network_address) + 128, 25))))
        taken: set[int] = set()
        for name in names:
            host = STATIC[_digest(name) % len(STATIC)]
            while host in taken:
                host = STATIC[(host - STATIC.start + 1) % len(STATIC)]
            taken.add(host)
            pods[name] = _resolved(pods[name], str(subnet.network_address + host))


def _resolved(pod: Pod, address: str | None) -> Pod:
    """The pod with its ``pod-ip`` env set: ``address`` on its first network (static), or the
    host's address (None: a host-network pod)."""
    def fix(c: Container) -> Container:
        if not any(h.fact == POD_IP for h in c.host_env):
            return c
        if address is None:
            return c.replace(host_env=[h.replace(fact="host-ip") if h.fact == POD_IP else h for h in c.host_env])
        env = [*c.env, *(EnvVar.make(name=h.name, value=address) for h in c.host_env if h.fact == POD_IP)]
        return c.replace(env=env, host_env=[h for h in c.host_env if h.fact != POD_IP])

    pod = pod.replace(init_containers=[fix(c) for c in pod.init_containers], containers=[fix(c) for c in pod.containers])
    if address is not None:
        first: Attachment = pod.networks[0]
        pod = pod.replace(networks=[first.replace(ips=[address]), *pod.networks[1:]])
    return pod

"""A pod as podman options (``podman pod create``, libpod PodSpecGenerator, Quadlet ``.pod``).

``pod_spec(p)`` makes it from the plan: the infra container's name, namespaces, published ports,
name resolution and sysctls.
"""

from __future__ import annotations

from typing import Annotated, Any

from kube2pod.plan import Pod
from kube2pod.plan.base import Frozen
from kube2pod.plan.pod import DEFAULT_SHARE
from kube2pod.spec.option import Option, each, mapping, nsmode, pairs
from kube2pod.spec.version import Version


def _publish(ports: list) -> list[str]:
    return [f"{p.host_ip + ':' if p.host_ip else ''}{p.host_port}:{p.container_port}/{p.protocol}" for p in ports]


def _portmappings(ports: list) -> list[dict]:
    return [{"host_ip": p.host_ip, "host_port": p.host_port, "container_port": p.container_port,
             "protocol": p.protocol} for p in ports]


def _network_words(attachments: list) -> list[str]:
    """``NAME[:alias=A,...,ip=IP,mac=MAC,interface_name=IF]`` per network."""
    out = []
    for a in attachments:
        opts = [f"alias={x}" for x in a.aliases] + [f"ip={ip}" for ip in a.ips]
        opts += [f"mac={a.mac}"] * bool(a.mac) + [f"interface_name={a.interface}"] * bool(a.interface)
        out.append(a.network + (":" + ",".join(opts) if opts else ""))
    return out


def _per_network(a) -> dict:
    """libpod's PerNetworkOptions of one attachment."""
    out: dict = {"aliases": list(a.aliases)} if a.aliases else {}
    if a.ips:
        out["static_ips"] = list(a.ips)
    if a.mac:
        out["static_mac"] = a.mac
    if a.interface:
        out["interface_name"] = a.interface
    return out


def _network_body(attachments: list) -> dict:
    """A bridge namespace and libpod's per-network options (``Networks``)."""
    return {"netns": {"nsmode": "bridge"}, "Networks": {a.network: _per_network(a) for a in attachments}}


class PodSpec(Frozen):
    name: Annotated[str, Option("--name", "name", "PodName", since_by={"quadlet": Version(5, 0)})]
    hostname: Annotated[str, Option("--hostname", "hostname", "PodmanArgs")] = ""
    labels: Annotated[dict[str, str], Option("--label", "labels", "PodmanArgs", words=pairs)] = {}
    publish: Annotated[list[Any], Option("--publish", "portmappings", "PublishPort", words=_publish, since_by={"quadlet": Version(5, 0)},
                                         body=_portmappings)] = []
    share: Annotated[list[str] | None, Option("--share", "shared_namespaces", "PodmanArgs",
                                              words=lambda ns: [",".join(ns)])] = None
    network: Annotated[str, Option("--network", "netns", "Network", body=nsmode, since_by={"quadlet": Version(5, 0)})] = ""
    networks: Annotated[list[Any], Option("--network", ("netns", "Networks"), "Network", words=_network_words,
                                          body=_network_body, unit="network",
                                          since_by={"quadlet": Version(5, 0)})] = []
    pid: Annotated[str, Option("--pid", "pidns", "PodmanArgs", body=nsmode)] = ""
    uts: Annotated[str, Option("--uts", "utsns", "PodmanArgs", body=nsmode)] = ""
    userns: Annotated[str, Option("--userns", "userns", "PodmanArgs", body=nsmode)] = ""
    infra_name: Annotated[str, Option("--infra-name", "infra_name", "PodmanArgs")] = ""
    add_hosts: Annotated[list[str], Option("--add-host", "hostadd", "AddHost", words=each, since_by={"quadlet": Version(5, 3)})] = []
    dns: Annotated[list[str], Option("--dns", "dns_server", "DNS", words=each, since_by={"quadlet": Version(5, 3)})] = []
    dns_search: Annotated[list[str], Option("--dns-search", "dns_search", "DNSSearch", words=each,
                                             since_by={"quadlet": Version(5, 3)})] = []
    dns_options: Annotated[list[str], Option("--dns-option", "dns_option", "DNSOption", words=each,
                                              since_by={"quadlet": Version(5, 3)})] = []
    sysctls: Annotated[dict[str, str], Option("--sysctl", "sysctl", "PodmanArgs", words=pairs, body=mapping)] = {}
    exit_policy: Annotated[str, Option("--exit-policy", "exit_policy", "PodmanArgs", since=Version(4, 2))] = ""


def pod_spec(p: Pod) -> PodSpec:
    """The podman options of pod ``p``; the default namespace sharing (ipc, net, uts) is
    left to podman. A scheduled pod (a CronJob's) stops when its last container exits
    (``--exit-policy stop``), so its service ends with the run and the timer can start it again."""
    return PodSpec.make(
        name=p.name, hostname=p.hostname, labels=p.labels, publish=p.ports,
        share=None if tuple(p.share) == DEFAULT_SHARE else list(p.share), network=p.network, networks=p.networks,
        pid=p.pid, uts=p.uts,
        userns=p.userns, infra_name=p.infra_name, add_hosts=p.add_hosts, dns=p.dns_servers,
        dns_search=p.dns_search, dns_options=p.dns_options, sysctls=p.sysctls,
        exit_policy="stop" if p.schedule is not None else "")

"""A pod: its infra container's settings, its init containers and its containers."""

from __future__ import annotations

from kube2pod.plan.base import Frozen, ObjectRef
from kube2pod.plan.container import Container
from kube2pod.plan.network import Attachment
from kube2pod.plan.port import PortMapping
from kube2pod.plan.schedule import Schedule

DEFAULT_SHARE = ("ipc", "net", "uts")


class Pod(Frozen):
    """``podman pod create --name ... --hostname ... -p ...`` plus its containers.

    ``share``: namespaces the containers share (``--share``); ``network`` "host"
    for hostNetwork ("none", "": bridge); ``networks``: the networks it joins, with the
    names it has there (Services, hostname.subdomain); ``pid`` "host" for hostPID; ``uts`` "host"
    for hostNetwork (the host's hostname, no ``hostname``); ``userns`` "auto" for
    hostUsers: false; ``add_hosts`` ``host:ip`` (hostAliases); ``dns_*``
    (dnsConfig); ``sysctls`` (securityContext.sysctls). ``init_containers``
    are created first and run, in order, before the containers start. ``schedule``: a
    CronJob's pod, run by a systemd timer (unit outputs only).
    """

    name: str
    source: ObjectRef
    hostname: str = ""
    labels: dict[str, str] = {}
    ports: list[PortMapping] = []
    share: list[str] = list(DEFAULT_SHARE)
    network: str = ""
    networks: list[Attachment] = []
    pid: str = ""
    uts: str = ""
    userns: str = ""
    infra_name: str = ""
    add_hosts: list[str] = []
    dns_servers: list[str] = []
    dns_search: list[str] = []
    dns_options: list[str] = []
    sysctls: dict[str, str] = {}
    init_containers: list[Container] = []
    containers: list[Container] = []
    schedule: Schedule | None = None

    @property
    def stop_timeout(self) -> int | None:
        """The longest stop timeout of its containers (what stopping the pod must wait for)."""
        values = [c.stop_timeout for c in [*self.init_containers, *self.containers] if c.stop_timeout is not None]
        return max(values) if values else None

"""A podman network the plan creates, and a pod's place on a network.

``Network``: ``podman network create`` of the project's bridge with DNS (one per project and
namespace, where pods find each other and the Services by name), or of a
NetworkAttachmentDefinition (macvlan or bridge, with its IPAM). ``Attachment``: ``--network
NAME:alias=...,ip=...,mac=...,interface_name=...`` of a pod: the names aardvark-dns answers with
the pod's address, its static addresses and its interface.
"""

from __future__ import annotations

from kube2pod.plan.base import Frozen, ObjectRef


class Network(Frozen):
    """``podman network create --label ... NAME`` (bridge, DNS on).

    ``shared``: the network was named by the user (``--network NAME``): pods join it whoever made
    it; kube2pod creates it only when it is missing, and removes only one it created.
    """

    name: str
    source: ObjectRef
    labels: dict[str, str] = {}
    driver: str = "bridge"
    shared: bool = False
    subnet: str = ""
    gateway: str = ""
    ip_range: str = ""  # a CIDR block inside the subnet
    options: dict[str, str] = {}  # driver options: parent, mode (macvlan)
    dns: bool = True


class Attachment(Frozen):
    """A pod on network ``network``, known there as each of ``aliases`` (besides its containers'
    names); ``ips``/``mac``: static addresses; ``interface``: its name in the pod."""

    network: str
    aliases: list[str] = []
    ips: list[str] = []
    mac: str = ""
    interface: str = ""

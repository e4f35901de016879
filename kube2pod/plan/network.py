"""A podman network the plan creates, and a pod's place on a network.

``Network``: ``podman network create`` of the project's bridge with DNS (one per project and
namespace, where pods find each other and the Services by name). ``Attachment``: ``--network
NAME:alias=...`` of a pod: the names aardvark-dns answers with the pod's address.
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


class Attachment(Frozen):
    """A pod on network ``network``, known there as each of ``aliases`` (besides its containers' names)."""

    network: str
    aliases: list[str] = []

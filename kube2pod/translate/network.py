"""Pods -> the project's networks and each pod's place and name resolution on them (pure).

| input                                   | plan                                                        |
|-----------------------------------------|-------------------------------------------------------------|
| a pod of namespace NS, project P        | joins the bridge network ``P_NS`` (DNS on, kube2pod's labels), ``--network P_NS:alias=...`` |
| ``--network NAME``                      | every pod joins NAME instead (created if missing, else joined whoever made it) |
| ``--network host`` / ``none``           | every pod ``--network host`` / ``none``; no Service names   |
| hostNetwork: true                       | ``--network host`` (unchanged)                              |
| dnsPolicy ClusterFirst (default)        | ``--dns-search NS.svc.cluster.local svc.cluster.local cluster.local`` and ``--dns-option ndots:5``, as the kubelet writes resolv.conf; dnsConfig adds to them |
| dnsPolicy Default / None                | dnsConfig only (Default: the host's resolver after aardvark-dns) |
"""

from __future__ import annotations

import re

from kube2pod.plan import Attachment, Network, ObjectRef, Pod
from kube2pod.plan import ownership_labels
from kube2pod.translate.services import CLUSTER_DOMAIN

MODES = ("host", "none")
_BAD = re.compile(r"[^a-zA-Z0-9_.-]+")


_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")


def check_override(value: str) -> None:
    """ValueError for a ``--network`` value podman would refuse."""
    if value and value not in MODES and not _NAME.match(value):
        raise ValueError(f"--network {value!r}: a network name is letters, digits, '_', '.' and '-', "
                         "beginning with a letter or digit (or host, none)")


def network_name(project: str, namespace: str) -> str:
    """``<project>_<namespace>``, in the characters podman allows in a network name."""
    name = _BAD.sub("-", f"{project}_{namespace}").lstrip("_.-")
    return name or "kube2pod"


def project_network(project: str, namespace: str, override: str) -> Network:
    """The network the pods of ``namespace`` join: the project's own, or the one ``--network`` names."""
    name = override or network_name(project, namespace)
    labels = {ownership_labels.MANAGED: "true",
              ownership_labels.SOURCE: f"Namespace/{namespace}"}
    return Network.make(name=name, source=ObjectRef.make(kind="Namespace", name=namespace), labels=labels,
                        shared=bool(override))


def attach(pod: Pod, network: str, aliases: list[str], namespace: str, dns_policy: str | None) -> Pod:
    """``pod`` on ``network`` known by ``aliases``, with the kubelet's search path for its policy."""
    policy = dns_policy or "ClusterFirst"
    changes: dict = {"networks": [Attachment.make(network=network, aliases=list(aliases))]}
    if policy in ("ClusterFirst", "ClusterFirstWithHostNet"):
        search = [f"{namespace}.svc.{CLUSTER_DOMAIN}", f"svc.{CLUSTER_DOMAIN}", CLUSTER_DOMAIN]
        changes["dns_search"] = search + [s for s in pod.dns_search if s not in search]
        names = {o.partition(":")[0] for o in pod.dns_options}
        changes["dns_options"] = ([] if "ndots" in names else ["ndots:5"]) + list(pod.dns_options)
    return pod.replace(**changes)

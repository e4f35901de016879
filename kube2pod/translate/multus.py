"""Multus: NetworkAttachmentDefinitions -> podman networks, and the pod annotation
``k8s.v1.cni.cncf.io/networks`` -> the pod's further networks (pure).

| input                                                   | plan                                          |
|---------------------------------------------------------|-----------------------------------------------|
| NetworkAttachmentDefinition NAME, macvlan (master M, mode X), ipam host-local subnet S, rangeStart..rangeEnd R, gateway G | ``Network`` ``<project>_<ns>_NAME``: ``podman network create -d macvlan -o parent=M -o mode=X --subnet S --ip-range R --gateway G`` |
| the same with type bridge                               | a bridge network (DNS on) with that subnet     |
| ipam routes                                             | warning: ``--route`` needs Podman 4.7           |
| annotation ``a, b@eth1, ns/c``                          | ``Attachment`` per name (``@IF``: its interface in the pod), after the project network |
| annotation JSON ``[{"name", "namespace", "ips", "mac", "interface"}]`` | with static addresses (``ip=``, without the prefix length), ``mac=``, ``interface_name=`` |

The CNI configuration is read and checked by the loader (load/cni.py). A name that no
NetworkAttachmentDefinition of the input has, a static address outside its subnet, or a static
address on more than one replica, is an error at the annotation.
"""

from __future__ import annotations

import ipaddress
import json

from kube2pod.diagnostics import Diagnostics
from kube2pod.load import cni
from kube2pod.load.manifest import Manifest
from kube2pod.plan import Attachment, Network, ObjectRef
from kube2pod.plan import ownership_labels
from kube2pod.translate.workload import PodSource

ANNOTATION = "k8s.v1.cni.cncf.io/networks"
KIND = "NetworkAttachmentDefinition"


def definitions(manifests: list[Manifest], base: dict[str, str], diags: Diagnostics) -> dict[tuple, Network]:
    """Each NetworkAttachmentDefinition as a network, by (namespace, name); ``base``: the project
    network's name per namespace, which prefixes theirs."""
    out = {}
    for m in manifests:
        if m.kind != KIND or not isinstance(m.obj, dict):
            continue
        ns = m.namespace or "default"
        try:
            conf = cni.read((m.obj.get("spec") or {}).get("config"))
            block = cni.ip_range(conf)
        except cni.CniError:
            continue  # the loader's error
        if conf.routes:
            diags.warning(f"{KIND}/{m.name}: ipam routes are not set: podman network create --route needs "
                          "Podman 4.7", m.source.pos(("spec", "config")))
        options = {"parent": conf.master, "mode": conf.mode} if conf.type == "macvlan" else {}
        out[(ns, m.name)] = Network.make(
            name=f"{base.get(ns, ns)}_{m.name}",
            source=ObjectRef.make(kind=KIND, name=m.name, namespace=m.namespace, file=m.source.file,
                                  line=m.source.start.line),
            labels={ownership_labels.MANAGED: "true",
                    ownership_labels.SOURCE: ownership_labels.source_value(KIND, m.namespace, m.name)},
            driver=conf.type, subnet=conf.subnet, gateway=conf.gateway, ip_range=block,
            options={k: v for k, v in options.items() if v})
    return out


def attachments(src: PodSource, nads: dict[tuple, Network], report: bool = True) -> list[Attachment]:
    """The networks the pod's annotation asks for (none without it); errors at the annotation
    (``report``: for the first replica only, as every replica has the same annotation)."""
    text = src.annotations.all.get(ANNOTATION)
    if not text:
        return []
    path = src.annotations.paths.get(ANNOTATION, ("metadata", "annotations", ANNOTATION))
    ctx = src.ctx
    pos = ctx.manifest.source.pos(path)

    def fail(message: str, hint: str | None = None) -> None:
        if report:
            ctx.diags.error(f"{ANNOTATION}: {message}", pos, hint)

    try:
        requests = _requests(text)
    except ValueError as exc:
        fail(str(exc))
        return []
    ns = ctx.manifest.namespace or "default"
    out = []
    for req in requests:
        where = (req.get("namespace") or ns, req["name"])
        net = nads.get(where)
        if net is None:
            fail(f"no {KIND} {where[1]} in namespace {where[0]} in the input", f"add the {KIND}, or correct the name")
            continue
        problem = _static_problem(req, net, len(src.pod_names))
        if problem:
            fail(problem)
            continue
        out.append(Attachment.make(network=net.name, ips=[ip.split("/")[0] for ip in req.get("ips") or []],
                                   mac=req.get("mac") or "", interface=req.get("interface") or ""))
    return out


def _requests(text: str) -> list[dict]:
    """The annotation as a list of ``{name, namespace, ips, mac, interface}``: JSON, or ``[ns/]name[@if]`` items."""
    text = text.strip()
    if text.startswith("["):
        items = json.loads(text)
        if not isinstance(items, list) or not all(isinstance(i, dict) and isinstance(i.get("name"), str)
                                                   for i in items):
            raise ValueError("the JSON form is a list of objects with a name")
        for i in items:
            if not isinstance(i.get("ips", []), list):
                raise ValueError(f"ips of {i['name']} must be a list of addresses")
        return items
    out = []
    for word in (w.strip() for w in text.split(",")):
        if not word:
            continue
        ref, _, interface = word.partition("@")
        namespace, _, name = ref.rpartition("/")
        if not name:
            raise ValueError(f"{word!r} names no network")
        out.append({"name": name, "namespace": namespace, "interface": interface})
    return out


def _static_problem(req: dict, net: Network, replicas: int) -> str:
    if (req.get("ips") or req.get("mac")) and replicas > 1:
        return f"static addresses on network {req['name']} would be given to each of {replicas} replicas"
    for ip in req.get("ips") or []:
        try:
            address = ipaddress.ip_interface(str(ip)).ip
        except ValueError:
            return f"{ip!r} is not an IP address"
        if net.subnet and address not in ipaddress.ip_network(net.subnet):
            return f"{address} is outside the subnet {net.subnet} of network {req['name']}"
    return ""

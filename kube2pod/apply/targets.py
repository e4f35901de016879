"""``logs``/``exec``/``status`` targets: ``pod/x``, ``deploy/x`` (every replica), ``x`` -> podman containers.

The pods come from the plan of the given manifests (:func:`from_plan`) or, with no manifests,
from the kube2pod pods on the host (:func:`from_host`: the ``io.kube2pod.*`` labels and the
translated pod stored in ``io.kube2pod.definition``). Target kinds, as kubectl spells them:

| target                                            | chooses                                  |
|---------------------------------------------------|------------------------------------------|
| ``pod/x``, ``po/x``, ``pods/x``                   | the podman pod ``x``, or the pods of Pod ``x`` |
| ``deploy/x``, ``deployment/x``, ``deployment.apps/x`` | every replica pod of Deployment ``x``  |
| ``rs/x``, ``sts/x``, ``ds/x``, ``job/x`` (long forms too) | the pods of that workload        |
| ``x``                                             | the pod ``x``, else the one workload named ``x`` |
"""

from __future__ import annotations

from typing import NamedTuple

from kube2pod.plan import ownership_labels

KINDS = {
    "pod": "Pod", "po": "Pod",
    "deployment": "Deployment", "deploy": "Deployment",
    "replicaset": "ReplicaSet", "rs": "ReplicaSet",
    "statefulset": "StatefulSet", "sts": "StatefulSet",
    "daemonset": "DaemonSet", "ds": "DaemonSet",
    "job": "Job",
}
_SHORT = {"Pod": "pod", "Deployment": "deploy", "ReplicaSet": "rs", "StatefulSet": "sts", "DaemonSet": "ds",
          "Job": "job"}


class TargetError(ValueError):
    """An unknown kind, target or container (a usage error: exit 2)."""


class Box(NamedTuple):
    """One container of a pod: the podman pod and container names, the Kubernetes container
    name, the source object ``Kind/namespace/name`` and whether it is an init container."""

    pod: str
    container: str
    name: str
    source: str
    init: bool = False


def _boxes(pod) -> list[Box]:
    """The containers of a plan pod, init containers first."""
    source = pod.labels.get(ownership_labels.SOURCE) or ownership_labels.source_value(
        pod.source.kind, pod.source.namespace, pod.source.name)
    return [Box(pod.name, c.name, c.name.removeprefix(pod.name + "-"), source, init)
            for init, cs in ((True, pod.init_containers), (False, pod.containers)) for c in cs]


def from_plan(plan) -> list[Box]:
    return from_pods(plan.pods)


def from_pods(pods) -> list[Box]:
    """The containers of plan pods, in order."""
    return [b for pod in pods for b in _boxes(pod)]


def from_host(api, project: str | None = None) -> list[Box]:
    """The containers of the kube2pod pods on the host (of ``project`` when given)."""
    from kube2pod.apply.observed import applied_pods

    return from_pods(applied_pods(api, project))


def is_target(word: str) -> bool:
    """``KIND/NAME`` of a known kind (``status`` takes such words beside its files)."""
    try:
        return parse(word)[0] is not None
    except TargetError:
        return False


def parse(target: str) -> tuple[str | None, str]:
    """``(Kind, name)`` of a target; Kind None for a bare name."""
    if "/" not in target:
        if not target:
            raise TargetError("empty target")
        return None, target
    kind, name = target.split("/", 1)
    key = kind.lower().split(".", 1)[0]
    key = key[:-1] if key.endswith("s") and key[:-1] in KINDS else key
    if key not in KINDS or not name or "/" in name:
        known = ", ".join(sorted({f"{v.lower()}/NAME" for v in KINDS.values()}))
        raise TargetError(f"unknown target {target!r}: use one of {known} (or deploy/, sts/, rs/, ds/, po/)")
    return KINDS[key], name


def _kind_name(source: str) -> tuple[str, str, str]:
    kind, _, rest = source.partition("/")
    namespace, _, name = rest.partition("/")
    return kind, namespace, name


def resolve(target: str, boxes: list[Box], namespace: str | None = None) -> list[list[Box]]:
    """The pods ``target`` names (each a list of its containers), in pod name order.
    TargetError names the targets there are when none matches."""
    kind, name = parse(target)
    boxes = [b for b in boxes if namespace is None or _kind_name(b.source)[1] == namespace]
    pods: dict[str, list[Box]] = {}
    if kind in (None, "Pod"):
        for b in boxes:
            k, _, n = _kind_name(b.source)
            if b.pod == name or (k == "Pod" and n == name):
                pods.setdefault(b.pod, []).append(b)
    if not pods and kind != "Pod":
        matched = {b.source for b in boxes if _kind_name(b.source)[2] == name
                   and (kind is None or _kind_name(b.source)[0] == kind)}
        if len(matched) > 1:
            raise TargetError(f"{target!r} is ambiguous: {', '.join(sorted(matched))}; give the kind "
                              f"({', '.join(sorted(names(boxes_of(boxes, matched))))})")
        for b in boxes:
            if b.source in matched:
                pods.setdefault(b.pod, []).append(b)
    if not pods:
        known = names(boxes)
        hint = f"; known: {', '.join(known)}" if known else "; there are no kube2pod pods"
        raise TargetError(f"no target {target!r}{hint}")
    return [pods[p] for p in sorted(pods)]


def boxes_of(boxes: list[Box], sources: set[str]) -> list[Box]:
    return [b for b in boxes if b.source in sources]


def names(boxes: list[Box]) -> list[str]:
    """Every target the containers offer: ``pod/<pod>`` and ``<kind>/<name>`` of each workload
    (what shell completion lists)."""
    found = {f"pod/{b.pod}" for b in boxes}
    for b in boxes:
        kind, _, name = _kind_name(b.source)
        if kind != "Pod" and kind in _SHORT:
            found.add(f"{_SHORT[kind]}/{name}")
    return sorted(found)


def containers(pod: list[Box], container: str | None = None, every: bool = False) -> tuple[list[Box], str]:
    """The containers of one pod to use, and a notice ("" when none): ``container`` by its
    Kubernetes (or podman) name; ``every``: all of them; else the only one, or the first
    (non-init) one, as kubectl defaults."""
    if every:
        return list(pod), ""
    if container is not None:
        chosen = [b for b in pod if container in (b.name, b.container)]
        if not chosen:
            raise TargetError(f"container {container!r} is not in pod {pod[0].pod}; "
                              f"choose one of: {', '.join(b.name for b in pod)}")
        return chosen[:1], ""
    apps = [b for b in pod if not b.init] or list(pod)
    if len(apps) == 1:
        return apps, ""
    return apps[:1], (f"Defaulted container {apps[0].name!r} out of: {', '.join(b.name for b in pod)} "
                      "(-c NAME or --all-containers)")

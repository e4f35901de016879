"""A pod spec -> a plan Pod (ports, hostname, containers) and the volumes/host paths it needs.

hostname -> ``--hostname`` (default: the pod name); labels -> pod and container labels.
"""

from __future__ import annotations

from collections.abc import Callable

from kube2pod.plan import HostPath, ObjectRef, Pod, Volume
from kube2pod.translate import ownership
from kube2pod.translate.container import translate_container
from kube2pod.translate.ports import pod_ports
from kube2pod.translate.volumes import resolve
from kube2pod.translate.workload import PodSource


def translate_pod(
    src: PodSource,
    name: str,
    relabel: Callable[[str], str],
    claims: dict[str, ObjectRef],
    pvc_labels: dict[str, dict[str, str]],
    publish_all: bool,
) -> tuple[Pod | None, list[Volume], list[HostPath]]:
    ctx, spec = src.ctx, src.spec
    m = ctx.manifest
    owner = ownership.owner_labels(m.kind, m.namespace, m.name)
    labels = {**src.labels, **owner}
    if not spec.containers:
        ctx.error(("containers",), f"{m.ref} has no containers")
        return None, [], []
    vols = resolve(ctx, spec, name, claims, pvc_labels, owner)
    containers = []
    for i, c in enumerate(spec.containers):
        tc = translate_container(ctx, i, c, name, vols.resolved, relabel, labels)
        if tc is not None:
            containers.append(tc)
    pod = Pod(
        name=name,
        source=ctx.ref,
        hostname=spec.hostname or name,
        labels=labels,
        ports=pod_ports(ctx, spec, publish_all),
        containers=containers,
    )
    return pod, vols.volumes, vols.host_paths


def with_hash(pod: Pod) -> Pod:
    """The pod with ``io.kube2pod.hash`` on it and its containers (hash of everything else)."""
    digest = ownership.spec_hash(pod.model_dump_json())
    return pod.model_copy(update={
        "labels": {**pod.labels, ownership.HASH: digest},
        "containers": [c.model_copy(update={"labels": {**c.labels, ownership.HASH: digest}}) for c in pod.containers],
    })

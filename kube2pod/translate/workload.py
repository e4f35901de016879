"""Workload objects -> the pods they stand for (names as podman kube play gives them).

Pod -> one pod named metadata.name. Deployment, ReplicaSet, StatefulSet ->
``<name>-pod`` for one replica, ``<name>-pod-<i>`` for each of several.
DaemonSet, Job -> one pod ``<name>-pod`` (one host, run once).
Pod annotations: metadata.annotations of a Pod; of a workload, its own
metadata.annotations (what kube play reads) overridden by the template's
(what Kubernetes gives the pod).
"""

from __future__ import annotations


from kube2pod.translate import coverage
from kube2pod.translate.annotations import PodAnnotations, read_annotations
from kube2pod.translate.context import Context

REPLICATED = ("Deployment", "ReplicaSet", "StatefulSet")
SINGLE = ("DaemonSet", "Job")
WORKLOAD_KINDS = ("Pod",) + REPLICATED + SINGLE


class PodSource:
    def __init__(self, ctx: Context, pod_names: list[str], labels: dict[str, str], spec: object,
                 annotations: PodAnnotations):
        self.ctx, self.pod_names, self.labels, self.spec, self.annotations = ctx, pod_names, labels, spec, annotations


def pod_sources(ctx: Context) -> PodSource | None:
    """The pod spec of a workload manifest and the pod names it gives, or None after an error."""
    m = ctx.manifest
    if m.kind == "Pod":
        coverage.check(ctx, coverage.POD)
        if m.obj.spec is None:
            ctx.diags.error("Pod has no spec", m.source.pos())
            return None
        notes = read_annotations(ctx, [(m.obj.metadata.annotations, ("metadata", "annotations"))])
        return PodSource(ctx, [m.name], dict(m.obj.metadata.labels or {}), m.obj.spec, notes)
    ctx.spec_path = ("spec", "template", "spec")
    coverage.check(ctx, coverage.WORKLOAD)
    spec = m.obj.spec
    template = spec.template if spec is not None else None
    if template is None or template.spec is None:
        ctx.diags.error(f"{m.kind} has no spec.template.spec", m.source.pos(("spec",)))
        return None
    labels = dict((template.metadata.labels if template.metadata else None) or {})
    if not _selector_matches(ctx, spec, labels):
        return None
    replicas = 1
    if m.kind in REPLICATED:
        replicas = 1 if spec.replicas is None else int(spec.replicas)
        if replicas < 0:
            ctx.diags.error(f"replicas must not be negative, got {replicas}", m.source.pos(("spec", "replicas")))
            return None
        if replicas > 1 and _host_ports(template.spec):
            ctx.diags.error(
                f"{replicas} replicas publish the same hostPort; only one pod can bind a host port on one host",
                m.source.pos(("spec", "replicas")),
                "use replicas: 1, or drop hostPort",
            )
            return None
    if replicas == 1:
        names = [f"{m.name}-pod"]
    else:
        names = [f"{m.name}-pod-{i}" for i in range(replicas)]
    notes = read_annotations(ctx, [
        (m.obj.metadata.annotations, ("metadata", "annotations")),
        (template.metadata.annotations if template.metadata else None, ("spec", "template", "metadata", "annotations")),
    ])
    return PodSource(ctx, names, labels, template.spec, notes)


def _selector_matches(ctx: Context, spec, labels: dict[str, str]) -> bool:
    sel = getattr(spec, "selector", None)
    match = getattr(sel, "match_labels", None) or {}
    wrong = {k: v for k, v in match.items() if labels.get(k) != v}
    if wrong:
        k = next(iter(wrong))
        ctx.diags.error(
            f"selector.matchLabels {k}={wrong[k]} does not match the template's labels",
            ctx.manifest.source.pos(("spec", "selector", "matchLabels", k)),
            "Kubernetes rejects a selector that does not select its own template",
        )
        return False
    return True


def _host_ports(spec) -> bool:
    return any(p.host_port for c in spec.containers or [] for p in c.ports or [])

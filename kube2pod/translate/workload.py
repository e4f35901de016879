"""Workload objects -> the pods they stand for (names as podman kube play gives them).

Pod -> one pod named metadata.name. Deployment, ReplicaSet ->
``<name>-pod`` for one replica, ``<name>-pod-<i>`` for each of several (as kube play).
StatefulSet -> the stable names Kubernetes gives, ``<name>-<i>`` for each replica (also the
hostname), with its volumeClaimTemplates (translate/volumes.py).
DaemonSet, Job -> one pod ``<name>-pod`` (one host, run once). CronJob -> one pod
``<name>-pod`` of its jobTemplate with a ``Schedule`` (translate/cronjob.py).
Pod annotations: metadata.annotations of a Pod; of a workload, its own
metadata.annotations (what kube play reads) overridden by the template's
(what Kubernetes gives the pod). A missing spec or template, negative replicas
and a selector that misses the template are the loader's errors (load/validate.py).
"""

from __future__ import annotations


from kube2pod.plan import Schedule
from kube2pod.translate import coverage, cronjob
from kube2pod.translate.annotations import PodAnnotations, read_annotations
from kube2pod.translate.context import Context

REPLICATED = ("Deployment", "ReplicaSet", "StatefulSet")
SINGLE = ("DaemonSet", "Job", "CronJob")
WORKLOAD_KINDS = ("Pod",) + REPLICATED + SINGLE


class PodSource:
    def __init__(self, ctx: Context, pod_names: list[str], labels: dict[str, str], spec: object,
                 annotations: PodAnnotations, claim_templates: list | None = None, schedule: Schedule | None = None):
        self.ctx, self.pod_names, self.labels, self.spec, self.annotations = ctx, pod_names, labels, spec, annotations
        self.claim_templates: list = [] if claim_templates is None else claim_templates
        self.schedule = schedule


def pod_sources(ctx: Context) -> PodSource | None:
    """The pod spec of a workload manifest and the pod names it gives, or None (after an error, or
    for input the loader refuses)."""
    m = ctx.manifest
    if m.kind == "Pod":
        coverage.check(ctx, coverage.POD)
        if m.obj.spec is None:
            return None
        notes = read_annotations(ctx, [(m.obj.metadata.annotations, ("metadata", "annotations"))])
        return PodSource(ctx, [m.name], dict(m.obj.metadata.labels or {}), m.obj.spec, notes)
    if m.kind == "CronJob":
        return _cron_job(ctx)
    ctx.spec_path = ("spec", "template", "spec")
    coverage.check(ctx, coverage.WORKLOAD)
    spec = m.obj.spec
    template = spec.template if spec is not None else None
    if template is None or template.spec is None:
        return None
    labels = dict((template.metadata.labels if template.metadata else None) or {})
    replicas = 1
    if m.kind in REPLICATED:
        replicas = 1 if spec.replicas is None else int(spec.replicas)
        if replicas < 0:
            return None
        if replicas > 1 and _host_ports(template.spec):
            ctx.diags.error(
                f"{replicas} replicas publish the same hostPort; only one pod can bind a host port on one host",
                m.source.pos(("spec", "replicas")),
                "use replicas: 1, or drop hostPort",
            )
            return None
    if m.kind == "StatefulSet":
        names = [f"{m.name}-{i}" for i in range(replicas)]
    elif replicas == 1:
        names = [f"{m.name}-pod"]
    else:
        names = [f"{m.name}-pod-{i}" for i in range(replicas)]
    notes = read_annotations(ctx, [
        (m.obj.metadata.annotations, ("metadata", "annotations")),
        (template.metadata.annotations if template.metadata else None, ("spec", "template", "metadata", "annotations")),
    ])
    claims = list(spec.volume_claim_templates or []) if m.kind == "StatefulSet" else []
    return PodSource(ctx, names, labels, template.spec, notes, claims)


def _cron_job(ctx: Context) -> PodSource | None:
    m = ctx.manifest
    ctx.spec_path = ("spec", "jobTemplate", "spec", "template", "spec")
    coverage.check(ctx, coverage.CRONJOB)
    job = m.obj.spec.job_template if m.obj.spec is not None else None
    template = job.spec.template if job is not None and job.spec is not None else None
    if template is None or template.spec is None:
        return None
    when = cronjob.schedule(ctx)
    if when is None:
        return None
    labels = dict((template.metadata.labels if template.metadata else None) or {})
    notes = read_annotations(ctx, [
        (m.obj.metadata.annotations, ("metadata", "annotations")),
        (template.metadata.annotations if template.metadata else None,
         ("spec", "jobTemplate", "spec", "template", "metadata", "annotations")),
    ])
    return PodSource(ctx, [f"{m.name}-pod"], labels, template.spec, notes, schedule=when)


def _host_ports(spec) -> bool:
    return any(p.host_port for c in spec.containers or [] for p in c.ports or [])

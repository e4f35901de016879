"""The kinds kube2pod reads, with their apiVersion and model class."""

from __future__ import annotations

from typing import NamedTuple


class KindInfo(NamedTuple):
    kind: str
    api_version: str
    model: str  # kubernetes model class name
    pod_template: tuple[str, ...] | None  # path of the pod spec inside the object


SUPPORTED: dict[str, KindInfo] = {
    k.kind: k
    for k in (
        KindInfo("Pod", "v1", "V1Pod", ("spec",)),
        KindInfo("Deployment", "apps/v1", "V1Deployment", ("spec", "template", "spec")),
        KindInfo("DaemonSet", "apps/v1", "V1DaemonSet", ("spec", "template", "spec")),
        KindInfo("ReplicaSet", "apps/v1", "V1ReplicaSet", ("spec", "template", "spec")),
        KindInfo("StatefulSet", "apps/v1", "V1StatefulSet", ("spec", "template", "spec")),
        KindInfo("Job", "batch/v1", "V1Job", ("spec", "template", "spec")),
        KindInfo("CronJob", "batch/v1", "V1CronJob", ("spec", "jobTemplate", "spec", "template", "spec")),
        KindInfo("ConfigMap", "v1", "V1ConfigMap", None),
        KindInfo("Secret", "v1", "V1Secret", None),
        KindInfo("PersistentVolumeClaim", "v1", "V1PersistentVolumeClaim", None),
        KindInfo("Service", "v1", "V1Service", None),
        # Multus' kind: no kubernetes model; read as plain data (load/cni.py)
        KindInfo("NetworkAttachmentDefinition", "k8s.cni.cncf.io/v1", "NetworkAttachmentDefinition", None),
    )
}

#: Kinds whose objects contain a pod template (``pod_template`` path).
WORKLOADS = frozenset(k.kind for k in SUPPORTED.values() if k.pod_template)

#: The wrapper kind whose ``items`` are read as documents.
LIST_KIND = "List"


def lookup(kind: str) -> KindInfo | None:
    return SUPPORTED.get(kind)

"""Ownership labels and the pod hash: what marks a pod, container or volume as kube2pod's.

``io.kube2pod.managed=true``, ``io.kube2pod.source=<Kind>/<namespace>/<name>``
and, on pods, ``io.kube2pod.hash`` = sha256 of the translated pod (without the hash).
"""

from __future__ import annotations

import hashlib

from kube2pod.plan import canonical
from kube2pod.plan.container import Container
from kube2pod.plan.pod import Pod

MANAGED = "io.kube2pod.managed"
SOURCE = "io.kube2pod.source"
HASH = "io.kube2pod.hash"
#: On what an apply keeps for later applies of other files (translate/kept.py): ``true``.
SHARED = "io.kube2pod.shared"
#: On a kept Secret's podman secret: the Secret key it holds.
KEY = "io.kube2pod.key"


def source_value(kind: str, namespace: str | None, name: str) -> str:
    return f"{kind}/{namespace or 'default'}/{name}"


def owner_labels(kind: str, namespace: str | None, name: str) -> dict[str, str]:
    return {MANAGED: "true", SOURCE: source_value(kind, namespace, name)}


def spec_hash(canonical_json: str) -> str:
    return hashlib.sha256(canonical_json.encode()).hexdigest()[:16]


def with_hash(pod: Pod) -> Pod:
    """The pod with ``io.kube2pod.hash`` on it and its containers (hash of everything else)."""
    digest = spec_hash(canonical.to_json(pod))

    def mark(cs: list[Container]) -> list[Container]:
        return [c.replace(labels={**c.labels, HASH: digest}) for c in cs]

    return pod.replace(
        labels={**pod.labels, HASH: digest},
        init_containers=mark(pod.init_containers),
        containers=mark(pod.containers),
    )

"""Ownership labels: what marks a pod, container or volume as kube2pod's.

``io.kube2pod.managed=true``, ``io.kube2pod.source=<Kind>/<namespace>/<name>``
and, on pods, ``io.kube2pod.hash`` = sha256 of the translated pod (without the hash).
"""

from __future__ import annotations

import hashlib

MANAGED = "io.kube2pod.managed"
SOURCE = "io.kube2pod.source"
HASH = "io.kube2pod.hash"


def source_value(kind: str, namespace: str | None, name: str) -> str:
    return f"{kind}/{namespace or 'default'}/{name}"


def owner_labels(kind: str, namespace: str | None, name: str) -> dict[str, str]:
    return {MANAGED: "true", SOURCE: source_value(kind, namespace, name)}


def spec_hash(canonical_json: str) -> str:
    return hashlib.sha256(canonical_json.encode()).hexdigest()[:16]

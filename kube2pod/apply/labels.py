"""Labels the executor adds on top of the plan's ownership labels.

The plan (and so the shell script) carries ``io.kube2pod.managed``,
``io.kube2pod.source`` and ``io.kube2pod.hash``. apply adds:

* ``io.kube2pod.project=<name>`` on pods, containers and volumes: the input
  set the object was applied from; pruning and ``down`` look for it.
* ``io.kube2pod.lifetime=pod|persistent`` on volumes, so that a volume the
  manifests no longer name is pruned (pod) or kept (persistent) correctly.
* ``io.kube2pod.definition`` on pods: the translated pod (compressed JSON), so
  that a pod removed to be recreated can be restored if the run fails.
"""

from __future__ import annotations

import base64
import zlib

from kube2pod.plan import Pod
from kube2pod.plan import ownership_labels

PROJECT = "io.kube2pod.project"
DEFINITION = "io.kube2pod.definition"
LIFETIME = "io.kube2pod.lifetime"


def mine(project: str | None = None) -> list[str]:
    """The ``key=value`` labels of kube2pod's objects (of ``project`` when given), for a listing."""
    return [f"{ownership_labels.MANAGED}=true"] + ([f"{PROJECT}={project}"] if project else [])


def owned(labels: dict | None) -> bool:
    return (labels or {}).get(ownership_labels.MANAGED) == "true"


def encode(pod: Pod) -> str:
    return base64.b64encode(zlib.compress(pod.model_dump_json().encode(), 9)).decode()


def decode(text: str) -> Pod:
    """The pod stored by ``encode``; ValueError when it cannot be read back."""
    try:
        return Pod.model_validate_json(zlib.decompress(base64.b64decode(text)))
    except Exception as exc:  # noqa: BLE001 - any corruption or model drift
        raise ValueError(f"stored pod definition unreadable: {exc}") from None


def pod_labels(pod: Pod, project: str) -> dict[str, str]:
    return {**pod.labels, PROJECT: project, DEFINITION: encode(pod)}


def object_labels(labels: dict[str, str], project: str) -> dict[str, str]:
    return {**labels, PROJECT: project}


def volume_labels(vol, project: str) -> dict[str, str]:
    return {**vol.labels, PROJECT: project, LIFETIME: vol.lifetime}


def secret_labels(secret, project: str) -> dict[str, str]:
    """The plan's labels, the project and ``io.kube2pod.hash`` of the value (podman never shows it back)."""
    return {**secret.labels, PROJECT: project, ownership_labels.HASH: secret_hash(secret)}


def secret_hash(secret) -> str:
    return ownership_labels.spec_hash(secret.data().hex())

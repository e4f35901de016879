"""A named podman volume the plan creates (emptyDir, persistentVolumeClaim)."""

from __future__ import annotations

from typing import Literal

from kube2pod.plan.base import Frozen, ObjectRef


class Volume(Frozen):
    """``podman volume create --label ... NAME``.

    ``lifetime`` says what ``down`` does: ``pod`` volumes (emptyDir) go with
    their pod, ``persistent`` ones (PVC) stay unless asked.
    """

    name: str
    source: ObjectRef
    lifetime: Literal["pod", "persistent"] = "pod"
    labels: dict[str, str] = {}
    driver: str = ""
    options: dict[str, str] = {}

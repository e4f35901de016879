"""A named podman volume the plan creates (emptyDir, persistentVolumeClaim, configMap)."""

from __future__ import annotations

from typing import Literal

from kube2pod.plan.base import Frozen, ObjectRef

#: The one file of the volume that keeps a ConfigMap on the host (translate/kept.py).
KEPT_CONFIG_MAP_FILE = "configmap.json"


class VolumeFile(Frozen):
    """A file written into the volume after it is created (a configMap key).

    ``path`` is relative to the volume root (may contain ``/``); ``text`` holds
    UTF-8 data, ``base64`` binary data (exactly one is used).
    """

    path: str
    mode: int = 0o644
    text: str | None = None
    base64: str | None = None


class Volume(Frozen):
    """``podman volume create --label ... NAME``.

    ``lifetime`` says what ``down`` does: ``pod`` volumes (emptyDir, configMap)
    go with their pod, ``persistent`` ones (PVC) stay unless asked. ``files``:
    the volume's whole content, rewritten on every apply (configMap volumes).
    """

    name: str
    source: ObjectRef
    lifetime: Literal["pod", "persistent"] = "pod"
    labels: dict[str, str] = {}
    driver: str = ""
    options: dict[str, str] = {}
    files: list[VolumeFile] | None = None

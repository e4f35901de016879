"""Host path preparation and checks (hostPath volumes)."""

from __future__ import annotations

from typing import Literal

from kube2pod.plan.base import Frozen, ObjectRef


class HostPath(Frozen):
    """A host path a mount needs.

    ``create``: make it when missing (DirectoryOrCreate 0755 / FileOrCreate 0644;
    ``expect`` "any": a directory when missing, whatever is there otherwise —
    a subPath); otherwise it must exist and, for a typed hostPath, be of ``expect``.
    """

    path: str
    source: ObjectRef
    expect: Literal["any", "directory", "file", "socket", "char-device", "block-device"] = "any"
    create: bool = False
    mode: int = 0o755

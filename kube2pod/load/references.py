"""The ConfigMaps and Secrets an input defines, for the reference checks of validate.py.

Keyed by (namespace, name), unset namespace = ``default``: a pod sees only the
objects of its own namespace, as in Kubernetes. Keys per use, as the kubelet
reads them: a ConfigMap's env keys are its ``data`` (``configMapKeyRef``
never reads ``binaryData``), its file keys ``data`` and ``binaryData``; a
Secret's keys are ``data`` and ``stringData`` for both. An object whose
decoding failed is known by name with unknown keys (None), so no key is
reported missing from it.
"""

from __future__ import annotations

from kube2pod.load.manifest import Manifest
from kube2pod.load.rejected import Rejected

#: How a reference uses the object: as environment variables or as files.
ENV, FILES = "env", "files"
_FIELDS = {
    ("ConfigMap", ENV): ("data",), ("ConfigMap", FILES): ("data", "binaryData"),
    ("Secret", ENV): ("data", "stringData"), ("Secret", FILES): ("data", "stringData"),
}


def _key(namespace: str | None, name: str) -> tuple[str, str]:
    return (namespace or "default", name)


class References:
    """(kind, namespace, name) -> the object's plain data, None when its decoding failed."""

    def __init__(self) -> None:
        self.objects: dict[tuple[str, str, str], dict | None] = {}

    @classmethod
    def collect(cls, read: list[tuple[Manifest, Rejected | None]]) -> "References":
        refs = cls()
        for m, rejected in read:
            if m.kind in ("ConfigMap", "Secret"):
                refs.objects[(m.kind, *_key(m.namespace, m.name))] = m.data if rejected is None else None
        return refs

    def defined(self, kind: str, namespace: str | None, name: str) -> bool:
        return (kind, *_key(namespace, name)) in self.objects

    def namespaces(self, kind: str, name: str) -> list[str]:
        """The namespaces that define a ``kind`` called ``name``."""
        return sorted(ns for k, ns, n in self.objects if k == kind and n == name)

    def keys(self, kind: str, namespace: str | None, name: str, use: str) -> set[str] | None:
        """The keys a defined object offers for ``use``; None when they are not known."""
        data = self.objects.get((kind, *_key(namespace, name)))
        if data is None:
            return None
        keys: set[str] = set()
        for field in _FIELDS[(kind, use)]:
            if isinstance(data.get(field), dict):
                keys.update(data[field])
        return keys

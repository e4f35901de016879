"""The ConfigMaps and Secrets an input defines, for the reference checks of validate.py.

Keyed by (namespace, name), unset namespace = ``default``: a pod sees only the
objects of its own namespace, as in Kubernetes. Keys per use, as the kubelet
reads them: a ConfigMap's env keys are its ``data`` (``configMapKeyRef``
never reads ``binaryData``), its file keys ``data`` and ``binaryData``; a
Secret's keys are ``data`` and ``stringData`` for both. An object whose
decoding failed is known by name with unknown keys (None), so no key is
reported missing from it.

``host``: for apply, diff and down, a function that reads the ConfigMaps and Secrets an
earlier apply kept on the host (apply/host_objects.py). It is called once, only when the input
lacks a referenced object; the host's objects then count as defined, and ``from_host`` lists
those that were. Without it (convert, validate) a missing object is an error with the hint to
apply it first. The function raises ``HostUnreadable`` when it cannot read the host.
"""

from __future__ import annotations

from collections.abc import Callable

from kube2pod.diagnostics import SourcePos
from kube2pod.load.manifest import Manifest, SourceMap
from kube2pod.load.rejected import Rejected

#: Reads the objects kept on the host as plain data (apply/host_objects.py).
HostReader = Callable[[], list[dict]]


class HostUnreadable(Exception):
    """The host's objects could not be read (Podman unreachable, say); the message says why."""

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

    def __init__(self, host: HostReader | None = None) -> None:
        self.objects: dict[tuple[str, str, str], dict | None] = {}
        self.host_reader = host
        self.host: dict[tuple[str, str, str], Manifest] | None = None  # read when first needed
        self.from_host: dict[tuple[str, str, str], Manifest] = {}

    @classmethod
    def collect(cls, read: list[tuple[Manifest, Rejected | None]], host: HostReader | None = None) -> "References":
        refs = cls(host)
        for m, rejected in read:
            if m.kind in ("ConfigMap", "Secret"):
                refs.objects[(m.kind, *_key(m.namespace, m.name))] = m.data if rejected is None else None
        return refs

    @property
    def reads_host(self) -> bool:
        return self.host_reader is not None

    def defined(self, kind: str, namespace: str | None, name: str) -> bool:
        key = (kind, *_key(namespace, name))
        if key in self.objects:
            return True
        found = self._on_host().get(key)
        if found is None:
            return False
        self.objects[key] = found.data
        self.from_host[key] = found
        return True

    def _on_host(self) -> dict[tuple[str, str, str], Manifest]:
        if self.host is None:
            read = [host_manifest(d) for d in (self.host_reader() if self.host_reader is not None else [])]
            self.host = {(m.kind, *_key(m.namespace, m.name)): m for m in read}
        return self.host

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


def host_manifest(data: dict) -> Manifest:
    """A kept object read from the host, as a manifest whose file is ``<host Kind/namespace/name>``."""
    meta = data.get("metadata") or {}
    kind, name, namespace = str(data.get("kind", "")), str(meta.get("name", "")), meta.get("namespace")
    where = f"<host {kind}/{namespace or 'default'}/{name}>"
    return Manifest(kind, str(data.get("apiVersion", "v1")), name, namespace, data, data,
                    SourceMap(where, 0, SourcePos(where, 1, 1)))

"""A loaded Kubernetes object: its typed model, its plain data and where each field came from."""

from __future__ import annotations

from typing import Any

from kube2pod.diagnostics import SourcePos

FieldPath = tuple[str | int, ...]


def dotted(path: FieldPath) -> str:
    """``("spec", "containers", 0, "image")`` -> ``spec.containers[0].image``."""
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


class SourceMap:
    """Field path -> position for one document, kept out of the data itself.

    Paths use the manifest's own (camelCase) keys and list indexes, e.g.
    ``("spec", "containers", 0, "image")``. ``pos`` falls back to the nearest
    ancestor that has a position, and finally to the document start.
    """

    __slots__ = ("file", "document", "start", "positions", "key_positions")

    def __init__(self, file: str, document: int, start: SourcePos,
                 positions: dict[FieldPath, SourcePos] | None = None,
                 key_positions: dict[FieldPath, SourcePos] | None = None):
        self.file, self.document, self.start = file, document, start
        self.positions: dict[FieldPath, SourcePos] = {} if positions is None else positions
        self.key_positions: dict[FieldPath, SourcePos] = {} if key_positions is None else key_positions

    def pos(self, path: FieldPath = ()) -> SourcePos:
        """Position of the value at ``path`` (nearest known ancestor)."""
        path = tuple(path)
        while path:
            p = self.positions.get(path)
            if p is not None:
                return p
            path = path[:-1]
        return self.positions.get((), self.start)

    def key_pos(self, path: FieldPath) -> SourcePos:
        """Position of the mapping key that introduces ``path`` (else its value)."""
        p = self.key_positions.get(tuple(path))
        return p if p is not None else self.pos(path)


class Manifest:
    """One Kubernetes object read from the input.

    ``obj`` is the ``kubernetes`` package model instance (V1Pod, V1Deployment,
    V1ConfigMap, ...); ``data`` is the plain decoded mapping it was built from.
    """

    __slots__ = ("kind", "api_version", "name", "namespace", "obj", "data", "source")

    def __init__(self, kind: str, api_version: str, name: str, namespace: str | None, obj: Any, data: dict,
                 source: SourceMap):
        self.kind, self.api_version, self.name, self.namespace = kind, api_version, name, namespace
        self.obj, self.data, self.source = obj, data, source

    @property
    def ref(self) -> str:
        """``Kind/name`` as users write it."""
        return f"{self.kind}/{self.name}"

    def pos(self, *path: str | int) -> SourcePos:
        return self.source.pos(path)

"""What decoding rejected in one document, so its semantic checks still run on the rest.

Decoding reports unknown fields and values of the wrong type; this keeps their
paths. The semantic checks (validate.py) then run on ``prune(data)``, the
document without those values (a rejected list item becomes None, so indexes
and positions stay), and stay silent where a decode error already said it:
at or below a rejected path, and about a missing field that was present with
the wrong type or misspelt (an unknown key whose suggestion is that field).
"""

from __future__ import annotations

from typing import Any

from kube2pod.load.manifest import FieldPath


class Rejected:
    """The paths decoding rejected in one document."""

    __slots__ = ("paths", "said")

    def __init__(self) -> None:
        self.paths: list[FieldPath] = []  # removed by prune
        self.said: list[FieldPath] = []  # the rejected paths and the fields the unknown keys were meant as

    def add(self, path: FieldPath, meant: str | None = None) -> None:
        """``path`` was rejected; ``meant``: the field an unknown key probably stands for."""
        self.paths.append(path)
        self.said.append(path)
        if meant is not None:
            self.said.append(path[:-1] + (meant,))

    def covers(self, path: FieldPath) -> bool:
        """Whether a decode error was about ``path`` or a path above it."""
        return any(path[:len(r)] == r for r in self.said)

    def touches(self, path: FieldPath) -> bool:
        """Whether ``path`` is covered or a decode error was about a path below it (its value is incomplete)."""
        n = len(path)
        return any(path[:len(r)] == r or r[:n] == path for r in self.said)

    def prune(self, data: Any) -> Any:
        """A copy of ``data`` without the rejected values (the original is left as it is)."""
        for path in self.paths:
            data = _without(data, path)
        return data


def _without(data: Any, path: FieldPath) -> Any:
    """``data`` with the value at ``path`` removed, copying only the containers on the way."""
    if not path:
        return None
    head, rest = path[0], path[1:]
    if isinstance(data, dict) and head in data:
        out = dict(data)
        if rest:
            out[head] = _without(data[head], rest)
        else:
            del out[head]
        return out
    if isinstance(data, list) and isinstance(head, int) and 0 <= head < len(data):
        out = list(data)
        out[head] = _without(data[head], rest) if rest else None
        return out
    return data

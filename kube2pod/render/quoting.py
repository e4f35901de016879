"""Quoting for the shell and for podman's comma-separated ``--mount`` fields."""

from __future__ import annotations

import re

_SAFE = re.compile(r"^[A-Za-z0-9_@%+=:,./-]+$")


class Unrepresentable(ValueError):
    """A value the shell cannot pass as one argument (it contains a NUL byte)."""


def sh(value: str) -> str:
    """One POSIX shell word that passes exactly ``value``."""
    word = _WORDS.get(value)
    if word is not None:
        return word
    if "\0" in value:
        raise Unrepresentable(f"value contains a NUL byte: {value!r}")
    if value and _SAFE.fullmatch(value):  # not match: `$` also matches before a final newline
        word = value
    else:
        word = "'" + value.replace("'", "'\\''") + "'"
    if len(value) <= 200 and len(_WORDS) < 10_000:  # flags, images, names repeat in every command
        _WORDS[value] = word
    return word


_WORDS: dict[str, str] = {}


def nul_diagnostics(plan) -> list:
    """An error for each plan value with a NUL byte, at its manifest object's position.

    No shell word, unit file line or podman argument can carry NUL, so the script
    and Quadlet renderers refuse such a plan before writing anything.
    """
    from pydantic import BaseModel

    from kube2pod.diagnostics import SourcePos, error

    found: list = []

    def walk(node, where: str, source) -> None:
        ref = getattr(node, "source", None)
        source = ref if hasattr(ref, "location") else source
        if isinstance(node, str):
            if "\0" in node:
                pos = SourcePos(source.file, source.line, 1) if source is not None and source.file else None
                found.append(error(f"{where} contains a NUL byte, which no command argument can carry", pos))
        elif isinstance(node, BaseModel):
            for name in type(node).model_fields:
                walk(getattr(node, name), f"{where}.{name}", source)
        elif isinstance(node, (list, tuple)):
            for i, item in enumerate(node):
                walk(item, f"{where}[{i}]", source)
        elif isinstance(node, dict):
            for key, item in node.items():
                walk(key, f"{where} key {key!r}", source)
                walk(item, f"{where}[{key!r}]", source)

    walk(plan, "plan", None)
    return found

"""Quoting for the shell and for podman's comma-separated ``--mount`` fields."""

from __future__ import annotations

import re

_SAFE = re.compile(r"^[A-Za-z0-9_@%+=:,./-]+$")


class Unrepresentable(ValueError):
    """A value the shell cannot pass as one argument (it contains a NUL byte)."""


def sh(value: str) -> str:
    """One POSIX shell word that passes exactly ``value``."""
    if "\0" in value:
        raise Unrepresentable(f"value contains a NUL byte: {value!r}")
    if value and _SAFE.match(value):
        return value
    return "'" + value.replace("'", "'\\''") + "'"


def csv_field(value: str) -> str:
    """A field of podman's CSV-parsed ``--mount`` option (quoted when it has , or ")."""
    if any(c in value for c in ',"\n\r'):
        return '"' + value.replace('"', '""') + '"'
    return value

"""Rendering diagnostics for people (text) and programs (JSON)."""

from __future__ import annotations

import json
from typing import Sequence

from kube2pod.diagnostics import Diagnostic, Severity


def format_diagnostics(diags: Sequence[Diagnostic], fmt: str = "text") -> str:
    """``FILE:LINE:COL: error|warning: message`` lines (text) or a JSON document.

    JSON: ``{"diagnostics": [{severity, message, file, line, col, hint}], "errors": N, "warnings": N}``.
    """
    if fmt == "json":
        return json.dumps({
            "diagnostics": [d.as_dict() for d in diags],
            "errors": sum(d.severity is Severity.ERROR for d in diags),
            "warnings": sum(d.severity is Severity.WARNING for d in diags),
        }, indent=2)
    if fmt != "text":
        raise ValueError(f"unknown diagnostics format {fmt!r} (text or json)")
    return "".join(d.format() + "\n" for d in diags)


def summary(diags: Sequence[Diagnostic]) -> str:
    """``2 errors, 1 warning`` style summary line."""
    errors = sum(d.severity is Severity.ERROR for d in diags)
    warnings = len(diags) - errors
    plural = lambda n, w: f"{n} {w}{'' if n == 1 else 's'}"  # noqa: E731
    return f"{plural(errors, 'error')}, {plural(warnings, 'warning')}"

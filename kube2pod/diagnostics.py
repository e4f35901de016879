"""Diagnostics: positioned errors and warnings, shared by every layer.

One format everywhere: ``FILE:LINE:COL: error|warning: message`` with an
optional ``hint:`` line. The library collects diagnostics; only the CLI prints.
"""

from __future__ import annotations

from enum import Enum
from typing import NamedTuple


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


class SourcePos(NamedTuple):
    """A 1-based position in an input file (``<stdin>`` for standard input); ordered by
    (file, line, col)."""

    file: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.file
        return f"{self.file}:{self.line}:{self.col}"


class Diagnostic(NamedTuple):
    severity: Severity
    message: str
    pos: SourcePos | None = None
    hint: str | None = None

    def format(self) -> str:
        where = f"{self.pos}: " if self.pos is not None else ""
        text = f"{where}{self.severity.value}: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def as_dict(self) -> dict:
        return {
            "severity": self.severity.value,
            "message": self.message,
            "file": self.pos.file if self.pos else None,
            "line": self.pos.line if self.pos else None,
            "col": self.pos.col if self.pos else None,
            "hint": self.hint,
        }


def error(message: str, pos: SourcePos | None = None, hint: str | None = None) -> Diagnostic:
    return Diagnostic(Severity.ERROR, message, pos, hint)


def warning(message: str, pos: SourcePos | None = None, hint: str | None = None) -> Diagnostic:
    return Diagnostic(Severity.WARNING, message, pos, hint)


class ErrorLevel(str, Enum):
    """What happens to warnings (as sqlglot's ErrorLevel); errors are always kept.

    | level  | a warning                | CLI                |
    |--------|--------------------------|--------------------|
    | IGNORE | dropped                  |                    |
    | WARN   | kept as a warning        | default            |
    | ERROR  | raised to an error       | ``--strict``       |
    """

    IGNORE = "ignore"
    WARN = "warn"
    ERROR = "error"


class Diagnostics:
    """An ordered collection of diagnostics; ``level`` is applied to each one as it is added
    (the one place the error-level policy is applied)."""

    def __init__(self, level: ErrorLevel = ErrorLevel.WARN, items: list[Diagnostic] | None = None):
        self.level = level
        self.items: list[Diagnostic] = [] if items is None else items

    def add(self, diag: Diagnostic) -> None:
        if diag.severity is Severity.WARNING and self.level is not ErrorLevel.WARN:
            if self.level is ErrorLevel.IGNORE:
                return
            diag = Diagnostic(Severity.ERROR, diag.message, diag.pos, diag.hint)
        self.items.append(diag)

    def extend(self, diags) -> None:
        for d in diags:
            self.add(d)

    def error(self, message: str, pos: SourcePos | None = None, hint: str | None = None) -> None:
        self.add(error(message, pos, hint))

    def warning(self, message: str, pos: SourcePos | None = None, hint: str | None = None) -> None:
        self.add(warning(message, pos, hint))

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.items)

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


class Result:
    """What a step returns (load, translate, host preflight, the pipeline): its diagnostics, in order."""

    def __init__(self, diagnostics: list[Diagnostic] | None = None):
        self.diagnostics: list[Diagnostic] = [] if diagnostics is None else diagnostics

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.WARNING]


class DiagnosticError(Exception):
    """Raised by library entry points when input is invalid; carries the diagnostics."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(d.format() for d in self.diagnostics))

"""Loading: files, directories and stdin -> Manifests (typed models + source maps) and diagnostics.

Public entry point: ``load(paths, stdin=None, level=ErrorLevel.WARN) -> LoadResult``.
The library never prints or exits; every problem is a positioned diagnostic.
"""

from __future__ import annotations

from typing import BinaryIO, Sequence

from kube2pod import gcpause
from kube2pod.diagnostics import Diagnostic, Diagnostics, ErrorLevel, Result, SourcePos
from kube2pod.load.manifest import Manifest, SourceMap
from kube2pod.load.references import HostReader, HostUnreadable

__all__ = ["HostReader", "HostUnreadable", "LoadResult", "Manifest", "SourceMap", "load", "load_text", "format_diagnostics"]


class LoadResult(Result):
    """The manifests that decoded, and every diagnostic of the input; ``host``: the objects kept on
    the host that the input's references resolved to (load/references.py)."""

    def __init__(self, manifests: list[Manifest] | None = None, diagnostics: list[Diagnostic] | None = None,
                 host: list[Manifest] | None = None):
        super().__init__(diagnostics)
        self.manifests: list[Manifest] = [] if manifests is None else manifests
        self.host: list[Manifest] = [] if host is None else host


def load(paths: Sequence[str], *, stdin: BinaryIO | None = None, level: ErrorLevel = ErrorLevel.WARN,
         host: HostReader | None = None) -> LoadResult:
    """Read, decode and validate every manifest in ``paths`` ("-" = stdin).

    Never raises for bad input: problems come back as diagnostics, in input order; ``level``
    is what happens to warnings (``ErrorLevel.ERROR``: ``--strict``). ``host`` reads the objects
    kept on the host, for references the input lacks (it may raise ``HostUnreadable``).
    """
    from kube2pod.load.inputs import read_sources

    diags = Diagnostics(level)
    order: list[str] = []
    try:
        sources = read_sources(paths, stdin, diags, order)
    except Exception as exc:  # a loader bug must not become a traceback
        _internal_error(diags, exc)
        return LoadResult([], list(diags.items))
    return _load_sources([(s.name, s.text) for s in sources], diags, order, host)


def _internal_error(diags: Diagnostics, exc: Exception) -> None:
    diags.error(f"internal error in the loader: {type(exc).__name__}: {exc}",
                hint="please report this with the input that caused it")


def load_text(text: str, name: str = "<string>", *, level: ErrorLevel = ErrorLevel.WARN) -> LoadResult:
    """Like :func:`load` for text already in memory (tests, embedding)."""
    diags = Diagnostics(level)
    text = text[1:] if text.startswith("\ufeff") else text
    return _load_sources([(name, text.replace("\r\n", "\n"))], diags)


def _load_sources(sources: list[tuple[str, str]], diags: Diagnostics, order: list[str] | None = None,
                  host: HostReader | None = None) -> LoadResult:
    manifests: list[Manifest] = []
    from_host: list[Manifest] = []
    with gcpause.paused():
        _read_all(sources, diags, manifests, host, from_host)
    return LoadResult(_clean(manifests), _ordered(diags.items, order or [name for name, _ in sources]), from_host)


def _read_all(sources: list[tuple[str, str]], diags: Diagnostics, manifests: list[Manifest],
              host: HostReader | None = None, from_host: list[Manifest] | None = None) -> None:
    from kube2pod.load.documents import read_manifests
    from kube2pod.load.validate import validate_all

    try:
        read = []
        for name, text in sources:
            before = len(diags)
            found = read_manifests(name, text, diags)
            read.extend(found)
            manifests.extend(m for m, _ in found)
            if not found and len(diags) == before:
                diags.warning("file contains no Kubernetes objects", SourcePos(name, 1, 1))
        used = validate_all(read, diags, host)  # documents with decode errors too: all diagnostics in one run
        if from_host is not None:
            from_host.extend(used)
        if sources and not manifests and not diags.has_errors:
            last, text = sources[-1]
            diags.error("no supported Kubernetes objects in the input", SourcePos(last, text.count("\n") + 1, 1),
                        hint="supported kinds: " + ", ".join(_supported_kinds()))
    except HostUnreadable:
        raise
    except Exception as exc:  # a loader bug must not become a traceback
        _internal_error(diags, exc)


def _supported_kinds() -> list[str]:
    from kube2pod.load.kinds import SUPPORTED

    return list(SUPPORTED)


def _clean(manifests: list[Manifest]) -> list[Manifest]:
    """Manifests whose decoding succeeded (decode errors leave ``obj`` as None)."""
    return [m for m in manifests if m.obj is not None]


def _ordered(items: list[Diagnostic], order: list[str]) -> list[Diagnostic]:
    """Diagnostics sorted by input (in the order given), then line and column; stable otherwise."""
    rank: dict[str, int] = {}
    for name in order:
        rank.setdefault(name, len(rank))

    def key(d: Diagnostic) -> tuple:
        if d.pos is None:
            return (len(rank) + 1, 0, 0)
        return (rank.get(d.pos.file, len(rank)), d.pos.line, d.pos.col)

    return sorted(items, key=key)


def format_diagnostics(diags: Sequence[Diagnostic], fmt: str = "text") -> str:
    """Render diagnostics for the CLI (see :mod:`kube2pod.load.report`)."""
    from kube2pod.load.report import format_diagnostics as _fmt

    return _fmt(diags, fmt)

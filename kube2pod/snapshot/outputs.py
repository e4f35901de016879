"""Manifests -> the snapshot files of each output format.

Deterministic by construction: the renderers order everything, carry no timestamps, and
paths are the ones given (pass paths relative to the repository for machine-independent files).
"""

from __future__ import annotations

from typing import Sequence

from kube2pod.diagnostics import Diagnostic, Severity
from kube2pod.render.formats import FORMATS as RENDERED, gates, render_all
from kube2pod.spec.version import DEFAULT, Version

FORMATS = (*RENDERED, "diagnostics")
DEFAULT_FORMATS = ("sh", "json", "quadlet", "diagnostics")
FILE_NAMES = {**{f.name: f.file for f in RENDERED.values() if not f.directory}, "diagnostics": "diagnostics.txt"}
QUADLET_DIR = RENDERED["quadlet"].file
QUADLET_ERROR = QUADLET_DIR + "/error.txt"


def is_snapshot_file(name: str, formats: Sequence[str] = FORMATS) -> bool:
    """Whether a file name (relative, ``/``-separated) is one this module writes for ``formats``."""
    directory, slash, _ = name.partition("/")
    if slash:
        return any(f.directory and f.file == directory for f in _rendered(formats))
    return name in {FILE_NAMES[f] for f in formats if f in FILE_NAMES}


def _rendered(formats: Sequence[str]) -> list:
    """The registry entries of ``formats`` (diagnostics is this module's own)."""
    return [RENDERED[f] for f in formats if f in RENDERED]


def snapshot_files(paths: Sequence[str], formats: Sequence[str] = DEFAULT_FORMATS, *,
                   options=None, start: bool = True, version: Version = DEFAULT) -> dict[str, str]:
    """Run the pipeline on ``paths`` and render each format for Podman ``version``: ``{file name:
    text}``, sorted by name. ``version`` is always explicit (never the installed podman), so the files
    are the same on every machine; the script and the plan record it.

    ``diagnostics.txt`` holds ``exit N`` (what ``kube2pod convert`` exits with), ``podman X.Y``
    and every diagnostic; the other files are present only when their renderer succeeded, except
    that a directory format is one output among several: units Quadlet cannot express leave
    their error in ``quadlet/error.txt``.
    ValueError for an unknown format or a bad option.
    """
    from kube2pod import pipeline

    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"unknown snapshot formats: {', '.join(sorted(unknown))} (known: {', '.join(FORMATS)})")
    outcome = pipeline.run(list(paths), options or pipeline.Options(), target=(version, gates(formats)))
    diags = list(outcome.diagnostics)
    files: dict[str, str] = {}
    if outcome.plan is not None:
        rendered = _rendered(formats)
        files, render_diags = render_all(outcome.plan, [f.name for f in rendered if not f.directory], start=start,
                                         version=version)
        diags += render_diags
        directories = [] if render_diags else [f for f in rendered if f.directory]
        for fmt in directories:  # its failure is its own: the error file, not diagnostics.txt
            units, unit_diags = render_all(outcome.plan, [fmt.name], version=version)
            files.update(units)
            if unit_diags:
                files[f"{fmt.file}/error.txt"] = "".join(d.format() + "\n" for d in unit_diags)
    if "diagnostics" in formats:
        files[FILE_NAMES["diagnostics"]] = diagnostics_text(diags, version)
    return dict(sorted(files.items()))


def diagnostics_text(diags: Sequence[Diagnostic], version: Version = DEFAULT) -> str:
    """``exit N``, ``podman X.Y`` (the target), then the diagnostics as ``kube2pod convert`` prints them."""
    from kube2pod.load.report import format_diagnostics

    code = 2 if any(d.severity is Severity.ERROR for d in diags) else 0
    text = f"exit {code}\npodman {version}\n"
    if diags:
        text += format_diagnostics(diags, "text") + "\n"
    return text

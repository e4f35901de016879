"""Manifests -> the snapshot files of each output format.

Deterministic by construction: the renderers order everything, carry no timestamps, and
paths are the ones given (pass paths relative to the repository for machine-independent files).
"""

from __future__ import annotations

from typing import Sequence

from kube2pod.diagnostics import Diagnostic, Severity, SourcePos, error

FORMATS = ("sh", "json", "yaml", "quadlet", "diagnostics")
DEFAULT_FORMATS = ("sh", "json", "quadlet", "diagnostics")
FILE_NAMES = {"sh": "convert.sh", "json": "plan.json", "yaml": "plan.yaml", "diagnostics": "diagnostics.txt"}
QUADLET_DIR = "quadlet"
QUADLET_ERROR = QUADLET_DIR + "/error.txt"


def is_snapshot_file(name: str, formats: Sequence[str] = FORMATS) -> bool:
    """Whether a file name (relative, ``/``-separated) is one this module writes for ``formats``."""
    if name.startswith(QUADLET_DIR + "/"):
        return "quadlet" in formats
    return name in {FILE_NAMES[f] for f in formats if f in FILE_NAMES}


def snapshot_files(paths: Sequence[str], formats: Sequence[str] = DEFAULT_FORMATS, *,
                   options=None, start: bool = True) -> dict[str, str]:
    """Translate ``paths`` and render each format: ``{file name: text}``, sorted by name.

    ``diagnostics.txt`` holds ``exit N`` (what ``kube2pod convert`` exits with) and every
    diagnostic; the other files are present only when their renderer succeeded, except
    that units Quadlet cannot express leave their error in ``quadlet/error.txt``.
    """
    from kube2pod.load import load
    from kube2pod.translate import Options, translate

    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"unknown snapshot formats: {', '.join(sorted(unknown))} (known: {', '.join(FORMATS)})")
    options = options or Options()
    loaded = load(list(paths), strict=options.strict)
    diags = list(loaded.diagnostics)
    files: dict[str, str] = {}
    if not loaded.has_errors:
        result = translate(loaded.manifests, options)
        diags += result.diagnostics
        if not result.has_errors:
            files, render_diags = render_all(result.plan, [f for f in formats if f != "quadlet"], start=start)
            diags += render_diags
            if "quadlet" in formats and not render_diags:
                units, quadlet_diags = render_all(result.plan, ["quadlet"])
                files.update(units)
                if quadlet_diags:  # the units are one output among several: their failure is theirs
                    files[QUADLET_ERROR] = "".join(d.format() + "\n" for d in quadlet_diags)
    if "diagnostics" in formats:
        files[FILE_NAMES["diagnostics"]] = diagnostics_text(diags)
    return dict(sorted(files.items()))


def render_all(plan, formats: Sequence[str], *, start: bool = True,
               show_secrets: bool = False) -> tuple[dict[str, str], list[Diagnostic]]:
    """Render ``plan`` in each of ``formats`` (except diagnostics): files and render errors.
    Secret values appear only with ``show_secrets`` (never in snapshots)."""
    from kube2pod.render import json as json_renderer
    from kube2pod.render import quadlet, shell, yaml as yaml_renderer
    from kube2pod.render.quoting import Unrepresentable, nul_diagnostics

    files: dict[str, str] = {}
    if "json" in formats:
        files[FILE_NAMES["json"]] = json_renderer.render(plan, show_secrets)
    if "yaml" in formats:
        files[FILE_NAMES["yaml"]] = yaml_renderer.render(plan, show_secrets)
    if not {"sh", "quadlet"} & set(formats):
        return files, []
    # NUL: no shell word, unit file line or podman argument can carry it. The renderers refuse
    # it (Unrepresentable) and the output is scanned for it; only then is the plan walked for
    # positioned errors (nul_diagnostics), so the common case costs one scan of the text.
    if "sh" in formats:
        try:
            text = shell.render(plan, start=start, show_secrets=show_secrets)
        except Unrepresentable as exc:
            return files, nul_diagnostics(plan) or [error(str(exc))]
        if "\0" in text:
            return files, nul_diagnostics(plan) or [error("the script would contain a NUL byte")]
        files[FILE_NAMES["sh"]] = text
    if "quadlet" in formats:
        try:
            units = quadlet.render(plan)
        except (Unrepresentable, quadlet.Unsupported) as exc:
            return files, nul_diagnostics(plan) or [quadlet_error(exc)]
        if any("\0" in text for text in units.values()):
            return files, nul_diagnostics(plan) or [error("the Quadlet units would contain a NUL byte")]
        files.update({f"{QUADLET_DIR}/{name}": text for name, text in units.items()})
    return files, []


def quadlet_error(exc: Exception) -> Diagnostic:
    """A Quadlet render failure as a diagnostic at its object's position when known."""
    source = getattr(exc, "source", None)
    pos = SourcePos(source.file, source.line, 1) if source is not None and source.file else None
    return error(f"cannot write Quadlet units: {exc}", pos)


def diagnostics_text(diags: Sequence[Diagnostic]) -> str:
    """``exit N`` then the diagnostics as ``kube2pod convert`` prints them."""
    from kube2pod.load.report import format_diagnostics

    code = 2 if any(d.severity is Severity.ERROR for d in diags) else 0
    text = f"exit {code}\n"
    if diags:
        text += format_diagnostics(diags, "text") + "\n"
    return text

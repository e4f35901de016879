"""The output formats, one registry for ``convert -o`` and the snapshots: name -> renderer and file.

| name    | file                          | renderer                                  | NUL byte          |
|---------|-------------------------------|-------------------------------------------|-------------------|
| sh      | convert.sh                    | ``shell.render(plan, start=, show_secrets=, spec=)`` | refused |
| json    | plan.json                     | ``json.render(plan, show_secrets, version)`` | escaped        |
| yaml    | plan.yaml                     | ``yaml.render(plan, show_secrets, version)`` | escaped        |
| quadlet | quadlet/ (a directory: one file per unit) | ``quadlet.render(plan, spec)`` | refused           |

Every format is rendered for one target Podman version (``spec.version``: the spec is built
for it; the plan formats record it as ``podman_version``).

A renderer refuses what its output cannot carry (``quoting.Unrepresentable``; Quadlet also
``quadlet.Unsupported``), and what it wrote is scanned for a NUL that slipped past it; either
becomes the NUL's positioned diagnostics (``quoting.nul_diagnostics``) or the refusal itself.
Each renderer is imported only when its format is rendered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from kube2pod.diagnostics import Diagnostic, SourcePos, error
from kube2pod.spec.version import DEFAULT, Version

if TYPE_CHECKING:
    from kube2pod.plan import Plan


class Format(NamedTuple):
    """``render(plan, start, show_secrets, version)``: the text of ``file``, or for a ``directory`` format
    ``{name: text}`` of the files in the directory ``file``; raises ``Refused``.
    ``what``: the output as named in its errors; ``carries_nul``: the format escapes NUL bytes;
    ``gates``: the spec outputs whose version gates apply (spec.Gap: the script and the units run
    the podman CLI; the plan formats are not podman options; Quadlet's own keys are the
    renderer's: a newer key is written as ``PodmanArgs=``, else refused)."""

    name: str
    file: str
    directory: bool
    render: Callable[[Plan, bool, bool, Version], str | dict[str, str]]
    what: str
    carries_nul: bool
    gates: tuple[str, ...] = ()


class Refused(Exception):
    """A renderer refused the plan; ``diagnostic`` is reported unless a NUL in the plan explains it."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def _shell(plan: Plan, start: bool, show_secrets: bool, version: Version) -> str:
    from kube2pod.render import shell
    from kube2pod.render.quoting import Unrepresentable
    from kube2pod.spec import NotInVersion, build

    from kube2pod.render.timer import refusals

    for refusal in refusals(plan, "the script"):
        raise Refused(refusal)
    try:
        return shell.render(plan, start=start, show_secrets=show_secrets, spec=build(plan, version))
    except NotInVersion as exc:
        raise Refused(_at_source(f"cannot write the script: {exc}", exc)) from exc
    except Unrepresentable as exc:
        raise Refused(error(str(exc))) from exc


def _json(plan: Plan, start: bool, show_secrets: bool, version: Version) -> str:
    from kube2pod.render import json

    return json.render(plan, show_secrets, version)


def _yaml(plan: Plan, start: bool, show_secrets: bool, version: Version) -> str:
    from kube2pod.render import yaml

    return yaml.render(plan, show_secrets, version)


def _quadlet(plan: Plan, start: bool, show_secrets: bool, version: Version) -> dict[str, str]:
    from kube2pod.render import quadlet
    from kube2pod.render.quoting import Unrepresentable
    from kube2pod.spec import NotInVersion, build

    try:
        return quadlet.render(plan, build(plan, version))
    except (Unrepresentable, quadlet.Unsupported, NotInVersion) as exc:
        raise Refused(quadlet_error(exc)) from exc


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("sh", "convert.sh", False, _shell, "the script", False, ("cli",)),
    Format("json", "plan.json", False, _json, "the plan", True),
    Format("yaml", "plan.yaml", False, _yaml, "the plan", True),
    Format("quadlet", "quadlet", True, _quadlet, "the Quadlet units", False, ("cli",)),
)}


def gates(names) -> tuple[str, ...]:
    """The spec outputs whose version gates the formats ``names`` need (pipeline ``target``)."""
    return tuple(sorted({g for name in names if name in FORMATS for g in FORMATS[name].gates}))


def render_all(plan: Plan, names, *, start: bool = True, show_secrets: bool = False,
               version: Version = DEFAULT) -> tuple[dict[str, str], list[Diagnostic]]:
    """Render ``plan`` in each format of ``names`` (others are skipped): ``{file: text}`` of those
    that succeeded (a directory format's as ``DIR/NAME``) and the errors of the first that failed.
    Secret values appear only with ``show_secrets`` (never in snapshots); ``version``: the target Podman."""
    files: dict[str, str] = {}
    failure = None
    for fmt in FORMATS.values():
        if fmt.name not in names:
            continue
        try:
            out = fmt.render(plan, start, show_secrets, version)
        except Refused as exc:
            failure = failure or exc.diagnostic
            continue
        texts = {f"{fmt.file}/{name}": text for name, text in out.items()} if fmt.directory else {fmt.file: out}
        if not fmt.carries_nul and any("\0" in text for text in texts.values()):
            failure = failure or error(f"{fmt.what} would contain a NUL byte")
            continue
        files.update(texts)
    if failure is None:
        return files, []
    from kube2pod.render.quoting import nul_diagnostics

    return files, nul_diagnostics(plan) or [failure]


def quadlet_error(exc: Exception) -> Diagnostic:
    """A Quadlet render failure as a diagnostic at its object's position when known."""
    return _at_source(f"cannot write Quadlet units: {exc}", exc)


def _at_source(message: str, exc: Exception) -> Diagnostic:
    """An error at the position of the plan object the exception names (``exc.source``), if any."""
    source = getattr(exc, "source", None)
    pos = SourcePos(source.file, source.line, 1) if source is not None and source.file else None
    return error(message, pos)

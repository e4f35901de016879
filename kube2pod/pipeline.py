"""Inputs -> plan, the one way: load, translate and (optionally) check the host.

| step      | function                | runs when                                   |
|-----------|-------------------------|---------------------------------------------|
| options   | ``translate.check``     | first: a bad option raises ``OptionError``  |
| load      | ``load.load``           | always                                      |
| choose    | ``choose``              | ``namespace`` or ``selector`` is given      |
| translate | ``translate.translate`` | the load has no errors                      |
| host      | ``host.checks.preflight`` | ``host`` is given and the plan has no errors |
| version   | ``spec.gaps``           | ``target`` is given and the plan has no errors |

``target`` is ``(version, outputs)``: the target Podman and the outputs it will be written as
(cli: the script, the units' commands; rest: apply's bodies; see spec.Gap); what it lacks is an
error at the manifest field it comes from (translate/origin.py), naming the version that has it.

``Options.level`` (``diagnostics.ErrorLevel``) is what happens to the warnings of every step;
each step's ``Diagnostics`` applies it as they are added. Nothing here prints or exits: the CLI
maps an ``Outcome`` to output and an exit status.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, BinaryIO

from kube2pod.diagnostics import Diagnostic, Diagnostics, ErrorLevel, Result
from kube2pod.load import HostReader, LoadResult, load
from kube2pod.spec.version import Version
from kube2pod.translate import OptionError, Options, Translation, check, translate

if TYPE_CHECKING:
    from kube2pod.load.selector import Selector
    from kube2pod.host.facts import HostFacts
    from kube2pod.host.checks import Preflight
    from kube2pod.host.ownership_fix import OwnershipFix
    from kube2pod.plan import Plan

__all__ = ["ErrorLevel", "OptionError", "Options", "Outcome", "Target", "check_host", "check_version", "choose",
           "default_project", "run"]

#: ``(version, outputs)``: the target Podman and the outputs its version gates apply to
Target = tuple[Version, tuple[str, ...]]
#: ``read_facts(paths)``: the host's facts, with those of ``paths`` (host paths the plan binds)
FactsReader = Callable[[list[str]], "HostFacts"]


class Outcome(Result):
    """What each step gave: ``loaded``; ``translation`` (None when loading failed); ``preflight``
    (None unless the host was checked); ``gates``: the version gates' diagnostics.
    ``diagnostics``: all of theirs, in step order."""

    def __init__(self, options: Options, loaded: LoadResult, translation: Translation | None = None,
                 preflight: Preflight | None = None, gates: list[Diagnostic] | None = None):
        steps = [s for s in (loaded, translation, preflight) if s is not None]
        super().__init__([d for s in steps for d in s.diagnostics] + list(gates or []))
        self.options = options
        self.loaded = loaded
        self.translation = translation
        self.preflight = preflight
        self.gates = list(gates or [])

    @property
    def plan(self) -> Plan | None:
        """The plan; None when a step so far has errors (or loading failed)."""
        return None if self.translation is None or self.has_errors else self.translation.plan

    @property
    def fixes(self) -> list[OwnershipFix]:
        """The host paths' ownership fixes the preflight asks for (``fix_ownership``)."""
        return [] if self.preflight is None else self.preflight.fixes


def default_project(inputs: list[str]) -> str:
    """The first input's file name without extension (a directory's name; "stdin" for -)."""
    first = inputs[0] if inputs else "-"
    if first == "-":
        return "stdin"
    base = os.path.basename(os.path.normpath(os.path.abspath(first)))
    stem = base.split(".", 1)[0] if not os.path.isdir(first) else base
    return stem or "default"


def run(paths: Sequence[str], options: Options = Options(), *, stdin: BinaryIO | None = None,
        host: FactsReader | None = None, fix_ownership: bool = False,
        namespace: str | None = None, selector: str | None = None,
        host_objects: HostReader | None = None, target: Target | Callable[[], Target] | None = None) -> Outcome:
    """Load ``paths`` ("-": ``stdin``), keep the objects of ``namespace`` matching ``selector``
    (kubectl's ``-n``/``-l``, :func:`choose`), translate them (as project ``options.project``, else
    :func:`default_project`) and, with ``host``, check the plan
    against the host (see :func:`check_host`). Raises ``OptionError`` for a bad option and
    ``load.selector.SelectorError`` for a bad selector, before reading input. ``host_objects``
    (apply, diff, down) reads the ConfigMaps and Secrets kept on the host, for references the input
    lacks (load/references.py); without it such a reference is an error (convert, validate).
    ``target``: ``(version, outputs)``, see :func:`check_version`, or a function giving it (called
    only when there is a plan to check)."""
    check(options)
    if not options.project:
        options = options._replace(project=default_project(list(paths)))
    chosen = None
    if selector is not None:  # imported only when used: not on convert's usual path
        from kube2pod.load.selector import Selector

        chosen = Selector(selector)
    loaded = load(paths, stdin=stdin, level=options.level, host=host_objects)
    if loaded.has_errors:
        return Outcome(options, loaded)
    if namespace is not None or chosen is not None:
        loaded = choose(loaded, namespace, chosen)
    outcome = Outcome(options, loaded, translate(loaded.manifests, options, loaded.host))
    if target is not None and outcome.plan is not None:
        outcome = check_version(outcome, *(target() if callable(target) else target))
    return outcome if host is None else check_host(outcome, host, fix_ownership=fix_ownership)


def choose(loaded: LoadResult, namespace: str | None, selector: "Selector | None") -> LoadResult:
    """The objects of ``namespace`` (None: all; no namespace is "default") whose
    metadata.labels match ``selector`` (None: all), with the load's diagnostics. Objects that
    the chosen ones refer to (ConfigMaps, Secrets, PVCs) must match too, as for kubectl."""
    from kube2pod.load.selector import in_namespace

    kept = [m for m in loaded.manifests if in_namespace(m.namespace, namespace)
            and (selector is None or selector.matches((m.data.get("metadata") or {}).get("labels")))]
    return LoadResult(kept, list(loaded.diagnostics), loaded.host)


def check_host(outcome: Outcome, read_facts: FactsReader, *, fix_ownership: bool = False) -> Outcome:
    """``outcome`` with the host preflight of its plan (``outcome`` itself when it has no plan);
    ``fix_ownership`` turns ownership warnings into fixes."""
    plan = outcome.plan
    if plan is None:
        return outcome
    from kube2pod.host import checks

    checked = checks.preflight(plan, read_facts(checks.paths(plan)), fix_ownership=fix_ownership)
    diags = Diagnostics(outcome.options.level)
    diags.extend(checked.diagnostics)
    return Outcome(outcome.options, outcome.loaded, outcome.translation, checks.Preflight(diags.items, checked.fixes),
                   outcome.gates)


CONVERT_HINT = "convert for a newer Podman with --podman-version {since}, or leave the field out"


def check_version(outcome: Outcome, version: Version, outputs: tuple[str, ...] = ("cli",),
                  hint: str = CONVERT_HINT) -> Outcome:
    """``outcome`` with an error for every option or feature of its plan that Podman ``version``
    lacks in one of ``outputs``, at the manifest field it comes from, with ``hint`` (``{since}``:
    the version that has it); ``outcome`` itself when it has no plan."""
    plan = outcome.plan
    if plan is None:
        return outcome
    from kube2pod.spec import gaps
    from kube2pod.translate.origin import position

    manifests = [*outcome.loaded.manifests, *outcome.loaded.host]
    diags = Diagnostics(outcome.options.level)
    for gap in gaps(plan, version, outputs):
        pos = position(manifests, getattr(gap.owner, "source", None), gap.container, gap.plan_field, gap.item)
        diags.error(gap.message, pos, hint.format(since=gap.since))
    return Outcome(outcome.options, outcome.loaded, outcome.translation, outcome.preflight, outcome.gates + diags.items)

"""Bad-input suite: every file in fixtures/bad-input has snapshot-tested diagnostics."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from kube2pod.diagnostics import ErrorLevel
from kube2pod.load import format_diagnostics, load

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures" / "bad-input"
CASES = sorted(p.name for p in FIXTURES.iterdir() if p.suffix in (".yaml", ".yml", ".json"))
#: Cases that only warn unless --strict.
WARNING_ONLY = {"unsupported-kind.yaml"}


def run(name: str, strict: bool = False):
    return load([f"fixtures/bad-input/{name}"], level=ErrorLevel.ERROR if strict else ErrorLevel.WARN)


@pytest.fixture(autouse=True)
def _at_repo_root(monkeypatch):
    monkeypatch.chdir(REPO)


def test_there_are_enough_cases():
    assert len(CASES) >= 16


@pytest.mark.parametrize("name", CASES)
def test_bad_input_diagnostics(name, snapshot):
    result = run(name)
    snapshot.snapshot_dir = REPO / "tests" / "snapshots" / "bad-input"
    snapshot.assert_match(format_diagnostics(result.diagnostics), Path(name).stem + ".txt")
    assert result.diagnostics, "every bad input must produce a diagnostic"
    for d in result.diagnostics:
        assert d.pos is not None and d.pos.line >= 1 and d.pos.col >= 1, d.format()
    if name in WARNING_ONLY:
        assert not result.has_errors
        assert run(name, strict=True).has_errors
    else:
        assert result.has_errors


def test_valid_document_followed_by_broken_one_is_an_error():
    result = run("valid-then-broken.yaml")
    assert result.has_errors  # commands stop before touching the host


def test_alias_bomb_is_rejected_quickly():
    start = time.perf_counter()
    result = run("alias-bomb.yaml")
    assert time.perf_counter() - start < 1.0
    assert any("alias expansion" in d.message for d in result.diagnostics)


def test_unsupported_kind_skipped_but_pod_kept():
    result = run("unsupported-kind.yaml")
    assert [m.ref for m in result.manifests] == ["Pod/web"]


@pytest.mark.parametrize("name", CASES)
def test_translate_relies_on_the_loader_and_never_crashes(name):
    """Each rule is the loader's alone: translating what a bad input still gives (the library API
    allows it) raises nothing and reports no error again where the loader did."""
    from kube2pod.translate import translate

    loaded = run(name)
    loader_errors = {(d.pos.file, d.pos.line) for d in loaded.errors}
    again = [d.format() for d in translate(loaded.manifests).errors
             if d.pos is not None and (d.pos.file, d.pos.line) in loader_errors]
    assert not again

"""Without ruamel.yaml.clib the pure-Python parser gives the same results."""

from __future__ import annotations

from pathlib import Path

import pytest

from kube2pod import shortcuts
from kube2pod.load import load
from kube2pod.load import yamlsource

REPO = Path(__file__).resolve().parent.parent
CASES = sorted(p for p in (REPO / "fixtures" / "bad-input").iterdir() if p.suffix in (".yaml", ".json"))
CORPUS = REPO.parent / "shared" / "corpus"
C_COMPOSER = shortcuts.c_composer_class(yamlsource._resolve)  # also with the shortcuts off


def _both(paths):
    saved = yamlsource._CComposer, yamlsource._PURE
    try:
        yamlsource._CComposer = C_COMPOSER
        c_result = load(paths)
        yamlsource._CComposer, yamlsource._PURE = None, True
        pure_result = load(paths)
    finally:
        yamlsource._CComposer, yamlsource._PURE = saved
    return c_result, pure_result


@pytest.mark.skipif(C_COMPOSER is None, reason="needs the clib to compare with")
@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_same_outcome_on_bad_inputs(path):
    c_result, pure_result = _both([str(path)])
    assert c_result.has_errors == pure_result.has_errors
    if not any("YAML syntax error" in d.message or "tab" in d.message for d in c_result.diagnostics):
        assert [d.format() for d in c_result.diagnostics] == [d.format() for d in pure_result.diagnostics]


@pytest.mark.skipif(not CORPUS.is_dir() or C_COMPOSER is None, reason="needs the corpus and the clib")
def test_same_manifests_and_positions_on_corpus():
    c_result, pure_result = _both([str(CORPUS)])
    assert [d.format() for d in c_result.diagnostics] == [d.format() for d in pure_result.diagnostics]
    assert [m.ref for m in c_result.manifests] == [m.ref for m in pure_result.manifests]
    for a, b in zip(c_result.manifests, pure_result.manifests):
        assert a.data == b.data
        assert a.source.positions == b.source.positions
        assert a.source.key_positions == b.source.key_positions

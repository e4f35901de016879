"""Every way of composing gives the same results: PyYAML's C parser through the shortcut's class,
through the public ``CSafeLoader``, and PyYAML's pure-Python parser (without libyaml)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kube2pod.load import load, yamlcompose

REPO = Path(__file__).resolve().parent.parent
CASES = sorted(p for p in (REPO / "fixtures" / "bad-input").iterdir() if p.suffix in (".yaml", ".json"))
CORPUS = REPO.parent / "shared" / "corpus"
HAVE_C = yamlcompose.HAVE_LIBYAML


def _with(kind, paths):
    saved = yamlcompose.select(kind)
    try:
        return load(paths)
    finally:
        yamlcompose.restore(saved)


def _syntax(result):
    """Syntax errors are worded otherwise by the pure parser; libyaml stops nesting at 1,000 levels."""
    return any("YAML syntax error" in d.message or "tab" in d.message or "nesting deeper" in d.message
               for d in result.diagnostics)


@pytest.mark.skipif(not HAVE_C, reason="needs libyaml to compare with")
@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_same_outcome_on_bad_inputs(path):
    c_result = _with("c", [str(path)])
    for other in ("public", "pure"):
        result = _with(other, [str(path)])
        assert c_result.has_errors == result.has_errors, other
        if other == "public" or not _syntax(c_result):
            assert [d.format() for d in c_result.diagnostics] == [d.format() for d in result.diagnostics], other


@pytest.mark.skipif(not CORPUS.is_dir() or not HAVE_C, reason="needs the corpus and libyaml")
@pytest.mark.parametrize("other", ["public", "pure"])
def test_same_manifests_and_positions_on_corpus(other):
    c_result, result = _with("c", [str(CORPUS)]), _with(other, [str(CORPUS)])
    assert [d.format() for d in c_result.diagnostics] == [d.format() for d in result.diagnostics]
    assert [m.ref for m in c_result.manifests] == [m.ref for m in result.manifests]
    for a, b in zip(c_result.manifests, result.manifests):
        assert a.data == b.data
        assert a.source.positions == b.source.positions
        assert a.source.key_positions == b.source.key_positions

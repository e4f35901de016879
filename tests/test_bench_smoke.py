"""scripts/bench runs end to end on tiny inputs and reports every figure (no timing checks)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.podman
def test_bench_quick_reports_every_figure(tmp_path):
    out = tmp_path / "bench.json"
    proc = subprocess.run([sys.executable, str(REPO / "scripts" / "bench"), "--quick", "--json", str(out)],
                          capture_output=True, text=True, timeout=240, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(out.read_text())
    assert (result["reps"], result["pods"], result["docs"]) == (1, 2, 20)
    assert set(result["machine"]) == {"cores", "podman", "python", "load_before", "load_after"}
    rows = {r["figure"]: r for r in result["rows"]}
    assert list(rows) == [
        "apply+start, 1 pod x 3 containers (s)",
        "apply+start, 2 pods (s)",
        "re-apply unchanged, 2 pods (s)",
        "down, 2 pods (s)",
        "apply+start, 1 pod x 3 containers: host CPU, all processes (s)",
        "apply+start, 1 pod x 3 containers: CPU of the tool's own process (s)",
        "apply+start, 2 pods: host CPU, all processes (s)",
        "apply+start, 2 pods: CPU of the tool's own process (s)",
        "floor: a process importing pydantic, PyYAML, podman-py, the pod's models (s)",
        "floor: Podman alone through its API: create and start 1 pod x 3 containers (s)",
        "floor: Podman alone through its API: create and start the 2 pods, best of 3 and 10 concurrent clients (s)",
        "convert 20 documents (docs/s)",
        "convert 20 documents, second run in the process (docs/s)",
        "convert 20 documents, peak RSS (MB)",
        "cold start: kube2pod convert, 1 small pod (s)",
        "cold start: python -c pass (s)",
        "floor: a process importing pydantic, PyYAML, the pod's models (s)",
        "cold start: kube2pod's own share, cold start - floor (s)",
    ]
    share = rows["cold start: kube2pod's own share, cold start - floor (s)"]["kube2pod"]
    assert share == pytest.approx(rows["cold start: kube2pod convert, 1 small pod (s)"]["kube2pod"]
                                  - rows["floor: a process importing pydantic, PyYAML, the pod's models (s)"]["kube2pod"],
                                  abs=0.002)
    for figure, row in rows.items():
        if row["target"]:  # met: the ratio, or the figure itself where there is no podman figure
            value = row["ratio"] if row["ratio"] is not None else row["kube2pod"]
            op, bound = row["target"].split()
            assert row["met"] == ("yes" if (value <= float(bound) if op == "<=" else value >= float(bound)) else "no")
        else:
            assert "met" not in row, figure
        if figure.startswith("cold start: kube2pod's own share"):
            continue
        assert row["kube2pod"] > 0, figure
        if row["podman"] is not None:
            assert row["podman"] > 0 and row["ratio"] == pytest.approx(row["kube2pod"] / row["podman"], rel=0.01)
    for row in result["rows"]:  # the printed table carries the same figures
        assert f"| {row['figure']} | {row['kube2pod']} |" in proc.stdout
        assert proc.stdout.count(f"| {row['figure']} |") == 1

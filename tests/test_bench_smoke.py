"""scripts/bench runs end to end on tiny inputs and reports every figure (no timing checks)."""

from __future__ import annotations

import json
import shutil
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
    assert "figure 7: registry" in proc.stderr  # the registry figure ran (progress lines on stderr)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(out.read_text())
    assert (result["reps"], result["pods"], result["docs"], result["scaling_reps"], result["pull_mb"]) == (1, 2, 20, 1, 1)
    assert set(result["machine"]) == {"cores", "podman", "python", "load_before", "load_after", "date"}
    rows = {r["figure"]: r for r in result["rows"]}
    activation = "apply+start, 1 pod x 2 containers, socket activation (systemd-socket-activate) (s)"
    assert (activation in rows) == bool(shutil.which("systemd-socket-activate"))  # package systemd
    assert [f for f in rows if f != activation] == [
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
        "first apply, 1 pod x 4 containers, 4 images of 1 MB + busybox pulled from the local registry (s)",
        "floor: Podman alone through its API: pull the 4 images, 3 at a time (s)",
        "floor: Podman alone through its API: then create and start the pod (s)",
        "apply+start, 1 pod x 2 containers, no Podman service running (s)",
        "apply+start, 1 pod x 2 containers, the next command: the service kept (s)",
        "apply+start, 1 pod x 2 containers, a service per command (KUBE2POD_SERVICE_IDLE=0) (s)",
        "floor: podman system service, started until it answers a ping (s)",
        "floor: Podman alone, no service running: the service started, then the pod created and started through it (s)",
        "scaling: apply+start, 1 pods (s)",
        "scaling: re-apply unchanged, 1 pods (s)",
        "scaling: down, 1 pods (s)",
        "floor: Podman alone through its API: create and start 1 pods, 3 concurrent clients (s)",
        "floor: Podman alone through its API: stop and remove 1 pods, 8 concurrent clients (s)",
        "scaling: apply+start, 2 pods (s)",
        "scaling: re-apply unchanged, 2 pods (s)",
        "scaling: down, 2 pods (s)",
        "floor: Podman alone through its API: create and start 2 pods, 3 concurrent clients (s)",
        "floor: Podman alone through its API: stop and remove 2 pods, 8 concurrent clients (s)",
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
            op, limit = row["target"].split()
            met = value <= float(limit) if op == "<=" else value >= float(limit)
            below = row.get("bound") is not None and row["bound"] > float(limit)
            assert row["met"] == ("yes" if met else "no, below the floors" if below else "no"), figure
        else:
            assert "met" not in row, figure
        if figure.startswith("cold start: kube2pod's own share"):
            continue
        assert row["kube2pod"] > 0, figure
        if row["podman"] is not None:
            assert row["podman"] > 0 and row["ratio"] == pytest.approx(row["kube2pod"] / row["podman"], rel=0.01)
    floors = {  # the rows whose floors bound them, and those floors, all from this run
        "apply+start, 1 pod x 3 containers (s)": [
            "floor: a process importing pydantic, PyYAML, podman-py, the pod's models (s)",
            "floor: Podman alone through its API: create and start 1 pod x 3 containers (s)"],
        "first apply, 1 pod x 4 containers, 4 images of 1 MB + busybox pulled from the local registry (s)": [
            "floor: a process importing pydantic, PyYAML, podman-py, the pod's models (s)",
            "floor: Podman alone through its API: pull the 4 images, 3 at a time (s)",
            "floor: Podman alone through its API: then create and start the pod (s)"],
        "apply+start, 1 pod x 2 containers, no Podman service running (s)": [
            "floor: a process importing pydantic, PyYAML, podman-py, the pod's models (s)",
            "floor: Podman alone, no service running: the service started, then the pod created and started through it (s)"],
        "scaling: apply+start, 2 pods (s)": [
            "floor: a process importing pydantic, PyYAML, podman-py, the pod's models (s)",
            "floor: Podman alone through its API: create and start 2 pods, 3 concurrent clients (s)"],
        "scaling: down, 2 pods (s)": [
            "floor: a process importing pydantic, PyYAML, podman-py, the pod's models (s)",
            "floor: Podman alone through its API: stop and remove 2 pods, 8 concurrent clients (s)"],
    }
    for figure, parts in floors.items():  # medians of one sample each: the sum of the floor rows
        assert rows[figure]["bound"] == pytest.approx(sum(rows[p]["kube2pod"] for p in parts) / rows[figure]["podman"],
                                                      rel=0.01), figure
    assert rows["down, 2 pods (s)"].get("bound") is None  # no floor measured for it
    assert [(p["pods"], p["step"]) for p in result["scaling"]] == [
        (n, step) for n in (1, 2) for step in ("apply", "reapply", "down")]
    for point in result["scaling"]:
        row = rows[f"scaling: {dict(apply='apply+start', reapply='re-apply unchanged', down='down')[point['step']]}, "
                   f"{point['pods']} pods (s)"]
        assert (row["kube2pod"], row["podman"]) == (point["kube2pod"], point["podman"])
    for row in result["rows"]:  # the printed table carries the same figures
        assert f"| {row['figure']} | {row['kube2pod']} |" in proc.stdout
        assert proc.stdout.count(f"| {row['figure']} |") == 1


def test_write_docs_replaces_only_the_marked_section(tmp_path, monkeypatch):
    """--write-docs rewrites what lies between the marks of docs/performance.md and draws the PNG."""
    from importlib.machinery import SourceFileLoader

    bench = SourceFileLoader("k2p_bench", str(REPO / "scripts" / "bench")).load_module()
    doc = tmp_path / "performance.md"
    doc.write_text(f"# head\n\n{bench.BEGIN}\nold table\n{bench.END}\n\n## tail\n")
    monkeypatch.setattr(bench, "DOCS", doc)
    monkeypatch.setattr(bench, "PLOT", tmp_path / "bench-scaling.png")
    scaling = [{"pods": n, "step": step, "kube2pod": n * 0.1, "podman": n * 0.2}
               for n in (1, 10) for step in ("apply", "reapply", "down")]
    result = {"reps": 3, "scaling_reps": 2, "rows": [{"figure": "f (s)", "kube2pod": 1.0, "podman": 2.0,
                                                        "ratio": 0.5, "bound": 0.4, "target": "<= 0.6", "met": "yes"}],
              "scaling": scaling, "machine": {"date": "2026-12-06 14:00 UTC", "podman": "4.3.1", "python": "3.11",
                                              "cores": 2, "load_before": [1.0], "load_after": [2.0]}}
    bench.write_docs(result)
    text = doc.read_text()
    assert text.startswith("# head\n\n" + bench.BEGIN) and text.endswith(bench.END + "\n\n## tail\n")
    assert "old table" not in text and "| f (s) | 1.0 | 2.0 | 0.5 | 0.4 | <= 0.6 | yes |" in text
    assert "| 10 | 1.0 | 2.0 | 1.0 | 2.0 | 1.0 | 2.0 |" in text
    assert (tmp_path / "bench-scaling.png").read_bytes().startswith(b"\x89PNG")

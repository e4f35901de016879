"""Same input, same bytes: every fixture rendered in two separate processes, with different hash
seeds, working directories and environments, gives identical snapshot files in every format."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support.k2p import FIXTURES

CASES = sorted(p.parent.name for p in FIXTURES.glob("*/input.yaml"))


def _render(case: str, root: Path, seed: str, extra_env: dict[str, str]) -> dict[str, bytes]:
    """Copy the case under ``root`` and write every format's snapshot files from there."""
    (root / "fixtures" / case).mkdir(parents=True)
    shutil.copy(FIXTURES / case / "input.yaml", root / "fixtures" / case / "input.yaml")
    env = {**os.environ, "PYTHONHASHSEED": seed, **extra_env}
    proc = subprocess.run([sys.executable, "-m", "kube2pod", "convert", "--update-snapshots", "out",
                           "--formats", "sh,json,yaml,quadlet,diagnostics", f"fixtures/{case}/input.yaml"],
                          cwd=root, env=env, capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()
    out = root / "out"
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("case", CASES)
def test_rendering_is_byte_identical_across_processes(case, tmp_path):
    a = _render(case, tmp_path / "a", "1", {"TZ": "UTC", "LANG": "C.UTF-8", "HOME": str(tmp_path)})
    b = _render(case, tmp_path / "elsewhere" / "b", "4242",
                {"TZ": "Asia/Kathmandu", "LANG": "C", "HOME": "/nonexistent", "USER": "someone"})
    assert "diagnostics.txt" in a
    assert a == b
    text = b"".join(a.values())
    assert str(tmp_path).encode() not in text, "a host path outside the manifest leaked into the output"

"""The snapshot mechanism as a user meets it: the pytest plugin in a user-style project (pytester),
and `kube2pod convert --check/--update-snapshots` for CI without Python tests."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

MANIFEST = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: app
      image: localhost/busybox:latest
      command: ["httpd", "-f", "-p", "8080"]
      env:
        - {name: MODE, value: production}
      ports:
        - {containerPort: 8080, hostPort: 18080}
"""

USER_TEST = """\
def test_web(kube2pod_snapshot):
    kube2pod_snapshot("deploy/web.yaml")
"""


@pytest.fixture
def project(pytester):
    """A user's repository: deploy/web.yaml and a one-line snapshot test (plugin found by entry point)."""
    pytester.makefile(".yaml", **{"deploy/web": MANIFEST})
    pytester.makepyfile(test_manifests=USER_TEST)
    pytester.makeini("[pytest]\n")
    return pytester


def test_update_then_pass_then_diff_then_update(project):
    first = project.runpytest_subprocess("--snapshot-update")
    assert first.ret != 0  # pytest-snapshot reports the files it wrote
    first.stdout.fnmatch_lines(["*Snapshot directory was modified*", "*convert.sh*"])
    snaps = project.path / "snapshots" / "test_manifests" / "test_web"
    assert sorted(p.relative_to(snaps).as_posix() for p in snaps.rglob("*") if p.is_file()) == [
        "convert.sh", "diagnostics.txt", "plan.json", "quadlet/web-app.container", "quadlet/web.pod",
        "quadlet/web_default.network"]
    assert "fixtures" not in (snaps / "convert.sh").read_text()
    assert "# Source: deploy/web.yaml" in (snaps / "convert.sh").read_text()

    project.runpytest_subprocess().assert_outcomes(passed=1)

    manifest = project.path / "deploy" / "web.yaml"
    manifest.write_text(MANIFEST.replace("production", "staging"))
    failed = project.runpytest_subprocess()
    failed.assert_outcomes(failed=1)
    out = failed.stdout.str()
    assert "-    --env=MODE=production \\" in out and "+    --env=MODE=staging \\" in out
    assert "--snapshot-update" in out
    assert re.search(r'^\+\s+"value": "staging"$', out, re.M)
    assert '"sources"' not in out  # plan.json diff: the changed lines in context, not the whole plan

    again = project.runpytest_subprocess("--snapshot-update")
    again.stdout.fnmatch_lines(["*Updated snapshots*", "*convert.sh*"])
    project.runpytest_subprocess().assert_outcomes(passed=1)
    assert "MODE=staging" in (snaps / "convert.sh").read_text()


def test_formats_and_named_snapshots(pytester):
    pytester.makefile(".yaml", **{"deploy/web": MANIFEST})
    pytester.makepyfile(test_m="""
def test_two(kube2pod_snapshot):
    kube2pod_snapshot("deploy/web.yaml", formats=["sh"], name="script")
    kube2pod_snapshot("deploy/web.yaml", formats=["yaml", "diagnostics"], name="plan")
""")
    pytester.runpytest_subprocess("--snapshot-update")
    snaps = pytester.path / "snapshots" / "test_m" / "test_two"
    assert sorted(p.relative_to(snaps).as_posix() for p in snaps.rglob("*") if p.is_file()) == [
        "plan/diagnostics.txt", "plan/plan.yaml", "script/convert.sh"]
    pytester.runpytest_subprocess().assert_outcomes(passed=1)


def test_invalid_manifest_snapshots_its_diagnostics(pytester):
    pytester.makefile(".yaml", **{"deploy/bad": "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: {}\n"})
    pytester.makepyfile(test_b='def test_b(kube2pod_snapshot):\n    kube2pod_snapshot("deploy/bad.yaml")\n')
    pytester.runpytest_subprocess("--snapshot-update")
    snaps = pytester.path / "snapshots" / "test_b" / "test_b"
    assert [p.name for p in snaps.iterdir()] == ["diagnostics.txt"]
    text = (snaps / "diagnostics.txt").read_text()
    assert text.startswith("exit 2\npodman 4.3\ndeploy/bad.yaml:")
    pytester.runpytest_subprocess().assert_outcomes(passed=1)


def test_the_target_podman_is_explicit_per_ini_marker_and_call(pytester):
    """The snapshots' target Podman: the default (4.3) whatever podman is installed, the ini option
    ``kube2pod_podman_version``, a test's marker, a call's ``podman_version``; a bad one is a usage error."""
    pytester.makefile(".yaml", **{"deploy/web": MANIFEST})
    pytester.makepyfile(test_v="""
import pytest

def test_ini(kube2pod_snapshot):
    kube2pod_snapshot("deploy/web.yaml", formats=["sh", "diagnostics"])

@pytest.mark.kube2pod_podman_version("5.0")
def test_marker(kube2pod_snapshot):
    kube2pod_snapshot("deploy/web.yaml", formats=["sh", "diagnostics"])

def test_call(kube2pod_snapshot):
    kube2pod_snapshot("deploy/web.yaml", formats=["sh", "diagnostics"], podman_version="5.4")
""")
    snaps = pytester.path / "snapshots" / "test_v"

    def targets() -> list[str]:
        return [(snaps / t / "diagnostics.txt").read_text().splitlines()[1] for t in ("test_ini", "test_marker",
                                                                                    "test_call")]

    pytester.makeini("[pytest]\n")
    pytester.runpytest_subprocess("--snapshot-update")
    assert targets() == ["podman 4.3", "podman 5.0", "podman 5.4"]
    assert "# Target: Podman 5.0 or later" in (snaps / "test_marker" / "convert.sh").read_text()
    pytester.makeini("[pytest]\nkube2pod_podman_version = 4.9\n")
    pytester.runpytest_subprocess().assert_outcomes(passed=2, failed=1)  # test_ini's target changed
    pytester.runpytest_subprocess("--snapshot-update")
    assert targets() == ["podman 4.9", "podman 5.0", "podman 5.4"]
    pytester.makeini("[pytest]\nkube2pod_podman_version = four\n")
    result = pytester.runpytest_subprocess()
    assert "ini option kube2pod_podman_version: not a Podman version: 'four'" in result.stdout.str() + result.stderr.str()


def _kube2pod(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kube2pod", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_cli_check_and_update(tmp_path):
    (tmp_path / "deploy").mkdir()
    manifest = tmp_path / "deploy" / "web.yaml"
    manifest.write_text(MANIFEST)
    missing = _kube2pod("convert", "--check", "snap", "deploy/web.yaml", cwd=tmp_path)
    assert missing.returncode == 1 and "no snapshot yet" in missing.stdout

    wrote = _kube2pod("convert", "--update-snapshots", "snap", "deploy/web.yaml", cwd=tmp_path)
    assert wrote.returncode == 0, wrote.stderr
    assert sorted(p.relative_to(tmp_path / "snap").as_posix() for p in (tmp_path / "snap").rglob("*.*")) == [
        "convert.sh", "diagnostics.txt", "plan.json", "quadlet/web-app.container", "quadlet/web.pod",
        "quadlet/web_default.network"]
    same = _kube2pod("convert", "--check", "snap", "deploy/web.yaml", cwd=tmp_path)
    assert same.returncode == 0 and same.stdout == ""

    manifest.write_text(MANIFEST.replace("18080", "18081"))
    changed = _kube2pod("convert", "--check", "snap", "deploy/web.yaml", cwd=tmp_path)
    assert changed.returncode == 1
    assert "-    --publish=18080:8080/tcp" in changed.stdout and "+    --publish=18081:8080/tcp" in changed.stdout
    assert "-PublishPort=18080:8080/tcp" in changed.stdout
    assert "--update-snapshots snap" in changed.stderr

    _kube2pod("convert", "--update-snapshots", "snap", "deploy/web.yaml", cwd=tmp_path)
    assert _kube2pod("convert", "--check", "snap", "deploy/web.yaml", cwd=tmp_path).returncode == 0


def test_cli_update_leaves_other_formats_and_files_alone(tmp_path):
    (tmp_path / "web.yaml").write_text(MANIFEST)
    (tmp_path / "snap").mkdir()
    (tmp_path / "snap" / "notes.md").write_text("mine")
    _kube2pod("convert", "--update-snapshots", "snap", "web.yaml", cwd=tmp_path)
    _kube2pod("convert", "--update-snapshots", "snap", "--formats", "quadlet", "web.yaml", cwd=tmp_path)
    assert (tmp_path / "snap" / "notes.md").read_text() == "mine"
    assert (tmp_path / "snap" / "convert.sh").exists()
    assert _kube2pod("convert", "--check", "snap", "web.yaml", cwd=tmp_path).returncode == 0

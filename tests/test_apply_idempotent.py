"""Re-applying changes only what changed; diff and --dry-run change nothing; --prune."""

from __future__ import annotations

import json

import pytest
from support.apply_cases import container_ids, host_state, pod, pod_names, write
from support.k2p import apply_cli, run_cli

pytestmark = pytest.mark.podman


def test_reapply_unchanged_and_change_one_pod(tmp_path, podman, podman_url, podman_clean):
    manifest = write(tmp_path / "three.yaml", pod("a"), pod("b", env={"X": "1"}), pod("c"))
    assert apply_cli(podman_url, manifest)[0] == 0
    ids = {p: container_ids(podman, p) for p in "abc"}

    code, _, err = apply_cli(podman_url, manifest)
    assert code == 0 and err.count("unchanged") == 3, err
    assert {p: container_ids(podman, p) for p in "abc"} == ids

    write(manifest, pod("a"), pod("b", env={"X": "2"}), pod("c"))
    code, _, err = apply_cli(podman_url, manifest)
    assert code == 0, err
    now = {p: container_ids(podman, p) for p in "abc"}
    assert now["a"] == ids["a"] and now["c"] == ids["c"]
    assert set(now["b"]).isdisjoint(ids["b"])
    env = podman("container", "inspect", "b-main", "--format", "{{.Config.Env}}").stdout
    assert "X=2" in env


def test_diff_and_dry_run_change_nothing(tmp_path, podman, podman_url, podman_clean):
    manifest = write(tmp_path / "proj.yaml", pod("a"), pod("b"))
    before = host_state(podman)
    code, out, err = run_cli("diff", "--url", podman_url, "-o", "json", str(manifest))
    assert code == 0, err
    events = [json.loads(line) for line in out.splitlines()]
    assert {(e["name"], e["action"]) for e in events if e["kind"] == "pod"} == {("a", "create"), ("b", "create")}
    assert host_state(podman) == before

    assert apply_cli(podman_url, manifest)[0] == 0
    write(manifest, pod("a", env={"Y": "1"}))
    state = host_state(podman)
    code, _, err = apply_cli(podman_url, "--dry-run", manifest)
    assert code == 0, err
    assert "pod a: recreate (spec changed)" in err and "pod b: orphan" in err
    assert host_state(podman) == state


def test_prune_removes_only_this_projects_orphans(tmp_path, podman, podman_url, podman_clean):
    manifest = write(tmp_path / "proj.yaml", pod("a"), pod("b", volume="/v"))
    other = write(tmp_path / "other.yaml", pod("z"))
    assert apply_cli(podman_url, manifest)[0] == 0 and apply_cli(podman_url, other)[0] == 0
    write(manifest, pod("a"))
    code, _, err = apply_cli(podman_url, manifest)
    assert code == 0 and "pod b: orphan" in err
    assert "b" in pod_names(podman)
    code, _, err = apply_cli(podman_url, "--prune", manifest)
    assert code == 0 and "pod b: pruned" in err, err
    assert pod_names(podman) == {"a", "z"}
    assert "b-data" not in podman("volume", "ls", "--format", "{{.Name}}").stdout.split()

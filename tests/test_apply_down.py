"""down removes what kube2pod owns for the manifests, keeps PVC volumes unless --volumes."""

from __future__ import annotations

import pytest
from apply_cases import claim, pod, write
from k2p import run_cli

pytestmark = pytest.mark.podman


def test_down_keeps_claims_and_their_data(tmp_path, podman, podman_url, podman_clean):
    manifest = write(tmp_path / "store.yaml", claim("store-data"), pod("store", claim="store-data"),
                     pod("scratchy", volume="/scratch"))
    assert run_cli("apply", "--url", podman_url, str(manifest))[0] == 0
    podman("exec", "store-main", "sh", "-c", "echo kept > /data/file")

    code, _, err = run_cli("down", "--url", podman_url, str(manifest))
    assert code == 0, err
    assert "volume store-data: kept" in err
    assert podman("pod", "exists", "store", check=False).returncode != 0
    assert podman("volume", "exists", "store-data", check=False).returncode == 0
    assert podman("volume", "exists", "scratchy-data", check=False).returncode != 0

    assert run_cli("apply", "--url", podman_url, str(manifest))[0] == 0
    assert podman("exec", "store-main", "cat", "/data/file").stdout.strip() == "kept"

    code, _, err = run_cli("down", "--volumes", "--url", podman_url, str(manifest))
    assert code == 0, err
    assert podman("volume", "exists", "store-data", check=False).returncode != 0


def test_down_leaves_same_named_plain_pod_alone(tmp_path, podman, podman_url, podman_clean):
    manifest = write(tmp_path / "mine.yaml", pod("mine"), pod("theirs"))
    podman("pod", "create", "--name", "theirs")
    write(tmp_path / "only.yaml", pod("mine"))
    assert run_cli("apply", "--url", podman_url, "--project", "mine", str(tmp_path / "only.yaml"))[0] == 0
    code, _, err = run_cli("down", "--url", podman_url, str(manifest))
    assert code == 0 and "pod theirs: skipped" in err, err
    assert podman("pod", "exists", "theirs", check=False).returncode == 0
    assert podman("pod", "exists", "mine", check=False).returncode != 0

"""PodmanAPI's label listings on a real Podman: every label must match (Podman 4.3's volume
listing ORs its label filters), so down and prune of one project never reach another's volumes."""

from __future__ import annotations

import pytest
from support.apply_cases import pod, write
from support.k2p import run_cli

from kube2pod.apply.podman_api import PodmanAPI

pytestmark = pytest.mark.podman


def test_volume_listing_needs_every_label(podman_url, podman_clean, podman, podman_client):
    podman("volume", "create", "--label", "k=1", "--label", "p=a", "va")
    podman("volume", "create", "--label", "k=1", "--label", "p=b", "vb")
    api = PodmanAPI(podman_client)
    assert [v["Name"] for v in api.volumes("k=1", "p=b")] == ["vb"]
    assert sorted(v["Name"] for v in api.volumes("k=1")) == ["va", "vb"]


def test_down_of_one_project_keeps_another_projects_volumes(tmp_path, podman_url, podman_clean, podman):
    one = write(tmp_path / "one.yaml", pod("one", volume="/data"))
    two = write(tmp_path / "two.yaml", pod("two", volume="/data"))
    for manifest in (one, two):
        assert run_cli("apply", "--url", podman_url, str(manifest))[0] == 0
    before = set(podman("volume", "ls", "--format", "{{.Name}}").stdout.split())
    assert len(before) == 2
    assert run_cli("down", "--url", podman_url, "--volumes", str(one))[0] == 0
    left = set(podman("volume", "ls", "--format", "{{.Name}}").stdout.split())
    assert len(left) == 1 and all("two" in name for name in left), left

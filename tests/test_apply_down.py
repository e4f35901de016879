"""down removes what kube2pod owns for the manifests, keeps PVC volumes unless --volumes."""

from __future__ import annotations

import pytest
from support.apply_cases import claim, pod, write
from support.k2p import run_cli

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


def test_a_pod_whose_name_is_another_pods_id_prefix(tmp_path, podman, podman_url, podman_clean):
    """Podman looks pods up by ID prefix too: a manifest pod named like the start of a foreign
    pod's ID is a different pod, created beside it, and down never touches the foreign one."""
    podman("pod", "create", "--name", "foreign")
    prefix = podman("pod", "inspect", "--format", "{{.Id}}", "foreign").stdout.strip()[:3]
    # quoted: a hex prefix such as 123 or 1e5 would otherwise be read as a number
    manifest = write(tmp_path / "prefix.yaml", pod(prefix).replace(f"{{name: {prefix}}}", f'{{name: "{prefix}"}}'))
    code, _, err = run_cli("apply", "--no-start", "--url", podman_url, str(manifest))
    assert code == 0, err
    assert f"pod {prefix}: created" in err
    names = set(podman("pod", "ps", "--format", "{{.Name}}").stdout.split())
    assert names == {"foreign", prefix}
    code, _, err = run_cli("down", "--url", podman_url, str(manifest))
    assert code == 0, err
    assert set(podman("pod", "ps", "--format", "{{.Name}}").stdout.split()) == {"foreign"}


SECRET = """apiVersion: v1
kind: Secret
metadata: {name: creds}
stringData: {token: s3cret}
"""
SECRET_POD = """apiVersion: v1
kind: Pod
metadata: {name: holder}
spec:
  containers:
    - name: main
      image: localhost/busybox:latest
      command: [sleep, "3600"]
      env:
        - name: TOKEN
          valueFrom: {secretKeyRef: {name: creds, key: token}}
"""
PLAIN_POD = SECRET_POD.split("      env:")[0]


def test_down_removes_the_projects_secret_no_longer_in_the_manifests(tmp_path, podman, podman_url, podman_clean):
    """down sweeps the project's own secrets by their labels, also those the manifests dropped (Podman
    4.3 lists secrets with null labels: they are read from the inspect)."""
    before = tmp_path / "before.yaml"
    before.write_text(SECRET + "---\n" + SECRET_POD)
    assert run_cli("apply", "--url", podman_url, "--project", "sweep", str(before))[0] == 0
    assert podman("secret", "inspect", "creds-token", check=False).returncode == 0
    after = tmp_path / "after.yaml"
    after.write_text(PLAIN_POD)
    code, _, err = run_cli("down", "--url", podman_url, "--project", "sweep", str(after))
    assert code == 0, err
    assert "secret creds-token: removed" in err, err
    assert podman("secret", "inspect", "creds-token", check=False).returncode != 0

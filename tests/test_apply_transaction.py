"""apply is transactional: a failure leaves the host exactly as it was before the run."""

from __future__ import annotations


import pytest
from support.apply_cases import claim, host_state, pod, port_taken, write
from support.k2p import apply_cli
from support.podman_env import free_port

pytestmark = pytest.mark.podman


@pytest.fixture
def bystanders(podman, podman_clean):
    """Things that exist before the failing run: a plain podman pod with the
    same name as a pod of another project, a foreign volume, and a secret."""
    podman("pod", "create", "--name", "bystander")
    podman("volume", "create", "bystander-vol")
    podman("secret", "create", "bystander-secret", "-", input="s3cret")
    yield podman
    podman("secret", "rm", "bystander-secret", check=False)


@pytest.mark.parametrize("second", [
    pod("second", image="localhost/no-such-image:1", command="true"),
    pod("second", argv=["/no/such/binary"]),
], ids=["missing-image", "missing-command"])
def test_second_pod_failing_leaves_host_as_before(tmp_path, podman_url, bystanders, second):
    manifest = write(tmp_path / "two.yaml", pod("first", volume="/v"), second)
    before = host_state(bystanders)
    code, _, err = apply_cli(podman_url, manifest)
    assert code == 1, err
    assert "second" in err or "no-such-image" in err
    assert "nothing this run created was left behind" in err or "nothing was changed" in err
    assert host_state(bystanders) == before
    assert bystanders("pod", "exists", "bystander", check=False).returncode == 0


def test_port_taken_is_found_before_anything_is_created(tmp_path, podman_url, bystanders):
    port = free_port()
    manifest = write(tmp_path / "ports.yaml", pod("first"), pod("second", host_port=port))
    before = host_state(bystanders)
    with port_taken(port):
        code, _, err = apply_cli(podman_url, manifest)
    assert code == 1, err
    assert f"host port {port}/tcp of Pod/second" in err and "is already in use on this host" in err, err
    assert "nothing was changed" in err
    assert host_state(bystanders) == before
    assert apply_cli(podman_url, manifest)[0] == 0  # free again: the same apply goes through


def test_failed_run_leaves_same_named_foreign_pod_alone(tmp_path, podman_url, bystanders):
    manifest = write(tmp_path / "clash.yaml", pod("first"), pod("bystander"))
    before = host_state(bystanders)
    code, _, err = apply_cli(podman_url, manifest)
    assert code == 1 and "bystander already exists and was not created by kube2pod" in err
    assert host_state(bystanders) == before


def test_failed_recreate_restores_the_previous_pod(tmp_path, podman, podman_url, podman_clean):
    good = (pod("web", env={"V": "1"}), pod("db", claim="db-data"), claim("db-data"))
    ok = write(tmp_path / "app.yaml", *good)
    assert apply_cli(podman_url, ok)[0] == 0
    before = _names(host_state(podman))
    broken = write(tmp_path / "app.yaml", pod("web", env={"V": "2"}),
                   pod("db", claim="db-data", argv=["/no/such/binary"]), claim("db-data"))
    code, _, err = apply_cli(podman_url, broken)
    assert code == 1 and "nothing this run created was left behind" in err, err
    after = _names(host_state(podman))
    assert after == before
    env = podman("container", "inspect", "web-main", "--format", "{{.Config.Env}}").stdout
    assert "V=1" in env
    assert "db-main Up" in podman("ps", "--filter", "pod=db", "--format", "{{.Names}} {{.Status}}").stdout
    code, _, err = apply_cli(podman_url, write(tmp_path / "app.yaml", *good))
    assert code == 0 and "pod web: unchanged" in err, err


def _names(state: dict) -> dict:
    """Names without IDs and without infra containers (their names follow the pod ID)."""
    return {k: [line.split()[0] for line in v if line and not line.split()[0].endswith("-infra")]
            for k, v in state.items()}


def test_second_run_after_failure_works(tmp_path, podman, podman_url, podman_clean):
    manifest = write(tmp_path / "retry.yaml", pod("first"), pod("second", argv=["/no/such/binary"]))
    assert apply_cli(podman_url, manifest)[0] == 1
    write(tmp_path / "retry.yaml", pod("first"), pod("second"))
    code, _, err = apply_cli(podman_url, manifest)
    assert code == 0, err
    assert podman("pod", "exists", "second", check=False).returncode == 0


def test_wait_fails_on_an_exiting_container_and_rolls_back(tmp_path, podman, podman_url, podman_clean):
    manifest = write(tmp_path / "waits.yaml", pod("fine"), pod("crash", command="exit 3"))
    before = host_state(podman)
    code, _, err = apply_cli(podman_url, "--wait", "--timeout", "30", manifest)
    assert code == 1 and "crash-main" in err and "exited with code 3" in err, err
    assert "nothing this run created was left behind" in err
    assert host_state(podman) == before
    write(manifest, pod("fine"))
    code, _, err = apply_cli(podman_url, "--wait", "--timeout", "30", manifest)
    assert code == 0 and "container fine-main: ready" in err, err

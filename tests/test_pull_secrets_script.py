"""imagePullSecrets end to end through the script (``convert -o sh``) on a real Podman and the real
TLS + htpasswd registry (conftest ``registries``): with the Secret's value in its variable the pod runs
the private image; without it the script stops before changing anything; the auth file the script
writes (under ``$TMPDIR``) is gone when it ends, also when the pull is refused."""

from __future__ import annotations

import base64
import json
import re
import subprocess

import pytest
from support.apply_cases import host_state, pod, write
from support.k2p import run_cli
from support.registry import PASSWORD, USER

pytestmark = pytest.mark.podman

NAME = "k2p-pss-private"


def _value(kind: str, registry: str, password: str) -> str:
    """The decoded value of the Secret's key, as the user puts it in the variable."""
    auth = base64.b64encode(f"{USER}:{password}".encode()).decode()
    return json.dumps({"auths": {registry: {"auth": auth}}} if kind == "dockerconfigjson"
                      else {f"https://{registry}": {"auth": auth, "email": "k2p@invalid"}})


def _manifest(tmp_path, registries, kind: str = "dockerconfigjson"):
    value = _value(kind, registries.secure.host, PASSWORD)
    secret = (f"apiVersion: v1\nkind: Secret\nmetadata: {{name: regcred}}\ntype: kubernetes.io/{kind}\n"
              f"data: {{.{kind}: {base64.b64encode(value.encode()).decode()}}}\n")
    doc = pod(NAME, image=registries.images["private"], command="sleep 600", policy="IfNotPresent")
    return write(tmp_path / "private.yaml", secret, doc.replace("spec:\n", "spec:\n  imagePullSecrets: [{name: regcred}]\n", 1))


def _script(manifest) -> str:
    code, out, err = run_cli("convert", "-o", "sh", str(manifest))
    assert code == 0, err
    assert PASSWORD not in out and base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode() not in out
    return out


def _run(script: str, env: dict, tmp_dir, **variables: str) -> subprocess.CompletedProcess:
    return subprocess.run(["sh", "-c", script], env={**env, "TMPDIR": str(tmp_dir), **variables},
                          capture_output=True, text=True, timeout=300)


def _down(podman_url, manifest) -> None:
    code, _, err = run_cli("down", "--url", podman_url, str(manifest))
    assert code == 0, err


@pytest.fixture
def tmp_dir(tmp_path):
    d = tmp_path / "tmp"
    d.mkdir()
    return d


@pytest.mark.parametrize("kind", ["dockerconfigjson", "dockercfg"])
def test_the_script_runs_the_private_image(tmp_path, tmp_dir, podman, podman_url, podman_shell_env, podman_clean,
                                           registries, kind):
    image = registries.images["private"]
    podman("rmi", "-f", image, check=False)
    manifest = _manifest(tmp_path, registries, kind)
    script = _script(manifest)
    run = _run(script, podman_shell_env, tmp_dir, K2P_PULL_SECRET_REGCRED=_value(kind, registries.secure.host,
                                                                                  PASSWORD))
    try:
        assert run.returncode == 0, run.stderr
        state = podman("container", "inspect", "--format", "{{.State.Status}} {{.ImageName}}",
                       f"{NAME}-main").stdout.split()
        assert state[0].lower() == "running" and state[1] == image, state
        assert not list(tmp_dir.iterdir())  # the auth file is gone
    finally:
        _down(podman_url, manifest)


def test_without_the_variable_the_script_changes_nothing(tmp_path, tmp_dir, podman, podman_shell_env, podman_clean,
                                                         registries):
    image = registries.images["private"]
    podman("rmi", "-f", image, check=False)
    script = _script(_manifest(tmp_path, registries))
    before = host_state(podman)
    run = _run(script, podman_shell_env, tmp_dir)
    assert run.returncode != 0
    assert "K2P_PULL_SECRET_REGCRED" in run.stderr and "key .dockerconfigjson of Secret regcred" in run.stderr
    assert host_state(podman) == before
    assert podman("image", "exists", image, check=False).returncode != 0
    assert not list(tmp_dir.iterdir())


def test_a_refused_password_fails_and_leaves_no_auth_file(tmp_path, tmp_dir, podman, podman_url, podman_shell_env,
                                                          podman_clean, registries):
    image = registries.images["private"]
    podman("rmi", "-f", image, check=False)
    manifest = _manifest(tmp_path, registries)
    wrong = _value("dockerconfigjson", registries.secure.host, "wrong-password")
    run = _run(_script(manifest), podman_shell_env, tmp_dir, K2P_PULL_SECRET_REGCRED=wrong)
    try:
        assert run.returncode != 0
        assert re.search(r"unauthorized|authentication required", run.stderr.lower()), run.stderr
        assert podman("image", "exists", image, check=False).returncode != 0
        assert not list(tmp_dir.iterdir())
    finally:
        _down(podman_url, manifest)

"""The script of `convert -o sh` never empties, removes or takes over a volume or secret it does
not own: on an isolated Podman that already holds a same-named volume (with data) and secret made
by someone else, it stops with a message, and both survive as they were; its own objects it
replaces, run after run."""

from __future__ import annotations

import json
import re
import subprocess

import pytest
from support.k2p import run_cli

pytestmark = pytest.mark.podman

MANIFEST = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: own-cfg}
data: {app.conf: "mode=k2p\\n"}
---
apiVersion: v1
kind: Secret
metadata: {name: own-sec}
stringData: {token: from-k2p}
---
apiVersion: v1
kind: Pod
metadata: {name: own}
spec:
  containers:
    - name: main
      image: localhost/busybox:latest
      imagePullPolicy: Never
      command: ["sleep", "1000"]
      env: [{name: TOKEN, valueFrom: {secretKeyRef: {name: own-sec, key: token}}}]
      volumeMounts: [{name: cfg, mountPath: /etc/cfg}]
  volumes: [{name: cfg, configMap: {name: own-cfg}}]
"""


@pytest.fixture
def script(tmp_path):
    manifest = tmp_path / "own.yaml"
    manifest.write_text(MANIFEST)
    code, text, err = run_cli("convert", "--no-start", "--show-secrets", str(manifest))
    assert code == 0, err
    return text


def _names(script_text: str, kind: str) -> list[str]:
    """The volume / secret names the script manages: its ``k2p_mine KIND NAME`` lines (target 4.3) or,
    where it creates with ``--ignore`` (4.4+, the installed Podman's form), its ownership checks
    ``[ "$(podman KIND inspect --format … NAME)" = true ] || …``."""
    mine = re.compile(rf'^(?:k2p_mine {kind} (\S+)|\[ "\$\(podman {kind} inspect --format .+ (\S+)\)" = true \])')
    return [m.group(1) or m.group(2) for m in map(mine.match, script_text.splitlines()) if m]


def _run(script_text, env):
    return subprocess.run(["sh", "-c", script_text], env=env, capture_output=True, text=True, timeout=120)


def _secret(podman, name: str) -> dict:
    return json.loads(podman("secret", "inspect", name).stdout)[0]


def _cleanup(podman, secrets):
    podman("pod", "rm", "--all", "--force", "--time", "0", check=False)
    podman("volume", "rm", "--all", "--force", check=False)
    for name in secrets:
        podman("secret", "rm", name, check=False)


def test_foreign_volume_keeps_its_data_and_the_script_stops(script, podman, podman_shell_env, tmp_path):
    [volume] = _names(script, "volume")
    podman("volume", "create", "--label", "owner=someone-else", volume)
    mountpoint = podman("volume", "inspect", "--format", "{{.Mountpoint}}", volume).stdout.strip()
    try:
        with open(f"{mountpoint}/precious.db", "w") as f:
            f.write("do not delete")
        run = _run(script, podman_shell_env)
        assert run.returncode != 0
        assert f"kube2pod: volume {volume} already exists and was not created by kube2pod" in run.stderr
        with open(f"{mountpoint}/precious.db") as f:
            assert f.read() == "do not delete"
        assert podman("pod", "exists", "own", check=False).returncode != 0  # stopped before the pod
    finally:
        _cleanup(podman, _names(script, "secret"))


def test_foreign_secret_survives_and_the_script_stops(script, podman, podman_shell_env, tmp_path):
    [secret] = _names(script, "secret")
    (tmp_path / "value").write_text("theirs")
    podman("secret", "create", "--label", "owner=someone-else", secret, str(tmp_path / "value"))
    before = _secret(podman, secret)
    try:
        run = _run(script, podman_shell_env)
        assert run.returncode != 0
        assert f"kube2pod: secret {secret} already exists and was not created by kube2pod" in run.stderr
        after = _secret(podman, secret)
        assert after["ID"] == before["ID"] and after["Spec"]["Labels"] == {"owner": "someone-else"}
    finally:
        _cleanup(podman, [secret])


def test_own_objects_are_replaced_run_after_run(script, podman, podman_shell_env):
    [volume], [secret] = _names(script, "volume"), _names(script, "secret")
    try:
        for _ in range(2):
            run = _run(script, podman_shell_env)
            assert run.returncode == 0, run.stderr
            podman("pod", "rm", "--force", "--time", "0", "own")
        mountpoint = podman("volume", "inspect", "--format", "{{.Mountpoint}}", volume).stdout.strip()
        with open(f"{mountpoint}/app.conf") as f:
            assert f.read() == "mode=k2p\n"
        assert _secret(podman, secret)["Spec"]["Labels"]["io.kube2pod.managed"] == "true"
    finally:
        _cleanup(podman, [secret])

"""The script printed by `convert -o sh`, run by bash on an isolated Podman, makes the same
containers (argv, env, mounts, capabilities, port bindings) as `kube2pod apply`."""

from __future__ import annotations

import json
import subprocess

import pytest
from support.inspect_facts import (at, container_facts, differences, pod_facts, pod_inspect, without_bookkeeping,
                                   without_cli_tty)
from support.k2p import run_cli
from support.podman_env import free_port

pytestmark = pytest.mark.podman

MANIFEST = """\
apiVersion: v1
kind: Pod
metadata:
  name: eq-web
  labels: {app: eq}
spec:
  containers:
    - name: web
      image: localhost/busybox:latest
      imagePullPolicy: IfNotPresent
      command: ["httpd", "-f", "-p", "8080"]
      workingDir: /tmp
      env:
        - {name: PLAIN, value: "a b 'c' $HOME `x` \\\\ \\"q\\""}
        - {name: EXPANDED, value: "pre-$(PLAIN)-post $$(PLAIN)"}
        - {name: EMPTY, value: ""}
      ports:
        - {containerPort: 8080, hostPort: @PORT@}
        - {containerPort: 9090, hostPort: @UDP@, protocol: UDP, hostIP: 127.0.0.1}
      volumeMounts:
        - {name: host, mountPath: /host, readOnly: true}
        - {name: made, mountPath: /made}
        - {name: scratch, mountPath: /scratch}
        - {name: mem, mountPath: /mem}
        - {name: claim, mountPath: /claim}
      securityContext:
        capabilities: {add: [NET_ADMIN], drop: [MKNOD, CHOWN]}
    - name: side
      image: localhost/k2p-entry:latest
      imagePullPolicy: Never
      args: ["--flag", "$(NAME)", "line1\\nline2"]
      env: [{name: NAME, value: "side car"}]
      volumeMounts:
        - {name: scratch, mountPath: /shared}
      securityContext:
        capabilities: {drop: [ALL]}
  volumes:
    - {name: host, hostPath: {path: "@DIR@/existing dir", type: Directory}}
    - {name: made, hostPath: {path: "@DIR@/made/by,k2p", type: DirectoryOrCreate}}
    - {name: scratch, emptyDir: {}}
    - {name: mem, emptyDir: {medium: Memory, sizeLimit: 16Mi}}
    - {name: claim, persistentVolumeClaim: {claimName: eq-claim}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: eq-claim, labels: {tier: data}}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
"""


def _facts(podman, *, by_script: bool) -> dict:
    """The containers (``eq-web/<name>``), port bindings and volumes; without the CLI's tty
    annotation (made by the script) or apply's bookkeeping labels (made by apply), each checked."""
    names = sorted(podman("ps", "-a", "--filter", "pod=eq-web", "--format", "{{.Names}}").stdout.split())
    facts = {}
    for name in names:
        info = json.loads(podman("container", "inspect", name).stdout)[0]
        if info.get("IsInfra"):
            continue
        cfg = info["Config"]
        facts["eq-web/" + name.removeprefix("eq-web-")] = {
            **container_facts(info), "entrypoint": cfg.get("Entrypoint"), "cmd": cfg.get("Cmd")}
    pod = pod_inspect(podman, "eq-web")
    pod = pod[0] if isinstance(pod, list) else pod
    text = json.dumps(facts)  # the pod's ids as names, as support.inspect_facts.collect does
    for long_id, key in ((pod["Id"], "eq-web"), (pod["InfraContainerID"], "eq-web/infra")):
        text = text.replace(long_id, f"<{key}>")
    facts = json.loads(text)
    (without_cli_tty if by_script else without_bookkeeping)(facts)
    volumes = sorted(podman("volume", "ls", "--format", "{{.Name}}").stdout.split())
    return {"containers": facts, "ports": pod_facts(pod)["ports"], "volumes": volumes}


def _wipe(podman):
    podman("pod", "rm", "-af")
    podman("volume", "rm", "-af")


def test_script_and_apply_make_the_same_containers(tmp_path, podman, podman_url, podman_shell_env, podman_clean):
    (tmp_path / "existing dir").mkdir()
    manifest = tmp_path / "eq.yaml"
    manifest.write_text(MANIFEST.replace("@PORT@", str(free_port())).replace("@UDP@", str(free_port()))
                        .replace("@DIR@", str(tmp_path)))

    code, script, err = run_cli("convert", "--no-start", str(manifest))
    assert code == 0, err
    run = subprocess.run(["bash", "-c", script], env=podman_shell_env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    from_script = _facts(podman, by_script=True)
    assert len(from_script["containers"]) == 2
    _wipe(podman)
    (tmp_path / "made" / "by,k2p").rmdir()

    code, _, err = run_cli("apply", "--no-start", "--url", podman_url, str(manifest))
    assert code == 0, err
    from_apply = _facts(podman, by_script=False)
    diff = differences(from_script["containers"], from_apply["containers"])
    detail = {k: {"script": at(from_script["containers"], k), "apply": at(from_apply["containers"], k)}
              for k in sorted(diff)}
    assert not diff, json.dumps(detail, indent=1, sort_keys=True)
    assert from_script == from_apply

    web = from_apply["containers"]["eq-web/web"]
    assert "PLAIN=a b 'c' $HOME `x` \\ \"q\"" in web["env"]
    assert "EXPANDED=pre-a b 'c' $HOME `x` \\ \"q\"-post $(PLAIN)" in web["env"]
    assert "EMPTY=" in web["env"]
    assert web["argv"] == ["httpd", "-f", "-p", "8080"]
    assert "CAP_NET_ADMIN" in web["caps"] and "CAP_CHOWN" not in web["caps"]
    side = from_apply["containers"]["eq-web/side"]
    assert side["argv"] == ["/bin/echo", "from-entrypoint", "--flag", "side car", "line1\nline2"]
    assert side["caps"] == []
    assert len(from_apply["ports"]) == 2

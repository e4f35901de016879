"""A second apply converges the host to the manifests: what should run runs afterwards
(started, keeping its containers), what completed stays completed, what drifted is recreated,
and a pod that cannot start again rolls the run back (issue 20)."""

from __future__ import annotations

import json
import re

import pytest
from support.apply_cases import BUSYBOX, container_ids, host_state, pod, port_taken, write
from support.k2p import apply_cli, run_cli
from support.podman_env import free_port

from kube2pod.apply import decisions
from kube2pod.apply.observed import ObservedContainer, ObservedPod

podman_test = pytest.mark.podman


def deployment(name: str, *, command: str = "sleep 600") -> str:
    """A Deployment whose init container appends a line to an emptyDir file on each run."""
    return f"""apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}}}
spec:
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      terminationGracePeriodSeconds: 1
      initContainers:
      - name: setup
        image: {BUSYBOX}
        imagePullPolicy: IfNotPresent
        command: [sh, -c, "echo ran >> /data/init.log"]
        volumeMounts: [{{name: data, mountPath: /data}}]
      containers:
      - name: main
        image: {BUSYBOX}
        imagePullPolicy: IfNotPresent
        command: [sh, -c, {json.dumps(command)}]
        volumeMounts: [{{name: data, mountPath: /data}}]
      volumes: [{{name: data, emptyDir: {{}}}}]
"""


def run_once(kind: str, name: str, policy: str, code: int) -> str:
    """A Pod or Job whose one container exits with ``code`` at once."""
    spec = (f"  containers:\n  - name: main\n    image: {BUSYBOX}\n    imagePullPolicy: IfNotPresent\n"
            f"    command: [sh, -c, 'exit {code}']\n  restartPolicy: {policy}\n")
    if kind == "Pod":
        return f"apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}}}\nspec:\n{spec}"
    return (f"apiVersion: batch/v1\nkind: Job\nmetadata: {{name: {name}}}\nspec:\n  template:\n    spec:\n"
            + "".join("    " + line + "\n" for line in spec.splitlines()))


def states(podman) -> dict[str, str]:
    """Container name -> Podman state, for every container in the store."""
    return {c["Names"][0]: c["State"] for c in json.loads(podman("ps", "-a", "--format", "json").stdout or "[]")}


def pod_state(podman, name: str) -> str:
    return podman("pod", "inspect", name, "--format", "{{.State}}").stdout.strip()


def pod_events(out: str) -> dict[str, dict]:
    """The last JSON event of each pod (``-o json``)."""
    return {e["name"]: e for e in map(json.loads, out.splitlines()) if e["kind"] == "pod"}


# ---------------------------------------------------------------- on the real Podman

@podman_test
def test_stopped_pod_is_started_again_with_the_same_containers(tmp_path, podman, podman_url, podman_clean):
    manifest = write(tmp_path / "app.yaml", deployment("web"), pod("other"))
    assert apply_cli(podman_url, manifest)[0] == 0
    ids = container_ids(podman, "web-pod")
    podman("pod", "stop", "-t", "0", "web-pod")
    assert pod_state(podman, "web-pod") == "Exited"

    code, out, err = run_cli("diff", "--url", podman_url, "-o", "json", str(manifest))
    assert code == 0, err
    planned = pod_events(out)
    assert (planned["web-pod"]["action"], planned["web-pod"]["detail"]) == ("start", "was exited")
    assert planned["other"]["action"] == "unchanged"
    assert pod_state(podman, "web-pod") == "Exited"  # diff changed nothing

    code, _, err = apply_cli(podman_url, manifest)
    assert code == 0, err
    assert "pod web-pod: started (was exited)" in err and "pod other: unchanged" in err, err
    assert pod_state(podman, "web-pod") == "Running"
    assert container_ids(podman, "web-pod") == ids
    # the once init container ran when the pod was created, and not again on this start
    assert podman("exec", "web-pod-main", "cat", "/data/init.log").stdout == "ran\n"

    code, _, err = apply_cli(podman_url, manifest)
    assert code == 0 and "pod web-pod: unchanged" in err, err


@podman_test
def test_apply_after_no_start_starts_the_pods(tmp_path, podman, podman_url, podman_clean):
    manifest = write(tmp_path / "app.yaml", pod("a"), pod("b"))
    assert apply_cli(podman_url, "--no-start", manifest)[0] == 0
    ids = {p: container_ids(podman, p) for p in "ab"}
    assert states(podman)["a-main"] == "created"

    code, _, err = apply_cli(podman_url, "--no-start", manifest)
    assert code == 0 and err.count("unchanged (was created; --no-start leaves it so)") == 2, err
    assert states(podman)["a-main"] == "created"

    code, _, err = apply_cli(podman_url, manifest)
    assert code == 0, err
    assert "pod a: started (was created)" in err and "pod b: started (was created)" in err, err
    assert {pod_state(podman, p) for p in "ab"} == {"Running"}
    assert {p: container_ids(podman, p) for p in "ab"} == ids


@podman_test
def test_killed_deployment_pod_is_started_again(tmp_path, podman, podman_url, podman_clean):
    manifest = write(tmp_path / "app.yaml", deployment("web"))
    assert apply_cli(podman_url, manifest)[0] == 0
    ids = container_ids(podman, "web-pod")
    podman("kill", "web-pod-main")
    podman("wait", "web-pod-main")
    assert podman("inspect", "web-pod-main", "--format", "{{.State.ExitCode}}").stdout.strip() == "137"
    assert states(podman)["web-pod-main"] in ("exited", "stopped")  # podman 5 reports a killed one "stopped"

    code, _, err = apply_cli(podman_url, manifest)
    assert code == 0, err
    assert re.search(r"pod web-pod: started \(web-pod-main was (exited|stopped) with code 137\)", err), err
    assert states(podman)["web-pod-main"] == "running" and pod_state(podman, "web-pod") == "Running"
    assert container_ids(podman, "web-pod") == ids
    assert podman("exec", "web-pod-main", "cat", "/data/init.log").stdout == "ran\n"


@podman_test
@pytest.mark.parametrize("kind,policy", [("Pod", "Never"), ("Job", "OnFailure"), ("Job", "Never")])
def test_pod_that_completed_is_left_exited(tmp_path, podman, podman_url, podman_clean, kind, policy):
    name = "done" if kind == "Pod" else "batch-pod"
    manifest = write(tmp_path / "run.yaml", run_once(kind, "done" if kind == "Pod" else "batch", policy, 0))
    assert apply_cli(podman_url, manifest)[0] == 0
    podman("wait", f"{name}-main")
    started = podman("inspect", f"{name}-main", "--format", "{{.State.StartedAt}}").stdout
    ids = container_ids(podman, name)

    code, out, err = run_cli("diff", "--url", podman_url, "-o", "json", str(manifest))
    assert code == 0, err
    assert pod_events(out)[name]["action"] == "completed"

    code, _, err = apply_cli(podman_url, "--wait", "--timeout", "20", manifest)
    assert code == 0, err
    assert f"pod {name}: completed (restartPolicy {policy}: exited with code 0)" in err, err
    assert states(podman)[f"{name}-main"] == "exited"
    assert podman("inspect", f"{name}-main", "--format", "{{.State.StartedAt}}").stdout == started
    assert container_ids(podman, name) == ids


@podman_test
def test_removed_container_recreates_the_pod_for_drift(tmp_path, podman, podman_url, podman_clean):
    manifest = write(tmp_path / "app.yaml", pod("a"), pod("b"))
    assert apply_cli(podman_url, manifest)[0] == 0
    ids = {p: container_ids(podman, p) for p in "ab"}
    podman("rm", "-f", "-t", "0", "a-main")

    state = host_state(podman)
    code, _, err = apply_cli(podman_url, "--dry-run", manifest)
    assert code == 0 and "pod a: recreate (drift: container a-main was removed)" in err, err
    assert host_state(podman) == state

    code, _, err = apply_cli(podman_url, manifest)
    assert code == 0, err
    assert "drift: container a-main was removed" in err and "pod a: started" in err, err
    assert states(podman)["a-main"] == "running"
    now = {p: container_ids(podman, p) for p in "ab"}
    assert set(now["a"]).isdisjoint(ids["a"]) and now["b"] == ids["b"]


@podman_test
def test_replaced_container_recreates_the_pod_for_drift(tmp_path, podman, podman_url, podman_clean):
    manifest = write(tmp_path / "app.yaml", pod("a"))
    assert apply_cli(podman_url, manifest)[0] == 0
    podman("rm", "-f", "-t", "0", "a-main")
    podman("create", "--pod", "a", "--name", "a-main", BUSYBOX, "sleep", "600")
    code, out, err = run_cli("diff", "--url", podman_url, "-o", "json", str(manifest))
    assert code == 0, err
    assert pod_events(out)["a"] == {"action": "recreate", "kind": "pod", "name": "a",
                                    "detail": "drift: container a-main was replaced"}


@podman_test
def test_pod_that_cannot_start_again_leaves_the_host_as_before(tmp_path, podman, podman_url, podman_clean):
    port = free_port()
    quick = "trap 'exit 0' TERM; while :; do sleep 0.2; done"
    manifest = write(tmp_path / "app.yaml", pod("first", command=quick), pod("second", host_port=port))
    assert apply_cli(podman_url, manifest)[0] == 0
    podman("pod", "stop", "-t", "0", "first", "second")
    before, before_states = host_state(podman), states(podman)
    assert set(before_states.values()) == {"exited"}

    with port_taken(port):
        code, _, err = apply_cli(podman_url, manifest)
    assert code == 1, err
    assert "pod second: failed" in err and "starting pod second" in err, err
    assert "nothing this run created was left behind" in err, err
    assert host_state(podman) == before
    assert states(podman) == before_states  # the pods it started are stopped again, none removed


# ---------------------------------------------------------------- the decision table (no Podman)

def _seen(*containers: ObservedContainer, state: str = "Exited", infra: bool = False) -> ObservedPod:
    return ObservedPod("p", exists=True, owned=True, project="proj", state=state, hash="h", wanted_hash="h",
                       infra_running=infra, containers=containers)


def _c(name: str, state: str, code: int | None = 0, policy: str = "always", *,
       created_by_kube2pod: bool = True) -> ObservedContainer:
    return ObservedContainer(name, restart_policy=policy, present=True, id=name + "-id", state=state,
                             exit_code=code, created_by_kube2pod=created_by_kube2pod)


def _decide(seen: ObservedPod) -> tuple[str, str, decisions.Start | None]:
    d = decisions.Decisions()
    decisions._pod_decision(seen, "proj", False, d)
    return d.pods["p"], d.reasons.get("p", ""), d.starts.get("p")


@pytest.mark.parametrize("policy,code,want", [
    ("always", 0, "start"), ("always", 137, "start"),
    ("on-failure", 1, "start"), ("on-failure", 0, "completed"),
    ("no", 0, "completed"), ("no", 1, "completed"),
])
def test_exited_pod_by_restart_policy(policy, code, want):
    what, reason, start = _decide(_seen(_c("p-main", "exited", code, policy)))
    assert what == want
    if want == "start":
        assert reason == "was exited" and start == decisions.Start(("p-main",), True, "was exited")
    else:
        name = decisions.POLICY_NAMES[policy]
        assert reason == f"restartPolicy {name}: exited with code {code}" and start is None


@pytest.mark.parametrize("policy", ["always", "on-failure", "no"])
def test_never_started_pod_is_started_whatever_its_policy(policy):
    what, reason, start = _decide(_seen(_c("p-main", "created", None, policy), state="Created"))
    assert (what, reason, start.whole) == ("start", "was created", True)


def test_running_pod_is_unchanged_and_a_killed_container_alone_is_started():
    assert _decide(_seen(_c("p-main", "running"), state="Running", infra=True))[0] == "unchanged"
    what, reason, start = _decide(_seen(_c("p-a", "running"), _c("p-b", "exited", 137),
                                        state="Degraded", infra=True))
    assert (what, reason) == ("start", "p-b was exited with code 137")
    assert start == decisions.Start(("p-b",), False, reason)


def test_completed_container_is_not_started_with_the_others():
    """OnFailure: the container that exited 0 stays stopped; only the failed one starts."""
    what, _, start = _decide(_seen(_c("p-a", "exited", 0, "on-failure"), _c("p-b", "exited", 2, "on-failure")))
    assert what == "start" and start == decisions.Start(("p-b",), False, "p-b was exited with code 2")


@pytest.mark.parametrize("containers,reason", [
    ((ObservedContainer("p-main"),), "drift: container p-main was removed"),
    ((_c("p-main", "running", created_by_kube2pod=False),), "drift: container p-main was replaced"),
    ((ObservedContainer("p-init", init=True, init_type="always"), _c("p-main", "running")),
     "drift: container p-init was removed"),
], ids=["removed", "replaced", "always-init-removed"])
def test_drift_recreates(containers, reason):
    assert _decide(_seen(*containers, state="Running", infra=True))[:2] == ("recreate", reason)


def test_once_init_container_gone_is_not_drift():
    """Podman removes an init container of type once after it ran."""
    seen = _seen(ObservedContainer("p-init", init=True, init_type="once"), _c("p-main", "running"),
                 state="Running", infra=True)
    assert seen.drift == () and _decide(seen)[0] == "unchanged"


def test_spec_change_wins_over_drift_and_state():
    seen = ObservedPod("p", exists=True, owned=True, project="proj", state="Exited", hash="old", wanted_hash="h",
                       containers=(ObservedContainer("p-main"),))
    assert _decide(seen)[:2] == ("recreate", "spec changed")

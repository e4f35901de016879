"""Conformance with `podman kube play`: every fixtures/conformance-*/input.yaml goes through
`podman kube play --start=false` and `kube2pod apply --no-start` on the installed Podman; the
facts `podman inspect` shows of the pods, containers and volumes must differ exactly as EXPECTED
says, and every reason is a section of docs/compatibility.md (docs/compatibility.md#anchor)."""

from __future__ import annotations

import json
import re

import pytest
from support.inspect_facts import at, collect, differences, reset
from support.k2p import FIXTURES, REPO, run_cli

CASES = sorted(p.parent.name.removeprefix("conformance-") for p in FIXTURES.glob("conformance-*/input.yaml"))
COMPAT = REPO / "docs" / "compatibility.md"

# kube play 4.3 names a Deployment's single pod `<name>-pod-0`; facts are keyed by kube2pod's name
# (the `name` fact keeps the real one, so the difference is still asserted).
KUBE_PLAY_POD_NAMES = {"web-pod-0": "web-pod"}


def _r(anchor: str, why: str) -> str:
    return f"{why} (docs/compatibility.md#{anchor})"


OWNERSHIP = _r("ownership-labels", "kube2pod labels what it creates, so apply/down know what they own")
# Differences of every case: (entity kind, field) -> reason.
EVERYWHERE = {("pod", "owner_labels"): OWNERSHIP, ("container", "owner_labels"): OWNERSHIP,
              ("volume", "owner_labels"): OWNERSHIP,
              ("container", "default_env"): _r("default-env", "kube play 4.3 skips podman's create defaults: "
                                                  "no TERM=xterm and container=podman")}

CLUSTER_DNS = _r("cluster-dns", "kube2pod gives a pod on its project network the kubelet's search path and ndots:5")

KUBE_PLAY_FAILS = {
    # case -> (a regex on kube play's stderr, reason); kube2pod must succeed on the case.
    "configmap-volume": (r'cannot create file "conf/nginx\.conf"',
                         _r("configmap-item-paths", "kube play 4.3 creates no directories for item paths")),
    "secret-volume": (r"nil pointer dereference",
                      _r("secret-volume-crash", "kube play 4.3 crashes on a secret volume without optional")),
    "env-secretkeyref": (r"secret api-token is not valid JSON",
                         _r("secret-key-ref", "kube play 4.3 cannot read its own stored Secret for secretKeyRef")),
}

NO_SWAP = _r("memory-swap", "Kubernetes runs containers without swap: memory-swap = memory")
CPU_SHARES = _r("cpu-shares", "the kubelet sets cpu shares from requests.cpu (default limits.cpu)")
HEALTH_CMD = _r("healthcheck-command", "kube play 4.3 joins an exec probe into CMD-SHELL ... || exit 1")
HEALTH_ON_FAILURE = _r("health-on-failure", "kube play 4.3 never sets the healthcheck failure action "
                                            "for OnFailure or Never")
HOST_UTS = _r("host-network-hostname", "a hostNetwork pod has the host's UTS namespace and hostname, as in "
                                      "Kubernetes; kube play 4.3 gives it the pod name")
SELINUX = _r("selinux-inspect", "kube play 4.3 does not record seLinuxOptions where inspect reads them")

EXPECTED: dict[str, dict[str, str]] = {
    "deployment-annotations": {
        "web-pod.name": _r("deployment-pod-name", "kube play 4.3 numbers even a single replica's pod"),
        "web-pod.hostname": _r("deployment-pod-name", "the hostname follows the pod name"),
        "web-pod/main.hostname": _r("deployment-pod-name", "the hostname follows the pod name"),
        "web-pod/main.annotations": _r("template-annotations", "Kubernetes gives the pod the template's annotations"),
    },
    "env-expansion": {
        "expand/main.argv": _r("var-expansion", "kube play 4.3 does not expand $(VAR) (a Kubernetes rule)"),
        "expand/main.env": _r("var-expansion", "kube play 4.3 does not expand $(VAR) (a Kubernetes rule)"),
    },
    "env-valuefrom": {"envref/main.memory": NO_SWAP, "envref/main.cpu": CPU_SHARES},
    "envfrom-prefix": {
        "envfrom/main.env": _r("envfrom-prefix-precedence", "kube play 4.3 ignores prefix and lets envFrom "
                                                            "override env"),
    },
    "fs-group": {"fsgroup/main.groups": _r("fs-group", "kube play 4.3 ignores fsGroup; the kubelet adds it to every "
                                                     "container's supplementary groups")},
    "host-namespaces": {
        "hostns.shared_namespaces": _r("host-pid-ipc", "kube play 4.3 ignores hostPID and hostIPC"),
        "hostns.infra_namespaces": _r("host-pid-ipc", "kube play 4.3 ignores hostPID and hostIPC") + "; " + HOST_UTS,
        "hostns/main.namespaces": _r("host-pid-ipc", "kube play 4.3 ignores hostPID and hostIPC") + "; " + HOST_UTS,
        "hostns.hostname": HOST_UTS,
        "hostns/main.hostname": HOST_UTS,
    },
    "init-containers": {
        "volume:work": _r("emptydir-name", "an emptyDir is private to its pod: volume <pod>-<volume>"),
        "volume:withinit-work": _r("emptydir-name", "an emptyDir is private to its pod: volume <pod>-<volume>"),
        "withinit/main.mounts": _r("emptydir-name", "an emptyDir is private to its pod: volume <pod>-<volume>"),
        "withinit/prepare.mounts": _r("emptydir-name", "an emptyDir is private to its pod: volume <pod>-<volume>"),
        "withinit/prepare.restart": _r("init-restart", "an init container must not restart; kube play 4.3 "
                                                       "gives it the pod's policy"),
    },
    "pod-settings": {
        "settings/main.stop_timeout": _r("stop-timeout", "kube play 4.3 ignores terminationGracePeriodSeconds"),
    },
    "ports": {"ports.ports": _r("bare-container-port", "kube play 4.3 publishes a containerPort without hostPort")},
    "probe-exec": {"probeexec/main.healthcheck": HEALTH_CMD, "probeexec/main.health_on_failure": HEALTH_ON_FAILURE},
    "probe-network": {
        "probenet.ports": _r("bare-container-port", "kube play 4.3 publishes a containerPort without hostPort"),
        "probenet/web.healthcheck": _r("named-probe-port", "kube play 4.3 turns a named probe port into 0"),
        "probenet/tcp.healthcheck": _r("named-probe-port", "kube play 4.3 turns a named probe port into 0"),
    },
    "pvc-annotations": {
        "volume:fast-cache.options": _r("volume-uid-gid", "kube2pod passes uid/gid as podman volume create does, "
                                                          "which adds them to the mount options"),
    },
    "resources": {
        "limits/both.memory": NO_SWAP, "limits/limitonly.memory": NO_SWAP,
        "limits/both.cpu": CPU_SHARES, "limits/limitonly.cpu": CPU_SHARES, "limits/requestonly.cpu": CPU_SHARES,
    },
    "seccomp": {
        f"seccomp/loose.{f}": _r("seccomp-inspect", "kube play 4.3 does not record the seccomp profile where "
                                                   "inspect reads it") for f in ("security_opt", "annotations")
    },
    "selinux-procmount": {
        f"selinux/{c}.{f}": SELINUX for c in ("podlevel", "own", "unmasked") for f in ("security_opt", "annotations")
    },
    "startup-probe": {
        "startup/main.healthcheck": _r("startup-probe", "kube play 4.3 ignores startupProbe; kube2pod delays the "
                                                        "liveness check by its budget") + "; " + HEALTH_CMD,
        "startup/main.health_on_failure": HEALTH_ON_FAILURE,
    },
    "stop-signal": {"stopsig/main.stop_signal": _r("stop-signal", "kube play 4.3 predates lifecycle.stopSignal")},
    "subpath": {
        "subpath/main.mounts": _r("subpath", "kube play 4.3 ignores subPath"),
        "volume:scratch": _r("emptydir-name", "an emptyDir is private to its pod: volume <pod>-<volume>"),
        "volume:subpath-scratch": _r("emptydir-name", "an emptyDir is private to its pod: volume <pod>-<volume>"),
    },
    "tty-stdin": {
        "console/both.stdin": _r("stdin", "kube play 4.3 ignores stdin"),
        "console/stdinonly.stdin": _r("stdin", "kube play 4.3 ignores stdin"),
    },
}


def _kind(entity: str) -> str:
    return "volume" if entity.startswith("volume:") else "container" if "/" in entity else "pod"


def expected_differences(case: str, kube_play: dict, ours: dict) -> dict[str, str]:
    """EXPECTED of the case, plus EVERYWHERE for each entity both sides have."""
    out = dict(EXPECTED.get(case, {}))
    for key in kube_play.keys() & ours.keys():
        for (kind, field), reason in EVERYWHERE.items():
            if _kind(key) == kind:
                out.setdefault(f"{key}.{field}", reason)
        if _kind(key) == "pod" and not ours[key].get("host_network"):
            out.setdefault(f"{key}.dns", CLUSTER_DNS)
    return out


# --- the test ---------------------------------------------------------------------------------

@pytest.mark.podman
@pytest.mark.parametrize("case", CASES)
def test_conformance(case, podman, podman_url, podman_clean):
    path = str(FIXTURES / f"conformance-{case}" / "input.yaml")
    reset(podman_clean)
    played = podman("kube", "play", "--start=false", path, check=False)
    kube_play = collect(podman, KUBE_PLAY_POD_NAMES)
    reset(podman_clean)
    code, _, err = run_cli("apply", "--no-start", "--url", podman_url, path)
    assert code == 0, err
    ours = collect(podman)
    reset(podman_clean)

    if case in KUBE_PLAY_FAILS:
        pattern, _ = KUBE_PLAY_FAILS[case]
        assert played.returncode != 0 and re.search(pattern, played.stderr), played.stderr
        return
    assert played.returncode == 0, played.stderr
    expected = expected_differences(case, kube_play, ours)
    diff = differences(kube_play, ours)
    detail = {k: {"kube play": at(kube_play, k), "kube2pod": at(ours, k)} for k in sorted(diff ^ expected.keys())}
    assert diff == expected.keys(), json.dumps(detail, indent=1, sort_keys=True)


# --- the table against the doc ----------------------------------------------------------------

def _reasons() -> list[str]:
    return ([r for table in EXPECTED.values() for r in table.values()] + list(EVERYWHERE.values())
            + [r for _, r in KUBE_PLAY_FAILS.values()] + [CLUSTER_DNS])


def test_every_reason_is_documented():
    """Each reason ends in `(docs/compatibility.md#anchor)` and the doc has that anchor."""
    doc = COMPAT.read_text()
    anchors = set(re.findall(r'<a id="([^"]+)"></a>', doc))
    for reason in _reasons():
        found = re.findall(r"\(docs/compatibility\.md#([a-z0-9-]+)\)", reason)
        assert found and reason.endswith(")"), reason
        for anchor in found:
            assert anchor in anchors, f"docs/compatibility.md has no anchor {anchor!r} ({reason})"


def test_every_case_is_a_conformance_fixture():
    assert len(CASES) >= 25
    for table in (EXPECTED, KUBE_PLAY_FAILS):
        assert set(table) <= set(CASES)
    assert not set(EXPECTED) & set(KUBE_PLAY_FAILS)

"""Conformance with `podman kube play`: every fixtures/conformance-*/input.yaml goes through
`podman kube play --start=false` and `kube2pod apply --no-start` on the installed Podman; the
facts `podman inspect` shows of the pods, containers and volumes must differ exactly as EXPECTED
says, and every reason is a section of docs/compatibility.md (docs/compatibility.md#anchor)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pytest
from support.inspect_facts import at, collect, differences, reset
from support.k2p import FIXTURES, REPO, run_cli

CASES = sorted(p.parent.name.removeprefix("conformance-") for p in FIXTURES.glob("conformance-*/input.yaml"))
COMPAT = REPO / "docs" / "compatibility.md"

# kube play 4.3 names a Deployment's single pod `<name>-pod-0`; facts are keyed by kube2pod's name
# (the `name` fact keeps the real one, so the difference is still asserted).
KUBE_PLAY_POD_NAMES = {"web-pod-0": "web-pod"}

Version = tuple[int, int]


@dataclass(frozen=True)
class Reason:
    """Why kube play and kube2pod differ, for the kube play versions ``since`` <= v < ``until``
    (None: unbounded); the doc's section ``anchor`` explains it and its "Per Podman version" table
    states the same range."""

    why: str
    anchor: str
    since: Version | None = None
    until: Version | None = None

    def __str__(self) -> str:
        return f"{self.why} (docs/compatibility.md#{self.anchor})"

    def __add__(self, other: "Reason") -> "Reason":
        """Both reasons for one difference: it holds where either does (ranges that meet)."""
        since = None if None in (self.since, other.since) else min(self.since, other.since)
        until = None if None in (self.until, other.until) else max(self.until, other.until)
        return Reason(f"{self}; {other.why}", other.anchor, since, until)

    def applies(self, version: Version) -> bool:
        return (self.since is None or version >= self.since) and (self.until is None or version < self.until)

    @property
    def versions(self) -> str:
        """The range as the doc's table writes it."""
        def v(x):
            return f"{x[0]}.{x[1]}"
        if self.since and self.until:
            return f"{v(self.since)} to before {v(self.until)}"
        return f"{v(self.since)} and later" if self.since else f"before {v(self.until)}" if self.until else "all"


def _r(anchor: str, why: str, since: Version | None = None, until: Version | None = None) -> Reason:
    return Reason(why, anchor, since, until)


OWNERSHIP = _r("ownership-labels", "kube2pod labels what it creates, so apply/down know what they own")
# Differences of every case: (entity kind, field) -> reason.
EVERYWHERE = {("pod", "owner_labels"): OWNERSHIP, ("container", "owner_labels"): OWNERSHIP,
              ("volume", "owner_labels"): OWNERSHIP,
              ("container", "default_env"): _r("default-env", "kube play before 5.0 skips podman's create defaults: "
                                                  "no TERM=xterm and container=podman", until=(5, 0)),
              ("container", "annotations"): _r("kube-health-annotation", "kube play 5.0+ marks every container "
                                                "for k8s-style health status timing", since=(5, 0))}

CLUSTER_DNS = _r("cluster-dns", "kube2pod gives a pod on its project network the kubelet's search path and ndots:5")

KUBE_PLAY_FAILS = {
    # case -> (a regex on kube play's stderr, reason); kube2pod must succeed on the case.
    "configmap-volume": (r'cannot create file "conf/nginx\.conf"',
                         _r("configmap-item-paths", "kube play creates no directories for item paths")),
    "secret-volume": (r"nil pointer dereference",
                      _r("secret-volume-crash", "kube play before 5.0 crashes on a secret volume without optional",
                         until=(5, 0))),
    "env-secretkeyref": (r"secret api-token is not valid JSON",
                         _r("secret-key-ref", "kube play before 5.0 cannot read its own stored Secret for "
                                              "secretKeyRef", until=(5, 0))),
}

NO_SWAP = _r("memory-swap", "Kubernetes runs containers without swap: memory-swap = memory")
CPU_SHARES = _r("cpu-shares", "the kubelet sets cpu shares from requests.cpu (default limits.cpu)")
HEALTH_CMD = _r("healthcheck-command", "kube play before 5.0 joins an exec probe into CMD-SHELL ... || exit 1",
                until=(5, 0))
HEALTH_ON_FAILURE = _r("health-on-failure", "kube play before 5.0 never sets the healthcheck failure action "
                                            "for OnFailure", until=(5, 0))
HEALTH_ON_FAILURE_NEVER = _r("health-on-failure", "kube play never sets the healthcheck failure action for Never")
BARE_PORT = _r("bare-container-port", "kube play before 4.8 publishes a containerPort without hostPort",
               until=(4, 8))
SECRET_INSPECT = _r("secret-inspect", "kube play 5.0+ puts a Secret's data where inspect shows it (plain env, "
                                      "a volume); kube2pod keeps it in podman secrets", since=(5, 0))
HOST_UTS = _r("host-network-hostname", "a hostNetwork pod has the host's UTS namespace and hostname, as in "
                                      "Kubernetes; kube play 4.3 gives it the pod name")
HOST_UTS_CONTAINER = _r("host-network-hostname", "kube play before 5.0 gives the container a private UTS "
                                                 "namespace and the pod name", until=(5, 0))
HOST_PID_IPC_CONTAINER = _r("host-pid-ipc", "kube play before 5.0 keeps the container's PID and IPC namespaces "
                                            "private", until=(5, 0))
SELINUX = _r("selinux-inspect", "kube play 4.3 does not record seLinuxOptions where inspect reads them")

EXPECTED: dict[str, dict[str, Reason]] = {
    "deployment-annotations": {
        "web-pod.name": _r("deployment-pod-name", "kube play before 4.4 numbers even a single replica's pod",
                           until=(4, 4)),
        "web-pod.hostname": _r("deployment-pod-name", "the hostname follows the pod name", until=(4, 4)),
        "web-pod/main.hostname": _r("deployment-pod-name", "the hostname follows the pod name", until=(4, 4)),
        "web-pod/main.annotations": _r("template-annotations", "Kubernetes gives the pod the template's annotations"),
    },
    "env-expansion": {
        "expand/main.argv": _r("var-expansion", "kube play 4.3 does not expand $(VAR) (a Kubernetes rule)"),
        "expand/main.env": _r("var-expansion", "kube play 4.3 does not expand $(VAR) (a Kubernetes rule)"),
    },
    "env-secretkeyref": {"envsecret/main.env": SECRET_INSPECT},
    "env-valuefrom": {"envref/main.memory": NO_SWAP, "envref/main.cpu": CPU_SHARES},
    "envfrom-prefix": {
        "envfrom/main.env": _r("envfrom-prefix-precedence", "kube play 4.3 ignores prefix and lets envFrom "
                                                            "override env"),
    },
    "fs-group": {"fsgroup/main.groups": _r("fs-group", "kube play 4.3 ignores fsGroup; the kubelet adds it to every "
                                                     "container's supplementary groups")},
    "host-namespaces": {
        "hostns.shared_namespaces": _r("host-pid-ipc", "kube play 4.3 ignores hostPID and hostIPC"),
        "hostns.infra_namespaces": _r("host-pid-ipc", "kube play 4.3 ignores hostPID and hostIPC") + HOST_UTS,
        "hostns/main.namespaces": HOST_PID_IPC_CONTAINER + HOST_UTS_CONTAINER,
        "hostns.hostname": HOST_UTS,
        "hostns/main.hostname": HOST_UTS_CONTAINER,
    },
    "init-containers": {
        "volume:work": _r("emptydir-name", "an emptyDir is private to its pod: volume <pod>-<volume>"),
        "volume:withinit-work": _r("emptydir-name", "an emptyDir is private to its pod: volume <pod>-<volume>"),
        "withinit/main.mounts": _r("emptydir-name", "an emptyDir is private to its pod: volume <pod>-<volume>"),
        "withinit/prepare.mounts": _r("emptydir-name", "an emptyDir is private to its pod: volume <pod>-<volume>"),
        "withinit/prepare.restart": _r("init-restart", "an init container must not restart; kube play before 4.6 "
                                                       "gives it the pod's policy", until=(4, 6)),
    },
    "pod-settings": {
        "settings/main.stop_timeout": _r("stop-timeout", "kube play before 4.7 ignores terminationGracePeriodSeconds",
                                         until=(4, 7)),
    },
    "ports": {"ports.ports": BARE_PORT},
    "probe-exec": {"probeexec/main.healthcheck": HEALTH_CMD, "probeexec/main.health_on_failure": HEALTH_ON_FAILURE},
    "probe-network": {
        "probenet.ports": BARE_PORT,
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
    "secret-volume": {"secvol/main.mounts": SECRET_INSPECT, "volume:db-creds": SECRET_INSPECT},
    "selinux-procmount": {
        f"selinux/{c}.{f}": SELINUX for c in ("podlevel", "own", "unmasked") for f in ("security_opt", "annotations")
    },
    "startup-probe": {
        "startup/main.healthcheck": _r("startup-probe", "kube play maps startupProbe to a startup healthcheck (4.4+) "
                                                        "or ignores it; kube2pod delays the liveness check by its "
                                                        "budget"),
        "startup/main.health_on_failure": HEALTH_ON_FAILURE_NEVER,
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


def expected_differences(case: str, kube_play: dict, ours: dict, version: Version) -> dict[str, Reason]:
    """EXPECTED of the case, plus EVERYWHERE for each entity both sides have: the reasons that apply
    to kube play ``version``."""
    out = {k: r for k, r in EXPECTED.get(case, {}).items() if r.applies(version)}
    for key in kube_play.keys() & ours.keys():
        for (kind, field), reason in EVERYWHERE.items():
            if _kind(key) == kind and reason.applies(version):
                out.setdefault(f"{key}.{field}", reason)
        if _kind(key) == "pod" and not ours[key].get("host_network"):
            out.setdefault(f"{key}.dns", CLUSTER_DNS)
    return out


def kube_play_fails(case: str, version: Version) -> tuple[str, Reason] | None:
    """(stderr regex, reason) when kube play ``version`` is expected to fail on the case."""
    entry = KUBE_PLAY_FAILS.get(case)
    return entry if entry and entry[1].applies(version) else None


@pytest.fixture(scope="module")
def podman_version(podman) -> Version:
    """The (major, minor) of the Podman the tests run against (kube play's version)."""
    text = podman("version", "--format", "{{.Client.Version}}").stdout.strip()
    major, minor = re.match(r"(\d+)\.(\d+)", text).groups()
    return int(major), int(minor)


# --- the test ---------------------------------------------------------------------------------

@pytest.mark.podman
@pytest.mark.parametrize("case", CASES)
def test_conformance(case, podman, podman_url, podman_clean, podman_version):
    path = str(FIXTURES / f"conformance-{case}" / "input.yaml")
    reset(podman_clean)
    played = podman("kube", "play", "--start=false", path, check=False)
    kube_play = collect(podman, KUBE_PLAY_POD_NAMES)
    reset(podman_clean)
    code, _, err = run_cli("apply", "--no-start", "--url", podman_url, path)
    assert code == 0, err
    ours = collect(podman)
    reset(podman_clean)

    fails = kube_play_fails(case, podman_version)
    if fails:
        assert played.returncode != 0 and re.search(fails[0], played.stderr), played.stderr
        return
    assert played.returncode == 0, played.stderr
    expected = expected_differences(case, kube_play, ours, podman_version)
    diff = differences(kube_play, ours)
    detail = {k: {"kube play": at(kube_play, k), "kube2pod": at(ours, k)} for k in sorted(diff ^ expected.keys())}
    assert diff == expected.keys(), json.dumps(detail, indent=1, sort_keys=True)


# --- the table against the doc ----------------------------------------------------------------

def _reasons() -> list[Reason]:
    return ([r for table in EXPECTED.values() for r in table.values()] + list(EVERYWHERE.values())
            + [r for _, r in KUBE_PLAY_FAILS.values()] + [CLUSTER_DNS])


def test_every_reason_is_documented():
    """Each reason names a section of docs/compatibility.md (`(docs/compatibility.md#anchor)`)."""
    doc = COMPAT.read_text()
    anchors = set(re.findall(r'<a id="([^"]+)"></a>', doc))
    for reason in _reasons():
        assert re.fullmatch(r".+ \(docs/compatibility\.md#[a-z0-9-]+\)", str(reason)), reason
        for anchor in re.findall(r"\(docs/compatibility\.md#([a-z0-9-]+)\)", str(reason)):
            assert anchor in anchors, f"docs/compatibility.md has no anchor {anchor!r} ({reason})"


def _doc_version_table() -> dict[str, set[str]]:
    """anchor -> the version ranges docs/compatibility.md's "Per Podman version" table gives it."""
    doc = COMPAT.read_text()
    section = doc[doc.index('<a id="per-version"></a>'):]
    rows: dict[str, set[str]] = {}
    for anchor, versions in re.findall(r"^\| \[[^\]]+\]\(#([a-z0-9-]+)\) \| ([^|]+?) \|", section, re.M):
        rows.setdefault(anchor, set()).update(v.strip() for v in versions.split(";"))
    return rows


def test_version_ranges_are_documented():
    """Every version-bounded reason is a row of the doc's "Per Podman version" table with the same
    range, and every row there is a reason of these tables: the per-version data and the doc agree."""
    table = _doc_version_table()
    bounded = {}
    for reason in _reasons():
        if reason.since or reason.until:
            bounded.setdefault(reason.anchor, set()).add(reason.versions)
    assert table == bounded


def test_reasons_per_version():
    """The table's ranges select what they say (targets 4.3, 4.4, 4.9, 5.0, 5.4)."""
    exp = {v: set(expected_differences("init-containers", {}, {}, v)) for v in ((4, 3), (4, 6), (5, 4))}
    assert "withinit/prepare.restart" in exp[(4, 3)] and "withinit/prepare.restart" not in exp[(4, 6)]
    assert kube_play_fails("secret-volume", (4, 3)) and not kube_play_fails("secret-volume", (5, 4))
    assert kube_play_fails("configmap-volume", (5, 4))
    ports = {v: "ports.ports" in expected_differences("ports", {}, {}, v) for v in ((4, 3), (4, 4), (4, 9), (5, 0))}
    assert ports == {(4, 3): True, (4, 4): True, (4, 9): False, (5, 0): False}
    both = {"hostns": {}, "hostns/main": {}}
    assert "hostns/main.annotations" in expected_differences("host-namespaces", both, both, (5, 4))
    assert "hostns/main.default_env" in expected_differences("host-namespaces", both, both, (4, 3))
    assert "hostns/main.annotations" not in expected_differences("host-namespaces", both, both, (4, 9))


def test_every_case_is_a_conformance_fixture():
    assert len(CASES) >= 25
    for table in (EXPECTED, KUBE_PLAY_FAILS):
        assert set(table) <= set(CASES)
    for case in set(EXPECTED) & set(KUBE_PLAY_FAILS):  # kube play fails on some versions only
        assert KUBE_PLAY_FAILS[case][1].until, case

"""Conformance with `podman kube play`: every fixtures/conformance-*/input.yaml goes through
`podman kube play --start=false` and `kube2pod apply --no-start` on the installed Podman; the
facts `podman inspect` shows of the pods, containers and volumes must differ exactly as EXPECTED
says, and every reason is a section of docs/compatibility.md (docs/compatibility.md#anchor)."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from k2p import FIXTURES, REPO, run_cli

CASES = sorted(p.parent.name.removeprefix("conformance-") for p in FIXTURES.glob("conformance-*/input.yaml"))
COMPAT = REPO / "docs" / "compatibility.md"
HOST_DIR = "/tmp/k2p-conformance"  # every hostPath of the fixtures lies below it
OWNER_PREFIX = "io.kube2pod."
DEFAULT_ENV = ("TERM=xterm", "container=podman")  # podman's create defaults (containers.conf env)

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
    "host-namespaces": {
        "hostns.shared_namespaces": _r("host-pid-ipc", "kube play 4.3 ignores hostPID and hostIPC"),
        "hostns.infra_namespaces": _r("host-pid-ipc", "kube play 4.3 ignores hostPID and hostIPC"),
        "hostns/main.namespaces": _r("host-pid-ipc", "kube play 4.3 ignores hostPID and hostIPC"),
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
    "selinux-procmount": {
        f"selinux/{c}.{f}": SELINUX for c in ("podlevel", "own", "unmasked") for f in ("security_opt", "annotations")
    },
    "startup-probe": {
        "startup/main.healthcheck": _r("startup-probe", "kube play 4.3 ignores startupProbe; kube2pod delays the "
                                                        "liveness check by its budget") + "; " + HEALTH_CMD,
        "startup/main.health_on_failure": HEALTH_ON_FAILURE,
    },
    "stop-signal": {"stopsig/main.stop_signal": _r("stop-signal", "kube play 4.3 predates lifecycle.stopSignal")},
    "subpath": {"subpath/main.mounts": _r("subpath", "kube play 4.3 ignores subPath")},
    "tty-stdin": {
        "console/both.stdin": _r("stdin", "kube play 4.3 ignores stdin"),
        "console/stdinonly.stdin": _r("stdin", "kube play 4.3 ignores stdin"),
    },
}


# --- facts ------------------------------------------------------------------------------------

def _sorted(value):
    return sorted(value or [])


def _mount(m: dict) -> dict:
    return {"type": m["Type"], "source": m.get("Name") if m["Type"] == "volume" else m["Source"],
            "destination": m["Destination"], "rw": m["RW"], "options": _sorted(m.get("Options")),
            "propagation": m.get("Propagation", "")}


def _split_owner(labels: dict | None) -> tuple[dict, list]:
    labels = labels or {}
    return ({k: v for k, v in labels.items() if not k.startswith(OWNER_PREFIX)},
            sorted(k for k in labels if k.startswith(OWNER_PREFIX)))


def container_facts(c: dict) -> dict:
    """The compared fields of one ``podman container inspect`` entry."""
    cfg, host = c["Config"], c["HostConfig"]
    labels, owner = _split_owner(cfg.get("Labels"))
    return {
        "argv": [c["Path"], *c["Args"]],
        "image": c["ImageName"],
        "env": sorted(e for e in cfg.get("Env") or [] if e not in DEFAULT_ENV),
        "default_env": sorted(e for e in cfg.get("Env") or [] if e in DEFAULT_ENV),
        "user": cfg.get("User"),
        "workdir": cfg.get("WorkingDir"),
        "mounts": sorted((_mount(m) for m in c["Mounts"]), key=lambda m: m["destination"]),
        "devices": sorted(d["PathOnHost"] for d in host.get("Devices") or []),
        "caps": _sorted(c.get("EffectiveCaps")),
        "privileged": host.get("Privileged"),
        "read_only": host.get("ReadonlyRootfs"),
        "security_opt": _sorted(host.get("SecurityOpt")),
        "memory": [host.get(k) for k in ("Memory", "MemoryReservation", "MemorySwap")],
        "cpu": [host.get(k) for k in ("NanoCpus", "CpuQuota", "CpuPeriod", "CpuShares")],
        "healthcheck": cfg.get("Healthcheck"),
        "health_on_failure": cfg.get("HealthcheckOnFailureAction"),
        "restart": host.get("RestartPolicy"),
        "stop_timeout": cfg.get("StopTimeout"),
        "stop_signal": cfg.get("StopSignal"),
        "tty": cfg.get("Tty"),
        "stdin": cfg.get("OpenStdin"),
        "sysctls": host.get("Sysctls") or {},
        "groups": _sorted(host.get("GroupAdd")),
        "hostname": cfg.get("Hostname"),
        "dns": [host.get("Dns"), host.get("DnsSearch"), host.get("DnsOptions")],
        "extra_hosts": host.get("ExtraHosts"),
        "namespaces": {k: host.get(k) for k in ("IpcMode", "NetworkMode", "PidMode", "UTSMode", "UsernsMode")},
        "labels": labels,
        "owner_labels": owner,
        "annotations": cfg.get("Annotations") or {},
    }


def pod_facts(p: dict) -> dict:
    """The compared fields of one ``podman pod inspect``."""
    infra = p.get("InfraConfig") or {}
    labels, owner = _split_owner(p.get("Labels"))
    return {
        "name": p["Name"],
        "hostname": p.get("Hostname"),
        "shared_namespaces": _sorted(p.get("SharedNamespaces")),
        "ports": {k: sorted((b.get("HostIp", ""), b["HostPort"]) for b in v)
                  for k, v in (infra.get("PortBindings") or {}).items()},
        "host_network": infra.get("HostNetwork"),
        "dns": [infra.get("DNSServer"), infra.get("DNSSearch"), infra.get("DNSOption")],
        "hosts": infra.get("HostAdd"),
        "infra_namespaces": {k: infra.get(k) for k in ("pid_ns", "userns", "uts_ns")},
        "labels": labels,
        "owner_labels": owner,
    }


def volume_facts(v: dict) -> dict:
    labels, owner = _split_owner(v.get("Labels"))
    return {"driver": v.get("Driver"), "options": v.get("Options") or {}, "uid": v.get("UID"),
            "gid": v.get("GID"), "labels": labels, "owner_labels": owner}


def collect(podman) -> dict[str, dict]:
    """``{"<pod>": facts, "<pod>/<container>": facts, "volume:<name>": facts}`` of the whole store,
    container ids replaced by ``<pod>/<container>`` (or ``<pod>/infra``) so that runs compare."""
    pod_ids = _names(podman, "pod", "ps", "-q", "--no-trunc")
    pods = [json.loads(podman("pod", "inspect", i).stdout) for i in pod_ids]  # 4.3: one pod per call
    ids = _names(podman, "ps", "-aq", "--no-trunc")
    ctrs = json.loads(podman("container", "inspect", *ids).stdout) if ids else []
    vols = json.loads(podman("volume", "inspect", "--all").stdout or "[]")
    pod_key = {p["Id"]: KUBE_PLAY_POD_NAMES.get(p["Name"], p["Name"]) for p in pods}
    pod_name = {p["Id"]: p["Name"] for p in pods}
    facts, names = {}, {}
    for p in pods:
        facts[pod_key[p["Id"]]] = pod_facts(p)
        names[p["Id"]] = pod_key[p["Id"]]
        names[p["InfraContainerID"]] = pod_key[p["Id"]] + "/infra"
    for c in ctrs:
        pod = c.get("Pod") or ""
        key = pod_key.get(pod, "-") + "/" + c["Name"].removeprefix(pod_name.get(pod, "") + "-")
        if not c.get("IsInfra"):
            names[c["Id"]] = key
            facts[key] = container_facts(c)
    for v in vols:
        facts["volume:" + v["Name"]] = volume_facts(v)
    text = json.dumps(facts, sort_keys=True)
    for long_id, key in names.items():
        text = text.replace(long_id, f"<{key}>")
    return json.loads(text)


def _names(podman, *args: str) -> list[str]:
    return podman(*args).stdout.split()


def differences(kube_play: dict, ours: dict) -> set[str]:
    """``<entity>`` when only one side has it, else ``<entity>.<field>`` for each differing field."""
    out = set()
    for key in kube_play.keys() | ours.keys():
        if key not in kube_play or key not in ours:
            out.add(key)
            continue
        out |= {f"{key}.{f}" for f in kube_play[key].keys() | ours[key].keys()
                if kube_play[key].get(f) != ours[key].get(f)}
    return out


def _kind(entity: str) -> str:
    return "volume" if entity.startswith("volume:") else "container" if "/" in entity else "pod"


def expected_differences(case: str, kube_play: dict, ours: dict) -> dict[str, str]:
    """EXPECTED of the case, plus EVERYWHERE for each entity both sides have."""
    out = dict(EXPECTED.get(case, {}))
    for key in kube_play.keys() & ours.keys():
        for (kind, field), reason in EVERYWHERE.items():
            if _kind(key) == kind:
                out.setdefault(f"{key}.{field}", reason)
    return out


# --- the test ---------------------------------------------------------------------------------

def _reset(env) -> None:
    env.reset_pods()
    env.podman("secret", "rm", "--all", check=False)
    shutil.rmtree(HOST_DIR, ignore_errors=True)


@pytest.mark.podman
@pytest.mark.parametrize("case", CASES)
def test_conformance(case, podman, podman_url, podman_clean):
    path = str(FIXTURES / f"conformance-{case}" / "input.yaml")
    _reset(podman_clean)
    played = podman("kube", "play", "--start=false", path, check=False)
    kube_play = collect(podman)
    _reset(podman_clean)
    code, _, err = run_cli("apply", "--no-start", "--url", podman_url, path)
    assert code == 0, err
    ours = collect(podman)
    _reset(podman_clean)

    if case in KUBE_PLAY_FAILS:
        pattern, _ = KUBE_PLAY_FAILS[case]
        assert played.returncode != 0 and re.search(pattern, played.stderr), played.stderr
        return
    assert played.returncode == 0, played.stderr
    expected = expected_differences(case, kube_play, ours)
    diff = differences(kube_play, ours)
    detail = {k: {"kube play": _at(kube_play, k), "kube2pod": _at(ours, k)} for k in sorted(diff ^ expected.keys())}
    assert diff == expected.keys(), json.dumps(detail, indent=1, sort_keys=True)


def _at(facts: dict, path: str):
    if path in facts or "." not in path:
        return facts.get(path, "<absent>")
    entity, _, field = path.rpartition(".")
    return facts.get(entity, {}).get(field, "<absent>")


# --- the table against the doc ----------------------------------------------------------------

def _reasons() -> list[str]:
    return ([r for table in EXPECTED.values() for r in table.values()] + list(EVERYWHERE.values())
            + [r for _, r in KUBE_PLAY_FAILS.values()])


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

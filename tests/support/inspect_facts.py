"""Facts of a whole isolated Podman store as `podman inspect` shows them (pods, containers,
volumes), comparable across runs and tools: ids are replaced by ``<pod>/<container>`` names.
Used by tests/test_conformance.py (kube play vs apply), tests/test_script_conformance.py (the
convert script vs apply), tests/test_quadlet_conformance.py and tests/test_script_equivalence.py."""

from __future__ import annotations

import json
import shutil

from kube2pod.apply.labels import DEFINITION, LIFETIME, PROJECT

OWNER_PREFIX = "io.kube2pod."
DEFAULT_ENV = ("TERM=xterm", "container=podman")  # podman's create defaults (containers.conf env)
HOST_DIR = "/tmp/k2p-conformance"  # every hostPath of the conformance fixtures lies below it
CLI_TTY = "io.kubernetes.cri-o.TTY"  # the annotation `podman create` 4.x records and the API does not


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
        # Podman 4.3 records a container in the host's UTS namespace with its short id as hostname:
        # the long id, which collect() names, so that runs compare
        "hostname": c["Id"] if cfg.get("Hostname") == c["Id"][:12] else cfg.get("Hostname"),
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


def pod_inspect(podman, name: str) -> dict:
    """``podman pod inspect NAME`` as one object: 4.x prints the object, 5.x a one-item list."""
    out = json.loads(podman("pod", "inspect", name).stdout)
    return out[0] if isinstance(out, list) else out


def collect(podman, pod_names: dict[str, str] | None = None) -> dict[str, dict]:
    """``{"<pod>": facts, "<pod>/<container>": facts, "volume:<name>": facts}`` of the whole store,
    container ids replaced by ``<pod>/<container>`` (or ``<pod>/infra``) so that runs compare.
    ``pod_names`` renames pods in the keys (the ``name`` fact keeps the real one)."""
    pod_names = pod_names or {}
    pod_ids = _names(podman, "pod", "ps", "-q", "--no-trunc")
    pods = [pod_inspect(podman, i) for i in pod_ids]  # 4.3: one pod per call
    ids = _names(podman, "ps", "-aq", "--no-trunc")
    ctrs = json.loads(podman("container", "inspect", *ids).stdout) if ids else []
    vols = json.loads(podman("volume", "inspect", "--all").stdout or "[]")
    pod_key = {p["Id"]: pod_names.get(p["Name"], p["Name"]) for p in pods}
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


def differences(left: dict, right: dict) -> set[str]:
    """``<entity>`` when only one side has it, else ``<entity>.<field>`` for each differing field."""
    out = set()
    for key in left.keys() | right.keys():
        if key not in left or key not in right:
            out.add(key)
            continue
        out |= {f"{key}.{f}" for f in left[key].keys() | right[key].keys() if left[key].get(f) != right[key].get(f)}
    return out


def at(facts: dict, path: str):
    """The fact at ``<entity>`` or ``<entity>.<field>``, ``"<absent>"`` when there is none."""
    if path in facts or "." not in path:
        return facts.get(path, "<absent>")
    entity, _, field = path.rpartition(".")
    return facts.get(entity, {}).get(field, "<absent>")


def reset(env) -> None:
    """Empty the store (pods, containers, volumes, secrets) and remove the fixtures' host dirs."""
    env.reset_pods()
    env.podman("secret", "rm", "--all", check=False)
    shutil.rmtree(HOST_DIR, ignore_errors=True)


def without_cli_tty(facts: dict) -> None:
    """Drop the CLI's tty annotation of each container after checking it states the tty fact
    (podman 4.x's CLI records it, 5.x's does not)."""
    for key, f in facts.items():
        if "/" in key:
            assert f["annotations"].pop(CLI_TTY, None) in (None, str(bool(f["tty"])).lower()), key


def without_bookkeeping(facts: dict) -> None:
    """Drop apply's bookkeeping labels (ownership labels) after checking each entity has the project."""
    for key, f in facts.items():
        assert PROJECT in f["owner_labels"], key
        f["owner_labels"] = [k for k in f["owner_labels"] if k not in (PROJECT, DEFINITION, LIFETIME)]

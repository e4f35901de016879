"""Helpers for tests: run the kube2pod CLI in-process and read containers back from Podman."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from kube2pod.cli import main

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
FIXTURES = REPO / "fixtures"


def run_cli(*args: str) -> tuple[int, str, str]:
    """Run ``kube2pod ARGS`` in this process: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 2
    return code, out.getvalue(), err.getvalue()


def container_facts(inspect: dict) -> dict:
    """What a user cares about in ``podman container inspect``, comparable across tools."""
    cfg, host = inspect["Config"], inspect["HostConfig"]
    mounts = sorted(
        (m["Type"], m.get("Name") or m["Source"] if m["Type"] == "volume" else m["Source"], m["Destination"], m["RW"])
        for m in inspect["Mounts"]
    )
    return {
        "argv": [inspect["Path"], *inspect["Args"]],
        "entrypoint": cfg.get("Entrypoint"),
        "cmd": cfg.get("Cmd"),
        "env": sorted(e for e in cfg["Env"] if not e.startswith(("HOSTNAME=", "container="))),
        "workdir": cfg.get("WorkingDir"),
        "user": cfg.get("User"),
        "mounts": mounts,
        "caps": sorted(inspect.get("EffectiveCaps") or []),
        "devices": sorted(d["PathOnHost"] for d in host.get("Devices") or []),
    }


def pod_ports(inspect: dict) -> dict:
    """Port bindings of a pod's infra container, as {"8080/tcp": [("", "18080")]}."""
    bindings = inspect.get("InfraConfig", {}).get("PortBindings") or {}
    return {k: sorted((b.get("HostIp", ""), b["HostPort"]) for b in v) for k, v in bindings.items()}

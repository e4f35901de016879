"""Podman 5's real Quadlet generator (.tools/quadlet, fetched by scripts/get-quadlet): run it on
units, and read the podman commands of the services it generates as systemd splits them."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from support.k2p import REPO
from support.podman_env import in_ci

QUADLET = REPO / ".tools" / "quadlet"


def quadlet_path() -> Path:
    """The generator; skips the test when it is missing (fails it when CI is true)."""
    if not (QUADLET.is_file() and os.access(QUADLET, os.X_OK)):
        reason = f"{QUADLET.relative_to(REPO)} missing: run `bash scripts/get-quadlet` (needs the Debian mirror)"
        if in_ci():
            pytest.fail(reason + " (CI=true: the Quadlet tests must run)", pytrace=False)
        pytest.skip(reason)
    return QUADLET


def generate(quadlet_bin: Path, units: dict[str, str], tmp: Path) -> dict[str, str]:
    """Run ``quadlet -dryrun`` on ``units``: {service name: generated service text}."""
    src = tmp / "units"
    src.mkdir(exist_ok=True)
    for old in src.iterdir():
        old.unlink()
    for name, text in units.items():
        (src / name).write_text(text)
    proc = subprocess.run([str(quadlet_bin), "-dryrun", "-user"], env={**os.environ, "QUADLET_UNIT_DIRS": str(src)},
                          capture_output=True, text=True, timeout=60)
    noise = [ln for ln in proc.stderr.splitlines() if "Loading source unit file" not in ln]
    assert proc.returncode == 0 and not noise, proc.stderr
    services, name = {}, None
    for line in proc.stdout.split("\n"):
        if line.startswith("---") and line.endswith("---"):
            name = line.strip("-")
            services[name] = ""
        elif name:
            services[name] += line + "\n"
    return services


_C = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "v": "\v", "f": "\f", "\\": "\\", '"': '"', "'": "'",
      "s": " "}


def systemd_words(line: str) -> list[str]:
    """Split a systemd command line as systemd does (quotes, C escapes, ``$$`` and ``%%``)."""
    words, cur, quote, i, has = [], [], None, 0, False
    while i < len(line):
        ch = line[i]
        if ch in "$%" and line[i + 1:i + 2] == ch:
            cur.append(ch)
            i += 2
            has = True
            continue
        if ch == "\\" and i + 1 < len(line):
            nxt = line[i + 1]
            if nxt == "x":
                cur.append(chr(int(line[i + 2:i + 4], 16)))
                i += 4
            else:
                cur.append(_C[nxt])
                i += 2
            has = True
            continue
        if quote:
            if ch == quote:
                quote = None
            else:
                cur.append(ch)
        elif ch in "\"'":
            quote, has = ch, True
        elif ch == " ":
            if has:
                words.append("".join(cur))
            cur, has = [], False
        else:
            cur.append(ch)
            has = True
        i += 1
    if has:
        words.append("".join(cur))
    return words


def exec_words(service: str, key: str, contains: str) -> list[str]:
    """The words of the one ``KEY=`` line of ``service`` that contains ``contains``."""
    lines = [ln.split("=", 1)[1] for ln in service.split("\n") if ln.startswith(key + "=") and contains in ln]
    assert len(lines) == 1, service
    return systemd_words(lines[0])
    return systemd_words(lines[0])


def quadlet_cases(pattern: str = "*") -> list[str]:
    """The fixtures (``fixtures/<pattern>``) with pods whose units Quadlet writes for the newest target."""
    from kube2pod.load import load
    from kube2pod.render import quadlet
    from kube2pod.translate import translate

    cases = []
    for unit in sorted((REPO / "fixtures").glob(f"{pattern}/systemd/*-pod.service")):
        case = unit.parent.parent.name
        if case in cases:
            continue
        plan = translate(load([str(REPO / "fixtures" / case / "input.yaml")]).manifests).plan
        try:
            quadlet.render(plan)
        except ValueError:  # refused by Quadlet (e.g. an empty Exec= argument): tested on its own
            continue
        cases.append(case)
    return cases

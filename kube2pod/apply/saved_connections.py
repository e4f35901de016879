"""``--connection NAME``: the URL and ssh identity ``podman system connection`` stored under NAME.

Where podman keeps them, read in podman's order (the first file that names NAME wins):

1. ``podman-connections.json`` (podman 5): ``$PODMAN_CONNECTIONS_CONF``, else
   ``$XDG_CONFIG_HOME/containers/podman-connections.json`` (~/.config when unset) for a user,
   ``/etc/containers/podman-connections.json`` for root;
   ``{"Connection": {"Connections": {NAME: {"URI": ..., "Identity": ...}}}}``.
2. containers.conf (podman 4): ``$CONTAINERS_CONF`` alone when set, else
   ``~/.config/containers/containers.conf`` (where podman 4.3 writes them),
   ``/etc/containers/containers.conf``, ``/usr/share/containers/containers.conf``;
   ``[engine.service_destinations.NAME] uri = ... identity = ...``.
"""

from __future__ import annotations

import json
import os
from typing import NamedTuple

from kube2pod.apply.errors import ConnectionFailed


class Destination(NamedTuple):
    """A stored connection: ``url`` (``ssh://user@host:port/run/podman/podman.sock``, ``unix://...``)
    and the ssh ``identity`` file ("" when none)."""

    name: str
    url: str
    identity: str = ""


def _config_home(environ) -> str:
    return environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")


def json_files(environ=None) -> list[str]:
    env = os.environ if environ is None else environ
    if env.get("PODMAN_CONNECTIONS_CONF"):
        return [env["PODMAN_CONNECTIONS_CONF"]]
    if os.geteuid() == 0:
        return ["/etc/containers/podman-connections.json"]
    return [os.path.join(_config_home(env), "containers", "podman-connections.json")]


def conf_files(environ=None) -> list[str]:
    env = os.environ if environ is None else environ
    if env.get("CONTAINERS_CONF"):
        return [env["CONTAINERS_CONF"]]
    return [os.path.join(_config_home(env), "containers", "containers.conf"),
            "/etc/containers/containers.conf", "/usr/share/containers/containers.conf"]


def from_json(path: str) -> dict[str, Destination]:
    """The connections of a podman-connections.json (none when the file is missing)."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise ConnectionFailed(f"cannot read podman connections from {path}: {exc}") from None
    found = ((data.get("Connection") or {}).get("Connections") or {}) if isinstance(data, dict) else {}
    return {name: Destination(name, str(c.get("URI", "")), str(c.get("Identity") or ""))
            for name, c in found.items() if isinstance(c, dict)}


def from_conf(path: str) -> dict[str, Destination]:
    """The ``[engine.service_destinations]`` of a containers.conf (none when the file is missing)."""
    import tomllib

    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConnectionFailed(f"cannot read podman connections from {path}: {exc}") from None
    found = (data.get("engine") or {}).get("service_destinations") or {}
    return {name: Destination(name, str(c.get("uri", "")), str(c.get("identity") or ""))
            for name, c in found.items() if isinstance(c, dict)}


def _sources(environ=None) -> list[tuple[str, object]]:
    """Every file podman keeps connections in, in its order, with its reader."""
    return [(p, from_json) for p in json_files(environ)] + [(p, from_conf) for p in conf_files(environ)]


def names(environ=None) -> list[str]:
    """The name of every stored connection (what shell completion offers); unreadable files skipped."""
    found: set[str] = set()
    for path, read in _sources(environ):
        try:
            found.update(read(path))
        except ConnectionFailed:
            continue
    return sorted(found)


def lookup(name: str, environ=None) -> Destination:
    """The connection ``name``; ConnectionFailed naming the files read and the names known."""
    files = _sources(environ)
    known: list[str] = []
    for path, read in files:
        found = read(path)
        if name in found:
            dest = found[name]
            if not dest.url:
                raise ConnectionFailed(f"podman connection {name!r} in {path} has no URI")
            return dest
        known += [n for n in found if n not in known]
    where = ", ".join(p for p, _ in files)
    listed = f"; known: {', '.join(sorted(known))}" if known else ""
    raise ConnectionFailed(f"no podman connection named {name!r} (read {where}){listed}; "
                           "`podman system connection list` shows them")

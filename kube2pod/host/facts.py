"""Facts about the host a plan is applied on, read once (by the CLI) before preflight.

| fact                      | source                                                   |
|---------------------------|----------------------------------------------------------|
| euid, egid, user          | the kube2pod process (``os.geteuid``, passwd)            |
| subuids, subgids          | ``/etc/subuid``, ``/etc/subgid`` lines of the user        |
| unprivileged_port_start   | ``/proc/sys/net/ipv4/ip_unprivileged_port_start``        |
| selinux                   | ``/sys/fs/selinux/enforce`` (absent: ``disabled``)         |
| tun_usable                | ``/dev/net/tun`` readable and writable by this process (rootless networking) |
| rootless, uidmap, gidmap  | Podman API ``/info``: host.security.rootless, host.idMappings |
| paths                     | ``os.stat`` of the plan's host paths (missing: ``exists`` False) |

``HostFacts`` is plain data: ``as_dict``/``from_dict`` record and replay it, so
preflight decisions are tested without a host or a Podman.
"""

from __future__ import annotations

import os
import pwd
import stat
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Literal

SelinuxMode = Literal["disabled", "permissive", "enforcing"]
PORT_START_FILE = "/proc/sys/net/ipv4/ip_unprivileged_port_start"
SELINUX_ENFORCE_FILE = "/sys/fs/selinux/enforce"
TUN_DEVICE = "/dev/net/tun"


@dataclass(frozen=True)
class IdRange:
    """``size`` ids from ``start`` (a /etc/subuid line)."""

    start: int
    size: int


@dataclass(frozen=True)
class IdMap:
    """One line of a user namespace map: ``container_id`` .. + ``size`` -> ``host_id`` .."""

    container_id: int
    host_id: int
    size: int


@dataclass(frozen=True)
class PathFacts:
    """Owner and mode of a host path (``exists`` False: it will be created)."""

    path: str
    exists: bool
    is_dir: bool = False
    uid: int = 0
    gid: int = 0
    mode: int = 0


@dataclass(frozen=True)
class HostFacts:
    euid: int
    egid: int
    user: str
    rootless: bool
    subuids: tuple[IdRange, ...] = ()
    subgids: tuple[IdRange, ...] = ()
    uidmap: tuple[IdMap, ...] = ()
    gidmap: tuple[IdMap, ...] = ()
    unprivileged_port_start: int = 1024
    selinux: SelinuxMode = "disabled"
    tun_usable: bool = True
    paths: tuple[PathFacts, ...] = field(default=())

    def path(self, path: str) -> PathFacts | None:
        return next((p for p in self.paths if p.path == path), None)

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> HostFacts:
        d = dict(data)
        for key, kind in (("subuids", IdRange), ("subgids", IdRange), ("uidmap", IdMap), ("gidmap", IdMap),
                          ("paths", PathFacts)):
            d[key] = tuple(kind(**item) for item in d.get(key) or ())
        return cls(**d)


def read(podman_info: dict, paths: Iterable[str] = ()) -> HostFacts:
    """The facts of this host; ``podman_info`` is the Podman API's ``/info`` answer."""
    euid, egid = os.geteuid(), os.getegid()
    user = _user_name(euid)
    host = podman_info.get("host") or {}
    mappings = host.get("idMappings") or {}
    return HostFacts(
        euid=euid, egid=egid, user=user,
        rootless=bool((host.get("security") or {}).get("rootless")),
        subuids=sub_ids(_read("/etc/subuid"), user, euid),
        subgids=sub_ids(_read("/etc/subgid"), user, euid),
        uidmap=_idmap(mappings.get("uidmap")),
        gidmap=_idmap(mappings.get("gidmap")),
        unprivileged_port_start=_int(_read(PORT_START_FILE), 1024),
        selinux=selinux_mode(_read(SELINUX_ENFORCE_FILE)),
        tun_usable=os.access(TUN_DEVICE, os.R_OK | os.W_OK),
        paths=tuple(stat_path(p) for p in dict.fromkeys(paths)),
    )


def sub_ids(text: str | None, user: str, uid: int) -> tuple[IdRange, ...]:
    """The ranges of ``user`` (by name or uid) in /etc/subuid or /etc/subgid text."""
    out = []
    for line in (text or "").splitlines():
        parts = line.strip().split(":")
        if len(parts) == 3 and parts[0] in (user, str(uid)) and parts[1].isdigit() and parts[2].isdigit():
            out.append(IdRange(int(parts[1]), int(parts[2])))
    return tuple(out)


def selinux_mode(enforce: str | None) -> SelinuxMode:
    """``/sys/fs/selinux/enforce``: absent -> disabled, 0 -> permissive, 1 -> enforcing."""
    if enforce is None:
        return "disabled"
    return "enforcing" if enforce.strip() == "1" else "permissive"


def stat_path(path: str) -> PathFacts:
    try:
        st = os.stat(path)
    except OSError:
        return PathFacts(path, exists=False)
    return PathFacts(path, True, stat.S_ISDIR(st.st_mode), st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode))


def _idmap(items) -> tuple[IdMap, ...]:
    return tuple(IdMap(int(m["container_id"]), int(m["host_id"]), int(m["size"])) for m in items or ())


def _user_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError:
        return None


def _int(text: str | None, default: int) -> int:
    try:
        return int((text or "").strip())
    except ValueError:
        return default

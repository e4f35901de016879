"""Checks of a plan against the host's facts, before anything changes (pure).

| check (rootless Podman unless noted)                | outcome                              |
|-----------------------------------------------------|--------------------------------------|
| hostPort < net.ipv4.ip_unprivileged_port_start       | error: the sysctl, or a higher port  |
| /dev/net/tun not usable, and a pod not on the host's network | error: rootless networking (slirp4netns, pasta) needs it |
| no /etc/subuid or /etc/subgid range for the user    | error: ``usermod --add-subuids/--add-subgids`` |
| ranges present, but Podman maps only the user        | error: ``podman system migrate``      |
| runAsUser / runAsGroup outside the mapped ids         | error                                |
| writable hostPath bind a non-root container user cannot write (rootless and root) | ``fix_ownership``: an ``OwnershipFix`` step; otherwise a warning naming the host uid |
| bind without relabeling on an SELinux-enforcing host (rootless and root) | warning |

A container without runAsUser counts as uid 0 (the image's USER is not consulted).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from kube2pod.diagnostics import Diagnostic, Result, SourcePos, error, warning
from kube2pod.host import userns
from kube2pod.host.facts import HostFacts, PathFacts
from kube2pod.host.ownership_fix import OwnershipFix
from kube2pod.plan import BindMount, Container, HostPath, Plan, Pod

PORT_SYSCTL = "net.ipv4.ip_unprivileged_port_start"
_NO_DAC_OVERRIDE = ("ALL", "CAP_DAC_OVERRIDE")


class Preflight(Result):
    """The host's diagnostics of a plan, and the ownership fixes to make before applying it."""

    def __init__(self, diagnostics: list[Diagnostic] | None = None, fixes: list[OwnershipFix] | None = None):
        super().__init__(diagnostics)
        self.fixes: list[OwnershipFix] = [] if fixes is None else fixes


def preflight(plan: Plan, facts: HostFacts, *, fix_ownership: bool = False) -> Preflight:
    """Every check above; ``fix_ownership`` turns ownership warnings into fix steps."""
    out = Preflight()
    if facts.rootless:
        out.diagnostics += _subordinate_ids(facts)
        out.diagnostics += _tun(plan, facts)
    for pod in plan.pods:
        if facts.rootless:
            out.diagnostics += _ports(pod, facts)
            out.diagnostics += _users(pod, facts)
        for c, bind, hp in _host_binds(plan, pod):
            _ownership(pod, c, bind, hp, facts, fix_ownership, out)
            if facts.selinux == "enforcing":
                out.diagnostics += _selinux(pod, c, bind)
    return out


def paths(plan: Plan) -> list[str]:
    """The host paths whose owner and mode preflight needs (for ``facts.read``)."""
    return list(dict.fromkeys(bind.source for pod in plan.pods for _, bind, _ in _host_binds(plan, pod)))


# ---------------------------------------------------------------- ports

def _ports(pod: Pod, facts: HostFacts) -> Iterator[Diagnostic]:
    if pod.network == "host":
        return
    start = facts.unprivileged_port_start
    for p in pod.ports:
        if 0 < p.host_port < start:
            yield error(
                f"hostPort {p.host_port} of {pod.source} is below {PORT_SYSCTL} ({start}): "
                f"rootless Podman (user {facts.user}) cannot bind it", _pos(pod),
                f"allow it for unprivileged users: sudo sysctl -w {PORT_SYSCTL}={p.host_port} "
                f"(persist it in /etc/sysctl.d/); or use a hostPort of {start} or more")


def _tun(plan: Plan, facts: HostFacts) -> Iterator[Diagnostic]:
    networked = [p for p in plan.pods if p.network not in ("host", "none")]
    if networked and not facts.tun_usable:
        yield error(f"/dev/net/tun is not usable by user {facts.user}: rootless Podman's networking "
                    f"(slirp4netns or pasta) needs it for {networked[0].source} and every pod not on the host's "
                    "network", _pos(networked[0]),
                    "sudo chmod 0666 /dev/net/tun (and modprobe tun where it is missing); or hostNetwork: true")


# ---------------------------------------------------------------- subordinate ids

def _subordinate_ids(facts: HostFacts) -> Iterator[Diagnostic]:
    missing = [name for name, ranges in (("subuid", facts.subuids), ("subgid", facts.subgids)) if not ranges]
    if missing:
        files = " and ".join(f"/etc/{m}" for m in missing)
        flags = " ".join(f"--add-{m}s 100000-165535" for m in missing)
        yield error(f"user {facts.user} has no range in {files}: rootless Podman can map only one uid "
                    "into a container", None,
                    f"sudo usermod {flags} {facts.user} (any free range of 65536 ids), "
                    "then podman system migrate")
    elif userns.mapped_size(facts.uidmap) <= 1 or userns.mapped_size(facts.gidmap) <= 1:
        yield error(f"user {facts.user} has subordinate id ranges, but Podman maps only the user itself", None,
                    "podman system migrate (Podman reads /etc/subuid and /etc/subgid when its "
                    "user namespace is first set up)")


def _users(pod: Pod, facts: HostFacts) -> Iterator[Diagnostic]:
    for c in _containers(pod):
        uid, gid = _user(c)
        for what, cid, host_id, idmap in (("runAsUser", uid, userns.host_uid, facts.uidmap),
                                          ("runAsGroup", gid, userns.host_gid, facts.gidmap)):
            if cid is None or not _predictable(pod.userns) or host_id(facts, pod.userns, cid) is not None:
                continue
            yield error(f"{what} {cid} of container {c.name} ({pod.source}) is outside the ids rootless "
                        f"Podman maps for user {facts.user} (0-{userns.mapped_size(idmap) - 1})", _pos(pod),
                        f"use a smaller {what}, or give {facts.user} a larger range "
                        f"(sudo usermod --add-sub{'uids' if what == 'runAsUser' else 'gids'} FIRST-LAST "
                        f"{facts.user}; podman system migrate)")


# ---------------------------------------------------------------- host path ownership

def _host_binds(plan: Plan, pod: Pod) -> Iterator[tuple[Container, BindMount, HostPath]]:
    """Writable-or-not binds of a plan hostPath (directory or any), per container."""
    for c in _containers(pod):
        for m in c.mounts:
            if not isinstance(m, BindMount):
                continue
            hp = next((h for h in plan.host_paths
                       if m.source == h.path or m.source.startswith(h.path.rstrip("/") + "/")), None)
            if hp is not None and hp.expect in ("any", "directory"):
                yield c, m, hp


def _ownership(pod: Pod, c: Container, bind: BindMount, hp: HostPath, facts: HostFacts,
               fix: bool, out: Preflight) -> None:
    uid, gid = _user(c)
    uid = uid or 0
    st = _path_facts(facts, bind.source, hp)
    if bind.read_only or st is None or (st.exists and not st.is_dir):
        return
    if not _predictable(pod.userns):
        out.diagnostics.append(warning(
            f"cannot tell whether container {c.name} ({pod.source}) can write {bind.source}: "
            f"--userns {pod.userns} maps it to host ids Podman picks at creation", _pos(pod)))
        return
    host_uid = userns.host_uid(facts, pod.userns, uid)
    host_gid = userns.host_gid(facts, pod.userns, gid) if gid is not None else None
    if host_uid is None or _writable(st, c, uid, host_uid, host_gid, facts):
        return
    step = _fix(pod, c, bind, hp, st, uid, gid, host_uid, host_gid, facts)
    # rootless, the namespace can chown only what it maps (the user's own and subordinate ids)
    can_fix = facts.euid == 0 or (facts.rootless and _maps(facts, st))
    if fix and can_fix:
        if all(f.path != step.path for f in out.fixes):
            out.fixes.append(step)
        return
    how = ("apply --fix-ownership does it, or run: " + " ".join(step.command()) if can_fix
           else f"as root: chown {host_uid}{'' if host_gid is None else f':{host_gid}'} {bind.source}")
    owner = f", owned by uid {st.uid} mode {st.mode:04o}" if st.exists else ", which apply creates owned by you"
    out.diagnostics.append(warning(
        f"container {c.name} of {pod.source} runs as uid {uid} (uid {host_uid} on the host) and cannot "
        f"write hostPath {bind.source}{owner}", _pos(pod),
        f"the directory must belong to uid {host_uid} on the host; {how}"))


def _fix(pod: Pod, c: Container, bind: BindMount, hp: HostPath, st: PathFacts, uid: int, gid: int | None,
         host_uid: int, host_gid: int | None, facts: HostFacts) -> OwnershipFix:
    if facts.rootless:
        ns_uid = userns.namespace_id(pod.userns, uid, facts.euid)
        ns_gid = userns.namespace_id(pod.userns, gid, facts.egid) if gid is not None else None
    else:
        ns_uid, ns_gid = host_uid, host_gid
    return OwnershipFix(path=bind.source, container=c.name, uid=uid, gid=gid, ns_uid=ns_uid, ns_gid=ns_gid,
                        host_uid=host_uid, host_gid=host_gid, rootless=facts.rootless,
                        create=hp if not st.exists and bind.source == hp.path else None)


def _path_facts(facts: HostFacts, path: str, hp: HostPath) -> PathFacts | None:
    """The recorded facts; a missing path apply creates is the user's, with the hostPath mode."""
    st = facts.path(path)
    if st is not None and not st.exists:
        if not hp.create or path != hp.path:
            return None
        return PathFacts(path, False, True, facts.euid, facts.egid, hp.mode)
    return st


def _writable(st: PathFacts, c: Container, uid: int, host_uid: int, host_gid: int | None,
              facts: HostFacts) -> bool:
    """Unix permission check as the container user (container root keeps DAC override on ids it maps)."""
    if uid == 0 and not set(c.cap_drop) & set(_NO_DAC_OVERRIDE) and (not facts.rootless or _maps(facts, st)):
        return True
    if st.uid == host_uid:
        return bool(st.mode & 0o200)
    if host_gid is not None and st.gid == host_gid:
        return bool(st.mode & 0o020)
    return bool(st.mode & 0o002)


def _maps(facts: HostFacts, st: PathFacts) -> bool:
    in_range = lambda idmap, hid: any(m.host_id <= hid < m.host_id + m.size for m in idmap)  # noqa: E731
    return in_range(facts.uidmap, st.uid) and in_range(facts.gidmap, st.gid)


# ---------------------------------------------------------------- SELinux

def _selinux(pod: Pod, c: Container, bind: BindMount) -> Iterator[Diagnostic]:
    if bind.relabel or c.privileged or "disable" in c.selinux_opts:
        return
    yield warning(f"container {c.name} of {pod.source} mounts {bind.source} without SELinux relabeling "
                  "on an enforcing host: access will probably be denied", _pos(pod),
                  "use --selinux-relabel auto, or the bind-mount-options annotation "
                  f"({posixpath.normpath(bind.source)}:z)")


# ---------------------------------------------------------------- helpers

def _containers(pod: Pod) -> list[Container]:
    return [*pod.init_containers, *pod.containers]


def _user(c: Container) -> tuple[int | None, int | None]:
    """``--user UID[:GID]`` as numbers (None: not set or not numeric)."""
    uid, _, gid = c.user.partition(":")
    return (int(uid) if uid.isdigit() else None), (int(gid) if gid.isdigit() else None)


def _predictable(mode: str) -> bool:
    return mode.partition(":")[0] in ("", "host", "keep-id", "nomap")


def _pos(pod: Pod) -> SourcePos | None:
    src = pod.source
    return SourcePos(src.file, src.line, 1 if src.line else 0) if src.file else None

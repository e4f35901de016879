"""Which host uid a container uid is, for a pod's ``--userns`` mode.

Rootless Podman runs in the user's own namespace (the ``/info`` idMappings:
0 -> the user, 1.. -> the subuid ranges); ``podman unshare`` enters it. A
container's id goes to an id of that namespace first:

| --userns              | container id u -> namespace id                         |
|-----------------------|--------------------------------------------------------|
| "" (default), host    | u                                                      |
| keep-id[:uid=K]       | K -> 0 (the user); u < K -> u + 1; u > K -> u           |
| nomap                 | u + 1 (the user is not mapped)                         |
| auto, anything else   | unknown (Podman picks the range when it creates the pod) |

Rootful Podman: the namespace is the host (auto: unknown).

``--userns`` of the CLI (as kube play's, it overrides every pod's mode) is a
translate option: ``translate.Options.userns``.
"""

from __future__ import annotations

from kube2pod.host.facts import HostFacts, IdMap


def namespace_id(userns: str, container_id: int, keep_id: int) -> int | None:
    """The id in the user's namespace (what ``podman unshare chown`` takes); None: unknown."""
    mode, _, options = userns.partition(":")
    if mode in ("", "host"):
        return container_id
    if mode == "keep-id":
        k = _option(options, "uid", keep_id)
        if container_id == k:
            return 0
        return container_id + 1 if container_id < k else container_id
    if mode == "nomap":
        return container_id + 1
    return None


def host_uid(facts: HostFacts, userns: str, uid: int) -> int | None:
    """The host uid of container uid ``uid``; None when unknown or not mapped."""
    return _host_id(facts, userns, uid, facts.uidmap, facts.euid)


def host_gid(facts: HostFacts, userns: str, gid: int) -> int | None:
    return _host_id(facts, userns, gid, facts.gidmap, facts.egid)


def mapped_size(idmap: tuple[IdMap, ...]) -> int:
    """How many ids the namespace maps (0 .. size - 1 when contiguous)."""
    return sum(m.size for m in idmap)


def _host_id(facts: HostFacts, userns: str, cid: int, idmap: tuple[IdMap, ...], own: int) -> int | None:
    if not facts.rootless:
        return cid if userns.partition(":")[0] in ("", "host", "keep-id", "nomap") else None
    ns = namespace_id(userns, cid, own)
    if ns is None:
        return None
    for m in idmap:
        if m.container_id <= ns < m.container_id + m.size:
            return m.host_id + ns - m.container_id
    return None


def _option(options: str, key: str, default: int) -> int:
    for item in options.split(","):
        name, _, value = item.partition("=")
        if name == key and value.isdigit():
            return int(value)
    return default

"""An ownership fix the host checks propose for a hostPath directory a non-root container
user must write (apply/chown.py carries it out).

A fix is ``chown`` of the directory itself (not its content) to the container's
uid[:gid] as seen from the host: rootless, ``podman unshare chown NSUID[:NSGID] DIR``
in the user's namespace (uid 1000 with subuid base 100000 is host uid 100999);
as root, ``chown HOSTUID[:HOSTGID] DIR``. A directory apply would create
(DirectoryOrCreate) is created first, and removed again when the apply fails.
"""

from __future__ import annotations

from dataclasses import dataclass

from kube2pod.plan import HostPath


@dataclass(frozen=True)
class OwnershipFix:
    """Give ``path`` to container uid ``uid`` (gid ``gid``, None: keep the group).

    ``ns_*``: the ids in the rootless user's namespace; ``host_*``: on the host.
    ``create``: the hostPath to create first (missing DirectoryOrCreate).
    """

    path: str
    container: str
    uid: int
    gid: int | None
    ns_uid: int
    ns_gid: int | None
    host_uid: int
    host_gid: int | None
    rootless: bool
    create: HostPath | None = None

    def command(self) -> list[str]:
        """The command a person would run (shown in dry runs and warnings)."""
        if self.rootless:
            return ["podman", "unshare", "chown", ids(self.ns_uid, self.ns_gid), self.path]
        return ["chown", ids(self.host_uid, self.host_gid), self.path]

    def describe(self) -> str:
        return (f"owner {ids(self.host_uid, self.host_gid)} on the host, "
                f"{ids(self.uid, self.gid)} in container {self.container}")


def ids(uid: int, gid: int | None) -> str:
    """``uid`` or ``uid:gid``, as chown takes them."""
    return str(uid) if gid is None else f"{uid}:{gid}"

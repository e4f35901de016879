"""Ownership fixes of hostPath directories a non-root container user must write.

A fix is ``chown`` of the directory itself (not its content) to the container's
uid[:gid] as seen from the host: rootless, ``podman unshare chown NSUID[:NSGID] DIR``
in the user's namespace (uid 1000 with subuid base 100000 is host uid 100999);
as root, ``chown HOSTUID[:HOSTGID] DIR``. A directory apply would create
(DirectoryOrCreate) is created first, and removed again when the apply fails.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass

from kube2pod.apply import hostpaths
from kube2pod.apply.errors import ApplyError
from kube2pod.apply.events import Event, Reporter
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
            return ["podman", "unshare", "chown", _ids(self.ns_uid, self.ns_gid), self.path]
        return ["chown", _ids(self.host_uid, self.host_gid), self.path]

    def describe(self) -> str:
        return (f"owner {_ids(self.host_uid, self.host_gid)} on the host, "
                f"{_ids(self.uid, self.gid)} in container {self.container}")


@contextlib.contextmanager
def fixed(fixes: list[OwnershipFix], report: Reporter, *, dry_run: bool = False) -> Iterator[None]:
    """Run the fixes (dry run: only report them) around the block; when the block fails,
    remove the directories created for them."""
    if dry_run:
        for fix in fixes:
            report(Event("fix owner", "host path", fix.path, f"{fix.describe()}: {' '.join(fix.command())}"))
        yield
        return
    made = apply(fixes)
    for fix in fixes:
        report(Event("owner fixed", "host path", fix.path, fix.describe()))
    try:
        yield
    except BaseException:
        undo(made)
        raise


def apply(fixes: list[OwnershipFix], *, euid: int | None = None) -> list[str]:
    """Run the fixes; returns the paths created for them (``undo`` removes those).
    As root the host ids are set directly; otherwise through ``podman unshare``."""
    euid = os.geteuid() if euid is None else euid
    made: list[str] = []
    try:
        for fix in fixes:
            if fix.create is not None and not os.path.exists(fix.path):
                made += hostpaths.create(fix.create)
            _chown(fix, euid)
    except BaseException:
        hostpaths.remove(made)
        raise
    return made


def undo(made: list[str]) -> None:
    """Remove the directories ``apply`` created (if still empty)."""
    hostpaths.remove(made)


def _chown(fix: OwnershipFix, euid: int) -> None:
    if euid == 0:
        try:
            os.chown(fix.path, fix.host_uid, -1 if fix.host_gid is None else fix.host_gid)
        except OSError as exc:
            raise ApplyError(f"chown {fix.path}: {exc.strerror}") from None
        return
    podman = shutil.which("podman")
    if podman is None:
        raise ApplyError(f"cannot fix the owner of {fix.path}: the podman command is not installed")
    argv = [podman, *fix.command()[1:]]
    done = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ApplyError(f"{' '.join(fix.command())} failed: {done.stderr.strip() or done.returncode}")


def _ids(uid: int, gid: int | None) -> str:
    return str(uid) if gid is None else f"{uid}:{gid}"

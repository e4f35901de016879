"""Carry out ownership fixes (host/ownership_fix.py): ``chown`` of a hostPath directory, as
root directly, rootless through ``podman unshare``; a directory created for a fix is removed
again when the apply fails."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator

from kube2pod.apply import hostpaths
from kube2pod.apply.errors import ApplyError
from kube2pod.apply.events import Event, Reporter
from kube2pod.host.ownership_fix import OwnershipFix


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

"""HostPath plan steps on the local host: check type, create DirectoryOrCreate / FileOrCreate."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess

from kube2pod.apply.errors import ApplyError
from kube2pod.plan import HostPath

_CHECKS = {
    "directory": (stat.S_ISDIR, "a directory"),
    "file": (stat.S_ISREG, "a regular file"),
    "socket": (stat.S_ISSOCK, "a socket"),
    "char-device": (stat.S_ISCHR, "a character device"),
    "block-device": (stat.S_ISBLK, "a block device"),
}


def check(hp: HostPath) -> bool:
    """True when the path exists as expected; False when it is missing and will be created."""
    try:
        st = os.stat(hp.path)
    except FileNotFoundError:
        if hp.create:
            return False
        raise ApplyError(f"hostPath {hp.path} of {hp.source} ({hp.source.location}) does not exist") from None
    except OSError as exc:
        raise ApplyError(f"hostPath {hp.path}: {exc.strerror}") from None
    if hp.expect in _CHECKS:
        test, what = _CHECKS[hp.expect]
        if not test(st.st_mode):
            raise ApplyError(f"hostPath {hp.path} of {hp.source} ({hp.source.location}) is not {what}")
    return True


def create(hp: HostPath) -> list[str]:
    """Create the path (and missing parents); returns what was created, deepest last."""
    made: list[str] = []
    parent = os.path.dirname(hp.path) if hp.expect == "file" else hp.path
    missing = []
    p = parent
    while p and p != "/" and not os.path.exists(p):
        missing.append(p)
        p = os.path.dirname(p)
    try:
        for d in reversed(missing):
            os.mkdir(d, hp.mode if d == hp.path else 0o755)
            os.chmod(d, hp.mode if d == hp.path else 0o755)
            made.append(d)
        if hp.expect == "file":
            fd = os.open(hp.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, hp.mode)
            os.close(fd)
            os.chmod(hp.path, hp.mode)
            made.append(hp.path)
    except OSError as exc:
        remove(made)
        raise ApplyError(f"creating hostPath {hp.path}: {exc.strerror}") from None
    return made


def remove(made: list[str]) -> None:
    """Undo ``create``: remove what it made, if still empty (rootless, a directory in one that a
    container's user owns through ``podman unshare``, as apply/sub_paths.py made it)."""
    for p in reversed(made):
        try:
            if os.path.isdir(p) and not os.path.islink(p):
                os.rmdir(p)
            elif os.path.getsize(p) == 0:
                os.unlink(p)
        except PermissionError:
            if os.geteuid() != 0 and shutil.which("podman") and os.path.isdir(p) and not os.path.islink(p):
                subprocess.run(["podman", "unshare", "rmdir", p], stdin=subprocess.DEVNULL, capture_output=True,
                               check=False)
        except OSError:
            pass

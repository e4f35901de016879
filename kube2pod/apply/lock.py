"""Serialising kube2pod runs on one Podman store: a per-project file lock.

The lock file is ``<state dir>/<store>-<project>.lock`` where ``store`` is a
digest of the Podman store (graph root and run root, so the same store reached
through different sockets shares a lock) and ``project`` names the input set.
State dir: ``$KUBE2POD_STATE_DIR``, else ``/run/lock/kube2pod`` as root, else
``$XDG_RUNTIME_DIR/kube2pod`` (or the temp dir). The transaction journal of
a run lives beside its lock (see journal.py).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from kube2pod.apply.errors import ApplyError

DEFAULT_TIMEOUT = 300.0


def state_dir() -> Path:
    """Where locks and journals live (created 0700 when missing)."""
    explicit = os.environ.get("KUBE2POD_STATE_DIR")
    if explicit:
        base = Path(explicit)
    elif os.geteuid() == 0:
        base = Path("/run/lock/kube2pod")
    else:
        base = Path(os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir()) / f"kube2pod-{os.geteuid()}"
    base.mkdir(mode=0o700, parents=True, exist_ok=True)
    return base


def key(store_id: str, project: str) -> str:
    """File-name stem for a (store, project) pair."""
    digest = hashlib.sha256(store_id.encode()).hexdigest()[:12]
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in project)
    return f"{digest}-{safe}"


@contextlib.contextmanager
def hold(stem: str, *, timeout: float = DEFAULT_TIMEOUT, on_wait=lambda: None) -> Iterator[Path]:
    """Hold the exclusive lock ``<state dir>/<stem>.lock``; ``on_wait`` is called once
    if another run holds it. Raises ApplyError after ``timeout`` seconds."""
    path = state_dir() / f"{stem}.lock"
    with open(path, "a+") as f:
        deadline = time.monotonic() + timeout
        waited = False
        while True:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not waited:
                    on_wait()
                    waited = True
                if time.monotonic() > deadline:
                    raise ApplyError(f"another kube2pod run on this project still holds {path} "
                                     f"after {timeout:.0f} s") from None
                time.sleep(0.1)
        try:
            yield path
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)

"""The installed podman's version, for ``convert``/``validate`` without ``--podman-version``.

``podman --version`` prints ``podman version 4.3.1`` (~0.04 s); only the CLI asks (the library's
target is always given to it), and it starts the command first thing so that it overlaps loading
and translating. No podman on PATH, or one that fails or does not answer in time: None.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable

TIMEOUT = 10.0


def start() -> Callable[[], str | None]:
    """Start ``podman --version``; the returned function waits for it: ``"4.3.1"``, or None."""
    exe = shutil.which("podman")
    if exe is None:
        return lambda: None
    try:
        proc = subprocess.Popen([exe, "--version"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    except OSError:
        return lambda: None

    def text() -> str | None:
        try:
            out, _ = proc.communicate(timeout=TIMEOUT)
        except subprocess.SubprocessError:
            proc.kill()
            proc.wait()
            return None
        words = out.split()
        return words[-1] if proc.returncode == 0 and words else None

    return text


def installed() -> str | None:
    """The version text of the ``podman`` on PATH (``4.3.1``), or None."""
    return start()()

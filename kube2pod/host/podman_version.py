"""The installed podman's version, for ``convert`` without ``--podman-version``.

``podman --version`` prints ``podman version 4.3.1``; only the CLI asks (the library's
target is always given to it). No podman on PATH, or one that does not answer in time: None.
"""

from __future__ import annotations

import shutil
import subprocess

TIMEOUT = 10.0


def installed() -> str | None:
    """The version text of the ``podman`` on PATH (``4.3.1``), or None."""
    exe = shutil.which("podman")
    if exe is None:
        return None
    try:
        done = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=TIMEOUT, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    words = done.stdout.split()
    return words[-1] if done.returncode == 0 and words else None

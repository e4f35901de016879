"""Write a volume's files (configMap volumes) into its mountpoint on the local host.

The content is replaced as a whole, as ``render/volume_script.py`` does in a
script: what the volume's mountpoint (from the API) holds besides the plan's files is removed,
then each file is written in place and given its mode. Runs on every apply, so a changed
ConfigMap reaches running containers, as in Kubernetes. A file of the plan that exists is
rewritten in place, not removed and made again: a projected volume's secret key is mounted
over such a file (translate/projected.py), and a new file would no longer be under the mount.
"""

from __future__ import annotations

import base64
import os
import shutil

from kube2pod.apply.errors import ApplyError
from kube2pod.apply.podman_api import PodmanAPI
from kube2pod.plan import Volume


def write(api: PodmanAPI, vol: Volume) -> None:
    info = api.volume_inspect(vol.name) or {}
    root = info.get("Mountpoint") or ""
    if not root or not os.path.isdir(root):
        raise ApplyError(f"volume {vol.name}: its mountpoint {root!r} is not a directory on this host; "
                         "configMap volumes need a local Podman")
    files = vol.files or []
    wanted = {f.path for f in files}
    dirs = {d for f in files for d in _parents(f.path)}
    try:
        _prune(root, "", wanted, dirs)
        for f in files:
            target = os.path.join(root, f.path)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            data = base64.b64decode(f.base64) if f.base64 is not None else (f.text or "").encode()
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, f.mode)
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.chmod(target, f.mode)
    except OSError as exc:
        raise ApplyError(f"volume {vol.name}: writing its files: {exc}") from None


def _parents(path: str) -> list[str]:
    """``a/b/c`` -> ``a``, ``a/b``."""
    parts = path.split("/")[:-1]
    return ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]


def _prune(directory: str, prefix: str, wanted: set[str], dirs: set[str]) -> None:
    """Remove what is neither a wanted file nor a directory on the way to one (symlinks too)."""
    for entry in os.scandir(directory):
        rel = f"{prefix}{entry.name}"
        if entry.is_dir(follow_symlinks=False):
            if rel in dirs:
                _prune(entry.path, rel + "/", wanted, dirs)
            else:
                shutil.rmtree(entry.path)
        elif rel not in wanted or entry.is_symlink() or not entry.is_file(follow_symlinks=False):
            os.unlink(entry.path)

"""Write a volume's files (configMap volumes) into its mountpoint on the local host.

The content is replaced as a whole, as ``render/volume_script.py`` does in a
script: the volume's mountpoint (from the API) is emptied, then each file is
written and given its mode. Runs on every apply, so a changed ConfigMap
reaches running containers, as in Kubernetes.
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
    try:
        for entry in os.scandir(root):
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
        for f in vol.files or []:
            target = os.path.join(root, f.path)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            data = base64.b64decode(f.base64) if f.base64 is not None else (f.text or "").encode()
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, f.mode)
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.chmod(target, f.mode)
    except OSError as exc:
        raise ApplyError(f"volume {vol.name}: writing its files: {exc}") from None

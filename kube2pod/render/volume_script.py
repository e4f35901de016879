"""A volume's files (configMap volumes) -> shell commands writing them into its mountpoint.

The volume's content is replaced as a whole: everything in it is removed, then
each file is written (text through ``printf``, binary data through ``base64 -d``)
and given its mode. The same steps as ``apply/volume_content.py``.
"""

from __future__ import annotations

import base64
import posixpath

from kube2pod.plan import Volume
from kube2pod.render.quoting import sh

_DIR = '"$k2p_dir"'


def commands(vol: Volume) -> list[str]:
    lines = [f"k2p_dir=$(podman volume inspect --format '{{{{.Mountpoint}}}}' {sh(vol.name)})",
             f"find {_DIR} -mindepth 1 -delete"]
    dirs = sorted({posixpath.dirname(f.path) for f in vol.files or []} - {""})
    lines += [f"mkdir -p {_DIR}/{sh(d)}" for d in dirs]
    for f in vol.files or []:
        target = f"{_DIR}/{sh(f.path)}"
        if f.text is not None and "\0" not in f.text:
            lines.append(f"printf '%s' {sh(f.text)} > {target}")
        else:
            data = f.base64 if f.base64 is not None else base64.b64encode((f.text or "").encode()).decode()
            lines.append(f"printf '%s' {sh(data)} | base64 -d > {target}")
        lines.append(f"chmod {f.mode:04o} {target}")
    return lines

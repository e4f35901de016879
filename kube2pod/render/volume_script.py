"""A volume's files (configMap volumes) -> shell commands writing them into its mountpoint.

The volume's content is replaced as a whole: everything in it is removed, then
each file is written (text through ``printf``, binary data through ``base64 -d``)
and given its mode. The same steps as ``apply/volume_content.py``. Only kube2pod's own volume
(label ``io.kube2pod.managed=true``) is emptied: for any other the commands stop with a message,
as apply refuses it (the script and the Quadlet volume unit both run these commands).
"""

from __future__ import annotations

import base64
import posixpath

from kube2pod.plan import Volume
from kube2pod.plan.ownership_labels import MANAGED
from kube2pod.render.quoting import sh

_DIR = '"$k2p_dir"'


def commands(vol: Volume, owner_checked: bool = False) -> list[str]:
    """``owner_checked``: the caller has already stopped unless kube2pod owns the volume."""
    lines = [] if owner_checked else [owned_or_stop("volume", vol.name)]
    lines += [f"k2p_dir=$(podman volume inspect --format '{{{{.Mountpoint}}}}' {sh(vol.name)})",
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


#: Where ``podman KIND inspect`` keeps an object's labels.
LABELS = {"volume": ".Labels", "secret": ".Spec.Labels", "network": ".Labels"}


def label_format(kind: str) -> str:
    """The ``podman KIND inspect --format`` template of the ownership label's value."""
    return f'{{{{index {LABELS[kind]} "{MANAGED}"}}}}'


def owned_or_stop(kind: str, name: str) -> str:
    """A command that stops (exit 1, with a message) unless ``podman KIND NAME`` carries kube2pod's
    ownership label."""
    label = label_format(kind)
    why = (f"kube2pod: {kind} {name} already exists and was not created by kube2pod; "
           "remove it or rename it (nothing was changed in it)")
    return f'[ "$(podman {kind} inspect --format {sh(label)} {sh(name)})" = true ] || {{ echo {sh(why)} >&2; exit 1; }}'

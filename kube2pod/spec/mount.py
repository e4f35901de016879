"""A container's mounts as podman options: ``--mount`` text and the REST ``mounts``/``volumes``.

Bind mount: ``type=bind,source=S,destination=D[,relabel=private|shared][,bind-propagation=P][,ro=true]``
-> REST ``mounts: [{type: bind, source, destination, options: [rbind, ro, z|Z, P]}]``.
Named volume: ``type=volume,source=V,destination=D[,subpath=P][,ro=true]``
-> REST ``volumes: [{Name, Dest, Options: [ro], SubPath}]``.

A sub-path of a named volume (:data:`SUBPATH`): the REST ``SubPath`` exists from Podman 4.4,
the CLI's (and so Quadlet's) ``--mount type=volume,subpath=`` from 5.4. One decision per
target (``for_version``): from the version where every output has it, the native mount;
before, :class:`SubPathBind`, a bind of ``<the volume's mountpoint>/<subPath>``. The
mountpoint is known on the host only: apply fills it in (``with_mountpoints``), the script
reads it into a variable (``MARK`` stands for it in the argument text until then).
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable
from typing import Literal

from kube2pod.plan import BindMount, VolumeMount
from kube2pod.plan.base import Frozen
from kube2pod.spec.option import OUTPUTS, Feature, Option
from kube2pod.spec.version import Version

#: ``subpath=`` of a named volume mount: its form and first version per output.
SUBPATH = Option("--mount", "volumes.SubPath", "Mount", since=Version(5, 4), since_by={"rest": Version(4, 4)})
#: The first target whose every output mounts a sub-path natively.
NATIVE_SUBPATH = max(SUBPATH.first_version(o) for o in OUTPUTS)
#: Delimits a volume name standing for its mountpoint in ``--mount`` text (NUL: no argument has one).
MARK = "\0"


class SubPathBind(Frozen):
    """A named volume's sub-path as a bind mount, for a target without volume ``subpath``:
    ``type=bind,source=<mountpoint>/<subpath>,destination=D[,ro=true]``; ``mountpoint`` is
    filled in on the host (``with_mountpoints``)."""

    type: Literal["volume-subpath"] = "volume-subpath"
    volume: str
    subpath: str
    destination: str
    read_only: bool = False
    mountpoint: str = ""

    def source(self) -> str:
        return posixpath.join(self.mountpoint or f"{MARK}{self.volume}{MARK}", self.subpath)


def for_version(mounts: list, version: Version) -> list:
    """The plan's mounts for ``version``: a volume sub-path as a :class:`SubPathBind` before
    :data:`NATIVE_SUBPATH`."""
    if version >= NATIVE_SUBPATH or not any(isinstance(m, VolumeMount) and m.subpath for m in mounts):
        return mounts
    return [SubPathBind.make(volume=m.volume, subpath=m.subpath, destination=m.destination, read_only=m.read_only)
            if isinstance(m, VolumeMount) and m.subpath else m for m in mounts]


def with_mountpoints(mounts: list, mountpoint: Callable[[str], str]) -> list:
    """``mounts`` with each :class:`SubPathBind`'s mountpoint filled in by ``mountpoint(volume)``."""
    return [m.replace(mountpoint=mountpoint(m.volume)) if isinstance(m, SubPathBind) else m for m in mounts]


def sub_paths(containers: Iterable) -> list[tuple[str, str]]:
    """``(volume, subpath)`` of every sub-path of a named volume the plan's ``containers`` mount,
    once each: the directories to create in the volume when missing, as the kubelet does."""
    seen = {(m.volume, m.subpath): None for c in containers for m in c.mounts if isinstance(m, VolumeMount) and m.subpath}
    return list(seen)


def csv_field(value: str) -> str:
    """A field of podman's CSV-parsed ``--mount`` option (quoted when it has , or ")."""
    if any(c in value for c in ',"\n\r'):
        return '"' + value.replace('"', '""') + '"'
    return value


def option_text(m: BindMount | VolumeMount | SubPathBind, volume_suffix: str = "") -> str:
    """The ``--mount`` value; ``volume_suffix`` follows a named volume's name (Quadlet's
    ``.volume`` unit reference)."""
    if isinstance(m, BindMount):
        fields = ["type=bind", f"source={m.source}", f"destination={m.destination}"]
        if m.relabel:
            fields.append("relabel=" + ("private" if m.relabel == "Z" else "shared"))
        if m.propagation:
            fields.append(f"bind-propagation={m.propagation}")
    elif isinstance(m, SubPathBind):
        fields = ["type=bind", f"source={m.source()}", f"destination={m.destination}"]
    else:
        fields = ["type=volume", f"source={m.volume}{volume_suffix}", f"destination={m.destination}"]
        if m.subpath:
            fields.append(f"subpath={m.subpath}")
    if m.read_only:
        fields.append("ro=true")
    return ",".join(csv_field(f) for f in fields)


def words(mounts: list) -> list[str]:
    return [option_text(m) for m in mounts]


def features(mounts: list) -> list[Feature]:
    """The newer parts of the mounts: a named volume's ``subpath`` (:data:`SUBPATH`; before
    :data:`NATIVE_SUBPATH` :func:`for_version` has made it a bind already)."""
    return [Feature("subpath= of a named volume mount", SUBPATH.since, i, SUBPATH.since_by)
            for i, m in enumerate(mounts) if isinstance(m, VolumeMount) and m.subpath]


def body(mounts: list) -> dict:
    """``mounts`` (binds) and ``volumes`` (named volumes) of a SpecGenerator, in order."""
    binds, volumes = [], []
    for m in mounts:
        if isinstance(m, BindMount):
            binds.append({"type": "bind", "source": m.source, "destination": m.destination, "options": _bind_options(m)})
        elif isinstance(m, SubPathBind):
            if not m.mountpoint:
                raise ValueError(f"the mountpoint of volume {m.volume} is not known: with_mountpoints() first")
            binds.append({"type": "bind", "source": m.source(), "destination": m.destination,
                          "options": ["rbind", "ro"] if m.read_only else ["rbind"]})
        else:
            named = {"Name": m.volume, "Dest": m.destination, "Options": ["ro"] if m.read_only else []}
            if m.subpath:
                named["SubPath"] = m.subpath
            volumes.append(named)
    return {"mounts": binds, "volumes": volumes}


def _bind_options(m: BindMount) -> list[str]:
    opts = ["rbind"]
    if m.read_only:
        opts.append("ro")
    if m.relabel:
        opts.append(m.relabel)
    if m.propagation:
        opts.append(m.propagation)
    return opts

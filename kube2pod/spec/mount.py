"""A container's mounts as podman options: ``--mount`` text and the REST ``mounts``/``volumes``.

Bind mount: ``type=bind,source=S,destination=D[,relabel=private|shared][,bind-propagation=P][,ro=true]``
-> REST ``mounts: [{type: bind, source, destination, options: [rbind, ro, z|Z, P]}]``.
Named volume: ``type=volume,source=V,destination=D[,subpath=P][,ro=true]``
-> REST ``volumes: [{Name, Dest, Options: [ro], SubPath}]``.
"""

from __future__ import annotations

from kube2pod.plan import BindMount, VolumeMount
from kube2pod.spec.option import Feature
from kube2pod.spec.version import Version


def csv_field(value: str) -> str:
    """A field of podman's CSV-parsed ``--mount`` option (quoted when it has , or ")."""
    if any(c in value for c in ',"\n\r'):
        return '"' + value.replace('"', '""') + '"'
    return value


def option_text(m: BindMount | VolumeMount, volume_suffix: str = "") -> str:
    """The ``--mount`` value; ``volume_suffix`` follows a named volume's name (Quadlet's
    ``.volume`` unit reference)."""
    if isinstance(m, BindMount):
        fields = ["type=bind", f"source={m.source}", f"destination={m.destination}"]
        if m.relabel:
            fields.append("relabel=" + ("private" if m.relabel == "Z" else "shared"))
        if m.propagation:
            fields.append(f"bind-propagation={m.propagation}")
    else:
        fields = ["type=volume", f"source={m.volume}{volume_suffix}", f"destination={m.destination}"]
        if m.subpath:
            fields.append(f"subpath={m.subpath}")
    if m.read_only:
        fields.append("ro=true")
    return ",".join(csv_field(f) for f in fields)


def words(mounts: list) -> list[str]:
    return [option_text(m) for m in mounts]


#: ``subpath=`` of a named volume: libpod's NamedVolume.SubPath (REST) since 4.4, the ``--mount``
#: option (CLI, Quadlet's ``Mount=``) since 5.4.
VOLUME_SUBPATH = {"rest": Version(4, 4), "cli": Version(5, 4), "quadlet": Version(5, 4)}


def features(mounts: list) -> list[Feature]:
    """The newer parts of the mounts: a named volume's ``subpath``."""
    return [Feature("subpath= of a named volume mount", Version(4, 4), i, VOLUME_SUBPATH)
            for i, m in enumerate(mounts) if isinstance(m, VolumeMount) and m.subpath]


def body(mounts: list) -> dict:
    """``mounts`` (binds) and ``volumes`` (named volumes) of a SpecGenerator, in order."""
    binds, volumes = [], []
    for m in mounts:
        if isinstance(m, BindMount):
            binds.append({"type": "bind", "source": m.source, "destination": m.destination, "options": _bind_options(m)})
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

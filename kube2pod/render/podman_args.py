"""Plan nodes -> podman CLI argument lists (the same options the executor sends to the API)."""

from __future__ import annotations

import json

from kube2pod.plan import BindMount, Container, Pod, Volume, VolumeMount
from kube2pod.render.quoting import csv_field


def _opt(flag: str, value: str) -> str:
    """``--flag=value``: one argument, so a value starting with ``-`` is never read as a flag."""
    return f"{flag}={value}"


def volume_create(vol: Volume) -> list[str]:
    args = ["podman", "volume", "create"]
    if vol.driver:
        args.append(_opt("--driver", vol.driver))
    for k, v in vol.labels.items():
        args.append(_opt("--label", f"{k}={v}"))
    for k, v in vol.options.items():
        args.append(_opt("--opt", f"{k}={v}"))
    return args + [vol.name]


def pod_create(pod: Pod) -> list[str]:
    args = ["podman", "pod", "create", _opt("--name", pod.name)]
    if pod.hostname:
        args.append(_opt("--hostname", pod.hostname))
    for k, v in pod.labels.items():
        args.append(_opt("--label", f"{k}={v}"))
    for p in pod.ports:
        host = f"{p.host_ip}:" if p.host_ip else ""
        args.append(_opt("--publish", f"{host}{p.host_port}:{p.container_port}/{p.protocol}"))
    return args


def mount_option(m: BindMount | VolumeMount) -> str:
    if isinstance(m, BindMount):
        fields = ["type=bind", f"source={m.source}", f"destination={m.destination}"]
        if m.relabel:
            fields.append("relabel=" + ("private" if m.relabel == "Z" else "shared"))
        if m.propagation:
            fields.append(f"bind-propagation={m.propagation}")
    else:
        fields = ["type=volume", f"source={m.volume}", f"destination={m.destination}"]
        if m.subpath:
            fields.append(f"subpath={m.subpath}")
    if m.read_only:
        fields.append("ro=true")
    return ",".join(csv_field(f) for f in fields)


def container_create(pod: Pod, c: Container) -> list[str]:
    args = ["podman", "create", _opt("--pod", pod.name), _opt("--name", c.name), _opt("--pull", c.pull_policy)]
    for k, v in c.labels.items():
        args.append(_opt("--label", f"{k}={v}"))
    if c.workdir:
        args.append(_opt("--workdir", c.workdir))
    for e in c.env:
        args.append(_opt("--env", f"{e.name}={e.value}"))
    for m in c.mounts:
        args.append(_opt("--mount", mount_option(m)))
    for d in c.devices:
        args.append(_opt("--device", f"{d.host_path}:{d.container_path}"))
    for cap in c.cap_add:
        args.append(_opt("--cap-add", cap))
    for cap in c.cap_drop:
        args.append(_opt("--cap-drop", cap))
    if c.entrypoint is not None:
        args.append(_opt("--entrypoint", json.dumps(c.entrypoint)))
    args.append(c.image)
    return args + list(c.command or [])


def pod_start(pod: Pod) -> list[str]:
    return ["podman", "pod", "start", pod.name]

"""Plan nodes -> Podman API request bodies (libpod SpecGenerator / PodSpecGenerator).

They carry the same options as the CLI arguments the shell renderer prints
(``render/podman_args.py``), so a script and an apply make the same containers.
"""

from __future__ import annotations

from kube2pod.plan import BindMount, Container, Pod, Volume


def volume_body(vol: Volume) -> dict:
    body: dict = {"Name": vol.name, "Label": dict(vol.labels), "Options": dict(vol.options)}
    if vol.driver:
        body["Driver"] = vol.driver
    return body


def pod_body(pod: Pod) -> dict:
    body: dict = {"name": pod.name, "labels": dict(pod.labels)}
    if pod.hostname:
        body["hostname"] = pod.hostname
    if pod.ports:
        body["portmappings"] = [
            {"host_ip": p.host_ip, "host_port": p.host_port, "container_port": p.container_port, "protocol": p.protocol}
            for p in pod.ports
        ]
    return body


def container_body(pod: Pod, c: Container) -> dict:
    body: dict = {
        "name": c.name,
        "pod": pod.name,
        "image": c.image,
        "labels": dict(c.labels),
        "env": {e.name: e.value for e in c.env},
    }
    if c.entrypoint is not None:
        body["entrypoint"] = list(c.entrypoint)
    if c.command is not None:
        body["command"] = list(c.command)
    if c.workdir:
        body["work_dir"] = c.workdir
    mounts, volumes = [], []
    for m in c.mounts:
        if isinstance(m, BindMount):
            mounts.append({"type": "bind", "source": m.source, "destination": m.destination, "options": _bind_options(m)})
        else:
            opts = ["ro"] if m.read_only else []
            volumes.append({"Name": m.volume, "Dest": m.destination, "Options": opts})
    if mounts:
        body["mounts"] = mounts
    if volumes:
        body["volumes"] = volumes
    if c.devices:
        body["devices"] = [{"path": f"{d.host_path}:{d.container_path}"} for d in c.devices]
    if c.cap_add:
        body["cap_add"] = list(c.cap_add)
    if c.cap_drop:
        body["cap_drop"] = list(c.cap_drop)
    return body


def _bind_options(m: BindMount) -> list[str]:
    opts = ["rbind"]
    if m.read_only:
        opts.append("ro")
    if m.relabel:
        opts.append(m.relabel)
    if m.propagation:
        opts.append(m.propagation)
    return opts

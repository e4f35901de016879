"""A pod spec -> a plan Pod and the volumes/host paths it needs.

| pod spec                       | plan                                                           |
|--------------------------------|----------------------------------------------------------------|
| hostname                       | ``--hostname`` (default: the pod name)                         |
| hostNetwork                    | pod ``--network host``; no ports are published (they are the host's) |
| hostPID                        | pod ``--pid host`` (pid shared)                                 |
| hostIPC                        | ipc not shared; every container ``--ipc host``                  |
| shareProcessNamespace          | pid added to ``--share`` (default ipc,net,uts)                  |
| hostUsers: false               | ``--userns auto`` (the userns annotation wins)                  |
| Options.userns (CLI --userns)  | every pod's ``--userns``, over both (as kube play's); private = auto |
| hostAliases                    | ``--add-host host:ip`` for each hostname                         |
| dnsConfig                      | ``--dns``, ``--dns-search``, ``--dns-option name[:value]``       |
| securityContext.sysctls        | pod ``--sysctl``                                                |
| restartPolicy                  | container ``--restart`` always / on-failure / no (default always); init containers no |
| terminationGracePeriodSeconds  | container ``--stop-timeout``                                    |
| labels / annotations           | pod and container labels / container annotations                |
| initContainers                 | ``--init-ctr once|always`` containers, created first            |
"""

from __future__ import annotations

from collections.abc import Callable

from kube2pod.load.manifest import Manifest
from kube2pod.plan import Container, HostPath, ObjectRef, Pod, SecretFile, Volume
from kube2pod.plan import ownership_labels
from kube2pod.translate.container import translate_container
from kube2pod.translate.context import Context
from kube2pod.translate.initcontainers import init_containers
from kube2pod.translate.mounts import secret_mounts, sub_path_host_paths
from kube2pod.translate.ports import pod_ports
from kube2pod.translate.volumes import resolve
from kube2pod.translate.workload import PodSource

RESTART = {"Always": "always", "OnFailure": "on-failure", "Never": "no"}
USERNS_MODES = ("host", "auto", "keep-id", "nomap", "ns", "private")


def userns_mode(mode: str) -> str:
    """The ``--userns`` value of a ``Options.userns`` mode ("" stays ""); ValueError for one podman lacks."""
    if mode and mode.partition(":")[0] not in USERNS_MODES:
        raise ValueError(f"--userns {mode!r}: expected one of host, auto[:OPTIONS], keep-id[:OPTIONS], "
                         "nomap, ns:PATH, private")
    return "auto" if mode == "private" else mode


def translate_pod(
    src: PodSource,
    name: str,
    relabel: Callable[[str], str],
    claims: dict[str, ObjectRef],
    pvcs: dict[str, Manifest],
    publish_all: bool,
    userns: str = "",
) -> tuple[Pod | None, list[Volume], list[HostPath]]:
    """``userns``: a ``userns_mode`` every pod gets ("": hostUsers and the userns annotation decide)."""
    ctx, spec, notes = src.ctx, src.spec, src.annotations
    m = ctx.manifest
    owner = ownership_labels.owner_labels(m.kind, m.namespace, m.name)
    labels = {**src.labels, **notes.autoupdate_labels, **owner}
    if not spec.containers:
        return None, [], []  # refused by the loader
    vols = resolve(ctx, spec, name, claims, pvcs, owner)

    def relabel_path(path: str) -> str:
        return notes.relabel.get(path, relabel(path))

    restart = RESTART.get(spec.restart_policy or "Always", "always")  # the loader refuses other values
    stop_timeout = _stop_timeout(ctx, spec)
    ipc = "host" if spec.host_ipc else ""
    containers = []
    for i, c in enumerate(spec.containers):
        tc = translate_container(ctx, i, c, name, vols.resolved, relabel_path, labels)
        if tc is not None:
            files = secret_mounts(ctx, ("containers", i), c, vols.resolved, {e.name: e.value for e in tc.env})
            containers.append(_with_pod_settings(tc, c.name, notes, restart, stop_timeout, ipc, files))
    inits = []
    for i, c, tc in init_containers(ctx, spec, name, vols.resolved, relabel_path, labels, notes.init_type):
        files = secret_mounts(ctx, ("initContainers", i), c, vols.resolved, {e.name: e.value for e in tc.env})
        inits.append(_with_pod_settings(tc, c.name, notes, "no", stop_timeout, ipc, files))
    ctx.pulls.use(ctx, spec.image_pull_secrets, [*inits, *containers])
    pod = Pod.make(
        name=name,
        source=ctx.ref,
        hostname=spec.hostname or name,
        labels=labels,
        ports=[] if spec.host_network else pod_ports(ctx, spec, publish_all),
        share=_share(spec),
        network="host" if spec.host_network else "",
        pid="host" if spec.host_pid else "",
        userns=userns or notes.userns or ("auto" if spec.host_users is False else ""),
        infra_name=notes.infra_name,
        add_hosts=_add_hosts(ctx, spec),
        **_dns(spec),
        sysctls=_sysctls(ctx, spec),
        init_containers=inits,
        containers=containers,
    )
    return pod, vols.volumes, vols.host_paths + sub_path_host_paths(ctx, [*inits, *containers], vols.resolved)


def _with_pod_settings(c: Container, k8s_name: str, notes, restart: str, stop_timeout, ipc: str,
                       files: list[SecretFile]) -> Container:
    return c.replace(
        secret_files=files,
        annotations={**c.annotations, **notes.all},
        restart_policy=restart,
        stop_timeout=stop_timeout,
        ipc=ipc,
        seccomp_profile=notes.seccomp_for(k8s_name),
    )


def _stop_timeout(ctx: Context, spec) -> int | None:
    value = spec.termination_grace_period_seconds
    if value is None:
        return None
    if int(value) < 0:
        ctx.error(("terminationGracePeriodSeconds",), f"terminationGracePeriodSeconds must not be negative, got {value}")
        return None
    return int(value)


def _share(spec) -> list[str]:
    share = ["net", "uts"] if spec.host_ipc else ["ipc", "net", "uts"]
    if spec.share_process_namespace or spec.host_pid:
        share.append("pid")
    return share


def _add_hosts(ctx: Context, spec) -> list[str]:
    out = []
    for i, alias in enumerate(spec.host_aliases or []):
        if not alias.ip:
            ctx.error(("hostAliases", i), "hostAliases entry has no ip")
            continue
        out.extend(f"{host}:{alias.ip}" for host in alias.hostnames or [])
    return out


def _dns(spec) -> dict:
    cfg = spec.dns_config
    if cfg is None:
        return {}
    options = [o.name + (f":{o.value}" if o.value is not None else "") for o in cfg.options or [] if o.name]
    return {"dns_servers": list(cfg.nameservers or []), "dns_search": list(cfg.searches or []),
            "dns_options": options}


def _sysctls(ctx: Context, spec) -> dict[str, str]:
    sc = spec.security_context
    out: dict[str, str] = {}
    for i, s in enumerate((sc.sysctls if sc is not None else None) or []):
        if spec.host_network and s.name.startswith("net."):
            ctx.error(("securityContext", "sysctls", i, "name"),
                      f"sysctl {s.name} cannot be set with hostNetwork: it would change the host's network stack")
            continue
        out[s.name] = str(s.value)
    return out

"""A pod spec -> a plan Pod and the volumes/host paths it needs.

| pod spec                       | plan                                                           |
|--------------------------------|----------------------------------------------------------------|
| hostname                       | ``--hostname`` (default: the pod name)                         |
| hostNetwork                    | pod ``--network host --uts host``, no ``--hostname``: the host's name, as the kubelet; no ports are published (they are the host's) |
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
| initContainers, restartPolicy: Always | sidecars: containers with ``--restart always`` that every app container ``--requires`` |
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
    vols = resolve(ctx, spec, name, claims, pvcs, owner, src.claim_templates, report=name == src.pod_names[0])
    _fs_group_ownership(ctx, spec)

    def relabel_path(path: str) -> str:
        return notes.relabel.get(path, relabel(path))

    restart = RESTART.get(spec.restart_policy or "Always", "always")  # the loader refuses other values
    stop_timeout = _stop_timeout(ctx, spec)
    ipc = "host" if spec.host_ipc else ""
    found = init_containers(ctx, spec, name, vols.resolved, relabel_path, labels, notes.init_type)
    inits, sidecars = [], []
    for group, policy, out in ((found.inits, "no", inits), (found.sidecars, "always", sidecars)):
        for i, c, tc in group:
            files = secret_mounts(ctx, ("initContainers", i), c, vols.resolved, {e.name: e.value for e in tc.env})
            out.append(_with_pod_settings(tc, c.name, notes, policy, stop_timeout, ipc, files))
    requires = [c.name for c in sidecars]
    containers = list(sidecars)
    for i, c in enumerate(spec.containers):
        tc = translate_container(ctx, i, c, name, vols.resolved, relabel_path, labels)
        if tc is not None:
            files = secret_mounts(ctx, ("containers", i), c, vols.resolved, {e.name: e.value for e in tc.env})
            tc = _with_pod_settings(tc, c.name, notes, restart, stop_timeout, ipc, files)
            containers.append(tc.replace(requires=requires) if requires else tc)
    ctx.pulls.use(ctx, spec.image_pull_secrets, [*inits, *containers], name)
    pod = Pod.make(
        name=name,
        source=ctx.ref,
        hostname=_hostname(ctx, spec, name),
        labels=labels,
        ports=[] if spec.host_network else pod_ports(ctx, spec, publish_all),
        share=_share(spec),
        network="host" if spec.host_network else "",
        pid="host" if spec.host_pid else "",
        uts="host" if spec.host_network else "",
        userns=userns or notes.userns or ("auto" if spec.host_users is False else ""),
        infra_name=notes.infra_name,
        add_hosts=_add_hosts(ctx, spec),
        **_dns(spec),
        sysctls=_sysctls(ctx, spec),
        init_containers=inits,
        containers=containers,
        schedule=src.schedule,
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


#: Volume kinds whose files the kubelet gives group fsGroup (and group write on writable ones).
FS_GROUP_VOLUMES = ("emptyDir", "persistentVolumeClaim")


def _fs_group_ownership(ctx: Context, spec) -> None:
    """fsGroup is every container's supplementary group (security.py); the other half of its meaning,
    volume files owned by that group, is not done: a warning when a writable volume would need it."""
    sc = spec.security_context
    if sc is None or sc.fs_group is None:
        return
    kinds = sorted({k for v in ctx.spec_volumes() if isinstance(v, dict) for k in FS_GROUP_VOLUMES if v.get(k) is not None})
    if kinds:
        ctx.warning(("securityContext", "fsGroup"), f"fsGroup {sc.fs_group} is added to every container's groups, "
                    f"but the files of its {' and '.join(kinds)} volumes are not given that group (Kubernetes "
                    "changes their group); a new volume belongs to the container's user",
                    "run the containers as a user that may write them, or set the group with an init container")


def _hostname(ctx: Context, spec, name: str) -> str:
    """The pod's hostname: ``hostname``, else the pod name; none for hostNetwork (the host's UTS namespace)."""
    if not spec.host_network:
        return spec.hostname or name
    if spec.hostname:
        ctx.warning(("hostname",), "hostname is ignored: a hostNetwork pod has the host's hostname, as in Kubernetes")
    return ""


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

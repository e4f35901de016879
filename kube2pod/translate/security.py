"""securityContext -> user, groups and security options of a container.

The container's securityContext wins over the pod's for runAsUser,
runAsGroup, runAsNonRoot and seLinuxOptions (seLinuxOptions replace, not merge).

- runAsUser/runAsGroup -> ``--user UID[:GID]`` (only runAsGroup -> ``0:GID``, as kube play)
- pod supplementalGroups, then fsGroup -> ``--group-add`` (the kubelet adds fsGroup to the
  supplementary groups of every container; volume ownership is not changed: translate/pod.py warns)
- runAsNonRoot with runAsUser 0 -> refused (the kubelet refuses to start it)
- capabilities add/drop -> ``--cap-add``/``--cap-drop`` (``NET_ADMIN`` -> ``CAP_NET_ADMIN``)
- privileged -> ``--privileged``; readOnlyRootFilesystem -> ``--read-only``
- allowPrivilegeEscalation: false -> ``--security-opt no-new-privileges``
- seLinuxOptions user/role/type/level -> ``--security-opt label=user:...`` etc.
- procMount Unmasked -> ``--security-opt unmask=ALL``
"""

from __future__ import annotations

from kube2pod.translate.context import Context

_SELINUX = ("user", "role", "type", "level")


def security_fields(ctx: Context, cpath: tuple, container, pod_sc) -> dict | None:
    """Container fields for the effective security context; None after an error."""
    sc = container.security_context
    user, group, non_root, selinux = (_pick(sc, pod_sc, a) for a in
                                      ("run_as_user", "run_as_group", "run_as_non_root", "se_linux_options"))
    if non_root and user is not None and int(user) == 0:
        where = cpath + ("securityContext", "runAsUser") if sc is not None and sc.run_as_user is not None \
            else ("securityContext", "runAsUser")
        ctx.error(where, "runAsNonRoot is set but runAsUser is 0", "the kubelet refuses to start this container")
        return None
    out: dict = {}
    if user is not None or group is not None:
        out["user"] = f"{user if user is not None else 0}" + (f":{group}" if group is not None else "")
    groups = supplementary_groups(pod_sc)
    if groups:
        out["group_add"] = groups
    if selinux is not None:
        out["selinux_opts"] = [f"{k}:{getattr(selinux, k)}" for k in _SELINUX if getattr(selinux, k)]
    if sc is None:
        return out
    caps = sc.capabilities
    if caps is not None:
        out["cap_add"] = [_cap(c) for c in caps.add or []]
        out["cap_drop"] = [_cap(c) for c in caps.drop or []]
    out["privileged"] = bool(sc.privileged)
    out["read_only"] = bool(sc.read_only_root_filesystem)
    out["no_new_privileges"] = sc.allow_privilege_escalation is False
    if sc.proc_mount == "Unmasked":
        out["unmask"] = ["ALL"]
    elif sc.proc_mount not in (None, "Default"):
        return None  # refused by load/validate.py (load/enums.py)
    return out


def supplementary_groups(pod_sc) -> list[str]:
    """supplementalGroups then fsGroup, each once, as the kubelet gives every container."""
    if pod_sc is None:
        return []
    groups = [*(pod_sc.supplemental_groups or []), *([pod_sc.fs_group] if pod_sc.fs_group is not None else [])]
    return [str(g) for g in dict.fromkeys(int(g) for g in groups)]


def _pick(sc, pod_sc, attr: str):
    value = getattr(sc, attr) if sc is not None else None
    if value is None and pod_sc is not None:
        value = getattr(pod_sc, attr)
    return value


def _cap(name: str) -> str:
    """Kubernetes ``NET_ADMIN`` / ``CAP_NET_ADMIN`` -> podman ``CAP_NET_ADMIN``; ``ALL`` stays."""
    name = str(name).upper()
    if name == "ALL" or name.startswith("CAP_"):
        return name
    return "CAP_" + name

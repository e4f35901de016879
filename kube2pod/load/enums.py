"""The enumerated fields of the supported kinds: where they are, their values, and the value a
wrong one probably meant (``protocol: tcp`` -> "TCP", ``imagePullPolicy: always`` -> "Always").

Paths are relative to a pod spec (``POD_SPEC``), to a container (``CONTAINER``: containers and
init containers) or to the object of a kind (``BY_KIND``); ``"*"`` stands for every list index.
load/validate.py checks them all in one place (``Checker.enums``).
"""

from __future__ import annotations

import difflib

Values = tuple[str, ...]
Pattern = tuple[str, ...]

_PROBES = ("livenessProbe", "readinessProbe", "startupProbe")
_SECCOMP: Values = ("RuntimeDefault", "Unconfined", "Localhost")

POD_SPEC: dict[Pattern, Values] = {
    ("dnsPolicy",): ("ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"),
    ("preemptionPolicy",): ("PreemptLowerPriority", "Never"),
    ("securityContext", "fsGroupChangePolicy"): ("OnRootMismatch", "Always"),
    ("securityContext", "seccompProfile", "type"): _SECCOMP,
    ("volumes", "*", "hostPath", "type"): ("", "DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket",
                                           "CharDevice", "BlockDevice"),
    ("volumes", "*", "image", "pullPolicy"): ("Always", "IfNotPresent", "Never"),
}

CONTAINER: dict[Pattern, Values] = {
    ("imagePullPolicy",): ("Always", "IfNotPresent", "Never"),
    ("terminationMessagePolicy",): ("File", "FallbackToLogsOnError"),
    ("ports", "*", "protocol"): ("TCP", "UDP", "SCTP"),
    ("volumeMounts", "*", "mountPropagation"): ("None", "HostToContainer", "Bidirectional"),
    ("securityContext", "procMount"): ("Default", "Unmasked"),
    ("securityContext", "seccompProfile", "type"): _SECCOMP,
    **{(probe, "httpGet", "scheme"): ("HTTP", "HTTPS") for probe in _PROBES},
}

_ACCESS_MODES: Values = ("ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod")
_UPDATE_STRATEGIES: Values = ("RollingUpdate", "OnDelete")

BY_KIND: dict[str, dict[Pattern, Values]] = {
    "Service": {
        ("spec", "type"): ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName"),
        ("spec", "ports", "*", "protocol"): ("TCP", "UDP", "SCTP"),
        ("spec", "sessionAffinity"): ("ClientIP", "None"),
        ("spec", "externalTrafficPolicy"): ("Cluster", "Local"),
        ("spec", "internalTrafficPolicy"): ("Cluster", "Local"),
        ("spec", "ipFamilyPolicy"): ("SingleStack", "PreferDualStack", "RequireDualStack"),
    },
    "Deployment": {("spec", "strategy", "type"): ("Recreate", "RollingUpdate")},
    "DaemonSet": {("spec", "updateStrategy", "type"): _UPDATE_STRATEGIES},
    "StatefulSet": {
        ("spec", "podManagementPolicy"): ("OrderedReady", "Parallel"),
        ("spec", "updateStrategy", "type"): _UPDATE_STRATEGIES,
        ("spec", "volumeClaimTemplates", "*", "spec", "accessModes", "*"): _ACCESS_MODES,
        ("spec", "volumeClaimTemplates", "*", "spec", "volumeMode"): ("Filesystem", "Block"),
    },
    "Job": {("spec", "completionMode"): ("NonIndexed", "Indexed")},
    "CronJob": {
        ("spec", "concurrencyPolicy"): ("Allow", "Forbid", "Replace"),
        ("spec", "jobTemplate", "spec", "completionMode"): ("NonIndexed", "Indexed"),
    },
    "PersistentVolumeClaim": {
        ("spec", "accessModes", "*"): _ACCESS_MODES,
        ("spec", "volumeMode"): ("Filesystem", "Block"),
    },
}


def meant(value: str, allowed: Values) -> str | None:
    """The allowed value ``value`` probably meant: the same in another case, or a close spelling."""
    folded = value.replace("-", "").replace("_", "").replace(" ", "").lower()
    for candidate in allowed:
        if candidate and candidate.lower() == folded:
            return candidate
    lowered = {c.lower(): c for c in allowed if c}
    close = difflib.get_close_matches(folded, list(lowered), n=1, cutoff=0.6)
    return lowered[close[0]] if close else None


def listing(allowed: Values) -> str:
    """``TCP, UDP or SCTP`` (an empty value shown as "")."""
    shown = [c if c else '""' for c in allowed]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]

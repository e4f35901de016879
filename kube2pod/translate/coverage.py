"""Field coverage: every field of a workload is handled, ignored with a warning, or refused.

The tables below say, per field of the pod spec and container, what kube2pod
does with it. A field present in the input that is not ``HANDLED`` gets a
positioned diagnostic: a warning for ``Ignored`` (with the reason), an error
for ``Refused``. Fields the tables do not name are warned about as ignored,
so nothing is dropped silently.
"""

from __future__ import annotations

from typing import NamedTuple

from kube2pod.load.manifest import dotted
from kube2pod.translate.context import Context

HANDLED = True


class Ignored(NamedTuple):
    reason: str
    quiet: bool = False  # server-side bookkeeping, ignored without a word


class Refused(NamedTuple):
    reason: str


class Each(NamedTuple):
    """A list whose items follow ``item``."""

    item: object


_BOOKKEEPING = Ignored("set by the Kubernetes API server", quiet=True)
METADATA = {
    "name": HANDLED,
    "namespace": HANDLED,
    "labels": HANDLED,
    "annotations": HANDLED,  # container annotations; some steer podman (translate/annotations.py)
    "generateName": Refused("generateName needs an API server; set metadata.name"),
    **{k: _BOOKKEEPING for k in (
        "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
        "deletionGracePeriodSeconds", "managedFields", "selfLink", "ownerReferences", "finalizers")},
}

_CAPS = {"add": HANDLED, "drop": HANDLED}
CONTAINER = {
    "name": HANDLED,
    "image": HANDLED,
    "imagePullPolicy": HANDLED,
    "command": HANDLED,
    "args": HANDLED,
    "workingDir": HANDLED,
    "env": Each({"name": HANDLED, "value": HANDLED, "valueFrom": HANDLED}),
    "ports": Each({"containerPort": HANDLED, "hostPort": HANDLED, "hostIP": HANDLED,
                   "protocol": HANDLED, "name": HANDLED}),
    "volumeMounts": Each({"name": HANDLED, "mountPath": HANDLED, "readOnly": HANDLED,
                          "subPath": HANDLED, "subPathExpr": HANDLED, "mountPropagation": HANDLED}),
    "envFrom": Each({"prefix": HANDLED, "configMapRef": HANDLED, "secretRef": HANDLED}),
    "resources": {"limits": HANDLED, "requests": HANDLED,
                  "claims": Ignored("dynamic resource claims need a Kubernetes scheduler")},
    "securityContext": {
        "capabilities": _CAPS, "privileged": HANDLED, "readOnlyRootFilesystem": HANDLED,
        "allowPrivilegeEscalation": HANDLED, "runAsUser": HANDLED, "runAsGroup": HANDLED,
        "runAsNonRoot": HANDLED, "seLinuxOptions": HANDLED, "procMount": HANDLED,
        "windowsOptions": Ignored("Windows options do not apply to Linux containers", quiet=True),
        "appArmorProfile": Ignored("Podman applies its default AppArmor profile"),
    },
    "tty": HANDLED,
    "stdin": HANDLED,
    "stdinOnce": Ignored("Podman keeps stdin open for the container's life"),
    "lifecycle": {"stopSignal": HANDLED,
                  "postStart": Ignored("Podman has no post-start hooks"),
                  "preStop": Ignored("Podman has no pre-stop hooks; the stop signal is sent directly")},
    "livenessProbe": HANDLED,
    "startupProbe": HANDLED,
    "resizePolicy": Ignored("resources are not resized in place", quiet=True),
    "terminationMessagePath": Ignored("Podman keeps no termination message", quiet=True),
    "terminationMessagePolicy": Ignored("Podman keeps no termination message", quiet=True),
    "readinessProbe": HANDLED,  # a healthcheck without a failure action (translate/probes.py)
}

_KEY_ITEM = {"key": HANDLED, "path": HANDLED, "mode": HANDLED}
_DOWNWARD_ITEM = {"path": HANDLED, "fieldRef": {"fieldPath": HANDLED, "apiVersion": HANDLED},
                  "resourceFieldRef": {"containerName": HANDLED, "resource": HANDLED, "divisor": HANDLED},
                  "mode": HANDLED}
POD_SPEC = {
    "containers": Each(CONTAINER),
    "volumes": Each({
        "name": HANDLED,
        "hostPath": {"path": HANDLED, "type": HANDLED},
        "emptyDir": {"medium": HANDLED, "sizeLimit": HANDLED},
        "persistentVolumeClaim": {"claimName": HANDLED,
                                  "readOnly": Ignored("set readOnly on the volumeMount instead")},
        "configMap": {"name": HANDLED, "items": Each({"key": HANDLED, "path": HANDLED, "mode": HANDLED}),
                      "defaultMode": HANDLED, "optional": HANDLED},
        "secret": {"secretName": HANDLED, "items": Each({"key": HANDLED, "path": HANDLED, "mode": HANDLED}),
                   "defaultMode": HANDLED, "optional": HANDLED},
        "downwardAPI": {"items": Each(_DOWNWARD_ITEM), "defaultMode": HANDLED},
        "projected": {"sources": Each({
            "configMap": {"name": HANDLED, "items": Each(_KEY_ITEM), "optional": HANDLED},
            "secret": {"name": HANDLED, "items": Each(_KEY_ITEM), "optional": HANDLED},
            "downwardAPI": {"items": Each(_DOWNWARD_ITEM)},
            "*": HANDLED}),  # serviceAccountToken and the rest: refused by translate/projected.py
            "defaultMode": HANDLED},
        "*": HANDLED,  # other volume types are refused by the volume translator
    }),
    "initContainers": Each({**CONTAINER, "restartPolicy": HANDLED}),  # Always: a sidecar (translate/initcontainers.py)
    "restartPolicy": HANDLED,
    "terminationGracePeriodSeconds": HANDLED,
    "securityContext": {"sysctls": Each({"name": HANDLED, "value": HANDLED}),
                        "runAsUser": HANDLED, "runAsGroup": HANDLED, "runAsNonRoot": HANDLED,
                        "supplementalGroups": HANDLED, "seLinuxOptions": HANDLED,
                        "fsGroup": HANDLED,  # a supplementary group (translate/security.py); ownership: pod.py
                        "fsGroupChangePolicy": Ignored("volume ownership is not changed to fsGroup"),
                        "windowsOptions": Ignored("Windows options do not apply to Linux containers", quiet=True),
                        "appArmorProfile": Ignored("Podman applies its default AppArmor profile")},  # the rest: container fallbacks
    "hostname": HANDLED,
    "hostNetwork": HANDLED,
    "hostPID": HANDLED,
    "hostIPC": HANDLED,
    "shareProcessNamespace": HANDLED,
    "hostUsers": HANDLED,
    "hostAliases": Each({"ip": HANDLED, "hostnames": HANDLED}),
    "dnsConfig": {"nameservers": HANDLED, "searches": HANDLED, "options": Each({"name": HANDLED, "value": HANDLED})},
    "subdomain": HANDLED,  # <hostname>.<subdomain> with a headless Service (translate/services.py)
    "setHostnameAsFQDN": Ignored("there is no cluster domain; the hostname stays as given"),
    "activeDeadlineSeconds": Ignored("there is no kubelet to stop the pod after a deadline"),
    "readinessGates": Ignored("Podman has no readiness gate"),
    "runtimeClassName": Ignored("Podman uses its configured OCI runtime"),
    "dnsPolicy": HANDLED,  # the cluster search path or not (translate/network.py)
    "schedulerName": Ignored("there is no scheduler on a single host", quiet=True),
    "serviceAccountName": Ignored("there is no API server to authenticate to (a fieldRef still reads it)"),
    "serviceAccount": Ignored("there is no API server to authenticate to"),
    "automountServiceAccountToken": Ignored("no service account token is mounted", quiet=True),
    "nodeSelector": Ignored("there is one node: this host"),
    "nodeName": Ignored("there is one node: this host"),
    "affinity": Ignored("there is one node: this host"),
    "tolerations": Ignored("there is one node: this host"),
    "topologySpreadConstraints": Ignored("there is one node: this host"),
    "priorityClassName": Ignored("there is no scheduler on a single host"),
    "priority": Ignored("there is no scheduler on a single host"),
    "imagePullSecrets": Each({"name": HANDLED}),  # apply's pull credentials (translate/pullsecrets.py)
    "enableServiceLinks": HANDLED,
}

WORKLOAD_SPEC = {
    "replicas": HANDLED,
    "selector": HANDLED,
    "template": {"metadata": METADATA, "spec": POD_SPEC},
    "strategy": Ignored("apply replaces a changed pod; there is no rolling update"),
    "minReadySeconds": Ignored("there is no rollout controller"),
    "revisionHistoryLimit": Ignored("there is no rollout history", quiet=True),
    "progressDeadlineSeconds": Ignored("there is no rollout controller", quiet=True),
    "paused": Refused("a paused Deployment has nothing to apply"),
    "serviceName": HANDLED,  # <pod hostname>.<serviceName> with a headless Service (translate/services.py)
    "podManagementPolicy": Ignored("pods are created together"),
    "updateStrategy": Ignored("apply replaces a changed pod; there is no rolling update"),
    "volumeClaimTemplates": Each({  # a persistent volume per replica (translate/volumes.py)
        "apiVersion": HANDLED, "kind": HANDLED,
        "metadata": {"name": HANDLED, "labels": HANDLED, "annotations": HANDLED},
        "spec": {"accessModes": Ignored("one host: every access mode is met", quiet=True),
                 "resources": Ignored("a podman volume has no size; it grows on the host's storage"),
                 "storageClassName": Ignored("podman volumes use their driver (volume.podman.io/driver)"),
                 "volumeMode": HANDLED,  # Block is refused by the translator
                 "selector": Ignored("there are no PersistentVolumes to select")},
        "status": Ignored("status is written by Kubernetes", quiet=True),
    }),
    "persistentVolumeClaimRetentionPolicy": {  # translate/volumes.py
        "whenDeleted": HANDLED,  # Delete: down removes the claim volumes; Retain: only with --volumes
        "whenScaled": Ignored("a removed replica's volume follows whenDeleted (Delete: apply --prune removes it)")},
    "ordinals": Ignored("pods are numbered from 0"),
    "backoffLimit": Ignored("there is no Job controller; the pod runs once"),
    "completions": Ignored("there is no Job controller; the pod runs once"),
    "parallelism": Ignored("there is no Job controller; the pod runs once"),
    "activeDeadlineSeconds": Ignored("there is no Job controller"),
    "ttlSecondsAfterFinished": Ignored("there is no Job controller"),
    "manualSelector": HANDLED,
}

CRONJOB_SPEC = {  # translate/cronjob.py
    "schedule": HANDLED, "timeZone": HANDLED, "concurrencyPolicy": HANDLED, "suspend": HANDLED,
    "startingDeadlineSeconds": HANDLED,
    "successfulJobsHistoryLimit": Ignored("the journal keeps the output of every run", quiet=True),
    "failedJobsHistoryLimit": Ignored("the journal keeps the output of every run", quiet=True),
    "jobTemplate": {"metadata": METADATA, "spec": WORKLOAD_SPEC},
}

POD = {"apiVersion": HANDLED, "kind": HANDLED, "metadata": METADATA, "spec": POD_SPEC,
       "status": Ignored("status is written by Kubernetes", quiet=True)}
WORKLOAD = {"apiVersion": HANDLED, "kind": HANDLED, "metadata": METADATA, "spec": WORKLOAD_SPEC,
            "status": Ignored("status is written by Kubernetes", quiet=True)}
CRONJOB = {**WORKLOAD, "spec": CRONJOB_SPEC}


def check(ctx: Context, table: dict) -> None:
    """Report every field of the document that ``table`` does not mark as handled."""
    _walk(ctx, ctx.manifest.data, table, ())


def _walk(ctx: Context, data, rule, path: tuple) -> None:
    if rule is HANDLED:
        return
    if isinstance(rule, Ignored):
        if not rule.quiet:
            ctx.diags.warning(f"{dotted(path)} is ignored: {rule.reason}", ctx.manifest.source.key_pos(path))
        return
    if isinstance(rule, Refused):
        ctx.diags.error(f"{dotted(path)} is not supported: {rule.reason}", ctx.manifest.source.key_pos(path))
        return
    if isinstance(rule, Each):
        if isinstance(data, list):
            for i, item in enumerate(data):
                _walk(ctx, item, rule.item, path + (i,))
        return
    if isinstance(rule, dict) and isinstance(data, dict):
        for key, value in data.items():
            sub = rule.get(key, rule.get("*"))
            if sub is None:
                ctx.diags.warning(f"{dotted(path + (key,))} is ignored: kube2pod does not translate it",
                                  ctx.manifest.source.key_pos(path + (key,)))
            else:
                _walk(ctx, value, sub, path + (key,))

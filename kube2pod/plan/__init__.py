"""The plan: a frozen, podman-shaped description of what to create (no V1 types, no shell strings).

Translation produces it, renderers print it, the executor applies it.
"""

from kube2pod.plan.base import ObjectRef
from kube2pod.plan.container import Container, EnvVar, HostEnv, SecretEnv
from kube2pod.plan.healthcheck import Healthcheck
from kube2pod.plan.hostpath import HostPath
from kube2pod.plan.network import Attachment, Network
from kube2pod.plan.mount import BindMount, DeviceMapping, ImageMount, Mount, SecretFile, VolumeMount
from kube2pod.plan.plan import Plan
from kube2pod.plan.pod import Pod
from kube2pod.plan.pullsecret import PullSecret
from kube2pod.plan.schedule import Schedule
from kube2pod.plan.secret import Secret
from kube2pod.plan.service import ServiceRecord
from kube2pod.plan.port import PortMapping
from kube2pod.plan.volume import Volume

__all__ = [
    "Attachment",
    "BindMount",
    "Container",
    "DeviceMapping",
    "EnvVar",
    "Healthcheck",
    "HostPath",
    "ImageMount",
    "Mount",
    "Network",
    "ObjectRef",
    "Plan",
    "Pod",
    "PortMapping",
    "PullSecret",
    "Schedule",
    "Secret",
    "SecretEnv",
    "HostEnv",
    "SecretFile",
    "ServiceRecord",
    "Volume",
    "VolumeMount",
]

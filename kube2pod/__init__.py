"""kube2pod: turn Kubernetes YAML into Podman pods."""

__version__ = "0.1.0"

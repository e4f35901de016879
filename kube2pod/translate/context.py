"""Translation context: the manifest being translated, where its pod spec sits, and the diagnostics sink."""

from __future__ import annotations


from kube2pod.diagnostics import Diagnostics, SourcePos
from kube2pod.load.manifest import FieldPath, Manifest
from kube2pod.plan import ObjectRef
from kube2pod.translate.objects import ObjectIndex
from kube2pod.translate.pullsecrets import PullSecretRegistry
from kube2pod.translate.secrets import SecretRegistry


class Context:
    """Positions are asked for relative to the pod spec (``spec`` of a Pod,
    ``spec.template.spec`` of a workload); ``doc_pos`` takes document paths.
    ``objects``: the input's ConfigMaps and Secrets; ``secrets``: the podman secrets the plan needs;
    ``pulls``: the imagePullSecrets credentials; ``pod_ips``: the pods' static addresses."""

    def __init__(self, manifest: Manifest, diags: Diagnostics, spec_path: FieldPath = ("spec",),
                 objects: ObjectIndex | None = None, secrets: SecretRegistry | None = None,
                 pulls: PullSecretRegistry | None = None):
        self.manifest, self.diags, self.spec_path = manifest, diags, spec_path
        self.objects = ObjectIndex() if objects is None else objects
        self.secrets = SecretRegistry() if secrets is None else secrets
        self.pulls = PullSecretRegistry() if pulls is None else pulls
        self.pod_ips: dict[str, str] = {}  # pod name -> its static address (translate/podip.py)

    def pos(self, *path: str | int) -> SourcePos:
        return self.manifest.source.pos(self.spec_path + path)

    def key_pos(self, *path: str | int) -> SourcePos:
        return self.manifest.source.key_pos(self.spec_path + path)

    def doc_pos(self, *path: str | int) -> SourcePos:
        return self.manifest.source.pos(path)

    def spec_volumes(self) -> list:
        """The pod spec's ``volumes`` as plain data (``[]`` when absent or malformed)."""
        data = self.manifest.data
        for key in self.spec_path:
            data = data.get(key) if isinstance(data, dict) else None
        vols = data.get("volumes") if isinstance(data, dict) else None
        return vols if isinstance(vols, list) else []

    def error(self, path: FieldPath, message: str, hint: str | None = None) -> None:
        self.diags.error(message, self.pos(*path), hint)

    def warning(self, path: FieldPath, message: str, hint: str | None = None) -> None:
        self.diags.warning(message, self.key_pos(*path), hint)

    @property
    def ref(self) -> ObjectRef:
        src = self.manifest.source
        return ObjectRef.make(
            kind=self.manifest.kind,
            name=self.manifest.name,
            namespace=self.manifest.namespace,
            file=src.file,
            line=src.start.line,
        )

"""imagePullPolicy -> podman pull policy.

Always -> always, IfNotPresent -> missing, Never -> never. Unset: an image
tagged ``:latest`` or untagged (Kubernetes would use Always) -> ``newer``
(pull when the registry has a newer image, else use the local one, as kube
play does); any other tag or a digest -> missing (Kubernetes' IfNotPresent).
"""

from __future__ import annotations

_EXPLICIT = {"Always": "always", "IfNotPresent": "missing", "Never": "never"}


def image_tag(image: str) -> str | None:
    """The tag of an image reference, None when untagged (a digest counts as a tag)."""
    if "@" in image:
        return image.split("@", 1)[1]
    last = image.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else None


def pull_policy(policy: str | None, image: str) -> str | None:
    """The podman policy, or None when ``policy`` is not a Kubernetes value."""
    if policy:
        return _EXPLICIT.get(policy)
    tag = image_tag(image)
    return "newer" if tag in (None, "latest") else "missing"

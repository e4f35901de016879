"""Secret values as bytes: ``data`` (base64) merged with ``stringData`` (wins, as in Kubernetes);
the one base64 rule for ``data`` and ``binaryData`` values."""

from __future__ import annotations

import base64
import binascii

from kube2pod.load.manifest import Manifest


def secret_values(secret: Manifest) -> dict[str, bytes]:
    """Decoded key -> value of a Secret manifest.

    The loader has already reported undecodable base64 as an error; such
    values are skipped here rather than raising.
    """
    values: dict[str, bytes] = {}
    data = secret.data.get("data")
    for key, value in (data.items() if isinstance(data, dict) else ()):
        decoded = decode_base64(value) if isinstance(value, str) else None
        if decoded is not None:
            values[key] = decoded
    string_data = secret.data.get("stringData")
    for key, value in (string_data.items() if isinstance(string_data, dict) else ()):
        if isinstance(value, str):
            values[key] = value.encode("utf-8")
    return values


def decode_base64(text: str) -> bytes | None:
    """The bytes of a Secret ``data`` or ConfigMap ``binaryData`` value (whitespace and line
    breaks ignored); None when it is not valid base64 (validate.py reports that)."""
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        return None

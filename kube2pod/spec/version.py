"""Podman versions: the target a spec is built for, and the first version of each option."""

from __future__ import annotations

import re
from typing import NamedTuple


class Version(NamedTuple):
    """``major.minor`` of a Podman release (patch releases add no options)."""

    major: int
    minor: int

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}"

    @classmethod
    def parse(cls, text: str) -> "Version":
        """``"4.3.1"``, ``"5.4"``, ``"5.4.0-rc1"`` -> Version; ValueError otherwise."""
        m = re.match(r"\s*v?(\d+)\.(\d+)(?:[.\-+~].*)?\s*\Z", text)
        if not m:
            raise ValueError(f"not a Podman version: {text!r} (expected MAJOR.MINOR, such as 4.3 or 5.4)")
        return cls(int(m.group(1)), int(m.group(2)))


#: The target when none is known: Debian 12's podman, the oldest kube2pod is tested on.
DEFAULT = Version(4, 3)

"""Kubernetes resource quantities (``512Mi``, ``1G``, ``0.5``, ``250m``)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_SUFFIX = {
    "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60,
    "n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"), "": 1,
    "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18,
}
_RE = re.compile(r"^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$")


def parse(text: str) -> Decimal | None:
    """The quantity's value as a Decimal, None when it does not parse."""
    m = _RE.match(str(text).strip())
    if not m:
        return None
    try:
        return Decimal(m.group(1)) * Decimal(_SUFFIX[m.group(2) or ""])
    except InvalidOperation:
        return None


def bytes_of(text: str) -> int | None:
    """A memory quantity in whole bytes (rounded up)."""
    value = parse(text)
    if value is None or value < 0:
        return None
    return int(value.to_integral_value(rounding="ROUND_CEILING"))

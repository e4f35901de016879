"""Scalar typing and map keys as Kubernetes' YAML reader does them.

Kubernetes reads YAML with gopkg.in/yaml.v2 into untyped data, then turns it into JSON with
sigs.k8s.io/yaml (``YAMLToJSON``); this module gives the same values:

- plain scalars (``resolve_plain``): YAML 1.1 words (``yes``/``no``/``on``/``off``/``y``/``n`` are
  booleans), Go integer syntax after removing ``_`` (``0644`` and ``0o644`` octal, ``0x1F``,
  ``0b101``), yaml.v2's float syntax, ``~``/``null``/empty as null; timestamps stay strings;
- explicitly tagged scalars (``resolve_tagged``): ``!!str``/``!!binary`` are strings, ``!!int``,
  ``!!float``, ``!!bool``, ``!!null``, ``!!timestamp`` must match the value; any other tag
  (``!foo``, ``!``, ``!!set``…) is ignored and the value read as the string written (the caller
  warns);
- map keys (``key_string``): strings stay, numbers and booleans become their JSON text
  (``y:`` is the key ``"true"``, as in Kubernetes), a null key is an error.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
import struct
from typing import Any

YAML_TAG = "tag:yaml.org,2002:"

_WORDS: dict[str, Any] = {}
for _value, _words in ((True, "y Y yes Yes YES true True TRUE on On ON"),
                       (False, "n N no No NO false False FALSE off Off OFF"),
                       (None, "~ null Null NULL"),
                       (math.nan, ".nan .NaN .NAN"), (math.inf, ".inf .Inf .INF +.inf +.Inf +.INF"),
                       (-math.inf, "-.inf -.Inf -.INF")):
    for _w in _words.split():
        _WORDS[_w] = _value
_WORDS[""] = None
_MISSING = object()

# strconv.ParseInt(s, 0, 64) after removing "_": sign, then 0x/0o/0b prefixes or a leading 0 (octal)
_GO_INT = re.compile(r"([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)|(0[0-7]*)|([1-9][0-9]*))\Z")
# yaml.v2's yamlStyleFloat, tried on the text without "_"
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
# strconv.ParseFloat of a text starting with "." (no "_" removal there)
_DOT_FLOAT = re.compile(r"\.[0-9]+(?:[eE][-+]?[0-9]+)?\Z")
_INT64_MIN, _INT64_MAX, _UINT64_MAX = -(1 << 63), (1 << 63) - 1, (1 << 64) - 1


def resolve_plain(value: str) -> Any:
    """The value of an untagged plain scalar, as yaml.v2 types it."""
    known = _WORDS.get(value, _MISSING)
    if known is not _MISSING:
        return known
    first = value[0]
    if first == ".":
        return float(value) if _DOT_FLOAT.match(value) else value
    if first not in "0123456789+-":
        return value
    plain = value.replace("_", "") if "_" in value else value
    number = _go_int(plain)
    if number is not None:
        return number
    if _FLOAT.match(plain):
        return float(plain)
    return value


def _go_int(plain: str) -> int | None:
    m = _GO_INT.match(plain)
    if m is None:
        return None
    sign, hexa, octal, binary, zero_octal, decimal = m.groups()
    if decimal is not None:
        number = int(decimal)
    elif zero_octal is not None:
        number = int(zero_octal, 8)
    else:
        number = int(hexa, 16) if hexa is not None else int(octal, 8) if octal is not None else int(binary, 2)
    if sign == "-":
        number = -number
    if _INT64_MIN <= number <= _INT64_MAX or (sign == "" and number <= _UINT64_MAX):
        return number  # int64, else ParseUint's uint64 (no sign allowed there)
    return None


class TagProblem(Exception):
    """A scalar whose standard tag does not fit its value."""


#: Tags whose meaning Kubernetes' reader knows (short names, after ``tag:yaml.org,2002:``).
_STANDARD_SCALARS = frozenset(("str", "binary", "int", "float", "bool", "null", "timestamp"))


def standard_kind(tag: str) -> str | None:
    """``int`` for ``tag:yaml.org,2002:int`` and the like; None for any other tag."""
    if tag.startswith(YAML_TAG):
        kind = tag[len(YAML_TAG):]
        return kind if kind in _STANDARD_SCALARS or kind in ("map", "seq") else None
    return None


def resolve_tagged(kind: str, value: str) -> Any:
    """The value of a scalar tagged ``!!kind`` (a standard scalar kind); TagProblem if it does not fit."""
    if kind == "str" or kind == "timestamp" and not _is_number(value):
        return value
    if kind == "binary":
        try:
            return base64.b64decode("".join(value.split()), validate=True).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            raise TagProblem(f"value is not valid base64 for !!binary") from None
    v = resolve_plain(value)
    ok = {"int": lambda x: isinstance(x, int) and not isinstance(x, bool),
          "float": lambda x: isinstance(x, (int, float)) and not isinstance(x, bool),
          "bool": lambda x: isinstance(x, bool), "null": lambda x: x is None,
          "timestamp": lambda x: False}.get(kind, lambda x: False)(v)
    if not ok:
        raise TagProblem(f"value is not a valid !!{kind}")
    return float(v) if kind == "float" else v


def _is_number(value: str) -> bool:
    v = resolve_plain(value) if value else None
    return isinstance(v, (int, float)) and not isinstance(v, bool)


class KeyProblem(Exception):
    """A map key that Kubernetes' reader cannot turn into a JSON key."""


def key_string(key: Any) -> str:
    """The JSON key sigs.k8s.io/yaml makes of a typed YAML key."""
    if key.__class__ is str:
        return key
    if key is True or key is False:
        return "true" if key else "false"
    if isinstance(key, int):
        if key > _INT64_MAX:
            raise KeyProblem(f"a map key must fit in a signed 64-bit integer, got {key}")
        return str(key)
    if isinstance(key, float):
        return _go_float32_g(key)
    raise KeyProblem("a map key must not be null" if key is None else f"unsupported map key {key!r}")


def _go_float32_g(x: float) -> str:
    """strconv.FormatFloat(x, 'g', -1, 32), with yaml's names for the special values."""
    if math.isnan(x):
        return ".nan"
    if math.isinf(x):
        return ".inf" if x > 0 else "-.inf"
    f32 = struct.unpack("f", struct.pack("f", x))[0]
    for digits in range(1, 10):  # shortest text that reads back as the same float32
        text = f"{f32:.{digits}e}" if digits > 1 else f"{f32:.0e}"
        if struct.unpack("f", struct.pack("f", float(text)))[0] == f32:
            break
    mantissa, exp = text.split("e")
    exponent = int(exp)
    if exponent < -4 or exponent >= 6:  # Go's %g switches to an exponent at 6 digits when shortest
        sign = "-" if mantissa.startswith("-") else ""
        digits = mantissa.lstrip("-").replace(".", "").rstrip("0") or "0"
        body = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{body}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"
    return repr(float(text)).removesuffix(".0")

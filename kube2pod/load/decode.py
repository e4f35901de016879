"""Strict decoding of plain data into ``kubernetes`` model objects.

Driven by the models' own type metadata (``openapi_types``/``attribute_map``):
unknown fields and values of the wrong type are errors at their position.
Int-or-string fields (ports, maxSurge) and quantities accept both.
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache
from typing import Any

from kube2pod.diagnostics import Diagnostics
from kube2pod.load.manifest import FieldPath, SourceMap, dotted
from kube2pod.load.models import construct, fields_of
from kube2pod.load.names import quote
from kube2pod.load.rejected import Rejected

#: Fields the Go API types as resource.Quantity (the Python client says str).
QUANTITY_FIELDS = frozenset({
    ("V1ResourceRequirements", "limits"), ("V1ResourceRequirements", "requests"),
    ("V1VolumeResourceRequirements", "limits"), ("V1VolumeResourceRequirements", "requests"),
    ("V1EmptyDirVolumeSource", "sizeLimit"), ("V1ResourceFieldSelector", "divisor"),
    ("V1PodSpec", "overhead"),
})
#: ``object`` fields that hold free-form JSON rather than an int-or-string.
FREEFORM_FIELDS = frozenset({("V1ManagedFieldsEntry", "fieldsV1")})

_LIST = re.compile(r"List\[(.+)\]\Z")
_DICT = re.compile(r"Dict\[str, (.+)\]\Z")


@lru_cache(maxsize=None)
def _parse_type(typ: str) -> tuple[str, str | None]:
    """``"List[V1Container]"`` -> ``("list", "V1Container")``; primitives and models map to themselves."""
    m = _LIST.match(typ)
    if m:
        return "list", m.group(1)
    m = _DICT.match(typ)
    if m:
        return "dict", m.group(1)
    return typ, None


def describe(value: Any) -> str:
    """How a YAML value is named in messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, int):
        return f"integer {value}"
    if isinstance(value, float):
        return f"number {value:g}"
    if isinstance(value, str):
        short = value if len(value) <= 40 else value[:37] + "..."
        return f"string {quote(short)}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def suggest(key: str, candidates: list[str]) -> str | None:
    """The closest known field name to a misspelt ``key``, if any."""
    norm = key.replace("_", "").replace("-", "").lower()
    for c in candidates:
        if c.lower() == norm:
            return c
    close = difflib.get_close_matches(key, candidates, n=1, cutoff=0.7)
    if close:
        return close[0]
    lowered = {c.lower(): c for c in candidates}
    close = difflib.get_close_matches(norm, list(lowered), n=1, cutoff=0.7)
    return lowered[close[0]] if close else None


class Decoder:
    """Decodes one document; errors go to ``diags``, ``self.errors`` counts them and
    ``self.rejected`` (None while there are none) keeps their paths."""

    def __init__(self, source: SourceMap, diags: Diagnostics):
        self.source = source
        self.diags = diags
        self.errors = 0
        self.rejected: Rejected | None = None

    def _error(self, message: str, path: FieldPath, hint: str | None = None, key: bool = False,
               meant: str | None = None) -> None:
        self.errors += 1
        if self.rejected is None:
            self.rejected = Rejected()
        self.rejected.add(path, meant)
        pos = self.source.key_pos(path) if key else self.source.pos(path)
        self.diags.error(message, pos, hint)

    def model(self, name: str, data: Any, path: FieldPath = ()) -> Any:
        """Decode a mapping into model ``name``."""
        fields = _field_table(name)
        if fields is None:  # unknown model: keep plain data
            return data
        if not isinstance(data, dict):
            self._wrong(path, "a mapping", data)
            return None
        values = {}
        for key, value in data.items():
            spec = fields.get(key)
            if spec is None:
                self._unknown(name, key, list(fields), path + (key,))
                continue
            if value is None:
                continue
            attr, kind = spec
            if kind == "str" and value.__class__ is str:  # the common case, inline
                values[attr] = value
                continue
            decoded = self.value(kind, value, path + (key,))
            if decoded is not _INVALID:
                values[attr] = decoded
        return construct(name, values)

    def _unknown(self, model: str, key: str, candidates: list[str], path: FieldPath) -> None:
        best = suggest(key, candidates)
        hint = f'did you mean "{best}"?' if best else None
        self._error(f'unknown field "{dotted(path)}"', path, hint, key=True, meant=best)

    def _wrong(self, path: FieldPath, expected: str, value: Any) -> None:
        hint = None
        if expected == "a string" and isinstance(value, (int, float, bool)):
            hint = "quote the value to make it a string"
        self._error(f"{dotted(path) or 'document'}: expected {expected}, got {describe(value)}", path, hint)

    def value(self, typ: str, value: Any, path: FieldPath) -> Any:
        """Decode ``value`` against an openapi type string."""
        base, inner = _parse_type(typ)
        if base == "list":
            if not isinstance(value, list):
                self._wrong(path, "a list", value)
                return _INVALID
            return self._items(inner, enumerate(value), path, [])
        if base == "dict":
            if not isinstance(value, dict):
                self._wrong(path, "a mapping", value)
                return _INVALID
            return self._items(inner, value.items(), path, {})
        check = _PRIMITIVES.get(base)
        if check is not None:
            ok, expected, converted = check(value)
            if not ok:
                self._wrong(path, expected, value)
                return _INVALID
            return converted
        return self.model(base, value, path)

    def _items(self, typ: str, items: Any, path: FieldPath, out: Any) -> Any:
        for k, v in items:
            decoded = self.value(typ, v, path + (k,))
            if isinstance(out, list):
                out.append(decoded if decoded is not _INVALID else None)
            elif decoded is not _INVALID:
                out[k] = decoded
        return out


_INVALID = object()


@lru_cache(maxsize=None)
def _field_table(name: str) -> dict[str, tuple[str, str]] | None:
    """``{jsonKey: (python_attr, kind)}`` with quantity and free-form fields marked."""
    fields = fields_of(name)
    if fields is None:
        return None
    table = {}
    for key, (attr, typ) in fields.items():
        kind = typ
        if (name, key) in QUANTITY_FIELDS:
            kind = "Dict[str, quantity]" if typ.startswith("Dict") else "quantity"
        elif typ == "object" and (name, key) in FREEFORM_FIELDS:
            kind = "any"
        table[key] = (attr, kind)
    return table


def _str(v: Any) -> tuple[bool, str, Any]:
    return isinstance(v, str), "a string", v


def _int(v: Any) -> tuple[bool, str, Any]:
    if isinstance(v, int) and not isinstance(v, bool):
        return True, "", v
    if isinstance(v, float) and v.is_integer():
        return True, "", int(v)
    return False, "an integer", v


def _float(v: Any) -> tuple[bool, str, Any]:
    return isinstance(v, (int, float)) and not isinstance(v, bool), "a number", v


#: YAML 1.1 booleans, which Kubernetes' YAML reader (go-yaml v2) still accepts.
_YAML11_BOOLS = {w: True for w in ("y", "Y", "yes", "Yes", "YES", "on", "On", "ON")}
_YAML11_BOOLS.update({w: False for w in ("n", "N", "no", "No", "NO", "off", "Off", "OFF")})


def _bool(v: Any) -> tuple[bool, str, Any]:
    if isinstance(v, str) and v in _YAML11_BOOLS:
        return True, "", _YAML11_BOOLS[v]
    return isinstance(v, bool), "a boolean (true or false)", v


def boolean(v: Any) -> bool | None:
    """A plain-data value as the decoder reads a boolean field (``yes``/``off`` too); None if it is none."""
    ok, _, value = _bool(v)
    return value if ok else None


def _int_or_string(v: Any) -> tuple[bool, str, Any]:
    if isinstance(v, str) or (isinstance(v, int) and not isinstance(v, bool)):
        return True, "", v
    return False, "an integer or a string", v


def _quantity(v: Any) -> tuple[bool, str, Any]:
    if isinstance(v, str):
        return True, "", v
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return True, "", (str(int(v)) if float(v).is_integer() and abs(v) < 1e18 else repr(v))
    return False, "a quantity such as 500m, 1, 128Mi", v


def _any(v: Any) -> tuple[bool, str, Any]:
    return True, "", v


def _bytes(v: Any) -> tuple[bool, str, Any]:
    return isinstance(v, str), "a base64 string", v


_PRIMITIVES = {
    "str": _str, "int": _int, "float": _float, "bool": _bool, "object": _int_or_string,
    "datetime": _str, "date": _str, "quantity": _quantity, "any": _any, "bytes": _bytes,
    "bytearray": _bytes,
}

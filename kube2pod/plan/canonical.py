"""A plan node as compact JSON, built without pydantic's serializer.

The same text as ``node.model_dump_json()`` (fields in definition order, excluded
fields left out, the same escapes), made from the node's attributes. Translation
hashes every pod with it: a convert then never needs pydantic's serializer, whose
first build in a process also builds the validators and looks up pydantic plugins
(≈ 0.05 s of a 0.3 s start).
tests/test_plan_trusted.py checks it against pydantic over every fixture.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode


def to_json(node: BaseModel) -> str:
    """``node.model_dump_json()``, in Python."""
    return _encode(plain(node))


#: Types written as they are (``type(v) in SCALARS``: bool and int subclasses are not).
SCALARS = frozenset({str, int, float, bool, type(None)})


def plain(value: Any) -> Any:
    """Models as dicts of their serialised fields; lists, tuples and dicts walked; the rest as is.

    Scalars are taken in place without a call (most values are), and a model's field names
    come from a dict keyed by its class (no ABC ``isinstance`` per value): the pod hash of
    every pod goes through here.
    """
    fields = _FIELDS.get(type(value))
    if fields is not None:
        state = value.__dict__
        return {name: (v if type(v) in SCALARS else plain(v)) for name in fields for v in (state[name],)}
    if isinstance(value, (list, tuple)):
        return [v if type(v) in SCALARS else plain(v) for v in value]
    if isinstance(value, dict):
        return {k: (v if type(v) in SCALARS else plain(v)) for k, v in value.items()}
    if isinstance(value, BaseModel):
        _FIELDS[type(value)] = tuple(name for name, f in type(value).model_fields.items() if not f.exclude)
        return plain(value)
    return value


_FIELDS: dict[type, tuple[str, ...]] = {}  # model class -> names of its serialised fields, in order

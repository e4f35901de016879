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
from functools import lru_cache
from typing import Any

from pydantic import BaseModel

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode


def to_json(node: BaseModel) -> str:
    """``node.model_dump_json()``, in Python."""
    return _encode(plain(node))


#: Types written as they are (``type(v) in SCALARS``: bool and int subclasses are not).
SCALARS = frozenset({str, int, float, bool, type(None)})


def plain(value: Any) -> Any:
    """Models as dicts of their serialised fields; lists, tuples and dicts walked; the rest as is."""
    if isinstance(value, BaseModel):
        state = value.__dict__
        return {name: (state[name] if type(state[name]) in SCALARS else plain(state[name]))
                for name in _fields(type(value))}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


@lru_cache(maxsize=None)
def _fields(cls: type[BaseModel]) -> tuple[str, ...]:
    return tuple(name for name, field in cls.model_fields.items() if not field.exclude)

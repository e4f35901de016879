"""Spec -> libpod REST request bodies: each set field's ``body(value)`` at its ``rest`` path
(dotted paths nest; mappings that meet at one path are merged, and so are lists of mappings, item
by item: a network's subnet, gateway and range; a tuple of fields takes the parts of a split
value that are not empty)."""

from __future__ import annotations

from kube2pod.spec import set_fields


def body(node) -> dict:
    out: dict = {}
    for f, value in set_fields(node):
        rest = f.option.rest
        if rest is None:
            continue
        if isinstance(rest, tuple):
            for key, part in f.option.body(value).items():
                if part:
                    _put(out, key, part)
        else:
            _put(out, rest, f.option.body(value))
    return out


def _put(out: dict, path: str, value) -> None:
    *parents, leaf = path.split(".")
    for key in parents:
        out = out.setdefault(key, {})
    have = out.get(leaf)
    if isinstance(value, dict) and isinstance(have, dict):
        out[leaf] = {**have, **value}
    elif _mappings(value) and _mappings(have) and len(value) == len(have):
        out[leaf] = [{**a, **b} for a, b in zip(have, value)]
    else:
        out[leaf] = value


def _mappings(value) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)

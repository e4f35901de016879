"""Spec -> libpod REST request bodies: each set field's ``body(value)`` at its ``rest`` path
(dotted paths nest; mappings that meet at one path are merged; a tuple of fields takes the
parts of a split value that are not empty)."""

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
    if isinstance(value, dict) and isinstance(out.get(leaf), dict):
        out[leaf] = {**out[leaf], **value}
    else:
        out[leaf] = value

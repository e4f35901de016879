"""How one podman option is written in each output: the data next to every spec field.

A spec field is declared as ``Annotated[type, Option(...)]``; the serializers
(render/argv.py, render/rest.py, render/quadlet.py) only walk these:

* ``flag``: the CLI flag (``--publish``); ``""`` for a positional argument; ``None``: no CLI form.
* ``rest``: the libpod REST body field, dotted for nested objects
  (``resource_limits.memory.limit``); a tuple when the value splits over several fields
  (``body`` then returns a mapping of them); ``None``: no REST form.
* ``quadlet``: the Quadlet key, ``"PodmanArgs"`` (passed as a podman argument) or
  ``"Service.Restart"`` (a key of the unit's ``[Service]`` section); ``None``: no unit form.
* ``since``: the first Podman version with the option, per output where they differ
  (``since_by``: e.g. a Quadlet key that came after the CLI flag; a newer Quadlet key is written as
  ``PodmanArgs=`` on older targets).
* ``features``: ``features(value)`` -> the :class:`Feature` s a value uses that came after the
  option itself (``subpath=`` of ``--mount``).
* ``absent``: why an output has no form of it (a decision, documented and tested).
  ``refused``: outputs that cannot express a set value: rendering there is an error.

A field equal to its default is not written anywhere.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, Callable, Mapping, NamedTuple

from kube2pod.spec.version import Version

OUTPUTS = ("cli", "rest", "quadlet")
BARE = None  # a CLI word that is the flag alone (``--privileged``)


class HostWord(str):
    """A CLI word ``<prefix><value of a host fact>``: only the host knows the value, so the text
    is ``prefix`` alone and each output fills in ``fact`` (the script: at run time, render/shell.py)."""

    fact: str

    def __new__(cls, prefix: str, fact: str) -> "HostWord":
        word = super().__new__(cls, prefix)
        word.fact = fact
        return word


def one(value: Any) -> list:
    """One CLI occurrence holding the value as text."""
    return [str(value)]


def each(values: Any) -> list:
    """One CLI occurrence per item."""
    return [str(v) for v in values]


def pairs(values: Mapping) -> list:
    """One ``KEY=VALUE`` occurrence per mapping item."""
    return [f"{k}={v}" for k, v in values.items()]


def csv_pairs(values: Mapping) -> list:
    """``KEY=VALUE`` per item for a flag podman reads as CSV (pflag's StringSlice: ``--annotation``):
    an item with a comma or a double quote is one quoted CSV field (``"`` doubled inside)."""
    out = []
    for k, v in values.items():
        item = f"{k}={v}"
        out.append(f'"{item.replace(chr(34), chr(34) * 2)}"' if "," in item or '"' in item else item)
    return out


def bare(value: Any) -> list:
    """The flag alone when true."""
    return [BARE] if value else []


def seconds(value: int) -> list:
    return [f"{value}s"]


def as_json(value: Any) -> list:
    return [json.dumps(value)]


def same(value: Any) -> Any:
    """The REST value as it is (lists and mappings copied)."""
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return value


def nsmode(value: str) -> dict:
    """A libpod Namespace: ``{"nsmode": value}``."""
    return {"nsmode": value}


NS_PER_SECOND = 1_000_000_000


def nanoseconds(value: int) -> int:
    return value * NS_PER_SECOND


def mapping(values: Mapping) -> dict:
    return dict(values)


class Feature(NamedTuple):
    """A part of an option's value with its own first version per output (``since_by``, else
    ``since``); ``item``: the index of the list item that uses it (None: the whole value)."""

    name: str
    since: Version
    item: int | None = None
    since_by: Mapping[str, Version] = {}

    def first_version(self, output: str) -> Version:
        return self.since_by.get(output, self.since)


def no_features(value: Any) -> list[Feature]:
    return []


class Option(NamedTuple):
    flag: str | None
    rest: str | tuple[str, ...] | None
    quadlet: str | None
    since: Version = Version(4, 0)
    words: Callable[[Any], list] = one
    body: Callable[[Any], Any] = same
    unit: str = "raw"  # how a Quadlet key holds the value: raw, words, csv, mount, volume-option, unit:<suffix>
    absent: Mapping[str, str] = {}
    refused: Mapping[str, str] = {}
    since_by: Mapping[str, Version] = {}
    features: Callable[[Any], list[Feature]] = no_features

    def first_version(self, output: str) -> Version:
        """The first Podman version whose ``output`` (cli, rest, quadlet) has this option."""
        return self.since_by.get(output, self.since)


class Field(NamedTuple):
    name: str
    option: Option
    default: Any


@lru_cache(maxsize=None)
def fields(cls: type) -> tuple[Field, ...]:
    """The spec fields of ``cls`` with their options, in definition order (the output order)."""
    out = []
    for name, info in cls.model_fields.items():
        opts = [m for m in info.metadata if isinstance(m, Option)]
        if len(opts) != 1:
            raise TypeError(f"{cls.__name__}.{name}: a spec field needs exactly one Option")
        out.append(Field(name, opts[0], None if info.is_required() else info.default))
    return tuple(out)


def set_fields(node: Any) -> list[tuple[Field, Any]]:
    """``(field, value)`` of every field of ``node`` that differs from its default (a list: every
    serializer walks every node, so this is the spec's inner loop)."""
    state = node.__dict__
    return [(f, v) for name, default, f in _defaults(type(node)) for v in (state[name],)
            if v is not default and v != default]


@lru_cache(maxsize=None)
def _defaults(cls: type) -> tuple[tuple[str, Any, Field], ...]:
    return tuple((f.name, f.default, f) for f in fields(cls))


@lru_cache(maxsize=None)
def newer_than(cls: type, version: Version, output: str = "cli") -> tuple[Field, ...]:
    """The fields of ``cls`` whose option in ``output`` is newer than ``version``."""
    return tuple(f for f in fields(cls) if f.option.first_version(output) > version)


@lru_cache(maxsize=None)
def with_features(cls: type) -> tuple[Field, ...]:
    """The fields of ``cls`` whose values may use newer features."""
    return tuple(f for f in fields(cls) if f.option.features is not no_features)

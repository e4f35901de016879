"""Label selectors as kubectl's ``-l/--selector`` writes them, and the namespace filter of ``-n``.

Requirements are separated by commas and all must hold:

| form              | matches when                                   |
|-------------------|------------------------------------------------|
| ``k=v``, ``k==v`` | label ``k`` is ``v``                           |
| ``k!=v``          | label ``k`` is absent or not ``v``             |
| ``k in (a,b)``    | label ``k`` is ``a`` or ``b``                  |
| ``k notin (a,b)`` | label ``k`` is absent or neither ``a`` nor ``b`` |
| ``k``             | label ``k`` exists                             |
| ``!k``            | label ``k`` does not exist                     |
"""

from __future__ import annotations

import re
from typing import Callable, Mapping

Requirement = Callable[[Mapping[str, str]], bool]

_KEY = r"[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?"
_VALUE = r"([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?"
_SET = re.compile(rf"^\s*({_KEY})\s+(in|notin)\s*\(([^()]*)\)\s*$")
_EQ = re.compile(rf"^\s*({_KEY})\s*(==|!=|=)\s*({_VALUE})\s*$")
_EXISTS = re.compile(rf"^\s*(!?)\s*({_KEY})\s*$")


class SelectorError(ValueError):
    """A selector that does not parse (the message says where)."""


class Selector:
    """A parsed selector: ``matches(labels)`` is True when every requirement holds."""

    def __init__(self, text: str):
        self.text = text
        self.requirements = [_requirement(part, text) for part in _split(text)]

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        labels = labels or {}
        return all(req(labels) for req in self.requirements)


def _split(text: str) -> list[str]:
    """The requirements: commas outside parentheses separate them."""
    parts, depth, current = [], 0, ""
    for ch in text:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    if depth != 0 or any(not p.strip() for p in parts):
        raise SelectorError(f"invalid selector {text!r}: unbalanced parentheses or an empty requirement")
    return parts


def _requirement(part: str, text: str) -> Requirement:
    m = _SET.match(part)
    if m:
        key, op = m.group(1), m.group(3)
        values = {v.strip() for v in m.group(4).split(",")}
        if not all(re.fullmatch(_VALUE, v) for v in values) or values == {""}:
            raise SelectorError(f"invalid selector {text!r}: bad value list in {part.strip()!r}")
        if op == "in":
            return lambda labels: labels.get(key) in values
        return lambda labels: labels.get(key) not in values
    m = _EQ.match(part)
    if m:
        key, op, value = m.group(1), m.group(3), m.group(4)
        if op == "!=":
            return lambda labels: labels.get(key) != value
        return lambda labels: labels.get(key) == value
    m = _EXISTS.match(part)
    if m:
        negate, key = bool(m.group(1)), m.group(2)
        return (lambda labels: key not in labels) if negate else (lambda labels: key in labels)
    raise SelectorError(f"invalid selector {text!r}: cannot parse {part.strip()!r}")


def in_namespace(namespace: str | None, wanted: str | None) -> bool:
    """True when ``wanted`` is None (every namespace) or names ``namespace`` (None: "default")."""
    return wanted is None or (namespace or "default") == wanted

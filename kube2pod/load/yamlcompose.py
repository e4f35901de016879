"""YAML text -> composed nodes (with positions), read as Kubernetes' reader (yaml.v2) reads it.

Two composers, both over PyYAML's libyaml parser (libyaml 0.2.5+, which reads flow collections
such as ``{image: nginx:1.25}`` and ``[http://db:5432/x]``; the pure-Python PyYAML parser when
libyaml is missing):

- the fast one: PyYAML's C composer (kube2pod.shortcuts.c_composer, or the public
  ``CSafeLoader``), with a minimal resolver;
- the careful one (:class:`_Careful`): the same parser's events composed in Python. It reads
  what yaml.v2 reads differently from PyYAML's composer: an anchor defined again (the later one
  counts), the non-specific tag ``! 12`` (the string ``"12"``), and it refuses what yaml.v2
  refuses and libyaml accepts: ``%YAML`` other than 1.1, the escape ``\\/``.

``make_composer(text)`` picks the careful one only when the text may hold one of those
(``needs_care``); a document the fast one refuses with a duplicate anchor is read again by the
careful one (``DUPLICATE_ANCHOR``). What libyaml's scanner refuses and yaml.v2's reads is read
again with a stand-in character (``stand_in``, ``turn_back``). Nodes carry ``tag``: one of the
shared sentinels below for untagged nodes, else the explicit tag (a string; ``"!"`` for the
non-specific tag).
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.composer import Composer, ComposerError
from yaml.events import AliasEvent, MappingStartEvent, ScalarEvent, SequenceStartEvent
from yaml.nodes import ScalarNode

from kube2pod import shortcuts

#: Tags of untagged nodes, compared by identity.
PLAIN_TAG = "?plain"  # untagged plain scalars
QUOTED_TAG = "?quoted"  # quoted / block scalars
MAP_TAG = "tag:yaml.org,2002:map"
SEQ_TAG = "tag:yaml.org,2002:seq"
NONSPECIFIC_TAG = "!"

#: The fast composer's error for an anchor defined twice (the careful one accepts it).
DUPLICATE_ANCHOR = "found duplicate anchor"


class Unsupported(Exception):
    """Something libyaml accepts and Kubernetes' reader refuses: ``message`` at ``mark``."""

    def __init__(self, message: str, mark: Any, hint: str | None = None):
        super().__init__(message)
        self.message, self.mark, self.hint = message, mark, hint


def _resolve(self: Any, kind: Any, value: Any, implicit: Any) -> str:
    """Minimal resolver: typing of plain scalars is done later (yamltypes.resolve_plain)."""
    if value is None:  # collections
        return MAP_TAG if kind.__name__ == "MappingNode" else SEQ_TAG
    if implicit is True or (implicit.__class__ is tuple and implicit[0]):
        return PLAIN_TAG
    return QUOTED_TAG


def _noop(self: Any, *args: Any) -> None:
    return None


def _public_class(pure: bool = False) -> type:
    """The plain path: PyYAML's public loader (C when libyaml is there, unless ``pure``) with our
    resolver."""
    with_c = getattr(yaml, "__with_libyaml__", False) and not pure
    base = yaml.CSafeLoader if with_c else yaml.SafeLoader
    return type("PublicComposer", (base,), {"resolve": _resolve, "descend_resolver": _noop, "ascend_resolver": _noop})


#: The fast composer class: ``Class(text)`` has ``check_node``/``get_node``/``get_event``/``dispose``.
_Fast: type = shortcuts.c_composer(_resolve) or _public_class()
HAVE_LIBYAML = bool(getattr(yaml, "__with_libyaml__", False))


class _Careful(Composer):
    """Composer of the parser's events, as yaml.v2 composes them (mixed in before a parser class,
    ``_parser``)."""

    _parser: type

    def __init__(self, text: str):
        self._parser.__init__(self, text)  # the parser class this one is mixed into
        Composer.__init__(self)
        self._text = text

    def compose_document(self) -> Any:
        event = self.peek_event()
        version = getattr(event, "version", None)
        if version is not None and tuple(version) != (1, 1):
            raise Unsupported(f"%YAML {version[0]}.{version[1]} is not supported: Kubernetes reads YAML 1.1",
                              event.start_mark, hint="remove the %YAML line")
        return super().compose_document()

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(AliasEvent):
            event = self.get_event()
            if event.anchor not in self.anchors:
                raise ComposerError(None, None, f"found undefined alias {event.anchor!r}", event.start_mark)
            return self.anchors[event.anchor]
        anchor = self.peek_event().anchor
        if self.check_event(ScalarEvent):
            return self.compose_scalar_node(anchor)
        if self.check_event(SequenceStartEvent):
            return self.compose_sequence_node(anchor)
        if self.check_event(MappingStartEvent):
            return self.compose_mapping_node(anchor)
        return None

    def compose_scalar_node(self, anchor: Any) -> Any:
        event = self.get_event()
        tag = event.tag
        if tag is None:
            tag = self.resolve(ScalarNode, event.value, event.implicit)
        if event.style == '"':
            self._check_escapes(event)
        node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style)
        if anchor is not None:
            self.anchors[anchor] = node  # a later anchor of the same name replaces it
        return node

    def _check_escapes(self, event: Any) -> None:
        """yaml.v2 (as libyaml before 0.2) has no ``\\/`` escape."""
        source = self._text[event.start_mark.index:event.end_mark.index]
        for m in _SLASH_ESCAPE.finditer(source):
            if len(m.group(1)) % 2:
                line = event.start_mark.line + source.count("\n", 0, m.end(1))
                column = m.end(1) - 1 - (source.rfind("\n", 0, m.end(1)) + 1)
                if line == event.start_mark.line:
                    column += event.start_mark.column
                raise Unsupported("unknown escape '\\/' in a double-quoted string (Kubernetes' reader has none)",
                                  _Mark(line, column), hint="write '/' without the backslash")


class _Mark:
    __slots__ = ("line", "column")

    def __init__(self, line: int, column: int):
        self.line, self.column = line, column


_SLASH_ESCAPE = re.compile(r"(\\+)/")
_CarefulClass: type = type("CarefulComposer", (_Careful, _Fast), {"_parser": _Fast})


def select(kind: str) -> tuple[type, type]:
    """Compose with ``kind``: "c" (the shortcut's C parser class), "public" (PyYAML's public
    loader) or "pure" (PyYAML's pure-Python parser); returns the classes used before, for
    ``restore`` (tests compare the paths)."""
    global _Fast, _CarefulClass
    saved = _Fast, _CarefulClass
    fast = shortcuts.c_composer_class(_resolve) if kind == "c" else _public_class(pure=kind == "pure")
    if fast is None:
        raise LookupError(f"no {kind} composer here")
    _Fast, _CarefulClass = fast, type("CarefulComposer", (_Careful, fast), {"_parser": fast})
    return saved


def restore(saved: tuple[type, type]) -> None:
    """Compose with the classes ``select`` returned."""
    global _Fast, _CarefulClass
    _Fast, _CarefulClass = saved


#: A '!' followed by what ends a tag: the non-specific tag when a separator precedes it too.
_BANG = re.compile(r"!(?=[\s\[\]{},]|\Z)")


def needs_care(text: str) -> bool:
    """The text may hold what the fast composer reads otherwise than yaml.v2: a directive line
    (``%YAML``), the escape ``\\/``, a non-specific tag ``!``. Plain substring tests first: a
    regular expression over a whole 1 MB stream costs 20 ms."""
    if text.startswith("%") or "\n%" in text or "\\/" in text:
        return True
    if "!" not in text:
        return False
    for m in _BANG.finditer(text):
        start = m.start()
        if start == 0 or text[start - 1] in " \t\n\r[]{},":
            return True
    return False


#: Stand-ins for what libyaml's scanner refuses and yaml.v2's reads: a ':' followed by a flow
#: indicator inside a flow value (``{omitted value:, …}``: part of the value) and the escape
#: ``\\'`` in a double-quoted string (a quote). A text refused for one is read again with the
#: character replaced by its stand-in (same length: positions hold), which ``turn_back`` turns back.
COLON, DROPPED = "\ue000", "\ue001"
_STAND_INS = {"found unexpected ':'": (":", COLON), "found unknown escape character": ("\\", DROPPED)}


def stand_in(text: str, exc: Exception) -> str | None:
    """``text`` with the character ``exc`` (a scanner error) refused replaced by its stand-in,
    when yaml.v2 reads it; else None."""
    found = _STAND_INS.get(str(getattr(exc, "problem", None)))
    mark = getattr(exc, "problem_mark", None)
    if found is None or mark is None:
        return None
    offset = _offset(text, mark.line, mark.column)
    char, replacement = found
    if offset is None or text[offset:offset + 1] != char:
        return None
    if char == "\\" and text[offset + 1:offset + 2] != "'":
        return None
    return text[:offset] + replacement + text[offset + 1:]


def _offset(text: str, line: int, column: int) -> int | None:
    start = 0
    for _ in range(line):
        start = text.find("\n", start) + 1
        if start == 0:
            return None
    return start + column if start + column < len(text) else None


def turn_back(value: Any) -> Any:
    """``value`` (plain data, or a field path) with the stand-ins turned back."""
    if isinstance(value, str):
        return value.replace(COLON, ":").replace(DROPPED, "") if (COLON in value or DROPPED in value) else value
    if isinstance(value, dict):
        return {turn_back(k): turn_back(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(turn_back(v) for v in value)
    return value


def make_composer(text: str, careful: bool | None = None) -> Any:
    """A composer of ``text``: the careful one when ``careful`` (None: when the text needs it)."""
    if careful is None:
        careful = needs_care(text)
    return _CarefulClass(text) if careful else _Fast(text)


def make_parser(text: str) -> Any:
    """A parser of ``text`` whose ``get_event`` gives the events (the nesting check)."""
    return _Fast(text)


def dispose(parser: Any) -> None:
    dispose_method = getattr(parser, "dispose", None)
    if dispose_method is not None:
        try:
            dispose_method()
        except Exception:
            pass

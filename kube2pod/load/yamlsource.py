"""YAML/JSON text -> plain documents with a position for every field.

Nodes are composed by ruamel.yaml's C parser (pure-Python fallback when
ruamel.yaml.clib is missing or the shortcuts are off: kube2pod.shortcuts.c_composer)
with a minimal resolver; this module then builds
plain dicts/lists itself so that it controls scalar typing, alias expansion
(bounded), duplicate keys and positions.

Scalars follow what Kubernetes (sigs.k8s.io/yaml) does where it matters:
YAML 1.2 core schema for null/bool/int/float, plus YAML 1.1 leading-zero
octal integers (``defaultMode: 0644`` is 420).
"""

from __future__ import annotations

import math
import re
from typing import Any, Iterator, NamedTuple

from ruamel.yaml.tag import Tag

from kube2pod import shortcuts
from kube2pod.diagnostics import Diagnostics, SourcePos
from kube2pod.load.manifest import FieldPath, SourceMap
from kube2pod.load.names import quote

#: Deepest nesting of collections accepted in a document.
MAX_DEPTH = 100
#: Most nodes one document may expand to (aliases included).
MAX_NODES = 100_000
#: Largest single document accepted, in characters.
MAX_DOCUMENT_CHARS = 3 * 1024 * 1024
#: Most documents (empty ones included) in one file or stream.
MAX_DOCUMENTS = 10_000
#: Nesting bound under which the (recursive, C) composer is known to be safe.
_SAFE_COMPOSE_DEPTH = 1000

_YAML_TAG = "tag:yaml.org,2002:"
_STR = _YAML_TAG + "str"
# The resolver hands out these shared Tag objects, so nodes are classified by
# identity (no per-node Tag object, no string conversion).
_PLAIN_TAG = Tag(suffix="?plain")  # untagged plain scalars
_QUOTED_TAG = Tag(suffix="?quoted")  # quoted / block scalars
_MAP_TAG = Tag(suffix=_YAML_TAG + "map")
_SEQ_TAG = Tag(suffix=_YAML_TAG + "seq")
_COLLECTION_TAGS = {"mapping": (_YAML_TAG + "map",), "sequence": (_YAML_TAG + "seq",)}

_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")
_OCT = re.compile(r"([-+]?)0o?([0-7]+)\Z")
_HEX = re.compile(r"([-+]?)0x([0-9a-fA-F]+)\Z")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_SPECIAL_FLOATS = {".inf": math.inf, ".Inf": math.inf, ".INF": math.inf, "+.inf": math.inf,
                   "-.inf": -math.inf, "-.Inf": -math.inf, "-.INF": -math.inf,
                   ".nan": math.nan, ".NaN": math.nan, ".NAN": math.nan}


class YamlProblem(Exception):
    """A problem that stops building the current document."""

    def __init__(self, message: str, mark: Any = None, hint: str | None = None):
        super().__init__(message)
        self.message, self.mark, self.hint = message, mark, hint


class RawDocument:
    """One parsed document: plain data and its source map."""

    __slots__ = ("index", "data", "source")

    def __init__(self, index: int, data: Any, source: SourceMap):
        self.index, self.data, self.source = index, data, source


def resolve_plain(value: str) -> Any:
    """Type of an untagged plain scalar (see module docstring)."""
    if value in _NULLS:
        return None
    first = value[0]
    if first in "0123456789+-.":
        if _INT.match(value):
            return int(value)
        m = _OCT.match(value)
        if m:
            return int(m.group(1) + m.group(2), 8)
        m = _HEX.match(value)
        if m:
            return int(m.group(1) + m.group(2), 16)
        if _FLOAT.match(value):
            return float(value)
        if value in _SPECIAL_FLOATS:
            return _SPECIAL_FLOATS[value]
        return value
    b = _BOOLS.get(value)
    return value if b is None else b


def _resolve_tagged(tag: str, value: str, mark: Any) -> Any:
    """Value of a scalar carrying an explicit ``!!type`` tag."""
    kind = tag[len(_YAML_TAG):] if tag.startswith(_YAML_TAG) else None
    if kind in ("str", "binary", "timestamp") or tag == "!":
        return value
    if kind in ("int", "float", "bool", "null"):
        v = resolve_plain(value)
        ok = {"int": lambda x: isinstance(x, int) and not isinstance(x, bool),
              "float": lambda x: isinstance(x, (int, float)) and not isinstance(x, bool),
              "bool": lambda x: isinstance(x, bool), "null": lambda x: x is None}[kind](v)
        if not ok:
            raise YamlProblem(f"value {quote(value)} is not a valid !!{kind}", mark)
        return float(v) if kind == "float" else v
    raise YamlProblem(f"unsupported YAML tag {quote(tag)}", mark,
                      hint="Kubernetes manifests use plain YAML types only")


class _Mark(NamedTuple):
    line: int
    column: int


_tuple_new = tuple.__new__  # SourcePos(file, line, col) without its keyword-capable __new__ (hot path)


def _mark(file: str, mark: Any) -> SourcePos:
    return _tuple_new(SourcePos, (file, mark.line + 1, mark.column + 1))


class _Builder:
    """Turns one composed node graph into plain data plus positions.

    Scalars are handled inline in the collection loops: this is the loader's
    hottest code.
    """

    def __init__(self, file: str, chars: int):
        self.file = file
        self.chars = chars  # document size, to tell alias bombs from big documents
        self.positions: dict[FieldPath, SourcePos] = {}
        self.key_positions: dict[FieldPath, SourcePos] = {}
        self.problems: list[YamlProblem] = []
        self.budget = MAX_NODES
        self.active: set[int] = set()

    def build(self, node: Any, path: FieldPath) -> Any:
        """Plain value of any node (records its position)."""
        self.budget -= 1
        if self.budget < 0:
            raise self._too_many(node, path)
        mark = node.start_mark
        self.positions[path] = _tuple_new(SourcePos, (self.file, mark.line + 1, mark.column + 1))
        ctag = node.ctag
        if ctag is _PLAIN_TAG:
            return resolve_plain(node.value)
        if ctag is _QUOTED_TAG:
            return node.value
        if ctag is _MAP_TAG or ctag is _SEQ_TAG or str(ctag) in _COLLECTION_TAGS.get(node.id, ()):
            return self._collection(node, path)
        if node.id != "scalar":
            raise YamlProblem(f"unsupported YAML tag {quote(ctag)}", node.start_mark)
        return _resolve_tagged(str(ctag), node.value, node.start_mark)

    def _collection(self, node: Any, path: FieldPath) -> Any:
        if len(path) >= MAX_DEPTH:
            raise YamlProblem(f"nesting deeper than {MAX_DEPTH} levels", node.start_mark)
        nid = id(node)
        if nid in self.active:
            raise YamlProblem("recursive alias: a collection contains itself", node.start_mark)
        self.active.add(nid)
        try:
            if node.id == "mapping":
                return self._mapping(node, path)
            return self._sequence(node, path)
        finally:
            self.active.discard(nid)

    def _sequence(self, node: Any, path: FieldPath) -> list:
        result = []
        append = result.append
        positions, file = self.positions, self.file
        for i, item in enumerate(node.value):
            ctag = item.ctag
            if ctag is _PLAIN_TAG or ctag is _QUOTED_TAG:
                self.budget -= 1
                if self.budget < 0:
                    raise self._too_many(item, path)
                mark = item.start_mark
                positions[path + (i,)] = _tuple_new(SourcePos, (file, mark.line + 1, mark.column + 1))
                append(resolve_plain(item.value) if ctag is _PLAIN_TAG else item.value)
            else:
                append(self.build(item, path + (i,)))
        return result

    def _too_many(self, node: Any, path: FieldPath) -> YamlProblem:
        """The node limit was hit: blame the top-level field being expanded."""
        where = self.key_positions.get(path[:1]) if path else None
        mark = _Mark(where.line - 1, where.col - 1) if where else node.start_mark
        field = f" (in the value of {quote(path[0])})" if where else ""
        if self.chars < MAX_NODES:  # fewer characters than nodes: only aliases do that
            return YamlProblem(f"alias expansion exceeds the limit of {MAX_NODES} nodes per document{field}",
                               mark, hint="a 'billion laughs' document? expand the aliases by hand")
        return YamlProblem(f"document has more than {MAX_NODES} nodes", mark)

    def _mapping(self, node: Any, path: FieldPath) -> dict:
        result: dict = {}
        merges = []
        positions, key_positions, file = self.positions, self.key_positions, self.file
        for key_node, value_node in node.value:
            if key_node.id != "scalar":
                self.problems.append(YamlProblem("mapping key must be a string, not a collection", key_node.start_mark))
                continue
            key = key_node.value
            if key == "<<" and key_node.ctag is _PLAIN_TAG:
                merges.append(value_node)
                continue
            kpath = path + (key,)
            mark = key_node.start_mark
            if key in result:
                first = key_positions[kpath]
                self.problems.append(
                    YamlProblem(f"duplicate key {quote(key)} (first defined at line {first.line})", mark))
                continue
            key_positions[kpath] = _tuple_new(SourcePos, (file, mark.line + 1, mark.column + 1))
            ctag = value_node.ctag
            if ctag is _PLAIN_TAG or ctag is _QUOTED_TAG:
                self.budget -= 1
                if self.budget < 0:
                    raise self._too_many(value_node, kpath)
                mark = value_node.start_mark
                positions[kpath] = _tuple_new(SourcePos, (file, mark.line + 1, mark.column + 1))
                result[key] = resolve_plain(value_node.value) if ctag is _PLAIN_TAG else value_node.value
            else:
                result[key] = self.build(value_node, kpath)
        for merge in merges:
            self._merge(result, merge, path)
        return result

    def _merge(self, result: dict, node: Any, path: FieldPath) -> None:
        """Apply a ``<<:`` merge key: earlier keys win."""
        sources = node.value if node.id == "sequence" else [node]
        for src in sources:
            if src.id != "mapping":
                self.problems.append(YamlProblem("merge key '<<' needs a mapping or a list of mappings",
                                                 src.start_mark))
                continue
            own = self.positions[path]
            merged = self.build(src, path)
            self.positions[path] = own
            for k, v in merged.items():
                result.setdefault(k, v)


def _mark_pos(file: str, exc: Any, text: str) -> SourcePos:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        return _mark(file, mark)
    index = getattr(exc, "position", None)
    if isinstance(index, int):
        line = text.count("\n", 0, index) + 1
        return SourcePos(file, line, index - (text.rfind("\n", 0, index) + 1) + 1)
    return SourcePos(file, 1, 1)


def _yaml_error(file: str, exc: Exception, text: str, diags: Diagnostics) -> None:
    """Report a ruamel scanner/parser/reader error at its position."""
    pos = _mark_pos(file, exc, text)
    problem = getattr(exc, "problem", None)
    hint = None
    if problem is None:  # ReaderError
        problem = getattr(exc, "reason", None) or str(exc).splitlines()[0]
        problem = f"invalid character in input: {problem}"
    elif _is_tab_problem(problem, text, pos):
        problem = "tab character used for indentation"
        hint = "YAML indentation must use spaces, not tabs"
    else:
        context = getattr(exc, "context", None)
        context_mark = getattr(exc, "context_mark", None)
        if context and context_mark is not None and context_mark.line + 1 != pos.line:
            context = f"{context} started at line {context_mark.line + 1}"
        if context:
            problem = f"{problem} ({context})"
    diags.error(f"YAML syntax error: {problem}" if hint is None else problem, pos, hint)


def _is_tab_problem(problem: str, text: str, pos: SourcePos) -> bool:
    if "tab" in problem:
        return True
    lines = text.split("\n", pos.line)
    line = lines[pos.line - 1] if len(lines) >= pos.line else ""
    return "\t" in line[: pos.col] and line[: pos.col - 1].strip(" \t") == ""


_DOCUMENT_MARKER = re.compile(r"^(?:---|\.\.\.)(?=[ \t\n]|\Z)", re.MULTILINE)


def _sizes_ok(file: str, text: str, segments: list[str], diags: Diagnostics) -> bool:
    """Refuse oversized documents before composing them.

    ``segments`` is the text split at ``---``/``...`` lines: no document spans
    a marker, so a document is never larger than its segment.
    """
    offset = 0
    for seg in segments:
        if len(seg) > MAX_DOCUMENT_CHARS:
            line = text.count("\n", 0, offset) + 1
            diags.error(f"document is larger than the {MAX_DOCUMENT_CHARS // (1024 * 1024)} MiB limit",
                        SourcePos(file, line, 1))
            return False
        offset += len(seg) + 3  # the marker removed by split
    return True


def _nesting_bound(text: str, segments: list[str] | None = None) -> int:
    """A cheap upper bound of the collection nesting depth of ``text``.

    Block nesting needs indentation (at most 2 levels per column of the
    longest line); flow nesting needs one bracket per level, counted per
    document (no collection spans a ``---``/``...`` marker).
    """
    longest = max(map(len, text.split("\n"))) if text else 0
    if segments is None or len(segments) == 1:
        segments = _DOCUMENT_MARKER.split(text)
    flow = max((seg.count("[") + seg.count("{") for seg in segments), default=0)
    return flow + 2 * longest + 4


def _check_depth(file: str, text: str, diags: Diagnostics) -> bool:
    """Exact nesting check from the event stream; False after reporting too deep input."""
    parser = _make_parser(text)
    depth = 0
    try:
        while True:
            event = parser.get_event()
            if event is None:
                return True
            name = type(event).__name__
            if name in ("MappingStartEvent", "SequenceStartEvent"):
                depth += 1
                if depth > MAX_DEPTH:
                    diags.error(f"nesting deeper than {MAX_DEPTH} levels", _mark(file, event.start_mark))
                    return False
            elif name in ("MappingEndEvent", "SequenceEndEvent"):
                depth -= 1
            elif name == "StreamEndEvent":
                return True
    except Exception:  # a syntax error: composing will report it properly
        return True
    finally:
        _dispose(parser)


def iter_documents(file: str, text: str, diags: Diagnostics) -> Iterator[RawDocument]:
    """Parse ``text`` and yield each non-empty document; problems go to ``diags``."""
    segments = _DOCUMENT_MARKER.split(text) if len(text) > MAX_DOCUMENT_CHARS else [text]
    if not _sizes_ok(file, text, segments, diags):
        return
    if _nesting_bound(text, segments) > _SAFE_COMPOSE_DEPTH and not _check_depth(file, text, diags):
        return
    composer = _make_parser(text)
    index = -1
    try:
        while True:
            try:
                if not composer.check_node():
                    break
                node = composer.get_node()
            except RecursionError:
                diags.error(f"nesting deeper than {MAX_DEPTH} levels", SourcePos(file, 1, 1))
                return
            except Exception as exc:  # ruamel's YAMLError family, ReaderError
                _yaml_error(file, exc, text, diags)
                return
            index += 1
            if index >= MAX_DOCUMENTS:
                diags.error(f"more than {MAX_DOCUMENTS} documents in one input", _mark(file, node.start_mark)
                            if node is not None else SourcePos(file, 1, 1), hint="split the input into several files")
                return
            if node is None:
                continue
            doc = _build_document(file, index, node, diags)
            if doc is not None:
                yield doc
    finally:
        _dispose(composer)


def _build_document(file: str, index: int, node: Any, diags: Diagnostics) -> RawDocument | None:
    """Plain data and positions of one composed document (None after reporting problems)."""
    start = _mark(file, node.start_mark)
    size = node.end_mark.index - node.start_mark.index
    if size > MAX_DOCUMENT_CHARS:
        diags.error(f"document is larger than the {MAX_DOCUMENT_CHARS // (1024 * 1024)} MiB limit", start)
        return None
    builder = _Builder(file, size)
    try:
        data = builder.build(node, ())
    except YamlProblem as problem:
        builder.problems.append(problem)
        data = None
    except RecursionError:
        builder.problems.append(YamlProblem(f"nesting deeper than {MAX_DEPTH} levels", node.start_mark))
        data = None
    for p in builder.problems:
        diags.error(p.message, _mark(file, p.mark) if p.mark is not None else start, p.hint)
    if builder.problems or data is None:
        return None
    return RawDocument(index, data, SourceMap(file, index, start, builder.positions, builder.key_positions))


# --- parser construction ----------------------------------------------------

def _resolve(self: Any, kind: Any, value: Any, implicit: Any) -> str:
    """Minimal resolver: typing of plain scalars is done by resolve_plain."""
    if value is None:  # collections
        return _MAP_TAG if kind.__name__ == "MappingNode" else _SEQ_TAG
    if implicit is True or (implicit.__class__ is tuple and implicit[0]):
        return _PLAIN_TAG
    return _QUOTED_TAG


#: ruamel.yaml.clib's C parser subclassed with our resolver, or None (no clib, or the shortcuts
#: switched off): then ruamel's public loader API composes (with the same C parser when the clib
#: is installed, else the pure-Python one).
_CComposer = shortcuts.c_composer(_resolve)
HAVE_CLIB = _CComposer is not None
#: True: the public API's pure-Python parser even where the clib is installed (tests compare them).
_PURE = False


def _make_parser(text: str) -> Any:
    if _CComposer is not None:
        return _CComposer(text)
    return _LoaderComposer(text, _PURE)


def _dispose(parser: Any) -> None:
    dispose = getattr(parser, "dispose", None)
    if dispose is not None:
        try:
            dispose()
        except Exception:
            pass


_END = object()


class _LoaderComposer:
    """The C composer's methods over ruamel's public ``YAML.compose_all`` and ``YAML.parse``,
    with our resolver. Their generators start reading on first use, so a reader error (a
    control character) comes from ``check_node``/``get_event`` as it does from the C parser."""

    def __init__(self, text: str, pure: bool):
        from ruamel.yaml import YAML
        from ruamel.yaml.resolver import VersionedResolver

        class _Resolver(VersionedResolver):
            resolve = _resolve

        self._yaml = YAML(typ="safe", pure=pure)
        self._yaml.Resolver = _Resolver
        self._text = text
        self._stream: Any = None  # the generator in use: nodes or events
        self._next: Any = _END

    def check_node(self) -> bool:
        if self._next is _END:
            if self._stream is None:
                self._stream = self._yaml.compose_all(self._text)
            self._next = next(self._stream, _END)
        return self._next is not _END

    def get_node(self) -> Any:
        self.check_node()
        node, self._next = self._next, _END
        return node

    def get_event(self) -> Any:
        if self._stream is None:
            self._stream = self._yaml.parse(self._text)
        return next(self._stream, None)

    def dispose(self) -> None:
        if self._stream is not None:
            self._stream.close()

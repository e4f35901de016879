"""YAML/JSON text -> plain documents with a position for every field, as Kubernetes reads them.

Nodes are composed by ``yamlcompose`` (PyYAML's libyaml parser, read as gopkg.in/yaml.v2 reads
it); this module then builds plain dicts/lists itself so that it controls scalar typing
(``yamltypes``: yaml.v2's YAML 1.1 rules, keys as sigs.k8s.io/yaml makes them), tags (custom ones
ignored with a warning, as Kubernetes ignores them), alias expansion (bounded), duplicate keys
and positions.
"""

from __future__ import annotations

import re
from typing import Any, Iterator, NamedTuple

from kube2pod.diagnostics import Diagnostics, SourcePos
from kube2pod.load import yamlcompose
from kube2pod.load.manifest import FieldPath, SourceMap
from kube2pod.load.names import quote
from kube2pod.load.yamlcompose import MAP_TAG as _MAP_TAG
from kube2pod.load.yamlcompose import PLAIN_TAG as _PLAIN_TAG
from kube2pod.load.yamlcompose import QUOTED_TAG as _QUOTED_TAG
from kube2pod.load.yamlcompose import SEQ_TAG as _SEQ_TAG
from kube2pod.load.yamltypes import KeyProblem, TagProblem, key_string, resolve_plain, resolve_tagged, standard_kind

__all__ = ["MAX_DEPTH", "MAX_NODES", "MAX_DOCUMENT_CHARS", "MAX_DOCUMENTS", "RawDocument", "iter_documents",
           "read_documents", "resolve_plain"]

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


def _tagged_scalar(builder: "_Builder", node: Any) -> Any:
    """Value of a scalar with an explicit tag: standard ones typed, any other ignored (warning)."""
    tag = node.tag
    kind = standard_kind(tag)
    if kind is not None and kind not in ("map", "seq"):
        try:
            return resolve_tagged(kind, node.value)
        except TagProblem as problem:
            raise YamlProblem(f"{problem} (value {quote(node.value)})", node.start_mark) from None
    builder.ignored_tag(tag, node, "the value is read as the string written")
    return node.value


class _Mark(NamedTuple):
    line: int
    column: int


#: Plain keys that read as themselves (most keys: "apiVersion", "name"…), to skip their typing.
_PLAIN_KEYS: dict[str, str] = {}
_PLAIN_KEYS_MAX = 50_000
_tuple_new = tuple.__new__  # SourcePos(file, line, col) without its keyword-capable __new__ (hot path)


def _mark(file: str, mark: Any) -> SourcePos:
    return _tuple_new(SourcePos, (file, mark.line + 1, mark.column + 1))


class _Builder:
    """Turns one composed node graph into plain data plus positions.

    Scalars are handled inline in the collection loops: this is the loader's
    hottest code.
    """

    def __init__(self, file: str, chars: int, question_marks: bool = True):
        self.file = file
        self.question_marks = question_marks  # the text has a '?': flow scalars are checked for one
        self.chars = chars  # document size, to tell alias bombs from big documents
        self.positions: dict[FieldPath, SourcePos] = {}
        self.key_positions: dict[FieldPath, SourcePos] = {}
        self.problems: list[YamlProblem] = []
        self.warnings: list[YamlProblem] = []
        self.budget = MAX_NODES
        self.active: set[int] = set()

    def build(self, node: Any, path: FieldPath) -> Any:
        """Plain value of any node (records its position)."""
        self.budget -= 1
        if self.budget < 0:
            raise self._too_many(node, path)
        mark = node.start_mark
        self.positions[path] = _tuple_new(SourcePos, (self.file, mark.line + 1, mark.column + 1))
        tag = node.tag
        if tag is _PLAIN_TAG:
            return resolve_plain(node.value)
        if tag is _QUOTED_TAG:
            return node.value
        nid = node.id
        if nid == "scalar":
            return _tagged_scalar(self, node)
        if tag is not _MAP_TAG and tag is not _SEQ_TAG and tag != (_MAP_TAG if nid == "mapping" else _SEQ_TAG):
            self.ignored_tag(tag, node, f"the {nid} is read as a plain {nid}")
        return self._collection(node, path)

    def ignored_tag(self, tag: str, node: Any, what: str) -> None:
        """A tag Kubernetes' reader ignores: a warning at the node."""
        self.warnings.append(YamlProblem(f"YAML tag {quote(tag)} ignored: {what}, as Kubernetes reads it",
                                         node.start_mark, hint="Kubernetes manifests use untagged YAML"))

    def _collection(self, node: Any, path: FieldPath) -> Any:
        if len(path) >= MAX_DEPTH:
            raise YamlProblem(f"nesting deeper than {MAX_DEPTH} levels", node.start_mark)
        nid = id(node)
        if nid in self.active:
            raise YamlProblem("recursive alias: a collection contains itself", node.start_mark)
        if node.flow_style and self.question_marks:
            self._check_flow_scalars(node)
        self.active.add(nid)
        try:
            if node.id == "mapping":
                return self._mapping(node, path)
            return self._sequence(node, path)
        finally:
            self.active.discard(nid)

    def _check_flow_scalars(self, node: Any) -> None:
        """In a flow collection yaml.v2 ends a plain scalar at '?' (then fails: ``[a?b]``); libyaml reads on."""
        items = node.value if node.id == "sequence" else [n for pair in node.value for n in pair]
        for item in items:
            if item.tag is _PLAIN_TAG and "?" in item.value:
                raise YamlProblem(f"'?' inside the plain scalar {quote(item.value)} of a flow collection: "
                                  "Kubernetes' reader ends the scalar there and fails", item.start_mark,
                                  hint="quote the value")

    def _sequence(self, node: Any, path: FieldPath) -> list:
        result = []
        append = result.append
        positions, file = self.positions, self.file
        for i, item in enumerate(node.value):
            ctag = item.tag
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
                self.problems.append(YamlProblem("a mapping key must be a string, not a collection",
                                                 key_node.start_mark))
                continue
            key = key_node.value
            ktag = key_node.tag
            if ktag is _PLAIN_TAG:
                if key == "<<":
                    merges.append(value_node)
                    continue
                known = _PLAIN_KEYS.get(key)
                if known is None:
                    known = resolve_plain(key)
                    if known.__class__ is str and len(_PLAIN_KEYS) < _PLAIN_KEYS_MAX:
                        _PLAIN_KEYS[key] = known
                key = known
            elif ktag is not _QUOTED_TAG:
                key = _tagged_scalar(self, key_node)
            if key.__class__ is not str:
                try:
                    key = key_string(key)
                except KeyProblem as problem:
                    self.problems.append(YamlProblem(str(problem), key_node.start_mark))
                    continue
            kpath = path + (key,)
            mark = key_node.start_mark
            if key in result:
                first = key_positions[kpath]
                self.problems.append(
                    YamlProblem(f"duplicate key {quote(key)} (first defined at line {first.line})", mark))
                continue
            key_positions[kpath] = _tuple_new(SourcePos, (file, mark.line + 1, mark.column + 1))
            ctag = value_node.tag
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
    """Report a PyYAML scanner/parser/reader error at its position."""
    pos = _mark_pos(file, exc, text)
    problem = getattr(exc, "problem", None)
    hint = None
    if problem is not None and "maximum nesting depth" in problem:  # libyaml stops at 1,000 levels
        diags.error(f"nesting deeper than {MAX_DEPTH} levels", pos)
        return
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
    parser = yamlcompose.make_parser(text)
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
        yamlcompose.dispose(parser)


def iter_documents(file: str, text: str, diags: Diagnostics) -> Iterator[RawDocument]:
    """Parse ``text`` and yield each non-empty document; problems go to ``diags``."""
    for doc in read_documents(file, text, diags):
        if doc.data is not None:
            yield doc


def read_documents(file: str, text: str, diags: Diagnostics) -> Iterator[RawDocument]:
    """Every document of ``text`` in order (an empty one with ``data`` None) until the first
    syntax error; problems go to ``diags``."""
    segments = _DOCUMENT_MARKER.split(text) if len(text) > MAX_DOCUMENT_CHARS else [text]
    if not _sizes_ok(file, text, segments, diags):
        return
    if _nesting_bound(text, segments) > _SAFE_COMPOSE_DEPTH and not _check_depth(file, text, diags):
        return
    read = _Reading(file, text, diags)
    yield from read.documents(careful=None)
    while read.again:  # a redefined anchor or a stand-in: read again, from the first document not yet given
        read.again = False
        yield from read.documents(careful=read.careful)


class _Reading:
    """One text read by a composer; ``again`` when the careful composer must read it again from
    the first document not yet yielded (``done``)."""

    def __init__(self, file: str, text: str, diags: Diagnostics):
        self.file, self.text, self.diags = file, text, diags
        self.done = -1  # index of the last document handled
        self.again = False
        self.careful: bool | None = None
        # stand-ins for what libyaml refuses and yaml.v2 reads (yamlcompose.stand_in), at most
        # _MAX_STAND_INS, and only where the text holds none of them itself
        self.stand_ins = 0 if yamlcompose.COLON not in text and yamlcompose.DROPPED not in text else _MAX_STAND_INS
        self.question_marks = "?" in text

    def documents(self, careful: bool | None) -> Iterator[RawDocument]:
        file, diags = self.file, self.diags
        composer = yamlcompose.make_composer(self.text, careful)
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
                except yamlcompose.Unsupported as exc:
                    diags.error(f"YAML: {exc.message}", _mark(file, exc.mark), exc.hint)
                    return
                except Exception as exc:  # PyYAML's YAMLError family, ReaderError
                    if not careful and yamlcompose.DUPLICATE_ANCHOR in str(getattr(exc, "context", None)):
                        self.again, self.careful = True, True
                        return
                    patched = yamlcompose.stand_in(self.text, exc) if self.stand_ins < _MAX_STAND_INS else None
                    if patched is not None:
                        self.text, self.again = patched, True
                        self.stand_ins += 1
                        return
                    _yaml_error(file, exc, self.text, diags)
                    return
                index += 1
                if index <= self.done:
                    continue
                self.done = index
                if index >= MAX_DOCUMENTS:
                    diags.error(f"more than {MAX_DOCUMENTS} documents in one input", _mark(file, node.start_mark)
                                if node is not None else SourcePos(file, 1, 1), hint="split the input into several files")
                    return
                if node is None:
                    continue
                doc = _build_document(file, index, node, diags, self.question_marks)
                if doc is not None and self.stand_ins:
                    doc = _restored(doc)
                if doc is not None:
                    yield doc
        finally:
            yamlcompose.dispose(composer)


_MAX_STAND_INS = 20


def _restored(doc: RawDocument) -> RawDocument:
    """A document read with stand-ins, with its values and field paths turned back."""
    src = doc.source
    positions = {yamlcompose.turn_back(p): pos for p, pos in src.positions.items()}
    key_positions = {yamlcompose.turn_back(p): pos for p, pos in src.key_positions.items()}
    return RawDocument(doc.index, yamlcompose.turn_back(doc.data),
                       SourceMap(src.file, src.document, src.start, positions, key_positions))


def _build_document(file: str, index: int, node: Any, diags: Diagnostics,
                    question_marks: bool = True) -> RawDocument | None:
    """Plain data and positions of one composed document (None after reporting problems)."""
    start = _mark(file, node.start_mark)
    size = node.end_mark.index - node.start_mark.index
    if size > MAX_DOCUMENT_CHARS:
        diags.error(f"document is larger than the {MAX_DOCUMENT_CHARS // (1024 * 1024)} MiB limit", start)
        return None
    builder = _Builder(file, size, question_marks)
    try:
        data = builder.build(node, ())
    except YamlProblem as problem:
        builder.problems.append(problem)
        data = None
    except RecursionError:
        builder.problems.append(YamlProblem(f"nesting deeper than {MAX_DEPTH} levels", node.start_mark))
        data = None
    for w in builder.warnings:
        diags.warning(w.message, _mark(file, w.mark), w.hint)
    for p in builder.problems:
        diags.error(p.message, _mark(file, p.mark) if p.mark is not None else start, p.hint)
    if builder.problems:
        return None
    return RawDocument(index, data, SourceMap(file, index, start, builder.positions, builder.key_positions))

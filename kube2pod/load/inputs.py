"""Input sources: files, directories (recursively) and stdin, read as UTF-8 text.

Everything that can go wrong before YAML parsing (missing file, too large,
binary, bad encoding) becomes a diagnostic here; nothing raises.
"""

from __future__ import annotations

import os
from typing import BinaryIO, Iterator, NamedTuple, Sequence

from kube2pod.diagnostics import Diagnostics, SourcePos

#: Largest file (or stdin stream) accepted, in bytes.
MAX_FILE_BYTES = 8 * 1024 * 1024
#: Largest total input (all files and stdin together), in bytes.
MAX_TOTAL_BYTES = 64 * 1024 * 1024
#: File name endings picked up when a directory is given.
MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
STDIN_NAME = "<stdin>"

_FOREIGN_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


class Source(NamedTuple):
    """One input's decoded text: BOM removed, CRLF turned into LF."""

    name: str
    text: str


def read_sources(paths: Sequence[str], stdin: BinaryIO | None, diags: Diagnostics,
                 order: list[str] | None = None) -> list[Source]:
    """Read every input named in ``paths`` ("-" is stdin), in order.

    ``order`` receives every input name (read or not) in input order.
    """
    sources = []
    total = 0
    for name, reader in _expand(paths, stdin, diags, order if order is not None else []):
        data = reader()
        if isinstance(data, str):  # an error message
            diags.error(data, SourcePos(name, 1, 1))
            continue
        total += len(data)
        if total > MAX_TOTAL_BYTES:
            diags.error(f"input exceeds the total limit of {MAX_TOTAL_BYTES // (1024 * 1024)} MiB; "
                        "this file and the rest were not read", SourcePos(name, 1, 1))
            break
        text = decode_text(name, data, diags)
        if text is not None:
            sources.append(Source(name, text))
    return sources


def _expand(paths: Sequence[str], stdin: BinaryIO | None, diags: Diagnostics,
            order: list[str]) -> Iterator[tuple[str, object]]:
    """Yield ``(name, reader)`` for each input; directories are walked in sorted order."""
    for path in paths:
        if path == "-":
            order.append(STDIN_NAME)
            yield STDIN_NAME, lambda: _read_stream(stdin)
        elif os.path.isdir(path):
            order.append(path)
            found = list(walk_manifests(path))
            if not found:
                diags.warning(f"directory contains no {', '.join(MANIFEST_SUFFIXES)} files", SourcePos(path, 1, 1))
            for file in found:
                order.append(file)
                yield file, (lambda f=file: _read_file(f))
        else:
            order.append(path)
            yield path, (lambda f=path: _read_file(f))


def walk_manifests(directory: str) -> Iterator[str]:
    """Manifest files under ``directory``, recursively, in a stable (sorted) order.

    Hidden files and directories (starting with ".") are skipped.
    """
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = os.path.join(directory, entry.name)
        if entry.is_dir(follow_symlinks=False):
            yield from walk_manifests(path)
        elif entry.name.lower().endswith(MANIFEST_SUFFIXES) and entry.is_file():
            yield path


def _read_file(path: str) -> bytes | str:
    """File contents, or an error message."""
    try:
        if os.path.isdir(path):
            return "is a directory"
        with open(path, "rb") as f:
            return _read_limited(f)
    except FileNotFoundError:
        return "no such file"
    except PermissionError:
        return "permission denied"
    except OSError as exc:
        return f"cannot read: {exc.strerror or exc}"


def _read_stream(stream: BinaryIO | None) -> bytes | str:
    if stream is None:
        return "standard input is not available"
    try:
        return _read_limited(stream)
    except (OSError, ValueError) as exc:
        return f"cannot read standard input: {exc}"


def _read_limited(f: BinaryIO) -> bytes | str:
    data = f.read(MAX_FILE_BYTES + 1)
    if isinstance(data, str):  # a text stream was passed
        data = data.encode("utf-8", "surrogateescape")
    if len(data) > MAX_FILE_BYTES:
        return f"input is larger than the {MAX_FILE_BYTES // (1024 * 1024)} MiB limit"
    return data


def decode_text(name: str, data: bytes, diags: Diagnostics) -> str | None:
    """UTF-8 text of ``data`` (BOM stripped, CRLF normalised), or None after an error."""
    for bom, encoding in _FOREIGN_BOMS:
        if data.startswith(bom):
            diags.error(f"file is encoded as {encoding}; only UTF-8 is supported", SourcePos(name, 1, 1),
                        hint="convert it, e.g. iconv -f UTF-16 -t UTF-8")
            return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    nul = data.find(b"\x00")
    if nul >= 0:
        line, col = _line_col(data, nul)
        diags.error("binary file: contains a NUL byte, not YAML or JSON text", SourcePos(name, line, col))
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _line_col(data, exc.start)
        diags.error(f"not valid UTF-8 text: byte 0x{data[exc.start]:02x} cannot be decoded",
                    SourcePos(name, line, col), hint="manifests must be UTF-8 encoded")
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    return text


def _line_col(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of byte ``offset``."""
    start = data.rfind(b"\n", 0, offset) + 1
    col = len(data[start:offset].decode("utf-8", "replace")) + 1
    return data.count(b"\n", 0, offset) + 1, col

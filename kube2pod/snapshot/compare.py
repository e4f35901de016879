"""Snapshot files vs a directory: readable differences, and writing them.

A difference is shown as a unified diff; for shell scripts each podman command is first
broken into one argument per line, so the diff names the option that changed.
"""

from __future__ import annotations

import difflib
import shlex
from pathlib import Path
from typing import Sequence

from kube2pod.snapshot.outputs import FORMATS, is_snapshot_file


def stored(directory: Path, formats: Sequence[str] = FORMATS) -> dict[str, str]:
    """The snapshot files of ``formats`` kept in ``directory`` (others, e.g. input.yaml, are not ours)."""
    if not directory.is_dir():
        return {}
    found = {}
    for p in sorted(directory.rglob("*")):
        name = p.relative_to(directory).as_posix()
        if p.is_file() and is_snapshot_file(name, formats):
            found[name] = p.read_text(encoding="utf-8")
    return found


def compare(files: dict[str, str], directory: Path, formats: Sequence[str] = FORMATS) -> list[str]:
    """One readable report per file of ``formats`` that differs from, is missing in or is extra
    in ``directory``."""
    old = stored(directory, formats)
    problems = []
    for name in sorted(set(files) | set(old)):
        if name not in old:
            problems.append(f"{directory / name}: no snapshot yet (new output)\n" + diff(name, "", files[name]))
        elif name not in files:
            problems.append(f"{directory / name}: snapshot is no longer produced\n" + diff(name, old[name], ""))
        elif old[name] != files[name]:
            problems.append(f"{directory / name}: output changed\n" + diff(name, old[name], files[name]))
    return problems


def write(files: dict[str, str], directory: Path, formats: Sequence[str] = FORMATS) -> list[str]:
    """Make ``directory`` hold exactly ``files`` for ``formats`` (stale ones are removed): names changed."""
    old = stored(directory, formats)
    changed = []
    for name in sorted(set(old) - set(files)):
        (directory / name).unlink()
        changed.append(name)
    for name, text in files.items():
        if old.get(name) != text:
            path = directory / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.encode("utf-8"))
            changed.append(name)
    for sub in sorted((p for p in directory.rglob("*") if p.is_dir()), reverse=True):
        if not any(sub.iterdir()):
            sub.rmdir()
    return sorted(changed)


def diff(name: str, old: str, new: str) -> str:
    """Unified diff of two versions of snapshot ``name``, commands split into arguments."""
    a, b = _lines(name, old), _lines(name, new)
    text = "".join(difflib.unified_diff(a, b, f"{name} (snapshot)", f"{name} (now)", n=3))
    return text if text.endswith("\n") or not text else text + "\n"


def _lines(name: str, text: str) -> list[str]:
    lines = text.splitlines(keepends=True)
    if not name.endswith(".sh"):
        return lines
    out = []
    for line in lines:
        out.extend(_split_command(line))
    return out


def _split_command(line: str) -> list[str]:
    """``podman create --a=1 --b=2 img`` -> the command words, then one argument per line."""
    if line.startswith("#") or len(line) < 100:
        return [line]
    try:
        words = shlex.split(line)
    except ValueError:
        return [line]
    first = next((i for i, w in enumerate(words) if w.startswith("-")), len(words))
    if first == len(words):
        return [line]
    head = " ".join(shlex.quote(w) for w in words[:first])
    return [head + " \\\n"] + [f"    {shlex.quote(w)} \\\n" for w in words[first:-1]] + \
        [f"    {shlex.quote(w)}\n" for w in words[first:][-1:]]

"""The transaction journal: what this run changed, in order, kept on disk.

Entries: ``created`` (kind pod | volume | secret, name), ``paths`` (host paths
made), ``replaced`` (a pod removed to be recreated, with the stored
definition that restores it) and ``started`` (an unchanged pod that was not
running and is being started: the whole pod, or the containers named, with
the stop timeout; written before the start). Rolling back undoes them newest
first: created objects are removed (only while they still carry kube2pod's
labels), replaced pods are created again from their definition, started pods
(or containers) are stopped again, as they were found; never removed. The file is written after every
entry, so a run that dies (kill -9, Podman gone and no rollback possible) leaves
it behind and the next run of the same project rolls it back first.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kube2pod.apply import hostpaths
from kube2pod.apply.errors import ApplyError
from kube2pod.apply.events import Event, Reporter

Undo = Callable[[dict], None]
_UNDONE = {"replaced": "restored", "started": "stopped"}  # the event that reports an entry undone


@dataclass
class Journal:
    """Entries of one run; ``path`` None keeps it in memory only."""

    path: Path | None = None
    entries: list[dict] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def load(cls, path: Path) -> Journal | None:
        """A journal a previous run left behind, or None."""
        try:
            data = json.loads(path.read_text())
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            return cls(path, [])
        return cls(path, [e for e in data.get("entries", []) if isinstance(e, dict)])

    def record(self, entry: dict) -> None:
        with self._lock:
            self.entries.append(entry)
            self._save()

    def created(self, kind: str, name: str) -> None:
        self.record({"op": "created", "kind": kind, "name": name})

    def replaced(self, name: str, project: str, definition: str, running: bool) -> None:
        self.record({"op": "replaced", "kind": "pod", "name": name, "project": project,
                     "definition": definition, "running": running})

    def started(self, name: str, containers: list[str], whole: bool, timeout: int | None) -> None:
        self.record({"op": "started", "kind": "pod", "name": name, "containers": containers,
                     "whole": whole, "timeout": timeout})

    def paths(self, made: list[str]) -> None:
        if made:
            self.record({"op": "paths", "kind": "host path", "paths": made})

    def _save(self) -> None:
        if self.path is None:
            return
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"pid": os.getpid(), "entries": self.entries}))
        os.replace(tmp, self.path)

    def rollback(self, undo: dict[str, Undo], report: Reporter) -> list[str]:
        """Undo every entry, newest first; problems (as text) for what could not be undone.

        ``undo`` maps ``"<op> <kind>"`` to a function of the entry; host paths are
        undone here. The journal file is removed only when everything was undone."""
        problems = []
        for entry in reversed(self.entries):
            name = entry.get("name") or ", ".join(entry.get("paths", []))
            try:
                if entry["op"] == "paths":
                    hostpaths.remove(entry["paths"])
                else:
                    undo[f"{entry['op']} {entry['kind']}"](entry)
                report(Event(_UNDONE.get(entry["op"], "rolled-back"), entry["kind"], name,
                             "as it was found" if entry["op"] == "started" else ""))
            except ApplyError as exc:
                problems.append(str(exc))
                report(Event("failed", entry["kind"], name, f"rollback: {exc}"))
        if not problems:
            self.close()
        return problems

    def close(self) -> None:
        """The run is over and consistent: forget the entries."""
        with self._lock:
            self.entries = []
            if self.path is not None:
                try:
                    self.path.unlink()
                except FileNotFoundError:
                    pass

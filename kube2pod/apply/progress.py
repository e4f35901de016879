"""Showing events to a person or a program; the CLI picks one and gives it a stream.

* ``Lines``: one plain line per event (not a terminal, logs).
* ``Live``: on a terminal, one line per image being pulled (its layers and
  bytes as Podman reports them), per pod and per container, redrawn in place
  as their state changes (pulling, creating, starting, started, failed ...);
  other events (volumes, warnings) are printed above the block.
* ``JsonLines``: one JSON object per event (``--output json``).
"""

from __future__ import annotations

import json
import threading
from typing import TextIO

from kube2pod.apply.events import Event


class Lines:
    def __init__(self, stream: TextIO):
        self.stream = stream

    def __call__(self, event: Event) -> None:
        print(event.format(), file=self.stream, flush=True)


class JsonLines:
    def __init__(self, stream: TextIO):
        self.stream = stream

    def __call__(self, event: Event) -> None:
        print(json.dumps(event.as_dict(), sort_keys=True), file=self.stream, flush=True)


class Live:
    """A redrawn block: ``image NAME  state``, ``pod NAME  state`` and ``  container NAME  state`` lines."""

    #: Image events shown as the image's row (the pulls); others are printed above the block.
    IMAGE_ROWS = frozenset({"pulling", "progress", "pulled", "failed"})

    def __init__(self, stream: TextIO):
        self.stream = stream
        self.images: dict[str, str] = {}
        self.rows: dict[tuple[str, str], str] = {}
        self.drawn = 0
        self._lock = threading.Lock()

    def __call__(self, event: Event) -> None:
        with self._lock:
            self._erase()
            if event.kind == "image" and event.action in self.IMAGE_ROWS:
                self.images[event.name] = self._state(event)
            elif event.kind == "pod":
                self.rows[(event.name, "")] = self._state(event)
            elif event.kind == "container" and event.pod:
                self.rows.setdefault((event.pod, ""), "")
                self.rows[(event.pod, event.name)] = self._state(event)
            else:
                print(event.format(), file=self.stream)
            self._draw()

    @staticmethod
    def _state(event: Event) -> str:
        return event.action + (f": {event.detail}" if event.detail else "")

    def _erase(self) -> None:
        if self.drawn:
            self.stream.write(f"\x1b[{self.drawn}F\x1b[J")

    def _draw(self) -> None:
        lines = [f"image {image:<30} {state}" for image, state in self.images.items()]
        for (pod, container), state in sorted(self.rows.items()):
            lines.append(f"  container {container:<24} {state}" if container else f"pod {pod:<30} {state}")
        for line in lines:
            self.stream.write(line + "\n")
        self.drawn = len(lines)
        self.stream.flush()

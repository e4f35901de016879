"""What apply, down and diff did or decided, as a stream of events.

``action`` is one of: planned decisions (create, recreate, unchanged, start,
completed, prune, orphan, keep) and progress (pulling, progress (of a pull), pulled, creating, created,
starting, started, completed, running, healthy, stopping, stopped, removed,
restored, rolled-back, kept, skipped, absent, failed, warning, waiting).
A pod's ``detail`` says why: ``recreate (drift: container X was removed)``,
``started (was exited)``, ``completed (restartPolicy Never: exited with code 0)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Event:
    """One step: ``kind`` pod, container, volume, image, host path, secret or lock;
    ``pod`` names the pod a container belongs to."""

    action: str
    kind: str
    name: str
    detail: str = ""
    pod: str = ""

    def format(self) -> str:
        tail = f" ({self.detail})" if self.detail else ""
        return f"{self.kind} {self.name}: {self.action}{tail}"

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v}


Reporter = Callable[[Event], None]


def ignore(event: Event) -> None:
    """The default reporter: drop the event."""

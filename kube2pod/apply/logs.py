"""``kube2pod logs``: containers' logs through libpod's ``GET /containers/{name}/logs``.

The answer is multiplexed: frames of an 8-byte header (byte 0: 1 stdout, 2 stderr; bytes 4-7:
the payload length, big-endian) and the payload (:func:`frames`). Both streams go to one
writer, line by line, each line after its container's prefix (``[pod/<pod>/<container>] `` as
kubectl's ``--prefix`` writes it, or ""). Without ``follow`` the containers are read one
after another; with it, each in a thread, their lines interleaved as they come, until every
container stops (or Ctrl-C: ``KeyboardInterrupt`` reaches the caller from the main thread).
"""

from __future__ import annotations

import queue
import re
import threading
import time
from collections.abc import Callable, Iterator
from urllib.parse import quote

from kube2pod.apply.errors import ApplyError

#: ``write(data)``: bytes for the output, whole lines with their prefix
Writer = Callable[[bytes], None]

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(h|ms|m|s)")
_UNIT = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}


def since_seconds(text: str) -> float:
    """A kubectl/Go duration (``10s``, ``5m``, ``1h30m``) in seconds; ValueError otherwise."""
    text = text.strip()
    pos, total = 0, 0.0
    for m in _DURATION.finditer(text):
        if m.start() != pos:
            break
        total += float(m.group(1)) * _UNIT[m.group(2)]
        pos = m.end()
    if not text or pos != len(text):
        raise ValueError(f"invalid duration {text!r}: use a number with a unit, as 30s, 5m, 1h or 1h30m")
    return total


def frames(chunks: Iterator[bytes]) -> Iterator[tuple[int, bytes]]:
    """``(stream, payload)`` of each frame in the byte chunks of a multiplexed answer."""
    buf = b""
    for chunk in chunks:
        buf += chunk
        while len(buf) >= 8:
            size = int.from_bytes(buf[4:8], "big")
            if len(buf) < 8 + size:
                break
            yield buf[0], buf[8:8 + size]
            buf = buf[8 + size:]
    if buf:  # a truncated last frame: keep what came
        yield (buf[0] if len(buf) >= 8 else 1), buf[8:]


class Lines:
    """Whole lines with a prefix; a line cut over frames waits for its end."""

    def __init__(self, prefix: str, write: Writer):
        self.prefix, self.write, self.rest = prefix.encode(), write, b""

    def feed(self, data: bytes) -> None:
        data = self.rest + data
        *whole, self.rest = data.split(b"\n")
        if whole:
            self.write(b"".join(self.prefix + line + b"\n" for line in whole))

    def close(self) -> None:
        if self.rest:
            self.write(self.prefix + self.rest + b"\n")
            self.rest = b""


def _params(follow: bool, since: float | None, tail: int | None, timestamps: bool) -> dict:
    params = {"stdout": "true", "stderr": "true", "follow": "true" if follow else "false",
              "timestamps": "true" if timestamps else "false"}
    if since is not None:
        params["since"] = str(int(time.time() - since))
    if tail is not None and tail >= 0:
        params["tail"] = str(tail)
    return params


def _chunks(client, container: str, params: dict) -> Iterator[bytes]:
    from podman.errors import APIError

    try:
        resp = client.api.get(f"/containers/{quote(container, safe='')}/logs", params=params, stream=True)
    except APIError as exc:
        raise ApplyError(f"reading the logs of {container}: {exc.explanation or exc}") from exc
    if resp.status_code >= 400:
        raise ApplyError(f"reading the logs of {container}: {resp.text.strip()}")
    try:
        yield from resp.iter_content(chunk_size=None)
    finally:
        resp.close()


def _copy(client, container: str, params: dict, lines: Lines) -> None:
    for _, payload in frames(_chunks(client, container, params)):
        lines.feed(payload)
    lines.close()


def show(client, containers: list[tuple[str, str]], write: Writer, *, follow: bool = False,
         since: float | None = None, tail: int | None = None, timestamps: bool = False) -> None:
    """Write the logs of ``containers`` (``(podman container name, prefix)`` each); ``since``:
    seconds back; ``tail``: the last lines of each (None or negative: all). With ``follow``,
    returns when every container has stopped."""
    params = _params(follow, since, tail, timestamps)
    if not follow or len(containers) == 1:
        for name, prefix in containers:
            _copy(client, name, params, Lines(prefix, write))
        return
    out: queue.Queue = queue.Queue()

    def read(name: str, prefix: str) -> None:
        try:
            _copy(client, name, params, Lines(prefix, out.put))
        except Exception as exc:  # noqa: BLE001 - handed to the main thread
            out.put(exc)
        finally:
            out.put(None)

    for name, prefix in containers:
        threading.Thread(target=read, args=(name, prefix), name=f"kube2pod-logs-{name}", daemon=True).start()
    running = len(containers)
    while running:
        try:
            item = out.get(timeout=0.25)  # a timeout, so that Ctrl-C reaches this thread at once
        except queue.Empty:
            continue
        if item is None:
            running -= 1
        elif isinstance(item, Exception):
            raise item
        else:
            write(item)

"""A CronJob schedule (cron, as Kubernetes reads it) -> systemd ``OnCalendar=`` expressions.

Kubernetes parses ``spec.schedule`` with robfig/cron's standard parser, and so does this:

| cron                                   | systemd calendar                                      |
|----------------------------------------|-------------------------------------------------------|
| ``M H DoM Mon DoW`` (5 fields)         | ``[DoW ]*-Mon-DoM H:M:00``                             |
| ``*`` / ``?``                          | ``*``                                                 |
| ``a``, ``a-b``, ``a,b``                | ``a``, ``a..b``, ``a,b``                              |
| ``*/n``, ``a/n`` (to the maximum), ``a-b/n`` | ``a/n`` when it runs to the maximum, else the values |
| months ``JAN``-``DEC``, days ``SUN``-``SAT`` (any case) | month numbers, ``Mon``..``Sun``             |
| DoW 0-6 (0 = Sunday)                   | ``Sun``, ``Mon``, ...                                 |
| DoM and DoW both restricted (run when either matches) | two expressions (systemd ANDs the parts of one) |
| ``@yearly`` ``@annually`` ``@monthly`` ``@weekly`` ``@daily`` ``@midnight`` ``@hourly`` | their five-field forms |

A field counts as unrestricted (``*``) only when written ``*`` or ``?`` (``*/1`` too), as in
robfig/cron: ``0 0 1-31 * MON`` runs every day. ``@every`` and a ``TZ=``/``CRON_TZ=`` prefix are
errors (``@every`` has no calendar form; Kubernetes refuses the prefix: use ``spec.timeZone``).
A bad schedule raises ``CronError`` naming the part at fault, with its offset in the text.
"""

from __future__ import annotations

from typing import NamedTuple

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
SYSTEMD_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")  # systemd's week starts on Monday
DESCRIPTORS = {
    "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
}


class Bounds(NamedTuple):
    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()
    first_name: int = 0  # the value of names[0]


FIELDS = (
    Bounds("minute", 0, 59),
    Bounds("hour", 0, 23),
    Bounds("day of month", 1, 31),
    Bounds("month", 1, 12, MONTHS, 1),
    Bounds("day of week", 0, 6, DAYS, 0),
)


class CronError(ValueError):
    """A schedule that does not parse; ``offset``: where in the schedule text the fault is."""

    def __init__(self, message: str, offset: int = 0):
        super().__init__(message)
        self.offset = offset


class Field(NamedTuple):
    values: frozenset[int]
    star: bool  # written * or ? (with no step above 1): unrestricted


def on_calendar(schedule: str) -> list[str]:
    """The ``OnCalendar=`` values (without a time zone) that fire when ``schedule`` does."""
    text = schedule.strip()
    lead = len(schedule) - len(schedule.lstrip())
    if text.startswith(("TZ=", "CRON_TZ=")):
        raise CronError("a time zone in the schedule is not allowed; set spec.timeZone", lead)
    if text.startswith("@"):
        word = text.split()[0]
        if word.lower() == "@every":
            raise CronError("@every has no calendar form; write a five-field schedule", lead)
        if word.lower() not in DESCRIPTORS or text != word:
            raise CronError(f"unknown descriptor {text!r}; expected one of {', '.join(DESCRIPTORS)}", lead)
        return on_calendar(DESCRIPTORS[word.lower()])
    words = _words(schedule)
    if len(words) != 5:
        raise CronError(f"expected 5 fields (minute hour day-of-month month day-of-week), got {len(words)}",
                        lead)
    minute, hour, dom, month, dow = (_field(w, at, b) for (w, at), b in zip(words, FIELDS))
    time = f"{_render(hour, FIELDS[1])}:{_render(minute, FIELDS[0])}:00"
    months = _render(month, FIELDS[3])
    if dom.star or dow.star:  # robfig/cron: both must match
        days = "" if dow.star else _weekdays(dow) + " "
        return [f"{days}*-{months}-{_render(dom, FIELDS[2])} {time}"]
    # both restricted: either matches
    return [f"*-{months}-{_render(dom, FIELDS[2])} {time}", f"{_weekdays(dow)} *-{months}-* {time}"]


def _words(text: str) -> list[tuple[str, int]]:
    """The whitespace-separated words with their offsets."""
    out, i = [], 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        start = i
        while i < len(text) and not text[i].isspace():
            i += 1
        out.append((text[start:i], start))
    return out


def _field(word: str, at: int, b: Bounds) -> Field:
    values: set[int] = set()
    star = False
    offset = at
    for part in word.split(","):
        part_values, part_star = _part(part, offset, b)
        values |= part_values
        star = star or part_star
        offset += len(part) + 1
    return Field(frozenset(values), star)


def _part(part: str, at: int, b: Bounds) -> tuple[set[int], bool]:
    """One list item: ``*``, ``?``, ``a``, ``a-b``, each with an optional ``/step``."""
    if not part:
        raise CronError(f"empty item in the {b.name} field", at)
    span, slash, step_text = part.partition("/")
    step = 1
    if slash:
        if not step_text.isdigit() or int(step_text) == 0:
            raise CronError(f"step {step_text!r} of the {b.name} field must be a positive number",
                            at + len(span) + 1)
        step = int(step_text)
    star = span in ("*", "?")
    if star:
        low, high = b.low, b.high
    else:
        first, dash, last = span.partition("-")
        low = _value(first, at, b)
        high = _value(last, at + len(first) + 1, b) if dash else (b.high if slash else low)
        if low > high:
            raise CronError(f"range {span!r} of the {b.name} field runs backwards", at)
    return set(range(low, high + 1, step)), star and step == 1


def _value(text: str, at: int, b: Bounds) -> int:
    if text.lower() in b.names:
        return b.names.index(text.lower()) + b.first_name
    if not text.isdigit():
        names = f" or a name ({', '.join(n.upper() for n in b.names)})" if b.names else ""
        raise CronError(f"{text!r} is not a {b.name} value: expected a number {b.low}-{b.high}{names}", at)
    value = int(text)
    if not b.low <= value <= b.high:
        raise CronError(f"{b.name} {value} is out of range {b.low}-{b.high}", at)
    return value


def _render(f: Field, b: Bounds) -> str:
    """A set of values in systemd's form: ``*``, ``a/n`` (to the maximum), else runs ``a..b`` and values."""
    values = sorted(f.values)
    if f.star or values == list(range(b.low, b.high + 1)):
        return "*"
    if len(values) > 2:
        step = values[1] - values[0]
        if step > 1 and values == list(range(values[0], b.high + 1, step)):
            return f"{values[0]:02d}/{step}"
    return ",".join(f"{lo:02d}" if lo == hi else f"{lo:02d}..{hi:02d}" for lo, hi in _runs(values))


def _weekdays(f: Field) -> str:
    """cron days (0 = Sunday) as systemd's names, runs ``Mon..Fri`` in its Monday-first week."""
    days = sorted((v + 6) % 7 for v in f.values)
    return ",".join(SYSTEMD_DAYS[lo] if lo == hi else f"{SYSTEMD_DAYS[lo]}..{SYSTEMD_DAYS[hi]}"
                    for lo, hi in _runs(days))


def _runs(values: list[int]) -> list[tuple[int, int]]:
    """Consecutive values as (first, last); a run of two stays two values."""
    runs: list[list[int]] = []
    for v in values:
        if runs and v == runs[-1][1] + 1:
            runs[-1][1] = v
        else:
            runs.append([v, v])
    out = []
    for lo, hi in runs:
        out += [(lo, lo), (hi, hi)] if hi == lo + 1 else [(lo, hi)]
    return out

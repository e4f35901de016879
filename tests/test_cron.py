"""cron schedule -> systemd OnCalendar (kube2pod/translate/cron.py), checked against an independent
cron matcher through systemd-analyze where it exists."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest

from kube2pod.translate.cron import CronError, on_calendar


@pytest.mark.parametrize("schedule, expected", [
    ("*/5 * * * *", ["*-*-* *:00/5:00"]),
    ("0 2 * * *", ["*-*-* 02:00:00"]),
    ("0 0 * * 0", ["Sun *-*-* 00:00:00"]),
    ("0 0 * * 1-5", ["Mon..Fri *-*-* 00:00:00"]),
    ("0 0 * * MON-FRI", ["Mon..Fri *-*-* 00:00:00"]),
    ("0 0 * * sun,SAT", ["Sat,Sun *-*-* 00:00:00"]),
    ("0 0 * * 0,1", ["Mon,Sun *-*-* 00:00:00"]),
    ("15 10 * JAN-MAR,dec *", ["*-01..03,12-* 10:15:00"]),
    ("0 */6 1-10/3 * *", ["*-*-01,04,07,10 00/6:00:00"]),
    ("1-59/2 * * * *", ["*-*-* *:01/2:00"]),
    ("5/20 * * * *", ["*-*-* *:05/20:00"]),
    ("0-10/5 * * * *", ["*-*-* *:00,05,10:00"]),
    ("0 8-9 * * *", ["*-*-* 08,09:00:00"]),
    ("0 8-11 * * *", ["*-*-* 08..11:00:00"]),
    ("*/1 * * * *", ["*-*-* *:*:00"]),
    ("0-59 * * * *", ["*-*-* *:*:00"]),
    ("5 4 ? * ?", ["*-*-* 04:05:00"]),
    ("  0 3 * * *  ", ["*-*-* 03:00:00"]),
    # day of month and day of week both restricted: either matches (two expressions)
    ("30 4 1,15 * MON-FRI", ["*-*-01,15 04:30:00", "Mon..Fri *-*-* 04:30:00"]),
    ("0 0 1-31 * 1", ["*-*-* 00:00:00", "Mon *-*-* 00:00:00"]),  # 1-31 is not *: every day
    ("0 0 */2 * 1", ["*-*-01/2 00:00:00", "Mon *-*-* 00:00:00"]),
    ("@hourly", ["*-*-* *:00:00"]),
    ("@daily", ["*-*-* 00:00:00"]),
    ("@midnight", ["*-*-* 00:00:00"]),
    ("@weekly", ["Sun *-*-* 00:00:00"]),
    ("@monthly", ["*-*-01 00:00:00"]),
    ("@yearly", ["*-01-01 00:00:00"]),
    ("@annually", ["*-01-01 00:00:00"]),
    ("@Daily", ["*-*-* 00:00:00"]),
])
def test_on_calendar(schedule, expected):
    assert on_calendar(schedule) == expected


@pytest.mark.parametrize("schedule, offset, words", [
    ("0 0 L * *", 4, "'L' is not a day of month value"),
    ("60 * * * *", 0, "minute 60 is out of range 0-59"),
    ("0 24 * * *", 2, "hour 24 is out of range 0-23"),
    ("0 0 0 * *", 4, "day of month 0 is out of range 1-31"),
    ("0 0 * 13 *", 6, "month 13 is out of range 1-12"),
    ("0 0 * * 7", 8, "day of week 7 is out of range 0-6"),
    ("0 0 * FOO *", 6, "'FOO' is not a month value"),
    ("0 0 * * MON-XYZ", 12, "'XYZ' is not a day of week value"),
    ("* * * *", 0, "expected 5 fields"),
    ("* * * * * *", 0, "expected 5 fields"),
    ("", 0, "expected 5 fields"),
    ("*/0 * * * *", 2, "step '0' of the minute field"),
    ("*/x * * * *", 2, "step 'x' of the minute field"),
    ("0 10-5 * * *", 2, "range '10-5' of the hour field runs backwards"),
    ("0 1,,2 * * *", 4, "empty item in the hour field"),
    ("0 0 * * 1#2", 8, "'1#2' is not a day of week value"),
    ("@every 1h", 0, "@every has no calendar form"),
    ("@often", 0, "unknown descriptor"),
    ("@daily 5", 0, "unknown descriptor"),
    ("TZ=UTC 0 0 * * *", 0, "set spec.timeZone"),
    (" CRON_TZ=UTC 0 0 * * *", 1, "set spec.timeZone"),
])
def test_invalid_schedules_name_the_part(schedule, offset, words):
    with pytest.raises(CronError) as info:
        on_calendar(schedule)
    assert words in str(info.value)
    assert info.value.offset == offset


# -- against systemd: the next runs systemd computes equal those of a plain cron matcher --

def _matcher(schedule: str):
    """An independent, literal reading of the cron rules (robfig/cron's standard parser)."""
    names = {**{m: i + 1 for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())},
             **{d: i for i, d in enumerate("sun mon tue wed thu fri sat".split())}}
    bounds = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 6)]

    def num(s):
        return names[s.lower()] if s.lower() in names else int(s)

    fields = []
    for word, (lo, hi) in zip(schedule.split(), bounds):
        allowed, star = set(), False
        for item in word.split(","):
            span, _, step = item.partition("/")
            if span in ("*", "?"):
                a, b, star = lo, hi, star or not step or int(step) == 1
            elif "-" in span:
                a, b = map(num, span.split("-"))
            else:
                a = num(span)
                b = hi if step else a
            allowed |= set(range(a, b + 1, int(step or 1)))
        fields.append((allowed, star))

    def match(t: dt.datetime) -> bool:
        (mi, _), (ho, _), (dom, dstar), (mon, _), (dow, wstar) = fields
        day_ok = (t.day in dom and t.isoweekday() % 7 in dow) if dstar or wstar else (
            t.day in dom or t.isoweekday() % 7 in dow)
        return t.minute in mi and t.hour in ho and t.month in mon and day_ok
    return match


def _cron_runs(schedule: str, base: dt.datetime, n: int) -> list[dt.datetime]:
    match, t, out = _matcher(schedule), base.replace(second=0) + dt.timedelta(minutes=1), []
    while len(out) < n:
        if match(t):
            out.append(t)
        t += dt.timedelta(minutes=1)
    return out


def _systemd_runs(calendars: list[str], base: dt.datetime, n: int) -> list[dt.datetime]:
    runs: set[dt.datetime] = set()
    for cal in calendars:
        out = subprocess.run(["systemd-analyze", "calendar", f"--iterations={n}",
                              f"--base-time={base:%Y-%m-%d %H:%M:%S} UTC", f"{cal} UTC"],
                             capture_output=True, text=True, env={"TZ": "UTC", "PATH": "/usr/bin:/bin"}, check=True)
        for line in out.stdout.splitlines():
            if "Next elapse:" in line or "Iter. #" in line or "Iteration #" in line:  # systemd 252, 257
                stamp = " ".join(line.split(": ", 1)[1].split()[1:3])
                runs.add(dt.datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S"))
    return sorted(runs)[:n]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
@pytest.mark.parametrize("schedule", [
    "*/7 * * * *", "0 */5 * * *", "30 4 1,15 * MON-FRI", "0 0 1-31 * 1", "15 10 * JAN-MAR,DEC SUN,SAT",
    "0 */6 1-10/3 * *", "1-59/13 3 * * *", "0 12 31 * *", "0 0 */2 * 1", "5 0 * 8 2-4", "0 22 * * 1-5",
    "0,30 9-17 * * MON-FRI", "0 0 13 * FRI",
])
def test_systemd_fires_when_cron_does(schedule):
    base = dt.datetime(2026, 12, 6, 13, 7, 0)
    n = 12
    assert _systemd_runs(on_calendar(schedule), base, n) == _cron_runs(schedule, base, n)

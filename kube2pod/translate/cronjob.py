"""A CronJob's schedule fields -> the plan's ``Schedule`` (a systemd timer in the unit outputs).

| CronJob spec               | plan / timer                                                    |
|----------------------------|-----------------------------------------------------------------|
| schedule                   | ``calendars``: ``OnCalendar=`` values (translate/cron.py); a bad schedule: error at it, naming the part at fault |
| timeZone                   | ``time_zone``: written after each calendar; a zone the tz database lacks: error (as the API server) |
| concurrencyPolicy Forbid   | systemd never starts a unit that is still running: the same     |
| concurrencyPolicy Allow (default) / Replace | as Forbid: a set value is warned about          |
| suspend: true              | ``suspended``: the timer is written without [Install], with a warning |
| startingDeadlineSeconds    | not enforced (warning); missed runs: ``Persistent=true``, one catch-up run at the next boot |
| successful/failedJobsHistoryLimit | the journal keeps every run's output (ignored quietly)   |
"""

from __future__ import annotations

import zoneinfo

from kube2pod.plan import Schedule
from kube2pod.translate.context import Context
from kube2pod.translate.cron import CronError, on_calendar


def schedule(ctx: Context) -> Schedule | None:
    """The schedule of the CronJob of ``ctx`` (None after an error)."""
    m = ctx.manifest
    spec = m.obj.spec
    try:
        calendars = on_calendar(spec.schedule or "")
    except CronError as exc:  # at the schedule (a column inside it would be off by a quote), naming the part
        ctx.diags.error(f"spec.schedule {spec.schedule!r}: {exc}", m.source.pos(("spec", "schedule")),
                        "five fields: minute hour day-of-month month day-of-week, or @hourly, @daily, "
                        "@weekly, @monthly, @yearly")
        return None
    zone = spec.time_zone or ""
    if zone and not known_zone(zone):
        ctx.diags.error(f"spec.timeZone {zone!r} is not a time zone of the tz database",
                        m.source.pos(("spec", "timeZone")), "use an IANA name such as Europe/Berlin or Etc/UTC")
        return None
    policy = spec.concurrency_policy
    if policy in ("Allow", "Replace"):
        ctx.diags.warning(f"concurrencyPolicy {policy} becomes Forbid: systemd does not start a run while the "
                          "previous one still runs", m.source.key_pos(("spec", "concurrencyPolicy")))
    if spec.starting_deadline_seconds is not None:
        ctx.diags.warning("startingDeadlineSeconds is not enforced: a run missed while the host was down "
                          "happens once at the next boot (Persistent=true), however late",
                          m.source.key_pos(("spec", "startingDeadlineSeconds")))
    if spec.suspend:
        ctx.diags.warning("the CronJob is suspended: its timer is written but not enabled",
                          m.source.key_pos(("spec", "suspend")), "`systemctl enable --now` the timer to resume it")
    return Schedule.make(calendars=calendars, time_zone=zone, suspended=bool(spec.suspend))


def known_zone(name: str) -> bool:
    """Whether the tz database has zone ``name`` (any name passes where the host has no tz database)."""
    try:
        zoneinfo.ZoneInfo(name)
        return True
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return not zoneinfo.available_timezones()

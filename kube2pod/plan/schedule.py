"""When a pod runs on a schedule (a CronJob): the systemd timer of the unit outputs."""

from __future__ import annotations

from kube2pod.plan.base import Frozen


class Schedule(Frozen):
    """``calendars``: systemd ``OnCalendar=`` values (without the zone); ``time_zone``: the IANA
    zone they are read in ("" = the host's); ``persistent``: a run missed while the host was down
    happens at the next boot; ``suspended``: the timer is written but not enabled."""

    calendars: list[str]
    time_zone: str = ""
    persistent: bool = True
    suspended: bool = False

"""Clock writes: start on acceptance, pause and resume, extend, close on decision.

Called from the application services inside their transaction, so a deadline changes if and
only if the state change that moves it is committed.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from onetrip.core.calendar import working_days_add, working_days_between
from onetrip.supervision.models import ClockPause, Deadline, Extension


def _due(d: Deadline) -> dt.date:
    total = d.limit + d.paused_days + d.extended_days
    if d.unit == "calendar":
        return d.starts_on + dt.timedelta(days=total)
    return working_days_add(d.starts_on, total)


def clock_start(*, application, on: dt.date | None = None) -> list[Deadline]:
    """On acceptance: the promised limit (and the legal one, if the law sets one) start."""
    on = on or timezone.localdate()
    version = application.version
    out = []
    limits = [(Deadline.Kind.PROMISED, version.promised_limit, version.promised_limit_unit)]
    if version.legal_limit:
        limits.append((Deadline.Kind.LEGAL, version.legal_limit, version.legal_limit_unit))
    for kind, limit, unit in limits:
        d = Deadline(
            application=application, kind=kind, starts_on=on, limit=limit, unit=unit, due_on=on
        )
        d.due_on = _due(d)
        d.save()
        out.append(d)
    return out


def clock_pause(*, application, reason: str, on: dt.date | None = None) -> ClockPause:
    return ClockPause.objects.create(
        application=application, reason=reason, started_on=on or timezone.localdate()
    )


def clock_resume(*, application, on: dt.date | None = None) -> None:
    """End the open pause; open deadlines move by the working days it lasted."""
    on = on or timezone.localdate()
    pause = application.clock_pauses.filter(ended_on__isnull=True).order_by("-id").first()
    if pause is None:
        return
    pause.ended_on = on
    pause.save(update_fields=["ended_on"])
    paused = max(working_days_between(pause.started_on, on), 0)
    for d in application.deadlines.filter(state=Deadline.State.OPEN):
        d.paused_days += paused if d.unit == "working" else (on - pause.started_on).days
        d.due_on = _due(d)
        d.save(update_fields=["paused_days", "due_on"])


def clock_extend(*, application, days: int, reason: str, approver) -> Extension:
    ext = Extension.objects.create(
        application=application, days=days, reason=reason, approved_by=approver
    )
    for d in application.deadlines.filter(state=Deadline.State.OPEN):
        d.extended_days += days
        d.due_on = _due(d)
        d.save(update_fields=["extended_days", "due_on"])
    return ext


def clock_stop(*, application, on: dt.date | None = None, cancelled: bool = False) -> None:
    """On a decision (met or missed), or on withdrawal (cancelled)."""
    on = on or timezone.localdate()
    for d in application.deadlines.filter(state=Deadline.State.OPEN):
        if cancelled:
            d.state = Deadline.State.CANCELLED
        else:
            d.state = Deadline.State.MET if on <= d.due_on else Deadline.State.MISSED
        d.closed_on = on
        d.save(update_fields=["state", "closed_on"])


def working_days_left(*, deadline: Deadline, today: dt.date | None = None) -> int:
    today = today or timezone.localdate()
    if deadline.unit == "calendar":
        return (deadline.due_on - today).days
    return working_days_between(today, deadline.due_on)

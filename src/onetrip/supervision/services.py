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


YELLOW_SHARE = 0.9  # of the promised limit elapsed
YELLOW_DAYS_BEFORE = 1  # working days before the deadline


def _responsible(application):
    event = application.events.filter(actor__is_staff=True).order_by("-id").first()
    return event.actor if event else None


def _card_raise(deadline: Deadline, colour: str, reason: str) -> bool:
    """Raise one card; False if it already exists (a restart or another scheduler did it)."""
    from django.db import IntegrityError, transaction

    from onetrip.accounts.models import StaffRole
    from onetrip.audit.services import audit_append
    from onetrip.notifications.services import outbox_enqueue
    from onetrip.supervision.models import Card

    application = deadline.application
    try:
        with transaction.atomic():
            card = Card.objects.create(
                deadline=deadline,
                application=application,
                department=application.department,
                responsible=_responsible(application),
                colour=colour,
                reason=reason,
            )
            recipients = {u for u in [card.responsible] if u is not None}
            recipients |= {
                r.user
                for r in StaffRole.objects.filter(
                    role=StaffRole.Role.SUPERVISOR, department=application.department
                ).select_related("user")
            }
            for user in recipients:
                outbox_enqueue(
                    recipient=user,
                    template="card_raised",
                    channels=["inbox"],
                    context={
                        "colour": card.get_colour_display(),
                        "reason": reason,
                        "tracking_number": application.tracking_number,
                        "item_name": application.version.name,
                        "due_on": deadline.due_on.isoformat(),
                    },
                    dedupe_key=f"card:{card.pk}:user:{user.pk}",
                    reference=application.tracking_number or "",
                )
            audit_append(
                actor=None,
                action=f"supervision.card.{colour}",
                target=application,
                summary=f"{card.get_colour_display()}：{reason}",
                after={"deadline": deadline.pk, "due_on": deadline.due_on.isoformat()},
            )
    except IntegrityError:
        return False
    return True


def cards_sweep(*, today: dt.date | None = None) -> dict[str, int]:
    """Raise the cards due today: yellow near the promised deadline, red once it is passed.

    Each card exists once (a unique constraint per deadline and colour), so reruns, restarts
    and concurrent schedulers never raise it twice.
    """
    from django.db.models import Exists, OuterRef

    from onetrip.supervision.models import Card

    today = today or timezone.localdate()
    raised = {"yellow": 0, "red": 0}
    open_deadlines = (
        Deadline.objects.filter(state=Deadline.State.OPEN, kind=Deadline.Kind.PROMISED)
        .exclude(
            Exists(
                ClockPause.objects.filter(
                    application=OuterRef("application"), ended_on__isnull=True
                )
            )
        )
        .select_related("application__version", "application__department")
    )
    have = set(
        Card.objects.filter(deadline__in=open_deadlines).values_list("deadline_id", "colour")
    )
    for d in open_deadlines.iterator():
        if today > d.due_on:
            if (d.pk, "red") not in have and _card_raise(
                d, "red", f"已超过承诺办结期限 {d.due_on}"
            ):
                raised["red"] += 1
            continue
        total = max(d.limit + d.paused_days + d.extended_days, 1)
        left = working_days_left(deadline=d, today=today)
        near = (total - left) / total >= YELLOW_SHARE or left <= YELLOW_DAYS_BEFORE
        if (
            near
            and (d.pk, "yellow") not in have
            and _card_raise(d, "yellow", f"临近承诺办结期限 {d.due_on}")
        ):
            raised["yellow"] += 1
    return raised


def scheduler_lease(*, holder: str, seconds: int = 60, name: str = "sweep") -> bool:
    """Take or renew the lease; True only for its holder (one scheduler across machines)."""
    from django.db import IntegrityError, transaction
    from django.db.models import Q

    from onetrip.supervision.models import SchedulerLease

    now = timezone.now()
    until = now + dt.timedelta(seconds=seconds)
    with transaction.atomic():
        taken = (
            SchedulerLease.objects.filter(name=name)
            .filter(Q(until__lt=now) | Q(holder=holder))
            .update(holder=holder, until=until)
        )
        if taken:
            return True
        try:
            with transaction.atomic():
                SchedulerLease.objects.create(name=name, holder=holder, until=until)
            return True
        except IntegrityError:
            return False


class SupervisionError(Exception):
    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def _require_supervisor(user, card) -> None:
    from onetrip.accounts.selectors import staff_department_ids

    ids = staff_department_ids(user=user, role="supervisor")
    if ids is not None and card.department_id not in ids:
        raise SupervisionError("forbidden", "只有该部门的监察人员可以处理这张监察牌。", 403)


def card_finding_record(*, card, user, explanation: str, conclusion: str, measures: str = ""):
    """Record a supervisor's finding on a card (audited)."""
    from django.db import transaction

    from onetrip.audit.services import audit_append
    from onetrip.supervision.models import CardFinding

    _require_supervisor(user, card)
    if not explanation.strip() or not conclusion.strip():
        raise SupervisionError("finding_incomplete", "请写明情况说明和结论。")
    with transaction.atomic():
        finding = CardFinding.objects.create(
            card=card,
            author=user,
            explanation=explanation.strip(),
            conclusion=conclusion.strip(),
            measures=measures.strip(),
        )
        audit_append(
            actor=user,
            action="supervision.card.finding",
            target=card.application,
            summary=f"{card.get_colour_display()} 监察意见：{conclusion.strip()[:100]}",
        )
    return finding


def card_close(*, card, user, reason: str):
    """Close a card with a reason; cards are never deleted (audited)."""
    from django.db import transaction

    from onetrip.audit.services import audit_append
    from onetrip.supervision.models import Card

    _require_supervisor(user, card)
    if not reason.strip():
        raise SupervisionError("reason_required", "关闭监察牌须写明理由。")
    with transaction.atomic():
        card = Card.objects.select_for_update().get(pk=card.pk)
        if card.closed_at is not None:
            raise SupervisionError("already_closed", "这张监察牌已经关闭。", 409)
        if not card.findings.exists():
            raise SupervisionError("finding_required", "请先记录监察意见，再关闭监察牌。", 409)
        card.closed_at = timezone.now()
        card.closed_reason = reason.strip()
        card.save(update_fields=["closed_at", "closed_reason"])
        audit_append(
            actor=user,
            action="supervision.card.close",
            target=card.application,
            summary=f"关闭{card.get_colour_display()}：{reason.strip()[:100]}",
        )
    return card

"""Clock writes: start on acceptance, pause and resume, extend, close on decision.

Called from the application services inside their transaction, so a deadline changes if and
only if the state change that moves it is committed.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onetrip.core.calendar import days_add, working_days_before, working_days_between
from onetrip.core.text import says_something
from onetrip.supervision.models import Card, ClockPause, Deadline, Extension


def _yellow_rule() -> tuple[float, int]:
    return settings.ONETRIP_CARD_YELLOW_SHARE, settings.ONETRIP_CARD_YELLOW_DAYS_BEFORE


def _total(d: Deadline) -> int:
    return d.limit + d.paused_days + d.extended_days


def _due(d: Deadline) -> dt.date:
    return days_add(d.starts_on, _total(d), d.unit)


def _days_left(unit: str, today: dt.date, due: dt.date) -> int:
    return (due - today).days if unit == "calendar" else working_days_between(today, due)


def yellow_day(
    starts_on: dt.date, allowed: int, unit: str, due: dt.date, share: float, before: int
) -> dt.date | None:
    """The first day on which ``share`` of the ``allowed`` days (the limit plus extensions;
    paused days do not count as used) is used up, or at most ``before`` days are left.
    None when nothing is allowed (即办: due the day it is accepted, no warning to give)."""
    if allowed <= 0:
        return None
    left_at_share = allowed - math.ceil(share * allowed - 1e-9)
    left = max(left_at_share, before)
    calendar_days = unit == "calendar"
    day = due - dt.timedelta(days=left) if calendar_days else working_days_before(due, left)
    return max(day, starts_on)


def yellow_on_for(d) -> dt.date | None:
    """The first day the yellow-card rule holds for deadline ``d``."""
    share, before = _yellow_rule()
    return yellow_day(d.starts_on, d.limit + d.extended_days, d.unit, d.due_on, share, before)


def _recompute(d: Deadline) -> None:
    d.due_on = _due(d)
    d.yellow_on = yellow_on_for(d)


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
            application=application,
            department_id=application.department_id,
            kind=kind,
            starts_on=on,
            limit=limit,
            unit=unit,
            due_on=on,
        )
        _recompute(d)
        d.save()
        out.append(d)
    return out


def stage_clock(*, application, stage: str, limit: int | None, on: dt.date | None = None):
    """Entering a review stage: the previous stage's limit closes, this one's opens (if set)."""
    on = on or timezone.localdate()
    _refresh_open(application, upto=on)
    _close(application.deadlines.filter(kind=Deadline.Kind.STAGE, state=Deadline.State.OPEN), on)
    if limit is None:
        return None
    d = Deadline(
        application=application,
        department_id=application.department_id,
        kind=Deadline.Kind.STAGE,
        stage=stage,
        starts_on=on,
        limit=limit,
        unit="working",
        due_on=on,
    )
    _recompute(d)
    d.save()
    return d


def clock_pause(
    *,
    application,
    reason: str,
    on: dt.date | None = None,
    until: dt.date | None = None,
    kind: str = ClockPause.Kind.SPECIAL,
) -> ClockPause:
    """Stop counting (特别程序, 容缺补交 …); ``until`` ends the pause by itself on that day."""
    return ClockPause.objects.create(
        application=application,
        kind=kind,
        reason=reason,
        started_on=on or timezone.localdate(),
        until=until,
    )


def _merged(intervals: list[tuple[dt.date, dt.date]]) -> list[tuple[dt.date, dt.date]]:
    out: list[tuple[dt.date, dt.date]] = []
    for start, end in sorted(intervals):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _paused_days(d: Deadline, pauses: list[tuple[dt.date, dt.date]]) -> int:
    """Days the deadline did not count: ended pauses after it started, overlaps once."""
    clipped = [(max(s, d.starts_on), e) for s, e in pauses if e > d.starts_on]
    if d.unit == "calendar":
        return sum((e - s).days for s, e in _merged(clipped))
    return sum(max(working_days_between(s, e), 0) for s, e in _merged(clipped))


def _refresh_open(application, upto: dt.date | None = None) -> None:
    """Recompute the open deadlines from every ended pause, and with ``upto`` also from the
    open ones as if they ended that day (a decision or a stage passed during a pause)."""
    pauses = [
        (start, end if end is not None else upto)
        for start, end in application.clock_pauses.values_list("started_on", "ended_on")
        if end is not None or upto is not None
    ]
    for d in application.deadlines.filter(state=Deadline.State.OPEN):
        d.paused_days = _paused_days(d, pauses)
        _recompute(d)
        d.save(update_fields=["paused_days", "due_on", "yellow_on"])


def clock_resume(
    *, application, on: dt.date | None = None, kind: str = ClockPause.Kind.SPECIAL
) -> None:
    """End the latest open pause of ``kind``; open deadlines move by the days it lasted,
    overlaps counted once."""
    on = on or timezone.localdate()
    pauses = application.clock_pauses.filter(ended_on__isnull=True, kind=kind)
    pause = pauses.order_by("-id").first()
    if pause is None:
        return
    pause.ended_on = max(on, pause.started_on)
    pause.save(update_fields=["ended_on"])
    _refresh_open(application)


def clock_extend(*, application, days: int, reason: str, approver) -> Extension:
    ext = Extension.objects.create(
        application=application, days=days, reason=reason, approved_by=approver
    )
    for d in application.deadlines.filter(state=Deadline.State.OPEN).exclude(
        kind=Deadline.Kind.STAGE
    ):
        d.extended_days += days
        _recompute(d)
        d.save(update_fields=["extended_days", "due_on", "yellow_on"])
    return ext


def _close(deadlines, on: dt.date, cancelled: bool = False) -> None:
    for d in deadlines:
        if cancelled:
            d.state = Deadline.State.CANCELLED
        else:
            d.state = Deadline.State.MET if on <= d.due_on else Deadline.State.MISSED
        d.closed_on = on
        d.save(update_fields=["state", "closed_on"])


def clock_stop(*, application, on: dt.date | None = None, cancelled: bool = False) -> None:
    """On a decision (met or missed), or on withdrawal (cancelled); open pauses end too."""
    on = on or timezone.localdate()
    application.clock_pauses.filter(ended_on__isnull=True).update(ended_on=on)
    _refresh_open(application)
    _close(application.deadlines.filter(state=Deadline.State.OPEN), on, cancelled)


def working_days_left(*, deadline: Deadline, today: dt.date | None = None) -> int:
    return _days_left(deadline.unit, today or timezone.localdate(), deadline.due_on)


def pauses_expire(*, today: dt.date | None = None) -> int:
    """Pauses with a last day (容缺补交) that has passed end on that day."""
    from onetrip.applications.models import Application

    today = today or timezone.localdate()
    ended = 0
    for pause_id, application_id in ClockPause.objects.filter(
        ended_on__isnull=True, until__lt=today
    ).values_list("id", "application_id"):
        with transaction.atomic():
            # The application's lock, as every other clock change takes it.
            application = Application.objects.select_for_update().get(pk=application_id)
            pause = ClockPause.objects.get(pk=pause_id)
            if pause.ended_on is not None:
                continue
            pause.ended_on = pause.until
            pause.save(update_fields=["ended_on"])
            _refresh_open(application)
        ended += 1
    return ended


def deficiencies_overdue(*, today: dt.date | None = None) -> int:
    """A yellow card, once, for each application whose 容缺 material is still missing after
    its supplement date: open, or decided on the commitment that is now broken. The office
    must decide on it (deny, or revoke)."""
    from onetrip.applications.models import Application, ApplicationMaterial
    from onetrip.applications.workflow import FINAL, Status

    today = today or timezone.localdate()
    closed = [s for s in FINAL if s != Status.APPROVED_DEFICIENT]
    due = (
        Application.objects.filter(
            deficiency_due__lt=today, materials__state=ApplicationMaterial.State.DEFICIENT
        )
        .exclude(status__in=closed)
        .exclude(cards__kind=Card.Kind.DEFICIENCY_OVERDUE)
        .distinct()
    )
    raised = 0
    for application in due:
        with transaction.atomic():
            raised += card_raise(
                application=application,
                kind=Card.Kind.DEFICIENCY_OVERDUE,
                reason=f"容缺材料逾期未补交（期限 {application.deficiency_due:%Y-%m-%d}），"
                "请依法作出决定",
            )
    return raised


# --- cards -----------------------------------------------------------------------------------

NOTIFY_LINES = 50  # cards listed in one message; the rest are counted


def _supervisors_by_department(department_ids) -> dict[int, set[int]]:
    """The supervisors of each department: those of the department or of one above it."""
    from onetrip.accounts.models import StaffRole
    from onetrip.catalog.selectors import departments_above

    held: dict[int, set[int]] = defaultdict(set)
    for dept, user in StaffRole.objects.filter(role=StaffRole.Role.SUPERVISOR).values_list(
        "department_id", "user_id"
    ):
        held[dept].add(user)
    return {
        dept: set().union(*(held.get(d, set()) for d in chain))
        for dept, chain in departments_above(department_ids).items()
    }


def card_batches_verify() -> list[str]:
    """Each sweep's audit event against the cards it summarised (count and digest)."""
    from onetrip.audit.models import AuditEvent

    problems = []
    for event in AuditEvent.objects.filter(action=SWEEP_AUDIT_ACTION).order_by("seq"):
        a = event.after or {}
        cards = list(
            Card.objects.filter(
                id__gte=a.get("first", 0), id__lte=a.get("last", -1), kind=a.get("kind")
            )
            .filter(raised_at=dt.datetime.fromisoformat(a.get("raised_at", "2000-01-01")))
            .values("id", "application_id", "deadline_id", "kind", "reason")
        )
        if len(cards) != a.get("count") or card_digest(cards) != a.get("digest"):
            problems.append(
                f"第 {event.seq} 条事件（{event.summary}）：现有 {len(cards)} 张监察牌，"
                f"与记录的 {a.get('count')} 张或其摘要不符"
            )
    return problems


def _application_names(ids: set[int]) -> dict[int, tuple[str, str]]:
    """Tracking number and item name of the applications a message lists."""
    from onetrip.applications.models import Application

    out: dict[int, tuple[str, str]] = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), 5000):
        rows = Application.objects.filter(id__in=ordered[start : start + 5000]).values_list(
            "id", "tracking_number", "version__name"
        )
        out.update({pk: (number or "", name) for pk, number, name in rows})
    return out


def _cards_announce(cards: list[dict], batch: tuple[str, dt.datetime] | None = None) -> None:
    """Tell the responsible officers and their departments' supervisors, one message each,
    in the transaction that inserted the cards; audit one event per card, or for a sweep's
    ``batch`` (kind, time raised) one event holding the digest of all its cards."""
    from django.contrib.auth import get_user_model

    from onetrip.audit.services import audit_append
    from onetrip.notifications.services import inbox_enqueue_many

    if not cards:
        return
    supervisors = _supervisors_by_department(c["department_id"] for c in cards)
    per_user: dict[int, list[dict]] = defaultdict(list)
    for c in sorted(cards, key=lambda c: c["id"]):
        who = set(supervisors.get(c["department_id"], ()))
        if c.get("responsible_id"):
            who.add(c["responsible_id"])
        for user_id in who:
            per_user[user_id].append(c)
    users = get_user_model().objects.in_bulk(list(per_user))
    labels = dict(Card.Colour.choices)
    named = _application_names(
        {c["application_id"] for mine in per_user.values() for c in mine[:NOTIFY_LINES]}
    )
    entries = []
    for user_id, mine in per_user.items():
        lines = [
            {
                "colour": labels[Card.COLOUR_OF[c["kind"]]],
                "tracking_number": named[c["application_id"]][0],
                "item_name": named[c["application_id"]][1],
                "reason": c["reason"],
            }
            for c in mine[:NOTIFY_LINES]
        ]
        first = lines[0]
        entries.append(
            {
                "recipient": users[user_id],
                "context": {
                    "count": len(mine),
                    "colour": first["colour"],
                    "tracking_number": first["tracking_number"],
                    "item_name": first["item_name"],
                    "cards": lines,
                    "more": max(len(mine) - NOTIFY_LINES, 0),
                },
                "dedupe_key": f"card:{mine[0]['id']}:user:{user_id}",
                "reference": first["tracking_number"] if len(mine) == 1 else "",
            }
        )
    inbox_enqueue_many(template="card_raised", entries=entries)
    if batch is None:
        for c in cards:
            audit_append(
                actor=None,
                action=f"supervision.card.{Card.COLOUR_OF[c['kind']]}",
                target=("applications.application", str(c["application_id"])),
                summary=f"{labels[Card.COLOUR_OF[c['kind']]]}：{c['reason']}",
                after={"card": c["id"], "kind": c["kind"], "deadline": c.get("deadline_id")},
            )
        return
    kind, raised_at = batch
    ids = sorted(c["id"] for c in cards)
    audit_append(
        actor=None,
        action=SWEEP_AUDIT_ACTION,
        summary=f"电子监察扫描发出{Card.Kind(kind).label}{labels[Card.COLOUR_OF[kind]]}"
        f" {len(ids)} 张",
        after={
            "kind": kind,
            "count": len(ids),
            "first": ids[0],
            "last": ids[-1],
            "raised_at": raised_at.isoformat(),
            "digest": card_digest(cards),
        },
    )


SWEEP_AUDIT_ACTION = "supervision.cards.raised"


def card_digest(cards) -> str:
    """SHA-256 over the cards of one sweep (id, application, deadline, kind, reason by id): the
    audit chain holds it, so a card added, removed or altered later shows."""
    import hashlib

    lines = sorted(
        (c["id"], c["application_id"], c.get("deadline_id") or "", c["kind"], c["reason"])
        for c in cards
    )
    text = "\n".join("|".join(str(v) for v in line) for line in lines)
    return hashlib.sha256(text.encode()).hexdigest()


def card_raise(*, application, kind: str, reason: str, responsible=None) -> bool:
    """Raise a card for an irregular act, in the caller's transaction; False if it exists.

    ``responsible`` is the officer who acted; by default whoever holds the application."""
    from onetrip.applications.models import Assignment

    current = (
        responsible.pk
        if responsible is not None
        else Assignment.objects.filter(application=application, ended_at__isnull=True)
        .values_list("officer_id", flat=True)
        .first()
    )
    try:
        with transaction.atomic():
            card = Card.objects.create(
                application=application,
                department_id=application.department_id,
                responsible_id=current,
                colour=Card.COLOUR_OF[kind],
                kind=kind,
                reason=reason[:200],
            )
    except IntegrityError:  # this application already has a card of this kind
        return False
    _cards_announce(
        [
            {
                "id": card.pk,
                "application_id": application.pk,
                "department_id": card.department_id,
                "responsible_id": current,
                "deadline_id": None,
                "kind": kind,
                "reason": card.reason,
            }
        ]
    )
    return True


def _claim_sql(colour: str, today: dt.date, returning: str) -> tuple[str, list]:
    """The UPDATE that marks the open, unpaused promised deadlines whose card of ``colour``
    is due today and not yet raised. It takes each row's lock, so of two sweeps at the same
    moment only one claims a deadline."""
    table = connection.ops.quote_name(Deadline._meta.db_table)
    pauses = connection.ops.quote_name(ClockPause._meta.db_table)
    if colour == "red":
        flag, when, params = "red_raised", "due_on < %s", [today]
    else:
        flag, when, params = "yellow_raised", "yellow_on <= %s AND due_on >= %s", [today, today]
    sql = (
        f"UPDATE {table} SET {flag} = TRUE "
        f"WHERE state = 'open' AND kind = 'promised' AND NOT {flag} AND {when} "
        f"AND NOT EXISTS (SELECT 1 FROM {pauses} p "
        f"WHERE p.application_id = {table}.application_id AND p.ended_on IS NULL) "
        f"RETURNING {returning}"
    )
    return sql, params


CARD_RETURNED = ["id", "application_id", "department_id", "responsible_id", "deadline_id", "reason"]


def _cards_claim_and_insert(colour: str, kind: str, prefix: str, today: dt.date, now):
    """Claim the deadlines whose card of ``colour`` is due and insert their cards; the cards
    inserted. PostgreSQL does both in one statement (the claimed rows feed the INSERT);
    SQLite claims, then inserts by id."""
    q = connection.ops.quote_name
    holder = (
        f"(SELECT s.officer_id FROM {q('applications_assignment')} s "
        "WHERE s.application_id = d.application_id AND s.ended_at IS NULL "
        "ORDER BY s.id DESC LIMIT 1)"
    )
    select = (
        f"SELECT d.id, d.application_id, d.department_id, {holder}, "
        "%s, %s, %s || CAST(d.due_on AS TEXT), %s, '' "
    )
    head = f"INSERT INTO {q(Card._meta.db_table)} ({', '.join(CARD_COLUMNS)}) "
    tail = f" ON CONFLICT DO NOTHING RETURNING {', '.join(CARD_RETURNED)}"
    raised_at = Card._meta.get_field("raised_at").get_db_prep_value(now, connection)
    values = [Card.COLOUR_OF[kind], kind, prefix, raised_at]
    inserted: list[dict] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            claim, params = _claim_sql(colour, today, "id, application_id, department_id, due_on")
            cursor.execute(f"WITH d AS ({claim}) {head}{select}FROM d{tail}", [*params, *values])
            return [dict(zip(CARD_RETURNED, row, strict=True), kind=kind) for row in cursor]
        claim, params = _claim_sql(colour, today, "id")
        cursor.execute(claim, params)
        ids = [row[0] for row in cursor.fetchall()]
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"{head}{select}FROM {q(Deadline._meta.db_table)} d WHERE d.id IN ({marks}){tail}",
                [*values, *chunk],
            )
            inserted += [dict(zip(CARD_RETURNED, row, strict=True), kind=kind) for row in cursor]
    return inserted


CARD_COLUMNS = [
    "deadline_id",
    "application_id",
    "department_id",
    "responsible_id",
    "colour",
    "kind",
    "reason",
    "raised_at",
    "closed_reason",
]


def cards_sweep(*, today: dt.date | None = None) -> dict[str, int]:
    """Raise the cards due today: yellow near the promised deadline, red once it is passed.

    Set-based, per colour: one UPDATE … RETURNING claims the open, unpaused promised
    deadlines whose card is due and not yet raised (a flag on the deadline, under its row
    lock) and one INSERT … SELECT writes their cards (ON CONFLICT DO NOTHING: a card is unique
    per application and kind). Reruns, restarts and concurrent schedulers never raise a card
    twice; only the run that inserted a card notifies and audits it, in the same transaction.
    """
    today = today or timezone.localdate()
    pauses_expire(today=today)
    deficiencies_overdue(today=today)
    raised = {"yellow": 0, "red": 0}
    plan = (
        ("red", Card.Kind.OVERDUE, "已超过承诺办结期限 "),
        ("yellow", Card.Kind.NEAR_DEADLINE, "临近承诺办结期限 "),
    )
    for colour, kind, prefix in plan:
        with transaction.atomic():
            now = timezone.now()
            cards = _cards_claim_and_insert(colour, kind, prefix, today, now)
            if cards:
                _cards_announce(cards, batch=(kind, now))
            raised[colour] += len(cards)
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


def scheduler_lease_release(*, holder: str, name: str = "sweep") -> bool:
    """Give the lease up (a scheduler stopping), so another takes over at once instead of
    after it expires; True if ``holder`` held it."""
    from onetrip.supervision.models import SchedulerLease

    return bool(
        SchedulerLease.objects.filter(name=name, holder=holder).update(until=timezone.now())
    )


class SupervisionError(Exception):
    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def _require_supervisor(user, card) -> None:
    from onetrip.accounts.selectors import staff_department_ids

    ids = staff_department_ids(user=user, role="supervisor")
    if ids is not None and card.department_id not in ids:
        raise SupervisionError("forbidden", _("只有该部门的监察人员可以处理这张监察牌。"), 403)


FINDING_MAX = 2000  # characters for each of a finding's texts


def card_finding_record(*, card, user, explanation: str, conclusion: str, measures: str = ""):
    """Record a supervisor's finding on a card (audited)."""
    from django.db import transaction

    from onetrip.audit.services import audit_append
    from onetrip.supervision.models import CardFinding

    _require_supervisor(user, card)
    if not says_something(explanation) or not says_something(conclusion):
        raise SupervisionError("finding_incomplete", _("请写明情况说明和结论。"))
    if max(len(explanation.strip()), len(conclusion.strip()), len(measures.strip())) > FINDING_MAX:
        raise SupervisionError("too_long", _("每一项不超过 {limit} 字。").format(limit=FINDING_MAX))
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
    if not says_something(reason):
        raise SupervisionError("reason_required", _("关闭监察牌须写明理由。"))
    if len(reason.strip()) > 300:
        raise SupervisionError("too_long", _("关闭理由不超过 300 字。"))
    with transaction.atomic():
        card = Card.objects.select_for_update().get(pk=card.pk)
        if card.closed_at is not None:
            raise SupervisionError("already_closed", _("这张监察牌已经关闭。"), 409)
        if not card.findings.exists():
            raise SupervisionError("finding_required", _("请先记录监察意见，再关闭监察牌。"), 409)
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

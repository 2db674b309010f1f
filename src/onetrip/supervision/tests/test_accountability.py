"""Irregular acts raise red cards; 容缺 pauses the clock; stages have limits; who held what."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from onetrip.applications import services
from onetrip.applications.models import Assignment
from onetrip.applications.tests.factories import complete_draft, png, staff, submitted, world
from onetrip.audit.models import AuditEvent
from onetrip.core import calendar
from onetrip.notifications.models import OutboxMessage
from onetrip.supervision import services as supervision
from onetrip.supervision.models import Card, Deadline

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def _calendar():
    calendar.calendar_changed()


def at(day: dt.date, hour: int = 10):
    return time_machine.travel(
        dt.datetime(day.year, day.month, day.day, hour, tzinfo=TZ), tick=False
    )


def act(app, user, action, **kw):
    return services.application_act(application=app, user=user, action=action, **kw)


def _submitted_on(w, day):
    with at(day):
        return submitted(w)


def test_a_correction_notice_within_five_working_days_raises_nothing():
    w = world()
    app = _submitted_on(w, dt.date(2026, 11, 2))  # Monday
    with at(dt.date(2026, 11, 9)):  # 5 working days later
        act(app, w.window, "request_correction", reason="照片不清晰", items=[{"code": "photo"}])
    assert not Card.objects.exists()


def test_a_late_correction_notice_raises_a_red_card_on_the_officer():
    w = world()
    app = _submitted_on(w, dt.date(2026, 11, 2))
    with at(dt.date(2026, 11, 10)):  # the 6th working day
        act(app, w.window, "request_correction", reason="照片不清晰", items=[{"code": "photo"}])
    card = Card.objects.get(application=app)
    assert (card.colour, card.kind) == ("red", Card.Kind.LATE_CORRECTION)
    assert card.responsible == w.window and card.department == app.department
    assert "第 6 个工作日" in card.reason
    supervisors_inbox = OutboxMessage.objects.filter(template="card_raised", recipient=w.supervisor)
    assert supervisors_inbox.count() == 1 and app.tracking_number in supervisors_inbox.get().body
    assert AuditEvent.objects.filter(action="supervision.card.red").count() == 1


def test_a_second_correction_needs_a_supervisor_and_raises_a_red_card_once():
    w = world()
    app = _submitted_on(w, dt.date(2026, 11, 2))
    with at(dt.date(2026, 11, 3)):
        act(app, w.window, "request_correction", reason="照片不清晰", items=[{"code": "photo"}])
        services.material_upload(application=app, user=w.user, code="photo", upload=png())
        act(app, w.user, "supply_correction")
        act(
            app,
            w.supervisor,
            "request_correction",
            reason="复印件缺页",
            items=[{"code": "photo"}],
            override_reason="前次补正遗漏，经核实确需补充",
        )
    card = Card.objects.get(application=app)
    assert card.kind == Card.Kind.SECOND_CORRECTION and card.colour == "red"
    assert card.responsible == w.supervisor


@pytest.mark.parametrize(
    ("reason", "carded"),
    [("不符合", True), ("不属于本部门职权范围，请向市场监管部门申请", False)],
)
def test_a_refusal_without_real_reasons_raises_a_red_card(reason, carded):
    w = world()
    app = submitted(w)
    act(app, w.window, "refuse", reason=reason)
    cards = Card.objects.filter(application=app, kind=Card.Kind.REFUSAL_WITHOUT_REASONS)
    assert cards.exists() is carded


def test_deficiency_acceptance_pauses_the_clock_until_the_material_arrives():
    w = world()  # promised 2 working days
    app = complete_draft(w)
    services.material_choose(application=app, user=w.user, code="photo", state="deficient")
    services.application_submit(application=app, user=w.user)
    with at(dt.date(2026, 11, 2)):  # Monday
        act(app, w.window, "accept_deficient", due=dt.date(2026, 11, 4))
    promised = app.deadlines.get(kind="promised")
    assert promised.due_on == dt.date(2026, 11, 4)
    # Paused: no card however late it looks.
    assert supervision.cards_sweep(today=dt.date(2026, 11, 4)) == {"yellow": 0, "red": 0}
    with at(dt.date(2026, 11, 4)):  # supplied after 2 working days
        services.material_upload(application=app, user=w.user, code="photo", upload=png())
    promised.refresh_from_db()
    assert promised.paused_days == 2
    assert promised.due_on == dt.date(2026, 11, 6)
    assert not app.clock_pauses.filter(ended_on__isnull=True).exists()
    supervision.cards_sweep(today=dt.date(2026, 11, 10))
    assert not Card.objects.filter(application=app, kind=Card.Kind.DEFICIENCY_OVERDUE).exists()


def test_an_unsupplied_deficiency_stops_pausing_on_its_due_date():
    w = world()
    app = complete_draft(w)
    services.material_choose(application=app, user=w.user, code="photo", state="deficient")
    services.application_submit(application=app, user=w.user)
    with at(dt.date(2026, 11, 2)):
        act(app, w.window, "accept_deficient", due=dt.date(2026, 11, 4))
    raised = supervision.cards_sweep(today=dt.date(2026, 11, 10))
    promised = app.deadlines.get(kind="promised")
    assert promised.paused_days == 2  # 2 → 4 November
    assert promised.due_on == dt.date(2026, 11, 6)
    assert raised == {"yellow": 0, "red": 1}
    # The material never came: the office is told to decide on it, once.
    card = Card.objects.get(application=app, kind=Card.Kind.DEFICIENCY_OVERDUE)
    assert card.colour == "yellow" and "2026-11-04" in card.reason
    supervision.cards_sweep(today=dt.date(2026, 11, 11))
    assert Card.objects.filter(application=app, kind=Card.Kind.DEFICIENCY_OVERDUE).count() == 1


def test_each_stage_has_its_own_limit_and_closes_when_passed():
    w = world()  # 承办 1 working day, 审核 1, 批准 none
    app = submitted(w)
    with at(dt.date(2026, 11, 2)):
        act(app, w.window, "accept")
        act(app, w.handler, "start")
    handle = app.deadlines.get(kind="stage", stage="handle")
    assert (handle.limit, handle.due_on) == (1, dt.date(2026, 11, 3))
    with at(dt.date(2026, 11, 5)):
        act(app, w.handler, "pass_stage")
    handle.refresh_from_db()
    assert handle.state == Deadline.State.MISSED
    check = app.deadlines.get(kind="stage", stage="check")
    assert check.state == "open" and check.due_on == dt.date(2026, 11, 6)
    with at(
        dt.date(
            2026,
            11,
            5,
        ),
        11,
    ):
        act(app, w.checker, "pass_stage")
    check.refresh_from_db()
    assert check.state == Deadline.State.MET
    assert not app.deadlines.filter(kind="stage", stage="approve").exists()


def test_assignment_history_says_who_held_the_application_and_cards_name_them():
    w = world()
    app = submitted(w)
    with at(dt.date(2026, 11, 2)):
        act(app, w.window, "accept")
        act(app, w.handler, "start")
    held = Assignment.objects.filter(application=app)
    assert [(a.officer, a.ended_at is None) for a in held] == [(w.window, False), (w.handler, True)]
    assert supervision.cards_sweep(today=dt.date(2026, 11, 5))["red"] == 1
    assert Card.objects.get(kind="overdue").responsible == w.handler
    with at(dt.date(2026, 11, 5)):
        act(app, w.handler, "pass_stage")
    assert not held.filter(ended_at__isnull=True).exists()  # waits in the 审核 queue
    with at(dt.date(2026, 11, 5)):
        act(app, w.checker, "pass_stage")
        act(app, w.approver, "approve")
    assert [a.officer for a in held.all()] == [w.window, w.handler, w.checker, w.approver]
    assert not held.filter(ended_at__isnull=True).exists()


def test_officers_take_up_or_are_assigned_within_the_stage_role():
    w = world()
    app = submitted(w)
    act(app, w.window, "accept")
    other = staff("handler3", app.department, "handler")
    with pytest.raises(services.ApplicationError) as caught:
        services.application_assign(application=app, officer=w.handler, assignee=other.pk)
    assert caught.value.status == 403  # only approvers and supervisors hand work to others
    services.application_assign(application=app, officer=other, assignee=other.pk)  # 领办
    services.application_assign(
        application=app, officer=w.approver, assignee=w.handler.pk, note="请优先办理"
    )
    held = list(Assignment.objects.filter(application=app))
    assert [a.officer for a in held] == [w.window, other, w.handler]
    assert held[-1].assigned_by == w.approver and held[-1].ended_at is None
    assert AuditEvent.objects.filter(action="application.assign").count() == 2


def test_an_approver_assigns_and_extends_and_the_applicant_is_told():
    w = world()
    app = submitted(w)
    with at(dt.date(2026, 11, 2)):
        act(app, w.window, "accept")
        act(app, w.handler, "start")
    with pytest.raises(services.ApplicationError) as caught:
        services.application_assign(application=app, officer=w.approver, assignee=w.handler.pk)
    assert caught.value.code == "already_assigned"
    with pytest.raises(services.ApplicationError) as caught:
        services.application_assign(application=app, officer=w.approver, assignee=w.checker.pk)
    assert caught.value.field == "assignee"  # not a 承办 officer
    with pytest.raises(services.ApplicationError) as caught:
        services.deadline_extend(application=app, officer=w.handler, days=3, reason="复杂")
    assert caught.value.status == 403
    for days, code in (("x", "days_invalid"), (0, "days_invalid"), (11, "days_invalid")):
        with pytest.raises(services.ApplicationError) as caught:
            services.deadline_extend(application=app, officer=w.approver, days=days, reason="复杂")
        assert caught.value.code == code
    for reason, code in ((" ", "reason_required"), ("复" * 301, "reason_too_long")):
        with pytest.raises(services.ApplicationError) as caught:
            services.deadline_extend(application=app, officer=w.approver, days=3, reason=reason)
        assert caught.value.code == code
    assert not app.extensions.exists()
    services.deadline_extend(application=app, officer=w.approver, days=3, reason="需实地核查")
    promised = app.deadlines.get(kind="promised")
    assert (promised.extended_days, promised.due_on) == (3, dt.date(2026, 11, 9))
    told = OutboxMessage.objects.filter(recipient=w.user, body__contains="延长 3 天")
    assert told.exists()
    assert AuditEvent.objects.filter(action="application.extend").count() == 1
    with pytest.raises(services.ApplicationError) as caught:
        services.deadline_extend(application=app, officer=w.approver, days=8, reason="再延")
    assert caught.value.code == "days_invalid" and "1 至 7" in caught.value.message


def test_a_decision_during_the_deficiency_pause_counts_the_pause():
    w = world()  # promised 2 working days
    app = complete_draft(w)
    services.material_choose(application=app, user=w.user, code="photo", state="deficient")
    services.application_submit(application=app, user=w.user)
    with at(dt.date(2026, 11, 2)):
        act(app, w.window, "accept_deficient", due=dt.date(2026, 11, 4))
    with at(dt.date(2026, 11, 3)):  # approved before the material arrives
        act(app, w.handler, "start")
        act(app, w.handler, "pass_stage")
        act(app, w.checker, "pass_stage")
        act(app, w.approver, "approve")
    promised = app.deadlines.get(kind="promised")
    assert promised.paused_days == 1  # Tuesday
    assert promised.due_on == dt.date(2026, 11, 5)
    assert promised.state == Deadline.State.MET
    # Decided on the commitment, which is then broken: the office hears of it.
    supervision.cards_sweep(today=dt.date(2026, 11, 5))
    assert Card.objects.filter(application=app, kind=Card.Kind.DEFICIENCY_OVERDUE).exists()


def test_a_second_correction_is_not_also_judged_late_from_the_first_receipt():
    w = world()
    app = _submitted_on(w, dt.date(2026, 11, 2))
    with at(dt.date(2026, 11, 3)):
        act(app, w.window, "request_correction", reason="照片不清晰", items=[{"code": "photo"}])
    with at(dt.date(2026, 11, 16)):
        services.material_upload(application=app, user=w.user, code="photo", upload=png())
        act(app, w.user, "supply_correction")
        act(
            app,
            w.supervisor,
            "request_correction",
            reason="复印件缺页",
            items=[{"code": "photo"}],
            override_reason="前次补正遗漏，经核实确需补充",
        )
    assert list(Card.objects.values_list("kind", flat=True)) == [Card.Kind.SECOND_CORRECTION]


def test_an_instant_item_gets_no_yellow_card_and_a_red_one_the_next_day():
    w = world(promised_limit=0, handling_type="instant")
    app = submitted(w)
    with at(dt.date(2026, 11, 2)):
        act(app, w.window, "accept")
    assert app.deadlines.get(kind="promised").yellow_on is None
    assert supervision.cards_sweep(today=dt.date(2026, 11, 2)) == {"yellow": 0, "red": 0}
    assert supervision.cards_sweep(today=dt.date(2026, 11, 3)) == {"yellow": 0, "red": 1}


def test_a_late_acceptance_starts_the_clock_on_the_day_of_receipt():
    w = world()
    app = _submitted_on(w, dt.date(2026, 11, 2))
    with at(dt.date(2026, 11, 10)):  # 6 working days later, no notice in between
        act(app, w.window, "accept")
    promised = app.deadlines.get(kind="promised")
    assert promised.starts_on == dt.date(2026, 11, 2)
    assert promised.due_on == dt.date(2026, 11, 4)  # already overdue when accepted
    app2 = _submitted_on(w, dt.date(2026, 11, 2))
    with at(dt.date(2026, 11, 9)):  # within 5 working days: the clock starts on acceptance
        act(app2, w.window, "accept")
    assert app2.deadlines.get(kind="promised").starts_on == dt.date(2026, 11, 9)


def test_resuming_a_special_procedure_leaves_the_deficiency_pause_running():
    w = world()
    app = complete_draft(w)
    services.material_choose(application=app, user=w.user, code="photo", state="deficient")
    services.application_submit(application=app, user=w.user)
    with at(dt.date(2026, 11, 2)):
        act(app, w.window, "accept_deficient", due=dt.date(2026, 11, 4))
        act(app, w.handler, "start")
        act(app, w.handler, "pause", reason="专家评审")
    with at(dt.date(2026, 11, 3)):
        act(app, w.handler, "resume", reason="评审结束")
    open_kinds = list(app.clock_pauses.filter(ended_on__isnull=True).values_list("kind", flat=True))
    assert open_kinds == ["deficiency"]
    with at(dt.date(2026, 11, 4)):
        services.material_upload(application=app, user=w.user, code="photo", upload=png())
    assert not app.clock_pauses.filter(ended_on__isnull=True).exists()


def test_a_supplement_during_a_special_procedure_leaves_the_special_pause_running():
    w = world()
    app = complete_draft(w)
    services.material_choose(application=app, user=w.user, code="photo", state="deficient")
    services.application_submit(application=app, user=w.user)
    with at(dt.date(2026, 11, 2)):
        act(app, w.window, "accept_deficient", due=dt.date(2026, 11, 4))
        act(app, w.handler, "start")
    with at(dt.date(2026, 11, 3)):
        act(app, w.handler, "pause", reason="专家评审")  # the newest open pause
    with at(dt.date(2026, 11, 4)):
        services.material_upload(application=app, user=w.user, code="photo", upload=png())
    open_kinds = list(app.clock_pauses.filter(ended_on__isnull=True).values_list("kind", flat=True))
    assert open_kinds == ["special"]
    assert app.clock_pauses.get(kind="deficiency").ended_on == dt.date(2026, 11, 4)
    with at(dt.date(2026, 11, 5)):
        act(app, w.handler, "resume", reason="评审结束")
    assert not app.clock_pauses.filter(ended_on__isnull=True).exists()

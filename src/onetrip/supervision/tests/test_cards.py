"""Cards: yellow before the deadline, red after, each exactly once, to the right people."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine

from onetrip.applications import services
from onetrip.applications.tests.factories import submitted, world
from onetrip.core import calendar
from onetrip.notifications.models import OutboxMessage
from onetrip.supervision import services as supervision
from onetrip.supervision.models import Card

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def _calendar():
    calendar.calendar_changed()


def _accepted(w, when):
    app = submitted(w)
    with time_machine.travel(when, tick=False):
        services.application_act(application=app, user=w.handler, action="accept")
    return app


def test_yellow_then_red_once_each_to_handler_and_supervisor():
    w = world()  # promised 2 working days
    app = _accepted(w, dt.datetime(2026, 11, 2, 10, tzinfo=TZ))  # Monday → due Wednesday 4th
    assert supervision.cards_sweep(today=dt.date(2026, 11, 2)) == {"yellow": 0, "red": 0}
    assert supervision.cards_sweep(today=dt.date(2026, 11, 3)) == {"yellow": 1, "red": 0}
    assert supervision.cards_sweep(today=dt.date(2026, 11, 3)) == {"yellow": 0, "red": 0}
    assert supervision.cards_sweep(today=dt.date(2026, 11, 5)) == {"yellow": 0, "red": 1}
    assert supervision.cards_sweep(today=dt.date(2026, 11, 6)) == {"yellow": 0, "red": 0}
    cards = Card.objects.filter(application=app)
    assert sorted(cards.values_list("colour", flat=True)) == ["red", "yellow"]
    assert cards.get(colour="red").responsible == w.handler
    inboxes = OutboxMessage.objects.filter(template="card_raised")
    assert {m.recipient for m in inboxes} == {w.handler, w.supervisor}
    assert inboxes.count() == 4


def test_paused_and_decided_applications_raise_nothing():
    w = world()
    app = _accepted(w, dt.datetime(2026, 11, 2, 10, tzinfo=TZ))
    with time_machine.travel(dt.datetime(2026, 11, 2, 11, tzinfo=TZ), tick=False):
        services.application_act(application=app, user=w.handler, action="start")
        services.application_act(application=app, user=w.handler, action="pause", reason="委托鉴定")
    assert supervision.cards_sweep(today=dt.date(2026, 11, 20)) == {"yellow": 0, "red": 0}


def test_a_stopping_scheduler_hands_the_lease_over_at_once(monkeypatch):
    import threading

    from onetrip.supervision import scheduler

    passes, stop = [], threading.Event()

    def sweep():  # one pass, then the process is told to stop (SIGTERM sets the event)
        passes.append(1)
        stop.set()
        return {"yellow": 0, "red": 0}

    monkeypatch.setattr(scheduler, "cards_sweep", sweep)
    # The test's transaction is the connection's: the loop must not close it between passes.
    monkeypatch.setattr(scheduler, "close_old_connections", lambda: None)
    scheduler.run(interval=60, stop=stop)
    assert passes == [1]
    assert supervision.scheduler_lease(holder="replacement", seconds=60)  # no 3-minute wait
    assert not supervision.scheduler_lease_release(holder="nobody")


def test_only_one_scheduler_holds_the_lease():
    assert supervision.scheduler_lease(holder="a", seconds=60)
    assert not supervision.scheduler_lease(holder="b", seconds=60)
    assert supervision.scheduler_lease(holder="a", seconds=60)  # renewal
    with time_machine.travel(dt.datetime.now(TZ) + dt.timedelta(minutes=5), tick=False):
        assert supervision.scheduler_lease(holder="b", seconds=60)  # expired: taken over


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_once_raise_each_card_once():
    import threading

    from django.db import connection

    w = world()
    apps = [_accepted(w, dt.datetime(2026, 11, 2, 10, tzinfo=TZ)) for _ in range(6)]
    errors = []

    def sweep():
        try:
            supervision.cards_sweep(today=dt.date(2026, 11, 5))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert Card.objects.filter(colour="red").count() == len(apps)
    # Each recipient hears of each card exactly once, however the sweeps shared the work.
    for user in (w.handler, w.supervisor):
        bodies = "".join(
            OutboxMessage.objects.filter(template="card_raised", recipient=user).values_list(
                "body", flat=True
            )
        )
        for app in apps:
            app.refresh_from_db()
            assert bodies.count(app.tracking_number) == 1


def test_only_the_departments_supervisor_records_findings_and_closes_cards():
    from onetrip.applications.tests.factories import staff
    from onetrip.catalog.models import Department
    from onetrip.supervision.models import CardFinding

    w = world()
    _accepted(w, dt.datetime(2026, 11, 2, 10, tzinfo=TZ))
    supervision.cards_sweep(today=dt.date(2026, 11, 5))
    card = Card.objects.get(colour="red")
    other = staff("supervisor-x", Department.objects.get(code="insurance"), "supervisor")
    with pytest.raises(supervision.SupervisionError) as caught:
        supervision.card_close(card=card, user=other, reason="无")
    assert caught.value.status == 403
    with pytest.raises(supervision.SupervisionError) as caught:
        supervision.card_close(card=card, user=w.supervisor, reason="已办结")
    assert caught.value.code == "finding_required"
    supervision.card_finding_record(
        card=card,
        user=w.supervisor,
        explanation="承办人请假",
        conclusion="情有可原",
        measures="建立顶岗机制",
    )
    for reason, code in (("\u200b", "reason_required"), ("整" * 301, "too_long")):
        with pytest.raises(supervision.SupervisionError) as caught:
            supervision.card_close(card=card, user=w.supervisor, reason=reason)
        assert caught.value.code == code
    supervision.card_close(card=card, user=w.supervisor, reason="已整改")
    card.refresh_from_db()
    assert card.closed_reason == "已整改" and CardFinding.objects.get(card=card).measures


def test_the_sweep_command_moves_the_clock_in_the_demo_only(settings):
    from django.core.management import CommandError, call_command

    w = world()  # promised 2 working days
    _accepted(w, dt.datetime.now(TZ))
    out = io.StringIO()
    settings.ONETRIP_DEMO = True
    call_command("sweep", "--ahead", "1", stdout=out)
    assert "新发黄牌 1 张，红牌 0 张" in out.getvalue()
    call_command("sweep", "--ahead", "5", stdout=out)
    assert "新发黄牌 0 张，红牌 1 张" in out.getvalue()
    call_command("sweep", "--ahead", "6", stdout=out)
    assert out.getvalue().count("红牌 0 张") == 2  # nothing twice
    with pytest.raises(CommandError, match="格式不对"):
        call_command("sweep", "--as-of", "下周一")
    settings.ONETRIP_DEMO = False
    with pytest.raises(CommandError, match="只有演示环境"):
        call_command("sweep", "--ahead", "3")


def test_a_sweeps_cards_are_sealed_in_the_audit_chain():
    from django.core.management import CommandError, call_command
    from django.db import connection

    from onetrip.audit.models import AuditEvent

    w = world()
    for _ in range(3):
        _accepted(w, dt.datetime(2026, 11, 2, 10, tzinfo=TZ))
    assert supervision.cards_sweep(today=dt.date(2026, 11, 5)) == {"yellow": 0, "red": 3}
    event = AuditEvent.objects.get(action="supervision.cards.raised")
    assert event.after["count"] == 3 and "红牌 3 张" in event.summary
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert "审计链完整" in out.getvalue()
    with connection.cursor() as cursor:  # someone softens a card behind the platform's back
        cursor.execute("UPDATE supervision_card SET reason = '已处理' WHERE kind = 'overdue'")
    with pytest.raises(CommandError, match="与记录的 3 张或其摘要不符"):
        call_command("audit", "verify", stdout=out)


def test_supervisors_of_a_department_above_hear_of_its_cards_and_others_do_not():
    from onetrip.applications.tests.factories import staff
    from onetrip.catalog.models import Department

    w = world()
    above = staff("jc-bureau", Department.objects.get(code="bureau"), "supervisor")
    beside = staff("jc-insurance", Department.objects.get(code="insurance"), "supervisor")
    _accepted(w, dt.datetime(2026, 11, 2, 10, tzinfo=TZ))
    supervision.cards_sweep(today=dt.date(2026, 11, 5))
    told = set(
        OutboxMessage.objects.filter(template="card_raised").values_list("recipient", flat=True)
    )
    assert {w.handler.pk, w.supervisor.pk, above.pk} <= told and beside.pk not in told

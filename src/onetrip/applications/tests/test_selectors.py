"""The applicant's timeline: plain words, no staff-only steps, no working opinions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from onetrip.applications import selectors, services
from onetrip.applications.tests.factories import submitted, world

pytestmark = pytest.mark.django_db


def _reviewed_and_denied():
    """Accepted, taken up by the checker on assignment, passed with opinions, then denied."""
    w = world()
    app = submitted(w)
    services.application_act(application=app, user=w.window, action="accept", reason="同意受理")
    services.application_act(application=app, user=w.handler, action="start")
    services.application_act(
        application=app, user=w.handler, action="pass_stage", reason="初核无误，建议同意"
    )
    services.application_assign(
        application=app, officer=w.approver, assignee=w.checker.pk, note="请今天内完成"
    )
    services.application_act(
        application=app, user=w.checker, action="pass_stage", reason="内部：缴费记录已复核"
    )
    services.application_act(
        application=app, user=w.approver, action="deny", reason="缴费不满一年，不符合领取条件"
    )
    return w, app


def test_the_applicant_reads_each_step_in_plain_words():
    _, app = _reviewed_and_denied()
    steps = selectors.applicant_timeline(application=app)
    assert [s["label"] for s in steps] == [
        "提交申请",
        "申请已受理",
        "开始审查",
        "“承办”环节已完成",
        "“审核”环节已完成",
        "不予批准",
        "办理结果已送达",
    ]
    notes = " ".join(s["note"] for s in steps)
    # The grounds of the decision stay; the officers' working opinions and notes do not.
    assert "缴费不满一年，不符合领取条件" in notes
    for internal in ("同意受理", "建议同意", "缴费记录已复核", "请今天内完成", "checker1"):
        assert internal not in notes


def test_an_opinion_on_accept_deficient_stays_with_staff_and_what_to_bring_reaches_the_applicant():
    from onetrip.applications.tests.factories import submitted_with_photo_to_follow
    from onetrip.notifications.models import OutboxMessage

    w = world()
    app = submitted_with_photo_to_follow(w)
    services.application_act(
        application=app,
        user=w.window,
        action="accept_deficient",
        reason="内部：信用记录一般",
        due=timezone.localdate() + dt.timedelta(days=1),
    )
    step = app.events.get(action="accept_deficient")
    assert step.opinion == "内部：信用记录一般" and "前补交" in step.note
    shown = selectors.applicant_timeline(application=app)[-1]
    assert shown["label"] == "申请已容缺受理" and shown["note"] == step.note
    sent = " ".join(OutboxMessage.objects.values_list("body", flat=True))
    assert "前补交" in sent and "信用记录一般" not in sent
    api = APIClient()
    api.force_authenticate(w.user)
    events = api.get(f"/api/v1/applications/{app.pk}/").json()["events"]
    assert all(e["opinion"] == "" for e in events)
    assert "信用记录一般" not in str(events)
    api.force_authenticate(w.window)
    events = api.get(f"/api/v1/applications/{app.pk}/").json()["events"]
    assert events[-1]["opinion"] == "内部：信用记录一般"


def test_a_note_that_only_repeats_the_step_is_not_shown():
    _, app = _reviewed_and_denied()
    first = selectors.applicant_timeline(application=app)[0]
    assert first["label"] == "提交申请" and first["note"] == ""


def test_the_applicant_page_and_the_public_lookup_show_the_plain_timeline(client):
    w, app = _reviewed_and_denied()
    client.force_login(w.user)
    page = client.get(f"/me/applications/{app.tracking_number}/").content.decode()
    assert "“审核”环节已完成" in page and "缴费不满一年" in page
    for internal in ("本环节通过", "分派给", "checker1", "请今天内完成", "建议同意"):
        assert internal not in page

    lookup = client.post("/track/", {"number": app.tracking_number, "code": app.query_code})
    html = lookup.content.decode()
    assert "“承办”环节已完成" in html and "申请已受理" in html
    assert "本环节通过" not in html and "分派" not in html and "缴费不满一年" not in html


def test_over_the_api_applicants_read_plain_steps_and_staff_read_the_record():
    w, app = _reviewed_and_denied()
    api = APIClient()
    api.force_authenticate(w.user)
    mine = api.get(f"/api/v1/applications/{app.pk}/").json()["events"]
    assert [e["action"] for e in mine] == [
        "submit",
        "accept",
        "start",
        "pass_stage",
        "pass_stage",
        "deny",
        "delivery",
    ]
    assert mine[3]["label"] == "“承办”环节已完成" and mine[3]["note"] == ""
    assert mine[-2]["national_code"] == 13 and "缴费不满一年" in mine[-2]["note"]
    listed = api.get("/api/v1/applications/").json()[0]["events"]
    assert [e["label"] for e in listed] == [e["label"] for e in mine]

    api.force_authenticate(w.approver)
    record = api.get(f"/api/v1/applications/{app.pk}/").json()["events"]
    assert "assign" in [e["action"] for e in record]
    assert any("请今天内完成" in e["note"] for e in record)
    assert any(e["label"] == "本环节通过" and e["opinion"] == "初核无误，建议同意" for e in record)


def test_the_plain_steps_follow_the_chosen_language():
    from django.utils import translation

    _, app = _reviewed_and_denied()
    with translation.override("en"):
        labels = [s["label"] for s in selectors.applicant_timeline(application=app)]
    assert labels[:4] == [
        "Application submitted",
        "Application accepted",
        "Review started",
        "Step “承办” completed",
    ]

"""The inbox API: one's own messages with counts, read marks, 404 for anyone else's."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from onetrip.notifications import services
from onetrip.notifications.models import InboxMessage
from onetrip.notifications.tests.test_enqueue import STATUS_CONTEXT

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/messages/"


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _problem(r, status, code):
    assert r.status_code == status, r.content
    assert r["Content-Type"].startswith("application/problem+json")
    assert r.json()["code"] == code
    return r.json()


def deliver_to(user, key: str, status_label: str = "已受理") -> InboxMessage:
    """A status message for ``user`` through the outbox, delivered as the worker would."""
    services.outbox_enqueue(
        recipient=user,
        template="application_status",
        context={**STATUS_CONTEXT, "status_label": status_label},
        dedupe_key=key,
        channels=["inbox"],
        reference="LZ2026000001",
    )
    services.outbox_deliver_due()
    return InboxMessage.objects.get(outbox__dedupe_key=f"{key}:inbox")


def test_list_shows_ones_own_messages_newest_first_with_counts(applicant, other_applicant):
    older = deliver_to(applicant, "a1", "已受理")
    newer = deliver_to(applicant, "a2", "已办结")
    deliver_to(other_applicant, "b1")
    services.inbox_mark_read(user=applicant, message_id=older.pk)

    r = api_for(applicant).get(URL)
    assert r.status_code == 200
    rows = r.json()
    assert [m["id"] for m in rows] == [newer.pk, older.pk]
    assert r["X-Total-Count"] == "2"
    assert r["X-Unread-Count"] == "1"
    first = rows[0]
    assert set(first) == {"id", "subject", "body", "reference", "created_at", "read_at", "read"}
    assert first["subject"] == "办件进度：失业保险金申领 已办结"
    assert "LZ2026000001" in first["body"]
    assert first["reference"] == "LZ2026000001"
    assert first["read"] is False and first["read_at"] is None
    assert rows[1]["read"] is True and rows[1]["read_at"]


def test_unread_filter_and_paging(applicant):
    first = deliver_to(applicant, "a1")
    second = deliver_to(applicant, "a2")
    third = deliver_to(applicant, "a3")
    services.inbox_mark_read(user=applicant, message_id=second.pk)
    api = api_for(applicant)

    r = api.get(URL, {"unread": "1"})
    assert [m["id"] for m in r.json()] == [third.pk, first.pk]
    assert r["X-Total-Count"] == "2" and r["X-Unread-Count"] == "2"

    r = api.get(URL, {"limit": 1, "offset": 1})
    assert [m["id"] for m in r.json()] == [second.pk]
    assert r["X-Total-Count"] == "3"


def test_bad_paging_is_a_problem(applicant):
    api = api_for(applicant)
    body = _problem(api.get(URL, {"limit": "ten"}), 400, "invalid_paging")
    assert "整数" in body["detail"]
    _problem(api.get(URL, {"offset": "1.5"}), 400, "invalid_paging")


def test_reading_a_message_marks_it_read_and_the_unread_count_drops(applicant):
    mine = deliver_to(applicant, "a1")
    deliver_to(applicant, "a2")
    api = api_for(applicant)
    assert api.get(URL)["X-Unread-Count"] == "2"

    r = api.get(f"{URL}{mine.pk}/")
    assert r.status_code == 200
    assert r.json()["id"] == mine.pk
    assert r.json()["read"] is True and r.json()["read_at"]
    assert "失业保险金申领" in r.json()["body"]
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert api.get(URL)["X-Unread-Count"] == "1"
    assert mine.pk not in [m["id"] for m in api.get(URL, {"unread": "1"}).json()]


def test_read_all_marks_everything_read(applicant, other_applicant):
    deliver_to(applicant, "a1")
    deliver_to(applicant, "a2")
    theirs = deliver_to(other_applicant, "b1")
    api = api_for(applicant)

    r = api.post(f"{URL}read-all/")
    assert r.status_code == 200
    assert r.json() == {"changed": 2}
    listed = api.get(URL)
    assert listed["X-Unread-Count"] == "0"
    assert all(m["read"] for m in listed.json())
    assert api.post(f"{URL}read-all/").json() == {"changed": 0}
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_someone_elses_message_is_not_found_and_stays_unread(applicant, other_applicant):
    theirs = deliver_to(other_applicant, "b1")
    api = api_for(applicant)

    body = _problem(api.get(f"{URL}{theirs.pk}/"), 404, "not_found")
    assert body["detail"] == "找不到该消息。"
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert api_for(other_applicant).get(URL)["X-Unread-Count"] == "1"
    _problem(api.get(f"{URL}999999/"), 404, "not_found")
    assert theirs.pk not in [m["id"] for m in api.get(URL).json()]


def test_sign_in_is_required():
    anonymous = APIClient()
    _problem(anonymous.get(URL), 401, "not_authenticated")
    _problem(anonymous.get(f"{URL}1/"), 401, "not_authenticated")
    _problem(anonymous.post(f"{URL}read-all/"), 401, "not_authenticated")
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert bad.get(URL).status_code == 401


def test_token_and_session_both_work(applicant):
    deliver_to(applicant, "a1")
    token = Token.objects.create(user=applicant)
    by_token = APIClient()
    by_token.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    r = by_token.get(URL)
    assert r.status_code == 200 and r["X-Total-Count"] == "1"

    by_session = APIClient()
    by_session.force_login(applicant)
    r = by_session.get(URL)
    assert r.status_code == 200 and len(r.json()) == 1


def test_a_submitted_application_puts_a_message_in_the_inbox():
    from onetrip.applications.tests.factories import submitted, world

    w = world()
    application = submitted(w)
    api = api_for(w.user)
    assert api.get(URL).json() == []  # enqueued, not yet delivered

    services.outbox_deliver_due()
    r = api.get(URL)
    assert r["X-Unread-Count"] == "1"
    (message,) = r.json()
    assert message["reference"] == application.tracking_number
    assert application.tracking_number in message["body"]
    assert message["read"] is False
    assert api_for(w.other_user).get(URL).json() == []

    opened = api.get(f"{URL}{message['id']}/")
    assert opened.json()["read"] is True
    assert api.get(URL)["X-Unread-Count"] == "0"

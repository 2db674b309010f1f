"""The inbox pages: only one's own messages, 404 for anyone else's, read marks."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

from onetrip.notifications import selectors, services
from onetrip.notifications.models import InboxMessage
from onetrip.notifications.tests.test_enqueue import enqueue_status

pytestmark = pytest.mark.django_db


def deliver_to(user, key):
    enqueue_status(user, key=key, channels=["inbox"])
    services.outbox_deliver_due()
    return InboxMessage.objects.get(outbox__dedupe_key=f"{key}:inbox")


def test_inbox_requires_login(client):
    response = client.get("/me/inbox/")
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))
    assert "next=/me/inbox/" in response["Location"]


def test_inbox_lists_only_ones_own_messages_newest_first_with_unread_marked(
    client, applicant, other_applicant
):
    older = deliver_to(applicant, "a1")
    newer = deliver_to(applicant, "a2")
    services.inbox_mark_read(user=applicant, message_id=older.pk)
    theirs = deliver_to(other_applicant, "b1")
    client.force_login(applicant)
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 200
    page = list(response.context["page"])
    assert page == [newer, older]
    html = response.content.decode()
    assert f'href="/me/inbox/{newer.pk}/"' in html
    assert f'href="/me/inbox/{theirs.pk}/"' not in html
    assert html.count("未读</span>") == 1
    assert "您有 1 条未读消息" in html
    assert "全部标为已读" in html


def test_someone_elses_message_is_not_found_and_stays_unread(client, applicant, other_applicant):
    theirs = deliver_to(other_applicant, "b1")
    client.force_login(applicant)
    response = client.get(reverse("notifications:message", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client.get("/me/inbox/999999/").status_code == 404


def test_opening_a_message_shows_it_and_marks_it_read(client, applicant):
    mine = deliver_to(applicant, "a1")
    client.force_login(applicant)
    response = client.get(reverse("notifications:message", args=[mine.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "失业保险金申领" in html
    assert "LZ2026000001" in html
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert selectors.inbox_unread_count(user=applicant) == 0


def test_message_text_is_escaped_on_the_page(client, applicant):
    services.outbox_enqueue(
        recipient=applicant,
        template="application_status",
        context={
            "tracking_number": "T1",
            "item_name": "<script>alert(1)</script>",
            "status_label": "已受理",
        },
        dedupe_key="xss",
        channels=["inbox"],
    )
    services.outbox_deliver_due()
    client.force_login(applicant)
    message = InboxMessage.objects.get()
    html = client.get(reverse("notifications:message", args=[message.pk])).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_mark_all_read_is_post_only_and_touches_only_ones_own(client, applicant, other_applicant):
    deliver_to(applicant, "a1")
    deliver_to(applicant, "a2")
    theirs = deliver_to(other_applicant, "b1")
    client.force_login(applicant)
    assert client.get(reverse("notifications:mark_all_read")).status_code == 405
    response = client.post(reverse("notifications:mark_all_read"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("notifications:inbox")
    assert "已将 2 条消息标为已读" in response.content.decode()
    assert selectors.inbox_unread_count(user=applicant) == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_inbox_is_paginated(client, applicant):
    for i in range(25):
        deliver_to(applicant, f"p{i}")
    client.force_login(applicant)
    first = client.get(reverse("notifications:inbox"))
    assert len(first.context["page"].object_list) == 20
    assert 'rel="next"' in first.content.decode()
    second = client.get(reverse("notifications:inbox"), {"page": 2})
    assert len(second.context["page"].object_list) == 5


def test_empty_inbox(client, applicant):
    client.force_login(applicant)
    html = client.get(reverse("notifications:inbox")).content.decode()
    assert "暂无消息" in html
    assert "全部标为已读" not in html


def test_selectors_give_nothing_to_anonymous_users(applicant):
    from django.contrib.auth.models import AnonymousUser

    deliver_to(applicant, "a1")
    assert selectors.inbox_for(user=AnonymousUser()).count() == 0
    assert selectors.inbox_unread_count(user=AnonymousUser()) == 0

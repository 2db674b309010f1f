"""The admin shows audit events and lets nobody add, change or delete them."""

from __future__ import annotations

import pytest

from onetrip.accounts.models import User
from onetrip.audit.models import AuditEvent
from onetrip.audit.services import audit_append

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(client):
    client.force_login(User.objects.create_superuser(username="root", password="x"))
    return client


def test_superuser_can_read_but_not_write(admin_client_):
    event = audit_append(
        actor=None,
        action="catalog.version.publish",
        target=("catalog.itemversion", "9"),
        summary="发布事项版本",
    )
    html = admin_client_.get("/admin/audit/auditevent/").content.decode()
    assert "catalog.version.publish" in html and "catalog.itemversion#9" in html
    assert "发布事项版本" in html
    assert admin_client_.get("/admin/audit/auditevent/add/").status_code == 403
    detail = admin_client_.get(f"/admin/audit/auditevent/{event.pk}/change/")
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    assert admin_client_.post(f"/admin/audit/auditevent/{event.pk}/change/", {}).status_code == 403
    assert admin_client_.get(f"/admin/audit/auditevent/{event.pk}/delete/").status_code == 403
    assert AuditEvent.objects.count() == 1


def test_search_and_filter(admin_client_):
    audit_append(actor=None, action="application.submit", target=("applications.application", "1"))
    audit_append(actor=None, action="application.accept", target=("applications.application", "1"))
    found = admin_client_.get("/admin/audit/auditevent/?q=accept").context["cl"].result_list
    assert [e.action for e in found] == ["application.accept"]
    r = admin_client_.get("/admin/audit/auditevent/?actor_kind__exact=system")
    assert r.status_code == 200

"""登记委托 at the window: recorded, audited, and then the agent may apply for the principal."""

from __future__ import annotations

import datetime as dt

import pytest

from onetrip.accounts.models import Authorisation
from onetrip.applications.selectors import principals_for_agent
from onetrip.applications.tests.factories import ID_A, ID_B, world
from onetrip.audit.models import AuditEvent

pytestmark = pytest.mark.django_db
URL = "/workbench/authorisations/new/"


@pytest.fixture
def w():
    return world()


def _form(**over):
    until = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    return {
        "agent_id_number": ID_A,
        "principal_kind": "person",
        "principal_id_number": ID_B,
        "item_codes": "",
        "valid_from": dt.date.today().isoformat(),
        "valid_until": until,
        "document_reference": "WT-2026-001",
        **over,
    }


def test_a_window_officer_records_a_grant_that_lets_the_agent_apply(client, w):
    client.force_login(w.window)
    page = client.get(URL)
    assert page.status_code == 200 and "距生效日期最长 5 年" in page.content.decode()
    response = client.post(URL, _form(item_codes=f"{w.item.code}"))
    assert response.status_code == 302
    grant = Authorisation.objects.get()
    assert grant.agent == w.person and grant.principal_person == w.other_user.person
    assert grant.item_codes == [w.item.code] and grant.created_by == w.window
    assert AuditEvent.objects.filter(
        action="accounts.authorisation.grant", object_id=str(grant.pk)
    ).exists()
    offered = principals_for_agent(user=w.user, item_code=w.item.code)
    assert [p["key"] for p in offered] == [f"p{w.other_user.person.pk}"]
    assert "data-recent-authorisations" in client.get(URL).content.decode()


@pytest.mark.parametrize(
    "over, field, text",
    [
        ({"agent_id_number": "110101199003070011"}, "agent_id_number", "受托人尚未登记"),
        ({"principal_id_number": ID_A}, "agent", "不能委托自己"),
        ({"item_codes": "NOPE-1"}, "item_codes", "NOPE-1"),
        ({"valid_until": ""}, "valid_until", "截止日期"),
        ({"valid_until": "2026-02-30"}, "valid_until", "格式"),
        ({"document_reference": "W" * 101}, "document_reference", "委托书编号最多 100 字"),
        ({"valid_until": "2000-01-01"}, "valid_until", "截止日期不能早于生效日期"),
        (
            {"valid_from": "2020-01-01", "valid_until": "2020-06-30"},
            "valid_until",
            "截止日期已过",
        ),
        ({"valid_until": "2099-01-01"}, "valid_until", "委托期限最长 5 年"),
        ({"valid_from": "9999-01-01", "valid_until": "9999-12-31"}, "valid_from", "生效日期过远"),
        (
            {"principal_kind": "enterprise", "principal_credit_code": "91620100MA7ABCDE3X"},
            "principal_credit_code",
            "委托单位尚未登记",
        ),
    ],
)
def test_bad_grants_say_why_and_record_nothing(client, w, over, field, text):
    client.force_login(w.window)
    response = client.post(URL, _form(**over))
    page = response.content.decode()
    assert response.status_code == 400 and text in page
    anchor = f"#authorisation-{field}" if field != "agent" else "#authorisation"
    assert f'href="{anchor}"' in page
    assert not Authorisation.objects.exists()
    assert not AuditEvent.objects.filter(action="accounts.authorisation.grant").exists()


def test_only_window_officers_record_grants(client, w):
    client.force_login(w.handler)
    assert client.get(URL).status_code in (403, 404)
    client.force_login(w.user)
    assert client.get(URL).status_code in (302, 403, 404)
    assert not Authorisation.objects.exists()


def test_a_grant_is_found_by_either_person_and_revoked_with_a_reason(client, w):
    client.force_login(w.window)
    client.post(URL, _form())
    grant = Authorisation.objects.get()
    page = client.get(URL, {"person": ID_B}).content.decode()
    assert f"/workbench/authorisations/{grant.pk}/revoke/" in page
    assert "data-recent-authorisations" in client.get(URL, {"person": ID_A}).content.decode()
    assert "没有找到" in client.get(URL, {"person": "110101199003070011"}).content.decode()
    revoke = f"/workbench/authorisations/{grant.pk}/revoke/"
    assert client.get(revoke).status_code == 405
    for reason in ("", "\u200b", "撤" * 301):  # a reason is needed, and it must fit
        client.post(revoke, {"reason": reason})
        grant.refresh_from_db()
        assert grant.revoked_at is None
    client.post(revoke, {"reason": "委托人书面撤回"})
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    event = AuditEvent.objects.get(action="accounts.authorisation.revoke")
    assert event.after == {"reason": "委托人书面撤回"}
    assert principals_for_agent(user=w.user, item_code=w.item.code) == []
    after = client.get(URL, {"person": ID_B}).content.decode()
    assert revoke not in after and "没有找到现行有效的委托" in after  # in force only
    client.force_login(w.handler)
    assert client.post(revoke, {"reason": "x"}).status_code in (403, 404)

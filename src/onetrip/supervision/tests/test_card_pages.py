"""Card pages: the list with its filters, one card, the finding and close forms."""

from __future__ import annotations

import pytest
import time_machine

from onetrip.supervision.models import Card, CardFinding
from onetrip.supervision.tests.scenario import at, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def s():
    return build()


@pytest.fixture(autouse=True)
def _friday():
    with time_machine.travel(at(6, 15), tick=False):
        yield


def _listed(client, query: str = "") -> set[str]:
    html = client.get(f"/supervision/cards/{query}").content.decode()
    return {
        c.application.tracking_number for c in Card.objects.all() if f'data-card="{c.pk}"' in html
    }


def test_card_list_filters_by_colour_state_officer_and_department(client, s):
    client.force_login(s.w.supervisor)
    assert _listed(client) == {s.a.tracking_number, s.d.tracking_number}
    assert _listed(client, "?colour=red") == {s.a.tracking_number}
    assert _listed(client, "?colour=yellow&state=open") == {s.d.tracking_number}
    assert _listed(client, "?state=closed") == set()
    assert _listed(client, "?kind=overdue") == {s.a.tracking_number}
    assert _listed(client, "?kind=near_deadline") == {s.d.tracking_number}
    assert _listed(client, "?kind=second_correction") == set()
    assert _listed(client, f"?officer={s.w.handler.pk}") == {
        s.a.tracking_number,
        s.d.tracking_number,
    }
    assert _listed(client, "?officer=none") == set()
    assert _listed(client, f"?department={s.jobs.pk}") == {s.a.tracking_number, s.d.tracking_number}
    # The administrator of the bureau sees both departments.
    client.force_login(s.other.supervisor)
    assert _listed(client) == {s.e.tracking_number}


def test_card_page_shows_application_deadline_officer_and_department(client, s):
    client.force_login(s.w.supervisor)
    card = s.a.cards.get()
    html = client.get(f"/supervision/cards/{card.pk}/").content.decode()
    assert s.a.tracking_number in html and f"/workbench/applications/{s.a.tracking_number}/" in html
    assert "2026-11-04" in html and "已超期 2 个工作日" in html
    assert "handler1" in html and s.jobs.name in html
    assert '<dd id="card-kind">超过承诺期限</dd>' in html
    assert "尚未记录监察意见" in html


def test_finding_then_close_through_the_forms(client, s):
    client.force_login(s.w.supervisor)
    card = s.a.cards.get()
    url = f"/supervision/cards/{card.pk}/"
    # Closing first is refused with the service's message, and the reason is kept.
    response = client.post(url + "close/", {"reason": "已办结"})
    assert response.status_code == 409
    body = response.content.decode()
    assert "请先记录监察意见，再关闭监察牌。" in body and ">已办结</textarea>" in body
    # An incomplete finding: the message and the user's input come back.
    response = client.post(url + "finding/", {"explanation": "承办人请假", "conclusion": " "})
    assert response.status_code == 400
    body = response.content.decode()
    assert "请写明情况说明和结论。" in body and ">承办人请假</textarea>" in body
    assert not CardFinding.objects.exists()
    response = client.post(
        url + "finding/",
        {"explanation": "承办人请假", "conclusion": "情有可原", "measures": "建立顶岗机制"},
    )
    assert response.status_code == 302
    html = client.get(url).content.decode()
    assert "监察意见已记录" in html and "建立顶岗机制" in html
    response = client.post(url + "close/", {"reason": "  "})
    assert "关闭监察牌须写明理由。" in response.content.decode()
    response = client.post(url + "close/", {"reason": "x" * 301})
    assert response.status_code == 400 and "不超过 300 字" in response.content.decode()
    assert client.post(url + "close/", {"reason": "已整改"}).status_code == 302
    card.refresh_from_db()
    assert card.closed_reason == "已整改" and card.closed_at is not None
    html = client.get(url).content.decode()
    assert "已关闭" in html and 'id="close-form"' not in html
    # Closing twice (a stale form) is a message, not a 500.
    response = client.post(url + "close/", {"reason": "再次关闭"})
    assert response.status_code == 409 and "这张监察牌已经关闭。" in response.content.decode()
    assert _listed(client, "?state=closed") == {s.a.tracking_number}


def test_forms_need_post_and_a_supervisor(client, s):
    card = s.a.cards.get()
    client.force_login(s.w.handler)
    assert client.post(f"/supervision/cards/{card.pk}/close/", {"reason": "x"}).status_code == 403
    client.force_login(s.w.supervisor)
    assert client.get(f"/supervision/cards/{card.pk}/close/").status_code == 405
    assert client.get("/supervision/cards/999999/").status_code == 404


def test_a_card_without_a_deadline_has_a_page_and_an_export_row(client, s):
    card = Card.objects.create(
        application=s.b,
        department=s.jobs,
        responsible=s.w.handler,
        colour=Card.Colour.RED,
        kind=Card.Kind.SECOND_CORRECTION,
        reason="再次要求补正",
    )
    client.force_login(s.w.supervisor)
    html = client.get(f"/supervision/cards/{card.pk}/").content.decode()
    assert "再次要求补正" in html and "时限</dt>" not in html
    response = client.get("/supervision/cards.xlsx?kind=second_correction")
    assert response.status_code == 200


def test_the_application_page_links_cards_for_supervisors_only(client, s):
    card = Card.objects.get(application=s.a)
    page = f"/workbench/applications/{s.a.tracking_number}/"
    client.force_login(s.w.supervisor)
    assert f'href="/supervision/cards/{card.pk}/"' in client.get(page).content.decode()
    client.force_login(s.w.handler)
    html = client.get(page).content.decode()
    assert 'data-card="overdue"' in html and "/supervision/cards/" not in html

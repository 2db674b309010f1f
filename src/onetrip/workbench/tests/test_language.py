"""The workbench in English: buttons say what they do, labels are translated, and switching
language after a refused step lands on a page that opens."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import timezone

from onetrip.applications import services
from onetrip.applications.tests.factories import photo_asked_again, submitted, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_action_buttons_name_the_step_to_take_and_the_history_the_step_taken(english):
    w = world()
    app = submitted(w)
    english.force_login(w.window)
    url = f"/workbench/applications/{app.tracking_number}/"
    page = english.get(url).content.decode()
    assert '<button class="button" type="submit">Accept</button>' in page
    assert ">Refuse</button>" in page and ">Accepted</button>" not in page
    assert "Online" in page and "网上申请" not in page  # the channel
    assert '<th scope="row">Bank' in page  # the field's English name from the catalogue
    done = english.post(url + "act/", {"action": "accept"}, follow=True).content.decode()
    assert "Done: Accepted." in done
    queue = english.get("/workbench/").content.decode()
    assert "已受理" not in queue and ">Accepted<" in queue
    assert '<option value="check">Checking</option>' in queue


def test_switching_language_after_a_refused_step_returns_to_the_application(english):
    w = world()
    app = submitted(w)
    english.force_login(w.window)
    url = f"/workbench/applications/{app.tracking_number}/"
    refused = english.post(
        url + "act/", {"action": "refuse"}, HTTP_REFERER=f"http://testserver{url}"
    )
    assert refused.status_code == 400
    page = refused.content.decode()
    assert f'name="next" type="hidden" value="http://testserver{url}"' in page
    back = english.post(
        "/i18n/setlang/", {"language": "zh-hans", "next": f"http://testserver{url}"}
    )
    assert back.status_code == 302 and english.get(back["Location"]).status_code == 200


def test_a_printed_notice_reads_in_english_with_english_dates(english):
    w = world()
    app = submitted(w)
    services.application_act(application=app, user=w.window, action="accept")
    notice = app.notices.get(kind="acceptance")
    english.force_login(w.user)
    page = english.get(f"/notices/{notice.number}/").content.decode()
    assert '<h1 id="doc-title" class="wb-doc-title">Acceptance notice</h1>' in page
    assert "年" not in page.split('class="wb-doc-sign"')[1].split("</div>")[0]
    day = timezone.localtime(notice.issued_at)
    assert f"<p>{day.day} {day:%B} {day.year}</p>" in page


def test_handing_in_a_correction_and_withdrawing_read_as_steps_in_english(english):
    w = world()
    app = photo_asked_again(w, submitted(w))
    english.force_login(w.window)
    url = f"/workbench/applications/{app.tracking_number}/"
    page = english.get(url).content.decode()
    assert ">Submit correction</button>" in page and "提交补正" not in page
    services.application_act(application=app, user=w.user, action="withdraw")
    english.force_login(w.supervisor)
    history = english.get(url).content.decode().split('id="history"')[1]
    assert "Application withdrawn" in history and "Withdraw application" not in history

"""What the workbench offers each officer agrees with what they may do: the queue lists only
what opens, the nav only pages that open, and actions the rules would refuse are not offered
but explained."""

from __future__ import annotations

import pytest

from onetrip.accounts.services import staff_role_grant
from onetrip.applications import services
from onetrip.applications.tests.factories import first_stage_passed, staff, submitted, world
from onetrip.catalog.models import Department

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return world()


def act(app, user, action, **kw):
    return services.application_act(application=app, user=user, action=action, **kw)


def _page(client, app) -> str:
    response = client.get(f"/workbench/applications/{app.tracking_number}/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_window_officer_queue_lists_only_what_they_can_open(client, w):
    # A window officer placed in the item's own department, who did not take these in.
    counter = staff("window2", w.item.department, "window")
    waiting, taken_in = submitted(w), submitted(w)
    act(taken_in, w.window, "accept")
    act(taken_in, w.handler, "start")
    client.force_login(counter)
    listed = client.get("/workbench/?page_size=100").content.decode()
    assert waiting.tracking_number in listed  # waits for intake at any window
    assert taken_in.tracking_number not in listed  # in review: the department's, not the counter's
    assert client.get(f"/workbench/applications/{taken_in.tracking_number}/").status_code == 404
    # The officer who accepted it still finds it and opens it.
    client.force_login(w.window)
    assert taken_in.tracking_number in client.get("/workbench/").content.decode()
    assert "已受理" in _page(client, taken_in)


def test_opinions_typed_on_acceptance_and_on_passing_a_stage_are_kept(client, w):
    app = submitted(w)
    act(app, w.window, "accept", reason="材料齐全，予以受理")
    act(app, w.handler, "start")
    act(app, w.handler, "pass_stage", reason="资格审核通过")
    steps = list(app.events.values_list("action", "note", "opinion"))
    assert ("accept", "已受理", "材料齐全，予以受理") in steps
    assert ("pass_stage", "承办通过", "资格审核通过") in steps
    client.force_login(w.checker)
    page = _page(client, app)
    assert "意见：材料齐全，予以受理" in page and "意见：资格审核通过" in page


def test_the_nav_shows_window_pages_to_window_officers_only(client, w):
    client.force_login(w.handler)
    page = client.get("/workbench/").content.decode()
    assert 'href="/workbench/intake/"' not in page and 'href="/workbench/supplements/"' not in page
    client.force_login(w.window)
    page = client.get("/workbench/").content.decode()
    assert 'href="/workbench/intake/"' in page and 'href="/workbench/supplements/"' in page


def test_staff_are_pointed_to_window_intake_instead_of_online_application(client, w):
    page = client.get(f"/items/{w.item.code}/").content.decode()
    assert f'href="/apply/{w.item.code}/"' in page
    client.force_login(w.handler)
    page = client.get(f"/items/{w.item.code}/").content.decode()
    assert f'href="/apply/{w.item.code}/"' not in page and "工作人员账号不能在线申请" in page
    # A window officer is taken to window intake for the item instead.
    client.force_login(w.window)
    page = client.get(f"/items/{w.item.code}/").content.decode()
    assert "在窗口为申请人受理该事项" in page
    response = client.get(f"/apply/{w.item.code}/")
    assert response.status_code == 302 and response["Location"].startswith("/workbench/intake/")


def test_a_decision_is_not_offered_to_whoever_handled_an_earlier_stage(client, w):
    for role in ("checker", "approver"):
        staff_role_grant(user=w.handler, department=w.item.department, role=role)
    app = first_stage_passed(w, w.handler)
    client.force_login(w.handler)
    page = _page(client, app)  # at 审核: the handler checks too, but not their own work
    assert 'id="act-pass_stage"' not in page and 'data-withheld="four_eyes"' in page
    assert "审批须由不同的工作人员完成" in page
    act(app, w.checker, "pass_stage")
    page = _page(client, app)
    assert 'id="act-approve"' not in page and 'id="act-deny"' not in page
    response = client.post(
        f"/workbench/applications/{app.tracking_number}/act/", {"action": "approve"}
    )
    page = response.content.decode()
    assert response.status_code == 403 and "无法进行该操作" in page and "请修改以下问题" not in page
    client.force_login(w.approver)
    page = _page(client, app)
    assert 'id="act-approve"' in page and "data-withheld" not in page
    assert Department.objects.filter(pk=app.department_id).exists()


def test_each_text_box_says_whether_the_applicant_will_read_it(client, w):
    app = submitted(w)
    client.force_login(w.window)
    page = _page(client, app)
    hint = 'id="act-{}-reason-hint">'
    internal = "意见只记入办理记录供工作人员查看，不告知申请人。"
    assert (hint.format("accept") + internal) in page
    assert (hint.format("request_correction") + "说明将写入补正通知书，并告知申请人。") in page
    act(app, w.window, "accept")
    act(app, w.handler, "start")
    act(app, w.handler, "pass_stage")
    act(app, w.checker, "pass_stage")
    client.force_login(w.approver)
    page = _page(client, app)
    assert (hint.format("approve") + "说明将写入准予办理决定书，并告知申请人。") in page
    assert (hint.format("pause") + "所填内容将告知申请人。") in page
    assert 'aria-describedby="act-approve-reason-hint"' in page

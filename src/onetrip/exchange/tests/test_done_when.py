"""The issue's "done when", on the shipped catalogue and the demo accounts: 张三 claims
失业保险金 online and brings nothing the bureau or 公安 already hold."""

from __future__ import annotations

import re
import socket

import pytest
from django.conf import settings
from django.core.management import call_command
from rest_framework.test import APIClient

from onetrip.accounts.models import User
from onetrip.applications.models import Application, ApplicationMaterial
from onetrip.applications.tests.factories import png
from onetrip.applications.workflow import Status
from onetrip.catalog.models import Item
from onetrip.core.demo import demo_accounts_ensure
from onetrip.exchange.models import DataUse, Evidence, MaterialEvidence
from onetrip.exchange.selectors import materials_exempt

pytestmark = pytest.mark.django_db
S = ApplicationMaterial.State
FROM_REGISTRIES = [
    "id-card",
    "termination",
    "unemployment-registration",
    "contribution-record",
    "bank-account",
]


@pytest.fixture
def shipped():
    call_command("load_catalogue", verbosity=0)
    demo_accounts_ensure()
    item = Item.objects.get(current_version__name="失业保险金申领")
    return {
        "item": item,
        "zhang": User.objects.get(username="demo-13800000001"),
        "li": User.objects.get(username="demo-13800000002"),
        "handler": User.objects.get(username="handler"),
    }


def start(client, item) -> tuple[int, str]:
    r = client.post(f"/apply/{item.code}/", {})
    assert r.status_code == 302 and r["Location"].endswith("/sharing/")
    return int(re.search(r"/drafts/(\d+)/", r["Location"]).group(1)), r["Location"]


def fill_rest(client, pk):
    """What only the applicant can say; the registry fields are posted as shown (read-only)."""
    page = client.get(f"/drafts/{pk}/fields/").content.decode()
    posted = dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', page))
    posted.pop("csrfmiddlewaretoken", None)
    posted.update({"seeking_work": "true", "notify_by": "sms"})
    return client.post(f"/drafts/{pk}/fields/", posted)


def test_zhang_san_claims_unemployment_benefit_bringing_nothing_they_hold(client, shipped):
    client.force_login(shipped["zhang"])
    pk, sharing = start(client, shipped["item"])
    page = client.get(sharing).content.decode()
    # What is fetched, from whom and why — before anything is fetched. The holder is the one
    # the item page publishes; the registry that answers for it is named beside it.
    ask_id = page.split('id="ask-id-card"')[1].split("</section>")[0]
    assert "兰州市公安局" in ask_id and "公安部门（人口信息库）" in ask_id
    item_page = client.get(f"/items/{shipped['item'].code}/").content.decode()
    assert "由兰州市公安局通过数据共享提供" in item_page
    assert "人力资源和社会保障部门" in page
    assert "办理“失业保险金申领”" in page and "累计缴费月数" in page
    assert Evidence.objects.count() == 0
    codes = re.findall(r'name="codes" value="([^"]+)"', page)
    assert sorted(codes) == sorted(FROM_REGISTRIES)
    client.post(sharing, {"action": "obtain", "codes": codes})
    page = client.get(sharing).content.decode()
    # The preview: his own data, before it is used.
    assert "兰州恒达机械制造有限公司" in page and "2026-09-30" in page
    assert "劳动合同期满终止" in page and "62010219850312003X" in page
    states = dict(Application.objects.get(pk=pk).materials.values_list("code", "state"))
    assert all(states[c] == S.MISSING for c in FROM_REGISTRIES)  # nothing used before he agrees
    assert states["application-form"] == S.FORM  # the form he fills in online
    r = client.post(sharing, {"action": "use"})
    assert r["Location"] == f"/drafts/{pk}/fields/"
    page = client.get(r["Location"]).content.decode()
    assert 'value="兰州恒达机械制造有限公司"' in page and "readonly" in page
    assert "来自人力资源和社会保障部门" in page
    assert fill_rest(client, pk).status_code == 302
    page = client.get(f"/drafts/{pk}/materials/").content.decode()
    # What was fetched needs nothing more: uploading instead is offered, folded away.
    for code in FROM_REGISTRIES:
        section = page.split(f'id="m-{code}"')[1].split("</section>")[0]
        assert "无需上传" in section
        assert section.index('class="upload-instead"') < section.index('id="file-')
    # The application form is the one just filled in: nothing to print, sign and scan.
    form_section = page.split('id="m-application-form"')[1].split("</section>")[0]
    assert "data-online-form" in form_section and 'id="file-application-form"' not in form_section
    r = client.post(
        f"/drafts/{pk}/materials/",
        {"code": "application-form", "choice": "upload", "file": png("form.png")},
    )
    assert r.status_code == 400 and "无需上传" in r.content.decode()
    r = client.post(f"/drafts/{pk}/check/", {"token": f"t-{pk}", "delivery_method": "electronic"})
    app = Application.objects.get(pk=pk)
    assert app.status == Status.SUBMITTED, r.content.decode()[:2000]
    states = dict(app.materials.values_list("code", "state"))
    assert all(states[c] == S.SHARED for c in FROM_REGISTRIES)
    assert app.data["last_employer"] == "兰州恒达机械制造有限公司"
    assert app.data["leave_reason"] == "contract-expired"
    # 材料免提交率 counts what sharing, e-licences or commitments spared (the form is answered).
    assert materials_exempt(application=app) == {
        "required": 6,
        "resolved": 5,
        "rate": 0.8333,
        "answered": 1,  # the form: filled in, not spared
    }

    # The officer sees verified evidence inline, not an upload; the view is logged.
    officer = APIClient()
    officer.force_login(shipped["handler"])
    page = officer.get(f"/workbench/applications/{app.tracking_number}/").content.decode()
    assert page.count('data-evidence-verified="true"') == len(FROM_REGISTRIES)
    assert "已核验：来源签名有效" in page and "62010219850312003X" not in page  # masked
    assert "免于申请人提交的材料：5 / 6" in page
    officer.get(f"/workbench/applications/{app.tracking_number}/")  # a reload is not a new use

    # 谁使用了我的数据: each fetch and the officer's views, complete.
    uses = DataUse.objects.filter(person=shipped["zhang"].person)
    fetches = uses.filter(kind=DataUse.Kind.FETCH)
    assert fetches.count() == len(FROM_REGISTRIES) == Evidence.objects.count()
    assert set(fetches.values_list("request_id", flat=True)) == set(
        Evidence.objects.values_list("request_id", flat=True)
    )
    assert uses.filter(kind=DataUse.Kind.VIEW, actor=shipped["handler"]).count() == len(
        FROM_REGISTRIES
    )
    page = client.get("/me/data-use/").content.decode()
    assert page.count('data-kind="fetch"') == len(FROM_REGISTRIES)
    assert page.count('data-kind="view"') == len(FROM_REGISTRIES)
    assert "承办人员" in page and "社会保险缴费记录" in page and app.tracking_number in page
    api = APIClient()
    api.force_login(shipped["zhang"])
    mine = api.get("/api/v1/me/data-use/").json()
    assert {u["kind"] for u in mine} == {"fetch", "view"}
    evidence = api.get(f"/api/v1/applications/{pk}/evidence/").json()
    assert {e["material"] for e in evidence if e["verified"]} == set(FROM_REGISTRIES)

    # Someone else sees none of it.
    other = APIClient()
    other.force_login(shipped["li"])
    one = Evidence.objects.first()
    assert other.get(f"/me/evidence/{one.pk}/").status_code == 404
    assert other.get(f"/api/v1/applications/{pk}/evidence/").status_code == 404
    assert other.get("/api/v1/me/data-use/").json() == []
    assert "data-kind=" not in other.get("/me/data-use/").content.decode()
    assert client.get(f"/me/evidence/{one.pk}/").status_code == 200

    # In English, what was done, by whom and with which data reads in English too.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get("/me/data-use/").content.decode()
    assert "Fetched from a department" in english and "Viewed by staff" in english
    assert "Handler" in english and "Social insurance contributions" in english
    assert "从部门获取" not in english and "承办人员" not in english
    evidence_page = client.get(f"/me/evidence/{one.pk}/").content.decode()
    assert "部门（" not in evidence_page  # the registry's name
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]

    # The scoreboard shows the measured rate beside the promised one.
    stats = client.get("/stats/").content.decode()
    assert "材料免提交率（实测）" in stats and "83.3%" in stats


def test_with_the_sandbox_stopped_the_same_application_goes_through_by_upload(
    client, shipped, settings
):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    settings.ONETRIP_EXCHANGE_URL = f"http://127.0.0.1:{s.getsockname()[1]}"
    s.close()
    client.force_login(shipped["zhang"])
    pk, sharing = start(client, shipped["item"])
    page = client.get(sharing).content.decode()
    codes = re.findall(r'name="codes" value="([^"]+)"', page)
    client.post(sharing, {"action": "obtain", "codes": codes})
    page = client.get(sharing).content.decode()
    assert "暂时无法提供数据（无法连接）" in page and "不影响您继续办理" in page
    assert Evidence.objects.count() == 0
    page = client.get(f"/drafts/{pk}/fields/").content.decode()
    assert "readonly" not in page.split('id="last_employer"')[1][:300]
    r = client.post(
        f"/drafts/{pk}/fields/",
        {
            "applicant_name": "张三",
            "id_number": "62010219850312003X",
            "phone": "13800000001",
            "last_employer": "兰州恒达机械制造有限公司",
            "end_date": "2026-09-30",
            "leave_reason": "contract-expired",
            "bank_account": "6212261985031200307",
            "seeking_work": "true",
            "notify_by": "sms",
        },
    )
    assert r.status_code == 302
    page = client.get(f"/drafts/{pk}/materials/").content.decode()
    assert "无法连接" in page
    app = Application.objects.get(pk=pk)
    for m in app.materials.exclude(state=S.FORM):
        client.post(
            f"/drafts/{pk}/materials/",
            {"code": m.code, "choice": "upload", "file": png(f"{m.code}.png")},
        )
    client.post(f"/drafts/{pk}/check/", {"token": f"t-{pk}", "delivery_method": "electronic"})
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED
    assert set(app.materials.values_list("state", flat=True)) == {S.UPLOADED, S.FORM}
    assert MaterialEvidence.objects.filter(application=app, state="failed").count() == len(codes)
    assert materials_exempt(application=app)["resolved"] == 0


def test_prefill_cannot_be_forged_through_the_api(shipped):
    api = APIClient()
    api.force_login(shipped["zhang"])
    pk = api.post("/api/v1/applications/", {"item": shipped["item"].code}, format="json").json()[
        "id"
    ]
    r = api.post(
        f"/api/v1/applications/{pk}/materials/termination/", {"state": "shared"}, format="json"
    )
    assert r.status_code == 200
    forged = api.patch(
        f"/api/v1/applications/{pk}/fields/",
        {"data": {"last_employer": "某某科技有限公司"}},
        format="json",
    )
    assert forged.status_code == 400
    problem = forged.json()
    assert any(
        e["field"] == "last_employer" and "不能修改" in e["message"] for e in problem["errors"]
    )
    assert Application.objects.get(pk=pk).data["last_employer"] == "兰州恒达机械制造有限公司"
    # The name is the real-name record's, never typed over either.
    assert (
        api.patch(
            f"/api/v1/applications/{pk}/fields/",
            {"data": {"applicant_name": "李四"}},
            format="json",
        ).status_code
        == 400
    )
    # Upload the termination proof instead: the field is then the applicant's own statement.
    api.post(
        f"/api/v1/applications/{pk}/materials/termination/", {"file": png()}, format="multipart"
    )
    ok = api.patch(
        f"/api/v1/applications/{pk}/fields/",
        {"data": {"last_employer": "某某科技有限公司"}},
        format="json",
    )
    assert ok.status_code == 200
    assert MaterialEvidence.objects.get(application_id=pk).state == "declined"

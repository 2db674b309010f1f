"""The item's own application form (source 在线填报) is the form answered online: nothing to
print, sign, scan or upload, and a correction asks for its fields, not for a new file."""

from __future__ import annotations

import copy

import pytest

from onetrip.applications import services
from onetrip.applications.models import ApplicationMaterial, StoredFile
from onetrip.applications.tests.factories import complete_draft, png, world
from onetrip.applications.workflow import Status
from onetrip.catalog.tests.factories import item_doc, online_form_material

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    materials = [*copy.deepcopy(item_doc()["materials"]), online_form_material()]
    return world(materials=materials)


def test_the_form_counts_as_given_once_its_fields_are_answered(w):
    draft = complete_draft(w)
    form = draft.materials.get(code="application-form")
    assert form.state == ApplicationMaterial.State.FORM and form.file is None
    app = services.application_submit(application=draft, user=w.user).application
    assert app.status == Status.SUBMITTED
    assert not StoredFile.objects.filter(uploaded_by=w.user, original_name="form.png").exists()


@pytest.mark.parametrize("how", ["upload", "deficient", "original_checked", "missing"])
def test_the_form_cannot_be_replaced_by_a_file_or_another_way(w, how):
    draft = complete_draft(w)
    files = StoredFile.objects.count()
    with pytest.raises(services.ApplicationError) as refused:
        if how == "upload":
            services.material_upload(
                application=draft, user=w.user, code="application-form", upload=png("form.png")
            )
        else:
            services.material_choose(
                application=draft, user=w.user, code="application-form", state=how
            )
    assert refused.value.code == "online_form" and refused.value.field == "application-form"
    assert "无需上传" in refused.value.message
    assert StoredFile.objects.count() == files
    assert draft.materials.get(code="application-form").state == ApplicationMaterial.State.FORM


def test_a_correction_names_the_forms_fields_not_the_form(w):
    app = services.application_submit(application=complete_draft(w), user=w.user).application
    with pytest.raises(services.ApplicationError) as refused:
        services.application_act(
            application=app,
            user=w.window,
            action="request_correction",
            reason="登记表有误",
            items=[{"code": "application-form"}],
        )
    assert refused.value.code == "online_form" and "需要修改的内容" in refused.value.message
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED and not app.notices.exists()
    services.application_act(
        application=app,
        user=w.window,
        action="request_correction",
        reason="登记表有误",
        items=[{"code": "bank", "reason": "该银行不发卡"}],
    )
    app.refresh_from_db()
    assert app.status == Status.CORRECTION
    assert app.materials.get(code="application-form").state == ApplicationMaterial.State.FORM


def test_the_workbench_offers_no_file_for_the_form(client, w):
    app = services.application_submit(application=complete_draft(w), user=w.user).application
    client.force_login(w.window)
    page = client.get(f"/workbench/applications/{app.tracking_number}/").content.decode()
    assert 'value="application-form"' not in page  # not offered for correction as a file
    assert 'value="bank"' in page


def test_the_guide_says_the_form_is_filled_in_online(client, w):
    page = client.get(f"/items/{w.item.code}/").content.decode()
    assert "在线填写申请表即可，提交即签名" in page

"""Catalogue services: create, draft, publish, immutability, scoping."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from onetrip.catalog import services
from onetrip.catalog.documents import item_document
from onetrip.catalog.models import ItemVersion, Material
from onetrip.catalog.tests.factories import catalogue_staff, item_doc, item_publish

pytestmark = pytest.mark.django_db


def test_publish_freezes_version_and_makes_it_current(departments):
    item = services.item_create(data=item_doc(), user=None)
    draft = item.versions.get()
    assert draft.status == "draft"
    services.item_version_publish(version=draft, user=None)
    item.refresh_from_db()
    assert item.current_version.number == 1
    assert item.current_version.is_frozen
    assert len(item.current_version.content_digest) == 64


def test_publish_refuses_and_lists_every_violation(departments):
    doc = item_doc(
        visits_required=2,
        visits_reason="",
        online_depth=4,
        consult_phone="0931-12345",
        complaint_phone="0931 12345",
    )
    item = services.item_create(data=doc, user=None)
    with pytest.raises(services.QualityError) as caught:
        services.item_version_publish(version=item.versions.get(), user=None)
    codes = {v.code for v in caught.value.violations}
    assert {"visits_reason_missing", "full_online_with_visits", "same_phones"} <= codes
    item.refresh_from_db()
    assert item.current_version is None
    assert item.versions.get().status == "draft"


def test_published_version_cannot_be_rewritten(departments):
    item = item_publish()
    version = item.current_version
    with pytest.raises(services.CatalogError):
        services._write_content(version, item_doc(name="改过的名称"))
    version.refresh_from_db()
    assert version.name == "社会保障卡申领"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE catalog_itemversion SET name = 'x' WHERE id = {version}",
        "UPDATE catalog_material SET name = 'x' WHERE version_id = {version}",
        'INSERT INTO catalog_faq (version_id, question, answer, "order") '
        "VALUES ({version}, 'q', 'a', 9)",
        "UPDATE catalog_formfield SET label = 'x' WHERE version_id = {version}",
        "UPDATE catalog_reviewstage SET name = 'x' WHERE version_id = {version}",
        "UPDATE catalog_itemversion SET remedy = 'x' WHERE id = {version}",
    ],
)
def test_database_refuses_raw_edits_of_published_versions(departments, statement):
    item = item_publish()
    version = item.current_version_id
    with (
        pytest.raises((IntegrityError, DatabaseError)),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement.format(version=version))
    assert ItemVersion.objects.get(pk=version).name == "社会保障卡申领"
    assert not Material.objects.filter(version_id=version, name="x").exists()


def test_new_draft_copies_current_and_publishing_it_keeps_history(departments):
    item = item_publish()
    draft = services.item_draft_from_version(item=item, user=None)
    assert draft.number == 2
    assert (
        item_document(item, draft)["materials"]
        == item_document(item, item.current_version)["materials"]
    )
    doc = item_doc(name="社会保障卡申领（新）", promised_limit=1)
    doc.pop("code")
    services.item_draft_save(item=item, data=doc, user=None)
    services.item_version_publish(version=item.versions.get(number=2), user=None)
    item.refresh_from_db()
    assert item.current_version.number == 2
    assert item.versions.get(number=1).name == "社会保障卡申领"


def test_only_one_draft_at_a_time(departments):
    item = item_publish()
    services.item_draft_from_version(item=item, user=None)
    with pytest.raises(services.CatalogError) as caught:
        services.item_draft_from_version(item=item, user=None)
    assert caught.value.code == "draft_exists"


def test_catalogue_staff_are_limited_to_their_department(departments):
    jobs_staff = catalogue_staff("jobs")
    insurance_item = item_publish(department="insurance")
    with pytest.raises(services.CatalogError) as caught:
        services.item_draft_from_version(item=insurance_item, user=jobs_staff)
    assert caught.value.code == "forbidden"
    jobs_item = item_publish(department="jobs")
    assert services.item_draft_from_version(item=jobs_item, user=jobs_staff).number == 2


def test_bureau_role_covers_its_units(departments):
    bureau_staff = catalogue_staff("bureau")
    item = item_publish(department="insurance")
    assert services.item_draft_from_version(item=item, user=bureau_staff).number == 2


def test_search_text_has_pinyin_initials(departments):
    item = item_publish()
    assert "shbzksl" in item.search_text
    assert "sbk" in item.search_text
    assert "social security card application" in item.search_text


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM catalog_material WHERE version_id = {version}",
        "DELETE FROM catalog_formfield WHERE version_id = {version}",
        "DELETE FROM catalog_itemversion WHERE id = {version}",
        "DELETE FROM catalog_itemversion_co_departments WHERE itemversion_id = {version}",
    ],
)
def test_database_refuses_deleting_published_content(departments, statement):
    item = item_publish()
    version = item.current_version_id
    with (
        pytest.raises((IntegrityError, DatabaseError)),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement.format(version=version))
    assert Material.objects.filter(version_id=version).count() == 3


def test_orm_cannot_delete_published_content_either(departments):
    item = item_publish()
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        item.current_version.materials.first().delete()
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        item.delete()
    assert item.current_version.materials.count() == 3


def test_drafts_can_still_be_discarded(departments):
    item = item_publish()
    services.item_draft_from_version(item=item, user=None)
    services.item_draft_discard(item=item, user=None)
    assert item.versions.count() == 1


def test_publishing_is_audited_in_the_chain(departments):
    from onetrip.audit.selectors import audit_chain_verify, audit_events_for

    item = item_publish()
    events = list(audit_events_for(target=item.current_version))
    assert [e.action for e in events] == ["catalog.version.publish"]
    assert events[0].after["content_digest"] == item.current_version.content_digest
    assert audit_chain_verify().ok


def test_a_version_published_before_a_key_was_added_keeps_its_digest(departments):
    """``remedy`` and a form field's ``date_bound`` came after versions were published: left
    empty, the digest is the one those versions were published with (their documents had no
    such keys); set, they count."""
    from onetrip.catalog.documents import content_digest, item_document

    item = item_publish()
    version = item.current_version
    doc = item_document(item, version)
    assert doc["remedy"] == "" and all(f["date_bound"] == "" for f in doc["form_fields"])
    before = {k: v for k, v in doc.items() if k != "remedy"}
    before["form_fields"] = [
        {k: v for k, v in f.items() if k != "date_bound"} for f in doc["form_fields"]
    ]
    assert content_digest(before) == content_digest(doc) == version.content_digest
    bounded = {**doc, "form_fields": [{**doc["form_fields"][0], "date_bound": "past"}]}
    assert content_digest(bounded) != content_digest({**doc, "form_fields": doc["form_fields"][:1]})

"""A small world for application tests: an item, an applicant and staff in every role."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile

from onetrip.accounts import services as accounts
from onetrip.accounts.models import Person, User
from onetrip.applications import services
from onetrip.applications.models import Application, ApplicationMaterial
from onetrip.catalog.models import Department, Item
from onetrip.catalog.tests.factories import departments_create, item_doc, item_publish

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00"
    b"\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

ID_A = "110101199003074514"
ID_B = "11010119900307109X"


def png(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def staff(username: str, department: Department, *roles: str) -> User:
    user = User.objects.create_user(username, password="pass-word-123", display_name=username)
    for role in roles:
        accounts.staff_role_grant(user=user, department=department, role=role)
    return user


def applicant(phone: str, id_number: str, name: str) -> tuple[User, Person]:
    user = User(username=f"p{phone}")
    user.set_phone(phone)
    user.set_unusable_password()
    user.save()
    person = accounts.person_register(real_name=name, id_number=id_number, phone=phone, user=user)
    return user, person


@dataclass
class World:
    item: Item
    user: User
    person: Person
    other_user: User
    window: User
    handler: User
    checker: User
    approver: User
    supervisor: User
    outsider: User  # a handler in another department


STAGES = [
    {"code": "handle", "name": "承办", "limit": 1},
    {"code": "check", "name": "审核", "limit": 1},
    {"code": "approve", "name": "批准", "limit": None},
]


def world(**item_overrides) -> World:
    deps = departments_create()
    overrides = {"stages": STAGES, **item_overrides}
    item = item_publish(**overrides)
    user, person = applicant("13900000001", ID_A, "张三")
    other_user, _ = applicant("13900000002", ID_B, "李四")
    jobs = deps["jobs"]
    return World(
        item=item,
        user=user,
        person=person,
        other_user=other_user,
        window=staff("window1", deps["bureau"], "window"),
        handler=staff("handler1", jobs, "handler"),
        checker=staff("checker1", jobs, "checker"),
        approver=staff("approver1", jobs, "approver"),
        supervisor=staff("supervisor1", jobs, "supervisor"),
        outsider=staff("handler2", deps["insurance"], "handler"),
    )


def complete_draft(w: World, situation: str = "first") -> Application:
    """A draft with every field and material in order."""
    app = services.draft_create(user=w.user, item=w.item, situation=situation)
    services.draft_save_fields(
        application=app, user=w.user, data={"name": "张三", "bank": "icbc", "copies": 1}
    )
    for m in app.materials.exclude(state=ApplicationMaterial.State.FORM):  # the form: answered
        if m.code == "id-card":
            services.material_choose(application=app, user=w.user, code=m.code, state="shared")
        elif m.code == "loss-statement":
            services.material_choose(application=app, user=w.user, code=m.code, state="commitment")
        else:
            services.material_upload(application=app, user=w.user, code=m.code, upload=png())
    return app


def submitted_with_photo_to_follow(w: World) -> Application:
    """Submitted with every key material; the photo (not key) to follow after 容缺受理."""
    draft = services.draft_create(user=w.user, item=w.item, situation="first")
    services.draft_save_fields(application=draft, user=w.user, data={"name": "张三", "bank": "boc"})
    services.material_choose(application=draft, user=w.user, code="id-card", state="shared")
    services.material_choose(application=draft, user=w.user, code="photo", state="deficient")
    return services.application_submit(application=draft, user=w.user).application


def submitted(w: World) -> Application:
    return services.application_submit(application=complete_draft(w), user=w.user).application


def first_stage_passed(w: World, handler: User) -> Application:
    """Submitted, accepted at the window, and taken through the first review stage by
    ``handler``: it waits at the second (审核)."""
    app = submitted(w)
    services.application_act(application=app, user=w.window, action="accept")
    services.application_act(application=app, user=handler, action="start")
    services.application_act(application=app, user=handler, action="pass_stage")
    return app


def photo_asked_again(w: World, app: Application) -> Application:
    """The window's one correction notice for ``app``: the photo, unclear; re-read."""
    services.application_act(
        application=app,
        user=w.window,
        action="request_correction",
        reason="照片不清晰",
        items=[{"code": "photo", "reason": "照片不清晰"}],
    )
    app.refresh_from_db()
    return app


def bank_questioned(w: World, **answers) -> Application:
    """Submitted (with ``answers`` added to the complete draft's), then the window's one
    correction notice questioning only the answer 发卡银行 (field ``bank``, answered ``icbc``)."""
    draft = complete_draft(w)
    if answers:
        services.draft_save_fields(application=draft, user=w.user, data=answers)
    return services.application_act(
        application=services.application_submit(application=draft, user=w.user).application,
        user=w.window,
        action="request_correction",
        reason="请核对发卡银行",
        items=[{"code": "bank", "reason": "请核对发卡银行"}],
    )


SHIPPED_PENSION = "城乡居民基本养老保险参保登记"


def shipped_submitted(user: User) -> Application:
    """The shipped catalogue's 城乡居民基本养老保险参保登记 (load the catalogue first), applied
    for by ``user`` (a registered person) with every material uploaded but the form answered
    online, and submitted."""
    item = Item.objects.get(current_version__name=SHIPPED_PENSION)
    app = services.draft_create(user=user, item=item)
    answers = {
        "household_type": "urban",
        "household_address": "兰州市城关区庆阳路 1 号",
        "annual_contribution": "300",
        "hardship_group": "none",
    }
    services.draft_save_fields(application=app, user=user, data={**app.data, **answers})
    for m in app.materials.exclude(state=ApplicationMaterial.State.FORM):
        services.material_upload(application=app, user=user, code=m.code, upload=png())
    return services.application_submit(application=app, user=user).application


__all__ = ["PDF", "PNG", "item_doc"]

"""Valid catalogue documents and objects for tests."""

from __future__ import annotations

import copy
import itertools
from typing import Any

import factory

from onetrip.accounts.models import User
from onetrip.accounts.services import staff_role_grant
from onetrip.catalog import services
from onetrip.catalog.models import Department, Item

_seq = itertools.count(1)

DEPARTMENTS: list[dict[str, Any]] = [
    {
        "code": "bureau",
        "name": "测试市人力资源和社会保障局",
        "short_name": "市人社局",
        "credit_code": "116201000139240626",
        "parent": "",
        "role": "service",
        "order": 1,
    },
    {
        "code": "jobs",
        "name": "测试市就业服务中心",
        "short_name": "就业中心",
        "parent": "bureau",
        "role": "service",
        "order": 2,
    },
    {
        "code": "insurance",
        "name": "测试市社会保险事业管理中心",
        "short_name": "社保中心",
        "parent": "bureau",
        "role": "service",
        "order": 3,
    },
    {
        "code": "police",
        "name": "测试市公安局",
        "short_name": "公安局",
        "parent": "",
        "role": "data_owner",
        "order": 10,
    },
]


def item_doc(**overrides: Any) -> dict[str, Any]:
    """An item document that passes every quality rule."""
    n = next(_seq)
    doc: dict[str, Any] = {
        "code": f"TEST-{n:04d}",
        "catalog_code": f"0001170{n:05d}",
        "department": "jobs",
        "order": n,
        "name": "社会保障卡申领",
        "name_en": "Social security card application",
        "summary": "首次申领社会保障卡。",
        "handling_item": "",
        "kind": "public_service",
        "keywords": "社保卡 办卡",
        "serves_persons": True,
        "serves_enterprises": False,
        "co_departments": ["police"],
        "handling_type": "promised",
        "legal_limit": 10,
        "legal_limit_unit": "working",
        "legal_limit_note": "",
        "promised_limit": 2,
        "promised_limit_unit": "working",
        "promised_limit_note": "",
        "visits_required": 0,
        "visits_reason": "",
        "online_available": True,
        "online_depth": 4,
        "supports_post_delivery": True,
        "accepts_post_application": False,
        "supports_appointment": True,
        "supports_online_payment": False,
        "conditions": "参加本市社会保险的人员。",
        "legal_basis": "《中华人民共和国社会保险法》",
        "process_steps": "网上申请\n审核\n制卡\n邮寄送达",
        "handling_place": "市政务服务中心",
        "handling_hours": "工作日 9:00-17:00",
        "consult_phone": "0931-12333",
        "complaint_phone": "0931-12345",
        "fee_charged": False,
        "fee_note": "",
        "result_type": "certificate",
        "result_name": "社会保障卡",
        "result_sample": "社会保障卡正反面样式",
        "fees": [],
        "situations": [
            {"code": "first", "name": "首次申领", "description": ""},
            {"code": "replace", "name": "补领", "description": "卡片遗失"},
        ],
        "materials": [
            {
                "code": "id-card",
                "name": "居民身份证",
                "material_type": "original",
                "material_form": "both",
                "copies": 1,
                "necessity": "required",
                "condition": "",
                "is_key": True,
                "deficiency_allowed": False,
                "source": "shared",
                "source_department": "police",
                "evidence_type": "identity",
                "situations": [],
                "notes": "",
                "legal_basis": "",
                "blank_form": "",
                "sample": "",
            },
            {
                "code": "photo",
                "name": "近期免冠照片",
                "material_type": "electronic",
                "material_form": "electronic",
                "copies": 1,
                "necessity": "required",
                "condition": "",
                "is_key": False,
                "deficiency_allowed": True,
                "source": "applicant",
                "source_department": "",
                "evidence_type": "",
                "situations": ["first"],
                "notes": "白底证件照",
                "legal_basis": "",
                "blank_form": "",
                "sample": "",
            },
            {
                "code": "loss-statement",
                "name": "挂失声明",
                "material_type": "original",
                "material_form": "paper",
                "copies": 1,
                "necessity": "conditional",
                "condition": "卡片遗失时",
                "is_key": False,
                "deficiency_allowed": False,
                "source": "commitment",
                "source_department": "",
                "evidence_type": "",
                "situations": ["replace"],
                "notes": "",
                "legal_basis": "",
                "blank_form": "",
                "sample": "",
            },
        ],
        "faqs": [{"question": "多久能拿到卡？", "answer": "2 个工作日内制卡并寄出。"}],
        "form_fields": [
            {
                "code": "name",
                "label": "姓名",
                "label_en": "Name",
                "field_type": "text",
                "required": True,
                "choices": [],
                "situations": [],
                "help_text": "",
                "min_value": None,
                "max_value": None,
                "max_length": 30,
                "prefill": "identity.name",
            },
            {
                "code": "bank",
                "label": "发卡银行",
                "label_en": "Bank",
                "field_type": "choice",
                "required": True,
                "choices": [
                    {"value": "icbc", "label": "工商银行"},
                    {"value": "boc", "label": "中国银行"},
                ],
                "situations": ["first"],
                "help_text": "",
                "min_value": None,
                "max_value": None,
                "max_length": None,
                "prefill": "",
            },
            {
                "code": "copies",
                "label": "申领张数",
                "label_en": "",
                "field_type": "integer",
                "required": False,
                "choices": [],
                "situations": [],
                "help_text": "通常为 1",
                "min_value": 1,
                "max_value": 2.5,
                "max_length": None,
                "prefill": "",
            },
        ],
        "stages": [
            {"code": "handle", "name": "承办", "limit": 1},
            {"code": "approve", "name": "批准", "limit": None},
        ],
    }
    for key, value in overrides.items():
        doc[key] = value
    return copy.deepcopy(doc)


def departments_create() -> dict[str, Department]:
    for d in DEPARTMENTS:
        services.department_upsert(data=dict(d))
    return {d.code: d for d in Department.objects.all()}


def delivery_fields(*, fills: bool = False) -> list[dict[str, Any]]:
    """The item form's own delivery question and the address it needs when posting (the way
    社会保障卡申领 asks them); with ``fills`` the answers are the application's delivery."""
    base = {**item_doc()["form_fields"][0], "prefill": "", "situations": []}
    return [
        {
            **base,
            "code": "delivery",
            "label": "领卡方式",
            "field_type": "choice",
            "choices": [
                {"value": "post", "label": "邮寄到家"},
                {"value": "pickup", "label": "网点自取"},
            ],
            "fills": "delivery_method" if fills else "",
        },
        {
            **base,
            "code": "mail_address",
            "label": "邮寄地址",
            "field_type": "textarea",
            "required_if": "delivery=post",
            "fills": "delivery_address" if fills else "",
        },
    ]


def item_publish(**overrides: Any) -> Item:
    """A published item (departments must exist)."""
    item = services.item_create(data=item_doc(**overrides), user=None)
    services.item_version_publish(version=item.versions.get(), user=None)
    item.refresh_from_db()
    return item


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "pass-word-123")


def catalogue_staff(department_code: str, username: str | None = None) -> User:
    user = UserFactory(username=username or f"cat-{department_code}-{next(_seq)}")
    user.save()
    staff_role_grant(
        user=user, department=Department.objects.get(code=department_code), role="catalogue"
    )
    return user


def online_form_material() -> dict[str, Any]:
    """A material of ``item_doc`` shape: the item's own application form, answered online."""
    return {
        **item_doc()["materials"][1],
        "code": "application-form",
        "name": "社会保障卡申领登记表",
        "material_type": "original",
        "material_form": "both",
        "is_key": True,
        "deficiency_allowed": False,
        "source": "online_form",
        "situations": [],
        "notes": "网上办理的在线填报并电子签名，无需另交纸质表。",
    }

"""The evidence types onetrip can fetch, and the department registry that provides each.

A catalogue material with source 共享获取 (or 电子证照库) names one of these types in its
``evidence_type``. The provider key is the path segment of the registry's endpoint
(``/v1/<provider>/<evidence_type>``); the same table is used by the sandbox registries, so the
connector and the sandbox cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

PERSON, ENTERPRISE = "person", "enterprise"


@dataclass(frozen=True)
class Provider:
    key: str
    name: str


@dataclass(frozen=True)
class EvidenceType:
    code: str
    name: str
    provider: Provider
    subjects: tuple[str, ...]  # person and/or enterprise
    items: tuple[tuple[str, str], ...]  # data item → label, what the applicant is told

    @property
    def item_labels(self) -> list[str]:
        return [label for _key, label in self.items]


GONGAN = Provider("gongan", "公安部门（人口信息库）")
SCJG = Provider("scjg", "市场监管部门（企业登记库）")
RENSHE = Provider("renshe", "人力资源和社会保障部门（社保信息系统）")
MINZHENG = Provider("minzheng", "民政部门（婚姻登记库）")
XUEXIN = Provider("xuexin", "教育部门（学信网学历库）")
YIBAO = Provider("yibao", "医疗保障部门（医保信息系统）")
SHUIWU = Provider("shuiwu", "税务部门（纳税信息库）")

PROVIDERS = {p.key: p for p in (GONGAN, SCJG, RENSHE, MINZHENG, XUEXIN, YIBAO, SHUIWU)}

_TYPES = [
    EvidenceType(
        "identity",
        "居民身份信息",
        GONGAN,
        (PERSON,),
        (
            ("name", "姓名"),
            ("id_number", "公民身份号码"),
            ("gender", "性别"),
            ("birth_date", "出生日期"),
            ("ethnicity", "民族"),
            ("address", "户籍地址"),
        ),
    ),
    EvidenceType(
        "household",
        "户籍信息",
        GONGAN,
        (PERSON,),
        (("type", "户口性质"), ("address", "户籍地址"), ("head_name", "户主姓名")),
    ),
    EvidenceType(
        "photo",
        "证件照片",
        GONGAN,
        (PERSON,),
        (("photo_id", "照片编号"), ("taken_on", "采集日期"), ("sha256", "照片摘要")),
    ),
    EvidenceType(
        "business_licence",
        "营业执照登记信息",
        SCJG,
        (ENTERPRISE,),
        (
            ("name", "名称"),
            ("credit_code", "统一社会信用代码"),
            ("legal_representative", "法定代表人"),
            ("address", "住所"),
            ("established_on", "成立日期"),
            ("registered_capital", "注册资本（万元）"),
            ("status", "登记状态"),
        ),
    ),
    EvidenceType(
        "insurance_registration",
        "社会保险登记信息",
        RENSHE,
        (PERSON, ENTERPRISE),
        (("insured_since", "参保日期"), ("insurance_types", "参保险种"), ("status", "参保状态")),
    ),
    EvidenceType(
        "contribution_history",
        "社会保险缴费记录",
        RENSHE,
        (PERSON, ENTERPRISE),
        (
            ("months_total", "累计缴费月数"),
            ("unemployment_months", "失业保险累计缴费月数"),
            ("periods", "缴费期间（单位、起止年月）"),
            ("insured_employees", "参保职工人数"),
        ),
    ),
    EvidenceType(
        "employment_registration",
        "就业登记信息",
        RENSHE,
        (PERSON,),
        (("employer_name", "用工单位"), ("registered_on", "登记日期"), ("status", "状态")),
    ),
    EvidenceType(
        "unemployment_registration",
        "失业登记信息",
        RENSHE,
        (PERSON,),
        (("registration_number", "失业登记号"), ("registered_on", "登记日期"), ("status", "状态")),
    ),
    EvidenceType(
        "labour_termination",
        "解除或终止劳动关系信息（社保减员）",
        RENSHE,
        (PERSON,),
        (
            ("employer_name", "原工作单位"),
            ("credit_code", "单位统一社会信用代码"),
            ("start_date", "入职日期"),
            ("end_date", "离职日期"),
            ("reason", "离职原因"),
        ),
    ),
    EvidenceType(
        "bank_account",
        "社会保障卡金融账户",
        RENSHE,
        (PERSON,),
        (("bank_name", "开户银行"), ("number", "金融账户")),
    ),
    EvidenceType(
        "vocational_qualification",
        "职业资格和技能等级信息（人社已办结果）",
        RENSHE,
        (PERSON,),
        (("title", "职业（工种）"), ("level", "等级"), ("certificate_number", "证书编号")),
    ),
    # Earlier results of 人社 itself: what the bureau decided or issued before.
    EvidenceType(
        "employment_difficulty",
        "就业困难人员认定结果（人社已办结果）",
        RENSHE,
        (PERSON,),
        (("category", "认定类别"), ("recognised_on", "认定日期"), ("valid_until", "有效期至")),
    ),
    EvidenceType(
        "injury_decision",
        "工伤认定决定（人社已办结果）",
        RENSHE,
        (PERSON,),
        (
            ("decision_number", "决定书编号"),
            ("injury_date", "受伤日期"),
            ("decided_on", "认定日期"),
            ("conclusion", "认定结论"),
        ),
    ),
    EvidenceType(
        "disability_assessment",
        "劳动能力鉴定结论（人社已办结果）",
        RENSHE,
        (PERSON,),
        (
            ("conclusion_number", "鉴定结论书编号"),
            ("level", "伤残等级"),
            ("assessed_on", "鉴定日期"),
        ),
    ),
    EvidenceType(
        "labour_dispatch_licence",
        "劳务派遣经营许可证（人社已办结果）",
        RENSHE,
        (ENTERPRISE,),
        (("licence_number", "许可证编号"), ("valid_until", "有效期至"), ("status", "状态")),
    ),
    EvidenceType(
        "working_hours_approval",
        "特殊工时工作制审批决定（人社已办结果）",
        RENSHE,
        (ENTERPRISE,),
        (("approval_number", "审批编号"), ("kind", "工时制度"), ("valid_until", "有效期至")),
    ),
    EvidenceType(
        "marriage",
        "婚姻登记信息",
        MINZHENG,
        (PERSON,),
        (("status", "婚姻状况"), ("spouse_name", "配偶姓名"), ("registered_on", "登记日期")),
    ),
    EvidenceType(
        "diploma",
        "学历信息",
        XUEXIN,
        (PERSON,),
        (
            ("school", "毕业院校"),
            ("major", "专业"),
            ("education_level", "学历"),
            ("graduation_date", "毕业日期"),
            ("certificate_number", "证书编号"),
        ),
    ),
    EvidenceType(
        "medical_insurance",
        "基本医疗保险参保信息",
        YIBAO,
        (PERSON,),
        (("scheme", "参保类型"), ("insured_since", "参保日期"), ("status", "参保状态")),
    ),
    EvidenceType(
        "tax_payment",
        "纳税记录",
        SHUIWU,
        (PERSON, ENTERPRISE),
        (("year", "年度"), ("tax_paid", "已缴税额（元）"), ("months", "纳税月份数")),
    ),
]

EVIDENCE_TYPES: dict[str, EvidenceType] = {t.code: t for t in _TYPES}


def evidence_type_get(code: str) -> EvidenceType | None:
    return EVIDENCE_TYPES.get(code or "")

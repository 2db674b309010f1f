"""A synthetic population for the sandbox registries: seeded, reproducible, consistent.

Tens of thousands of people (valid 公民身份号码 with Lanzhou region codes) and enterprises
(valid 统一社会信用代码), with the relations the departments would hold: employers and
contribution periods (人社), terminations and unemployment registrations, marriages between
two people of the population (民政), diplomas (学信网), medical insurance (医保) and tax (税务).
The same seed always gives the same population. The demo applicants are fixed records.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass, field
from typing import Any

from stdnum.cn import ric, uscc

REGIONS = {
    "620102": "城关区",
    "620103": "七里河区",
    "620104": "西固区",
    "620105": "安宁区",
    "620111": "红古区",
    "620121": "永登县",
    "620122": "皋兰县",
    "620123": "榆中县",
}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"  # noqa: E501
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬鹏辉建国文斌宁海峰波欣怡子涵浩然梓轩雨桐佳琪晨阳思远嘉怡俊杰"  # noqa: E501
ETHNICITIES = ["汉族"] * 18 + ["回族", "东乡族", "藏族", "土族"]
STREETS = ["南昌路", "庆阳路", "张掖路", "天水路", "东岗西路", "西津西路", "北滨河路", "金昌路"]
INDUSTRY = ["机械制造", "商贸", "建筑工程", "物流", "餐饮管理", "信息技术", "物业服务", "医药"]
FIRM_WORDS = ["恒达", "金城", "陇原", "黄河", "兰石", "丝路", "祁连", "西部", "华兴", "天成"]
BANKS = [
    ("中国工商银行兰州分行", "621226"),
    ("中国建设银行兰州分行", "621700"),
    ("中国农业银行兰州分行", "622848"),
    ("甘肃银行", "623183"),
    ("兰州银行", "621237"),
]
SCHOOLS = [
    ("兰州大学", "本科"),
    ("西北师范大学", "本科"),
    ("兰州理工大学", "本科"),
    ("兰州交通大学", "本科"),
    ("甘肃农业大学", "本科"),
    ("兰州职业技术学院", "专科"),
    ("兰州石化职业技术大学", "专科"),
    ("兰州大学", "硕士研究生"),
]
MAJORS = ["机械设计制造及其自动化", "会计学", "计算机科学与技术", "汉语言文学", "土木工程", "护理"]
REASONS = [
    "contract-expired",
    "employer-terminated",
    "mutual-by-employer",
    "employer-closed",
    "employer-fault",
]
TODAY = dt.date(2026, 11, 1)  # the population's "as of" date; fixed so it is reproducible


def ym(d: dt.date) -> str:
    return f"{d:%Y-%m}"


def months_between(start: dt.date, end: dt.date) -> int:
    return max(0, (end.year - start.year) * 12 + end.month - start.month + 1)


@dataclass
class Enterprise:
    credit_code: str
    name: str
    legal_representative: str
    address: str
    established_on: str
    registered_capital: str
    status: str = "存续"
    employees: list[str] = field(default_factory=list)  # id numbers of current employees


@dataclass
class Person:
    id_number: str
    name: str
    gender: str
    birth_date: str
    ethnicity: str
    address: str
    household_type: str  # urban / rural
    phone: str = ""
    employment: list[dict[str, Any]] = field(default_factory=list)  # periods
    termination: dict[str, Any] | None = None
    unemployment: dict[str, Any] | None = None
    bank: dict[str, str] | None = None
    marriage: dict[str, str] | None = None
    diploma: dict[str, str] | None = None
    qualification: dict[str, str] | None = None
    medical: dict[str, str] | None = None


@dataclass
class Population:
    people: dict[str, Person]
    enterprises: dict[str, Enterprise]
    seed: int


def id_number_make(region: str, birth: dt.date, sequence: int) -> str:
    body = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0")


def credit_code_make(rng: random.Random, region: str) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "9162" + region[2:] + "".join(rng.choice(alphabet) for _ in range(9))
    return body[:17] + uscc.calc_check_digit(body[:17])


def bank_number(rng: random.Random, prefix: str) -> str:
    return prefix + "".join(str(rng.randrange(10)) for _ in range(13))


# The demo applicants: fixed, so the demo always finds them (张三 is the done-when path).
DEMO_EMPLOYER = {
    "credit_code": "",  # filled in generate(): a valid code from the seed
    "name": "兰州恒达机械制造有限公司",
}
DEMO_PEOPLE = [
    {
        "id_number": "62010219850312003X",
        "name": "张三",
        "phone": "13800000001",
        "employment": [("2012-03-01", "2026-09-30")],
        "termination": {"end_date": "2026-09-30", "reason": "contract-expired"},
        "unemployment": {"registered_on": "2026-10-08"},
        "diploma": ("兰州理工大学", "本科", "机械设计制造及其自动化", "2008-07-01"),
    },
    {
        "id_number": "620103199207180047",
        "name": "李梅",
        "phone": "13800000002",
        "employment": [("2015-07-01", None)],
        "diploma": ("西北师范大学", "本科", "会计学", "2014-06-30"),
    },
    {
        "id_number": "620102198811230054",
        "name": "王刚",
        "phone": "13800000003",
        "employment": [("2010-05-01", None)],
    },
]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def generate(
    *,
    people: int = 30_000,
    enterprises: int = 3_000,
    seed: int = 20260101,
    extra_people: list[dict[str, Any]] | None = None,
) -> Population:
    """Build the population. ``extra_people`` adds fixed records (same shape as DEMO_PEOPLE)."""
    rng = random.Random(seed)
    firms: dict[str, Enterprise] = {}
    firm_list: list[Enterprise] = []
    while len(firm_list) < enterprises + 1:
        region = rng.choice(list(REGIONS))
        code = credit_code_make(rng, region)
        if code in firms:
            continue
        name = (
            DEMO_EMPLOYER["name"]
            if not firm_list
            else f"兰州{rng.choice(FIRM_WORDS)}{rng.choice(INDUSTRY)}有限公司（{len(firm_list)}）"
        )
        established = dt.date(1995, 1, 1) + dt.timedelta(days=rng.randrange(9000))
        firm = Enterprise(
            credit_code=code,
            name=name,
            legal_representative=_name(rng),
            address=f"甘肃省兰州市{REGIONS[region]}{rng.choice(STREETS)}{rng.randrange(1, 999)}号",
            established_on=established.isoformat(),
            registered_capital=str(rng.choice((50, 100, 200, 500, 1000, 3000))),
        )
        firms[code] = firm
        firm_list.append(firm)
    demo_firm = firm_list[0]
    folks: dict[str, Person] = {}
    used_sequences: set[str] = set()

    def person_new(id_number: str, name: str, phone: str = "") -> Person:
        birth = dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
        region = id_number[:6]
        district = REGIONS.get(region, "城关区")
        return Person(
            id_number=id_number,
            name=name,
            gender="男" if int(id_number[16]) % 2 else "女",
            birth_date=birth.isoformat(),
            ethnicity=rng.choice(ETHNICITIES),
            address=f"甘肃省兰州市{district}{rng.choice(STREETS)}{rng.randrange(1, 999)}号",
            household_type=rng.choice(("urban", "urban", "urban", "rural")),
            phone=phone,
        )

    for spec in [*DEMO_PEOPLE, *(extra_people or [])]:
        p = person_new(spec["id_number"], spec["name"], spec.get("phone", ""))
        p.household_type = "urban"
        for start, end in spec.get("employment", []):
            p.employment.append(
                {
                    "credit_code": demo_firm.credit_code,
                    "employer_name": demo_firm.name,
                    "from": start,
                    "to": end,
                }
            )
            if end is None:
                demo_firm.employees.append(p.id_number)
        if spec.get("termination"):
            start = spec["employment"][-1][0]
            p.termination = {
                "employer_name": demo_firm.name,
                "credit_code": demo_firm.credit_code,
                "start_date": start,
                **spec["termination"],
            }
        if spec.get("unemployment"):
            p.unemployment = {
                "registration_number": f"SY{p.id_number[:6]}{spec['unemployment']['registered_on'].replace('-', '')}0001",  # noqa: E501
                **spec["unemployment"],
            }
        if spec.get("diploma"):
            school, level, major, graduated = spec["diploma"]
            p.diploma = {
                "school": school,
                "education_level": level,
                "major": major,
                "graduation_date": graduated,
                "certificate_number": f"1073{p.id_number[6:14]}00{p.id_number[-4:]}",
            }
        bank_name, prefix = BANKS[0]
        p.bank = {"bank_name": bank_name, "number": prefix + p.id_number[-12:-1] + "07"}
        p.medical = {
            "scheme": "职工基本医疗保险",
            "insured_since": spec.get("employment", [("2015-01-01", None)])[0][0],
            "status": "参保缴费",
        }
        folks[p.id_number] = p
        used_sequences.add(p.id_number[:17])

    target = len(folks) + people
    while len(folks) < target:
        region = rng.choice(list(REGIONS))
        birth = dt.date(1962, 1, 1) + dt.timedelta(days=rng.randrange(15_000))
        body_key = f"{region}{birth:%Y%m%d}{rng.randrange(1, 999):03d}"
        if body_key in used_sequences:
            continue
        used_sequences.add(body_key)
        id_number = body_key + ric.calc_check_digit(body_key + "0")
        if not ric.is_valid(id_number):  # the region code did not exist at that birth date
            continue
        p = person_new(id_number, _name(rng))
        p.phone = f"1{rng.choice((3, 5, 7, 8, 9))}{rng.randrange(10**9):09d}"
        adult = dt.date(birth.year + 20, birth.month, min(birth.day, 28))
        start = max(adult, dt.date(2000, 1, 1)) + dt.timedelta(days=rng.randrange(2000))
        if start < TODAY and rng.random() < 0.85:
            firm = rng.choice(firm_list)
            roll = rng.random()
            if roll < 0.08:  # recently terminated, most of them registered as unemployed
                end = TODAY - dt.timedelta(days=rng.randrange(30, 300))
                if end <= start:
                    end = start + dt.timedelta(days=400)
                p.employment.append(
                    {
                        "credit_code": firm.credit_code,
                        "employer_name": firm.name,
                        "from": start.isoformat(),
                        "to": end.isoformat(),
                    }
                )
                p.termination = {
                    "employer_name": firm.name,
                    "credit_code": firm.credit_code,
                    "start_date": start.isoformat(),
                    "end_date": end.isoformat(),
                    "reason": rng.choice(REASONS),
                }
                if rng.random() < 0.7:
                    on = end + dt.timedelta(days=rng.randrange(3, 25))
                    p.unemployment = {
                        "registered_on": on.isoformat(),
                        "registration_number": f"SY{region}{on:%Y%m%d}{rng.randrange(10**4):04d}",
                    }
            else:
                if rng.random() < 0.4:  # an earlier job first
                    earlier = rng.choice(firm_list)
                    mid = start + dt.timedelta(days=rng.randrange(200, 2000))
                    if mid < TODAY:
                        p.employment.append(
                            {
                                "credit_code": earlier.credit_code,
                                "employer_name": earlier.name,
                                "from": start.isoformat(),
                                "to": mid.isoformat(),
                            }
                        )
                        start = mid + dt.timedelta(days=1)
                p.employment.append(
                    {
                        "credit_code": firm.credit_code,
                        "employer_name": firm.name,
                        "from": start.isoformat(),
                        "to": None,
                    }
                )
                firm.employees.append(p.id_number)
            bank_name, prefix = rng.choice(BANKS)
            p.bank = {"bank_name": bank_name, "number": bank_number(rng, prefix)}
            p.medical = {
                "scheme": "职工基本医疗保险",
                "insured_since": start.isoformat(),
                "status": "参保缴费",
            }
        elif rng.random() < 0.8:
            p.medical = {
                "scheme": "城乡居民基本医疗保险",
                "insured_since": f"{rng.randrange(2010, 2025)}-01-01",
                "status": "参保缴费",
            }
        if rng.random() < 0.4 and birth.year >= 1970:
            school, level = rng.choice(SCHOOLS)
            graduated = dt.date(
                birth.year + (22 if level == "本科" else 21 if level == "专科" else 25), 6, 30
            )
            if graduated < TODAY:
                p.diploma = {
                    "school": school,
                    "education_level": level,
                    "major": rng.choice(MAJORS),
                    "graduation_date": graduated.isoformat(),
                    "certificate_number": (
                        f"{rng.randrange(10**4, 10**5)}{graduated:%Y}{rng.randrange(10**9):09d}"
                    ),
                }
        if rng.random() < 0.1:
            p.qualification = {
                "title": rng.choice(["电工", "焊工", "育婴员", "中式烹调师"]),
                "level": rng.choice(["五级/初级工", "四级/中级工", "三级/高级工"]),
                "certificate_number": f"S{rng.randrange(10**15):015d}",
            }
        folks[p.id_number] = p

    # Marriages: pair men and women of the population, recorded on both sides.
    singles = [p for p in folks.values() if p.birth_date < "2000-01-01" and p.marriage is None]
    men = [p for p in singles if p.gender == "男"]
    women = [p for p in singles if p.gender == "女"]
    rng.shuffle(men)
    rng.shuffle(women)
    for a, b in zip(men[: len(men) * 6 // 10], women[: len(women) * 6 // 10], strict=False):
        year = max(int(a.birth_date[:4]), int(b.birth_date[:4])) + rng.randrange(22, 35)
        on = f"{year}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
        if on > TODAY.isoformat():
            continue
        a.marriage = {
            "status": "已婚",
            "spouse_name": b.name,
            "spouse_id_number": b.id_number,
            "registered_on": on,
        }
        b.marriage = {
            "status": "已婚",
            "spouse_name": a.name,
            "spouse_id_number": a.id_number,
            "registered_on": on,
        }
    return Population(people=folks, enterprises=firms, seed=seed)


# ------------------------------------------------------------------ what each registry answers


def _contributions(p: Person) -> dict[str, Any]:
    periods, total = [], 0
    for e in p.employment:
        start = dt.date.fromisoformat(e["from"])
        end = dt.date.fromisoformat(e["to"]) if e["to"] else TODAY
        n = months_between(start, end)
        total += n
        periods.append(
            {
                "employer_name": e["employer_name"],
                "credit_code": e["credit_code"],
                "from": ym(start),
                "to": ym(end) if e["to"] else "",
                "months": n,
            }
        )
    return {"months_total": total, "unemployment_months": total, "periods": periods}


def _roll(key: str) -> int:
    """A stable number per subject, for the rarer records (same answer on every run)."""
    return int(hashlib.sha256(f"roll:{key}".encode()).hexdigest()[:8], 16)


def answer(pop: Population, evidence_type: str, subject: dict[str, str]) -> dict[str, Any] | None:
    """The registry's record for ``subject``, or None when it holds nothing."""
    if "credit_code" in subject:
        firm = pop.enterprises.get(str(subject["credit_code"]).upper())
        if firm is None:
            return None
        if evidence_type == "business_licence":
            return {
                "name": firm.name,
                "credit_code": firm.credit_code,
                "legal_representative": firm.legal_representative,
                "address": firm.address,
                "established_on": firm.established_on,
                "registered_capital": firm.registered_capital,
                "status": firm.status,
            }
        if evidence_type == "contribution_history":
            return {
                "name": firm.name,
                "credit_code": firm.credit_code,
                "insured_employees": len(firm.employees),
            }
        if evidence_type == "insurance_registration":
            return {
                "name": firm.name,
                "credit_code": firm.credit_code,
                "insured_since": firm.established_on,
                "insurance_types": "养老、医疗、失业、工伤、生育",
                "status": "正常参保",
            }
        roll = _roll(firm.credit_code)
        if evidence_type == "labour_dispatch_licence":
            if roll % 5:
                return None
            return {
                "name": firm.name,
                "credit_code": firm.credit_code,
                "licence_number": f"甘人社派许字〔2024〕{roll % 9000 + 1000}号",
                "valid_until": "2027-06-30",
                "status": "有效",
            }
        if evidence_type == "working_hours_approval":
            if roll % 4:
                return None
            return {
                "name": firm.name,
                "credit_code": firm.credit_code,
                "approval_number": f"兰人社工时〔2025〕{roll % 900 + 100}号",
                "kind": "综合计算工时工作制" if roll % 2 else "不定时工作制",
                "valid_until": "2026-12-31",
            }
        if evidence_type == "tax_payment":
            seed = int(hashlib.sha256(firm.credit_code.encode()).hexdigest()[:8], 16)
            return {
                "name": firm.name,
                "credit_code": firm.credit_code,
                "year": "2025",
                "tax_paid": str(10_000 + seed % 2_000_000),
                "months": 12,
            }
        return None
    p = pop.people.get(str(subject.get("id_number", "")).upper())
    if p is None:
        return None
    who = {"name": p.name, "id_number": p.id_number}
    if evidence_type == "identity":
        return {
            **who,
            "gender": p.gender,
            "birth_date": p.birth_date,
            "ethnicity": p.ethnicity,
            "address": p.address,
        }
    if evidence_type == "household":
        head = p.name if p.marriage is None or p.gender == "男" else p.marriage["spouse_name"]
        return {**who, "type": p.household_type, "address": p.address, "head_name": head}
    if evidence_type == "photo":
        digest = hashlib.sha256(f"photo:{p.id_number}".encode()).hexdigest()
        return {
            **who,
            "photo_id": f"GA{digest[:16].upper()}",
            "taken_on": "2021-05-10",
            "sha256": digest,
        }
    if evidence_type in ("contribution_history", "insurance_registration"):
        if not p.employment:
            return None
        if evidence_type == "insurance_registration":
            current = not p.employment[-1]["to"]
            return {
                **who,
                "insured_since": p.employment[0]["from"],
                "insurance_types": "养老、医疗、失业、工伤、生育",
                "status": "参保缴费" if current else "暂停缴费",
            }
        return {**who, **_contributions(p)}
    if evidence_type == "employment_registration":
        current = [e for e in p.employment if not e["to"]]
        if not current:
            return None
        return {
            **who,
            "employer_name": current[0]["employer_name"],
            "credit_code": current[0]["credit_code"],
            "registered_on": current[0]["from"],
            "status": "在职",
        }
    if evidence_type == "labour_termination":
        return {**who, **p.termination} if p.termination else None
    if evidence_type == "unemployment_registration":
        return {**who, **p.unemployment, "status": "有效"} if p.unemployment else None
    if evidence_type == "bank_account":
        return {**who, **p.bank} if p.bank else None
    roll = _roll(p.id_number)
    if evidence_type == "employment_difficulty":
        if not (p.termination or not p.employment) or roll % 3:
            return None
        return {
            **who,
            "category": "长期失业人员" if roll % 2 else "零就业家庭成员",
            "recognised_on": "2026-03-15",
            "valid_until": "2028-03-14",
        }
    if evidence_type in ("injury_decision", "disability_assessment"):
        if not p.employment or roll % 40:
            return None
        if evidence_type == "injury_decision":
            return {
                **who,
                "decision_number": f"兰人社工伤认字〔2025〕{roll % 9000 + 1000}号",
                "injury_date": "2025-04-11",
                "decided_on": "2025-05-20",
                "conclusion": "属于工伤",
            }
        return {
            **who,
            "conclusion_number": f"兰劳鉴〔2025〕{roll % 900 + 100}号",
            "level": f"{roll % 6 + 5}级",
            "assessed_on": "2025-09-02",
        }
    if evidence_type == "vocational_qualification":
        return {**who, **p.qualification} if p.qualification else None
    if evidence_type == "marriage":
        if p.marriage is None:
            return {
                **who,
                "status": "未婚（无婚姻登记记录）",
                "spouse_name": "",
                "registered_on": "",
            }
        return {
            **who,
            "status": p.marriage["status"],
            "spouse_name": p.marriage["spouse_name"],
            "registered_on": p.marriage["registered_on"],
        }
    if evidence_type == "diploma":
        return {**who, **p.diploma} if p.diploma else None
    if evidence_type == "medical_insurance":
        return {**who, **p.medical} if p.medical else None
    if evidence_type == "tax_payment":
        if not p.employment:
            return None
        seed = int(hashlib.sha256(p.id_number.encode()).hexdigest()[:8], 16)
        return {**who, "year": "2025", "tax_paid": str(seed % 12_000), "months": 12}
    return None

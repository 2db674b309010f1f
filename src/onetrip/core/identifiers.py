"""National identifiers, checked with python-stdnum (GB 11643-1999, GB 32100-2015)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_exceptions
from stdnum.cn import ric, uscc

from onetrip.core.text import compact


def id_number_clean(value: object) -> str:
    """A 公民身份号码 as stored and looked up: full-width characters made plain (NFKC), spaces
    removed, capital X. The same person typed either way is one number."""
    return ric.compact(compact(value))


def credit_code_clean(value: object) -> str:
    """A 统一社会信用代码 as stored and looked up (see id_number_clean)."""
    return uscc.compact(compact(value))


def credit_code_problem(value: str) -> str | None:
    """What is wrong with a 统一社会信用代码 (in the active language), or None if valid."""
    try:
        uscc.validate(value)
    except stdnum_exceptions.InvalidLength:
        return _("统一社会信用代码应为 18 位。")
    except stdnum_exceptions.InvalidFormat:
        return _("统一社会信用代码含有不允许的字符（不使用 I、O、Z、S、V）。")
    except stdnum_exceptions.InvalidChecksum:
        return _("统一社会信用代码校验位不正确，请核对。")
    except stdnum_exceptions.ValidationError:
        return _("统一社会信用代码无效。")
    return None


def credit_code_checksum_only(value: str) -> bool:
    """Whether a 统一社会信用代码 has the right length and characters but a wrong check digit
    (some early pilot codes do; a window officer may register them after checking)."""
    try:
        uscc.validate(value)
    except stdnum_exceptions.InvalidChecksum:
        return True
    except stdnum_exceptions.ValidationError:
        return False
    return False


def id_number_problem(value: str) -> str | None:
    """What is wrong with a 公民身份号码 (in the active language), or None if valid."""
    try:
        ric.validate(value)
    except stdnum_exceptions.InvalidLength:
        return _("公民身份号码应为 18 位。")
    except stdnum_exceptions.InvalidFormat:
        return _("公民身份号码格式不正确。")
    except stdnum_exceptions.InvalidComponent:
        problem = _birth_or_region_problem(value)
        if problem:
            return problem
    except stdnum_exceptions.InvalidChecksum:
        return _("公民身份号码校验位不正确，请核对最后一位。")
    except stdnum_exceptions.ValidationError:
        return _("公民身份号码无效。")
    if ric.get_birth_date(value) > dt.date.today():
        return _("公民身份号码中的出生日期晚于今天，请核对。")
    return None


def _birth_or_region_problem(value: str) -> str | None:
    """The birth date or the region code, when python-stdnum refuses one of them.

    stdnum also refuses a region code that was created after the birth year. A number carries
    the code of where it was issued, and cards were first issued in 1984, so people born
    before their county's code existed hold such numbers. A code created later is accepted; a
    code abolished before the birth year is not.
    """
    from stdnum import numdb

    try:
        born = ric.get_birth_date(value).year
    except stdnum_exceptions.InvalidComponent:
        return _("公民身份号码中的出生日期不正确。")
    for _part, props in numdb.get("cn/loc").info(value[:6]):
        for county in filter(None, props.get("county", "").split(",")):
            if not county.startswith("["):
                return None  # no period recorded: in use
            end = county[1:].split("]", 1)[0].split("-")[1]
            if not end or int(end) >= born:
                return None  # still in use after the birth year
    return _("公民身份号码中的地区码不存在。")

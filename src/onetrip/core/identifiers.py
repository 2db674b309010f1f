"""National identifiers, checked with python-stdnum (GB 11643-1999, GB 32100-2015)."""

from __future__ import annotations

import unicodedata

from stdnum import exceptions as stdnum_exceptions
from stdnum.cn import ric, uscc


def id_number_clean(value: object) -> str:
    """A 公民身份号码 as stored and looked up: full-width characters made plain (NFKC), spaces
    removed, capital X. The same person typed either way is one number."""
    return "".join(ric.compact(unicodedata.normalize("NFKC", str(value or ""))).split())


def credit_code_clean(value: object) -> str:
    """A 统一社会信用代码 as stored and looked up (see id_number_clean)."""
    return "".join(uscc.compact(unicodedata.normalize("NFKC", str(value or ""))).split())


def credit_code_problem(value: str) -> str | None:
    """A Chinese explanation of what is wrong with a 统一社会信用代码, or None if valid."""
    try:
        uscc.validate(value)
    except stdnum_exceptions.InvalidLength:
        return "统一社会信用代码应为 18 位。"
    except stdnum_exceptions.InvalidFormat:
        return "统一社会信用代码含有不允许的字符（不使用 I、O、Z、S、V）。"
    except stdnum_exceptions.InvalidChecksum:
        return "统一社会信用代码校验位不正确，请核对。"
    except stdnum_exceptions.ValidationError:
        return "统一社会信用代码无效。"
    return None


def id_number_problem(value: str) -> str | None:
    """A Chinese explanation of what is wrong with a 公民身份号码, or None if valid."""
    try:
        ric.validate(value)
    except stdnum_exceptions.InvalidLength:
        return "公民身份号码应为 18 位。"
    except stdnum_exceptions.InvalidFormat:
        return "公民身份号码格式不正确。"
    except stdnum_exceptions.InvalidComponent:
        return "公民身份号码中的出生日期或地区码不正确。"
    except stdnum_exceptions.InvalidChecksum:
        return "公民身份号码校验位不正确，请核对最后一位。"
    except stdnum_exceptions.ValidationError:
        return "公民身份号码无效。"
    return None

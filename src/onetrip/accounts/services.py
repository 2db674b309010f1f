"""Writes to accounts: applicants, enterprises, authorisations, login codes, staff roles."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass

import pyotp
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import ric

from onetrip.accounts.models import (
    Authorisation,
    EmailVerification,
    Enterprise,
    OneTimeCode,
    Person,
    StaffCredential,
    StaffRole,
    User,
)
from onetrip.catalog.models import Department
from onetrip.core.crypto import lookup_hash, mask_email, mask_id_number
from onetrip.core.identifiers import (
    credit_code_checksum_only,
    credit_code_clean,
    credit_code_problem,
    id_number_clean,
    id_number_problem,
)
from onetrip.core.ratelimit import rate_limit_hit
from onetrip.core.text import compact, says_something

# Model permissions each staff role needs in the Django admin.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    StaffRole.Role.CATALOGUE: [
        "catalog.view_department",
        "catalog.change_department",
        "catalog.view_item",
        "catalog.add_item",
        "catalog.change_item",
        "catalog.delete_item",
        "catalog.view_itemversion",
        "catalog.add_itemversion",
        "catalog.change_itemversion",
        "catalog.delete_itemversion",
        *[
            f"catalog.{op}_{m}"
            for m in ("situation", "material", "fee", "faq", "formfield", "reviewstage")
            for op in ("view", "add", "change", "delete")
        ],
    ],
}

LOGIN_CODE_TTL = dt.timedelta(minutes=5)
EMAIL_CODE_TTL = dt.timedelta(minutes=30)
LOGIN_CODE_MAX_TRIES = 5
STAFF_MAX_FAILURES = 5
STAFF_LOCK = dt.timedelta(minutes=15)


class AccountsError(Exception):
    """A refused account operation: stable code, message in the active language (Chinese by
    default), the field at fault."""

    def __init__(self, code: str, message: str, field: str = "", *, retry_after: int = 0):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.retry_after = retry_after  # seconds, for a limit that was hit


# ------------------------------------------------------------------ staff roles


def role_groups_sync(*, using: str = "default") -> None:
    """Create one permission group per staff role and give it the role's permissions."""
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=f"role:{role}")
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            wanted += list(
                Permission.objects.using(using).filter(
                    content_type__app_label=app_label, codename=codename
                )
            )
        group.permissions.set(wanted)


@transaction.atomic
def staff_role_grant(*, user: User, department: Department, role: str) -> StaffRole:
    """Give ``user`` a role in ``department`` (staff access and the role's permissions)."""
    grant, _ = StaffRole.objects.get_or_create(user=user, department=department, role=role)
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    group = Group.objects.filter(name=f"role:{role}").first()
    if group:
        user.groups.add(group)
    return grant


# ------------------------------------------------------------------ applicants


def _clean_id_number(value: str) -> str:
    value = id_number_clean(value)
    if not value:
        raise AccountsError("id_number_missing", _("请填写公民身份号码。"), "id_number")
    problem = id_number_problem(value)
    if problem:
        raise AccountsError("id_number_invalid", problem, "id_number")
    return value


def _name_readable(name: str) -> bool:
    """Letters, marks, the middle dot of names like 阿依古丽·买买提, spaces: nothing invisible
    (control, format or unassigned characters) that would make two names look alike."""
    return not any(unicodedata.category(ch)[0] == "C" for ch in name)


def _clean_phone(value: str, *, required: bool = True) -> str:
    # Full-width digits made plain (NFKC): the same phone typed either way is one account.
    value = compact(value)
    if not value and not required:
        return ""
    if not re.fullmatch(r"1[0-9]{10}", value):
        raise AccountsError("phone_invalid", _("请填写 11 位手机号码，如 13912345678。"), "phone")
    return value


def login_code_pending(*, phone: str, sent_to: str | None) -> bool:
    """Whether ``phone`` is the number a login code was just sent to (``sent_to``, as the
    session keeps it): asking again within the minute then means entering that code."""
    try:
        return bool(sent_to) and _clean_phone(phone) == sent_to
    except AccountsError:
        return False


def enterprise_find(*, credit_code: str) -> Enterprise | None:
    """The enterprise registered under the code; AccountsError when no code was given."""
    code = credit_code_clean(credit_code)
    if not code:
        raise AccountsError("credit_code_missing", _("请填写统一社会信用代码。"), "credit_code")
    return Enterprise.objects.filter(credit_code=code).first()


def person_find(*, id_number: str) -> Person | None:
    return Person.objects.filter(id_number_hash=lookup_hash(_clean_id_number(id_number))).first()


@transaction.atomic
def person_register(
    *,
    real_name: str,
    id_number: str,
    phone: str = "",
    created_by: User | None = None,
    user: User | None = None,
) -> Person:
    """Register a natural person after checking the ID number (check digit, birth date)."""
    real_name = " ".join(str(real_name or "").split())
    if not real_name or len(real_name) > 50 or not _name_readable(real_name):
        raise AccountsError("name_invalid", _("请填写与身份证件一致的姓名。"), "real_name")
    number = _clean_id_number(id_number)
    phone = _clean_phone(phone, required=False)
    if Person.objects.filter(id_number_hash=lookup_hash(number)).exists():
        raise AccountsError("person_exists", _("该公民身份号码已登记。"), "id_number")
    birth = ric.get_birth_date(number)
    person = Person(
        user=user,
        real_name=real_name,
        id_number=number,
        id_number_hash=lookup_hash(number),
        phone=phone,
        phone_hash=lookup_hash(phone) if phone else "",
        birth_date=birth,
        gender="M" if int(number[16]) % 2 else "F",
        created_by=created_by,
    )
    person.save()
    if created_by is not None and created_by.is_staff:  # registered at a window: on record
        from onetrip.audit.services import audit_append

        audit_append(
            actor=created_by,
            action="accounts.person.register",
            target=person,
            summary=f"登记申请人 {real_name}（{mask_id_number(number)}）",
            after={"real_name": real_name, "id_number": mask_id_number(number)},
        )
    return person


@transaction.atomic
def enterprise_register(
    *,
    name: str,
    credit_code: str,
    legal_representative: str = "",
    override_reason: str = "",
    officer: User | None = None,
) -> Enterprise:
    """Register an enterprise; a code failing the check needs an officer's audited override."""
    name = " ".join(str(name or "").split())
    if not name or len(name) > 200:
        raise AccountsError("name_invalid", _("请填写单位名称（不超过 200 字）。"), "name")
    legal_representative = str(legal_representative or "").strip()
    if len(legal_representative) > 50:
        raise AccountsError("too_long", _("法定代表人姓名最多 50 字。"), "legal_representative")
    override_reason = str(override_reason or "").strip()
    if len(override_reason) > 300:
        raise AccountsError("too_long", _("核实说明最多 300 字。"), "override_reason")
    code = credit_code_clean(credit_code)
    if Enterprise.objects.filter(credit_code=code).exists():
        raise AccountsError("enterprise_exists", _("该统一社会信用代码已登记。"), "credit_code")
    problem = credit_code_problem(code)
    override = False
    if problem:
        checksum_only = credit_code_checksum_only(code)
        if not (checksum_only and says_something(override_reason) and officer and officer.is_staff):
            if checksum_only:
                problem = _("{problem}若为早期试点代码，请由窗口工作人员核实后登记。").format(
                    problem=problem
                )
            raise AccountsError("credit_code_invalid", problem, "credit_code")
        override = True
    enterprise = Enterprise.objects.create(
        name=name,
        credit_code=code,
        legal_representative=legal_representative,
        credit_code_override=override,
        override_reason=override_reason if override else "",
        override_by=officer if override else None,
    )
    if override:
        action, summary = (
            "accounts.enterprise.credit_code_override",
            f"核实例外统一社会信用代码 {code}",
        )
        after = {"credit_code": code, "reason": override_reason}
    else:
        action, summary, after = (
            "accounts.enterprise.register",
            f"登记单位 {name}",
            {"credit_code": code},
        )
    if override or (officer is not None and officer.is_staff):  # registered by an officer
        from onetrip.audit.services import audit_append

        audit_append(actor=officer, action=action, target=enterprise, summary=summary, after=after)
    return enterprise


@transaction.atomic
def authorisation_grant(
    *,
    agent: Person,
    principal_person: Person | None = None,
    principal_enterprise: Enterprise | None = None,
    item_codes: list[str] | None = None,
    valid_from: dt.date,
    valid_until: dt.date,
    document_reference: str = "",
    created_by: User | None = None,
) -> Authorisation:
    """Record a 委托: ``agent`` may act for the principal within scope until expiry."""
    document_reference = str(document_reference or "").strip()
    if len(document_reference) > 100:
        raise AccountsError("too_long", _("委托书编号最多 100 字。"), "document_reference")
    authorisation_check(
        agent=agent,
        principal_person=principal_person,
        principal_enterprise=principal_enterprise,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    grant = Authorisation.objects.create(
        agent=agent,
        principal_person=principal_person,
        principal_enterprise=principal_enterprise,
        item_codes=list(item_codes or []),
        valid_from=valid_from,
        valid_until=valid_until,
        document_reference=document_reference,
        created_by=created_by,
    )
    authorisation_recorded(grant, actor=created_by)
    return grant


@transaction.atomic
def authorisation_revoke(*, grant: Authorisation, officer: User, reason: str) -> Authorisation:
    """End a 委托 now (the principal withdrew it, say); audited with the reason."""
    reason = " ".join(str(reason or "").split())
    if not says_something(reason):
        raise AccountsError("reason_required", _("请写明撤销原因（如委托人书面撤回）。"), "reason")
    if len(reason) > 300:
        raise AccountsError("too_long", _("撤销原因最多 300 字。"), "reason")
    grant = Authorisation.objects.select_for_update().get(pk=grant.pk)
    if grant.revoked_at is not None:
        raise AccountsError("already_revoked", _("该委托已经撤销。"), "")
    grant.revoked_at = timezone.now()
    grant.save(update_fields=["revoked_at"])
    from onetrip.audit.services import audit_append

    audit_append(
        actor=officer,
        action="accounts.authorisation.revoke",
        target=grant,
        summary=f"撤销委托 {grant}",
        after={"reason": reason},
    )
    return grant


def authorisation_check(
    *,
    agent: Person | None,
    principal_person: Person | None,
    principal_enterprise: Enterprise | None,
    valid_from: dt.date | None,
    valid_until: dt.date | None,
    new: bool = True,
) -> None:
    """The rules a 委托 must meet, however it is recorded; AccountsError if one is broken.

    A period has an end no more than ``ONETRIP_AUTHORISATION_MAX_YEARS`` after its start; a
    ``new`` one also ends today or later (recording an expired 委托 lets nobody act).
    """
    if (principal_person is None) == (principal_enterprise is None):
        raise AccountsError(
            "principal_invalid", _("请指定一个委托人（自然人或单位）。"), "principal"
        )
    if principal_person is not None and agent is not None and principal_person.pk == agent.pk:
        raise AccountsError("self_authorisation", _("不能委托自己。"), "agent")
    if valid_from and valid_until and valid_until < valid_from:
        raise AccountsError("period_invalid", _("截止日期不能早于生效日期。"), "valid_until")
    if new and valid_until and valid_until < timezone.localdate():
        raise AccountsError("period_over", _("截止日期已过：过期的委托不能登记。"), "valid_until")
    years = settings.ONETRIP_AUTHORISATION_MAX_YEARS
    if new and valid_from and valid_from > _years_after(timezone.localdate(), years):
        raise AccountsError(
            "start_too_late",
            _("生效日期过远：委托应在今后 {years} 年内生效，请核对委托书。").format(years=years),
            "valid_from",
        )
    if valid_from and valid_until and valid_until > _years_after(valid_from, years):
        raise AccountsError(
            "period_too_long",
            _("委托期限最长 {years} 年，请按委托书核对生效日期和截止日期。").format(years=years),
            "valid_until",
        )


def _years_after(day: dt.date, years: int) -> dt.date:
    if day.year + years > dt.MAXYEAR:
        return dt.date.max
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February, in a year without one
        return day.replace(year=day.year + years, day=28)


def authorisation_recorded(grant: Authorisation, *, actor: User | None) -> None:
    """The audit event for a 委托 just recorded (in the caller's transaction)."""
    from onetrip.audit.services import audit_append

    audit_append(
        actor=actor,
        action="accounts.authorisation.grant",
        target=grant,
        summary=f"登记委托 {grant}",
        after={
            "agent": grant.agent_id,
            "principal_person": grant.principal_person_id,
            "principal_enterprise": grant.principal_enterprise_id,
            "item_codes": grant.item_codes,
            "valid_from": grant.valid_from,
            "valid_until": grant.valid_until,
            "document_reference": grant.document_reference,
        },
    )


# ------------------------------------------------------------------ applicant login


def _code_digest(phone_hash: str, code: str) -> str:
    return hmac.new(phone_hash.encode(), code.encode(), hashlib.sha256).hexdigest()


def _code_try(record: OneTimeCode | EmailVerification | None, key: str, code: str):
    """One try at a sent code (the caller holds the record's row lock): the refusal, or None
    when it matches, and the code is then used up. A wrong try is counted."""
    if record is None or record.expires_at < timezone.now():
        return AccountsError("code_expired", _("验证码已失效，请重新获取。"), "code")
    if record.attempts >= LOGIN_CODE_MAX_TRIES:
        return AccountsError("code_locked", _("验证码错误次数过多，请重新获取。"), "code")
    if not hmac.compare_digest(record.code_hash, _code_digest(key, code)):
        record.attempts += 1
        record.save(update_fields=["attempts"])
        left = LOGIN_CODE_MAX_TRIES - record.attempts
        return AccountsError(
            "code_wrong", _("验证码不正确，还可尝试 {left} 次。").format(left=left), "code"
        )
    record.used_at = timezone.now()
    record.save(update_fields=["used_at"])
    return None


def _send_allowed(key: str, address_key: str, field: str, too_many: str) -> None:
    """A code may go out once a minute and five times an hour to one recipient (``key`` with
    ``{}`` for the period), and twenty times an hour from one address."""
    if not rate_limit_hit(key.format("min"), 1, 60):
        raise AccountsError("too_soon", _("验证码已发送，请 60 秒后再试。"), field, retry_after=60)
    if not rate_limit_hit(key.format("hour"), 5, 3600):
        raise AccountsError("too_many", too_many, field, retry_after=3600)
    if address_key and not rate_limit_hit(address_key, 20, 3600):
        raise AccountsError("too_many", _("请求过于频繁，请稍后再试。"), field, retry_after=3600)


@dataclass
class CodeSent:
    phone: str
    expires_at: dt.datetime


def login_code_send(*, phone: str, source_ip: str | None) -> CodeSent:
    """Send a one-time login code by SMS, within rate limits per phone and per address."""
    phone = _clean_phone(phone)
    phone_hash = lookup_hash(phone)
    _send_allowed(
        f"otp:phone:{{}}:{phone_hash}",
        f"otp:ip:{source_ip}" if source_ip else "",
        "phone",
        _("该号码本小时获取验证码次数过多，请稍后再试。"),
    )
    code = f"{secrets.randbelow(10**6):06d}"
    now = timezone.now()
    with transaction.atomic():
        OneTimeCode.objects.filter(phone_hash=phone_hash, used_at__isnull=True).update(used_at=now)
        otc = OneTimeCode.objects.create(
            phone_hash=phone_hash,
            code_hash=_code_digest(phone_hash, code),
            expires_at=now + LOGIN_CODE_TTL,
            source_ip=source_ip,
        )
        from onetrip.notifications.services import outbox_enqueue

        rows = outbox_enqueue(
            recipient=None,
            template="login_code",
            context={"code": code, "minutes": int(LOGIN_CODE_TTL.total_seconds() // 60)},
            dedupe_key=f"login_code:{otc.pk}",
            channels=["sms"],
            address_override={"sms": phone},
        )
    from onetrip.notifications.services import outbox_deliver_now

    # A login code should not wait for the worker's next pass.
    outbox_deliver_now(message_ids=[row.pk for row in rows])
    return CodeSent(phone=phone, expires_at=otc.expires_at)


def login_code_verify(*, phone: str, code: str) -> User:
    """Check a login code (single use, unexpired, limited tries) and return the phone's user."""
    phone = _clean_phone(phone)
    code = compact(code)
    phone_hash = lookup_hash(phone)
    with transaction.atomic():  # a wrong try is counted even though the call then fails
        otc = (
            OneTimeCode.objects.select_for_update()
            .filter(phone_hash=phone_hash, used_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        failure = _code_try(otc, phone_hash, code)
    if failure is not None:
        raise failure
    return _phone_user(phone, phone_hash)


def token_expires_at(token) -> dt.datetime:
    return token.created + dt.timedelta(days=settings.ONETRIP_API_TOKEN_DAYS)


def token_expired(token) -> bool:
    return timezone.now() >= token_expires_at(token)


# Signing in within this much of a token's end gives a new token rather than one about to end.
TOKEN_RENEW_WITHIN = dt.timedelta(days=1)


def token_issue(*, user: User):
    """The user's API token: the one in use (other devices keep signing in with it), or a
    new one when there is none or it ends within ``TOKEN_RENEW_WITHIN``."""
    from rest_framework.authtoken.models import Token

    with transaction.atomic():
        token = Token.objects.select_for_update().filter(user=user).first()
        if token is not None and token_expires_at(token) - timezone.now() < TOKEN_RENEW_WITHIN:
            token.delete()
        token, _created = Token.objects.get_or_create(user=user)
    return token


# ------------------------------------------------------------------ e-mail for notices


def _clean_email(value: str) -> str:
    """The address without spaces, its domain in lower case; AccountsError if it is none."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    value = "".join(str(value or "").split())
    local, _at, domain = value.rpartition("@")
    value = f"{local}@{domain.lower()}" if local else value
    try:
        validate_email(value)
        valid = len(value) <= 254
    except ValidationError:
        valid = False
    if not valid:
        raise AccountsError(
            "email_invalid", _("请填写有效的电子邮箱地址，如 name@example.com。"), "email"
        )
    return value


def _email_key(user_id: int, email: str) -> str:
    """What an e-mail code's digest is keyed with: the code is good for that user and address."""
    return f"email:{user_id}:{email}"


@dataclass
class EmailCodeSent:
    email: str
    expires_at: dt.datetime


def email_code_send(*, user: User, email: str, source_ip: str | None) -> EmailCodeSent:
    """Send a code to the address the user wants notices at; it is used once confirmed."""
    email = _clean_email(email)
    if email == user.email:
        raise AccountsError("email_unchanged", _("这已是您接收通知的邮箱。"), "email")
    _send_allowed(
        f"email-code:{{}}:{user.pk}",
        f"email-code:ip:{source_ip}" if source_ip else "",
        "email",
        _("本小时获取邮箱验证码次数过多，请稍后再试。"),
    )
    # and per address, however many accounts ask and however they write it: nobody's
    # mailbox can be flooded
    _send_allowed(
        f"email-code:addr:{{}}:{lookup_hash(email.lower())}",
        "",
        "email",
        _("该邮箱本小时收到的验证码过多，请稍后再试。"),
    )
    code = f"{secrets.randbelow(10**6):06d}"
    now = timezone.now()
    with transaction.atomic():
        EmailVerification.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
        pending = EmailVerification.objects.create(
            user=user,
            email=email,
            code_hash=_code_digest(_email_key(user.pk, email), code),
            expires_at=now + EMAIL_CODE_TTL,
        )
        from onetrip.notifications.services import outbox_enqueue

        rows = outbox_enqueue(
            recipient=None,
            template="email_verify",
            context={"code": code, "minutes": int(EMAIL_CODE_TTL.total_seconds() // 60)},
            dedupe_key=f"email_verify:{pending.pk}",
            channels=["email"],
            address_override={"email": email},
        )
    from onetrip.notifications.services import outbox_deliver_now

    outbox_deliver_now(message_ids=[row.pk for row in rows])
    return EmailCodeSent(email=email, expires_at=pending.expires_at)


def email_pending(*, user: User) -> EmailVerification | None:
    """The address waiting for its code, if a live one is."""
    return (
        EmailVerification.objects.filter(
            user=user, used_at__isnull=True, expires_at__gt=timezone.now()
        )
        .order_by("-created_at")
        .first()
    )


def email_code_confirm(*, user: User, code: str, request=None) -> User:
    """Check the code (single use, unexpired, limited tries); the address then receives the
    user's notices. Audited, with the address masked."""
    code = compact(code)
    with transaction.atomic():  # a wrong try is counted even though the call then fails
        pending = (
            EmailVerification.objects.select_for_update()
            .filter(user=user, used_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        failure = _superseded(user, pending, code)
        if failure is None:
            key = _email_key(user.pk, pending.email) if pending else ""
            failure = _code_try(pending, key, code)
            if failure is None:
                _email_set(user, pending.email, request)
    if failure is not None:
        raise failure
    return user


def _superseded(user: User, pending: EmailVerification | None, code: str):
    """A code from an earlier mail (another tab, a second request) is not a wrong try: say
    which mail to use instead of spending one of the five tries."""

    def sent(record: EmailVerification) -> bool:
        key = _email_key(user.pk, record.email)
        return hmac.compare_digest(record.code_hash, _code_digest(key, code))

    if pending is None or sent(pending):
        return None
    earlier = EmailVerification.objects.filter(
        user=user, created_at__lt=pending.created_at, expires_at__gt=timezone.now()
    )
    for old in earlier:
        if sent(old):
            return AccountsError(
                "code_superseded",
                _("这是之前发送的验证码，已作废。请使用最新发到 {email} 的验证码。").format(
                    email=mask_email(pending.email)
                ),
                "code",
            )
    return None


@transaction.atomic
def email_remove(*, user: User, request=None) -> None:
    """Stop e-mail notices (the site inbox and SMS go on). Audited."""
    if user.email:
        _email_set(user, "", request)


def _email_set(user: User, email: str, request) -> None:
    from onetrip.audit.services import audit_append

    before = mask_email(user.email)
    user.email = email
    user.save(update_fields=["email"])
    audit_append(
        actor=user,
        action="accounts.email.set" if email else "accounts.email.remove",
        target=user,
        summary="设置接收通知的电子邮箱" if email else "不再通过电子邮件接收通知",
        before={"email": before},
        after={"email": mask_email(email)},
        request=request,
    )


@transaction.atomic
def _phone_user(phone: str, phone_hash: str) -> User:
    user = User.objects.filter(phone_hash=phone_hash, is_staff=False).first()
    if user is None:
        user = User(username=f"p{phone_hash[:20]}")
        user.set_phone(phone)
        user.set_unusable_password()
        user.save()
        person = Person.objects.filter(phone_hash=phone_hash, user__isnull=True).first()
        if person is not None:
            person.user = user
            person.save(update_fields=["user"])
            user.display_name = person.real_name
            user.save(update_fields=["display_name"])
    return user


@transaction.atomic
def applicant_identity_bind(*, user: User, real_name: str, id_number: str) -> Person:
    """实名: attach a real name and ID number to a phone login (once); never to staff."""
    if user.is_staff:
        raise AccountsError("staff_account", _("工作人员账号不能实名登记为申请人。"), "id_number")
    existing = getattr(user, "person", None)
    if existing is not None:
        raise AccountsError("already_bound", _("该账号已完成实名登记。"), "id_number")
    number = _clean_id_number(id_number)
    person = Person.objects.select_for_update().filter(id_number_hash=lookup_hash(number)).first()
    if person is not None:
        if person.user_id is not None:
            raise AccountsError(
                "id_taken", _("该公民身份号码已绑定其他账号，请联系窗口。"), "id_number"
            )
        if person.real_name != " ".join(real_name.split()):
            raise AccountsError("name_mismatch", _("姓名与登记信息不一致。"), "real_name")
        if not person.phone_hash or person.phone_hash != user.phone_hash:
            # Registered at a window: only the phone left there may claim the record online.
            raise AccountsError(
                "phone_mismatch",
                _("该身份已在窗口登记，请用登记时留下的手机号码登录，或到窗口核实身份。"),
                "id_number",
            )
        person.user = user
        person.save()
    else:
        person = person_register(real_name=real_name, id_number=number, phone=user.phone, user=user)
    user.display_name = person.real_name
    user.save(update_fields=["display_name"])
    from onetrip.audit.services import audit_append

    audit_append(
        actor=user,
        action="accounts.identity.bind",
        target=person,
        summary=f"{person.real_name} 完成实名登记",
    )
    return person


# ------------------------------------------------------------------ staff login


def _credential(user: User) -> StaffCredential:
    credential, _ = StaffCredential.objects.get_or_create(user=user)
    return credential


def staff_locked_until(*, user: User) -> dt.datetime | None:
    credential = StaffCredential.objects.filter(user=user).first()
    if credential and credential.locked_until and credential.locked_until > timezone.now():
        return credential.locked_until
    return None


@transaction.atomic
def staff_login_failure(*, user: User, request=None) -> None:
    """Count a failed password or code; lock the account after repeated failures (audited)."""
    credential = StaffCredential.objects.select_for_update().get(pk=_credential(user).pk)
    credential.failed_attempts += 1
    fields = ["failed_attempts"]
    if credential.failed_attempts >= STAFF_MAX_FAILURES:
        credential.locked_until = timezone.now() + STAFF_LOCK
        credential.failed_attempts = 0
        fields.append("locked_until")
        from onetrip.audit.services import audit_append

        audit_append(
            actor=None,
            action="accounts.staff.locked",
            target=user,
            request=request,
            summary=f"工作人员 {user.username} 连续登录失败，账号锁定 15 分钟",
        )
    credential.save(update_fields=fields)


def staff_login_success(*, user: User) -> None:
    StaffCredential.objects.filter(user=user).update(failed_attempts=0, locked_until=None)


def staff_totp_secret(*, user: User) -> str:
    """The user's TOTP secret, created on first use (to be confirmed with a first code)."""
    credential = _credential(user)
    if not credential.totp_secret:
        credential.totp_secret = pyotp.random_base32()
        credential.save(update_fields=["totp_secret"])
    return credential.totp_secret


def staff_totp_uri(*, user: User) -> str:
    return pyotp.TOTP(staff_totp_secret(user=user)).provisioning_uri(
        name=user.username, issuer_name="onetrip"
    )


@transaction.atomic
def staff_totp_verify(*, user: User, code: str) -> bool:
    """Check a TOTP code once (a used time step cannot be replayed)."""
    credential = StaffCredential.objects.select_for_update().get(pk=_credential(user).pk)
    if not credential.totp_secret:
        return False
    totp = pyotp.TOTP(credential.totp_secret)
    code = compact(code)
    if not re.fullmatch(r"[0-9]{6}", code):
        return False  # (and nothing non-ASCII reaches compare_digest, which refuses it)
    now = timezone.now()
    for offset in (0, -1, 1):
        at = now + dt.timedelta(seconds=30 * offset)
        step = totp.timecode(at)
        if step > credential.last_totp_step and hmac.compare_digest(totp.at(at), code):
            credential.last_totp_step = step
            if credential.totp_confirmed_at is None:
                credential.totp_confirmed_at = now
            credential.save(update_fields=["last_totp_step", "totp_confirmed_at"])
            return True
    return False


def demo_totp_code(*, user: User) -> str | None:
    """The current code, shown on the login page only in the embedded demo."""
    if not getattr(settings, "ONETRIP_DEMO", False):
        return None
    credential = StaffCredential.objects.filter(user=user).first()
    return (
        pyotp.TOTP(credential.totp_secret).now() if credential and credential.totp_secret else None
    )

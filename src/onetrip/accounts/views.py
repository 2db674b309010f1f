"""Sign-in: applicants by phone and one-time code, staff by password and TOTP."""

from __future__ import annotations

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onetrip.accounts import services
from onetrip.accounts.models import User
from onetrip.core.clientaddr import client_ip
from onetrip.core.crypto import mask_email, mask_phone


def _next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return target
    return default


def applicant_login(request: HttpRequest) -> HttpResponse:
    """Step 1: the phone number; a code is sent by SMS."""
    error, phone, code_pending = "", "", False
    if request.method == "POST":
        phone = request.POST.get("phone", "")
        try:
            sent = services.login_code_send(phone=phone, source_ip=client_ip(request))
        except services.AccountsError as exc:
            error = exc.message
            # Asked again within the minute: the code already sent still works.
            code_pending = exc.code == "too_soon" and services.login_code_pending(
                phone=phone, sent_to=request.session.get("login_phone")
            )
        else:
            request.session["login_phone"] = sent.phone
            return redirect(f"{reverse('accounts:login_code')}?next={_next(request, '/me/')}")
    return render(
        request,
        "accounts/login_phone.html",
        {
            "error": error,
            "phone": phone,
            "next": _next(request, "/me/"),
            "code_pending": code_pending,
        },
    )


def applicant_login_code(request: HttpRequest) -> HttpResponse:
    """Step 2: the code from the SMS (shown on screen in the embedded demo)."""
    phone = request.session.get("login_phone")
    if not phone:
        return redirect("accounts:login")
    error = ""
    if request.method == "POST":
        try:
            user = services.login_code_verify(phone=phone, code=request.POST.get("code", ""))
        except services.AccountsError as exc:
            error = exc.message
        else:
            request.session.pop("login_phone", None)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            target = _next(request, "/me/")
            if getattr(user, "person", None) is None:
                return redirect(f"{reverse('accounts:identity')}?next={target}")
            return HttpResponseRedirect(target)
    demo_code = None
    if settings.ONETRIP_DEMO:
        from onetrip.notifications.selectors import sandbox_sms_latest

        sms = sandbox_sms_latest(phone=phone)
        demo_code = sms.body if sms else None
    return render(
        request,
        "accounts/login_code.html",
        {
            "error": error,
            "phone_masked": mask_phone(phone),
            "demo_sms": demo_code,
            "next": _next(request, "/me/"),
        },
    )


@login_required
def identity(request: HttpRequest) -> HttpResponse:
    """实名登记: name and 公民身份号码, once per account."""
    if getattr(request.user, "person", None) is not None:
        return HttpResponseRedirect(_next(request, "/me/"))
    errors: dict[str, str] = {}
    values = {"real_name": "", "id_number": ""}
    if request.method == "POST":
        values = {k: request.POST.get(k, "").strip() for k in values}
        try:
            services.applicant_identity_bind(user=request.user, **values)
        except services.AccountsError as exc:
            errors[exc.field or "real_name"] = exc.message
        else:
            return HttpResponseRedirect(_next(request, "/me/"))
    return render(
        request,
        "accounts/identity.html",
        {"errors": errors, "values": values, "next": _next(request, "/me/")},
    )


@login_required
def contact(request: HttpRequest) -> HttpResponse:
    """通知方式: the site inbox and the login phone always; an e-mail address once verified."""
    user = request.user
    errors: dict[str, str] = {}
    values = {"email": ""}
    if request.method == "POST":
        form = request.POST.get("form", "")
        try:
            if form == "send":
                values["email"] = request.POST.get("email", "").strip()[:300]
                services.email_code_send(
                    user=user, email=values["email"], source_ip=client_ip(request)
                )
                return redirect("accounts:contact")
            if form == "confirm":
                services.email_code_confirm(
                    user=user, code=request.POST.get("code", ""), request=request
                )
                messages.success(request, _("邮箱已验证，今后的办件通知也会发到该邮箱。"))
                return redirect("accounts:contact")
            if form == "remove":
                services.email_remove(user=user, request=request)
                messages.success(request, _("已不再通过电子邮件通知您。"))
                return redirect("accounts:contact")
        except services.AccountsError as exc:
            errors[exc.field or "email"] = exc.message
    pending = services.email_pending(user=user)
    if pending and not values["email"]:
        values["email"] = pending.email  # their own address: "resend" sends to it again
    demo_email, demo_inbox = None, []
    if settings.ONETRIP_DEMO:  # the sandbox "sent" them: show what arrived
        from onetrip.notifications.selectors import sandbox_email_latest, sandbox_email_recent

        sent = (
            sandbox_email_latest(email=pending.email, since=pending.created_at) if pending else None
        )
        demo_email = sent.body if sent else None
        demo_inbox = sandbox_email_recent(email=user.email)
    return render(
        request,
        "accounts/contact.html",
        {
            "nav": "me",
            "errors": errors,
            "values": values,
            "phone_masked": mask_phone(user.phone),
            "email_masked": mask_email(user.email),
            "pending_masked": mask_email(pending.email) if pending else "",
            "demo_email": demo_email,
            "demo_inbox": demo_inbox,
        },
        status=400 if errors else 200,
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    staff = request.user.is_authenticated and request.user.is_staff
    logout(request)
    return redirect("accounts:staff_login" if staff else "portal:home")


def staff_login(request: HttpRequest) -> HttpResponse:
    """Staff step 1: user name and password (locked after repeated failures)."""
    error = ""
    if request.method == "POST":
        username = request.POST.get("username", "").strip()
        user = User.objects.filter(username=username, is_staff=True, is_active=True).first()
        locked = services.staff_locked_until(user=user) if user else None
        if locked:
            error = _("账号已暂时锁定，请于 {time} 后再试。").format(
                time=f"{locked.astimezone():%H:%M}"
            )
        elif user and authenticate(
            request, username=username, password=request.POST.get("password", "")
        ):
            request.session["staff_pending"] = user.pk
            return redirect(
                f"{reverse('accounts:staff_totp')}?next={_next(request, '/workbench/')}"
            )
        else:
            if user:
                services.staff_login_failure(user=user, request=request)
            error = _("用户名或密码不正确。")
    return render(
        request,
        "accounts/staff_login.html",
        {"error": error, "next": _next(request, "/workbench/")},
    )


def staff_totp(request: HttpRequest) -> HttpResponse:
    """Staff step 2: the authenticator code; first time, bind the authenticator by QR code."""
    user = User.objects.filter(pk=request.session.get("staff_pending"), is_staff=True).first()
    if user is None:
        return redirect("accounts:staff_login")
    error = ""
    if request.method == "POST":
        if services.staff_locked_until(user=user):
            error = _("账号已暂时锁定，请稍后再试。")
        elif services.staff_totp_verify(user=user, code=request.POST.get("code", "")):
            services.staff_login_success(user=user)
            request.session.pop("staff_pending", None)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return HttpResponseRedirect(_next(request, "/workbench/"))
        else:
            services.staff_login_failure(user=user, request=request)
            error = _("动态验证码不正确或已使用，请输入验证器上的最新 6 位数字。")
    credential = getattr(user, "credential", None)
    enrolled = bool(credential and credential.totp_confirmed_at)
    qr_svg = secret = ""
    if not enrolled:
        secret = services.staff_totp_secret(user=user)
        qr_svg = segno.make(services.staff_totp_uri(user=user)).svg_inline(scale=4)
    return render(
        request,
        "accounts/staff_totp.html",
        {
            "error": error,
            "enrolled": enrolled,
            "qr_svg": qr_svg,
            "secret": secret,
            "demo_code": services.demo_totp_code(user=user),
            "next": _next(request, "/workbench/"),
            "staff_user": user,
        },
    )

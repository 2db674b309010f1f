from django.urls import path

from onetrip.accounts import api

urlpatterns = [
    path("auth/login-code/", api.LoginCode.as_view(), name="api-login-code"),
    path("auth/token/", api.TokenIssue.as_view(), name="api-token"),
    path("auth/token/revoke/", api.TokenRevoke.as_view(), name="api-token-revoke"),
    path("me/identity/", api.Identity.as_view(), name="api-identity"),
    path("me/email/", api.NoticeEmail.as_view(), name="api-email"),
    path("me/email/confirm/", api.NoticeEmailConfirm.as_view(), name="api-email-confirm"),
]

"""API tokens that end: a token signs in for ``ONETRIP_API_TOKEN_DAYS`` after it is issued."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from onetrip.accounts.services import token_expired


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing a token past its lifetime (``token_expired``)."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            raise exceptions.AuthenticationFailed(
                _("认证令牌已过期，请重新登录以取得新的令牌。"), code="token_expired"
            )
        return user, token

"""API tokens that expire: ``UNIBRIDGE_TOKEN_TTL_DAYS`` after they were issued (0: never).

One rule, ``token_expired``, read by the authentication class every API request goes
through and by the view that hands tokens out (``accounts.views.ObtainExpiringAuthToken``
replaces an expired token). No views imported here: DRF imports this module while its
own views module is still loading."""

from __future__ import annotations

import datetime
import hashlib

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from cooperation import readers


def token_expires_at(token: Token) -> datetime.datetime | None:
    """When ``token`` stops working; None when tokens never expire."""
    days = settings.UNIBRIDGE_TOKEN_TTL_DAYS
    if not days:
        return None
    return token.created + datetime.timedelta(days=days)


def token_expired(token: Token, *, now: datetime.datetime | None = None) -> bool:
    expires_at = token_expires_at(token)
    return expires_at is not None and (now or timezone.now()) >= expires_at


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's ``Authorization: Token <key>``, refused with 401 once the token has expired."""

    def authenticate_credentials(self, key):
        # Kept until a token, a user or a role changes (cooperation.readers): an API
        # request costs no query for its token.
        digest = hashlib.sha256(key.encode()).hexdigest()
        user, token = readers.kept(
            "token",
            digest,
            lambda: super(ExpiringTokenAuthentication, self).authenticate_credentials(key),
        )
        if token_expired(token):
            raise exceptions.AuthenticationFailed(
                _(
                    "Token expired (tokens last %(days)d days). Get a new one: POST your user "
                    "name and password to /api/auth/token/."
                )
                % {"days": settings.UNIBRIDGE_TOKEN_TTL_DAYS}
            )
        return user, token

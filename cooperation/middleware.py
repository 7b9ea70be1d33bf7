"""Public read as a setting: with ``UNIBRIDGE_PUBLIC_READ`` off, every page asks for a login."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

# Paths that answer anonymous visitors themselves: the admin has its own login page, the
# API answers 401 (its permission class reads the same setting), the health check and the
# language switch must work signed out, a new user sets their password at /accounts/ before
# they can log in, and static files are public by nature.
OPEN_PREFIXES = ("/accounts/", "/admin/", "/api/", "/health/", "/i18n/")


class PublicReadMiddleware:
    """Sends anonymous visitors of the pages to the login page when public read is off."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            not getattr(settings, "UNIBRIDGE_PUBLIC_READ", False)
            and not request.user.is_authenticated
            and not request.path_info.startswith(
                (*OPEN_PREFIXES, "/" + (settings.STATIC_URL or "static/").lstrip("/"))
            )
        ):
            return redirect_to_login(request.get_full_path())
        return self.get_response(request)

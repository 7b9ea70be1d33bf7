"""Every API error in one format: RFC 9457 problem details (``application/problem+json``).

::

    {"type": "urn:unibridge:problem:invalid", "title": "Invalid input", "status": 400,
     "detail": "...", "code": "invalid", "instance": "/api/agreements/",
     "errors": [{"pointer": "/parties/0/institution", "code": "required", "detail": "..."}]}

``code`` is stable (clients branch on it, ``detail`` is translated prose); field errors are
a list, each with a JSON pointer into the request body (``pointer``) or, for a query
parameter, its name (``parameter``). drf-standardized-errors turns every exception into a
flat list of errors (``parties.0.institution``); the formatter below writes that list as a
problem. Extension members: ``referenced_by`` (a delete refused because others reference
the record), and the report of a refused import or signing session (``rows`` ...).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.encoding import force_str
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from drf_standardized_errors.formatter import ExceptionFormatter
from drf_standardized_errors.handler import ExceptionHandler
from rest_framework import exceptions, permissions, renderers, serializers, status
from rest_framework.response import Response
from rest_framework.settings import api_settings

from .models import EditConflict, conflict_message

logger = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:unibridge:problem:"

# Short, stable summaries per status; ``detail`` says what happened this time.
TITLES: Mapping[int, Any] = {
    400: _("Invalid request"),
    401: _("Not signed in"),
    403: _("Not allowed"),
    404: _("Not found"),
    405: _("Method not allowed"),
    406: _("Format not available"),
    409: _("Conflict"),
    412: _("Precondition failed"),
    415: _("Unsupported media type"),
    428: _("Precondition required"),
    429: _("Too many requests"),
    500: _("Server error"),
}


def problem_type(code: str) -> str:
    return f"{TYPE_PREFIX}{code}"


def problem_body(
    status_code: int,
    code: str,
    detail: Any,
    *,
    errors: list[dict[str, Any]] | None = None,
    instance: str | None = None,
    **extensions: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": problem_type(code),
        "title": force_str(TITLES.get(status_code, _("Error"))),
        "status": status_code,
        "detail": force_str(detail),
        "code": code,
    }
    if instance:
        body["instance"] = instance
    if errors is not None:
        body["errors"] = errors
    body.update(extensions)
    return body


def problem_response(
    status_code: int,
    code: str,
    detail: Any,
    *,
    request=None,
    errors: list[dict[str, Any]] | None = None,
    **extensions: Any,
) -> Response:
    """A problem as a DRF response, for views that answer a refusal themselves (a refused
    import or signing session carries its report as extension members)."""
    if request is not None:
        json_for_errors(request)
    return Response(
        problem_body(
            status_code,
            code,
            detail,
            errors=errors,
            instance=getattr(request, "path", None),
            **extensions,
        ),
        status=status_code,
        content_type=PROBLEM_MEDIA_TYPE,
    )


def json_for_errors(request) -> None:
    """An error is JSON whatever the client asked for (a spreadsheet, the browsable API)."""
    if request is not None:
        request.accepted_renderer = renderers.JSONRenderer()
        request.accepted_media_type = PROBLEM_MEDIA_TYPE


# ----------------------------------------------------------------------------- exceptions


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The request conflicts with the record's current state.")
    default_code = "conflict"

    def __init__(self, detail=None, code=None, **extensions: Any) -> None:
        super().__init__(detail, code)
        self.extensions = extensions


class ProblemFormatter(ExceptionFormatter):
    """drf-standardized-errors' flat list of errors, written as an RFC 9457 problem."""

    def run(self) -> dict[str, Any]:
        exc = self.exc
        request = self.context.get("request")
        in_query = request is not None and request.method in permissions.SAFE_METHODS
        errors = [error_item(error, in_query=in_query) for error in self.get_errors()]
        if isinstance(exc, exceptions.ValidationError):
            if len(errors) == 1:
                detail = errors[0]["detail"]
            elif in_query:
                detail = _("Some query parameters are not valid.")
            else:
                detail = _("The request has errors; each is listed with where it is.")
            return problem_body(
                exc.status_code,
                "invalid",
                detail,
                errors=errors,
                instance=getattr(request, "path", None),
            )
        code = exc.get_codes() if not isinstance(exc.detail, list | dict) else exc.default_code
        if not isinstance(code, str):
            code = exc.default_code
        detail = exc.detail if isinstance(exc.detail, str) else exc.default_detail
        return problem_body(
            exc.status_code,
            code,
            detail,
            instance=getattr(request, "path", None),
            **getattr(exc, "extensions", {}),
        )


def error_item(error: Any, *, in_query: bool) -> dict[str, Any]:
    """``parties.0.institution`` -> ``{"pointer": "/parties/0/institution", ...}``; an error
    of the whole record (``non_field_errors``) points at the record (``""``, or the item)."""
    parts = [part for part in (error.attr or "").split(".") if part]
    if parts and parts[-1] == api_settings.NON_FIELD_ERRORS_KEY:
        parts = parts[:-1]
    item: dict[str, Any] = {}
    if in_query and parts:
        item["parameter"] = ".".join(parts)
    else:
        item["pointer"] = "".join(
            "/" + part.replace("~", "~0").replace("/", "~1") for part in parts
        )
    item["code"] = error.code
    item["detail"] = error.detail
    return item


class ProblemExceptionHandler(ExceptionHandler):
    """drf-standardized-errors' handler, plus what the register raises: an edit conflict
    and a still-referenced record are 409s, a database refusal or a model ValidationError a
    400; every error answers ``application/problem+json``."""

    def convert_known_exceptions(self, exc: Exception) -> Exception:
        if isinstance(exc, EditConflict):
            return Conflict(conflict_message(), code="edit_conflict")
        if isinstance(exc, ProtectedError | RestrictedError):
            referencing = (
                exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
            )
            return Conflict(
                _("This record is still referenced by other records; change or delete them first."),
                code="referenced",
                referenced_by=[
                    {"type": obj._meta.model_name, "id": obj.pk, "label": str(obj)}
                    for obj in list(referencing)[:20]
                ],
            )
        if isinstance(exc, IntegrityError):
            logger.warning("API write refused by the database: %s", exc)
            return exceptions.ValidationError(
                {
                    api_settings.NON_FIELD_ERRORS_KEY: [
                        gettext(
                            "The database refused the change: it conflicts with existing records."
                        )
                    ]
                },
                code="integrity",
            )
        if isinstance(exc, DjangoValidationError):
            return exceptions.ValidationError(serializers.as_serializer_error(exc))
        return super().convert_known_exceptions(exc)

    def get_response(self, exc: exceptions.APIException, data: dict) -> Response:
        json_for_errors(self.context.get("request"))
        return Response(
            data,
            status=exc.status_code,
            headers=self.get_headers(exc),
            content_type=PROBLEM_MEDIA_TYPE,
        )


def exception_handler(exc: Exception, context: Mapping[str, Any]) -> Response | None:
    return ProblemExceptionHandler(exc, context).run()  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- Django level


def django_problem(request, status_code: int, code: str, detail: Any) -> JsonResponse:
    """A problem answered outside DRF (an unknown /api/ path, a server error)."""
    return JsonResponse(
        problem_body(status_code, code, detail, instance=request.path),
        status=status_code,
        content_type=PROBLEM_MEDIA_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )


@csrf_exempt
def api_fallback(request, *args, **kwargs):
    """The last route under /api/: an address without its trailing slash is served (a
    write: Django's APPEND_SLASH cannot redirect a POST) or redirected (a read); any other
    unknown address is a JSON 404, never Django's HTML page."""
    path = request.path_info
    if not path.endswith("/"):
        try:
            match = resolve(path + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not api_fallback:
            if request.method in ("GET", "HEAD"):
                query = request.META.get("QUERY_STRING", "")
                return HttpResponsePermanentRedirect(
                    request.path + "/" + (f"?{query}" if query else "")
                )
            request.resolver_match = match
            return match.func(request, *match.args, **match.kwargs)
    return django_problem(
        request, 404, "not_found", _("There is no API endpoint at this address; see /api/docs/.")
    )


def server_error(request, *args, **kwargs):
    """Django's 500 page, or a problem under /api/ (DEBUG off; with DEBUG the traceback)."""
    if request.path.startswith("/api/"):
        return django_problem(request, 500, "server_error", _("Server error."))
    return defaults.server_error(request, *args, **kwargs)

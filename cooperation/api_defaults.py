"""The DRF defaults that settings name directly: the permission rule, the pagination and
the ordering filter.

They live apart from ``api.py`` because DRF imports them while it is still importing its own
views; this module must therefore never import ``rest_framework.views`` (nor
``rest_framework.generics``), directly or through drf-spectacular.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, filters, negotiation, pagination, permissions, throttling
from rest_framework.settings import api_settings

from . import paging


class PublicReadModelPermissions(permissions.DjangoModelPermissions):
    """Reading is open to anyone while ``UNIBRIDGE_PUBLIC_READ`` is on, else to signed-in
    users; writing needs the model's add / change / delete permission."""

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            user = request.user
            return bool(
                getattr(settings, "UNIBRIDGE_PUBLIC_READ", False)
                or (user and user.is_authenticated)
            )
        return super().has_permission(request, view)

    def has_object_permission(self, request, view, obj) -> bool:
        # A university editor writes only inside their scope (cooperation.roles).
        if request.method in permissions.SAFE_METHODS:
            return True
        from .roles import object_in_scope  # keeps this module's imports to DRF's own

        return object_in_scope(obj, request.user)


class PageNumberPagination(pagination.PageNumberPagination):
    """``page`` and ``page_size``: a size that is not a whole number from 1 to the cap the
    list pages share (``cooperation.paging``) is a 400 naming ``page_size``."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = paging.MAX_PAGE_SIZE
    django_paginator_class = paging.CountingPaginator

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        # Beside count: false when counting stopped at the bound (paging.CountingPaginator).
        count = response.data.pop("count")
        exact = self.page.paginator.count_is_exact
        response.data = {"count": count, "count_exact": exact, **response.data}
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["required"] = [*schema["required"], "count_exact"]
        schema["properties"]["count"]["description"] = force_str(
            _("How many rows match; with count_exact false, at least this many.")
        )
        schema["properties"] = {
            "count": schema["properties"]["count"],
            "count_exact": {
                "type": "boolean",
                "description": force_str(
                    _(
                        "false when counting stopped at a bound because an exact count "
                        "would take too long: narrow the filters to reach the rows past it."
                    )
                ),
            },
            **schema["properties"],
        }
        return schema

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        try:
            return paging.page_size(raw, default=self.page_size)
        except DjangoValidationError as error:
            raise exceptions.ValidationError(
                {self.page_size_query_param: list(error.messages)}
            ) from None

    def get_page_number(self, request, paginator) -> int | str:
        raw = request.query_params.get(self.page_query_param) or 1
        if raw in self.last_page_strings:
            return raw
        try:
            number = int(raw)
        except (TypeError, ValueError):
            number = 0
        if number < 1:
            raise exceptions.ValidationError(
                {self.page_query_param: [_("Give a whole number of 1 or more, or “last”.")]}
            )
        return number

    def get_schema_operation_parameters(self, view) -> list[dict[str, Any]]:
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": force_str(_("A page number of the result set.")),
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": force_str(
                    _("Rows per page, from 1 to %(max)s (default %(default)s).")
                    % {"default": self.page_size, "max": self.max_page_size}
                ),
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]


class OrderingFilter(filters.OrderingFilter):
    """``ordering=-signed_on,title`` (or the parameter repeated, as generated clients send
    a list: ``ordering=-signed_on&ordering=title``); an unknown field is a 400, and ties
    are broken by id so that pages never overlap. A translated field (a title, a city)
    sorts by what the reader is shown, in the reader's alphabet, as the pages do."""

    def filter_queryset(self, request, queryset, view):
        from .translations import shown_ordering

        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        return queryset.order_by(*(shown_ordering(queryset.model, name) for name in ordering))

    def get_ordering(self, request, queryset, view) -> Sequence[str] | None:
        params = ",".join(request.query_params.getlist(self.ordering_param))
        if params:
            fields = [param.strip() for param in params.split(",") if param.strip()]
            valid = {
                name for name, _label in self.get_valid_fields(queryset, view, {"request": request})
            }
            unknown = [field for field in fields if field.lstrip("-") not in valid]
            if unknown:
                raise exceptions.ValidationError(
                    {
                        self.ordering_param: [
                            _("Cannot order by %(fields)s; choose among %(valid)s.")
                            % {"fields": ", ".join(unknown), "valid": ", ".join(sorted(valid))}
                        ]
                    }
                )
            if fields:
                if not {"id", "-id", "pk", "-pk"} & set(fields):
                    fields.append("id")
                return fields
        return self.get_default_ordering(view)

    def get_schema_operation_parameters(self, view) -> list[dict[str, Any]]:
        names = [name for name in getattr(view, "ordering_fields", None) or () if name != "__all__"]
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": force_str(
                    _(
                        "Fields to order by, comma-separated or the parameter repeated; a "
                        "leading “-” reverses one."
                    )
                ),
                "schema": {
                    "type": "array",
                    "items": {"type": "string", "enum": [*names, *(f"-{name}" for name in names)]},
                },
                "style": "form",
                "explode": False,
            }
        ]


class ContentNegotiation(negotiation.DefaultContentNegotiation):
    """``?format=`` that the endpoint does not offer is a 406 naming the formats it does
    (DRF's own answer is a bare 404, as if the record did not exist)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except Http404:
            offered = sorted({renderer.format for renderer in renderers} - {"api"})
            raise exceptions.NotAcceptable(
                _("Unknown format “%(format)s”; this endpoint offers %(offered)s.")
                % {
                    "format": request.query_params.get(api_settings.URL_FORMAT_OVERRIDE)
                    or format_suffix,
                    "offered": ", ".join(offered),
                }
            ) from None


class _SettingsRate:
    """The rate of ``settings.UNIBRIDGE_API_RATES[scope]``, read on each request (DRF's
    own throttles read theirs once, at import); None: no limit."""

    scope: str

    def get_rate(self) -> str | None:
        return getattr(settings, "UNIBRIDGE_API_RATES", {}).get(self.scope)


class AnonRateThrottle(_SettingsRate, throttling.AnonRateThrottle):
    """Anonymous clients, per IP address: 429 with Retry-After past the rate."""


class UserRateThrottle(_SettingsRate, throttling.UserRateThrottle):
    """Signed-in clients (token or session), per account."""


def parse_instant(name: str, raw: str) -> datetime.datetime:
    """An ISO 8601 date-time of a query parameter (without an offset: the site's time
    zone); anything else is a 400 naming the parameter."""
    try:
        value = parse_datetime(raw.strip())
    except ValueError:
        value = None
    if value is None:
        raise exceptions.ValidationError(
            {name: [_("Give an ISO 8601 date and time, e.g. 2025-04-06T10:00:00Z.")]}
        )
    try:
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        # In UTC: databases refuse offsets past ±15:59 that ISO 8601 allows.
        return value.astimezone(datetime.UTC)
    except (OverflowError, ValueError):
        raise exceptions.ValidationError(
            {name: [_("This date and time is out of range.")]}
        ) from None


class UpdatedAfterFilter(filters.BaseFilterBackend):
    """``updated_after=2025-04-06T10:00:00Z`` on every list: the records created or
    changed after that instant (``updated_at``), for a mirror that syncs what changed;
    deletions are in ``/api/deletions/``."""

    param = "updated_after"

    def filter_queryset(self, request, queryset, view):
        raw = request.query_params.get(self.param)
        if raw is None or getattr(view, "action", None) != "list":
            return queryset
        return queryset.filter(updated_at__gt=parse_instant(self.param, raw))

    def get_schema_operation_parameters(self, view) -> list[dict[str, Any]]:
        return [
            {
                "name": self.param,
                "required": False,
                "in": "query",
                "description": force_str(
                    _(
                        "Only records created or changed after this instant (ISO 8601; "
                        "without an offset, the site's time zone). Deleted records: "
                        "/api/deletions/."
                    )
                ),
                "schema": {"type": "string", "format": "date-time"},
            }
        ]

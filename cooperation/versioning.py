"""No lost updates, the same way for every versioned model (``VersionedModel``): in the admin
(the form carries the version it was opened at) and in the API (``version`` in the body,
409 when stale; or ``If-Match`` with the ETag of a read, 412 when stale; every API resource
answers ETags and conditional requests, ``VersionedViewSetMixin``)."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, renderers, serializers, status
from rest_framework.response import Response

from .models import EditConflict, conflict_message

# ----------------------------------------------------------------------------- admin


class VersionedModelForm(forms.ModelForm):
    """A model form carrying the version it was opened at: a save after someone else's
    save is refused with a message instead of overwriting their change."""

    # Not the model's field (which is not editable): the version the form was opened at.
    opened_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "opened_version" in self.fields:  # not when the admin shows the form read-only
            self.fields["opened_version"].initial = self.instance.version

    def clean(self):
        cleaned_data = super().clean()
        opened_at = cleaned_data.get("opened_version")
        if self.instance.pk and opened_at is not None:
            if opened_at != self.instance.version:
                raise ValidationError(conflict_message(), code="edit_conflict")
            # Saved from the version the form was opened at, so that a save landing between
            # this check and ours is still caught by the model (EditConflict).
            self.instance.version = opened_at
        return cleaned_data


class VersionedAdminMixin:
    """For a ModelAdmin of a versioned model: the form field that carries the version (add
    ``opened_version`` to a fieldset, or let ``get_fieldsets`` add it), and a conflict that
    slips between the form's check and the save ends as a message, with nothing saved."""

    form = VersionedModelForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if any("opened_version" in _flat(opts["fields"]) for _name, opts in fieldsets):
            return fieldsets
        return [*fieldsets, (None, {"fields": ["opened_version"], "classes": ["hidden"]})]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except EditConflict:
            # The admin's transaction rolled back: say so where the user is.
            self.message_user(request, conflict_message(), level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


def _flat(fields) -> list[str]:
    flat: list[str] = []
    for item in fields:
        flat.extend(item if isinstance(item, list | tuple) else [item])
    return flat


# ----------------------------------------------------------------------------- API


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _(
        "Someone else saved this record after you read it (the If-Match version is "
        "stale). Read it again, then make your change."
    )
    default_code = "precondition_failed"


class VersionedSerializerMixin(serializers.Serializer):
    """``version`` in the representation; sent back with a change, a stale one is a 409."""

    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=_(
            "The version this copy was read at; send it back with a change, and the change is "
            "refused with 409 if someone else saved the record in between. Or send the ETag "
            "header of your read back as If-Match: a stale one is refused with 412."
        ),
    )

    def validate(self, attrs):
        expected = attrs.pop("version", None)
        if expected is not None and self.instance is not None:
            if expected != self.instance.version:
                raise EditConflict(self.instance)
            # Saved from the version the client read, so a save in between is caught.
            self.instance.version = expected
        return super().validate(attrs)


class MalformedPrecondition(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _(
        'The If-Match or If-None-Match header is malformed: give "*" or one or more '
        "quoted ETags from an earlier read, separated by commas."
    )
    default_code = "malformed_precondition"


# An entity tag as RFC 9110 spells it: an optional W/ and a quoted string.
_ETAG = re.compile(r'\s*(W/)?"([\x21\x23-\x7e\x80-\xff]*)"\s*')


def representation_etag(data: Any) -> str:
    """The ETag of a representation: a SHA-256 of its JSON (rendered the same way each
    time), so it changes whenever anything the reader sees changes (a related record's
    name, what this reader may see), not only when the row's version does."""
    body = renderers.JSONRenderer().render(data)
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def parse_etags(header: str) -> list[tuple[bool, str]] | None:
    """``If-Match`` / ``If-None-Match``: None for ``*``, else the (weak, tag) pairs; a
    header that is neither is a 400 (``MalformedPrecondition``)."""
    if header.strip() == "*":
        return None
    tags = []
    for part in header.split(","):
        if not part.strip():
            continue
        match = _ETAG.fullmatch(part)
        if match is None:
            raise MalformedPrecondition()
        tags.append((bool(match.group(1)), f'"{match.group(2)}"'))
    if not tags:
        raise MalformedPrecondition()
    return tags


class VersionedViewSetMixin:
    """Conditional requests on one record, for every API resource (``ModelViewSet``):

    - an ``ETag`` on a read of one record and on the 200/201 of a write: the hash of the
      representation (``representation_etag``);
    - ``If-None-Match`` on a read: 304 when the client's copy is current;
    - ``If-Match`` on PUT, PATCH, DELETE (and the actions in ``if_match_actions``): 412
      when the record changed since that read, 400 when the header is malformed.

    A versioned model's ``version`` in the body is checked too (409, the serializer's).
    """

    if_match_actions: tuple[str, ...] = ("update", "partial_update", "destroy")

    def etag(self, obj) -> str:
        return representation_etag(self.get_serializer(obj).data)

    def check_if_match(self, request, obj) -> None:
        """``If-Match`` with an ETag from an earlier read: a write from an older copy is
        refused with 412, as HTTP's conditional requests say (strong comparison: a weak
        tag never matches)."""
        header = request.headers.get("If-Match")
        if header is None:
            return
        tags = parse_etags(header)
        if tags is None:
            return
        current = self.etag(obj)
        if not any(not weak and tag == current for weak, tag in tags):
            raise PreconditionFailed()

    def get_object(self):
        obj = super().get_object()
        if self.request.method in ("PUT", "PATCH", "DELETE"):
            self.check_if_match(self.request, obj)
        return obj

    def retrieve(self, request, *args, **kwargs):
        header = request.headers.get("If-None-Match")
        tags = parse_etags(header) if header is not None else []
        response = super().retrieve(request, *args, **kwargs)
        etag = representation_etag(response.data)
        if tags is None or any(tag == etag for _weak, tag in tags or ()):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        response["ETag"] = etag
        return response

    def create(self, request, *args, **kwargs):
        response = super().create(request, *args, **kwargs)
        response["ETag"] = representation_etag(response.data)
        return response

    def update(self, request, *args, **kwargs):
        response = super().update(request, *args, **kwargs)
        response["ETag"] = representation_etag(response.data)
        return response

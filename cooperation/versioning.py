"""No lost updates, the same way for every versioned model (``VersionedModel``): in the admin
(the form carries the version it was opened at) and in the API (``version`` in the body,
409 when stale; or ``If-Match`` with the ETag of a read, 412 when stale)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers, status

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
            "refused with 409 if someone else saved the record in between. The ETag header "
            "carries the same (use If-Match for 412)."
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


class VersionedViewSetMixin:
    """ETag on reads and writes of one record; ``If-Match`` on PUT, PATCH and DELETE."""

    def etag(self, obj) -> str:
        return f'"{obj.version}"'

    def check_if_match(self, request, obj) -> None:
        """``If-Match`` with an ETag from an earlier read: a write from an older version is
        refused with 412, as HTTP's conditional requests say."""
        header = request.headers.get("If-Match")
        if not header or header.strip() == "*":
            return
        tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
        if self.etag(obj) not in tags:
            raise PreconditionFailed()

    def get_object(self):
        obj = super().get_object()
        if self.request.method in ("PUT", "PATCH", "DELETE"):
            self.check_if_match(self.request, obj)
        return obj

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        if "version" in getattr(response, "data", {}):
            response["ETag"] = f'"{response.data["version"]}"'
        return response

    def update(self, request, *args, **kwargs):
        response = super().update(request, *args, **kwargs)
        if "version" in getattr(response, "data", {}):
            response["ETag"] = f'"{response.data["version"]}"'
        return response

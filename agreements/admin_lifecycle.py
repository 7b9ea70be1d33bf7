"""Back office: "Renew…" and "Terminate…" on an agreement's change page, and the read-only
list of expiry alerts sent (``manage.py notify_expiring``)."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from cooperation.roles import scoped_to

from .choices import AgreementStatus
from .lifecycle import (
    agreement_renew,
    agreement_terminate,
    can_be_renewed,
    can_be_terminated,
    renewal_pending,
)
from .models import Agreement, ExpiryNotice


class RenewForm(forms.Form):
    title = forms.CharField(
        label=capfirst(_("title")),
        max_length=500,
        required=False,
        help_text=_("Left empty, the renewal keeps the title of the agreement it renews."),
        widget=forms.TextInput(attrs={"class": "vTextField"}),
    )
    reference_code = forms.CharField(
        label=capfirst(_("reference code")), max_length=64, required=False
    )
    status = forms.ChoiceField(
        label=capfirst(_("status")),
        choices=[
            (AgreementStatus.SIGNED, AgreementStatus.SIGNED.label),
            (AgreementStatus.IN_EFFECT, AgreementStatus.IN_EFFECT.label),
            (AgreementStatus.DRAFT, AgreementStatus.DRAFT.label),
        ],
        initial=AgreementStatus.SIGNED,
    )
    signed_on = forms.DateField(
        label=capfirst(_("signed on")), required=False, widget=AdminDateWidget
    )
    valid_from = forms.DateField(label=capfirst(_("valid from")), widget=AdminDateWidget)
    valid_until = forms.DateField(
        label=capfirst(_("valid until")),
        required=False,
        widget=AdminDateWidget,
        help_text=_("Empty for an open-ended agreement."),
    )
    copy_conditions = forms.BooleanField(
        label=capfirst(_("copy the cooperation conditions")),
        required=False,
        initial=True,
        help_text=_("Places and levels are kept; the academic years follow the new validity."),
    )
    opened_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    fieldsets = [
        (None, {"fields": ["title", "reference_code", "status"]}),
        (_("Dates"), {"fields": ["signed_on", ("valid_from", "valid_until")]}),
        (None, {"fields": ["copy_conditions", "opened_version"]}),
    ]


class TerminateForm(forms.Form):
    terminated_on = forms.DateField(label=capfirst(_("terminated on")), widget=AdminDateWidget)
    reason = forms.CharField(
        label=capfirst(_("reason for termination")),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4, "class": "vLargeTextField"}),
        help_text=_("Who ended it and why, as the notice or the source says."),
    )
    opened_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    fieldsets = [(None, {"fields": ["terminated_on", "reason", "opened_version"]})]


def renewal_initial(agreement: Agreement, today: datetime.date) -> dict:
    """The day after the agreement ends, for as long as it ran."""
    start = agreement.valid_until + datetime.timedelta(days=1) if agreement.valid_until else today
    end = None
    if agreement.valid_from and agreement.valid_until:
        end = start + (agreement.valid_until - agreement.valid_from)
    return {
        "title": agreement.title,
        "valid_from": start,
        "valid_until": end,
        "status": AgreementStatus.SIGNED,
        "copy_conditions": True,
        "opened_version": agreement.version,
    }


def show_errors(form: forms.Form, exc: ValidationError) -> None:
    """The service's messages beside the fields they name; the rest above the form."""
    for field, errors in exc.message_dict.items():
        target = field if field in form.fields and field != NON_FIELD_ERRORS else None
        form.add_error(target, errors)


class AgreementLifecycleAdminMixin:
    """Adds the renew and terminate pages to the agreement admin, and their buttons."""

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/renew/", wrap(self.renew_view), name="{}_{}_renew".format(*info)
            ),
            path(
                "<path:object_id>/terminate/",
                wrap(self.terminate_view),
                name="{}_{}_terminate".format(*info),
            ),
            *super().get_urls(),
        ]

    def may_renew(self, request, obj: Agreement) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request, obj)

    def may_terminate(self, request, obj: Agreement) -> bool:
        return self.has_change_permission(request, obj)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        links = []
        if obj is not None and change and not scoped_to(request.user):
            info = self.opts.app_label, self.opts.model_name
            if renewal_pending(obj) and self.may_renew(request, obj):
                links.append(
                    (reverse("admin:{}_{}_renew".format(*info), args=[obj.pk]), _("Renew…"))
                )
            if can_be_terminated(obj) and self.may_terminate(request, obj):
                links.append(
                    (reverse("admin:{}_{}_terminate".format(*info), args=[obj.pk]), _("Terminate…"))
                )
        context["lifecycle_links"] = links
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _lifecycle_page(self, request, agreement, form, *, title, action, submit_label, intro):
        fieldsets = form.fieldsets
        admin_form = helpers.AdminForm(form, fieldsets, {}, model_admin=self)
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "subtitle": str(agreement),
            "opts": self.opts,
            "original": agreement,
            "agreement": agreement,
            "adminform": admin_form,
            "form": form,
            "errors": helpers.AdminErrorList(form, []),
            "media": self.media + form.media,
            "intro": intro,
            "action_name": action,
            "submit_label": submit_label,
            "change_url": self._change_url(agreement),
            "has_view_permission": True,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/agreements/agreement/lifecycle_form.html", context)

    def _agreement_or_redirect(self, request, object_id):
        agreement = self.get_object(request, unquote(object_id))
        if agreement is None:
            return None, self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return agreement, None

    def _change_url(self, agreement: Agreement) -> str:
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[agreement.pk]
        )

    def renew_view(self, request, object_id):
        agreement, redirect = self._agreement_or_redirect(request, object_id)
        if redirect:
            return redirect
        if not self.may_renew(request, agreement):
            raise PermissionDenied
        if not can_be_renewed(agreement):
            self.message_user(
                request,
                _("A draft or terminated agreement cannot be renewed."),
                level=messages.ERROR,
            )
            return HttpResponseRedirect(self._change_url(agreement))
        if request.method == "POST":
            form = RenewForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    successor = agreement_renew(
                        agreement,
                        user=request.user,
                        valid_from=data["valid_from"],
                        valid_until=data["valid_until"],
                        signed_on=data["signed_on"],
                        title=data["title"],
                        reference_code=data["reference_code"],
                        status=data["status"],
                        copy_conditions=data["copy_conditions"],
                        expected_version=data["opened_version"],
                    )
                except ValidationError as exc:
                    show_errors(form, exc)
                else:
                    self.message_user(
                        request,
                        format_html(
                            _(
                                "“{}” is renewed by this agreement. Add its signatories, "
                                "signed document and sources."
                            ),
                            agreement.localized_title(),
                        ),
                        level=messages.SUCCESS,
                    )
                    return HttpResponseRedirect(self._change_url(successor))
        else:
            form = RenewForm(initial=renewal_initial(agreement, timezone.localdate()))
        return self._lifecycle_page(
            request,
            agreement,
            form,
            title=_("Renew an agreement"),
            action="renew",
            submit_label=_("Create the renewal"),
            intro=_(
                "A new agreement is created with the same kind, level, parties, areas and "
                "parent framework, linked to this one as its renewal. Signatories, the event, "
                "the document and the sources are not copied."
            ),
        )

    def terminate_view(self, request, object_id):
        agreement, redirect = self._agreement_or_redirect(request, object_id)
        if redirect:
            return redirect
        if not self.may_terminate(request, agreement) or scoped_to(request.user):
            raise PermissionDenied
        if not can_be_terminated(agreement):
            self.message_user(
                request,
                _("Only a signed, in-effect or expired agreement can be terminated."),
                level=messages.ERROR,
            )
            return HttpResponseRedirect(self._change_url(agreement))
        if request.method == "POST":
            form = TerminateForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    agreement_terminate(
                        agreement,
                        user=request.user,
                        on=data["terminated_on"],
                        reason=data["reason"],
                        expected_version=data["opened_version"],
                    )
                except ValidationError as exc:
                    show_errors(form, exc)
                else:
                    self.message_user(
                        request,
                        format_html(
                            _("“{}” is recorded as terminated."), agreement.localized_title()
                        ),
                        level=messages.SUCCESS,
                    )
                    return HttpResponseRedirect(self._change_url(agreement))
        else:
            form = TerminateForm(
                initial={"terminated_on": timezone.localdate(), "opened_version": agreement.version}
            )
        return self._lifecycle_page(
            request,
            agreement,
            form,
            title=_("Terminate an agreement"),
            action="terminate",
            submit_label=_("Record the termination"),
            intro=_(
                "The agreement stays in the register with the status “terminated”, the date "
                "and the reason; it no longer counts as in force."
            ),
        )


@admin.register(ExpiryNotice)
class ExpiryNoticeAdmin(admin.ModelAdmin):
    """What ``notify_expiring`` sent: read-only, for ministry staff and administrators (the
    recipients are people's addresses)."""

    list_display = ("agreement_link", "threshold_days", "valid_until", "sent_at", "recipient_count")
    list_filter = ("threshold_days", "sent_at")
    search_fields = ("agreement__title", "agreement__reference_code")
    list_select_related = ("agreement",)
    date_hierarchy = "sent_at"
    fields = ("agreement_link", "threshold_days", "valid_until", "sent_at", "recipient_list")
    readonly_fields = fields
    list_per_page = 50

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return bool(
            request.user.has_perm("agreements.change_agreement")
            and request.user.has_perm("agreements.view_expirynotice")
            and not scoped_to(request.user)
        )

    @admin.display(description=_("agreement"), ordering="agreement__title")
    def agreement_link(self, obj: ExpiryNotice) -> str:
        url = reverse("admin:agreements_agreement_change", args=[obj.agreement_id])
        return format_html('<a href="{}">{}</a>', url, obj.agreement.localized_title())

    @admin.display(description=_("recipients"))
    def recipient_count(self, obj: ExpiryNotice) -> int:
        return len(obj.recipients or [])

    @admin.display(description=_("recipients"))
    def recipient_list(self, obj: ExpiryNotice) -> str:
        return ", ".join(obj.recipients or []) or "—"

"""Logging in and out of the public site, setting a password, and the recent-changes page
(the audit trail of the whole register, for staff)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import (
    LoginView,
    LogoutView,
    PasswordResetCompleteView,
    PasswordResetConfirmView,
)
from django.core.exceptions import PermissionDenied
from django.urls import NoReverseMatch, reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response

from agreements.visibility import reads_all_agreements

from .authentication import token_expired
from .selectors import changes_recent, tracked_models

PAGE_SIZE = 50
MAX_PAGE = 200  # the merge reads page x PAGE_SIZE rows per model; older changes: the admin
ACTIONS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


class ChangesFilterForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("user"), queryset=get_user_model().objects.none(), required=False
    )
    model = forms.ChoiceField(label=_("record type"), required=False)
    since = forms.DateField(
        label=_("from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    page = forms.IntegerField(min_value=1, max_value=MAX_PAGE, required=False)

    def __init__(self, *args, models_, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.models_by_label = {model._meta.label_lower: model for model in models_}
        self.fields["model"].choices = [("", _("all"))] + [
            (label, str(model._meta.verbose_name).capitalize())
            for label, model in self.models_by_label.items()
        ]
        self.fields["user"].queryset = get_user_model().objects.filter(is_staff=True)

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", _("“Until” cannot be before “from”."))
        return cleaned


def hidden_agreement_history(user) -> dict | None:
    """For a reader who does not see every agreement (a university editor): the history
    of agreements, parties and conditions only of the agreements they may read, so that
    the audit trail does not show what the register hides from them."""
    if reads_all_agreements(user):
        return None
    from django.apps import apps
    from django.db.models import Q

    agreement = apps.get_model("agreements", "Agreement")
    visible = agreement.objects.visible_to(user).values("pk")
    return {
        agreement: Q(id__in=visible),
        apps.get_model("agreements", "Party"): Q(agreement_id__in=visible),
        apps.get_model("agreements", "CooperationCondition"): Q(agreement_id__in=visible),
    }


class RecentChangesView(LoginRequiredMixin, TemplateView):
    """Every create, change and delete across the register (deleted records included:
    their history keeps the last version), newest first, filterable by user, record type
    and date; each row links to the record's full history with before/after."""

    template_name = "accounts/recent_changes.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.is_staff:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        models_ = tracked_models(self.request.user)
        form = ChangesFilterForm(self.request.GET or None, models_=models_)
        rows, total, page = [], 0, 1
        if form.is_bound and not form.is_valid():
            pass
        else:
            data = form.cleaned_data if form.is_bound else {}
            page = data.get("page") or 1
            chosen = data.get("model")
            user = data.get("user")
            changes, total = changes_recent(
                restrict=hidden_agreement_history(self.request.user),
                models_=[form.models_by_label[chosen]] if chosen else models_,
                user_id=user.pk if user else None,
                since=data.get("since"),
                until=data.get("until"),
                limit=page * PAGE_SIZE,
            )
            rows = [self.row(change) for change in changes[(page - 1) * PAGE_SIZE :]]
        query = self.request.GET.copy()
        query.pop("page", None)
        has_next = page * PAGE_SIZE < total and page < MAX_PAGE
        context.update(
            title=_("Recent changes"),
            form=form,
            rows=rows,
            total=total,
            page=page,
            previous_query=(query.urlencode() + f"&page={page - 1}") if page > 1 else None,
            next_query=(query.urlencode() + f"&page={page + 1}") if has_next else None,
        )
        return context

    def row(self, change) -> dict:
        record, opts = change.record, change.model._meta
        try:
            history_url = reverse(
                f"admin:{opts.app_label}_{opts.model_name}_history", args=[record.id]
            )
        except NoReverseMatch:
            history_url = None
        return {
            "date": record.history_date,
            "user": record.history_user,
            "action": ACTIONS.get(record.history_type, record.history_type),
            "deleted": record.history_type == "-",
            "model": str(opts.verbose_name).capitalize(),
            "label": str(record.instance),
            "history_url": history_url,
            "reason": record.history_change_reason,
        }


class AdminLookMixin:
    """Pages of the back office's login path: the admin's header and styles."""

    def get_context_data(self, **kwargs):
        return {**admin.site.each_context(self.request), **super().get_context_data(**kwargs)}


class SetPasswordView(AdminLookMixin, PasswordResetConfirmView):
    """Where the one-time link of ``accounts.services.users_password_link`` leads: the user
    chooses their password (Django's password-reset token checks the link)."""

    template_name = "accounts/set_password.html"
    success_url = reverse_lazy("password_reset_complete")


class SetPasswordDoneView(AdminLookMixin, PasswordResetCompleteView):
    template_name = "accounts/set_password_done.html"


class ObtainExpiringAuthToken(ObtainAuthToken):
    """``POST /api/auth/token/``: the user's token, a new one when theirs has expired."""

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        token = Token.objects.filter(user=user).first()
        if token is not None and token_expired(token):
            token.delete()
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class SiteLoginView(LoginView):
    """The login page in the site's own design; it returns to the page the user came from
    (``next``, kept only when it is an address of this site, as Django's
    ``url_has_allowed_host_and_scheme`` checks it)."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class SiteLogoutView(LogoutView):
    """Logs out (POST only) and returns to the page the user was on (``next``, checked the
    same way), or to the dashboard."""

"""Users in the back office, with the institutions a university editor may edit."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from universities.models import InstitutionEditor

from .services import users_password_link

User = get_user_model()


class InstitutionEditorInline(admin.TabularInline):
    model = InstitutionEditor
    fk_name = "user"
    autocomplete_fields = ("institution",)
    extra = 0
    verbose_name = _("institution this user edits")
    verbose_name_plural = _(
        "Institutions this user edits (for the “university editor” role: their profile "
        "and draft agreements they are a party to)"
    )


admin.site.unregister(User)


@admin.register(User)
class UnibridgeUserAdmin(UserAdmin):
    """Django's user admin, plus the role shown in the list and the institution links."""

    inlines = [InstitutionEditorInline]
    list_display = ("username", "email", "roles", "is_staff", "is_active", "last_login")
    list_filter = ("groups", "is_staff", "is_superuser", "is_active")
    actions = ["print_password_link"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("roles"))
    def roles(self, obj) -> str:
        return ", ".join(group.name for group in obj.groups.all()) or "—"

    @admin.action(
        description=_("Print a set-password link (one-time, 3 days)"),
        permissions=["change"],
    )
    def print_password_link(self, request, queryset) -> None:
        """Shows, for each chosen user, the one-time address where they set their password,
        for the administrator to hand over (a new account, a forgotten password). Only a
        superuser gets one for a superuser: the link takes over the account."""
        base_url = request.build_absolute_uri("/")
        for user in queryset:
            if user.is_superuser and not request.user.is_superuser:
                self.message_user(
                    request,
                    _("%(user)s is a superuser: only a superuser may get their link.")
                    % {"user": user.get_username()},
                    level=messages.ERROR,
                )
                continue
            if not user.is_active:
                self.message_user(
                    request,
                    _("%(user)s is not active: make the account active first.")
                    % {"user": user.get_username()},
                    level=messages.WARNING,
                )
                continue
            self.message_user(
                request,
                _("Set-password link for %(user)s (works once, for 3 days): %(link)s")
                % {
                    "user": user.get_username(),
                    "link": users_password_link(user=user, base_url=base_url),
                },
                level=messages.SUCCESS,
            )

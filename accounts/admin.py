"""Users in the back office, with the institutions a university editor may edit."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from universities.models import InstitutionEditor

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

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("roles"))
    def roles(self, obj) -> str:
        return ", ".join(group.name for group in obj.groups.all()) or "—"

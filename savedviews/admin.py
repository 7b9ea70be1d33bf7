from django.contrib import admin

from .models import SavedView


@admin.register(SavedView)
class SavedViewAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "page", "public", "created_at")
    list_filter = ("page", "public")
    search_fields = ("name", "owner__username")
    readonly_fields = ("token", "created_at")

from django.contrib import admin

from .models import Article, Citation


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("source", "entered_by", "created_at")
    list_select_related = ("source", "entered_by")
    search_fields = ("source__title", "text")
    readonly_fields = ("source", "text_hash", "entered_by", "created_at")


@admin.register(Citation)
class CitationAdmin(admin.ModelAdmin):
    list_display = ("source", "content_type", "object_id", "excerpt")
    list_select_related = ("source", "content_type")
    list_filter = ("content_type",)
    search_fields = ("source__title", "excerpt")

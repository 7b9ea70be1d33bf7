"""Back office for events, the officials who take part, and their roles at each event."""

from django.contrib import admin
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django_countries.filters import CountryFilter

from cooperation.admin import HistoryAdmin
from cooperation.translations import localized_order, translation_field_names, translations_form
from cooperation.versioning import VersionedAdminMixin, VersionedModelForm

from .models import Event, Participation, Person


@admin.register(Person)
class PersonAdmin(HistoryAdmin):
    list_display = ("name", "name_local", "position", "institution", "country")
    list_filter = (("country", CountryFilter),)
    search_fields = ("name", "name_local", "position", "institution__name")
    list_select_related = ("institution",)
    ordering = ("name",)
    autocomplete_fields = ("institution", "sources")
    fieldsets = [
        (None, {"fields": [("name", "name_local"), "position", ("institution", "country")]}),
        (_("Notes and sources"), {"fields": ["notes", "sources"]}),
    ]


class ParticipationInline(admin.TabularInline):
    model = Participation
    fields = ("person", "role", "position", "institution", "country")
    autocomplete_fields = ("person", "institution")
    extra = 1


class EventForm(translations_form(Event, VersionedModelForm)):
    class Meta:
        model = Event
        # The admin replaces these with the fields of its fieldsets.
        fields = ["title"]


@admin.register(Event)
class EventAdmin(VersionedAdminMixin, HistoryAdmin):
    form = EventForm
    list_display = (
        "title_column",
        "kind",
        "start_date",
        "end_date",
        "city_column",
        "country",
        "host_institution",
        "status",
        "agreement_count",
    )
    list_filter = ("kind", "status", ("country", CountryFilter))
    search_fields = ("title", "city", "description", "host_institution__name")
    list_select_related = ("host_institution",)
    date_hierarchy = "start_date"
    autocomplete_fields = ("host_institution", "organisers", "sources", "stated_figures")
    inlines = [ParticipationInline]
    fieldsets = [
        (None, {"fields": ["title", *translation_field_names("title"), ("kind", "status")]}),
        (
            _("When and where"),
            {
                "fields": [
                    ("start_date", "end_date", "date_precision"),
                    ("city", "country"),
                    *translation_field_names("city"),
                    "host_institution",
                    "organisers",
                ]
            },
        ),
        (_("Description and sources"), {"fields": ["description", "sources"]}),
        (_("Figures stated here"), {"fields": ["stated_figures"]}),
    ]

    def get_queryset(self, request):
        # The agreements app sits above this one, so count through the reverse relation's
        # name, in a subquery that keeps one row per event.
        signed = (
            Event.objects.filter(pk=OuterRef("pk"))
            .order_by()
            .annotate(n=Count("agreements"))
            .values("n")
        )
        return (
            super()
            .get_queryset(request)
            .with_related()
            .annotate(
                agreement_count=Coalesce(Subquery(signed), 0),
                shown_title=localized_order("title"),
                shown_city=localized_order("city"),
            )
        )

    @admin.display(description=_("title"), ordering="shown_title")
    def title_column(self, obj: Event) -> str:
        return obj.localized_title()

    @admin.display(description=_("city"), ordering="shown_city")
    def city_column(self, obj: Event) -> str:
        return obj.localized_city()

    @admin.display(description=_("agreements signed"), ordering="agreement_count")
    def agreement_count(self, obj: Event) -> int:
        return obj.agreement_count


@admin.register(Participation)
class ParticipationAdmin(HistoryAdmin):
    list_display = ("person", "event", "role", "position", "institution", "country")
    list_filter = ("role", ("country", CountryFilter))
    search_fields = ("person__name", "person__name_local", "event__title", "position")
    list_select_related = ("person", "event", "institution")
    autocomplete_fields = ("event", "person", "institution")
    ordering = ("-event__start_date", "event__title", "role", "person__name")

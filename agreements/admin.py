"""Back office for agreements, their parties and the mobility conditions they provide for."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_countries import countries
from import_export import resources

from cooperation.admin import (
    AgreementLinkAdminMixin,
    HistoryAdmin,
    ImportExportHistoryAdmin,
    IscedLevelsField,
    isced_levels_display,
)
from cooperation.roles import scoped_to
from cooperation.translations import localized_order, translation_field_names, translations_form
from cooperation.versioning import VersionedAdminMixin, VersionedModelForm
from universities.models import Institution

from . import rules
from .admin_lifecycle import AgreementLifecycleAdminMixin
from .choices import AgreementState, AgreementStatus, CooperationAreaCode
from .models import Agreement, CooperationArea, CooperationCondition, Party
from .visibility import agreement_visibility, may_publish


def check_endpoints_are_parties(form: forms.Form, party_ids: set[int]) -> None:
    """Flag a condition whose sending or receiving institution did not sign the agreement
    (``rules.validate_condition_endpoints``), beside the field."""
    try:
        rules.validate_condition_endpoints(
            form.cleaned_data.get("sending_institution"),
            form.cleaned_data.get("receiving_institution"),
            party_ids,
        )
    except ValidationError as exc:
        for field, errors in exc.error_dict.items():
            form.add_error(field, errors)


@admin.register(CooperationArea)
class CooperationAreaAdmin(admin.ModelAdmin):
    # A fixed code list without HistoricalRecords on the model: a plain ModelAdmin.
    list_display = ("__str__", "code", "agreement_count")
    search_fields = ("code",)
    ordering = ("code",)
    list_per_page = 50

    def get_queryset(self, request):
        used = (
            CooperationArea.objects.filter(pk=OuterRef("pk"))
            .order_by()
            .annotate(n=Count("agreements"))
            .values("n")
        )
        return super().get_queryset(request).annotate(agreement_count=Coalesce(Subquery(used), 0))

    def get_search_results(self, request, queryset, search_term):
        # Staff type the label they see ("exchange"), not the stored code.
        term = search_term.strip().casefold()
        if not term:
            return queryset, False
        codes = [
            code for code, label in CooperationAreaCode.choices if term in str(label).casefold()
        ]
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        return results | queryset.filter(code__in=codes), may_have_duplicates

    @admin.display(description=_("agreements"), ordering="agreement_count")
    def agreement_count(self, obj: CooperationArea) -> int:
        return obj.agreement_count


class PartyFormSet(BaseInlineFormSet):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The conditions formset checks its rows against the parties submitted with it, not
        # against the database; both formsets share the agreement instance, so leave a
        # reference to this formset on it.
        self.instance._admin_party_formset = self

    def submitted_institution_ids(self) -> set[int]:
        ids = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data.get("institution") and not data.get("DELETE"):
                ids.add(data["institution"].pk)
        return ids

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        submitted = [
            form.cleaned_data["institution"]
            for form in self.forms
            if getattr(form, "cleaned_data", None)
            and form.cleaned_data.get("institution")
            and not form.cleaned_data.get("DELETE")
        ]
        had = self.instance.parties.count() if self.instance.pk else None
        try:
            rules.validate_parties(submitted, had=had)
        except ValidationError as exc:
            raise ValidationError(exc.error_dict["parties"]) from exc


class PartyInline(admin.TabularInline):
    model = Party
    formset = PartyFormSet
    fields = ("institution", "signatory", "signed_on")
    autocomplete_fields = ("institution", "signatory")
    extra = 0

    def get_min_num(self, request, obj=None, **kwargs) -> int:
        # Rows offered on the form; the rule itself is rules.validate_parties (records
        # loaded from news that name a single signer stay editable until the other is known).
        if obj is None or obj.parties.count() >= rules.MIN_PARTIES:
            return rules.MIN_PARTIES
        return 0

    def get_extra(self, request, obj=None, **kwargs) -> int:
        return 1 if obj is not None else 0


class CooperationConditionForm(forms.ModelForm):
    levels = IscedLevelsField(label=_("study levels"), help_text=_("ISCED levels 5 to 8."))

    def clean_subject_areas(self):
        fields = self.cleaned_data.get("subject_areas")
        if fields:
            try:
                rules.validate_subject_areas(fields)
            except ValidationError as exc:
                raise ValidationError(exc.error_dict["subject_areas"]) from exc
        return fields

    class Meta:
        model = CooperationCondition
        fields = [
            "agreement",
            "sending_institution",
            "receiving_institution",
            "mobility_type",
            "levels",
            "subject_areas",
            "places_per_year",
            "months_per_year",
            "days_per_year",
            "first_academic_year",
            "last_academic_year",
        ]


class CooperationConditionFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        party_formset = getattr(self.instance, "_admin_party_formset", None)
        if party_formset is not None:
            party_formset.is_valid()  # cleans it if the admin has not yet
            party_ids = party_formset.submitted_institution_ids()
        elif self.instance.pk:
            party_ids = set(self.instance.parties.values_list("institution_id", flat=True))
        else:
            party_ids = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if data and not data.get("DELETE"):
                check_endpoints_are_parties(form, party_ids)


class CooperationConditionInline(admin.StackedInline):
    model = CooperationCondition
    form = CooperationConditionForm
    formset = CooperationConditionFormSet
    fields = (
        ("sending_institution", "receiving_institution"),
        "mobility_type",
        "levels",
        "subject_areas",
        ("places_per_year", "months_per_year", "days_per_year"),
        ("first_academic_year", "last_academic_year"),
    )
    autocomplete_fields = ("sending_institution", "receiving_institution", "subject_areas")
    extra = 0


class ValidityFilter(admin.SimpleListFilter):
    """The agreements' states as of today (``AgreementQuerySet``), with the one expiring
    window of ``UNIBRIDGE_EXPIRING_DAYS``."""

    title = _("state today")
    parameter_name = "validity"

    def lookups(self, request, model_admin):
        return [
            (AgreementState.IN_FORCE, AgreementState.IN_FORCE.label),
            (
                "expiring",
                _("Expiring within %(days)d days") % {"days": Agreement.expiring_days()},
            ),
            ("dormant", _("Dormant")),
            (AgreementState.NOT_YET_IN_FORCE, AgreementState.NOT_YET_IN_FORCE.label),
            (AgreementState.ENDED, AgreementState.ENDED.label),
            ("open", _("In force, open-ended")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        value = self.value()
        if value in AgreementState.values:
            return queryset.in_state(value, today=today)
        if value == "expiring":
            return queryset.expiring(today=today)
        if value == "dormant":
            return queryset.dormant(today=today)
        if value == "open":
            return queryset.in_force(today=today).filter(valid_until__isnull=True)
        return queryset


class PartyCountryFilter(admin.SimpleListFilter):
    title = _("country of a party")
    parameter_name = "party_country"

    def lookups(self, request, model_admin):
        codes = (
            Institution.objects.filter(parties__isnull=False)
            .order_by("country")
            .values_list("country", flat=True)
            .distinct()
        )
        return [(code, countries.name(code)) for code in codes]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        # A subquery rather than a join: one row per agreement however many parties match.
        signed = Party.objects.filter(institution__country=self.value()).values("agreement_id")
        return queryset.filter(pk__in=signed)


class AgreementResource(resources.ModelResource):
    class Meta:
        model = Agreement
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True


class AgreementForm(translations_form(Agreement, VersionedModelForm)):
    class Meta:
        model = Agreement
        # The admin replaces these with the fields of its fieldsets.
        fields = ["title"]


@admin.register(Agreement)
class AgreementAdmin(
    AgreementLinkAdminMixin,
    VersionedAdminMixin,
    AgreementLifecycleAdminMixin,
    ImportExportHistoryAdmin,
):
    resource_classes = [AgreementResource]
    form = AgreementForm
    # The title with the parties and what it renews beside it (Agreement.identity): the
    # titles alone repeat ("Memorandum of understanding").
    # The level is a filter and on the form: without its column the list fits at 1400 px.
    list_display = (
        "agreement_column",
        "kind",
        "status",
        "signed_on",
        "valid_until",
        "event",
        "is_public",
    )
    list_filter = (
        "status",
        "is_public",
        "kind",
        "level",
        ValidityFilter,
        PartyCountryFilter,
        "areas",
    )
    actions = ["publish", "withdraw"]
    search_fields = ("title", "reference_code", "description", "event__title")
    search_help_text = _("Title, reference code, event, or the name of a party in any script.")
    date_hierarchy = "signed_on"
    list_select_related = ("event",)
    autocomplete_fields = ("event", "parent", "renews", "sources")
    inlines = [PartyInline, CooperationConditionInline]
    save_on_top = True
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    *translation_field_names("title"),
                    "reference_code",
                    ("kind", "level", "status"),
                    "is_public",
                ]
            },
        ),
        (
            _("Dates"),
            {
                "fields": [
                    ("signed_on", "signed_precision"),
                    ("valid_from", "valid_until"),
                    ("terminated_on", "termination_reason"),
                ]
            },
        ),
        (_("Context"), {"fields": ["event", "areas", "parent", "renews"]}),
        (_("Document and sources"), {"fields": ["document", "description", "sources"]}),
        (None, {"fields": ["opened_version"], "classes": ["hidden"]}),
    ]

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status" and scoped_to(request.user):
            # A university editor proposes; the ministry signs.
            kwargs["choices"] = [(AgreementStatus.DRAFT, AgreementStatus.DRAFT.label)]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_queryset(self, request):
        # The back office hides what the public pages hide from the same user: a
        # university editor sees the public agreements and their own institutions'.
        return (
            super()
            .get_queryset(request)
            .visible_to(request.user)
            .told_apart()
            .annotate(shown_title=localized_order("title"))
        )

    # Links to other agreements (AgreementLinkAdminMixin): only to one the user may see.
    agreement_link_fields = ("parent", "renews")

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if not may_publish(request.user):
            # Publishing is the ministry's: a university editor's agreement keeps the flag
            # the model's default gives it, and they see it without changing it.
            fields += ("is_public",)
        return fields

    def has_publish_permission(self, request) -> bool:
        """The "publish" and "withdraw" actions (``agreements.visibility.may_publish``)."""
        return may_publish(request.user)

    def _set_public(self, request, queryset, value: bool) -> int:
        changed = 0
        for agreement in queryset.filter(is_public=not value):
            if not self.has_change_permission(request, agreement):
                continue
            agreement.is_public = value
            # One by one, not queryset.update(): each change gets its version and history.
            agreement._change_reason = (
                str(_("Published")) if value else str(_("Withdrawn from the public"))
            )
            agreement.save(update_fields=["is_public", "updated_at"])
            changed += 1
        return changed

    @admin.action(
        description=_("Publish the selected agreements (drafts stay hidden until signed)"),
        permissions=["publish"],
    )
    def publish(self, request, queryset):
        count = self._set_public(request, queryset, True)
        self.message_user(
            request,
            ngettext(
                "%(count)d agreement is now public.",
                "%(count)d agreements are now public.",
                count,
            )
            % {"count": count},
        )

    @admin.action(
        description=_("Withdraw the selected agreements from the public"), permissions=["publish"]
    )
    def withdraw(self, request, queryset):
        count = self._set_public(request, queryset, False)
        self.message_user(
            request,
            ngettext(
                "%(count)d agreement is now shown to signed-in staff only.",
                "%(count)d agreements are now shown to signed-in staff only.",
                count,
            )
            % {"count": count},
        )

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term.strip():
            parties = Institution.objects.search(search_term)
            signed = Party.objects.filter(institution__in=parties).values("agreement_id")
            results |= queryset.filter(pk__in=signed)
        return results, may_have_duplicates

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "areas":
            # Ten fixed areas: checkboxes are quicker to scan than a two-pane selector.
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("agreement"), ordering="shown_title")
    def agreement_column(self, obj: Agreement) -> str:
        # The parties and the renewal sit below the title (static/css/admin-unibridge.css).
        return format_html(
            '{} <span class="agreement-parties">{}</span>{}',
            obj.localized_title(),
            obj.parties_display or "—",
            format_html(' <span class="agreement-renewal">{}</span>', obj.renewal_display)
            if obj.renews_id
            else "",
        )


@admin.register(Party)
class PartyAdmin(AgreementLinkAdminMixin, HistoryAdmin):
    list_display = ("institution", "agreement", "signatory", "signed_on")
    search_fields = ("agreement__title", "agreement__reference_code", "signatory__name")
    list_select_related = ("institution", "agreement", "signatory")
    autocomplete_fields = ("agreement", "institution", "signatory")
    ordering = ("agreement__title", "institution__name")

    def get_queryset(self, request):
        return (
            super().get_queryset(request).filter(agreement_visibility(request.user, "agreement__"))
        )

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term.strip():
            results |= queryset.filter(institution__in=Institution.objects.search(search_term))
        return results, may_have_duplicates


class StandaloneCooperationConditionForm(CooperationConditionForm):
    def clean(self):
        cleaned_data = super().clean()
        agreement = cleaned_data.get("agreement")
        if agreement is not None:
            check_endpoints_are_parties(
                self, set(agreement.parties.values_list("institution_id", flat=True))
            )
        return cleaned_data


@admin.register(CooperationCondition)
class CooperationConditionAdmin(AgreementLinkAdminMixin, HistoryAdmin):
    form = StandaloneCooperationConditionForm
    list_display = (
        "agreement",
        "sending_institution",
        "receiving_institution",
        "mobility_type",
        "levels_column",
        "places_per_year",
        "first_academic_year",
        "last_academic_year",
    )
    list_filter = ("mobility_type",)
    search_fields = (
        "agreement__title",
        "sending_institution__name",
        "receiving_institution__name",
    )
    list_select_related = ("agreement", "sending_institution", "receiving_institution")
    autocomplete_fields = (
        "agreement",
        "sending_institution",
        "receiving_institution",
        "subject_areas",
    )
    ordering = ("agreement__title", "id")

    def get_queryset(self, request):
        return (
            super().get_queryset(request).filter(agreement_visibility(request.user, "agreement__"))
        )

    fieldsets = [
        (None, {"fields": ["agreement", ("sending_institution", "receiving_institution")]}),
        (_("Mobility"), {"fields": ["mobility_type", "levels", "subject_areas"]}),
        (
            _("Places and duration"),
            {
                "fields": [
                    ("places_per_year", "months_per_year", "days_per_year"),
                    ("first_academic_year", "last_academic_year"),
                ]
            },
        ),
    ]

    @admin.display(description=_("study levels"))
    def levels_column(self, obj: CooperationCondition) -> str:
        return isced_levels_display(obj.levels)

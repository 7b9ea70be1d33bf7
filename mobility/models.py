"""Scholarship programmes and their yearly places; counts of people who moved."""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from agreements.models import Agreement, validate_isced_levels
from cooperation.choices import IscedLevel, Qualifier
from cooperation.models import IscedField, Source, SourcedModel, TimeStampedModel, VersionedModel
from cooperation.translations import TRANSLATIONS_HELP, TranslationsField, localized
from universities.models import Institution

from .choices import Measure, MobilityType, ScholarshipKind, Sex

year_validators = [MinValueValidator(1950), MaxValueValidator(2100)]


def _open_to(country: str) -> Q:
    # The codes are stored comma-separated; two-letter codes cannot match across a comma.
    return Q(eligible_countries="") | Q(eligible_countries__contains=country)


class ScholarshipProgrammeQuerySet(models.QuerySet):
    def open_to(self, country: str) -> "ScholarshipProgrammeQuerySet":
        """Programmes whose eligible countries include ``country``, or that are open to
        any country (none listed)."""
        return self.filter(_open_to(country))

    def of_pair(self, country_a: str, country_b: str) -> "ScholarshipProgrammeQuerySet":
        """The scholarships of a pair of countries: funded by one of the two and held in the
        other, or open to the other's students (``open_to``)."""
        condition = Q()
        for funder, other in ((country_a, country_b), (country_b, country_a)):
            condition |= Q(funder_country=funder) & (Q(host_country=other) | _open_to(other))
        return self.filter(condition)


class ScholarshipProgramme(SourcedModel):
    """A named or governmental scholarship: a presidential award, a quota for foreign students,
    an intergovernmental quota of places per level per year."""

    name = models.CharField(_("name"), max_length=300)
    name_translations = TranslationsField(
        _("name in other languages"), of="name", help_text=TRANSLATIONS_HELP
    )
    kind = models.CharField(_("kind"), max_length=24, choices=ScholarshipKind.choices)
    funder_country = CountryField(_("funding country"))
    funder_institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="funded_scholarships",
        verbose_name=_("funding institution"),
    )
    host_country = CountryField(_("host country"))
    host_institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_scholarships",
        verbose_name=_("host institution"),
        help_text=_("When the scholarship is paid at one institution only."),
    )
    eligible_countries = CountryField(
        _("eligible countries"), multiple=True, blank=True, help_text=_("Empty: any country.")
    )
    levels = models.JSONField(
        _("levels"), default=list, blank=True, validators=[validate_isced_levels]
    )
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="scholarship_programmes",
        verbose_name=_("agreement"),
        help_text=_("The agreement that established the programme, if any."),
    )
    description = models.TextField(_("description"), blank=True)

    objects = ScholarshipProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("scholarship programme")
        verbose_name_plural = _("scholarship programmes")

    def __str__(self) -> str:
        return self.localized_name()

    def get_absolute_url(self) -> str:
        return reverse("mobility:scholarship_detail", args=[self.pk])

    def localized_name(self, language: str | None = None) -> str:
        """The name in the reader's language (``cooperation.translations``)."""
        return localized(self, "name", language)


class ScholarshipAllocation(TimeStampedModel):
    """Places of a programme offered and awarded in one year at one level."""

    programme = models.ForeignKey(
        ScholarshipProgramme,
        on_delete=models.CASCADE,
        related_name="allocations",
        verbose_name=_("programme"),
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=year_validators)
    level = models.CharField(
        _("level"), max_length=3, choices=IscedLevel.choices, default=IscedLevel.ALL
    )
    places_offered = models.PositiveIntegerField(_("places offered"), null=True, blank=True)
    places_awarded = models.PositiveIntegerField(_("places awarded"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["programme", "-year", "level"]
        verbose_name = _("scholarship allocation")
        verbose_name_plural = _("scholarship allocations")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "year", "level"],
                name="allocation_unique_year_level",
                violation_error_message=_(
                    "This programme already has places for that year and level."
                ),
            ),
            models.CheckConstraint(
                condition=Q(places_offered__isnull=False) | Q(places_awarded__isnull=False),
                name="allocation_has_a_number",
                violation_error_message=_("Give the places offered, awarded, or both."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} {self.year} ({self.get_level_display()})"


class MobilityFigureQuerySet(models.QuerySet):
    def with_related(self) -> "MobilityFigureQuerySet":
        return self.select_related(
            "home_institution", "host_institution", "field", "source", "agreement"
        )


class MobilityFigure(VersionedModel, TimeStampedModel):
    """A count of people who moved from one country to another, as one source stated it.

    Follows UNESCO UIS / OECD / Eurostat: the origin is where the people come from, the
    destination where they study or work; degree mobility (a whole programme abroad) is kept
    apart from credit mobility (a period abroad within a home programme). A stock counts the
    people present on a date; a flow counts those who moved during an academic year.
    """

    origin_country = CountryField(_("origin country"))
    destination_country = CountryField(_("destination country"))
    home_institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outbound_figures",
        verbose_name=_("home institution"),
    )
    host_institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inbound_figures",
        verbose_name=_("host institution"),
    )
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mobility_figures",
        verbose_name=_("under agreement"),
    )
    mobility_type = models.CharField(
        _("mobility type"), max_length=16, choices=MobilityType.choices
    )
    level = models.CharField(
        _("level"), max_length=3, choices=IscedLevel.choices, default=IscedLevel.ALL
    )
    field = models.ForeignKey(
        IscedField,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mobility_figures",
        verbose_name=_("ISCED-F field"),
    )
    sex = models.CharField(_("sex"), max_length=6, choices=Sex.choices, default=Sex.TOTAL)
    measure = models.CharField(_("measure"), max_length=5, choices=Measure.choices)
    year = models.PositiveSmallIntegerField(
        _("year"),
        validators=year_validators,
        help_text=_("For a stock, the year of its date; for a flow, the academic year's first."),
    )
    as_of = models.DateField(_("as of"), null=True, blank=True, help_text=_("For a stock."))
    value = models.PositiveIntegerField(_("value"))
    qualifier = models.CharField(
        _("qualifier"), max_length=10, choices=Qualifier.choices, default=Qualifier.EXACT
    )
    host_institution_count = models.PositiveIntegerField(
        _("number of host institutions"),
        null=True,
        blank=True,
        help_text=_("When stated: “333 students at 58 universities”."),
    )
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="mobility_figures", verbose_name=_("source")
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = MobilityFigureQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "origin_country", "destination_country"]
        verbose_name = _("mobility figure")
        verbose_name_plural = _("mobility figures")
        constraints = [
            models.CheckConstraint(
                condition=~Q(origin_country=F("destination_country")),
                name="mobilityfigure_origin_differs_from_destination",
                violation_error_message=_("Origin and destination must be different countries."),
            ),
            models.CheckConstraint(
                condition=Q(measure="stock") | Q(as_of__isnull=True),
                name="mobilityfigure_as_of_only_for_stock",
                violation_error_message=_("Only a stock is counted “as of” a date."),
            ),
            # One figure per combination of dimensions and source. The optional dimensions
            # are coalesced so that "no host institution" counts as a value: a plain unique
            # constraint treats NULLs as distinct on both SQLite and PostgreSQL.
            models.UniqueConstraint(
                "origin_country",
                "destination_country",
                Coalesce("home_institution", Value(0)),
                Coalesce("host_institution", Value(0)),
                "mobility_type",
                "level",
                Coalesce("field", Value(0)),
                "sex",
                "measure",
                "year",
                Coalesce("as_of", Value(datetime.date(1900, 1, 1))),
                "source",
                name="mobilityfigure_unique_dimensions_per_source",
                violation_error_message=_(
                    "This source already gives a figure for exactly these dimensions."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["origin_country", "destination_country", "year"]),
            models.Index(fields=["year"]),
        ]

    def __str__(self) -> str:
        return (
            f"{self.origin_country}→{self.destination_country} {self.year} "
            f"{self.get_mobility_type_display()}: {self.value_label}"
        )

    @property
    def value_label(self) -> str:
        """The number with its qualifier, in the reader's language: "more than 1000"."""
        return Qualifier.phrase(self.value, self.qualifier)

    def clean(self) -> None:
        super().clean()
        if self.as_of and self.year and self.as_of.year != self.year:
            raise ValidationError({"year": _("The year must be the year of the “as of” date.")})

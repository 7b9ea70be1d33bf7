"""Events where cooperation happens, and the officials who take part in them."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from cooperation.choices import DatePrecision
from cooperation.models import SourcedModel, StatedFigure, TimeStampedModel, VersionedModel
from cooperation.text import script_of, vague_date
from cooperation.translations import TRANSLATIONS_HELP, TranslationsField, localized
from universities.models import Institution

from .choices import EventKind, EventStatus, ParticipationRole

# The script of each interface language in which a person's local name is shown.
LOCAL_NAME_SCRIPTS = {"ru": "Cyrillic", "kk": "Cyrillic", "az": "Latin"}


class Person(SourcedModel):
    """A named official: a minister, rector, ambassador, consul or deputy akim."""

    name = models.CharField(_("name"), max_length=200)
    name_local = models.CharField(_("name in the original script"), max_length=200, blank=True)
    position = models.CharField(
        _("position"), max_length=300, blank=True, help_text=_("The latest known position.")
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("institution"),
    )
    country = CountryField(_("country"), blank=True, help_text=_("The country they serve."))
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        name = self.localized_name()
        return f"{name}, {self.position}" if self.position else name

    def localized_name(self, language: str | None = None) -> str:
        """The name as written locally (``name_local``, e.g. "Рашад Мамедов") to a reader
        whose language is written in the same script (Russian and Kazakh: Cyrillic;
        Azerbaijani: Latin), else the name in Latin letters as English writes it."""
        code = (language or get_language() or "en")[:2]
        script = LOCAL_NAME_SCRIPTS.get(code)
        if script and self.name_local and script_of(self.name_local) == script:
            return self.name_local
        return self.name


# Where an event shows that a country took part in it, besides the country it was held in.
EVENT_COUNTRY_LOOKUPS = (
    "host_institution__country",
    "organisers__country",
    "participations__country",
    "participations__institution__country",
    "stated_figures__country",
    "stated_figures__partner_country",
)


class EventQuerySet(models.QuerySet):
    def with_related(self) -> "EventQuerySet":
        return self.select_related("host_institution")

    def involving(self, country: str) -> "EventQuerySet":
        """Events ``country`` took part in: held there, or hosted or organised by one of its
        institutions, with a participant representing it (or from one of its institutions),
        or where a figure about it was stated."""
        taking_part = Q()
        for lookup in EVENT_COUNTRY_LOOKUPS:
            taking_part |= Q(pk__in=Event.objects.filter(**{lookup: country}).values("pk"))
        return self.filter(Q(country=country) | taking_part)

    def of_pair(self, country_a: str, country_b: str, *, reader=None) -> "EventQuerySet":
        """The events of a pair of countries: both took part (``involving``), or an
        agreement between them was signed there (of those ``reader`` may see, when given:
        ``Agreement.objects.visible_to``)."""
        # This app sits below agreements: their model is reached through the relation.
        agreements = self.model.agreements.rel.related_model.objects
        signed = agreements.all() if reader is None else agreements.visible_to(reader)
        signed_here = signed.between(country_a, country_b).filter(event__isnull=False)
        both = self.model.objects.involving(country_a) & self.model.objects.involving(country_b)
        return self.filter(Q(pk__in=both.values("pk")) | Q(pk__in=signed_here.values("event")))


class Event(VersionedModel, SourcedModel):
    """A forum, round table, signing ceremony, conference, visit or celebration."""

    title = models.CharField(_("title"), max_length=300)
    title_translations = TranslationsField(
        _("title in other languages"), of="title", help_text=TRANSLATIONS_HELP
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    date_precision = models.CharField(
        _("precision of the date"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text=_("When a source gives only a month or a year, the date is its first day."),
    )
    city = models.CharField(_("city"), max_length=120, blank=True)
    city_translations = TranslationsField(
        _("city in other languages"), of="city", help_text=TRANSLATIONS_HELP
    )
    country = CountryField(_("country"))
    host_institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_events",
        verbose_name=_("host institution"),
    )
    organisers = models.ManyToManyField(
        Institution, blank=True, related_name="organised_events", verbose_name=_("organisers")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=EventStatus.choices, default=EventStatus.HELD
    )
    description = models.TextField(_("description"), blank=True)
    participants = models.ManyToManyField(
        Person, through="Participation", related_name="events", verbose_name=_("participants")
    )
    # Declared here, not on StatedFigure: cooperation sits below events and never points up.
    stated_figures = models.ManyToManyField(
        StatedFigure,
        blank=True,
        related_name="events",
        verbose_name=_("figures stated here"),
        help_text=_("Figures announced at this event, e.g. the memoranda signed or scheduled."),
    )

    # Participations keep a history of their own (a through model with TimeStampedModel).
    _history_m2m_fields = ["sources", "organisers", "stated_figures"]

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = [F("start_date").desc(nulls_last=True), "title"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=False, end_date__gte=F("start_date")),
                name="event_end_after_start",
                violation_error_message=_("An event cannot end before it starts."),
            ),
        ]
        indexes = [models.Index(fields=["start_date"])]

    def __str__(self) -> str:
        return self.localized_title()

    def get_absolute_url(self) -> str:
        return reverse("events:event_detail", args=[self.pk])

    def localized_title(self, language: str | None = None) -> str:
        """The title in the reader's language (``cooperation.translations``)."""
        return localized(self, "title", language)

    def localized_city(self, language: str | None = None) -> str:
        return localized(self, "city", language)

    @property
    def date_display(self) -> str:
        return vague_date(self.start_date, self.date_precision)

    def clean(self) -> None:
        super().clean()
        if self.status == EventStatus.HELD and self.start_date is None:
            raise ValidationError(
                {"start_date": _("A held event needs a date, even if only its year is known.")}
            )


class Participation(TimeStampedModel):
    """A person at an event, in a role, with the position they held at that time."""

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="participations", verbose_name=_("event")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="participations", verbose_name=_("person")
    )
    role = models.CharField(
        _("role"),
        max_length=12,
        choices=ParticipationRole.choices,
        default=ParticipationRole.PARTICIPANT,
    )
    position = models.CharField(_("position at the event"), max_length=300, blank=True)
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participations",
        verbose_name=_("institution at the event"),
    )
    country = CountryField(_("country represented"), blank=True)

    class Meta:
        ordering = ["event", "role", "person__name"]
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "person", "role"],
                name="participation_unique_role",
                violation_error_message=_("This person already has this role at the event."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.person.localized_name()} — {self.get_role_display()}"

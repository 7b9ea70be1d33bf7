"""Agreements between institutions or governments, their parties and mobility conditions."""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cooperation.choices import DatePrecision, IscedLevel
from cooperation.files import validate_pdf
from cooperation.models import (
    IscedField,
    SourcedModel,
    TimeStampedModel,
    VersionedModel,
    validate_academic_year,
)
from cooperation.roles import PUBLIC_STATUSES, agreement_visibility
from cooperation.text import vague_date
from events.models import Event, Person
from universities.models import Institution

from .choices import (
    AgreementKind,
    AgreementLevel,
    AgreementStatus,
    ConditionMobilityType,
    CooperationAreaCode,
)


class CooperationArea(models.Model):
    """A field of cooperation an agreement covers (student exchange, joint research, ...)."""

    code = models.CharField(
        _("code"), max_length=32, unique=True, choices=CooperationAreaCode.choices
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("area of cooperation")
        verbose_name_plural = _("areas of cooperation")

    def __str__(self) -> str:
        return str(self.get_code_display())


def _choice_label(choices: type[models.TextChoices], value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:  # a value outside the choices shows as stored, as Django does
        return value


class AgreementQuerySet(models.QuerySet):
    def public(self) -> "AgreementQuerySet":
        """What anonymous visitors read: agreements marked public that are not drafts."""
        return self.filter(is_public=True, status__in=PUBLIC_STATUSES)

    def visible_to(self, user) -> "AgreementQuerySet":
        """The agreements ``user`` may read (``cooperation.roles.agreement_visibility``):
        every page, count, export and API answer about agreements starts here."""
        return self.filter(agreement_visibility(user))

    def with_related(self) -> "AgreementQuerySet":
        """Everything a list row shows, in a fixed number of queries."""
        return self.select_related("event", "parent", "renews").prefetch_related(
            Prefetch("parties", queryset=Party.objects.select_related("institution", "signatory")),
            "areas",
        )

    def between(self, country_a: str, country_b: str) -> "AgreementQuerySet":
        """Agreements with a party in each of two different countries, looked up in
        ``CountryPair`` (one indexed range) instead of two semi-joins over every party."""
        low, high = sorted((str(country_a), str(country_b)))
        if low == high:
            raise ValueError("between() takes two different countries")
        pairs = CountryPair.objects.filter(country=low, partner_country=high)
        return self.filter(pk__in=pairs.values("agreement"))

    def in_force(self, *, today: datetime.date) -> "AgreementQuerySet":
        """Signed or in effect, and not past their end date (open-ended ones included)."""
        return self.filter(self.in_force_condition(today=today))

    @staticmethod
    def in_force_condition(*, today: datetime.date) -> Q:
        """The condition of in_force(), to annotate with (the dashboard counts both at once)."""
        return (Q(valid_until__isnull=True) | Q(valid_until__gte=today)) & Q(
            status__in=[AgreementStatus.SIGNED, AgreementStatus.IN_EFFECT]
        )

    def dormant(self, *, today: datetime.date, years: int = 3) -> "AgreementQuerySet":
        """In force, with no mobility recorded under them, or between two of their parties,
        in the last ``years`` years."""
        # Mobility figures are declared by the mobility app, above this one: reach the model
        # through the reverse relation rather than importing upwards.
        figure = self.model._meta.get_field("mobility_figures").related_model
        recent = figure.objects.filter(year__gte=today.year - years)
        home_party = Party.objects.filter(
            agreement=OuterRef(OuterRef("pk")), institution=OuterRef("home_institution")
        )
        host_party = Party.objects.filter(
            agreement=OuterRef(OuterRef("pk")), institution=OuterRef("host_institution")
        )
        return self.in_force(today=today).exclude(
            Exists(recent.filter(agreement=OuterRef("pk")))
            | Exists(recent.filter(Exists(home_party), Exists(host_party)))
        )

    def expiring(self, *, within_days: int, today: datetime.date | None = None):
        today = today or datetime.date.today()
        return self.filter(
            status__in=[AgreementStatus.SIGNED, AgreementStatus.IN_EFFECT],
            valid_until__gte=today,
            valid_until__lte=today + datetime.timedelta(days=within_days),
        )


class Agreement(VersionedModel, SourcedModel):
    """A signed (or drafted) agreement: a memorandum, an exchange or dual-degree agreement,
    an intergovernmental framework or a protocol amending one."""

    reference_code = models.CharField(_("reference code"), max_length=64, blank=True)
    title = models.CharField(_("title"), max_length=500)
    kind = models.CharField(_("kind"), max_length=20, choices=AgreementKind.choices)
    level = models.CharField(
        _("level"),
        max_length=20,
        choices=AgreementLevel.choices,
        default=AgreementLevel.INTER_INSTITUTIONAL,
    )
    status = models.CharField(
        _("status"), max_length=10, choices=AgreementStatus.choices, default=AgreementStatus.SIGNED
    )
    event = models.ForeignKey(
        Event,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreements",
        verbose_name=_("signed at event"),
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    signed_precision = models.CharField(
        _("precision of the signing date"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text=_("When a source gives only a month or a year, the date is its first day."),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(
        _("valid until"), null=True, blank=True, help_text=_("Empty for an open-ended agreement.")
    )
    areas = models.ManyToManyField(
        CooperationArea, blank=True, related_name="agreements", verbose_name=_("areas")
    )
    _history_m2m_fields = ["sources", "areas"]
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent agreement"),
        help_text=_("The framework this protocol amends, or the agreement this one sits under."),
    )
    renews = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewals",
        verbose_name=_("renews"),
    )
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)
    termination_reason = models.TextField(_("reason for termination"), blank=True)
    document = models.FileField(
        _("signed document (PDF)"),
        upload_to="agreements/%Y/",
        blank=True,
        # Checked by content (validate_pdf); kept under MEDIA_ROOT, which is never served
        # directly: the download view checks who may read the agreement.
        validators=[FileExtensionValidator(["pdf"]), validate_pdf],
        help_text=_("A PDF file; it is checked by its content and size."),
    )
    description = models.TextField(_("description"), blank=True)
    is_public = models.BooleanField(
        _("public"),
        default=True,
        help_text=_(
            "Shown to anonymous visitors and counted on public pages. Drafts are never "
            "public; untick to keep a signed agreement to signed-in users."
        ),
    )

    objects = AgreementQuerySet.as_manager()

    @classmethod
    def editor_scope(cls, user) -> Q:
        """A university editor proposes agreements: drafts with one of their institutions
        among the parties. Signing them is the ministry's step."""
        return Q(status=AgreementStatus.DRAFT, parties__institution__editor_links__user=user)

    class Meta:
        ordering = [F("signed_on").desc(nulls_last=True), "title"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="agreement_valid_until_after_valid_from",
                violation_error_message=_("“Valid until” cannot be before “valid from”."),
            ),
            models.UniqueConstraint(
                fields=["reference_code"],
                condition=~Q(reference_code=""),
                name="agreement_unique_reference_code",
                violation_error_message=_("Another agreement already has this reference code."),
            ),
            models.CheckConstraint(
                condition=Q(status="terminated") | Q(terminated_on__isnull=True),
                name="agreement_terminated_on_only_when_terminated",
                violation_error_message=_("Only a terminated agreement has a termination date."),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "valid_until"]),
            models.Index(fields=["signed_on"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("agreements:agreement_detail", args=[self.pk])

    @property
    def signed_on_display(self) -> str:
        return vague_date(self.signed_on, self.signed_precision)

    # Django's get_FOO_display() hashes every (lazy) label of the field, translating each,
    # on every call: a profile listing 150 agreements spent 20 ms there (bench/RESULTS.md,
    # scenario 4). The choices' own label translates just the one shown.
    def get_status_display(self) -> str:
        return _choice_label(AgreementStatus, self.status)

    def get_kind_display(self) -> str:
        return _choice_label(AgreementKind, self.kind)

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.pk and self.parent_id == self.pk:
            errors["parent"] = _("An agreement cannot be its own parent.")
        if self.pk and self.renews_id == self.pk:
            errors["renews"] = _("An agreement cannot renew itself.")
        if self.status == AgreementStatus.DRAFT and self.signed_on:
            errors["signed_on"] = _("A draft has no signing date yet; change the status.")
        if self.status == AgreementStatus.TERMINATED and not self.terminated_on:
            errors["terminated_on"] = _("Give the date the agreement was terminated.")
        if self.signed_on and self.valid_until and self.valid_until < self.signed_on:
            errors["valid_until"] = _("“Valid until” cannot be before the signing date.")
        if errors:
            raise ValidationError(errors)

    @property
    def party_names(self) -> str:
        return "; ".join(party.institution.name for party in self.parties.all())


class Party(TimeStampedModel):
    """An institution that signed an agreement, with its signatory and signing date."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="parties", verbose_name=_("agreement")
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="parties", verbose_name=_("institution")
    )
    signatory = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="signed_parties",
        verbose_name=_("signatory"),
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)

    class Meta:
        ordering = ["agreement", "id"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "institution"],
                name="party_unique_institution_per_agreement",
                violation_error_message=_("This institution is already a party to the agreement."),
            )
        ]
        indexes = [
            # "The agreements of an institution" is the read path of every profile and of the
            # institution_id filter; with the agreement id in the index, PostgreSQL answers it
            # by an index-only scan instead of visiting a hub's 13,000 scattered party rows
            # (the unique constraint's index leads with the agreement, so cannot serve it).
            models.Index(fields=["institution", "agreement"], name="party_institution_agreement"),
        ]

    def __str__(self) -> str:
        return str(self.institution)

    @classmethod
    def editor_scope(cls, user) -> Q:
        return Q(
            agreement__status=AgreementStatus.DRAFT,
            agreement__parties__institution__editor_links__user=user,
        )


class CountryPair(models.Model):
    """Derived, never edited: one row per agreement and pair of different countries among
    its parties' institutions, the lower country code first.

    "The agreements between KZ and AZ" (the dashboard, ``?country_pair=``) is otherwise two
    semi-joins over every party: 0.4-0.6 s at 500,000 agreements whatever the SQL
    (bench/RESULTS.md, scenario 2); this table answers it from one index range. It is kept
    by ``agreements.pairs``: signals on parties and on an institution's country, and an
    explicit ``refresh_country_pairs()`` after writes that send no signals (bulk_create,
    COPY). ``manage.py rebuild_country_pairs`` recomputes it whole.
    """

    # No surrogate id: the row is its own key (one index fewer on 650,000 rows at size L).
    pk = models.CompositePrimaryKey("agreement", "country", "partner_country")
    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="country_pairs", db_index=False
    )
    country = models.CharField(max_length=2)
    partner_country = models.CharField(max_length=2)

    class Meta:
        verbose_name = _("country pair of an agreement")
        verbose_name_plural = _("country pairs of agreements")
        constraints = [
            models.CheckConstraint(
                condition=Q(country__lt=F("partner_country")), name="country_pair_ordered"
            ),
        ]
        indexes = [
            # The read path: a pair's agreement ids by an index-only scan.
            models.Index(
                fields=["country", "partner_country", "agreement"], name="country_pair_lookup"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id}: {self.country}-{self.partner_country}"


def validate_isced_levels(value) -> None:
    allowed = {choice for choice in IscedLevel.values if choice != IscedLevel.ALL}
    if not isinstance(value, list) or any(level not in allowed for level in value):
        raise ValidationError(
            _("Study levels are a list of ISCED levels among %(allowed)s."),
            params={"allowed": ", ".join(sorted(allowed))},
        )


class CooperationCondition(TimeStampedModel):
    """One direction of mobility an agreement provides for (after the EWP IIA model)."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="conditions", verbose_name=_("agreement")
    )
    sending_institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="sending_conditions",
        verbose_name=_("sending institution"),
    )
    receiving_institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="receiving_conditions",
        verbose_name=_("receiving institution"),
    )
    mobility_type = models.CharField(
        _("mobility type"), max_length=20, choices=ConditionMobilityType.choices
    )
    levels = models.JSONField(
        _("study levels"),
        default=list,
        blank=True,
        validators=[validate_isced_levels],
        help_text=_("ISCED levels 5 to 8."),
    )
    subject_areas = models.ManyToManyField(
        IscedField, blank=True, related_name="conditions", verbose_name=_("subject areas")
    )
    _history_m2m_fields = ["subject_areas"]
    places_per_year = models.PositiveIntegerField(_("places per year"), null=True, blank=True)
    months_per_year = models.DecimalField(
        _("total months per year"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    days_per_year = models.PositiveIntegerField(_("total days per year"), null=True, blank=True)
    first_academic_year = models.CharField(
        _("first academic year"), max_length=9, validators=[validate_academic_year]
    )
    last_academic_year = models.CharField(
        _("last academic year"), max_length=9, blank=True, validators=[validate_academic_year]
    )

    class Meta:
        ordering = ["agreement", "id"]
        verbose_name = _("cooperation condition")
        verbose_name_plural = _("cooperation conditions")
        constraints = [
            models.CheckConstraint(
                condition=~Q(sending_institution=F("receiving_institution")),
                name="condition_sending_differs_from_receiving",
                violation_error_message=_("Sending and receiving institutions must differ."),
            ),
            models.CheckConstraint(
                condition=Q(last_academic_year="")
                | Q(last_academic_year__gte=F("first_academic_year")),
                name="condition_last_year_after_first",
                violation_error_message=_("The last academic year cannot precede the first."),
            ),
            models.CheckConstraint(
                condition=Q(months_per_year__isnull=True) | Q(months_per_year__gte=0),
                name="condition_months_not_negative",
                violation_error_message=_("Months per year cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sending_institution} → {self.receiving_institution}"

    @classmethod
    def editor_scope(cls, user) -> Q:
        return Q(
            agreement__status=AgreementStatus.DRAFT,
            agreement__parties__institution__editor_links__user=user,
        )


class ExpiryNotice(models.Model):
    """An expiry alert that went out: one per agreement, threshold and end date, so that the
    daily ``notify_expiring`` never sends the same alert twice. A new end date (the
    agreement was extended) makes a new alert possible."""

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="expiry_notices",
        verbose_name=_("agreement"),
    )
    threshold_days = models.PositiveSmallIntegerField(
        _("threshold (days)"), help_text=_("The alert said: ends within this many days.")
    )
    valid_until = models.DateField(
        _("valid until"), help_text=_("The end date the agreement had when the alert was sent.")
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    recipients = models.JSONField(
        _("recipients"), default=list, blank=True, help_text=_("E-mail addresses written to.")
    )

    class Meta:
        ordering = ["-sent_at", "agreement"]
        verbose_name = _("expiry alert")
        verbose_name_plural = _("expiry alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "threshold_days", "valid_until"],
                name="expirynotice_once_per_threshold_and_end_date",
                violation_error_message=_("This alert was already sent."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.agreement} · {self.threshold_days} · {self.valid_until}"

"""Agreements between institutions or governments, their parties and mobility conditions."""

import calendar
import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MinValueValidator
from django.db import connections, models
from django.db.models import (
    Case,
    ExpressionWrapper,
    F,
    Prefetch,
    Q,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cooperation import paging
from cooperation.choices import DatePrecision, IscedLevel
from cooperation.files import validate_pdf
from cooperation.models import (
    IscedField,
    SourcedModel,
    TimeStampedModel,
    VersionedModel,
    validate_academic_year,
)
from cooperation.search import Casefold, WordSimilar, fuzzy
from cooperation.text import casefold, search_form, search_forms, vague_date
from cooperation.translations import (
    TRANSLATIONS_HELP,
    TranslationsField,
    localized,
    translated_texts,
    translation_languages,
)
from events.models import Event, Participation, Person
from universities.models import Institution, spelled_condition

from . import rules
from .choices import (
    ENDED_STATUSES,
    PUBLIC_STATUSES,
    SIGNED_STATUSES,
    AgreementKind,
    AgreementLevel,
    AgreementState,
    AgreementStatus,
    ConditionMobilityType,
    CooperationAreaCode,
)
from .visibility import agreement_visibility


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
        """The agreements ``user`` may read (``agreements.visibility.agreement_visibility``):
        every page, count, export and API answer about agreements starts here."""
        return self.filter(agreement_visibility(user))

    def search(self, query: str) -> "AgreementQuerySet":
        """Agreements where every word of ``query`` occurs in the title (or one of its
        translations, ``cooperation.translations``) or the reference code, or in a name of
        a party (any language or script), as the directory finds a word in a name
        (``universities.models.spelled_condition``): a generic word also finds its other
        spellings ("университет" finds "University"). Each word is looked for, folded
        (``cooperation.text.search_form``: "Алматы" finds Almaty in a title as in a
        name), in the agreement's ``SearchKey``: one ``LIKE`` on one column, served by
        its trigram index on PostgreSQL (issue 18), the list's own filters and order
        staying on the agreements.

        On PostgreSQL a word that no key holds is taken for a misspelling: it finds the
        titles and the parties' names with a word like it ("Almatty" finds Almaty;
        pg_trgm word similarity, ``cooperation.search``), looked up through the titles'
        and the institutions' own trigram indexes, on texts shorter than a key. SQLite
        matches words as typed only."""
        keys = SearchKey.objects.all()
        any_word = False
        for word in dict.fromkeys(query.split()):
            form = search_form(word)
            if not form:  # punctuation alone: nothing to look for
                continue
            any_word = True
            spelled = spelled_condition("key", form)
            if fuzzy() and not SearchKey.objects.filter(spelled).exists():
                keys = keys.filter(agreement__in=self._like(word, form))
            else:
                keys = keys.filter(spelled)
        if not any_word:
            return self
        return paging.searched(self.filter(pk__in=keys.values("agreement")))

    @staticmethod
    def _like(word: str, form: str):
        """The ids of the agreements with a title (or a translation of it) or a party's
        name holding a word like ``word`` (``form``, folded, for the names), as a union
        of index scans."""
        title_like = Q(WordSimilar(Casefold(F("title")), casefold(word)))
        for text in translated_texts("title"):
            title_like |= Q(WordSimilar(Casefold(text), casefold(word)))
        named = Institution.objects.filter(WordSimilar(F("search_text"), form))
        return (
            Agreement.objects.order_by()
            .filter(title_like)
            .values("pk")
            .union(
                Party.objects.order_by().filter(institution__in=named).values("agreement"),
                all=True,
            )
        )

    def with_related(self) -> "AgreementQuerySet":
        """Everything a list row shows, in a fixed number of queries."""
        return self.select_related("event", "parent", "renews").prefetch_related(
            Prefetch("parties", queryset=Party.objects.select_related("institution", "signatory")),
            "areas",
        )

    def told_apart(self) -> "AgreementQuerySet":
        """What a list needs to tell agreements of one title apart (``parties_display``,
        ``renewal_display``): the parties with their names in every
        language, the agreement renewed, the event; in a fixed number of queries."""
        return self.select_related("event", "renews").prefetch_related(
            Prefetch(
                "parties",
                queryset=Party.objects.select_related("institution").prefetch_related(
                    "institution__names"
                ),
            )
        )

    def between(self, country_a: str, country_b: str) -> "AgreementQuerySet":
        """Agreements with a party in each of two different countries, looked up in
        ``CountryPair`` (one indexed range) instead of two semi-joins over every party."""
        low, high = sorted((str(country_a), str(country_b)))
        if low == high:
            raise ValueError("between() takes two different countries")
        pairs = CountryPair.objects.filter(country=low, partner_country=high)
        return self.filter(pk__in=pairs.values("agreement"))

    # ------------------------------------------------------------------ states
    #
    # Where an agreement stands on a day, defined here once. Every page, filter, export,
    # dashboard number, e-mail and API filter reads these methods; nothing else compares
    # status strings or end dates with today.
    #
    # - draft: not signed yet;
    # - in force: signed or in effect, started (``valid_from`` on or before today; without
    #   one, signed on or before today; with neither date, the status is taken at its
    #   word), not past ``valid_until`` (open-ended when empty), not expired or terminated;
    # - not yet in force: signed or in effect, starting after today (a renewal signed now
    #   that takes effect in 2029);
    # - ended: expired or terminated, or past ``valid_until``;
    # - expiring: in force and ending within ``UNIBRIDGE_EXPIRING_DAYS`` days;
    # - dormant: see ``dormant()``.

    @staticmethod
    def started_condition(*, today: datetime.date) -> Q:
        """Took effect on or before ``today`` (see above)."""
        return (
            Q(valid_from__lte=today)
            | Q(valid_from__isnull=True, signed_on__lte=today)
            | Q(valid_from__isnull=True, signed_on__isnull=True)
        )

    @staticmethod
    def not_ended_condition(*, today: datetime.date) -> Q:
        return Q(valid_until__isnull=True) | Q(valid_until__gte=today)

    @staticmethod
    def state_conditions(*, today: datetime.date) -> dict[str, Q]:
        """Each ``AgreementState`` as a condition; exactly one holds for any agreement."""
        signed = Q(status__in=SIGNED_STATUSES) & AgreementQuerySet.not_ended_condition(today=today)
        return {
            AgreementState.DRAFT: Q(status=AgreementStatus.DRAFT),
            AgreementState.IN_FORCE: signed & AgreementQuerySet.started_condition(today=today),
            AgreementState.NOT_YET_IN_FORCE: signed
            & (Q(valid_from__gt=today) | Q(valid_from__isnull=True, signed_on__gt=today)),
            AgreementState.ENDED: Q(status__in=ENDED_STATUSES)
            | Q(status__in=SIGNED_STATUSES, valid_until__lt=today),
        }

    @staticmethod
    def in_force_condition(*, today: datetime.date) -> Q:
        """The condition of in_force(), to annotate with (the dashboard counts both at once)."""
        return AgreementQuerySet.state_conditions(today=today)[AgreementState.IN_FORCE]

    @staticmethod
    def expiring_condition(*, today: datetime.date, within_days: int | None = None) -> Q:
        """In force and ending within ``within_days`` days (``UNIBRIDGE_EXPIRING_DAYS``
        unless given: the register's "expiring within" filter takes any number)."""
        days = expiring_days() if within_days is None else within_days
        return AgreementQuerySet.in_force_condition(today=today) & Q(
            valid_until__lte=today + datetime.timedelta(days=days)
        )

    def in_state(self, *states: str, today: datetime.date | None = None) -> "AgreementQuerySet":
        conditions = self.state_conditions(today=today or timezone.localdate())
        wanted = Q()
        for state in states:
            wanted |= conditions[AgreementState(state)]
        return self.filter(wanted)

    def with_state(self, *, today: datetime.date | None = None) -> "AgreementQuerySet":
        """Each agreement with its ``state`` (an ``AgreementState`` value) and whether it
        is ``expiring``, computed by the database from the conditions above."""
        today = today or timezone.localdate()
        conditions = self.state_conditions(today=today)
        return self.annotate(
            state=Case(
                *(When(condition, then=Value(state)) for state, condition in conditions.items()),
                default=Value(AgreementState.ENDED),
                output_field=models.CharField(),
            ),
            expiring=ExpressionWrapper(
                self.expiring_condition(today=today), output_field=models.BooleanField()
            ),
        )

    def in_force(self, *, today: datetime.date | None = None) -> "AgreementQuerySet":
        return self.in_state(AgreementState.IN_FORCE, today=today)

    def not_yet_in_force(self, *, today: datetime.date | None = None) -> "AgreementQuerySet":
        return self.in_state(AgreementState.NOT_YET_IN_FORCE, today=today)

    def ended(self, *, today: datetime.date | None = None) -> "AgreementQuerySet":
        return self.in_state(AgreementState.ENDED, today=today)

    def expiring(
        self, *, within_days: int | None = None, today: datetime.date | None = None
    ) -> "AgreementQuerySet":
        today = today or timezone.localdate()
        return self.filter(self.expiring_condition(today=today, within_days=within_days))

    def dormant(self, *, today: datetime.date | None = None) -> "AgreementQuerySet":
        """In force, signed more than ``UNIBRIDGE_DORMANT_MONTHS`` months ago (or, with no
        signing date, taking effect then) and with no activity since that day: no mobility
        figure under it or between two of its parties for that year or later, no
        scholarship programme it established with places for such a year, no renewal or
        protocol under it signed since, and no event held since (up to today) at which two
        of its parties were present (as host, organiser or through a participant).
        ``DORMANT_DEFINITION`` says the same to readers."""
        today = today or timezone.localdate()
        since = dormant_since(today)
        return (
            self.in_force(today=today)
            .filter(Q(signed_on__lt=since) | Q(signed_on__isnull=True, valid_from__lt=since))
            .exclude(pk__in=self._active_since(since, today))
        )

    def _active_since(self, since: datetime.date, today: datetime.date) -> RawSQL:
        """The ids of the agreements with activity since ``since`` (``dormant``'s list), as
        one uncorrelated subquery: each kind of activity is found once for the whole
        register and joined, never probed agreement by agreement (at size L, probing the
        events and figures per agreement took 300 s for the dashboard's 11,860)."""
        # Figures and scholarships are declared by the mobility app, above this one: reach
        # their models through the reverse relations rather than importing upwards.
        figure = self.model._meta.get_field("mobility_figures").related_model
        programme = self.model._meta.get_field("scholarship_programmes").related_model
        under_figure = figure.objects.filter(year__gte=since.year, agreement__isnull=False)
        # A figure between two of its parties: one party at the figure's home institution,
        # another of the same agreement at its host institution.
        between_parties = Party.objects.filter(
            institution__outbound_figures__year__gte=since.year,
            agreement__parties__institution=F("institution__outbound_figures__host_institution"),
        )
        with_places = programme.objects.filter(
            agreement__isnull=False, allocations__year__gte=since.year
        )
        successors = self.model.objects.exclude(status=AgreementStatus.DRAFT).filter(
            Q(signed_on__gte=since) | Q(signed_on__isnull=True, valid_from__gte=since)
        )
        # Who was present at an event held since (up to today): its host, its organisers,
        # the institutions of its participants.
        held = Event.objects.filter(start_date__gte=since, start_date__lte=today)
        organisers = Event.organisers.through.objects.filter(event__in=held)
        participations = Participation.objects.filter(event__in=held, institution__isnull=False)
        presence = (
            held.filter(host_institution__isnull=False)
            .order_by()
            .annotate(p_event=F("pk"), p_institution=F("host_institution"))
            .values_list("p_event", "p_institution")
            .union(
                organisers.order_by()
                .annotate(p_event=F("event"), p_institution=F("institution"))
                .values_list("p_event", "p_institution"),
                participations.order_by()
                .annotate(p_event=F("event"), p_institution=F("institution"))
                .values_list("p_event", "p_institution"),
            )
        )
        parts = [
            under_figure.values("agreement"),
            between_parties.values("agreement"),
            with_places.values("agreement"),
            successors.filter(renews__isnull=False).values("renews"),
            successors.filter(parent__isnull=False).values("parent"),
        ]
        sql, params = [], []
        for part in parts:
            part_sql, part_params = part.order_by().query.sql_with_params()
            sql.append(part_sql)
            params.extend(part_params)
        presence_sql, presence_params = presence.query.sql_with_params()
        party = connections[self.db].ops.quote_name(Party._meta.db_table)
        # Two different institutions of one agreement present at the same event.
        sql.append(
            f"SELECT a.agreement_id FROM ({presence_sql}) p1"
            f" JOIN ({presence_sql}) p2 ON p1.p_event = p2.p_event"
            f" AND p1.p_institution < p2.p_institution"
            f" JOIN {party} a ON a.institution_id = p1.p_institution"
            f" JOIN {party} b ON b.agreement_id = a.agreement_id"
            f" AND b.institution_id = p2.p_institution"
        )
        params.extend([*presence_params, *presence_params])
        return RawSQL(
            " UNION ".join(f"SELECT * FROM ({part}) s{i}" for i, part in enumerate(sql)), params
        )


def expiring_days() -> int:
    """How near its end an agreement in force counts as expiring (one setting)."""
    return int(settings.UNIBRIDGE_EXPIRING_DAYS)


def dormant_since(today: datetime.date) -> datetime.date:
    """The day ``UNIBRIDGE_DORMANT_MONTHS`` months before ``today`` (the last day of a
    shorter month when the day does not exist: 31 March less a month is 28/29 February)."""
    months = today.year * 12 + today.month - 1 - int(settings.UNIBRIDGE_DORMANT_MONTHS)
    year, month = divmod(months, 12)
    month += 1
    day = min(today.day, calendar.monthrange(year, month)[1])
    return datetime.date(year, month, day)


def dormant_definition() -> str:
    """What "dormant" means, for the pages that offer it."""
    return _(
        "Dormant: in force, signed more than %(months)d months ago, and with nothing since "
        "then: no mobility figure under it or between two of its parties, no scholarship "
        "places under it, no renewal or protocol signed, no event at which two of its "
        "parties met."
    ) % {"months": int(settings.UNIBRIDGE_DORMANT_MONTHS)}


class Agreement(VersionedModel, SourcedModel):
    """A signed (or drafted) agreement: a memorandum, an exchange or dual-degree agreement,
    an intergovernmental framework or a protocol amending one."""

    reference_code = models.CharField(_("reference code"), max_length=64, blank=True)
    title = models.CharField(_("title"), max_length=500)
    title_translations = TranslationsField(
        _("title in other languages"), of="title", help_text=TRANSLATIONS_HELP
    )
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
    # For the apps below this one, which reach the model through relations and may not
    # import it: the states and the expiring window.
    State = AgreementState

    @staticmethod
    def expiring_days() -> int:
        return expiring_days()

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
        return self.localized_title()

    def get_absolute_url(self) -> str:
        return reverse("agreements:agreement_detail", args=[self.pk])

    def localized_title(self, language: str | None = None) -> str:
        """The title in the reader's language (``cooperation.translations``)."""
        return localized(self, "title", language)

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

    @property
    def current_state(self) -> str:
        """Its ``AgreementState`` today: the ``state`` that ``with_state()`` annotated, or
        else read by the same conditions (one query)."""
        if "state" not in self.__dict__:
            if self.pk is None:
                raise ValueError("an unsaved agreement has no state yet")
            self.__dict__["state"] = (
                type(self).objects.with_state().filter(pk=self.pk).values_list("state", flat=True)
            ).get()
        return self.__dict__["state"]

    def get_current_state_display(self) -> str:
        return _choice_label(AgreementState, self.current_state)

    @property
    def in_force_today(self) -> bool:
        return self.current_state == AgreementState.IN_FORCE

    @property
    def state_summary(self) -> str:
        """Its state today, in lower case, with the status that ended it ("ended:
        terminated"), or "draft"."""
        state = self.get_current_state_display().lower()
        if self.current_state == AgreementState.ENDED and self.status in ENDED_STATUSES:
            return f"{state}: {self.get_status_display().lower()}"
        return state

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

    # ------------------------------------------------------------ telling apart
    #
    # Many agreements share a title ("Memorandum of understanding"), and a renewal has the
    # title of the original: every list shows the parties beside the title and what a
    # renewal renews. Pages use templates/agreements/includes/agreement_name.html, the
    # register's table and the admin's list their own cells; all read the two properties
    # below. Load the rows with ``Agreement.objects.told_apart()`` (or ``with_related()``).

    @property
    def parties_display(self) -> str:
        """The parties as a reader tells them apart: "KazNU (KZ); ADA University (AZ)"."""
        return "; ".join(
            f"{party.institution.localized_name()} ({party.institution.country.code})"
            for party in self.parties.all()
        )

    @property
    def renewal_display(self) -> str:
        """ "renewal of “Memorandum of understanding” (2020)", or "" for an agreement that
        renews none."""
        if self.renews_id is None:
            return ""
        renewed = self.renews
        if renewed.signed_on:
            return _("renewal of “%(title)s” (%(signed)s)") % {
                "title": renewed.localized_title(),
                "signed": renewed.signed_on_display,
            }
        return _("renewal of “%(title)s”") % {"title": renewed.localized_title()}


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


class SearchKey(models.Model):
    """Derived, never edited: the folded words an agreement is found by in the register's
    search (``AgreementQuerySet.search``): its title, each translation of it and its
    reference code (``cooperation.text.search_forms``: folded, so that "Алматы" finds
    "Almaty"), and the names of its parties' institutions (their ``search_text``).

    One row per agreement, so that a word is one ``LIKE`` on one column, served by one
    trigram index on PostgreSQL (``agreements.0013``), instead of five ``LIKE``s on the
    agreement and a look-up of its parties on each row: a word in most agreements'
    parties' names took 0.3-1.1 s to be counted up to 10,001 at 500,000 agreements
    (issue 18). It is kept by ``agreements.keys``: signals on agreements, parties and an
    institution's names, and an explicit ``refresh_search_keys()`` after writes that send
    no signals (bulk_create, COPY). ``manage.py rebuild_search_keys`` recomputes it whole.
    """

    agreement = models.OneToOneField(
        Agreement, on_delete=models.CASCADE, primary_key=True, related_name="search_key"
    )
    key = models.TextField()

    class Meta:
        verbose_name = _("search key of an agreement")
        verbose_name_plural = _("search keys of agreements")

    def __str__(self) -> str:
        return f"{self.agreement_id}: {self.key}"

    @staticmethod
    def build(
        *, title: str, translations: dict | None, reference_code: str, party_texts: list[str]
    ) -> str:
        """The key of an agreement with these texts and parties (their institutions'
        ``search_text``)."""
        translated = translations or {}
        texts = [title, *(translated.get(code) for code in translation_languages()), reference_code]
        forms = [form for text in texts if text for form in search_forms(str(text))]
        return " | ".join(dict.fromkeys([*forms, *(text for text in party_texts if text)]))

    @classmethod
    def of(cls, agreement: "Agreement", party_texts: list[str]) -> str:
        return cls.build(
            title=agreement.title,
            translations=agreement.title_translations,
            reference_code=agreement.reference_code,
            party_texts=party_texts,
        )


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
        IscedField,
        blank=True,
        related_name="conditions",
        verbose_name=_("subject areas"),
        help_text=_("ISCED-F 2013 narrow (3 digits) or detailed (4 digits) fields."),
    )
    _history_m2m_fields = ["subject_areas"]
    places_per_year = models.PositiveIntegerField(
        _("places per year"), null=True, blank=True, validators=[rules.validate_places_per_year]
    )
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

    def clean(self) -> None:
        super().clean()
        # The agreement is not known yet while the API validates a nested condition before
        # its agreement is written; the rule runs again when it is (write_nested).
        known = bool(self.agreement_id) or CooperationCondition.agreement.is_cached(self)
        rules.validate_academic_years(
            self.first_academic_year,
            self.last_academic_year,
            agreement_ends=self.agreement.valid_until if known else None,
            agreement_known=known,
        )

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

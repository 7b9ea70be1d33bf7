"""Institutions that sign agreements, and every name they are known by."""

from itertools import islice

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import connection, models, transaction
from django.db.models import Count, Expression, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.db.models.query import ModelIterable
from django.db.models.signals import post_delete
from django.dispatch import Signal, receiver
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from agreements.visibility import agreement_visibility
from cooperation import paging
from cooperation.choices import Language
from cooperation.models import SourcedModel, TimeStampedModel, VersionedModel
from cooperation.search import WordSimilar, fuzzy
from cooperation.text import casefold, fold
from cooperation.translations import (
    SHOWN_LANGUAGES,
    TRANSLATIONS_HELP,
    ShownText,
    TranslationsField,
    localized,
    register_language,
    shown_languages,
)

from .choices import InstitutionKind, InstitutionNameKind, InstitutionStatus

# The labels an institution is shown by in each interface language, in order, before its
# display name (English): a Kazakh reader sees the Kazakh label, else the Russian one; an
# Azerbaijani reader the Azerbaijani label, else the English name (issue 15). The order is
# the one every translated text of the register follows (cooperation.translations).
NAME_LANGUAGES = SHOWN_LANGUAGES


def name_languages(language: str | None = None) -> tuple[str, ...]:
    return shown_languages(language)


ror_validator = RegexValidator(
    r"^0[a-z0-9]{6}[0-9]{2}$", _("A ROR id has 9 characters, e.g. 05nmhtv58.")
)
wikidata_validator = RegexValidator(r"^Q[1-9]\d*$", _("A Wikidata id looks like Q4832385."))


def search_words(query: str) -> list[str]:
    """The words of a search as institutions' ``search_text`` holds them (folded), each once."""
    return list(dict.fromkeys(fold(query).split()))


def same_word_spellings(word: str) -> list[str]:
    """The other spellings of a generic word of institution names in the languages the
    matcher knows (universities.matching.CANONICAL_PREFIXES, its data): "munai" (мұнай)
    -> "neft", "oil", "munay". Empty for a word that is not such a word (a place, a name)."""
    from .matching import CANONICAL_PREFIXES, canonical_word

    canonical = canonical_word(word)
    if canonical not in CANONICAL_PREFIXES.values():
        return []
    return sorted(
        spelling
        for spelling, meaning in CANONICAL_PREFIXES.items()
        if meaning == canonical and spelling != word
    )


# Sent when an institution's ``search_text`` changed (its names did), with ``instance`` and
# ``using``: what is derived from it elsewhere (the agreements' search keys,
# agreements.keys) follows. A raw save (loaddata) sends post_save only.
search_text_changed = Signal()


def name_condition(word: str, prefix: str = "") -> Q:
    """The institution (reached through ``prefix``) has a name holding the folded ``word``
    (``search_words``), or a name with a word starting with another spelling of it when it
    is a generic word ("мұнай" finds "Atyrau University of Oil and Gas",
    ``same_word_spellings``). On PostgreSQL, when no institution's names hold it, it is
    taken for a misspelling: names with a word like it (pg_trgm word similarity,
    ``cooperation.search``) match instead, so "Almatty" finds Almaty. One indexed query
    decides; SQLite matches as typed only."""
    column = f"{prefix}search_text"
    if fuzzy() and not Institution.objects.filter(spelled_condition("search_text", word)).exists():
        return Q(WordSimilar(F(column), word))
    return spelled_condition(column, word)


def spelled_condition(column: str, word: str) -> Q:
    """``column`` holds ``word``, or a word starting with another spelling of it (at a
    word's start: ``column`` holds folded words between spaces and " | ", as institutions'
    ``search_text`` and agreements' search keys do): what a word finds, in the directory
    and in the register alike."""
    condition = Q(**{f"{column}__contains": word})
    for spelling in same_word_spellings(word):
        condition |= Q(**{f"{column}__startswith": spelling})
        condition |= Q(**{f"{column}__contains": f" {spelling}"})
    return condition


def academic_condition(prefix: str = "") -> Q:
    """The institution (reached through ``prefix``, e.g. ``"institution__"``) is a
    university or another academic institution (``InstitutionKind.academic``)."""
    return Q(**{f"{prefix}kind__in": InstitutionKind.academic()})


class InstitutionQuerySet(models.QuerySet):
    def academic(self) -> "InstitutionQuerySet":
        """Universities and other academic institutions, not governments and ministries:
        those counted as "institutions with partners" everywhere."""
        return self.filter(academic_condition())

    def with_display_name(self, language: str | None = None) -> "InstitutionQuerySet":
        """Annotate ``display_name``: the name Institution.localized_name shows in
        ``language``, so that a list sorts by what it shows."""
        labels = [
            Subquery(
                InstitutionName.objects.filter(
                    institution=OuterRef("pk"), kind=InstitutionNameKind.LABEL, language=code
                )
                .order_by("pk")
                .values("name")[:1]
            )
            for code in name_languages(language)
        ]
        return self.annotate(display_name=Coalesce(*labels, F("name")) if labels else F("name"))

    def count_by_country(self) -> list[tuple[str, int]]:
        """(country, number of institutions) for these institutions, most first."""
        rows = (
            self.order_by().values_list("country").annotate(n=Count("pk")).order_by("-n", "country")
        )
        return [(str(country), n) for country, n in rows]

    def search(self, query: str) -> "InstitutionQuerySet":
        """Institutions any of whose names contain every word of ``query``, in any script
        (``name_condition``: on PostgreSQL a misspelt word finds names with a word like it)."""
        words = search_words(query)
        qs = self
        for word in words:
            qs = qs.filter(name_condition(word))
        return paging.searched(qs) if words else qs

    def with_counts(self, *, reader=None) -> "InstitutionQuerySet":
        """Agreement and partner counts (``agreement_count``, ``partner_count``) on every
        institution read, computed for the rows read only (issue 18).

        The counts are aliases (``count_expressions``) a list may sort or filter by; the
        rows read get their values from one more query per chunk of rows
        (``CountedInstitutionIterable``), so that a page costs the counts of its own rows,
        never those of the rows an offset skips (page 500 of the directory computed
        24,950 institutions' counts to throw them away). With ``reader`` (a user, anonymous
        or not), only the agreements that reader may see are counted, so that no count
        reveals a hidden agreement; without it, every agreement."""
        queryset = self.alias(**count_expressions(reader))
        queryset.query.institution_count_reader = (reader,)  # kept by every clone
        queryset._iterable_class = CountedInstitutionIterable
        return queryset

    def order_by(self, *field_names) -> "InstitutionQuerySet":
        """As QuerySet's; sorted by a count (``with_counts``), the counts come from the
        ``InstitutionCount`` table of the reader's class when it has one, rather than from
        every institution's live count (30 s at 25,000 institutions and 500,000
        agreements, issue 18)."""
        reader = getattr(self.query, "institution_count_reader", None)
        if reader is None or not any(
            isinstance(name, str) and name.lstrip("-") in COUNT_FIELDS for name in field_names
        ):
            return super().order_by(*field_names)
        ready = InstitutionCount.ready_for(reader[0])
        if ready is None:
            return super().order_by(*field_names)
        terms = [
            ready.term(name.lstrip("-"), descending=name.startswith("-"))
            if isinstance(name, str) and name.lstrip("-") in COUNT_FIELDS
            else name
            for name in field_names
        ]
        queryset = super().order_by(*terms)
        queryset.query.institution_count_table = ready  # the rows' counts read from there
        return queryset


def count_aggregates(reader=None, suffix: str = "") -> dict:
    """The agreement and partner counts of an institution, the one definition every count
    of the directory comes from (its pages, API, admin, exports, sorts and the
    ``InstitutionCount`` table), as aggregates over its parties: the agreements it is a
    party to (``agreement_count<suffix>``) and the other institutions party to one of them
    (``partner_count<suffix>``), of the agreements ``reader`` may see
    (``agreement_visibility``; every agreement when None)."""
    visible = Q() if reader is None else agreement_visibility(reader, "agreement__")
    other = "agreement__parties__institution"
    return {
        f"agreement_count{suffix}": Count("agreement", distinct=True, filter=visible or None),
        f"partner_count{suffix}": Count(
            other, distinct=True, filter=~Q(**{other: F("institution")}) & visible
        ),
    }


def party_counts(**readers):
    """Per institution with a party (``institution``), ``count_aggregates`` for each
    reader named (``agreement_count_<name>``, ``partner_count_<name>``): several classes
    of readers counted in one pass over the parties. Parties are declared by the
    agreements app, which sits above this one."""
    party = Institution._meta.get_field("parties").related_model
    aggregates = {}
    for name, reader in readers.items():
        aggregates |= count_aggregates(reader, f"_{name}")
    return party.objects.order_by().values("institution").annotate(**aggregates)


def count_expressions(reader=None) -> dict:
    """``agreement_count`` and ``partner_count`` of an institution as expressions
    (``count_aggregates`` over its parties: correlated subqueries, so the outer query
    keeps one row per institution however many agreements it has)."""
    party = Institution._meta.get_field("parties").related_model
    parties = party.objects.filter(institution=OuterRef("pk")).order_by().values("institution")
    # One subquery per count, each joining only what its own aggregate reads.
    return {
        field: Coalesce(Subquery(parties.annotate(n=aggregate).values("n")), 0)
        for field, aggregate in count_aggregates(reader).items()
    }


# Institutions whose counts one query computes (CountedInstitutionIterable).
COUNT_CHUNK = 500
COUNT_FIELDS = ("agreement_count", "partner_count")


class CountedInstitutionIterable(ModelIterable):
    """Institutions (``InstitutionQuerySet.with_counts``) with ``agreement_count`` and
    ``partner_count`` set from one query per COUNT_CHUNK rows, for those rows' ids: read
    from the reader's class's ``InstitutionCount`` rows when it has them (the counts a
    sort reads; 50 rows' live counts cost ~0.3 s at L), else computed for those rows."""

    def __iter__(self):
        (reader,) = self.queryset.query.institution_count_reader
        table = getattr(self.queryset.query, "institution_count_table", None)
        rows = super().__iter__()
        while chunk := list(islice(rows, COUNT_CHUNK)):
            ids = [row.pk for row in chunk]
            if table is None:
                table = InstitutionCount.ready_for(reader) or False
            if table:  # kept ready, or sorted by a count: the counts it sorted by
                found = table.rows().filter(institution__in=ids)
            else:
                found = (
                    Institution.objects.filter(pk__in=ids)
                    .order_by()
                    .annotate(**count_expressions(reader))
                    .values_list("pk", "agreement_count", "partner_count")
                )
            counts = {pk: (agreements, partners) for pk, agreements, partners in found}
            for row in chunk:
                row.agreement_count, row.partner_count = counts.get(row.pk, (0, 0))
                yield row


class ReadyCounts:
    """The ``InstitutionCount`` rows of one class of readers."""

    def __init__(self, visibility: str) -> None:
        self.visibility = visibility

    def rows(self):
        return InstitutionCount.objects.filter(visibility=self.visibility).values_list(
            "institution_id", "agreement_count", "partner_count"
        )

    def value(self, field: str):
        """The outer institution's count ``field`` as read from these rows (0 when none)."""
        return Coalesce(
            Subquery(
                InstitutionCount.objects.filter(
                    visibility=self.visibility, institution=OuterRef("pk")
                ).values(field)[:1]
            ),
            0,
        )

    def term(self, field: str, *, descending: bool):
        value = self.value(field)
        return value.desc() if descending else value.asc()


class ReadCount(Expression):
    """``agreement_count`` or ``partner_count`` of each row of a ``with_counts`` queryset in
    SQL, for a query over every row (the CSV that PostgreSQL writes): from the
    ``InstitutionCount`` table of the reader's class (built then if need be), else live
    (the queryset's alias), as ``CountedInstitutionIterable`` reads them. The live counts
    of a whole directory take 30-50 s at 25,000 institutions and 500,000 agreements."""

    def __init__(self, field: str) -> None:
        super().__init__(output_field=models.IntegerField())
        if field not in COUNT_FIELDS:
            raise ValueError(f"not a count: {field!r}")
        self.count = field

    def resolve_expression(self, query=None, *args, **kwargs):
        reader = getattr(query, "institution_count_reader", None)
        if reader is None:
            raise ValueError("ReadCount needs a queryset of InstitutionQuerySet.with_counts")
        table = getattr(query, "institution_count_table", None)
        if table is None:
            table = InstitutionCount.ready_for(reader[0])
            if table is not None:  # for the other count of this query
                query.institution_count_table = table
        value = F(self.count) if table is None else table.value(self.count)
        return value.resolve_expression(query, *args, **kwargs)


class Institution(VersionedModel, SourcedModel):
    """A university or another academic body (academy, ministry, branch campus) that signs."""

    name = models.CharField(_("display name"), max_length=300)
    kind = models.CharField(
        _("kind"),
        max_length=24,
        choices=InstitutionKind.choices,
        default=InstitutionKind.UNIVERSITY,
    )
    country = CountryField(_("country"))
    city = models.CharField(_("city"), max_length=120, blank=True)
    city_translations = TranslationsField(
        _("city in other languages"), of="city", help_text=TRANSLATIONS_HELP
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    website = models.URLField(_("website"), max_length=300, blank=True)
    founded_year = models.PositiveSmallIntegerField(
        _("founded"),
        null=True,
        blank=True,
        validators=[MinValueValidator(800), MaxValueValidator(2100)],
    )
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=InstitutionStatus.choices,
        default=InstitutionStatus.ACTIVE,
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_institutions",
        verbose_name=_("merged into"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="branches",
        verbose_name=_("parent institution"),
        help_text=_("For a branch campus: its home university, which may be abroad."),
    )
    ror_id = models.CharField(_("ROR id"), max_length=9, blank=True, validators=[ror_validator])
    wikidata_id = models.CharField(
        _("Wikidata id"), max_length=20, blank=True, validators=[wikidata_validator]
    )
    description = models.TextField(_("description"), blank=True)
    # Folded form of every name, alias and acronym (cooperation.text.fold), kept in step by
    # save() and by InstitutionName.save(): one column answers a search in any script
    # (through a trigram index on PostgreSQL, cooperation.search).
    search_text = models.TextField(editable=False, blank=True, default="")

    objects = InstitutionQuerySet.as_manager()

    @classmethod
    def editor_scope(cls, user) -> Q:
        """A university editor changes only the institutions they are linked to."""
        return Q(editor_links__user=user)

    class Meta:
        ordering = ["name"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        constraints = [
            models.UniqueConstraint(
                fields=["ror_id"],
                condition=~Q(ror_id=""),
                name="institution_unique_ror_id",
                violation_error_message=_("Another institution already has this ROR id."),
            ),
            models.UniqueConstraint(
                fields=["country", "name"],
                name="institution_unique_name_per_country",
                violation_error_message=_("This country already has an institution of that name."),
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="institution_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="institution_longitude_range",
            ),
            models.CheckConstraint(
                condition=Q(status="merged", merged_into__isnull=False)
                | (~Q(status="merged") & Q(merged_into__isnull=True)),
                name="institution_merged_into_iff_merged",
                violation_error_message=_(
                    "A merged institution names the one it merged into, and only then."
                ),
            ),
        ]
        indexes = [models.Index(fields=["country", "kind"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("universities:institution_detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        if self.pk and self.parent_id == self.pk:
            raise ValidationError({"parent": _("An institution cannot be its own parent.")})
        if self.pk and self.merged_into_id == self.pk:
            raise ValidationError({"merged_into": _("An institution cannot merge into itself.")})

    def save(self, *args, **kwargs) -> None:
        before, adding = self.search_text, self._state.adding
        self.search_text = self.build_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "search_text" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "search_text"]
        super().save(*args, **kwargs)
        if not adding and self.search_text != before:
            search_text_changed.send(sender=Institution, instance=self, using=self._state.db)

    def build_search_text(self) -> str:
        names = [self.name]
        if self.pk:
            names += list(self.names.values_list("name", flat=True))
        return " | ".join(dict.fromkeys(fold(name) for name in names if name))

    def matched_name(self, query: str) -> str:
        """The name of this institution that a search for ``query`` found
        (InstitutionQuerySet.search: every folded word in one of its names), when it is
        not the name shown: "КазНУ" for Al-Farabi Kazakh National University. "" else."""
        shown = self.localized_name()
        names = [self.name, *(n.name for n in self.names.all())]
        # As typed first (case aside: "КазНУ" is the Cyrillic acronym, not "KazNU"), then
        # in any script, as the search itself compares.
        for key in (casefold, fold):
            wanted = key(query).split()
            for name in names:
                written = key(name)
                if wanted and all(word in written for word in wanted):
                    return "" if name == shown else name
        return ""

    def refresh_search_text(self) -> None:
        """Recompute the search key after names were added or removed elsewhere."""
        text = self.build_search_text()
        if text != self.search_text:
            self.search_text = text
            Institution.objects.filter(pk=self.pk).update(search_text=text)
            search_text_changed.send(sender=Institution, instance=self, using=self._state.db)

    def localized_city(self, language: str | None = None) -> str:
        """The city in the reader's language (``cooperation.translations``)."""
        return localized(self, "city", language)

    def localized_name(self, language: str | None = None) -> str:
        """The name shown in ``language`` (the interface's by default): its label in the
        first of NAME_LANGUAGES[language] the register has, else the display name. The same
        rule as InstitutionQuerySet.with_display_name, which lists sort by."""
        languages = name_languages(language)
        if not languages:  # English: the display name, without reading the labels
            return ShownText(self.name, register_language())
        labels = {
            name.language: name.name
            for name in self.names.all()  # uses prefetch_related("names") when present
            if name.kind == InstitutionNameKind.LABEL
        }
        for code in languages:
            if code in labels:
                return ShownText(labels[code], code)
        return ShownText(self.name, register_language())


class InstitutionName(TimeStampedModel):
    """One name of an institution in one language: a label, an alias, an acronym, a former name."""

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="names", verbose_name=_("institution")
    )
    name = models.CharField(_("name"), max_length=300)
    language = models.CharField(_("language"), max_length=5, choices=Language.choices, blank=True)
    kind = models.CharField(
        _("kind"),
        max_length=8,
        choices=InstitutionNameKind.choices,
        default=InstitutionNameKind.LABEL,
    )

    class Meta:
        ordering = ["institution", "kind", "language", "name"]
        verbose_name = _("institution name")
        verbose_name_plural = _("institution names")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "name", "kind", "language"],
                name="institutionname_unique",
                violation_error_message=_("This name is already recorded for the institution."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.language or '-'})"

    @classmethod
    def editor_scope(cls, user) -> Q:
        return Q(institution__editor_links__user=user)

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        self.institution.refresh_search_text()


class InstitutionEditor(TimeStampedModel):
    """A university editor's right to edit one institution's profile and to propose
    agreements it is a party to (see ``cooperation.roles``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="institution_links",
        verbose_name=_("user"),
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.CASCADE,
        related_name="editor_links",
        verbose_name=_("institution"),
    )

    class Meta:
        ordering = ["user", "institution"]
        verbose_name = _("institution editor")
        verbose_name_plural = _("institution editors")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "institution"],
                name="institutioneditor_unique",
                violation_error_message=_("This user already edits this institution."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.institution}"


@receiver(post_delete, sender=InstitutionName)
def refresh_search_text_after_name_deleted(sender, instance: InstitutionName, **kwargs) -> None:
    """A signal rather than delete(): queryset deletes (the admin's "delete selected") and
    cascades never call InstitutionName.delete(), and the search key must follow them too."""
    institution = Institution.objects.filter(pk=instance.institution_id).first()
    if institution is not None:
        institution.refresh_search_text()


# The classes of readers (agreements.visibility.visibility_class) whose counts are kept
# in InstitutionCount, each with a reader of that class: readers of every agreement, and
# the public. A university editor's class (public agreements plus their own) is one per
# set of institutions: their sorts count live.
def counted_classes() -> dict:
    from django.contrib.auth.models import AnonymousUser

    return {"all": None, "public": AnonymousUser()}


# Institutions recomputed by one statement of InstitutionCount.refresh.
REFRESH_CHUNK = 900  # SQLite's old limit of 999 parameters
# The advisory lock (PostgreSQL) that lets one refresh of the counts run at a time.
REFRESH_LOCK = (18, 0)


class InstitutionCount(models.Model):
    """Derived, never edited: the agreement and partner counts (``party_counts``) of each
    institution that has an agreement, as one class of readers sees them ("all" or
    "public", ``counted_classes``): what a list sorted by a count reads
    (``InstitutionQuerySet.order_by``, issue 18).

    Kept ready on every write: a write that changes whose counts (a party added, moved or
    removed; an agreement saved, so its visibility or status may have changed) records
    the institutions concerned in ``PendingCount`` in its own transaction
    (``agreements.counts``: signals, and the signing session's bulk insert), and once it
    commits their counts are recomputed (``refresh``): by the writer itself, else by the
    next sort, which first recomputes whatever is still pending. ``manage.py
    rebuild_institution_counts`` recomputes the table whole (after a COPY or raw SQL load,
    which records nothing)."""

    # No surrogate id: the row is its own key (a dump restored holds the same rows, keys
    # included, whatever the refresh after the load rewrote).
    pk = models.CompositePrimaryKey("visibility", "institution")
    visibility = models.CharField(max_length=8)
    # No constraint: rows follow the parties, not the institutions' deletions.
    institution = models.ForeignKey(
        Institution, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    agreement_count = models.PositiveIntegerField()
    partner_count = models.PositiveIntegerField()

    class Meta:
        default_permissions = ()  # nobody reads or writes it but the sort

    def __str__(self) -> str:
        return f"{self.institution_id} ({self.visibility})"

    @classmethod
    def ready_for(cls, reader) -> ReadyCounts | None:
        """The counts of ``reader``'s class, brought up to date if writes are pending;
        None for a class without a table (university editors), or while this connection
        holds uncommitted writes (their counts are not recomputed before the commit)."""
        from cooperation.register_cache import pending_write

        visibility = cls.kept_class(reader)
        if visibility is None or pending_write():
            return None
        if PendingCount.objects.exists():
            cls.refresh()
        return ReadyCounts(visibility)

    @staticmethod
    def kept_class(reader) -> str | None:
        """``reader``'s class of readers when its counts are kept in this table (the public,
        readers of every agreement; None for every agreement), else None: a class whose
        counts are computed live (university editors')."""
        from agreements.visibility import visibility_class

        visibility = "all" if reader is None else visibility_class(reader)
        return visibility if visibility in counted_classes() else None

    @classmethod
    def refresh(cls) -> int:
        """Recompute the counts of the institutions ``PendingCount`` lists (of every
        institution when it lists None) and forget them; returns how many were
        recomputed. One refresh at a time (a PostgreSQL advisory lock): the others wait,
        then recompute what was recorded meanwhile, so the last one to run has seen every
        committed write."""
        qn = connection.ops.quote_name
        pending = qn(PendingCount._meta.db_table)
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", REFRESH_LOCK)
            # What is deleted is what is recomputed: one statement, one snapshot; a write
            # committed after it left its own rows for the next refresh.
            cursor.execute(f"DELETE FROM {pending} RETURNING {qn('institution_id')}")
            ids = {row[0] for row in cursor.fetchall()}
            if not ids:
                return 0
            if None in ids:
                return cls._recompute(None)
            ids = sorted(ids)
            for start in range(0, len(ids), REFRESH_CHUNK):
                cls._recompute(ids[start : start + REFRESH_CHUNK])
            return len(ids)

    @classmethod
    def rebuild(cls) -> int:
        """Recompute every institution's counts; returns the number of rows."""
        PendingCount.objects.bulk_create([PendingCount(institution_id=None)])
        cls.refresh()
        return cls.objects.count()

    @classmethod
    def _recompute(cls, ids: list[int] | None) -> int:
        """Replace the rows of these institutions (of every one when None) by their counts
        as ``party_counts`` gives them, every counted class in one pass."""
        classes = counted_classes()
        counts = party_counts(**classes)
        if ids is not None:
            counts = counts.filter(institution__in=ids)
        rows = [
            cls(
                visibility=visibility,
                institution_id=found["institution"],
                agreement_count=found[f"agreement_count_{visibility}"],
                partner_count=found[f"partner_count_{visibility}"],
            )
            for found in counts
            for visibility in classes
        ]
        stale = cls.objects.all() if ids is None else cls.objects.filter(institution__in=ids)
        stale._raw_delete(stale.db)  # derived rows: no signals, no cascade
        cls.objects.bulk_create(rows, batch_size=2000)
        return len(rows)


class PendingCount(models.Model):
    """Derived, never edited: an institution whose ``InstitutionCount`` rows are to be
    recomputed after a write (``agreements.counts``); no institution (NULL): every one
    (after a migration or a load). Rows are only inserted by writers and deleted by
    ``InstitutionCount.refresh``, so writers never wait for one another here."""

    institution_id = models.BigIntegerField(null=True)

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return str(self.institution_id)

"""Shared bases (timestamps, history, sources) and the facts that belong to no one app."""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models, router, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from .audit import current_reason, current_user
from .choices import (
    DatePrecision,
    IscedFieldLevel,
    Language,
    Qualifier,
    StatedFigureMetric,
    StatedFigureScope,
    StatedFigureStatus,
)
from .text import vague_date

academic_year_validator = RegexValidator(
    r"^(19|20)\d\d/(19|20)\d\d$", _("Write an academic year as YYYY/YYYY, e.g. 2025/2026.")
)


def validate_academic_year(value: str) -> None:
    academic_year_validator(value)
    first, second = (int(part) for part in value.split("/"))
    if second != first + 1:
        raise ValidationError(
            _("%(value)s is not an academic year: the second year must follow the first."),
            params={"value": value},
        )


class RegisterHistoricalRecords(HistoricalRecords):
    """simple_history's records, with many-to-many changes kept honestly.

    A model lists its many-to-many fields in ``_history_m2m_fields``; each change of one
    saves a new version of the record with the related ids before and after. Beyond the
    library's own handling:

    - a change made from the other side (``source.agreements.add(agreement)``) is a new
      version of the *agreement*, not of the source;
    - an add or remove that changes nothing (``add()`` of an id already there) saves no
      version, so re-running a loader leaves the history alone;
    - rows written by ``loaddata`` (a raw save) get no new version for their
      many-to-many values either: the dump already holds their history.
    """

    def get_change_reason_for_object(self, instance, history_type, using):
        # A command (load_demo...) names itself through cooperation.audit.history_context.
        return super().get_change_reason_for_object(instance, history_type, using) or (
            current_reason()
        )

    def get_history_user(self, instance):
        return super().get_history_user(instance) or current_user()

    def post_save(self, instance, created, using=None, **kwargs):
        if kwargs.get("raw"):
            instance._history_raw_save = True
        return super().post_save(instance, created, using=using, **kwargs)

    def m2m_changed(self, instance, action, attr, pk_set, reverse, **kwargs):
        if action in ("post_add", "post_remove") and not pk_set:
            return
        if getattr(instance, "_history_raw_save", False):
            return
        if reverse:
            if action == "post_clear" or not pk_set:
                return  # ids are gone by now; a clear from the far side is rare
            for record in kwargs["model"]._default_manager.filter(pk__in=pk_set):
                super().m2m_changed(record, action, attr, {instance.pk}, False, **kwargs)
            return
        super().m2m_changed(instance, action, attr, pk_set, reverse, **kwargs)


class TimeStampedModel(models.Model):
    """Every record knows when it was created and last changed, and keeps its full history."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, editable=False)
    history = RegisterHistoricalRecords(inherit=True)

    class Meta:
        abstract = True


class EditConflict(Exception):
    """Someone saved the record after this copy of it was read: saving would overwrite
    their change."""

    def __init__(self, instance: models.Model | None = None) -> None:
        self.instance = instance
        super().__init__(str(conflict_message()))


def conflict_message():
    return _(
        "Someone else saved this record after you opened it. Reload it to see their "
        "changes, then make yours again."
    )


class VersionedModel(models.Model):
    """Optimistic locking: every save of an existing row bumps ``version``, and only if the
    row still has the version this copy was read at. Two people editing the same record
    can then never silently overwrite each other; the second save raises ``EditConflict``."""

    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        # Also in the database, so rows written by COPY or SQL (bench/generate.py) start at 1.
        db_default=1,
        editable=False,
        help_text=_("Goes up by one at every save; a save from an older version is refused."),
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self._state.adding or self.pk is None:
            super().save(*args, **kwargs)
            return
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            # A conditional UPDATE is atomic in the database: of two concurrent saves from
            # the same version exactly one matches the row.
            bumped = (
                type(self)
                ._base_manager.using(using)
                .filter(pk=self.pk, version=self.version)
                .update(version=F("version") + 1)
            )
            if not bumped:
                raise EditConflict(self)
            self.version += 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
            super().save(*args, **kwargs)


class Source(TimeStampedModel):
    """A publication that stated a fact: a news article, a ministry page, a report."""

    title = models.CharField(_("title"), max_length=500)
    publisher = models.CharField(
        _("publisher"), max_length=200, blank=True, help_text=_("News agency, ministry, site.")
    )
    url = models.URLField(_("URL"), max_length=500, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    published_precision = models.CharField(
        _("precision of the publication date"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
    )
    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, default=Language.EN
    )
    excerpt = models.TextField(_("excerpt"), blank=True, help_text=_("A short quoted passage."))
    reference = models.CharField(
        _("archive reference"),
        max_length=200,
        blank=True,
        help_text=_("Where the register keeps its own copy, e.g. a file name."),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-published_on", "title"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self) -> str:
        if self.publisher:
            return f"{self.title} ({self.publisher})"
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("cooperation:source_detail", args=[self.pk])

    @property
    def published_display(self) -> str:
        """The publication date with the precision its source gave ("2018", "March 2025")."""
        return vague_date(self.published_on, self.published_precision)


class SourcedModel(TimeStampedModel):
    """A record whose facts came from outside and cite one or more sources."""

    sources = models.ManyToManyField(
        Source, blank=True, related_name="%(class)ss", verbose_name=_("sources")
    )

    # simple_history keeps the many-to-many fields named here with each version (the
    # sources cited before and after a change); a model with more extends the list.
    _history_m2m_fields = ["sources"]

    class Meta:
        abstract = True


class IscedField(models.Model):
    """A field of education and training of ISCED-F 2013 (UNESCO), e.g. 0511 Biology."""

    code = models.CharField(
        _("code"),
        max_length=4,
        unique=True,
        validators=[RegexValidator(r"^\d{2,4}$", _("ISCED-F codes have 2 to 4 digits."))],
    )
    level = models.CharField(_("level"), max_length=8, choices=IscedFieldLevel.choices)
    name_en = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent field"),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("ISCED-F field")
        verbose_name_plural = _("ISCED-F fields")

    def __str__(self) -> str:
        return f"{self.code} {self.name_en}"


class StatedFigureQuerySet(models.QuerySet):
    def accomplished(self) -> "StatedFigureQuerySet":
        """Figures of what has happened (stated, signed): the only ones that may be set
        beside what the register counts."""
        return self.exclude(status__in=StatedFigureStatus.planned())

    def planned(self) -> "StatedFigureQuerySet":
        """Figures of what is scheduled or announced, not yet done."""
        return self.filter(status__in=StatedFigureStatus.planned())

    def about_pair(self, country_a: str, country_b: str) -> "StatedFigureQuerySet":
        """Figures of one country with the other as partner, or of both together."""
        return self.filter(
            Q(country=country_a, partner_country=country_b)
            | Q(country=country_b, partner_country=country_a)
        )


class StatedFigure(SourcedModel):
    """An official aggregate that is not a mobility count, as a source stated it.

    "More than 70 Kazakh universities have agreements with Azerbaijan" is kept as stated,
    beside whatever the register itself counts; two sources that disagree are two rows.
    A figure is of one country (with a partner country) or of both countries together
    (``scope``); it counts what was done or what is only scheduled or announced
    (``status``); it may have been announced at events (``events``, declared by the events
    app). ``label`` is how every page, export and endpoint shows it.
    """

    metric = models.CharField(_("metric"), max_length=40, choices=StatedFigureMetric.choices)
    statement = models.TextField(_("statement"), help_text=_("The claim in the source's words."))
    value = models.PositiveIntegerField(_("value"))
    qualifier = models.CharField(
        _("qualifier"), max_length=10, choices=Qualifier.choices, default=Qualifier.EXACT
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=StatedFigureStatus.choices,
        default=StatedFigureStatus.STATED,
        help_text=_(
            "Signed: agreements already signed. Scheduled: to be signed. Announced: a plan. "
            "Stated: any other count of what is. Scheduled and announced figures are never "
            "compared with what the register counts."
        ),
    )
    scope = models.CharField(
        _("whose figure"),
        max_length=10,
        choices=StatedFigureScope.choices,
        default=StatedFigureScope.COUNTRY,
        help_text=_(
            "Of the country (with the partner country), or of both countries together, "
            "with no direction (e.g. 17 universities from both countries)."
        ),
    )
    country = CountryField(
        _("country"), help_text=_("Whose figure it is; for both countries, one of the two.")
    )
    partner_country = CountryField(_("partner country"), blank=True)
    stated_on = models.DateField(_("stated on"), null=True, blank=True)
    stated_precision = models.CharField(
        _("precision of the date"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
    )
    reference_year = models.PositiveSmallIntegerField(
        _("year it refers to"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = StatedFigureQuerySet.as_manager()

    class Meta:
        ordering = ["-stated_on", "metric"]
        verbose_name = _("stated figure")
        verbose_name_plural = _("stated figures")
        constraints = [
            models.CheckConstraint(
                condition=~Q(country=models.F("partner_country")),
                name="statedfigure_countries_differ",
                violation_error_message=_("The partner country must differ from the country."),
            ),
            models.CheckConstraint(
                condition=~Q(scope=StatedFigureScope.BOTH, partner_country=""),
                name="statedfigure_both_has_partner",
                violation_error_message=_(
                    "A figure of both countries names both: give the partner country too."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def value_label(self) -> str:
        """The number with its qualifier: "more than 70"."""
        return Qualifier.phrase(self.value, self.qualifier)

    @property
    def countries_label(self) -> str:
        """Whose figure it is, with no arrow: "KZ and AZ together", "of KZ, with AZ"."""
        country, partner = self.country.code, self.partner_country.code
        if self.scope == StatedFigureScope.BOTH and partner:
            return _("%(a)s and %(b)s together") % {"a": country, "b": partner}
        if partner:
            return _("of %(country)s, with %(partner)s") % {"country": country, "partner": partner}
        return _("of %(country)s") % {"country": country}

    @property
    def status_label(self) -> str:
        """The status word where it says something: "scheduled"; empty for "stated"."""
        return "" if self.status == StatedFigureStatus.STATED else self.get_status_display()

    @property
    def label(self) -> str:
        """The figure as every page, export and endpoint shows it, e.g. "63 agreements,
        scheduled (KZ and AZ together)" or "more than 70 institutions with agreements with
        the partner country (of KZ, with AZ)"."""
        what = f"{self.value_label} {str(self.get_metric_display()).lower()}"
        if self.status_label:
            what = f"{what}, {self.status_label}"
        return f"{what} ({self.countries_label})"


class RegisterGeneration(models.Model):
    """One row of three numbers (``cooperation.generations``): ``number`` goes up after every
    committed change to the register (see ``cooperation.register_cache``), ``readers`` after
    every committed change to who a reader is (users, roles, permissions, tokens,
    university editors' institutions: ``cooperation.readers``), ``sessions`` after every
    session saved or deleted (``accounts.sessions``). What is kept in a worker's memory is
    keyed by them, so a change shows on the next request in every gunicorn worker: the
    numbers are read from the database, not from a worker's memory."""

    number = models.BigIntegerField(default=0)
    readers = models.BigIntegerField(default=0)
    sessions = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("register generation")

    def __str__(self) -> str:
        return str(self.number)


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("waiting for the worker")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class JobQuerySet(models.QuerySet):
    def give_up_interrupted(self, message: str, now=None) -> int:
        """Fail the jobs still running ``BackgroundJob.INTERRUPTED_AFTER`` after they
        started: their worker was stopped (a deployment, a crash) before it finished, and
        the same work asked again must start anew. Returns how many."""
        now = now or timezone.now()
        return self.filter(
            status=JobStatus.RUNNING, started_at__lt=now - self.model.INTERRUPTED_AFTER
        ).update(status=JobStatus.FAILED, error=message, finished_at=now)

    def asked_before(self, when) -> "JobQuerySet":
        return self.filter(created_at__lt=when)


class BackgroundJob(models.Model):
    """Work too long for a request, done by the background worker (``manage.py
    db_worker``, django-tasks; ``cooperation.tasks``): its state, its error in words for
    the person who asked, and when it was asked, started and finished. Not register data:
    its writes raise no generation (``register_cache.watched_models``)."""

    # A job running longer than this was interrupted (its worker stopped mid-way).
    INTERRUPTED_AFTER = datetime.timedelta(minutes=30)
    # A job no worker has taken after this long tells its reader so.
    STALLED_AFTER = datetime.timedelta(minutes=1)

    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def take(cls, pk) -> bool:
        """Mark job ``pk`` running if it is still queued: False when another worker took
        it first (or it is gone), and the caller leaves it alone."""
        return bool(
            cls.objects.filter(pk=pk, status=JobStatus.QUEUED).update(
                status=JobStatus.RUNNING, started_at=timezone.now()
            )
        )

    @classmethod
    def fail(cls, pk, message: str) -> None:
        cls.objects.filter(pk=pk).update(
            status=JobStatus.FAILED, error=message, finished_at=timezone.now()
        )

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def interrupted(self) -> bool:
        """Running for longer than any run takes: its worker was stopped."""
        return (
            self.status == JobStatus.RUNNING
            and self.started_at is not None
            and timezone.now() - self.started_at > self.INTERRUPTED_AFTER
        )

    @property
    def stalled(self) -> bool:
        """Queued for longer than a worker takes to start it: no worker is running."""
        return (
            self.status == JobStatus.QUEUED
            and self.created_at is not None
            and timezone.now() - self.created_at > self.STALLED_AFTER
        )


class ExportJobStatus(models.TextChoices):
    QUEUED = JobStatus.QUEUED.value, _("waiting for the export worker")
    RUNNING = JobStatus.RUNNING.value, _("being prepared")
    DONE = JobStatus.DONE.value, _("ready")
    FAILED = JobStatus.FAILED.value, _("failed")


class ExportJobQuerySet(JobQuerySet):
    def readable_by(self, user) -> "ExportJobQuerySet":
        """A reader's own jobs; the public's (asked without signing in) for everyone, since
        they hold what anyone may read. A job's id is not guessable either way."""
        if user is not None and user.is_authenticated:
            return self.filter(user=user)
        return self.filter(user__isnull=True)


class ExportJob(BackgroundJob):
    """An export too long to write within a request, written to a file by the background
    worker (``cooperation.export_jobs``): the request it replays, who asked (their
    visibility is the file's) and how far it has got."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="export_jobs",
        help_text=_("Who asked; none for a reader who was not signed in."),
    )
    list_name = models.CharField(_("list"), max_length=100)
    path = models.CharField(_("address"), max_length=200)
    query = models.TextField(_("filters"), blank=True)
    format = models.CharField(_("format"), max_length=10)
    language = models.CharField(_("language"), max_length=10)
    generation = models.BigIntegerField(help_text=_("The register generation when asked."))
    status = models.CharField(
        _("status"), max_length=10, choices=ExportJobStatus.choices, default=ExportJobStatus.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("rows in all"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    file = models.FileField(_("file"), upload_to="exports/", blank=True)
    filename = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_at"], name="exportjob_created")]

    def __str__(self) -> str:
        return self.filename

    def get_absolute_url(self) -> str:
        return reverse("export_job", args=[self.pk])

    def get_file_url(self) -> str:
        return reverse("export_job_file", args=[self.pk])

    @property
    def percent(self) -> int | None:
        """How far the file has got, 0-100; None while the number of rows is not known."""
        if self.status == ExportJobStatus.DONE:
            return 100
        if not self.rows_total:
            return None
        return min(99, self.rows_done * 100 // self.rows_total)


class NameSearch(BackgroundJob):
    """The names of an import that the register does not record as written, compared with
    every name of the register by the background worker (``cooperation.name_searches``):
    at size L a name takes ~0.1 s, a file of misspelled names minutes. The matches are
    kept here for the import's preview and confirmation, in any web worker, as long as the
    register's names do not change (``version``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="name_searches",
        help_text=_("Who imported the file."),
    )
    digest = models.CharField(
        max_length=64, help_text=_("The names and the register's names' version, hashed.")
    )
    names = models.JSONField(_("names"), default=list)
    done = models.PositiveIntegerField(_("names compared"), default=0)
    matches = models.JSONField(_("matches"), default=dict)

    class Meta:
        verbose_name = _("search of names")
        verbose_name_plural = _("searches of names")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["digest"], name="namesearch_digest"),
            models.Index(fields=["created_at"], name="namesearch_created"),
        ]

    def __str__(self) -> str:
        return f"{len(self.names)} names ({self.get_status_display()})"

    @property
    def total(self) -> int:
        return len(self.names)

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return min(99, self.done * 100 // self.total) if self.total else 0

"""Exports prepared in the background (issue 18): a list's export that would take longer
than a request may (``cooperation.exports.export_plan`` decides) becomes an
:class:`~cooperation.models.ExportJob`. The worker (``manage.py db_worker``, django-tasks)
replays the very request the reader made, as that reader and in their language, through
the same view and export code, and writes what it answers to a file, counting the rows as
they come; the reader's page (``/exports/<id>/``) or API client (``/api/exports/<id>/``)
follows the count and downloads the file once it is there.

One job serves everyone who asks the same export of the same register generation with the
same visibility: the public's whole register is written once per change of the register,
however many people ask for it.
"""

from __future__ import annotations

import datetime
import logging
import os
import tempfile
import time
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.http import FileResponse, HttpRequest
from django.test import RequestFactory
from django.urls import resolve
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .exports import MEDIA_TYPES, ExportsBusy
from .models import ExportJob, ExportJobStatus
from .register_cache import register_generation

logger = logging.getLogger(__name__)

# How often the worker writes its count of rows to the job (seconds).
PROGRESS_EVERY = 1.0
# The attribute a replayed request carries: its export is written now, whatever its size.
_JOB_ATTRIBUTE = "unibridge_export_job"


def running_job(request) -> ExportJob | None:
    """The job a request is the replay of, if it is one (a DRF request reads through to
    the Django request)."""
    return getattr(request, _JOB_ATTRIBUTE, None)


def job_for(request, *, user, list_name: str, fmt: str, filename: str) -> ExportJob:
    """The job that prepares the export ``request`` asks for: one already asked for by the
    same reader (or by the public) with the same address, language and register generation
    and not failed, else a new one handed to the worker. Raises ExportsBusy when the reader
    (the public counting as one) has ``UNIBRIDGE_EXPORT_JOBS_WAITING`` unfinished jobs: the
    worker's time is shared."""
    prune()
    give_up_interrupted()
    owner = user if user is not None and user.is_authenticated else None
    key = {
        "user": owner,
        "path": request.path,
        "query": request.META.get("QUERY_STRING", ""),
        "format": fmt,
        "language": translation.get_language() or settings.LANGUAGE_CODE,
        "generation": register_generation(),
    }
    existing = (
        ExportJob.objects.filter(**key)
        .exclude(status=ExportJobStatus.FAILED)
        .order_by("-created_at")
        .first()
    )
    if existing is not None:
        return existing
    waiting = settings.UNIBRIDGE_EXPORT_JOBS_WAITING
    if waiting and (
        ExportJob.objects.filter(
            user=owner, status__in=[ExportJobStatus.QUEUED, ExportJobStatus.RUNNING]
        )[:waiting].count()
        >= waiting
    ):
        raise ExportsBusy(
            _(
                "%(n)s of your exports are still being prepared: wait until one is ready, "
                "then export again."
            )
            % {"n": waiting}
            if owner is not None
            else _(
                "Too many exports are being prepared for readers who are not signed in: "
                "try again in a few minutes, or sign in."
            )
        )
    job = ExportJob.objects.create(list_name=list_name, filename=filename, **key)
    # The worker may only see the job once it is committed.
    transaction.on_commit(lambda: _enqueue(job))
    return job


def _enqueue(job: ExportJob) -> None:
    from .tasks import run_export_job

    run_export_job.enqueue(str(job.pk))


def note_total(request, rows: int) -> None:
    """The replayed export's number of rows, for the reader's progress bar."""
    job = running_job(request)
    if job is not None:
        ExportJob.objects.filter(pk=job.pk).update(rows_total=rows)
        job.rows_total = rows


def run(job_id: str) -> None:
    """Write job ``job_id``'s file (the worker's task). A job already taken is left alone;
    a failure is recorded on the job with a message for the reader, never raised again."""
    if not ExportJob.take(job_id):
        return
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    try:
        with translation.override(job.language):
            response = _replay(job)
            if response.status_code != 200:
                raise ExportFailed(
                    _("The list answered %(status)s: its filters may no longer be valid.")
                    % {"status": response.status_code}
                )
            chunks = response.streaming_content if response.streaming else [response.content]
            try:
                _write(job, chunks)
            finally:
                response.close()
    except Exception as error:  # recorded for the reader; the worker goes on
        logger.exception("export job %s failed", job_id)
        message = str(error) if isinstance(error, ExportFailed) else _("An unexpected error.")
        ExportJob.fail(job_id, message)


class ExportFailed(Exception):
    """Why a job could not write its file, in words for the reader."""


def _replay(job: ExportJob):
    """The response the reader's request gets, made again by the worker: the same view, as
    the same reader, in the same language, with the size check skipped."""
    request: HttpRequest = RequestFactory().get(
        f"{job.path}?{job.query}" if job.query else job.path,
        HTTP_ACCEPT=MEDIA_TYPES.get(job.format, "*/*"),
        HTTP_ACCEPT_LANGUAGE=job.language,
    )
    request.user = job.user if job.user is not None else AnonymousUser()
    request.session = SessionStore()  # read by some views; never saved
    request.LANGUAGE_CODE = job.language
    setattr(request, _JOB_ATTRIBUTE, job)
    match = resolve(job.path)
    return match.func(request, *match.args, **match.kwargs)


class _MovableFile(File):
    """A finished file in the temporary directory: storage moves it rather than copy."""

    def temporary_file_path(self) -> str:
        return self.name


class _Progress:
    """Writes a job's count of rows as it goes, committed at once so the reader sees it.
    On PostgreSQL through a connection of its own: the export's is busy streaming a COPY
    (cooperation.csv_sql), which no other statement may interrupt."""

    def __init__(self, job: ExportJob) -> None:
        self.job = job
        self.own = connection.vendor == "postgresql"
        self.connection = connections.create_connection(DEFAULT_DB_ALIAS) if self.own else None
        table = ExportJob._meta.db_table
        qn = connection.ops.quote_name
        self.sql = f"UPDATE {qn(table)} SET {qn('rows_done')} = %s WHERE {qn('id')} = %s"

    def __call__(self, rows: int) -> None:
        if self.connection is None:
            ExportJob.objects.filter(pk=self.job.pk).update(rows_done=rows)
            return
        with self.connection.cursor() as cursor:
            cursor.execute(self.sql, [rows, self.job.pk])

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


def _write(job: ExportJob, chunks: Iterable[bytes]) -> None:
    rows = 0
    reported = time.monotonic()
    progress = _Progress(job)
    handle, path = tempfile.mkstemp(prefix="unibridge-export-", suffix=f".{job.format}")
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
                if job.format == "csv":
                    rows += chunk.count(b"\n")
                if time.monotonic() - reported >= PROGRESS_EVERY:
                    reported = time.monotonic()
                    # Lines, less the header; a text holding a line break counts twice
                    # until the end, where the true count is written.
                    progress(max(rows - 1, 0))
        size = os.path.getsize(path)
        with open(path, "rb") as finished:
            stored = default_storage.save(
                f"exports/{job.pk}.{job.format}", _MovableFile(finished, name=path)
            )
    finally:
        progress.close()
        if os.path.exists(path):
            os.unlink(path)
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJobStatus.DONE,
        file=stored,
        size=size,
        rows_done=job.rows_total if job.rows_total is not None else max(rows - 1, 0),
        finished_at=timezone.now(),
    )


def file_response(job: ExportJob) -> FileResponse:
    """The finished file as a download under the name the export would have had."""
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=job.filename,
        content_type=MEDIA_TYPES.get(job.format, "application/octet-stream"),
    )


def give_up_interrupted(now: datetime.datetime | None = None) -> int:
    """Fail the exports whose worker was stopped before they finished
    (``BackgroundJob.INTERRUPTED_AFTER``). Returns how many."""
    return ExportJob.objects.give_up_interrupted(
        _("The export was interrupted before it finished: export again."), now
    )


def prune(now: datetime.datetime | None = None) -> int:
    """Delete the jobs asked for more than ``UNIBRIDGE_EXPORT_KEEP_HOURS`` ago, and their
    files; returns how many."""
    now = now or timezone.now()
    old = ExportJob.objects.filter(
        created_at__lt=now - datetime.timedelta(hours=settings.UNIBRIDGE_EXPORT_KEEP_HOURS)
    )
    count = 0
    for job in old.only("pk", "file"):
        if job.file:
            job.file.delete(save=False)
        job.delete()
        count += 1
    return count

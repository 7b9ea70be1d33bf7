"""Names of an import compared with the register in the background (issue 18).

A name the register records as written is matched at once; any other is compared with
every name of the register (``universities.matching``): ~0.1 s a name at size L, so a file
of a thousand misspelled names would hold a web worker for minutes. When the names of a
file need more comparisons than ``UNIBRIDGE_NAME_COMPARISONS_IN_REQUEST`` (a few seconds'
worth), :func:`searched` hands them to the background worker as a
:class:`~cooperation.models.NameSearch` and the import's page (or API client) follows its
progress; once done, its matches are given to the register's matcher of whichever web
worker answers next, and the import's check runs as for any file. The rules of matching
stay in the matcher: the worker calls the same ``match()``.

One search serves every upload of the same names while the register's names do not
change (the digest holds their version): a file checked again, a choice applied, the
confirmation, the API client sending the file again.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import time
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import JobStatus, NameSearch

logger = logging.getLogger(__name__)

# How long a search and its matches are kept.
KEPT_FOR = datetime.timedelta(days=1)
# A failed comparison is shown as failed for this long, then made again when asked (the
# import page's "Try again" makes it again at once): a client sending the same file
# again and again does not keep the worker busy with a comparison that fails.
FAILED_SHOWN_FOR = datetime.timedelta(minutes=5)


class NameSearchesBusy(Exception):
    """The person already has ``UNIBRIDGE_NAME_SEARCHES_WAITING`` comparisons of names
    waiting or running; ``message`` says so."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def retry_after(search: NameSearch) -> int:
    """Seconds until a failed ``search`` is made again when asked."""
    if search.finished_at is None:
        return 0
    left = search.finished_at + FAILED_SHOWN_FOR - timezone.now()
    return max(0, int(left.total_seconds()) + 1)


def _matcher():
    from universities.matching import NameMatcher

    return NameMatcher.of_register()


def _digest(names: list[str], version) -> str:
    """What a kept comparison answers for: the names, the register's names' version and the
    edition of the matching rules."""
    from universities.matching import RULES_EDITION

    payload = json.dumps([sorted(names), str(version), RULES_EDITION], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def searched(names: Iterable[str], *, user, retry: bool = False) -> NameSearch | None:
    """None when the register's matcher answers every name of ``names`` within a request
    (the names it would compare with every name are few enough, or a finished search
    gave it their matches): the caller checks its file now. Otherwise the search of those
    names, started if none was, for the caller to show until it is done; a failed search
    is shown as failed for ``FAILED_SHOWN_FOR``, unless ``retry`` (a person's "Try
    again"). Raises NameSearchesBusy when a search should start and the person has
    ``UNIBRIDGE_NAME_SEARCHES_WAITING`` unfinished ones."""
    names = list(names)
    if not names:  # a file of ids only, or of figures naming no institution: nothing to ask
        return None  # (nor the register's matcher to build: 5-6 s at L in a fresh process)
    matcher = _matcher()
    pending = matcher.unanswered(names)
    if matcher.comparisons(len(pending)) <= settings.UNIBRIDGE_NAME_COMPARISONS_IN_REQUEST:
        return None
    # Every name not recorded as written, matched in this process or not: the same file
    # is the same search in every web worker.
    slow = matcher.unanswered(names, matched_too=True)
    digest = _digest(slow, matcher.version)
    # Anyone's finished comparison of the same names answers (the matches are the
    # register's, whoever asked); one being made is followed by the person who asked only.
    same_names = list(
        NameSearch.objects.filter(Q(status=JobStatus.DONE) | Q(user=user), digest=digest)
        .defer("matches")
        .order_by("-created_at")
    )
    done = next((s for s in same_names if s.status == JobStatus.DONE), None)
    # The file's other names are matched next, in the same matcher: room for them all.
    if done is not None and _give(matcher, done, room=len(names)) and not matcher.unanswered(names):
        return None
    search = next((s for s in same_names if s.user_id == user.pk), None)
    if search is not None:
        search = _current(search)
    if search is not None and search.status == JobStatus.DONE:
        search = None  # its matches did not answer after all: compare again
    failed = search is not None and search.status == JobStatus.FAILED
    if failed and (retry or not retry_after(search)):
        search = None
    if search is None:
        search = _start(slow, digest=digest, user=user)
    return search


def _give(matcher, search: NameSearch, *, room: int = 0) -> bool:
    """Give ``search``'s matches to ``matcher``; False when they cannot be read back (kept
    by an older release, or altered): the names are then compared again, never a 500."""
    from universities.matching import Match

    try:
        matches = {name: Match.from_dict(found) for name, found in search.matches.items()}
    except (AttributeError, KeyError, TypeError, ValueError):
        logger.warning("name search %s: its matches cannot be read back", search.pk)
        return False
    matcher.remember(matches, room=room)
    return True


def _current(search: NameSearch) -> NameSearch:
    """``search``, failed if its worker was stopped before it finished (``interrupted``),
    for the page that follows it and the one that shows it alike."""
    if search.interrupted:
        _give_up_interrupted()
        search.refresh_from_db()
    return search


def _start(names: list[str], *, digest: str, user) -> NameSearch:
    prune()
    waiting = settings.UNIBRIDGE_NAME_SEARCHES_WAITING
    if NameSearch.objects.too_many_unfinished(user, waiting):
        raise NameSearchesBusy(
            _(
                "%(n)s of your comparisons of names are still being made: wait until one is "
                "done, then check again."
            )
            % {"n": waiting}
        )
    search = NameSearch.objects.create(user=user, digest=digest, names=names)
    # The worker may only see the search once it is committed.
    transaction.on_commit(lambda: _enqueue(search))
    return search


def _give_up_interrupted() -> int:
    return NameSearch.objects.give_up_interrupted(
        _("The comparison of names was interrupted before it finished: try again.")
    )


def _enqueue(search: NameSearch) -> None:
    from .tasks import run_name_search

    run_name_search.enqueue(str(search.pk))


def run(search_id: str) -> None:
    """Compare search ``search_id``'s names with the register (the worker's task). A search
    already taken is left alone; a failure is recorded for the reader, never raised."""
    if not NameSearch.take(search_id):
        return
    try:
        search = NameSearch.objects.get(pk=search_id)
        matcher = _matcher()
        matches = {}
        reported = time.monotonic()
        for done, name in enumerate(search.names, start=1):
            matches[name] = matcher.match(name).as_dict()
            if time.monotonic() - reported >= NameSearch.PROGRESS_EVERY:
                reported = time.monotonic()
                NameSearch.progress(search_id, done=done)
        NameSearch.objects.filter(pk=search_id).update(
            status=JobStatus.DONE,
            # Kept for the register's names this worker compared them with, which may have
            # changed since the search was asked (and changed back).
            digest=_digest(search.names, matcher.version),
            done=len(search.names),
            matches=matches,
            finished_at=timezone.now(),
        )
    except Exception:  # recorded for the reader; the worker goes on
        logger.exception("name search %s failed", search_id)
        NameSearch.fail(search_id, _("An unexpected error while comparing the names."))


def progress_of(pk, user) -> NameSearch | None:
    """A search its importer follows, without its matches; None if not theirs."""
    search = NameSearch.objects.defer("matches").filter(pk=pk, user=user).first()
    return None if search is None else _current(search)


def prune(now: datetime.datetime | None = None) -> int:
    """Delete the searches asked for more than a day ago; returns how many."""
    now = now or timezone.now()
    return NameSearch.objects.asked_before(now - KEPT_FOR).delete()[0]

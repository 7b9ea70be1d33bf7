"""Pages and API answers cached until the register changes, per class of reader (issue 7,
scenario 6; issue 14, finding 8).

The directory (``/institutions/``) counts, for each of the 50 institutions shown, the
agreements and partners of each: 0.6 s at 25,000 institutions and 500,000 agreements. The
dashboard runs a dozen queries across every app; the register (``/agreements/``) spends
most of its time drawing its filter form (a menu of every institution and event); the API
list serializes 50 agreements with their parties and conditions. With 200 readers at once
on 2 cores, each of them timed out (bench/RESULTS.md). None of them depends on who reads
it beyond three things, so each is kept in Django's cache under a key made of:

- the **register generation**: a number in the database (``RegisterGeneration``) that goes
  up after every committed write to any model of the register's apps
  (``cooperation.roles.DATA_APPS``: institutions and names, events, agreements, parties,
  conditions, scholarships, mobility and stated figures, sources, their many-to-many
  links...): whatever a cached view reads is covered, today's and tomorrow's. Every
  gunicorn worker reads the number (one primary-key query) before using its cache, so no
  worker serves anything older than the last commit, whatever the cache backend (the
  per-process default is enough: entries of an old generation are never read again);
- the reader's **visibility class** (``agreements.visibility.visibility_class``): readers of
  every agreement; the public (anonymous visitors and everyone without a wider right);
  and, for each set of institutions, their university editors (public agreements plus
  their own). Readers of one class read exactly the same agreements, so a university
  editor is never shown a page cached for an analyst, nor the public an analyst's draft;
- the language, today's date (what is in force, upcoming or expiring), the full address
  (host included: API pages link to their neighbours) and, for the API, the media type.

Why the HTML (and the API's JSON) rather than the data behind it: the data is not the cost
everywhere. The register's filter form alone takes most of its 50-130 ms (a ``<select>``
of every institution, drawn option by option by Django's widget templates), and a page's
rendering costs as much as the dashboard selector's queries; caching querysets' results
would leave both, and would need a key and an invalidation per selector. What differs
per reader inside a page is therefore cut out of what is cached rather than keyed on:

- the parts of a page that depend on the reader's rights (the header with its menu of
  what they may do, their language form; a list's "Import" button) are templates under
  ``templates/reader/`` drawn by ``{% reader_fragment %}``. While a page is rendered to be
  cached, the tag leaves a hole naming its template instead; every answer, the first one
  included, is the cached body with each hole drawn for the request's own reader (and
  kept per reader, language, address and generations: ``_fragment``);
- the CSRF token of any other form is cut out and the reader's own put back;
- pages with messages for the reader are never cached nor served from the cache; nor is
  anything while the reader's own connection holds an uncommitted change.

Why not counts stored on each institution: they would have to be kept right by every write
path (signals, bulk sessions, imports, renewals, the admin, the API, COPY loads), split by
what each reader may see; a generation needs only *that* something changed. (The one list
that must sort by such counts keeps them so: ``agreements.counts``.) The bump runs
on ``post_save``/``post_delete``/``m2m_changed`` of the watched models (cascades
included), in ``cooperation.audit.bulk_create_with_history_sql``, and explicitly after
other writes that send no signals (``bulk_create`` in the signing session, COPY in
bench/generate.py, ``rebuild_country_pairs``): call ``bump_register_generation()`` after
any such new write path. ``UNIBRIDGE_PAGE_CACHE_SECONDS`` (default 300) bounds what a
missed path could leave behind.
"""

from __future__ import annotations

import functools
import hashlib
import re
from urllib.parse import parse_qsl, urlencode

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache, caches
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from agreements.visibility import visibility_class

from . import generations, readers
from .models import RegisterGeneration
from .roles import DATA_APPS

# The marks left in a cached page, which no text a user writes may imitate (a title holding
# the placeholder would be given each reader's CSRF token, in a link to anywhere): derived
# from the secret key, the same in every worker.
_MARK = hashlib.sha256(f"unibridge-marks:{settings.SECRET_KEY}".encode()).hexdigest()[:20]
TOKEN_PLACEHOLDER = f"@@csrf-{_MARK}@@".encode()
_TOKEN = re.compile(rb'(name="csrfmiddlewaretoken" value=")([^"]+)(")')
# A hole left by {% reader_fragment %}: a template under reader/ and its values.
_HOLE = re.compile(rb"@@reader-" + _MARK.encode() + rb":(reader/[\w/-]+\.html)\?([\w%=&.+~-]*)@@")


def watched_models() -> list:
    """The models whose writes raise the generation: every model of the register's apps,
    their history, the generation itself and the background jobs aside."""
    from .models import BackgroundJob

    models = []
    for label in DATA_APPS:
        for model in apps.get_app_config(label).get_models():
            if (
                model is RegisterGeneration
                or issubclass(model, BackgroundJob)
                or hasattr(model, "instance_type")
            ):
                continue  # instance_type: a simple_history model, written with its record
            models.append(model)
    return models


def register_generation() -> int:
    """The register's generation, read once per request (``cooperation.generations``)."""
    return generations.current().register


def pending_write() -> bool:
    """Whether this connection holds a write to the register not committed yet (its raise
    of the generation waits for the commit): what it reads, others may never see."""
    return generations.register_pending()


def bump_register_generation(**_signal_kwargs) -> None:
    """Raise the generation once the current transaction commits (at once outside it).
    After the commit, so that no reader caches the old page under the new number, and
    without a lock on the number held by a writer until it commits; once per transaction,
    however many rows it writes. Until then, this connection's own reads skip the cache."""
    generations.bump_register()


def connect_signals() -> None:
    for sender in watched_models():
        post_save.connect(bump_register_generation, sender=sender, weak=False)
        post_delete.connect(bump_register_generation, sender=sender, weak=False)
        for field in sender._meta.local_many_to_many:
            m2m_changed.connect(
                bump_register_generation, sender=field.remote_field.through, weak=False
            )


# ------------------------------------------------------------------- fragments per reader


def render_fragment(template_name: str, values: dict, request) -> SafeString:
    """A ``reader/`` template drawn for ``request``'s reader: from the context processors
    (user, rights, menu, language, CSRF token) and ``values`` alone, so that it is drawn
    the same inside a page and into a cached page's hole."""
    return mark_safe(render_to_string(template_name, values, request=request))


def fragment_or_hole(template_name: str, values: dict, request) -> SafeString:
    """``{% reader_fragment %}``: the fragment, or a hole while a page is drawn for the
    cache."""
    if not template_name.startswith("reader/"):
        raise ValueError(f"reader fragments live under templates/reader/: {template_name!r}")
    if request is not None and getattr(request, "_register_cache_holes", False):
        query = urlencode(sorted((key, str(value)) for key, value in values.items()))
        return mark_safe(f"@@reader-{_MARK}:{template_name}?{query}@@")
    return render_fragment(template_name, values, request)


def _hide_tokens(body: bytes) -> bytes:
    """``body`` with every form's CSRF token replaced by the placeholder ``_fill`` fills."""
    return _TOKEN.sub(rb"\1" + TOKEN_PLACEHOLDER + rb"\3", body)


def _fragment(template_name: str, query: str, request) -> bytes:
    """A hole's fragment for ``request``'s reader, with the CSRF token's placeholder: drawn
    once per reader (the public as one), language, address and generations, then kept
    (a signed-in page's two fragments cost most of its time when drawn every time).
    A fragment reads the request (its address), the language and the context processors,
    which read the reader (``cooperation.readers``): nothing else."""
    user = request.user
    if user.is_authenticated and not readers.keeps():
        return render_fragment(template_name, dict(parse_qsl(query)), request).encode()
    numbers = generations.current()
    parts = (
        template_name,
        query,
        translation.get_language() or "",
        request.get_full_path(),
        f"user:{user.pk}" if user.is_authenticated else "public",
        str(numbers.register),
        str(numbers.readers),
    )
    key = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    kept = caches["fragments"]
    fragment = kept.get(key)
    if fragment is None:
        drawn = render_fragment(template_name, dict(parse_qsl(query)), request).encode()
        fragment = _hide_tokens(drawn)
        kept.set(key, fragment)
    return fragment


def _fill(body: bytes, request) -> bytes:
    """A cached body made whole for ``request``'s reader."""
    body = _HOLE.sub(lambda hole: _fragment(hole[1].decode(), hole[2].decode(), request), body)
    return body.replace(TOKEN_PLACEHOLDER, get_token(request).encode())


# --------------------------------------------------------------------------------- keys


def _cacheable(request) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and not generations.register_pending()  # a change not committed yet
        and not len(messages.get_messages(request))
    )


def _key(request, kind: str, variant: str = "") -> str:
    parts = (
        translation.get_language() or "",
        visibility_class(request.user),
        timezone.localdate().isoformat(),
        variant,
        request.build_absolute_uri(),
    )
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    return f"{kind}:{register_generation()}:{digest}"


def cached_page(view):
    """Decorate a view method ``get(self, request, ...)`` whose page depends only on the
    register, the address, the language and the reader's visibility class, but for
    ``{% reader_fragment %}`` parts. A view whose page also varies with something else of
    the reader's says what in ``cache_variant()`` (a string)."""

    @functools.wraps(view)
    def get(self, request, *args, **kwargs):
        if not _cacheable(request):
            return view(self, request, *args, **kwargs)
        variant = self.cache_variant() if hasattr(self, "cache_variant") else ""
        key = _key(request, "page", variant)
        body = cache.get(key)
        if body is not None:
            return HttpResponse(_fill(body, request))
        request._register_cache_holes = True
        try:
            response = view(self, request, *args, **kwargs)
            if hasattr(response, "render") and not response.streaming:
                response.render()
        finally:
            request._register_cache_holes = False
        if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
            return response  # an export: no template of the page, no holes
        body = _hide_tokens(response.content)
        # Messages added while the page was drawn are the reader's own.
        if response.status_code == 200 and not len(messages.get_messages(request)):
            cache.set(key, body, settings.UNIBRIDGE_PAGE_CACHE_SECONDS)
        response.content = _fill(body, request)
        return response

    return get


def cached_api_list(view):
    """Decorate a DRF viewset's ``list``: its JSON page is kept per visibility class, full
    address (the filters, the page, ``format``), media type and language, and served
    without a query but the generation's. Exports (CSV, XLSX) and the browsable API (a page
    with the reader's name and forms) are not cached. Lists carry no ETag; the records'
    own ETags (``cooperation.versioning``) are unaffected."""

    @functools.wraps(view)
    def list_(self, request, *args, **kwargs):
        renderer = getattr(request, "accepted_renderer", None)
        if (
            not _cacheable(request)
            or getattr(renderer, "format", None) != "json"
            or self.export_format() is not None
        ):
            return view(self, request, *args, **kwargs)
        key = _key(request, "api", request.accepted_media_type or "")
        hit = cache.get(key)
        if hit is not None:
            body, content_type = hit
            return HttpResponse(body, content_type=content_type)
        response = view(self, request, *args, **kwargs)
        if response.status_code == 200 and hasattr(response, "render"):
            # As finalize_response() would; the handler then finds the response rendered.
            response.accepted_renderer = renderer
            response.accepted_media_type = request.accepted_media_type
            response.renderer_context = self.get_renderer_context()
            response.render()
            cache.set(
                key,
                (response.content, response["Content-Type"]),
                settings.UNIBRIDGE_PAGE_CACHE_SECONDS,
            )
        return response

    return list_

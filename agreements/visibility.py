"""Who may read which agreement, and who may enter and publish them.

One rule, used by every page, count, export and API answer
(``Agreement.objects.visible_to(user)``) and by everything derived from agreements
(partners, partner counts, the dashboard's figures, figures and scholarships that name the
agreement they came under). The roles themselves are ``cooperation.roles``'.

This module loads no models at import (``apps.get_model`` when called), so the core app's
serializers, filters and admin may import it.
"""

from __future__ import annotations

from django.apps import apps
from django.db.models import BigIntegerField, Case, F, Q, When

from cooperation.readers import access
from cooperation.roles import (
    ADMINISTRATOR,
    ANALYST,
    MINISTRY_EDITOR,
    UNIVERSITY_EDITOR,
    role_names,
    scoped_to,
)

from .choices import PUBLIC_STATUSES

# What an agreement's reader may see. One rule, used by every page, count, export and API
# answer (``Agreement.objects.visible_to(user)``) and by everything derived from agreements
# (partners, partner counts, the dashboard's figures):
#
# - analysts, ministry editors, administrators (and anyone holding "view agreement" without
#   being only a university editor) read every agreement: drafts and non-public ones too;
# - a university editor reads the public ones and every agreement one of their
#   institutions is a party to (their own drafts and non-public agreements);
# - everyone else, anonymous visitors included, reads only public agreements that are not
#   drafts.


def reads_all_agreements(user) -> bool:
    """True when ``user`` may read every agreement, public or not, drafts included.
    Cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    cached = getattr(user, "_unibridge_reads_all", None)
    if cached is None:
        if user.is_superuser:
            cached = True
        elif not user.has_perm("agreements.view_agreement"):
            cached = False
        else:
            names = role_names(user)
            wider = {ADMINISTRATOR, MINISTRY_EDITOR, ANALYST}
            cached = not (UNIVERSITY_EDITOR in names and not names & wider)
        user._unibridge_reads_all = cached
    return cached


def agreement_visibility(user, prefix: str = "") -> Q:
    """A filter on agreements (``prefix`` reaches them from another model, e.g.
    ``"agreement__"`` from a party) admitting exactly those ``user`` may read; an empty
    ``Q()`` when they read everything."""
    if reads_all_agreements(user):
        return Q()
    public = Q(**{f"{prefix}is_public": True, f"{prefix}status__in": PUBLIC_STATUSES})
    if getattr(user, "is_authenticated", False) and user.is_active:
        # Their institutions' agreements, drafts and non-public ones included: a subquery,
        # so that the outer query keeps one row per agreement.
        party = apps.get_model("agreements", "Party")
        own = party.objects.filter(institution__editor_links__user=user).values("agreement")
        if own_exists(user):
            return public | Q(**{f"{prefix}pk__in": own})
    return public


def visibility_class(user) -> str:
    """A name for the agreements ``user`` may read, the same for every reader who reads
    exactly the same ones (``agreement_visibility``): ``"all"``; ``"public"`` (anonymous
    visitors and everyone else without a wider right); ``"own:<ids>"``, the public ones plus
    those of these institutions (sorted ids). Pages and API answers cached for one reader
    are shown to the others of their class only (``cooperation.register_cache``)."""
    if reads_all_agreements(user):
        return "all"
    ids = access(user).institutions
    if ids:
        return "own:" + ",".join(map(str, ids))
    return "public"


def shown_agreement_id(user, field: str = "agreement"):
    """An expression for a row's ``field`` (a foreign key to an agreement): the agreement's
    id when ``user`` may read that agreement, else NULL. Figures and scholarships name the
    agreement they came under; a hidden one is not even named by its id."""
    if reads_all_agreements(user):
        return F(f"{field}_id")
    return Case(
        When(agreement_visibility(user, f"{field}__"), then=F(f"{field}_id")),
        default=None,
        output_field=BigIntegerField(),
    )


def shown_agreement_annotations(user, fields) -> dict:
    """``<field>_shown`` (``shown_agreement_id``) for each of ``fields``: what a queryset
    read for ``user`` is annotated with, so that ``agreement_shown`` costs no query a row."""
    return {f"{field}_shown": shown_agreement_id(user, field) for field in fields}


def agreement_shown(instance, user, field: str = "agreement") -> bool:
    """Whether ``user`` may see the agreement ``instance.<field>`` names: the annotation
    ``<field>_shown`` (``shown_agreement_id``) when the row was read with it, else a query."""
    agreement_id = getattr(instance, f"{field}_id")
    if agreement_id is None:
        return True
    annotated = f"{field}_shown"
    if hasattr(instance, annotated):
        return getattr(instance, annotated) is not None
    if reads_all_agreements(user):
        return True
    agreement = apps.get_model("agreements", "Agreement")
    return agreement.objects.visible_to(user).filter(pk=agreement_id).exists()


def own_exists(user) -> bool:
    """Whether ``user`` is linked to an institution (``cooperation.readers``)."""
    return bool(access(user).institutions)


def may_enter_in_bulk(user) -> bool:
    """Signing sessions and spreadsheet-like bulk entry (``POST /api/agreements/bulk/``)
    are the ministry's: they create signed agreements between any institutions, which a
    university editor, who only proposes drafts of their own, may not."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.has_perm("agreements.add_agreement")
        and not scoped_to(user)
    )


def may_publish(user) -> bool:
    """Publishing and withdrawing agreements (setting or changing ``is_public``) is the
    ministry's step: ministry editors and administrators, never a university editor, who
    proposes drafts and leaves the flag as the model's default sets it."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.has_perm("agreements.change_agreement")
        and not scoped_to(user)
    )

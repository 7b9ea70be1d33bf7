"""The four roles of UniBridge and what each may do.

Roles are Django groups (created by ``accounts``' migration and kept in step with new models
after every ``migrate``), so the admin, the pages and the API all read the same
permissions. One rule cannot be a plain permission: a *university editor* may change only
the records of the institutions they are linked to; ``scoped_to`` tells whether a user is
limited that way, and each model's ``editable_by(user)`` queryset method says which rows.
"""

from __future__ import annotations

from django.apps import apps
from django.db.models import BigIntegerField, Case, F, Q, When
from django.utils.translation import gettext_lazy as _

ADMINISTRATOR = "administrator"
MINISTRY_EDITOR = "ministry editor"
UNIVERSITY_EDITOR = "university editor"
ANALYST = "analyst"
ROLES = (ADMINISTRATOR, MINISTRY_EDITOR, UNIVERSITY_EDITOR, ANALYST)
ROLE_LABELS = {
    ADMINISTRATOR: _("administrator"),
    MINISTRY_EDITOR: _("ministry editor"),
    UNIVERSITY_EDITOR: _("university editor"),
    ANALYST: _("analyst"),
}

# The apps that hold the register itself (not users, tokens or login attempts).
DATA_APPS = ("cooperation", "universities", "events", "agreements", "mobility")

# Who edits which institution is a matter of user accounts: administrators only.
ADMIN_ONLY_MODELS = {"institutioneditor", "historicalinstitutioneditor"}

# Beyond reading everything, a university editor may change these, within their scope.
UNIVERSITY_EDITOR_CODENAMES = (
    "universities.change_institution",
    "universities.add_institutionname",
    "universities.change_institutionname",
    "universities.delete_institutionname",
    "agreements.add_agreement",
    "agreements.change_agreement",
    "agreements.add_party",
    "agreements.change_party",
    "agreements.delete_party",
    "agreements.add_cooperationcondition",
    "agreements.change_cooperationcondition",
    "agreements.delete_cooperationcondition",
)


def role_permissions(role: str, permissions) -> list:
    """The permissions ``role`` holds, picked from ``permissions`` (a Permission queryset
    with ``content_type`` selected): the single place the permission matrix is written."""
    result = []
    for permission in permissions:
        app = permission.content_type.app_label
        action = permission.codename.split("_", 1)[0]
        label = f"{app}.{permission.codename}"
        if role != ADMINISTRATOR and permission.content_type.model in ADMIN_ONLY_MODELS:
            keep = False
        elif role == ADMINISTRATOR:
            keep = True
        elif role == MINISTRY_EDITOR:
            keep = app in DATA_APPS
        elif role == UNIVERSITY_EDITOR:
            keep = app in DATA_APPS and (action == "view" or label in UNIVERSITY_EDITOR_CODENAMES)
        elif role == ANALYST:
            keep = app in DATA_APPS and action == "view"
        else:
            raise ValueError(role)
        if keep:
            result.append(permission)
    return result


def scoped_to(user) -> bool:
    """True when ``user`` may change only their own institutions' records: a university
    editor who holds no wider role. Cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(user, "_unibridge_scoped", None)
    if cached is None:
        if user.is_superuser:
            cached = False
        else:
            names = set(user.groups.values_list("name", flat=True))
            cached = UNIVERSITY_EDITOR in names and not names & {ADMINISTRATOR, MINISTRY_EDITOR}
        user._unibridge_scoped = cached
    return cached


def in_scope(queryset, user):
    """The rows of ``queryset`` that ``user`` may change as far as scope goes (permissions are
    checked apart): every row for everyone but a university editor, who gets the rows the
    model's ``editor_scope(user)`` admits, and none of a model that declares no scope."""
    if not scoped_to(user):
        return queryset
    model = queryset.model
    scope = getattr(model, "editor_scope", None)
    if scope is None:
        return queryset.none()
    # A subquery, so that the scope's joins never duplicate rows of the outer query.
    return queryset.filter(pk__in=model._default_manager.filter(scope(user)).values("pk"))


def object_in_scope(obj, user) -> bool:
    if not scoped_to(user):
        return True
    return in_scope(type(obj)._default_manager.filter(pk=obj.pk), user).exists()


# ----------------------------------------------------------------------------- visibility
#
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

# Statuses an agreement may have and still be shown to the public (every one but draft),
# as the agreements' own choices define them. Their choices module holds only TextChoices
# (no models), so reading it from here loads nothing above this app.
from agreements.choices import PUBLIC_STATUSES  # noqa: E402


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
            names = set(user.groups.values_list("name", flat=True))
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
    if getattr(user, "is_authenticated", False) and user.is_active:
        ids = sorted(user.institution_links.values_list("institution_id", flat=True))
        user._unibridge_has_institutions = bool(ids)  # own_exists(), known now
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
    """Whether ``user`` is linked to an institution (cached for the request)."""
    cached = getattr(user, "_unibridge_has_institutions", None)
    if cached is None:
        cached = user.institution_links.exists()
        user._unibridge_has_institutions = cached
    return cached


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

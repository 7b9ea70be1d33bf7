"""The four roles of UniBridge and what each may do.

Roles are Django groups (created by ``accounts``' migration and kept in step with new models
after every ``migrate``), so the admin, the pages and the API all read the same
permissions. One rule cannot be a plain permission: a *university editor* may change only
the records of the institutions they are linked to; ``scoped_to`` tells whether a user is
limited that way, and each model's ``editable_by(user)`` queryset method says which rows.
Who reads which agreement (and enters or publishes them) is the agreements' own rule:
``agreements.visibility``.
"""

from __future__ import annotations

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


def role_names(user) -> frozenset[str]:
    """The names of the groups (roles) ``user`` belongs to (``cooperation.readers``: read
    once per change of readers, kept for the request on the user object): the editing
    scope, the agreements' visibility and the header's role labels all ask."""
    from .readers import access  # it reads the generations, which read the models

    return access(user).roles


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
            names = role_names(user)
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


def role_labels(user) -> list[str]:
    """The roles ``user`` holds, as the header shows them beside their name ("ministry
    editor"); a superuser is an administrator. Cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_unibridge_role_labels", None)
    if cached is None:
        names = {ADMINISTRATOR} if user.is_superuser else set()
        names |= role_names(user) & set(ROLES)
        cached = [str(ROLE_LABELS[role]) for role in ROLES if role in names]
        user._unibridge_role_labels = cached
    return cached

"""The register's rules for an agreement's parties and cooperation conditions: one
function per rule.

Every way in calls them, so every way in refuses the same things with the same words:

- the admin (``PartyFormSet``, ``CooperationConditionForm`` and its formset, the
  stand-alone condition form);
- the API, on create, update and nested writes (``AgreementSerializer``,
  ``CooperationConditionSerializer``): a 400 naming the field;
- the signing session and the spreadsheet import (``services.agreements_bulk_check``);
- renewals (``lifecycle.agreement_renew``), which copy parties and conditions.

The rules that need only the row and its agreement are the model's:
``validate_places_per_year`` is a validator of ``CooperationCondition.places_per_year``,
``validate_academic_years`` runs in ``CooperationCondition.clean()`` (the database keeps
the order too, by the constraint ``condition_last_year_after_first``), so ``full_clean()``
applies them wherever it runs. Each function raises Django's ``ValidationError`` keyed
by the field at fault.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cooperation.choices import IscedFieldLevel

MIN_PARTIES = 2
# The ISCED-F levels a condition's subject areas are given at: a narrow (3 digits) or a
# detailed (4 digits) field. A broad field ("05") says too little to plan mobility by.
SUBJECT_AREA_LEVELS = (IscedFieldLevel.NARROW, IscedFieldLevel.DETAILED)
ISCED_DIGITS = {IscedFieldLevel.BROAD: 2, IscedFieldLevel.NARROW: 3, IscedFieldLevel.DETAILED: 4}
ENDPOINTS = ("sending_institution", "receiving_institution")


def _pk(value: Any) -> Any:
    return getattr(value, "pk", value)


def _related(instance: Any, name: str) -> Any:
    """The related object when its id is set (named in messages), else None."""
    return getattr(instance, name) if getattr(instance, f"{name}_id", None) else None


def validate_parties(
    institutions: Sequence[Any], *, had: int | None = None, names: Mapping[Any, str] | None = None
) -> None:
    """At least two parties, each institution once (``institutions``: ids or
    ``Institution`` objects, one per party).

    ``had`` is how many parties the agreement had before this change (None for a new
    one). A record loaded from the news that names a single signer (``had`` below two)
    stays editable until the other is known, as long as it loses no party.
    """
    errors = []
    ids = [_pk(institution) for institution in institutions if institution is not None]
    seen: set = set()
    for institution in institutions:
        if institution is None:
            continue
        key = _pk(institution)
        if key in seen:
            name = (names or {}).get(key) or str(institution)
            errors.append(
                ValidationError(
                    _("%(name)s is a party twice."), code="duplicate_party", params={"name": name}
                )
            )
        seen.add(key)
    distinct = len(set(ids))
    grandfathered = had is not None and had < MIN_PARTIES and distinct >= had
    if distinct < MIN_PARTIES and not grandfathered:
        errors.append(
            ValidationError(
                _("An agreement has two or more parties, each a different institution."),
                code="too_few_parties",
            )
        )
    if errors:
        raise ValidationError({"parties": errors})


def validate_condition_endpoints(sending: Any, receiving: Any, party_ids: Iterable[Any]) -> None:
    """A condition's sending and receiving institutions are parties of its agreement
    (``party_ids``: the institutions of the parties as submitted with it, or saved)."""
    parties = {_pk(party) for party in party_ids}
    errors = {}
    for field, institution in zip(ENDPOINTS, (sending, receiving), strict=True):
        if institution is not None and _pk(institution) not in parties:
            errors[field] = ValidationError(
                _(
                    "%(institution)s is not a party to this agreement: add it under "
                    "“Parties” first."
                ),
                code="not_a_party",
                params={"institution": institution},
            )
    if errors:
        raise ValidationError(errors)


def validate_places_per_year(value: int | None) -> None:
    """Places per year are a positive number when given (empty: the agreement gives none)."""
    if value is not None and value < 1:
        raise ValidationError(
            _("Places per year are at least 1; leave it empty when the agreement gives no number."),
            code="places_not_positive",
        )


def validate_subject_areas(fields: Iterable[Any]) -> None:
    """Subject areas are ISCED-F fields of the reference list (``cooperation.IscedField``)
    at a level a condition takes (``SUBJECT_AREA_LEVELS``), each with the number of digits
    its level has."""
    errors = []
    for field in fields:
        digits = ISCED_DIGITS.get(field.level)
        if field.level not in SUBJECT_AREA_LEVELS:
            errors.append(
                ValidationError(
                    _(
                        "%(code)s is a broad ISCED-F field; give a narrow (3 digits) or "
                        "detailed (4 digits) field."
                    ),
                    code="isced_level",
                    params={"code": field.code},
                )
            )
        elif digits is None or len(field.code) != digits or not field.code.isdigit():
            errors.append(
                ValidationError(
                    _("%(code)s is not an ISCED-F code of the level it is listed at (%(level)s)."),
                    code="isced_code",
                    params={"code": field.code, "level": field.level},
                )
            )
    if errors:
        raise ValidationError({"subject_areas": errors})


def validate_academic_years(
    first: str, last: str, *, agreement_ends: datetime.date | None, agreement_known: bool
) -> None:
    """The last academic year is not before the first, and is given unless the agreement
    is open-ended (``agreement_known``: whether the caller knows the agreement's end date).
    The constraint ``condition_last_year_after_first`` keeps the order in the database
    too; this check names the field wherever a person wrote it."""
    if first and last and last < first:
        raise ValidationError(
            {
                "last_academic_year": ValidationError(
                    _("The last academic year cannot precede the first."),
                    code="years_out_of_order",
                )
            }
        )
    if not last and agreement_known and agreement_ends is not None:
        raise ValidationError(
            {
                "last_academic_year": ValidationError(
                    _(
                        "Give the last academic year: the agreement ends on %(date)s (only "
                        "an open-ended agreement's conditions may leave it empty)."
                    ),
                    code="last_year_required",
                    params={"date": agreement_ends.isoformat()},
                )
            }
        )


def condition_errors(
    condition: Any, *, party_ids: Iterable[Any], subject_areas: Iterable[Any] | None = None
) -> dict[str, list[str]]:
    """Every rule of this module that concerns one condition and its agreement, as
    messages per field (for callers that report all at once: the API, renewals). The
    row's own rules run with its ``full_clean()``."""
    errors: dict[str, list[str]] = {}
    checks = [
        lambda: validate_condition_endpoints(
            _related(condition, "sending_institution"),
            _related(condition, "receiving_institution"),
            party_ids,
        )
    ]
    if subject_areas is not None:
        checks.append(lambda: validate_subject_areas(subject_areas))
    for check in checks:
        try:
            check()
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages)
    return errors

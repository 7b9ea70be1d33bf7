"""The life of an agreement after signing: renewal by a successor, termination, and the
daily expiry alerts (``manage.py notify_expiring``).

Renewal and termination raise Django's ``ValidationError`` with messages per field (the
admin form and the API show them beside the field); a refusal because of the agreement's
state or a concurrent edit carries one of ``CONFLICT_CODES`` (the API answers 409).
Nothing is saved when anything is refused.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cooperation.models import EditConflict, conflict_message
from cooperation.roles import MINISTRY_EDITOR, object_in_scope
from universities.models import InstitutionEditor

from . import rules
from .choices import SIGNED_STATUSES, AgreementStatus
from .models import Agreement, CooperationCondition, ExpiryNotice, Party, expiring_days

logger = logging.getLogger(__name__)

# A lapsed agreement is renewed as often as one still running; a draft or a terminated one
# is not.
RENEWABLE = (*SIGNED_STATUSES, AgreementStatus.EXPIRED)
TERMINABLE = (*SIGNED_STATUSES, AgreementStatus.EXPIRED)
SUCCESSOR_STATUSES = (AgreementStatus.DRAFT, *SIGNED_STATUSES)
# Refusals because of the agreement's state, not the input: the API answers 409.
CONFLICT_CODES = frozenset({"edit_conflict", "terminated", "draft", "already_terminated"})


# --------------------------------------------------------------------------- checks


def may_renew(user, agreement: Agreement) -> bool:
    """Adding and changing agreements, within the user's scope (a university editor's scope
    holds only drafts, which are not renewed: renewing is the ministry's step)."""
    return bool(
        user.has_perms(["agreements.add_agreement", "agreements.change_agreement"])
        and object_in_scope(agreement, user)
    )


def may_terminate(user, agreement: Agreement) -> bool:
    return bool(user.has_perm("agreements.change_agreement") and object_in_scope(agreement, user))


def can_be_renewed(agreement: Agreement) -> bool:
    return agreement.status in RENEWABLE


def renewal_pending(agreement: Agreement) -> bool:
    """Worth offering "Renew": renewable and not yet renewed by a live agreement (uses the
    prefetched renewals when there are)."""
    return can_be_renewed(agreement) and not any(
        renewal.status != AgreementStatus.TERMINATED for renewal in agreement.renewals.all()
    )


def can_be_terminated(agreement: Agreement) -> bool:
    return agreement.status in TERMINABLE


def lifecycle_conflict(exc: ValidationError) -> ValidationError | None:
    """The error of ``exc`` that refuses because of the agreement's state or a concurrent
    edit (the API's 409), or None when every error is about the input."""
    if hasattr(exc, "error_dict"):
        errors = [error for items in exc.error_dict.values() for error in items]
    else:
        errors = exc.error_list
    return next((error for error in errors if error.code in CONFLICT_CODES), None)


def _refusal(message: str, code: str) -> ValidationError:
    return ValidationError({NON_FIELD_ERRORS: ValidationError(message, code=code)})


def _locked(agreement: Agreement, expected_version: int | None) -> Agreement:
    """The agreement as the database holds it now, locked until the transaction ends; refused
    when it moved past the version the caller read (``expected_version``, or the version of
    the caller's copy)."""
    current = Agreement.objects.select_for_update().get(pk=agreement.pk)
    expected = agreement.version if expected_version is None else expected_version
    if current.version != expected:
        raise _refusal(conflict_message(), "edit_conflict")
    return current


def _overlaps(a_from, a_until, b_from, b_until) -> bool:
    """Two validity periods share a day (an empty end is open-ended, an empty start unknown)."""
    if a_from and b_until and b_until < a_from:
        return False
    return not (b_from and a_until and a_until < b_from)


def _full_clean(instance, *, exclude: set[str] = frozenset()) -> None:
    """``full_clean()``, with a unique constraint's message on its last field (Django puts
    a conditional one, such as the reference code's, above the form)."""
    errors: dict[str, list] = {}
    try:
        instance.full_clean(exclude=exclude, validate_constraints=False)
    except ValidationError as exc:
        errors = exc.message_dict
    for model_class, constraints in instance.get_constraints():
        for constraint in constraints:
            try:
                constraint.validate(model_class, instance, exclude={*exclude, *errors})
            except ValidationError as exc:
                fields = list(getattr(constraint, "fields", ()) or ())
                errors.setdefault(fields[-1] if fields else NON_FIELD_ERRORS, []).extend(
                    exc.messages
                )
    if errors:
        raise ValidationError(errors)


def academic_year(day: datetime.date) -> str:
    """The academic year (September to August) a day falls in: 2026-03-01 -> 2025/2026."""
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start}/{start + 1}"


# --------------------------------------------------------------------------- renew


def agreement_renew(
    agreement: Agreement,
    *,
    user,
    valid_from: datetime.date | None,
    valid_until: datetime.date | None = None,
    signed_on: datetime.date | None = None,
    title: str | None = None,
    reference_code: str = "",
    status: str = AgreementStatus.SIGNED,
    copy_conditions: bool = True,
    expected_version: int | None = None,
) -> Agreement:
    """Create the agreement that renews ``agreement`` and return it.

    The successor keeps the kind, level, parent framework, public flag, areas and parties
    (institutions only: signatories and dates belong to the signing of the original); the
    cooperation conditions are copied with their academic years moved to the new validity
    (``copy_conditions``). It does not keep the event, reference code, document,
    description or sources: those are facts of the original's signing. Everything is saved
    in one transaction, with history rows naming ``user``.

    Refused: a draft or terminated agreement, a renewal whose validity overlaps another
    renewal of the same agreement, or one that starts before the original did.
    """
    with transaction.atomic():
        original = _locked(agreement, expected_version)
        if original.status == AgreementStatus.TERMINATED:
            raise _refusal(
                _("This agreement was terminated on %(date)s; it cannot be renewed.")
                % {"date": original.terminated_on or "—"},
                "terminated",
            )
        if original.status == AgreementStatus.DRAFT:
            raise _refusal(
                _("A draft cannot be renewed: it has not been signed yet. Edit the draft instead."),
                "draft",
            )
        errors: dict[str, list[str]] = defaultdict(list)
        if status not in SUCCESSOR_STATUSES:
            errors["status"].append(
                _("A renewal is a draft, signed, or in effect; not “%(status)s”.")
                % {"status": status}
            )
        if valid_from is None:
            errors["valid_from"].append(_("Give the date the renewal takes effect."))
        elif original.valid_from and valid_from <= original.valid_from:
            errors["valid_from"].append(
                _("A renewal starts after the agreement it renews, which took effect on %(date)s.")
                % {"date": original.valid_from.isoformat()}
            )
        if valid_from and valid_until and valid_until < valid_from:
            errors["valid_until"].append(_("“Valid until” cannot be before “valid from”."))
        if signed_on and original.signed_on and signed_on < original.signed_on:
            errors["signed_on"].append(
                _("A renewal cannot be signed before the agreement it renews (%(date)s).")
                % {"date": original.signed_on.isoformat()}
            )
        if valid_from and not errors["valid_until"]:
            others = original.renewals.exclude(status=AgreementStatus.TERMINATED).order_by("pk")
            for other in others:
                if _overlaps(valid_from, valid_until, other.valid_from, other.valid_until):
                    errors["valid_from"].append(
                        _(
                            "This agreement is already renewed by “%(title)s” (%(start)s – "
                            "%(end)s); a second renewal cannot overlap it."
                        )
                        % {
                            "title": other.localized_title(),
                            "start": other.valid_from or "…",
                            "end": other.valid_until or _("open-ended"),
                        }
                    )
                    break
        party_ids = list(original.parties.order_by("pk").values_list("institution_id", flat=True))
        try:
            rules.validate_parties(party_ids)
        except ValidationError as exc:
            errors["parties"].extend(exc.message_dict["parties"])
        errors = {key: messages for key, messages in errors.items() if messages}
        if errors:
            raise ValidationError(errors)

        # A renewal under the same title keeps its translations; a new title has none yet.
        same_title = not (title or "").strip() or title.strip() == original.title
        successor = Agreement(
            title=(title or "").strip() or original.title,
            title_translations=dict(original.title_translations) if same_title else {},
            reference_code=(reference_code or "").strip(),
            kind=original.kind,
            level=original.level,
            status=status,
            signed_on=signed_on,
            valid_from=valid_from,
            valid_until=valid_until,
            parent=original.parent,
            renews=original,
            # Drafts are never public; a signed renewal is as public as what it renews.
            is_public=original.is_public and status != AgreementStatus.DRAFT,
        )
        _full_clean(successor)
        successor._history_user = user
        successor._change_reason = _("Renews agreement %(id)s") % {"id": original.pk}
        successor.save()
        successor.areas.set(original.areas.all())
        for party in original.parties.order_by("pk"):
            copy = Party(agreement=successor, institution_id=party.institution_id)
            copy._history_user = user
            copy.save()
        if copy_conditions:
            _copy_conditions(original, successor, user, party_ids=set(party_ids))
        if not object_in_scope(successor, user):
            # Raised inside the transaction: nothing of the renewal is kept.
            raise PermissionDenied(_("You may not renew this agreement."))
    return successor


def _copy_conditions(
    original: Agreement, successor: Agreement, user, *, party_ids: set[int]
) -> None:
    """Copy the conditions under the register's rules (``agreements.rules`` and the
    condition's own ``full_clean()``): a copy that breaks one is refused, named, under
    ``copy_conditions`` (fix the original, or renew without its conditions)."""
    first = academic_year(successor.valid_from)
    last = academic_year(successor.valid_until) if successor.valid_until else ""
    conditions = original.conditions.order_by("pk").prefetch_related("subject_areas")
    refused: list[str] = []
    for condition in conditions:
        copy = CooperationCondition(
            agreement=successor,
            sending_institution_id=condition.sending_institution_id,
            receiving_institution_id=condition.receiving_institution_id,
            mobility_type=condition.mobility_type,
            levels=list(condition.levels or []),
            places_per_year=condition.places_per_year,
            months_per_year=condition.months_per_year,
            days_per_year=condition.days_per_year,
            first_academic_year=first,
            last_academic_year=last,
        )
        fields = list(condition.subject_areas.all())
        errors = rules.condition_errors(copy, party_ids=party_ids, subject_areas=fields)
        try:
            copy.full_clean()
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages)
        if errors:
            refused += [
                _("Condition %(condition)s, %(field)s: %(message)s")
                % {
                    "condition": condition,
                    "field": CooperationCondition._meta.get_field(field).verbose_name
                    if field != NON_FIELD_ERRORS
                    else "—",
                    "message": message,
                }
                for field, messages in errors.items()
                for message in messages
            ]
            continue
        copy._history_user = user
        copy.save()
        copy.subject_areas.set(fields)
    if refused:
        raise ValidationError({"copy_conditions": refused})


# --------------------------------------------------------------------------- terminate


def agreement_terminate(
    agreement: Agreement,
    *,
    user,
    on: datetime.date | None,
    reason: str,
    expected_version: int | None = None,
    today: datetime.date | None = None,
) -> Agreement:
    """Record that ``agreement`` was terminated ``on`` a date, for a ``reason``; return it.

    The date is not before the agreement was signed (or took effect, when the signing date
    is unknown), not after it ended, and not in the future: a termination is recorded once
    it has happened, so that the agreement stays in force until then.
    """
    today = today or timezone.localdate()
    reason = (reason or "").strip()
    with transaction.atomic():
        current = _locked(agreement, expected_version)
        if current.status == AgreementStatus.TERMINATED:
            raise _refusal(
                _("This agreement was already terminated on %(date)s.")
                % {"date": current.terminated_on or "—"},
                "already_terminated",
            )
        if current.status not in TERMINABLE:
            raise _refusal(
                _("A draft is not in force, so it cannot be terminated; delete it instead."),
                "draft",
            )
        errors: dict[str, str] = {}
        if not reason:
            errors["reason"] = _("Give the reason for the termination.")
        if on is None:
            errors["terminated_on"] = _("Give the date the agreement was terminated.")
        else:
            start_name, start = (
                (_("signed"), current.signed_on)
                if current.signed_on
                else (_("took effect"), current.valid_from)
            )
            if start and on < start:
                errors["terminated_on"] = _(
                    "The agreement %(event)s on %(date)s; it cannot be terminated before that."
                ) % {"event": start_name, "date": start.isoformat()}
            elif current.valid_until and on > current.valid_until:
                errors["terminated_on"] = _(
                    "The agreement ended on %(date)s; a termination is on or before that day."
                ) % {"date": current.valid_until.isoformat()}
            elif on > today:
                errors["terminated_on"] = _(
                    "Record a termination once it has taken effect: the date cannot be in the "
                    "future."
                )
        if errors:
            raise ValidationError(errors)
        current.status = AgreementStatus.TERMINATED
        current.terminated_on = on
        current.termination_reason = reason
        _full_clean(current, exclude={"document"})
        current._history_user = user
        current._change_reason = _("Terminated")
        try:
            current.save()
        except EditConflict as exc:
            raise _refusal(conflict_message(), "edit_conflict") from exc
    return current


# --------------------------------------------------------------------------- expiry alerts


def expiry_thresholds() -> tuple[int, ...]:
    """The alert thresholds in days, widest first: the first alert when the agreement
    starts expiring (``UNIBRIDGE_EXPIRING_DAYS``), then the reminders of
    ``UNIBRIDGE_EXPIRY_THRESHOLDS``: (90, 30) by default."""
    widest = expiring_days()
    values = getattr(settings, "UNIBRIDGE_EXPIRY_THRESHOLDS", (30,))
    reminders = {int(value) for value in values if 0 < int(value) <= widest}
    return tuple(sorted({widest, *reminders}, reverse=True))


@dataclass
class DueAlert:
    """One agreement to warn about, at the tightest threshold its end date falls within."""

    agreement: Agreement
    threshold: int
    days_left: int
    recipients: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return settings.UNIBRIDGE_SITE_URL.rstrip("/") + self.agreement.get_absolute_url()


@dataclass
class AlertRun:
    today: datetime.date
    dry_run: bool
    thresholds: tuple[int, ...]
    alerts: list[DueAlert] = field(default_factory=list)  # sent (or, dry, to send)
    unaddressed: list[DueAlert] = field(default_factory=list)  # nobody to tell
    mails: dict[str, list[DueAlert]] = field(default_factory=dict)  # recipient -> alerts
    failures: dict[str, str] = field(default_factory=dict)  # recipient -> error


def expiry_alerts_due(*, today: datetime.date) -> list[DueAlert]:
    """Agreements in force whose end date falls within a threshold and whose alert for that
    threshold (or a tighter one) has not gone out for this end date. An agreement already
    renewed by a signed one (in force, or taking effect later) needs no alert."""
    thresholds = expiry_thresholds()
    if not thresholds:
        return []
    renewed = Agreement.objects.filter(renews=OuterRef("pk"), status__in=SIGNED_STATUSES)
    candidates = list(
        Agreement.objects.expiring(today=today)
        .exclude(Exists(renewed))
        .prefetch_related(
            Prefetch(
                "parties",
                # Names too: the mail shows each institution's label in its language.
                queryset=Party.objects.select_related("institution").prefetch_related(
                    "institution__names"
                ),
            ),
            Prefetch(
                "expiry_notices",
                queryset=ExpiryNotice.objects.only("agreement_id", "threshold_days", "valid_until"),
            ),
        )
        .order_by("valid_until", "title", "pk")
    )
    due = []
    for agreement in candidates:
        days_left = (agreement.valid_until - today).days
        threshold = min(value for value in thresholds if days_left <= value)
        sent = {
            notice.threshold_days
            for notice in agreement.expiry_notices.all()
            if notice.valid_until == agreement.valid_until
        }
        # Sent at this threshold or a tighter one: nothing more (first seen at 20 days,
        # the 30-day alert goes and the 90-day one never does).
        if any(value <= threshold for value in sent):
            continue
        due.append(DueAlert(agreement=agreement, threshold=threshold, days_left=days_left))
    return due


def expiry_alert_recipients(agreements: Iterable[Agreement]) -> dict[int, list[str]]:
    """Who hears about each agreement: the active users linked as editors of one of its
    parties (university editors), every active ministry editor, and the addresses of
    ``UNIBRIDGE_EXPIRY_ALERT_EMAILS``; users without an e-mail address are left out."""
    agreements = list(agreements)
    institution_ids = {party.institution_id for a in agreements for party in a.parties.all()}
    editors: dict[int, set[str]] = defaultdict(set)
    links = InstitutionEditor.objects.filter(
        institution_id__in=institution_ids, user__is_active=True
    ).exclude(user__email="")
    for institution_id, email in links.values_list("institution_id", "user__email"):
        editors[institution_id].add(email.strip())
    ministry = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=MINISTRY_EDITOR)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    common = {email.strip() for email in ministry} | {
        email.strip() for email in getattr(settings, "UNIBRIDGE_EXPIRY_ALERT_EMAILS", ()) if email
    }
    result = {}
    for agreement in agreements:
        emails = set(common)
        for party in agreement.parties.all():
            emails |= editors.get(party.institution_id, set())
        # One address once, whatever its case.
        unique = {email.casefold(): email for email in sorted(emails) if email}
        result[agreement.pk] = sorted(unique.values(), key=str.casefold)
    return result


def expiry_alerts_send(
    *, today: datetime.date | None = None, dry_run: bool = False, connection=None
) -> AlertRun:
    """Send the alerts that are due: one e-mail per recipient listing their agreements, and
    an ``ExpiryNotice`` per agreement and threshold, so no alert goes twice.

    Each notice is claimed (inserted) before the mails go out: two runs at once cannot both
    send it (the unique constraint refuses the second). A mail that fails is taken off the
    notices, and a notice that reached nobody is removed so the next run tries again.
    """
    today = today or timezone.localdate()
    run = AlertRun(today=today, dry_run=dry_run, thresholds=expiry_thresholds())
    due = expiry_alerts_due(today=today)
    recipients = expiry_alert_recipients(alert.agreement for alert in due)
    notices: dict[int, ExpiryNotice] = {}
    for alert in due:
        alert.recipients = recipients.get(alert.agreement.pk, [])
        if not alert.recipients:
            run.unaddressed.append(alert)
            continue
        if not dry_run:
            try:
                with transaction.atomic():
                    notices[alert.agreement.pk] = ExpiryNotice.objects.create(
                        agreement=alert.agreement,
                        threshold_days=alert.threshold,
                        valid_until=alert.agreement.valid_until,
                        recipients=alert.recipients,
                    )
            except IntegrityError:
                continue  # another run sent it a moment ago
        run.alerts.append(alert)
        for email in alert.recipients:
            run.mails.setdefault(email, []).append(alert)
    if dry_run or not run.mails:
        return run
    connection = connection or get_connection()
    with translation.override(getattr(settings, "UNIBRIDGE_EMAIL_LANGUAGE", None)):
        for email, alerts in run.mails.items():
            try:
                expiry_alert_message(email, alerts, connection=connection).send()
            except Exception as exc:  # SMTP refusals, timeouts, DNS: report, keep going
                logger.exception("Expiry alert to %s failed", email)
                run.failures[email] = str(exc) or exc.__class__.__name__
    if run.failures:
        for alert in run.alerts:
            notice = notices[alert.agreement.pk]
            reached = [email for email in notice.recipients if email not in run.failures]
            if not reached:
                notice.delete()
            elif reached != notice.recipients:
                notice.recipients = reached
                notice.save(update_fields=["recipients"])
    return run


def expiry_alert_message(email: str, alerts: list[DueAlert], *, connection=None):
    """One e-mail to ``email``: the agreements ending soon, tightest first, with their
    parties, end dates and links; plain text and HTML."""
    alerts = sorted(alerts, key=lambda alert: (alert.agreement.valid_until, alert.agreement.pk))
    context = {
        "alerts": alerts,
        "site_url": settings.UNIBRIDGE_SITE_URL.rstrip("/"),
        "register_url": "{}{}?expiring_within={}".format(
            settings.UNIBRIDGE_SITE_URL.rstrip("/"),
            reverse("agreements:agreement_list"),
            max(alert.threshold for alert in alerts),
        ),
    }
    subject = ngettext(
        "UniBridge: %(count)d agreement ends within %(days)d days",
        "UniBridge: %(count)d agreements end within %(days)d days",
        len(alerts),
    ) % {"count": len(alerts), "days": max(alert.threshold for alert in alerts)}
    text = render_to_string("agreements/email/expiring.txt", context)
    html = render_to_string("agreements/email/expiring.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[email], connection=connection)
    message.attach_alternative(html, "text/html")
    return message

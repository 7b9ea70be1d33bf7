"""Writes with rules for agreements: a whole signing session entered at once."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import itertools
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.postgres.aggregates import ArrayAgg
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from cooperation.audit import (
    history_snapshot_m2m,
    insert_objects_with_history,
    insert_rows_with_history,
)
from cooperation.choices import choice_from_text
from cooperation.register_cache import bump_register_generation
from events.models import Event, Person
from universities.matching import SURE, UNKNOWN, Match, NameMatcher
from universities.models import Institution

from . import rules
from .choices import AgreementKind, AgreementState, AgreementStatus, CooperationAreaCode
from .counts import counts_changed
from .keys import insert_search_keys
from .models import Agreement, CooperationArea, Party
from .pairs import lock_institution_pairs, refresh_country_pairs

# A session larger than this is refused with a message rather than left to time out.
MAX_ROWS = 5000


@dataclasses.dataclass
class PartyResult:
    """One party of a row: what was written, and the institution it resolved to."""

    written: str
    institution_id: int | None = None
    institution_name: str = ""
    verdict: str = SURE
    match: Match | None = None
    create_country: str = ""  # an institution to create on save, in this country
    signatory: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "written": self.written,
            "institution": self.institution_id,
            "institution_name": self.institution_name,
            "verdict": self.verdict,
            "create": bool(self.create_country),
            "country": self.create_country or None,
            "signatory": self.signatory,
            "candidates": [c.as_dict() for c in self.match.candidates] if self.match else [],
        }


@dataclasses.dataclass
class RowResult:
    """The checked form of one row: its parties, errors and duplicates."""

    index: int
    title: str = ""
    kind: str = ""
    areas: list[str] = dataclasses.field(default_factory=list)
    signed_on: datetime.date | None = None
    valid_from: datetime.date | None = None
    valid_until: datetime.date | None = None
    parties: list[PartyResult] = dataclasses.field(default_factory=list)
    errors: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    duplicate_of: list[int] = dataclasses.field(default_factory=list)
    duplicate_rows: list[int] = dataclasses.field(default_factory=list)
    # The agreements of ``duplicate_of``, loaded to be named and linked.
    duplicate_agreements: list[Agreement] = dataclasses.field(default_factory=list, repr=False)
    allow_duplicate: bool = False
    agreement_id: int | None = None
    # The unsaved agreement the check validated, saved as it is (not shown, not compared).
    built: Agreement | None = dataclasses.field(default=None, repr=False, compare=False)

    def error(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(str(message))

    @property
    def kind_label(self) -> str:
        return str(AgreementKind(self.kind).label) if self.kind else ""

    @property
    def status(self) -> str:
        """ready, ambiguous (a person must choose a party) or error."""
        if self.errors:
            return "error"
        if any(p.verdict != SURE and not p.create_country for p in self.parties):
            return "ambiguous"
        return "ready"

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "status": self.status,
            "title": self.title,
            "kind": self.kind,
            "areas": self.areas,
            "signed_on": self.signed_on,
            "valid_from": self.valid_from,
            "valid_until": self.valid_until,
            "parties": [p.as_dict() for p in self.parties],
            "errors": self.errors,
            "duplicate_of": self.duplicate_of,
            "duplicate_rows": self.duplicate_rows,
            "agreement": self.agreement_id,
        }


@dataclasses.dataclass
class BulkResult:
    """Every row checked; ``saved`` only when all were ready and ``dry_run`` was off."""

    rows: list[RowResult]
    saved: bool = False
    errors: list[str] = dataclasses.field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors and all(row.status == "ready" for row in self.rows)

    def summary(self) -> dict[str, int]:
        counts = {"rows": len(self.rows), "ready": 0, "ambiguous": 0, "error": 0}
        for row in self.rows:
            counts[row.status] += 1
        counts["duplicates"] = sum(1 for r in self.rows if r.duplicate_of or r.duplicate_rows)
        counts["manual_choices"] = sum(
            1 for r in self.rows for p in r.parties if p.match and p.match.verdict != SURE
        )
        return counts

    def as_dict(self) -> dict[str, Any]:
        return {
            "saved": self.saved,
            "valid": self.valid,
            "summary": self.summary(),
            "errors": self.errors,
            "rows": [row.as_dict() for row in self.rows],
        }


def _as_date(value: Any, row: RowResult, field: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    parsed = None
    with contextlib.suppress(ValueError):  # a well-formed but impossible date: 2026-02-30
        parsed = parse_date(text)
    if parsed is None:
        # Spreadsheets from the ministry write dates the Russian way: 06.04.2026.
        try:
            parsed = datetime.datetime.strptime(text, "%d.%m.%Y").date()
        except ValueError:
            row.error(
                field,
                _("“%(value)s” is not a date; write YYYY-MM-DD or DD.MM.YYYY.") % {"value": text},
            )
    return parsed


def _as_kind(value: Any, row: RowResult) -> str:
    text = str(value or "").strip()
    if not text:
        row.error("kind", _("Give the kind of agreement."))
        return ""
    lowered = text.casefold()
    if lowered in AgreementKind.values:
        return lowered  # a code: no label to translate (1,000 rows: 0.15 s of gettext)
    code = choice_from_text(AgreementKind, text)  # a label in any language, or its start
    if code:
        return code
    row.error(
        "kind",
        _("Unknown kind “%(value)s”; use one of: %(choices)s.")
        % {"value": text, "choices": "; ".join(str(label) for label in AgreementKind.labels)},
    )
    return ""


def _as_areas(values: list, row: RowResult) -> list[str]:
    """Areas by their codes or labels in any interface language (``choice_from_text``)."""
    areas, unknown = [], []
    for value in values:
        code = choice_from_text(CooperationAreaCode, str(value))
        (areas if code else unknown).append(code or str(value))
    if unknown:
        row.error(
            "areas",
            _("Unknown areas: %(areas)s; use: %(choices)s.")
            % {
                "areas": ", ".join(unknown),
                "choices": "; ".join(str(label) for label in CooperationAreaCode.labels),
            },
        )
    return list(dict.fromkeys(areas))


def _as_list(value: Any) -> list:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.replace(",", ";").split(";") if part.strip()]
    return list(value)


def _written_by_id(item: Any) -> int | None:
    """The institution id a party item gives, or None when it is a name to match."""
    if isinstance(item, Mapping):
        if item.get("id") not in (None, ""):
            item = item["id"]
        elif item.get("create"):
            return 0  # a new institution: neither an id to load nor a name to match
        else:
            return None
    if isinstance(item, int) and not isinstance(item, bool):
        return item
    return None


def _party_items(rows: Sequence[Any]) -> list:
    return [
        item for raw in rows if isinstance(raw, Mapping) for item in _as_list(raw.get("parties"))
    ]


def _name_to_match(item: Any) -> str | None:
    """The text the register's matcher is asked for a party item (``_resolve_party``);
    None when the item gives an institution id or asks for a new institution."""
    if isinstance(item, Mapping):
        if item.get("id") not in (None, ""):
            item = item["id"]
        elif item.get("create"):
            return None
        else:
            item = item.get("name") or ""
    if isinstance(item, int) and not isinstance(item, bool):
        return None
    return str(item).strip()


def written_names(rows: Sequence[Any]) -> list[str]:
    """The parties of ``rows`` written as names, which the register's matcher is asked
    (``_resolve_party``), each once."""
    names = (_name_to_match(item) for item in _party_items(rows))
    return list(dict.fromkeys(name for name in names if name is not None))


def _load_register(rows: Sequence[Any]) -> tuple[NameMatcher | None, dict[int, Institution]]:
    """The institutions a session needs: the whole register only when some party is
    written as a name. Loading and folding every name costs seconds on a large register,
    and an integration that sends ids should not pay for it."""
    ids = [_written_by_id(item) for item in _party_items(rows)]
    if any(pk is None for pk in ids):
        matcher = NameMatcher.of_register()
        return matcher, matcher.institutions
    wanted = {pk for pk in ids if pk}
    return None, Institution.objects.only("id", "name", "country").in_bulk(wanted)


def _resolve_party(
    item: Any, matcher: NameMatcher | None, institutions: dict[int, Institution]
) -> PartyResult:
    """A party given as an institution id, a name, or {"name", "id", "create", "country"}."""
    signatory = ""
    if isinstance(item, Mapping):
        signatory = str(item.get("signatory") or "").strip()
        if item.get("id") not in (None, ""):
            item = item["id"]
        elif item.get("create"):
            name = str(item.get("name") or "").strip()
            return PartyResult(
                written=name,
                verdict=UNKNOWN,
                create_country=str(item.get("country") or "").strip().upper(),
                institution_name=name,
                signatory=signatory,
            )
        else:
            item = item.get("name") or ""
    if isinstance(item, int) and not isinstance(item, bool):
        institution = institutions.get(item)
        if institution is None:
            return PartyResult(written=str(item), verdict=UNKNOWN, signatory=signatory)
        return PartyResult(str(item), item, institution.name, SURE, signatory=signatory)
    written = _name_to_match(item) or ""
    assert matcher is not None, "a name to match implies the register was loaded"
    match = matcher.match(written)
    result = PartyResult(written, verdict=match.verdict, match=match, signatory=signatory)
    if match.verdict == SURE:
        result.institution_id = match.institution_id
        result.institution_name = match.candidates[0].name
    return result


def _overlaps(a_from, a_until, b_from, b_until) -> bool:
    return (a_until is None or b_from is None or b_from <= a_until) and (
        b_until is None or a_from is None or a_from <= b_until
    )


VALIDITY_MESSAGE = next(
    c.violation_error_message
    for c in Agreement._meta.constraints
    if c.name == "agreement_valid_until_after_valid_from"
)


def agreements_bulk_check(
    *,
    event: Event | None,
    rows: Sequence[Mapping[str, Any]],
    defaults: Mapping[str, Any],
    row_numbers: Sequence[int] | None = None,
    lock: bool = False,
) -> BulkResult:
    """Check every row of a session without saving anything.

    Rules: two or more distinct parties, each resolved to one institution (by id, by a
    sure name match, or marked to be created with its country); a known kind; known areas;
    dates that parse, with valid_until on or after valid_from; the model's own clean();
    no duplicate of an existing agreement (same parties, same kind, overlapping validity)
    nor of another row, unless the row says ``allow_duplicate``. Queries do not grow with
    the number of rows: the register is loaded once.

    With ``lock`` (a check before a save, inside the saving transaction), the institution
    pairs of the rows are locked before the duplicate check (``pairs.lock_institution_pairs``)
    so that a concurrent session saving the same agreement is seen, not missed.
    """
    if len(rows) > MAX_ROWS:
        return BulkResult(
            rows=[],
            errors=[
                _("%(count)s rows is more than one session can hold (%(max)s); split the file.")
                % {"count": len(rows), "max": MAX_ROWS}
            ],
        )
    if not rows:
        return BulkResult(rows=[], errors=[_("There are no rows to save.")])
    matcher, institutions = _load_register(rows)
    session_date = _as_date(defaults.get("signed_on"), RowResult(-1), "signed_on") or (
        event.start_date if event else None
    )
    results: list[RowResult] = []
    for index, raw in enumerate(rows):
        row = RowResult(index=index)
        results.append(row)
        if not isinstance(raw, Mapping):
            row.error("row", _("A row is an object with parties, title, kind and dates."))
            continue
        row.allow_duplicate = bool(raw.get("allow_duplicate"))
        row.kind = _as_kind(raw.get("kind") or defaults.get("kind"), row)
        row.areas = _as_areas(_as_list(raw.get("areas")) or _as_list(defaults.get("areas")), row)
        row.signed_on = _as_date(raw.get("signed_on"), row, "signed_on") or session_date
        row.valid_from = _as_date(raw.get("valid_from"), row, "valid_from") or row.signed_on
        row.valid_until = _as_date(raw.get("valid_until"), row, "valid_until")
        signatories = _as_list(raw.get("signatories"))
        for position, item in enumerate(_as_list(raw.get("parties"))):
            party = _resolve_party(item, matcher, institutions)
            if not party.signatory and position < len(signatories):
                party.signatory = signatories[position]
            row.parties.append(party)
        _check_parties(row)
        names = [p.institution_name or p.written for p in row.parties]
        row.title = str(raw.get("title") or "").strip() or _default_title(row.kind, names)
        _check_model(row, event)
    if lock:
        lock_institution_pairs(
            [p.institution_id for p in row.parties] for row in results if row.parties
        )
    _flag_duplicates(results, row_numbers or range(1, len(rows) + 1))
    return BulkResult(rows=results)


def _default_title(kind: str, names: list[str]) -> str:
    label = AgreementKind(kind).label if kind else _("Agreement")
    return (_("%(kind)s between %(parties)s") % {"kind": label, "parties": " and ".join(names)})[
        :500
    ]


def _check_parties(row: RowResult) -> None:
    # The register's rule (rules.validate_parties); a party not resolved yet (to choose or
    # to create) counts as one of its own.
    try:
        rules.validate_parties(
            [
                party.institution_id
                if party.institution_id is not None
                else ("new", party.create_country, party.written.casefold())
                if party.create_country
                else ("unresolved", position)
                for position, party in enumerate(row.parties)
            ],
            names={party.institution_id: party.institution_name for party in row.parties},
        )
    except ValidationError as exc:
        for message in exc.message_dict["parties"]:
            row.error("parties", message)
    for party in row.parties:
        if not party.written and not party.institution_id:
            row.error("parties", _("A party has no name."))
        elif party.create_country:
            from django_countries import countries

            if party.create_country not in dict(countries):
                row.error(
                    "parties",
                    _("“%(code)s” is not a country code (ISO 3166-1 alpha-2, e.g. KZ).")
                    % {"code": party.create_country},
                )
        elif party.verdict == UNKNOWN and party.institution_id is None:
            row.error(
                "parties",
                _("No institution matches “%(name)s”: choose one or create it.")
                % {"name": party.written},
            )


def _check_model(row: RowResult, event: Event | None) -> None:
    if row.valid_from and row.valid_until and row.valid_until < row.valid_from:
        row.error("valid_until", VALIDITY_MESSAGE)
    agreement = row.built = _build_agreement(row, event)
    try:
        # Constraints and foreign keys are checked above and in bulk; full_clean() adds
        # the field rules and clean()'s cross-field rules without a query per row.
        agreement.full_clean(
            exclude=["event", "parent", "renews", "reference_code"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            if field == "kind" and "kind" in row.errors:
                continue
            if field == "valid_until" and VALIDITY_MESSAGE in row.errors.get(field, []):
                continue
            for message in messages:
                row.error(field, message)


def _build_agreement(row: RowResult, event: Event | None) -> Agreement:
    return Agreement(
        title=row.title,
        kind=row.kind,
        status=AgreementStatus.SIGNED,
        event=event,
        signed_on=row.signed_on,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
    )


def _agreements_with_pairs(pairs: set[tuple[int, int]]) -> set[int]:
    """Ids of the agreements that have both ``a`` and ``b`` among their parties, for any
    ``(a, b)`` of ``pairs``.

    An agreement with exactly a row's parties contains that row's two smallest institution
    ids, so these are the only agreements a row can duplicate. The session's institutions
    are hubs with thousands of agreements each, and both obvious plans are slow at size L
    (issue 7, scenario 5): loading every party of every agreement of those institutions
    took 2.5 s of a 1,000-row session, and a self-join of parties on the pairs 3 s (the
    planner walks each hub's parties once per pair). Here the database reads the parties
    of the session's institutions once from the ``(institution, agreement)`` index, keeps
    the agreements with two or more of them (15,000 of 190,000 at L), and returns their
    parties among those institutions (0.2 s); the exact pairs are matched here.
    """
    if not pairs:
        return set()
    ids = {i for pair in pairs for i in pair}
    if connection.vendor == "postgresql":
        # One pass over the index, the members gathered with their agreement (two passes,
        # the grouping then the members: 0.30-0.41 s instead of 0.22-0.27 s at L, issue 18).
        grouped = (
            Party.objects.filter(institution_id__in=ids)
            .values("agreement_id")
            .annotate(n=Count("*"), members=ArrayAgg("institution_id"))
            .filter(n__gte=2)
            .values_list("agreement_id", "members")
            .order_by()
        )
    else:
        shared = (
            Party.objects.filter(institution_id__in=ids)
            .values("agreement_id")
            .annotate(n=Count("*"))
            .filter(n__gte=2)
            .values("agreement_id")
            .order_by()
        )
        members: dict[int, list[int]] = defaultdict(list)
        for agreement_id, institution_id in (
            Party.objects.filter(institution_id__in=ids, agreement_id__in=shared)
            .values_list("agreement_id", "institution_id")
            .order_by()
        ):  # Party's ordering joins agreements
            members[agreement_id].append(institution_id)
        grouped = members.items()
    return {
        agreement_id
        for agreement_id, institutions in grouped
        if any(pair in pairs for pair in itertools.combinations(sorted(institutions), 2))
    }


def _flag_duplicates(rows: list[RowResult], numbers: Sequence[int]) -> None:
    """Same parties, same kind, overlapping validity: in the register or in the batch.
    Other rows are named by ``numbers`` (a spreadsheet's row numbers, or 1, 2, 3...)."""
    keyed = [
        (row, frozenset(p.institution_id for p in row.parties))
        for row in rows
        if row.kind and row.parties and all(p.institution_id for p in row.parties)
    ]
    existing: dict[int, set[int]] = defaultdict(set)
    facts: dict[int, tuple] = {}
    candidates = _agreements_with_pairs(
        {tuple(sorted(parties)[:2]) for _row, parties in keyed if len(parties) >= 2}
    )
    if candidates:
        # Only agreements still live today, in force or not yet (AgreementQuerySet states):
        # one that expired, was terminated or is past its end date duplicates nothing, nor
        # does a draft.
        live = Agreement.objects.filter(pk__in=candidates).in_state(
            AgreementState.IN_FORCE, AgreementState.NOT_YET_IN_FORCE, today=timezone.localdate()
        )
        signed = Party.objects.filter(
            agreement__in=live, agreement__kind__in={row.kind for row, _p in keyed}
        )
        for party in signed.order_by().values_list(
            "agreement_id",
            "institution_id",
            "agreement__kind",
            "agreement__valid_from",
            "agreement__signed_on",
            "agreement__valid_until",
        ):
            agreement_id, institution_id, kind, valid_from, signed_on, valid_until = party
            existing[agreement_id].add(institution_id)
            facts[agreement_id] = (kind, valid_from or signed_on, valid_until)
    by_key: dict[tuple, list[int]] = defaultdict(list)
    for agreement_id, parties in existing.items():
        by_key[(facts[agreement_id][0], frozenset(parties))].append(agreement_id)
    batch: dict[tuple, list[RowResult]] = defaultdict(list)
    for row, parties in keyed:
        key = (row.kind, parties)
        for agreement_id in by_key.get(key, []):
            _kind, valid_from, valid_until = facts[agreement_id]
            if _overlaps(row.valid_from, row.valid_until, valid_from, valid_until):
                row.duplicate_of.append(agreement_id)
        if row.errors:
            continue  # a row with bad dates or kind is fixed first, then compared
        for other in batch[key]:
            if _overlaps(row.valid_from, row.valid_until, other.valid_from, other.valid_until):
                row.duplicate_rows.append(other.index)
                other.duplicate_rows.append(row.index)
        batch[key].append(row)
    # The agreements duplicated, told apart by their parties, to name and link them: where
    # a message names them or a row with errors lists them (signing_session.html). A row
    # that allows its duplicates and has no error shows none; at size L a session of such
    # rows between hubs duplicates thousands, loaded for nothing (issue 18).
    shown = [
        (row, parties)
        for row, parties in keyed
        if row.duplicate_of and (row.errors or not row.allow_duplicate)
    ]
    duplicated = Agreement.objects.told_apart().in_bulk(
        {pk for row, _parties in shown for pk in row.duplicate_of}
    )
    for row, _parties in shown:
        row.duplicate_agreements = [duplicated[pk] for pk in row.duplicate_of]
    for row, _parties in keyed:
        if row.allow_duplicate:
            continue
        if row.duplicate_of:
            row.error(
                "duplicate",
                _("Duplicates %(agreements)s, already in the register (same parties, kind and "
                  "overlapping validity).") % {"agreements": "; ".join(
                    _duplicate_text(agreement) for agreement in row.duplicate_agreements
                )},
            )  # fmt: skip
        if row.duplicate_rows:
            row.error(
                "duplicate",
                _("Duplicates row(s) %(rows)s of this session.")
                % {"rows": ", ".join(str(numbers[i]) for i in sorted(row.duplicate_rows))},
            )


def _duplicate_text(agreement: Agreement) -> str:
    """“Title” (parties, signed on), #id: an agreement as a duplicate warning names it."""
    facts = [agreement.parties_display]
    if agreement.signed_on:
        facts.append(_("signed %(date)s") % {"date": agreement.signed_on_display})
    return f"“{agreement.localized_title()}” ({', '.join(facts)}), #{agreement.pk}"


def agreements_bulk_create(
    *,
    event: Event | None,
    rows: Sequence[Mapping[str, Any]],
    defaults: Mapping[str, Any] | None = None,
    user=None,
    dry_run: bool = False,
    row_numbers: Sequence[int] | None = None,
) -> BulkResult:
    """Check a signing session and, when every row is ready, save it all in one transaction.

    Nothing is saved unless every row is valid (see ``agreements_bulk_check``). On save,
    institutions marked for creation are created, signatories are found by name or created,
    and each agreement, its parties and areas are written with history rows that name
    ``user``, all linked to ``event``.

    Two sessions saving the same agreement at once cannot both save it: the check runs in
    the saving transaction, after the rows' institution pairs are locked, so the second
    waits for the first to commit and then finds its agreement a duplicate.
    """
    with transaction.atomic():
        result = agreements_bulk_check(
            event=event,
            rows=rows,
            defaults=defaults or {},
            row_numbers=row_numbers,
            lock=not dry_run,
        )
        if dry_run or not result.valid:
            return result
        _save(result, event=event, user=user)
    result.saved = True
    return result


def _save(result: BulkResult, *, event: Event | None, user) -> None:
    created: dict[tuple[str, str], Institution] = {}
    for row in result.rows:
        for party in row.parties:
            if party.create_country:
                key = (party.create_country, party.written)
                if key not in created:
                    institution = Institution.objects.filter(
                        country=party.create_country, name=party.written
                    ).first() or Institution(name=party.written, country=party.create_country)
                    if institution.pk is None:
                        institution._history_user = user
                        institution.save()
                    created[key] = institution
                party.institution_id = created[key].pk
                party.institution_name = created[key].name
    people = _signatories(result, user)
    agreements = [row.built or _build_agreement(row, event) for row in result.rows]
    # By COPY on PostgreSQL, history too (cooperation.audit): issue 18.
    agreements = insert_objects_with_history(agreements, Agreement, user=user)
    parties = []
    through = []
    areas = dict(CooperationArea.objects.values_list("code", "pk"))
    missing = {a for row in result.rows for a in row.areas} - set(areas)
    for code in sorted(missing):
        # get_or_create: a session saving at the same time may be creating the same area.
        areas[code] = CooperationArea.objects.get_or_create(code=code)[0].pk
    for row, agreement in zip(result.rows, agreements, strict=True):
        row.agreement_id = agreement.pk
        for party in row.parties:
            signatory = people.get(party.signatory)
            parties.append(
                (agreement.pk, party.institution_id, signatory and signatory.pk, row.signed_on)
            )
        through += [
            Agreement.areas.through(agreement_id=agreement.pk, cooperationarea_id=areas[code])
            for code in dict.fromkeys(row.areas)
        ]
    insert_rows_with_history(
        Party, ["agreement_id", "institution_id", "signatory_id", "signed_on"], parties, user=user
    )
    Agreement.areas.through.objects.bulk_create(through, batch_size=1000)
    # Bulk inserts send no signals: record the areas with each agreement's first version.
    history_snapshot_m2m(Agreement, agreements)
    # Nor do the derived country pairs (agreements.pairs), search keys (agreements.keys),
    # the directory's counts (agreements.counts) or its cache.
    refresh_country_pairs((row.agreement_id for row in result.rows), new=True)
    insert_search_keys(agreements)
    counts_changed(institution_ids=(institution_id for _a, institution_id, _s, _d in parties))
    bump_register_generation()


def _signatories(result: BulkResult, user) -> dict[str, Person]:
    """Signatories by name: an existing person with that name, or a new one."""
    names = {p.signatory for row in result.rows for p in row.parties if p.signatory}
    if not names:
        return {}
    people = {person.name: person for person in Person.objects.filter(name__in=names)}
    new: dict[str, Person] = {}
    for row in result.rows:
        for party in row.parties:
            if party.signatory and party.signatory not in people and party.signatory not in new:
                new[party.signatory] = Person(
                    name=party.signatory, institution_id=party.institution_id
                )
    if new:
        created = bulk_create_with_history(
            list(new.values()), Person, batch_size=1000, default_user=user
        )
        people.update({person.name: person for person in created})
    return people

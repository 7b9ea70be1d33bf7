"""Reviewing an article's proposals and saving what staff accept: all or nothing, cited.

- ``may_take_in(user)``: who may take an article in (ministry staff: the permissions to add
  the records it proposes, and no university editor's scope).
- ``propose(...)``: the extraction with each proposal's duplicate in the register flagged.
- ``apply_decisions(extraction, data)``: staff's accept / reject and edits, from a form.
- ``intake_save(...)``: in one transaction, the source (or the one the register already
  holds), then every accepted record, each citing the source with its sentence as the
  excerpt (``Citation``). A proposal whose record the register already holds cites the
  source on that record and creates nothing. Any invalid record: nothing is saved and the
  errors are returned per proposal.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from agreements.choices import AgreementKind
from agreements.models import Agreement
from agreements.services import agreements_bulk_create
from cooperation.choices import (
    DatePrecision,
    Qualifier,
    StatedFigureMetric,
    StatedFigureScope,
    StatedFigureStatus,
)
from cooperation.choices import Language as SourceLanguage
from cooperation.models import Source, StatedFigure
from cooperation.roles import scoped_to
from cooperation.text import fold
from events.choices import EventKind, EventStatus, ParticipationRole
from events.models import Event, Participation, Person
from mobility.models import MobilityFigure
from universities.choices import InstitutionKind
from universities.matching import NameMatcher
from universities.models import Institution

from . import extraction as ex
from .models import Article, Citation

PERMISSIONS = (
    "cooperation.add_source",
    "cooperation.add_statedfigure",
    "universities.add_institution",
    "events.add_event",
    "events.add_person",
    "mobility.add_mobilityfigure",
)


def may_take_in(user) -> bool:
    """Ministry staff (and administrators): they may add every kind of record an article
    proposes, and are not limited to their own institutions."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.has_perms(PERMISSIONS)
        and not scoped_to(user)
    )


# The fields staff may edit on each kind of proposal, with their choices where they have
# them. The review page and the save read this one list.
TEXT, DATE, NUMBER, COUNTRY = "text", "date", "number", "country"
EDITABLE: dict[str, list[tuple[str, str, object]]] = {
    ex.SOURCE: [
        ("title", TEXT, None),
        ("publisher", TEXT, None),
        ("url", TEXT, None),
        ("published_on", DATE, None),
        ("published_precision", TEXT, DatePrecision.choices),
        ("language", TEXT, SourceLanguage.choices),
    ],
    ex.INSTITUTION: [("name", TEXT, None), ("country", COUNTRY, None)],
    ex.PERSON: [
        ("name", TEXT, None),
        ("name_local", TEXT, None),
        ("position", TEXT, None),
        ("country", COUNTRY, None),
    ],
    ex.EVENT: [
        ("title", TEXT, None),
        ("kind", TEXT, EventKind.choices),
        ("start_date", DATE, None),
        ("date_precision", TEXT, DatePrecision.choices),
        ("city", TEXT, None),
        ("country", COUNTRY, None),
        ("status", TEXT, EventStatus.choices),
    ],
    ex.STATED_FIGURE: [
        ("metric", TEXT, StatedFigureMetric.choices),
        ("value", NUMBER, None),
        ("qualifier", TEXT, Qualifier.choices),
        ("status", TEXT, StatedFigureStatus.choices),
        ("scope", TEXT, StatedFigureScope.choices),
        ("country", COUNTRY, None),
        ("partner_country", COUNTRY, None),
        ("stated_on", DATE, None),
        ("reference_year", NUMBER, None),
    ],
    ex.MOBILITY_FIGURE: [
        ("origin_country", COUNTRY, None),
        ("destination_country", COUNTRY, None),
        ("value", NUMBER, None),
        ("qualifier", TEXT, Qualifier.choices),
        ("year", NUMBER, None),
        ("as_of", DATE, None),
        ("host_institution_count", NUMBER, None),
    ],
    ex.AGREEMENT: [
        ("title", TEXT, None),
        ("kind", TEXT, AgreementKind.choices),
        ("year", NUMBER, None),
    ],
}
# Agreements are saved through the signing session's service (``agreements.services``),
# which owns their rules: parties, kinds, duplicates.
SAVED_KINDS = (
    ex.SOURCE,
    ex.INSTITUTION,
    ex.PERSON,
    ex.EVENT,
    ex.STATED_FIGURE,
    ex.MOBILITY_FIGURE,
    ex.AGREEMENT,
)
NEW = "new"
# The model each kind of proposal becomes.
MODELS = {
    ex.SOURCE: Source,
    ex.INSTITUTION: Institution,
    ex.PERSON: Person,
    ex.EVENT: Event,
    ex.STATED_FIGURE: StatedFigure,
    ex.MOBILITY_FIGURE: MobilityFigure,
}


def text_hash(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()


def propose(
    text: str,
    *,
    url: str = "",
    publisher: str = "",
    published_on: datetime.date | None = None,
    title: str = "",
    matcher: NameMatcher | None = None,
) -> ex.Extraction:
    """The article's proposals, each flagged with the record the register already holds."""
    matcher = matcher or NameMatcher.of_register()
    extraction = ex.extract(
        text,
        matcher=matcher,
        url=url,
        publisher=publisher,
        published_on=published_on,
        title=title,
    )
    flag_duplicates(extraction)
    return extraction


def flag_duplicates(extraction: ex.Extraction) -> None:
    for proposal in extraction.proposals:
        found = find_duplicate(proposal, extraction.text)
        proposal.duplicate = (
            {"id": found.pk, "label": str(found), "model": found._meta.model_name}
            if found is not None
            else None
        )


def _date(value) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _int(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def find_duplicate(proposal: ex.Proposal, text: str = "") -> models.Model | None:
    """The record of the register that already states what ``proposal`` states, or None."""
    fields = proposal.fields
    if proposal.kind == ex.SOURCE:
        if text:
            article = Article.objects.filter(text_hash=text_hash(text)).select_related("source")
            if article.first():
                return article.first().source
        if fields.get("url"):
            found = Source.objects.filter(url=fields["url"]).first()
            if found:
                return found
        same_title = Source.objects.filter(title__iexact=fields.get("title", "").strip())
        if _date(fields.get("published_on")):
            same_title = same_title.filter(published_on=_date(fields["published_on"]))
        return same_title.first() if fields.get("title") else None
    if proposal.kind == ex.INSTITUTION:
        return Institution.objects.filter(name__iexact=fields.get("name", "").strip()).first()
    if proposal.kind == ex.PERSON:
        name = fields.get("name", "").strip()
        local = fields.get("name_local", "").strip()
        query = Q(name__iexact=name) | (Q(name_local__iexact=local) if local else Q(pk__in=[]))
        return Person.objects.filter(query).first() if name or local else None
    if proposal.kind == ex.EVENT:
        query = Q(kind=fields.get("kind"), title__iexact=fields.get("title", "").strip())
        start = _date(fields.get("start_date"))
        if start and fields.get("country"):
            query |= Q(kind=fields.get("kind"), start_date=start, country=fields["country"])
        return Event.objects.filter(query).first()
    if proposal.kind == ex.STATED_FIGURE:
        countries = {
            "country": fields.get("country") or "",
            "partner_country": fields.get("partner_country") or "",
        }
        query = Q(**countries)
        if fields.get("scope") == StatedFigureScope.BOTH:
            query |= Q(country=countries["partner_country"], partner_country=countries["country"])
        found = StatedFigure.objects.filter(
            query,
            metric=fields.get("metric"),
            value=_int(fields.get("value")) or 0,
            qualifier=fields.get("qualifier"),
            status=fields.get("status"),
        )
        stated_on = _date(fields.get("stated_on"))
        if stated_on:
            found = found.filter(stated_on=stated_on)
        return found.first()
    if proposal.kind == ex.AGREEMENT:
        ids = fields.get("party_ids") or []
        if len(ids) < 2 or None in ids:
            return None
        found = Agreement.objects.filter(kind=fields.get("kind"))
        for institution_id in ids:
            found = found.filter(parties__institution_id=institution_id)
        return found.first()
    if proposal.kind == ex.MOBILITY_FIGURE:
        return MobilityFigure.objects.filter(
            origin_country=fields.get("origin_country") or "",
            destination_country=fields.get("destination_country") or "",
            mobility_type=fields.get("mobility_type"),
            measure=fields.get("measure"),
            year=_int(fields.get("year")) or 0,
            as_of=_date(fields.get("as_of")),
            value=_int(fields.get("value")) or 0,
        ).first()
    return None


@dataclasses.dataclass
class Decision:
    accept: bool
    institution: str = ""  # for an institution: a candidate's id, or NEW


def default_accept(proposal: ex.Proposal) -> bool:
    """What the review page ticks before staff look: confident proposals of kinds that are
    saved; a new institution only when nothing in the register comes close."""
    if proposal.kind not in SAVED_KINDS:
        return False
    if proposal.kind == ex.INSTITUTION and proposal.match is None and proposal.candidates:
        return False  # ambiguous: a person chooses
    if not complete(proposal):
        return False
    return proposal.confidence >= 0.6


def complete(proposal: ex.Proposal) -> bool:
    """Whether the proposal has what its record needs before a person adds to it: a held
    event its date, a figure its country and year, a new institution its country."""
    fields = proposal.fields
    if proposal.kind == ex.EVENT:
        return bool(fields.get("country")) and (
            bool(fields.get("start_date")) or fields.get("status") != EventStatus.HELD
        )
    if proposal.kind == ex.STATED_FIGURE:
        return bool(fields.get("country"))
    if proposal.kind == ex.MOBILITY_FIGURE:
        return bool(fields.get("year"))
    if proposal.kind == ex.INSTITUTION and proposal.match is None:
        return bool(fields.get("country"))
    if proposal.kind == ex.AGREEMENT:
        return len(fields.get("parties") or []) >= 2
    return True


def apply_decisions(extraction: ex.Extraction, data) -> dict[str, Decision]:
    """Staff's decisions from the review form: ``<key>-accept`` ("on" when ticked),
    ``<key>-<field>`` for each edited field, ``<key>-institution`` (an id or "new")."""
    decisions = {}
    for proposal in extraction.proposals:
        key = proposal.key
        for name, _kind, _choices in EDITABLE.get(proposal.kind, []):
            if f"{key}-{name}" in data:
                proposal.fields[name] = data.get(f"{key}-{name}", "").strip()
        decisions[key] = Decision(
            accept=bool(data.get(f"{key}-accept")) and proposal.kind in SAVED_KINDS,
            institution=str(data.get(f"{key}-institution", "")),
        )
    return decisions


@dataclasses.dataclass
class IntakeResult:
    saved: bool
    source: Source | None = None
    created: dict[str, int] = dataclasses.field(default_factory=dict)
    cited: dict[str, int] = dataclasses.field(default_factory=dict)
    errors: dict[str, list[str]] = dataclasses.field(default_factory=dict)


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items()]
    return list(error.messages)


def intake_save(*, extraction: ex.Extraction, decisions: dict[str, Decision], user) -> IntakeResult:
    """Save the source and every accepted proposal in one transaction, each record citing
    the source with its sentence; nothing at all when one is invalid."""
    result = IntakeResult(saved=False)
    source_proposal = extraction.of_kind(ex.SOURCE)[0]
    with transaction.atomic():
        source = find_duplicate(source_proposal, extraction.text)
        if source is None:
            source = _build(Source, source_proposal, result, _source_values(source_proposal))
            if source is not None:
                Article.objects.create(
                    source=source,
                    text=extraction.text,
                    text_hash=text_hash(extraction.text),
                    entered_by=user if getattr(user, "is_authenticated", False) else None,
                )
                _count(result.created, ex.SOURCE)
        if source is None:
            transaction.set_rollback(True)
            return result
        result.source = source
        institutions: dict[str, Institution] = {}  # proposal key -> saved institution
        events: list[Event] = []
        people: list[tuple[ex.Proposal, Person]] = []
        for proposal in extraction.proposals:
            decision = decisions.get(proposal.key)
            if proposal.kind == ex.SOURCE or decision is None or not decision.accept:
                continue
            if proposal.kind == ex.AGREEMENT:
                record = _save_agreement(proposal, extraction, institutions, events, result, user)
            else:
                record = _save_one(proposal, decision, source, result, institutions)
            if record is None:
                continue
            if proposal.kind == ex.INSTITUTION:
                institutions[proposal.key] = record
            if proposal.kind == ex.EVENT:
                events.append(record)
            if proposal.kind == ex.PERSON:
                people.append((proposal, record))
            _cite(record, source, proposal.sentence)
        if result.errors:
            transaction.set_rollback(True)
            result.source = None
            return result
        _link_figures_to_event(extraction, decisions, events, source)
        _participants(events, people)
    result.saved = True
    return result


def _count(counter: dict[str, int], kind: str) -> None:
    counter[kind] = counter.get(kind, 0) + 1


def _build(model, proposal: ex.Proposal, result: IntakeResult, values: dict):
    instance = model(**values)
    try:
        instance.full_clean()
    except ValidationError as error:
        result.errors.setdefault(proposal.key, []).extend(_messages(error))
        return None
    instance.save()
    return instance


def _cite(record: models.Model, source: Source, sentence: str) -> None:
    if isinstance(record, MobilityFigure):
        pass  # a mobility figure names its one source itself
    elif hasattr(record, "sources"):
        record.sources.add(source)
    Citation.objects.get_or_create(
        source=source,
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        defaults={"excerpt": sentence[:2000]},
    )


def _source_values(proposal: ex.Proposal) -> dict:
    fields = proposal.fields
    return {
        "title": fields.get("title", "")[:500],
        "publisher": fields.get("publisher", "")[:200],
        "url": fields.get("url", ""),
        "published_on": _date(fields.get("published_on")),
        "published_precision": fields.get("published_precision") or DatePrecision.DAY,
        "language": fields.get("language") or SourceLanguage.EN,
        "excerpt": fields.get("excerpt", "")[:500],
    }


def _save_one(proposal, decision, source, result, institutions) -> models.Model | None:
    fields = proposal.fields
    duplicate = find_duplicate(proposal)
    kind = proposal.kind
    if kind == ex.INSTITUTION:
        chosen = decision.institution or (
            str(proposal.match["institution_id"]) if proposal.match else NEW
        )
        if chosen.isdigit():
            found = Institution.objects.filter(pk=int(chosen)).first()
            if found is None:
                result.errors.setdefault(proposal.key, []).append(
                    _("The chosen institution is no longer in the register.")
                )
                return None
            _count(result.cited, kind)
            return found
        if duplicate is not None:
            _count(result.cited, kind)
            return duplicate
        record = _build(Institution, proposal, result, _institution_values(fields))
    elif duplicate is not None:
        # The register holds it already: cite the source on it, create nothing. A mobility
        # figure names one source, so its duplicate is left as it is.
        if kind == ex.MOBILITY_FIGURE:
            _count(result.cited, "duplicate")
            return None
        _count(result.cited, kind)
        return duplicate
    elif kind == ex.PERSON:
        record = _build(Person, proposal, result, _person_values(fields))
    elif kind == ex.EVENT:
        record = _build(Event, proposal, result, _event_values(fields))
    elif kind == ex.STATED_FIGURE:
        record = _build(StatedFigure, proposal, result, _figure_values(fields))
    elif kind == ex.MOBILITY_FIGURE:
        record = _build(MobilityFigure, proposal, result, _mobility_values(fields, source))
    else:
        return None
    if record is not None:
        _count(result.created, kind)
    return record


def _institution_values(fields: dict) -> dict:
    name = fields.get("name", "").strip()
    folded = fold(name)
    kind = InstitutionKind.UNIVERSITY
    if "academy of sciences" in folded or "akademiya nauk" in folded:
        kind = InstitutionKind.ACADEMY_OF_SCIENCES
    elif folded.startswith("institut") or " institut" in folded:
        kind = InstitutionKind.RESEARCH_INSTITUTE
    return {"name": name[:300], "country": fields.get("country") or "", "kind": kind}


def _person_values(fields: dict) -> dict:
    return {
        "name": fields.get("name", "")[:200],
        "name_local": fields.get("name_local", "")[:200],
        "position": fields.get("position", "")[:300],
        "country": fields.get("country") or "",
        "institution_id": _int(fields.get("institution")),
    }


def _event_values(fields: dict) -> dict:
    return {
        "title": fields.get("title", "")[:300],
        "kind": fields.get("kind") or EventKind.OTHER,
        "start_date": _date(fields.get("start_date")),
        "date_precision": fields.get("date_precision") or DatePrecision.DAY,
        "city": fields.get("city", "")[:120],
        "country": fields.get("country") or "",
        "host_institution_id": _int(fields.get("host_institution")),
        "status": fields.get("status") or EventStatus.HELD,
    }


def _figure_values(fields: dict) -> dict:
    return {
        "metric": fields.get("metric") or StatedFigureMetric.OTHER,
        "statement": fields.get("statement", ""),
        "value": _int(fields.get("value")),
        "qualifier": fields.get("qualifier") or Qualifier.EXACT,
        "status": fields.get("status") or StatedFigureStatus.STATED,
        "scope": fields.get("scope") or StatedFigureScope.COUNTRY,
        "country": fields.get("country") or "",
        "partner_country": fields.get("partner_country") or "",
        "stated_on": _date(fields.get("stated_on")),
        "reference_year": _int(fields.get("reference_year")),
    }


def _mobility_values(fields: dict, source: Source) -> dict:
    return {
        "origin_country": fields.get("origin_country") or "",
        "destination_country": fields.get("destination_country") or "",
        "mobility_type": fields.get("mobility_type") or "students",
        "measure": fields.get("measure") or "stock",
        "level": fields.get("level") or "all",
        "year": _int(fields.get("year")),
        "as_of": _date(fields.get("as_of")),
        "value": _int(fields.get("value")),
        "qualifier": fields.get("qualifier") or Qualifier.EXACT,
        "host_institution_count": _int(fields.get("host_institution_count")),
        "notes": fields.get("notes", ""),
        "source": source,
    }


def _save_agreement(proposal, extraction, institutions, events, result, user):
    """An agreement named in the article, between institutions it names (matched or
    accepted in this intake), through the signing session's service: the same checks, and
    an agreement the register holds already is cited, not saved again."""
    fields = proposal.fields
    by_name = {
        fold(p.fields.get("name", "")): institutions[p.key]
        for p in extraction.of_kind(ex.INSTITUTION)
        if p.key in institutions
    }
    parties = [by_name.get(fold(name)) for name in fields.get("parties") or []]
    if len(parties) < 2 or None in parties:
        result.errors.setdefault(proposal.key, []).append(
            _("Accept the institutions this agreement is between first.")
        )
        return None
    year = _int(fields.get("year"))
    row = {
        "parties": [party.pk for party in parties],
        "kind": fields.get("kind") or "memorandum",
        "title": fields.get("title", "")[:300],
        "signed_on": datetime.date(year, 1, 1) if year else None,
    }
    event = events[0] if len(events) == 1 else None
    bulk = agreements_bulk_create(event=event, rows=[row], user=user)
    if bulk.saved:
        agreement = Agreement.objects.get(pk=bulk.rows[0].agreement_id)
        if year:
            agreement.signed_precision = DatePrecision.YEAR
            agreement.save()
        _count(result.created, ex.AGREEMENT)
        return agreement
    checked = bulk.rows[0] if bulk.rows else None
    if checked is not None and checked.duplicate_of and set(checked.errors) <= {"duplicate"}:
        _count(result.cited, ex.AGREEMENT)
        return Agreement.objects.get(pk=checked.duplicate_of[0])
    messages = list(bulk.errors)
    if checked is not None:
        messages += [f"{field}: {' '.join(msgs)}" for field, msgs in checked.errors.items()]
    result.errors.setdefault(proposal.key, []).extend(messages or [_("Not saved.")])
    return None


def _participants(events: list[Event], people: list[tuple[ex.Proposal, Person]]) -> None:
    """The people an article names took part in its held event; when it tells of several,
    in the one whose words their sentence uses ("speaking at the roundtable, ... Alim
    Bayel"). The rector of the host institution is its host."""
    held = [event for event in events if event.status == EventStatus.HELD]
    for proposal, person in people:
        kinds = ex.event_kinds_in(proposal.sentence)
        for event in held:
            if len(held) > 1 and event.kind not in kinds:
                continue
            host = person.institution_id and person.institution_id == event.host_institution_id
            Participation.objects.get_or_create(
                event=event,
                person=person,
                role=ParticipationRole.HOST if host else ParticipationRole.PARTICIPANT,
                defaults={
                    "position": person.position,
                    "country": person.country,
                    "institution_id": person.institution_id,
                },
            )


def _link_figures_to_event(extraction, decisions, events: list[Event], source) -> None:
    """Figures of agreements signed or scheduled, in an article about one event, were
    stated at that event ("as part of the forum, 63 memoranda are scheduled")."""
    if len(events) != 1:
        return
    figures = StatedFigure.objects.filter(
        sources=source, status__in=[StatedFigureStatus.SIGNED, StatedFigureStatus.SCHEDULED]
    )
    events[0].stated_figures.add(*figures)

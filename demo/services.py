"""Loading the demo data set (demo/facts.py) into the register, idempotently."""

import dataclasses
from collections import Counter

from django.db import models, transaction

from agreements.models import Agreement, CooperationArea, Party
from cooperation.models import Source, StatedFigure
from events.models import Event, Participation, Person
from mobility.models import MobilityFigure, ScholarshipAllocation, ScholarshipProgramme
from universities.models import Institution, InstitutionName
from universities.services import (
    ISCED_CSV,
    UNIVERSITIES_CSV,
    city_translations,
    institutions_load_reference,
    isced_fields_load,
    read_csv,
)

from . import facts

NEWS_FILES = {
    "000": "000_a60f667193baa99c.txt",
    "001": "001_6e1791d2f185649a.txt",
    "002": "002_1d18687819e56875.txt",
    "003": "003_632b02a1b837dd5e.txt",
    "004": "004_22a40d5f0bbb96eb.txt",
}
CHANGE_REASON = "load_demo"


@dataclasses.dataclass
class DemoLoader:
    """Writes each fact once; a second run finds every row as it is and saves nothing."""

    changes: Counter = dataclasses.field(default_factory=Counter)
    sources: dict = dataclasses.field(default_factory=dict)
    institutions: dict = dataclasses.field(default_factory=dict)
    people: dict = dataclasses.field(default_factory=dict)
    events: dict = dataclasses.field(default_factory=dict)
    agreements: dict = dataclasses.field(default_factory=dict)

    def upsert(self, model: type[models.Model], lookup: dict, values: dict) -> models.Model:
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj = model(**lookup, **values)
        elif all(getattr(obj, field) == value for field, value in values.items()):
            return obj
        else:
            for field, value in values.items():
                setattr(obj, field, value)
        obj._change_reason = CHANGE_REASON
        obj.full_clean()
        obj.save()
        self.changes[model._meta.verbose_name_plural] += 1
        return obj

    def set_m2m(self, manager, objects) -> None:
        objects = set(objects)
        if set(manager.all()) != objects:
            manager.set(objects)
            self.changes[f"links to {manager.model._meta.verbose_name_plural}"] += 1

    def cite(self, obj, keys) -> None:
        self.set_m2m(obj.sources, [self.sources[key] for key in keys])

    def load(self) -> Counter:
        self.load_sources()
        self.load_institutions()
        self.load_people()
        self.load_events()
        self.load_agreements()
        self.load_scholarships()
        self.load_mobility()
        self.load_stated_figures()
        return self.changes

    def load_sources(self) -> None:
        for key, values in facts.SOURCES.items():
            reference = f"shared/news/{NEWS_FILES[key]}"
            self.sources[key] = self.upsert(Source, {"reference": reference}, values)

    def load_institutions(self) -> None:
        for handle, ror_id in facts.REFERENCE.items():
            self.institutions[handle] = Institution.objects.get(ror_id=ror_id)
        for handle, spec in facts.INSTITUTIONS.items():
            spec = dict(spec)
            cited, names = spec.pop("sources"), spec.pop("names", [])
            lookup = {"country": spec.pop("country"), "name": spec.pop("name")}
            if spec.get("city"):
                spec["city_translations"] = city_translations(lookup["country"], spec["city"])
            institution = self.upsert(Institution, lookup, spec)
            self.cite(institution, cited)
            for name, language, kind in names:
                self.upsert(
                    InstitutionName,
                    {"institution": institution, "name": name, "language": language, "kind": kind},
                    {},
                )
            self.institutions[handle] = institution
        for handle in facts.BRANCHES:
            home = self.institutions[handle]
            branch = self.upsert(
                Institution,
                {"country": facts.BRANCH_COUNTRY, "name": f"{home.name} (branch in Kazakhstan)"},
                {"kind": "branch_campus", "parent": home},
            )
            self.cite(branch, ["003"])
        for handle, name, language, kind, source in facts.EXTRA_NAMES:
            institution = self.institutions[handle]
            self.upsert(
                InstitutionName,
                {"institution": institution, "name": name, "language": language, "kind": kind},
                {},
            )
            institution.sources.add(self.sources[source])

    def load_people(self) -> None:
        for handle, spec in facts.PEOPLE.items():
            spec = dict(spec)
            cited = spec.pop("sources")
            if "institution" in spec:
                spec["institution"] = self.institutions[spec["institution"]]
            person = self.upsert(Person, {"name": spec.pop("name")}, spec)
            self.cite(person, cited)
            self.people[handle] = person

    def load_events(self) -> None:
        for handle, spec in facts.EVENTS.items():
            spec = dict(spec)
            cited, participants = spec.pop("sources"), spec.pop("participants")
            organisers = [self.institutions[h] for h in spec.pop("organisers", [])]
            if "host_institution" in spec:
                spec["host_institution"] = self.institutions[spec["host_institution"]]
            spec["city_translations"] = city_translations(spec["country"], spec["city"])
            event = self.upsert(Event, {"title": spec.pop("title")}, spec)
            self.cite(event, cited)
            self.set_m2m(event.organisers, organisers)
            for person, role, position, country in participants:
                person = self.people[person]
                self.upsert(
                    Participation,
                    {"event": event, "person": person, "role": role},
                    {
                        "position": position or person.position,
                        "institution": person.institution,
                        "country": country,
                    },
                )
            self.events[handle] = event

    def load_agreements(self) -> None:
        for handle, spec in facts.AGREEMENTS.items():
            spec = dict(spec)
            cited, parties = spec.pop("sources"), spec.pop("parties")
            areas = CooperationArea.objects.filter(code__in=spec.pop("areas"))
            if "parent" in spec:
                spec["parent"] = self.agreements[spec["parent"]]
            agreement = self.upsert(Agreement, {"title": spec.pop("title")}, spec)
            self.cite(agreement, cited)
            self.set_m2m(agreement.areas, areas)
            for handle_ in parties:
                self.upsert(
                    Party,
                    {"agreement": agreement, "institution": self.institutions[handle_]},
                    {
                        "signed_on": agreement.signed_on
                        if spec["signed_precision"] == "day"
                        else None
                    },
                )
            self.agreements[handle] = agreement

    def load_scholarships(self) -> None:
        for spec in facts.SCHOLARSHIPS.values():
            spec = dict(spec)
            cited, allocations = spec.pop("sources"), spec.pop("allocations")
            if "host_institution" in spec:
                spec["host_institution"] = self.institutions[spec["host_institution"]]
            if "agreement" in spec:
                spec["agreement"] = self.agreements[spec["agreement"]]
            programme = self.upsert(ScholarshipProgramme, {"name": spec.pop("name")}, spec)
            self.cite(programme, cited)
            for year, level, offered, notes in allocations:
                self.upsert(
                    ScholarshipAllocation,
                    {"programme": programme, "year": year, "level": level},
                    {"places_offered": offered, "notes": notes},
                )

    def load_mobility(self) -> None:
        for spec in facts.MOBILITY:
            spec = dict(spec)
            spec["source"] = self.sources[spec["source"]]
            values = {
                key: spec.pop(key)
                for key in ("value", "qualifier", "host_institution_count", "notes")
                if key in spec
            }
            self.upsert(MobilityFigure, spec, values)

    def load_stated_figures(self) -> None:
        for spec in facts.STATED_FIGURES:
            spec = dict(spec)
            cited = [spec.pop("source")]
            events = [self.events[handle] for handle in spec.pop("events", [])]
            lookup = {key: spec.pop(key) for key in ("metric", "statement", "country", "value")}
            spec.setdefault("scope", "country")
            figure = self.upsert(StatedFigure, lookup, spec)
            self.cite(figure, cited)
            # The link is the event's (Event.stated_figures): cooperation never points up.
            self.set_m2m(figure.events, events)


@transaction.atomic
def demo_load() -> Counter:
    """Load the reference data, then every fact of the five articles, all or nothing."""
    isced_fields_load(read_csv(ISCED_CSV))
    institutions_load_reference(read_csv(UNIVERSITIES_CSV))
    return DemoLoader().load()

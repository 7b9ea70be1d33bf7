"""The columns of the agreement register, declared once (cooperation.exports): the API's
and the register page's CSV and XLSX and the data package derive from here; the keys are
the API's JSON keys (a test holds them equal)."""

from django.utils.translation import gettext_lazy as _

from cooperation.choices import DatePrecision
from cooperation.exports import (
    ARRAY,
    BOOLEAN,
    DATE,
    DATETIME,
    INTEGER,
    OBJECT,
    STRING,
    ColumnSet,
    ExportColumn,
)

from .choices import AgreementKind, AgreementLevel, AgreementStatus, CooperationAreaCode

C = ExportColumn

AGREEMENTS = ColumnSet(
    "agreements",
    _("Agreements"),
    (
        C("id", _("id"), INTEGER, _("The agreement's id in the register."), nullable=False),
        C("reference_code", _("reference code"), STRING,
          _("The number the parties gave the agreement, when known.")),
        C("title", _("title"), STRING, _("The agreement's title (in English)."),
          nullable=False),
        C("title_translations", _("title in other languages"), OBJECT,
          _("The title in other languages, a JSON object by language code: "
            "{\"ru\": …, \"kk\": …, \"az\": …}.")),
        C("localized_title", _("title shown"), STRING,
          _("The title in the reader's language, or in the one it falls back to (Kazakh: "
            "Russian, then English)."), nullable=False),
        C("kind", _("kind"), STRING, _("Memorandum, exchange, dual degree, framework…"),
          AgreementKind, nullable=False),
        C("level", _("level"), STRING,
          _("Between governments, ministries or institutions."), AgreementLevel,
          nullable=False),
        C("status", _("status"), STRING,
          _("Draft, signed, in effect, expired or terminated."), AgreementStatus,
          nullable=False),
        C("event", _("event"), INTEGER, _("Id of the event where it was signed.")),
        C("event_title", _("event title"), STRING,
          _("That event's title, in the reader's language as localized_title is.")),
        C("signed_on", _("signed on"), DATE,
          _("Date signed (ISO); see signed_precision for how much of it is known.")),
        C("signed_precision", _("precision of the signing date"), STRING,
          _("day, month or year: “2024” is stored as 2024-01-01 with precision year."),
          DatePrecision, nullable=False),
        C("valid_from", _("valid from"), DATE, _("When it takes effect.")),
        C("valid_until", _("valid until"), DATE, _("When it ends; empty: open-ended.")),
        C("areas", _("areas of cooperation"), ARRAY,
          _("Codes of the areas of cooperation, a JSON array."), CooperationAreaCode),
        C("parties", _("parties"), ARRAY,
          _("The institutions that signed, a JSON array of objects: id (of the party), "
            "institution (its id), institution_name, country, signatory (a person's id), "
            "signatory_name, signed_on.")),
        C("conditions", _("mobility conditions"), ARRAY,
          _("The mobility it provides for, a JSON array of objects (after the EWP IIA "
            "model): sending and receiving institution ids, mobility_type, levels, "
            "subject_areas (ISCED-F codes), places, months and days per year, first and "
            "last academic year.")),
        C("parent", _("framework"), INTEGER,
          _("Id of the framework agreement it sits under (empty to a reader who may not "
            "see it).")),
        C("renews", _("renews"), INTEGER,
          _("Id of the agreement it renews (empty to a reader who may not see it).")),
        C("terminated_on", _("terminated on"), DATE, _("When it was ended early.")),
        C("termination_reason", _("termination reason"), STRING, _("Why it was ended.")),
        C("document", _("document"), STRING,
          _("Where to download the signed document (PDF), for readers with a role.")),
        C("description", _("description"), STRING, _("What the agreement is about.")),
        C("is_public", _("public"), BOOLEAN,
          _("true: shown to everyone once signed."), nullable=False),
        C("sources", _("sources"), ARRAY, _("Ids of the sources that state it, a JSON array.")),
        C("version", _("version"), INTEGER,
          _("The row's version: send it back with a change (optimistic locking)."),
          nullable=False),
        C("created_at", _("created at"), DATETIME, _("When it was entered (ISO 8601)."),
          nullable=False),
        C("updated_at", _("updated at"), DATETIME, _("When it last changed (ISO 8601)."),
          nullable=False),
    ),
    description=_(
        "Memoranda, exchange and dual-degree agreements, intergovernmental frameworks and "
        "protocols between the institutions of the register."
    ),
)  # fmt: skip

"""Code lists shared by every app."""

import functools

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _


class DatePrecision(models.TextChoices):
    """How much of a stored date a source actually stated."""

    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


class Qualifier(models.TextChoices):
    """How a stated number relates to the true one ("more than 70")."""

    EXACT = "exact", _("exactly")
    MORE_THAN = "more_than", _("more than")
    AT_LEAST = "at_least", _("at least")
    ABOUT = "about", _("about")
    LESS_THAN = "less_than", _("less than")
    UP_TO = "up_to", _("up to")

    @classmethod
    def of_sum(cls, counts: "dict[str, int]") -> "Qualifier | None":
        """The qualifier of a sum, from how many of its terms carry each qualifier.

        One term keeps its own ("more than 1000"). A sum of exact numbers is exact; with
        lower bounds ("more than", "at least") in it, it is "at least"; with upper bounds,
        "up to"; with an "about", or lower and upper bounds together, "about". No term: None.
        """
        present = {cls(name) for name, count in counts.items() if count}
        if not present:
            return None
        if sum(counts.values()) == 1:
            return present.pop()
        lower = present & {cls.MORE_THAN, cls.AT_LEAST}
        upper = present & {cls.LESS_THAN, cls.UP_TO}
        if cls.ABOUT in present or (lower and upper):
            return cls.ABOUT
        if lower:
            return cls.AT_LEAST
        if upper:
            return cls.UP_TO
        return cls.EXACT

    @classmethod
    def phrase(cls, value: int | None, qualifier: str | None) -> str:
        """A number with its qualifier, as a reader should see it: "more than 1,000", the
        number grouped as the reader's language writes it (Django's ``number_format`` with
        the project's formats, as ``intcomma`` on the pages): "более 1 000", "1 000-нан
        астам", "1.000-dən çox"."""
        if value is None:
            return "—"
        from django.utils.formats import number_format

        written = number_format(value, force_grouping=True)
        if not qualifier or qualifier == cls.EXACT:
            return written
        from .numerals import inflect

        template, case = QUALIFIER_PHRASES[qualifier]
        language = (get_language() or "en")[:2]
        number = inflect(value, written, language, case) if case is not None else written
        return str(template) % {"number": number}


# Each qualifier with its number, as a reader reads it, and the case its number takes in
# languages that inflect numbers (cooperation.numerals): "1000-нан астам", "1000-ə qədər".
QUALIFIER_PHRASES = {
    Qualifier.MORE_THAN: (pgettext_lazy("qualified number", "more than %(number)s"), 0),
    Qualifier.AT_LEAST: (pgettext_lazy("qualified number", "at least %(number)s"), None),
    Qualifier.ABOUT: (pgettext_lazy("qualified number", "about %(number)s"), None),
    Qualifier.LESS_THAN: (pgettext_lazy("qualified number", "less than %(number)s"), 0),
    Qualifier.UP_TO: (pgettext_lazy("qualified number", "up to %(number)s"), 1),
}


class IscedLevel(models.TextChoices):
    """ISCED 2011 levels of tertiary education."""

    SHORT_CYCLE = "5", _("ISCED 5: short-cycle tertiary")
    BACHELOR = "6", _("ISCED 6: bachelor's or equivalent")
    MASTER = "7", _("ISCED 7: master's or equivalent")
    DOCTORAL = "8", _("ISCED 8: doctoral or equivalent")
    ALL = "all", _("All tertiary levels")


class IscedFieldLevel(models.TextChoices):
    BROAD = "broad", _("Broad field")
    NARROW = "narrow", _("Narrow field")
    DETAILED = "detailed", _("Detailed field")


class Language(models.TextChoices):
    """Languages of names and sources (ISO 639-1)."""

    EN = "en", _("English")
    RU = "ru", _("Russian")
    KK = "kk", _("Kazakh")
    AZ = "az", _("Azerbaijani")
    TR = "tr", _("Turkish")
    PL = "pl", _("Polish")
    DE = "de", _("German")
    FR = "fr", _("French")
    OTHER = "other", _("Other")


class StatedFigureMetric(models.TextChoices):
    """What an official aggregate counts; the dashboard compares some with the register.

    Whether the agreements were signed or are only scheduled is the figure's status
    (``StatedFigureStatus``), not part of the metric: the metric's values keep their old
    names (``agreements_signed``) so that stored rows and API clients keep working.
    """

    INSTITUTIONS_WITH_AGREEMENTS = (
        "institutions_with_agreements",
        _("Institutions with agreements with the partner country"),
    )
    AGREEMENTS_SIGNED = "agreements_signed", _("Agreements")
    INSTITUTIONS_SIGNING = "institutions_signing", _("Institutions party to the agreements")
    STUDENTS_ABROAD = "students_abroad", _("Students studying in the partner country")
    HOST_INSTITUTIONS = "host_institutions", _("Host institutions of mobile students")
    SCHOLARSHIPS = "scholarships", _("Scholarships offered")
    STAFF_SENT = "staff_sent", _("Academic staff sent")
    OTHER = "other", _("Other")


class StatedFigureScope(models.TextChoices):
    """Whose figure a stated figure is.

    ``country``: a figure of ``country``, about its ties with ``partner_country`` when one is
    given ("more than 70 Kazakh universities have agreements with Azerbaijan"). ``both``: a
    figure of the two countries together, with no direction ("40 memoranda, 17 universities
    from both countries"); ``country`` and ``partner_country`` then name the pair, in any
    order.
    """

    COUNTRY = "country", _("of the country, with the partner country")
    BOTH = "both", _("both countries together")


class StatedFigureStatus(models.TextChoices):
    """Whether what a figure counts has happened, or is only planned.

    A planned count (scheduled, announced) is never set beside what the register counts as
    done: ``StatedFigureStatus.planned()`` says which are planned, and every comparison
    (``StatedFigure.objects.accomplished()``, the dashboard) asks it.
    """

    STATED = "stated", _("stated")
    SIGNED = "signed", _("signed")
    SCHEDULED = "scheduled", _("scheduled")
    ANNOUNCED = "announced", _("announced")

    @classmethod
    def planned(cls) -> "list[StatedFigureStatus]":
        """Statuses of counts that have not happened yet: to be signed, or a plan."""
        return [cls.SCHEDULED, cls.ANNOUNCED]


@functools.cache
def choice_names(choices: type[models.TextChoices]) -> dict[str, str]:
    """Every code and every label of ``choices`` in every interface language, as search
    keys (``cooperation.text.fold``: case, accents and script aside), mapped to its code:
    what a person may type for a choice (the signing session). Labels do not change while
    the process runs, so they are read once."""
    from .text import fold

    names: dict[str, str] = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for value, label in choices.choices:
                names.setdefault(fold(str(label)), value)
    names.update({fold(str(value)): value for value in choices.values})
    return names


def choice_from_text(choices: type[models.TextChoices], text: str) -> str | None:
    """The code ``text`` stands for: a code or label in any interface language ("dual
    degree agreement", "соглашение о двойном дипломе"), or the start of exactly one of them,
    at least three letters long ("memo", "меморандум"); None when it names none or several."""
    from .text import fold

    folded = fold(str(text))
    if not folded:
        return None
    names = choice_names(choices)
    if folded in names:
        return names[folded]
    if len(folded) < 3:
        return None
    started = {code for name, code in names.items() if name.startswith(folded)}
    return started.pop() if len(started) == 1 else None

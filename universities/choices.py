from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class InstitutionKind(models.TextChoices):
    UNIVERSITY = "university", _("University")
    ACADEMY_OF_SCIENCES = "academy_of_sciences", _("Academy of sciences")
    RESEARCH_INSTITUTE = "research_institute", _("Research institute")
    BRANCH_CAMPUS = "branch_campus", _("Branch campus of a foreign university")
    GOVERNMENT = "government", _("Ministry or government body")
    OTHER = "other", _("Other")

    @classmethod
    def academic(cls) -> "list[InstitutionKind]":
        """Universities and other academic institutions: what "institutions with partners"
        counts. Not ministries and government bodies, nor "other" (a hospital, a company)."""
        return [cls.UNIVERSITY, cls.ACADEMY_OF_SCIENCES, cls.RESEARCH_INSTITUTE, cls.BRANCH_CAMPUS]


class InstitutionStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")
    MERGED = "merged", _("Merged into another")


class InstitutionNameKind(models.TextChoices):
    """As ROR records names: labels per language, aliases, acronyms; plus former names."""

    LABEL = "label", pgettext_lazy("institution name kind", "Label")
    ALIAS = "alias", _("Alias")
    ACRONYM = "acronym", _("Acronym")
    FORMER = "former", _("Former name")

from django.db import models
from django.utils.translation import gettext_lazy as _


class ScholarshipKind(models.TextChoices):
    NAMED = "named", _("Named scholarship")
    GOVERNMENT_QUOTA = "government_quota", _("Government quota for foreign students")
    INTERGOVERNMENTAL_QUOTA = "intergovernmental_quota", _("Intergovernmental quota")
    INSTITUTIONAL = "institutional", _("Institutional scholarship")


class MobilityType(models.TextChoices):
    """UNESCO UIS / OECD / Eurostat categories of people who moved."""

    DEGREE_STUDENTS = "degree_students", _("Degree-mobile students")
    CREDIT_STUDENTS = "credit_students", _("Credit-mobile (exchange) students")
    STUDENTS = "students", _("Students (degree or credit not stated)")
    STAFF_TEACHING = "staff_teaching", _("Staff mobility for teaching")
    STAFF_TRAINING = "staff_training", _("Staff mobility for training")
    RESEARCHERS = "researchers", _("Researchers")


class Sex(models.TextChoices):
    TOTAL = "total", _("Total")
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


class Measure(models.TextChoices):
    """Whether a figure counts people present on a date (a stock: "164 were studying on 31
    December") or people who moved during an academic year (a flow). Every mobility type can
    be stated either way; the two are never added together (mobility.selectors)."""

    STOCK = "stock", _("Stock on a date")
    FLOW = "flow", _("Flow in an academic year")

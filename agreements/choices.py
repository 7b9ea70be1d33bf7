from django.db import models
from django.utils.translation import gettext_lazy as _


class AgreementKind(models.TextChoices):
    MEMORANDUM = "memorandum", _("Memorandum of understanding")
    COOPERATION = "cooperation", _("Cooperation agreement")
    EXCHANGE = "exchange", _("Exchange agreement")
    DUAL_DEGREE = "dual_degree", _("Dual degree agreement")
    JOINT_DEGREE = "joint_degree", _("Joint degree agreement")
    INTERGOVERNMENTAL = "intergovernmental", _("Intergovernmental agreement")
    FRAMEWORK = "framework", _("Framework agreement")
    PROTOCOL = "protocol", _("Protocol or amendment")


class AgreementLevel(models.TextChoices):
    INTERGOVERNMENTAL = "intergovernmental", _("Intergovernmental")
    INTER_MINISTERIAL = "inter_ministerial", _("Inter-ministerial")
    INTER_INSTITUTIONAL = "inter_institutional", _("Inter-institutional")


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed")
    IN_EFFECT = "in_effect", _("In effect")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")


class CooperationAreaCode(models.TextChoices):
    STUDENT_EXCHANGE = "student_exchange", _("Student exchange")
    STAFF_EXCHANGE = "staff_exchange", _("Staff exchange")
    JOINT_RESEARCH = "joint_research", _("Joint research")
    DUAL_DEGREE = "dual_degree", _("Dual degree")
    INTERNSHIPS = "internships", _("Internships")
    CONFERENCES = "conferences", _("Conferences")
    SCHOLARSHIPS = "scholarships", _("Scholarships")
    RESEARCH_INFRASTRUCTURE = "research_infrastructure", _("Shared research infrastructure")
    LANGUAGE_CULTURE = "language_culture", _("Language and culture centres")
    RECOGNITION = "recognition", _("Recognition of qualifications")


class ConditionMobilityType(models.TextChoices):
    """Mobility types of an Erasmus Without Paper inter-institutional agreement."""

    STUDENT_STUDIES = "student_studies", _("Student mobility for studies")
    STUDENT_TRAINEESHIP = "student_traineeship", _("Student mobility for traineeships")
    STAFF_TEACHING = "staff_teaching", _("Staff mobility for teaching")
    STAFF_TRAINING = "staff_training", _("Staff mobility for training")


# The statuses of an agreement signed and not ended by its status: in force between its
# start and end dates, not yet in force before (``AgreementQuerySet.in_force``).
SIGNED_STATUSES = (AgreementStatus.SIGNED, AgreementStatus.IN_EFFECT)
# The statuses that end an agreement whatever its dates say.
ENDED_STATUSES = (AgreementStatus.EXPIRED, AgreementStatus.TERMINATED)
# Every status but draft: what the public may be shown (``cooperation.roles``).
PUBLIC_STATUSES = tuple(
    status.value for status in AgreementStatus if status != AgreementStatus.DRAFT
)


class AgreementState(models.TextChoices):
    """Where an agreement stands on a given day, from its status and dates (one of these
    exactly; ``AgreementQuerySet.state_conditions`` defines each)."""

    DRAFT = "draft", _("Draft")
    NOT_YET_IN_FORCE = "not_yet_in_force", _("Not yet in force")
    IN_FORCE = "in_force", _("In force")
    ENDED = "ended", _("Ended")

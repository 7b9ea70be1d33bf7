from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    FORUM = "forum", _("Forum")
    ROUND_TABLE = "round_table", _("Round table")
    SIGNING_CEREMONY = "signing_ceremony", _("Signing ceremony")
    CONFERENCE = "conference", _("Conference")
    EXHIBITION = "exhibition", _("Exhibition")
    OFFICIAL_VISIT = "official_visit", _("Official visit")
    RECEPTION = "reception", _("Reception")
    CELEBRATION = "celebration", _("Celebration")
    OTHER = "other", _("Other")


class EventStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class ParticipationRole(models.TextChoices):
    HOST = "host", _("Host")
    SPEAKER = "speaker", _("Speaker")
    PARTICIPANT = "participant", _("Participant")
    SIGNATORY = "signatory", _("Signatory")
    ORGANISER = "organiser", _("Organiser")
    GUEST = "guest", _("Guest")

"""API representation of agreements, with their parties and mobility conditions."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cooperation.api import ModelCleanSerializer, NestedChildSerializer
from cooperation.choices import IscedLevel
from cooperation.models import IscedField, Source
from cooperation.serializers import TIMESTAMPS, ShownAgreementMixin
from cooperation.versioning import VersionedSerializerMixin

from . import rules
from .choices import AgreementKind, AgreementLevel, AgreementStatus
from .documents import document_url
from .models import Agreement, CooperationArea, CooperationCondition, Party
from .visibility import may_publish

STUDY_LEVELS = [(value, label) for value, label in IscedLevel.choices if value != IscedLevel.ALL]


class RegisterRulesValidator:
    """Runs ``register_rule_errors`` on an agreement written through the API: a 400 naming
    the fields, before anything is saved."""

    requires_context = True

    def __call__(self, attrs: dict, serializer: serializers.Serializer) -> None:
        errors = register_rule_errors(serializer.instance, attrs)
        if errors:
            raise serializers.ValidationError(errors)


def register_rule_errors(instance: Agreement | None, attrs: dict) -> dict:
    """The register's rules (``agreements.rules``) for an agreement written through the
    API with its nested parties and conditions, as DRF errors: ``parties``, and per
    condition ``{index: {field: [...]}}``. What the request leaves out is taken from the
    saved agreement (an update that changes the parties checks the saved conditions)."""
    errors: dict = {}
    if "parties" in attrs:
        institutions = [item.get("institution") for item in attrs["parties"]]
    elif instance is None:
        institutions = []
    else:
        institutions = None  # unchanged
    if institutions is not None:
        try:
            rules.validate_parties(
                institutions, had=instance.parties.count() if instance is not None else None
            )
        except DjangoValidationError as exc:
            errors.update(exc.message_dict)
    if institutions is None:
        party_ids = set(instance.parties.values_list("institution_id", flat=True))
    else:
        party_ids = {getattr(i, "pk", i) for i in institutions if i is not None}
    ends = (
        attrs["valid_until"] if "valid_until" in attrs else getattr(instance, "valid_until", None)
    )
    if "conditions" in attrs:
        conditions = [dict(item) for item in attrs["conditions"]]
    elif instance is not None and ("parties" in attrs or "valid_until" in attrs):
        conditions = [
            {
                "sending_institution": condition.sending_institution,
                "receiving_institution": condition.receiving_institution,
                "first_academic_year": condition.first_academic_year,
                "last_academic_year": condition.last_academic_year,
            }
            for condition in instance.conditions.select_related(
                "sending_institution", "receiving_institution"
            ).order_by("pk")
        ]
    else:
        conditions = []
    condition_errors: dict[int, dict] = {}
    for index, item in enumerate(conditions):
        item_errors: dict[str, list[str]] = {}
        checks = (
            lambda item=item: rules.validate_condition_endpoints(
                item.get("sending_institution"), item.get("receiving_institution"), party_ids
            ),
            lambda item=item: rules.validate_academic_years(
                item.get("first_academic_year") or "",
                item.get("last_academic_year") or "",
                agreement_ends=ends,
                agreement_known=True,
            ),
        )
        for check in checks:
            try:
                check()
            except DjangoValidationError as exc:
                for field, messages in exc.message_dict.items():
                    item_errors.setdefault(field, []).extend(messages)
        if item_errors:
            condition_errors[index] = item_errors
    if condition_errors:
        errors["conditions"] = condition_errors
    return errors


class PartySerializer(NestedChildSerializer):
    """An institution that signed the agreement, with its name, country and signatory."""

    validation_exclude = ("agreement",)

    institution_name = serializers.CharField(source="institution.name", read_only=True)
    country = serializers.CharField(source="institution.country.code", read_only=True)
    signatory_name = serializers.CharField(source="signatory.name", read_only=True, allow_null=True)

    class Meta:
        model = Party
        fields = (
            "id",
            "institution",
            "institution_name",
            "country",
            "signatory",
            "signatory_name",
            "signed_on",
        )


class CooperationConditionSerializer(NestedChildSerializer):
    """One direction of mobility the agreement provides for (after the EWP IIA model)."""

    validation_exclude = ("agreement",)

    levels = serializers.ListField(
        child=serializers.ChoiceField(choices=STUDY_LEVELS), required=False, max_length=4
    )
    subject_areas = serializers.SlugRelatedField(
        many=True,
        required=False,
        slug_field="code",
        queryset=IscedField.objects.all(),
        help_text=_("ISCED-F 2013 codes."),
    )

    def validate_subject_areas(self, value: list[IscedField]) -> list[IscedField]:
        try:
            rules.validate_subject_areas(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict["subject_areas"]) from exc
        return value

    class Meta:
        model = CooperationCondition
        fields = (
            "id",
            "sending_institution",
            "receiving_institution",
            "mobility_type",
            "levels",
            "subject_areas",
            "places_per_year",
            "months_per_year",
            "days_per_year",
            "first_academic_year",
            "last_academic_year",
        )


class AgreementSerializer(ShownAgreementMixin, VersionedSerializerMixin, ModelCleanSerializer):
    """An agreement, with its parties, mobility conditions and areas of cooperation."""

    # The framework it sits under and the agreement it renews: null to a reader who may not
    # see that agreement, and only agreements the writer may see are taken.
    shown_agreement_fields = ("parent", "renews")

    localized_title = serializers.CharField(
        read_only=True,
        help_text=_(
            "The title in the reader's language (Accept-Language), or in the one it falls "
            "back to (Kazakh: Russian, then English)."
        ),
    )
    event_title = serializers.CharField(
        source="event.localized_title",
        read_only=True,
        allow_null=True,
        help_text=_("That event's title, in the reader's language as localized_title is."),
    )
    areas = serializers.SlugRelatedField(
        many=True, required=False, slug_field="code", queryset=CooperationArea.objects.all()
    )
    parties = PartySerializer(many=True, required=False)
    conditions = CooperationConditionSerializer(many=True, required=False)
    sources = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=Source.objects.all()
    )

    document = serializers.SerializerMethodField(
        help_text=_(
            "Where to download the signed document (PDF), for signed-in users with a role; "
            "null when none is attached. Uploaded through the admin."
        ),
    )
    nested_writes = {"parties": "agreement", "conditions": "agreement"}

    class Meta:
        model = Agreement
        fields = (
            "id",
            "reference_code",
            "title",
            "title_translations",
            "localized_title",
            "kind",
            "level",
            "status",
            "event",
            "event_title",
            "signed_on",
            "signed_precision",
            "valid_from",
            "valid_until",
            "areas",
            "parties",
            "conditions",
            "parent",
            "renews",
            "terminated_on",
            "termination_reason",
            "document",
            "description",
            "is_public",
            "sources",
            "version",
            *TIMESTAMPS,
        )
        # The register's rules for the parties and the nested conditions (agreements.rules).
        validators = [RegisterRulesValidator()]

    def validate(self, attrs):
        # Publishing is the ministry's (agreements.visibility.may_publish): anyone else may send
        # "is_public" only as it stands (the model's default on a new agreement).
        if "is_public" in attrs:
            user = getattr(self.context.get("request"), "user", None)
            if isinstance(self.instance, Agreement):
                current = self.instance.is_public
            else:
                current = Agreement._meta.get_field("is_public").get_default()
            if attrs["is_public"] != current and not may_publish(user):
                raise serializers.ValidationError(
                    {
                        "is_public": [
                            _(
                                "Only ministry editors and administrators publish or "
                                "withdraw agreements; leave “is_public” as it is (%(value)s)."
                            )
                            % {"value": str(current).lower()}
                        ]
                    }
                )
        return super().validate(attrs)

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_document(self, obj: Agreement) -> str | None:
        if hasattr(obj, "document_url"):  # read with document_url_expression
            return obj.document_url
        return document_url(obj, self.context.get("request"))


class AgreementStatsRowSerializer(serializers.Serializer):
    """One row of `/api/agreements/stats/`: the grouped dimensions and the count."""

    year = serializers.IntegerField(required=False, allow_null=True, help_text=_("Year signed."))
    # The dimensions are sent when grouped by (group_by), the count always.
    status = serializers.ChoiceField(choices=AgreementStatus.choices, required=False)
    kind = serializers.ChoiceField(choices=AgreementKind.choices, required=False)
    level = serializers.ChoiceField(choices=AgreementLevel.choices, required=False)
    country_pair = serializers.CharField(
        required=False,
        help_text=_("The parties' countries, sorted and joined with a hyphen (AZ-KZ)."),
    )
    count = serializers.IntegerField()


class AgreementStatsSerializer(serializers.Serializer):
    group_by = serializers.ListField(child=serializers.CharField())
    total = serializers.IntegerField(help_text=_("Agreements that match the filters."))
    results = AgreementStatsRowSerializer(many=True)


class BulkDefaultsSerializer(serializers.Serializer):
    """What a row leaves out: the session's kind, areas and signing date."""

    kind = serializers.CharField(required=False, allow_blank=True)
    areas = serializers.ListField(child=serializers.CharField(), required=False)
    signed_on = serializers.CharField(
        required=False, allow_blank=True, help_text=_("YYYY-MM-DD; the event's date if empty.")
    )


class BulkRowSerializer(serializers.Serializer):
    """One agreement of a session. Values are checked row by row by the service, so a bad
    date or kind is reported in that row's errors rather than failing the whole request."""

    parties = serializers.ListField(
        child=serializers.JSONField(),
        help_text=_(
            "Two or more parties: an institution id, a name in any language or script, or "
            '{"name": ..., "create": true, "country": "KZ"} to create the institution.'
        ),
    )
    title = serializers.CharField(required=False, allow_blank=True, max_length=500)
    kind = serializers.CharField(required=False, allow_blank=True)
    areas = serializers.ListField(child=serializers.CharField(), required=False)
    signed_on = serializers.CharField(required=False, allow_blank=True)
    valid_from = serializers.CharField(required=False, allow_blank=True)
    valid_until = serializers.CharField(required=False, allow_blank=True)
    signatories = serializers.ListField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        help_text=_("Signatory names, in the order of the parties."),
    )
    allow_duplicate = serializers.BooleanField(
        required=False, default=False, help_text=_("Save even if it duplicates an agreement.")
    )


class AgreementBulkSerializer(serializers.Serializer):
    """A signing session: the event, defaults, and the rows to check or save."""

    event = serializers.PrimaryKeyRelatedField(
        queryset=Agreement._meta.get_field("event").related_model.objects.all(),
        required=False,
        allow_null=True,
    )
    defaults = BulkDefaultsSerializer(required=False)
    rows = BulkRowSerializer(many=True, allow_empty=False, max_length=5000)
    dry_run = serializers.BooleanField(
        required=False, default=False, help_text=_("Check and match only; save nothing.")
    )


class BulkCandidateSerializer(serializers.Serializer):
    institution_id = serializers.IntegerField()
    name = serializers.CharField()
    country = serializers.CharField()
    score = serializers.FloatField(help_text=_("0 to 100."))
    matched_name = serializers.CharField(help_text=_("The recorded name that matched."))


class BulkPartyResultSerializer(serializers.Serializer):
    written = serializers.CharField()
    institution = serializers.IntegerField(allow_null=True)
    institution_name = serializers.CharField()
    verdict = serializers.ChoiceField(choices=["sure", "ambiguous", "unknown"])
    create = serializers.BooleanField()
    country = serializers.CharField(allow_null=True)
    signatory = serializers.CharField()
    candidates = BulkCandidateSerializer(many=True)


class BulkRowResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text=_("Row number, from 0."))
    status = serializers.ChoiceField(choices=["ready", "ambiguous", "error"])
    title = serializers.CharField()
    kind = serializers.CharField()
    areas = serializers.ListField(child=serializers.CharField())
    signed_on = serializers.DateField(allow_null=True)
    valid_from = serializers.DateField(allow_null=True)
    valid_until = serializers.DateField(allow_null=True)
    parties = BulkPartyResultSerializer(many=True)
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    duplicate_of = serializers.ListField(child=serializers.IntegerField())
    duplicate_rows = serializers.ListField(child=serializers.IntegerField())
    agreement = serializers.IntegerField(allow_null=True, help_text=_("Once saved."))


class AgreementBulkResultSerializer(serializers.Serializer):
    saved = serializers.BooleanField()
    valid = serializers.BooleanField()
    summary = serializers.DictField(child=serializers.IntegerField())
    errors = serializers.ListField(child=serializers.CharField())
    rows = BulkRowResultSerializer(many=True)


class AgreementVersionField(serializers.IntegerField):
    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**31 - 1)
        kwargs.setdefault(
            "help_text",
            _(
                "The agreement's version as you read it: if someone saved it since, the "
                "request is refused with 409. The If-Match header does the same with 412."
            ),
        )
        super().__init__(**kwargs)


class AgreementRenewSerializer(serializers.Serializer):
    """The renewal of an agreement: a new agreement linked to it, keeping its kind, level,
    parties, areas, parent and public flag (see `POST /api/agreements/{id}/renew/`)."""

    valid_from = serializers.DateField(help_text=_("When the renewal takes effect."))
    valid_until = serializers.DateField(
        required=False, allow_null=True, help_text=_("Empty or null for an open-ended renewal.")
    )
    signed_on = serializers.DateField(required=False, allow_null=True)
    title = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=500,
        help_text=_("The title of the renewal; the renewed agreement's title if empty."),
    )
    reference_code = serializers.CharField(required=False, allow_blank=True, max_length=64)
    status = serializers.ChoiceField(
        choices=[("signed", _("Signed")), ("in_effect", _("In effect")), ("draft", _("Draft"))],
        required=False,
        default="signed",
    )
    copy_conditions = serializers.BooleanField(
        required=False,
        default=True,
        help_text=_("Copy the cooperation conditions, with academic years of the new validity."),
    )
    version = AgreementVersionField()


class AgreementTerminateSerializer(serializers.Serializer):
    """The termination of an agreement: the date and the reason."""

    terminated_on = serializers.DateField(
        help_text=_("Not before the signing (or the start), not after the end, not in the future.")
    )
    reason = serializers.CharField(max_length=4000, help_text=_("Why it was terminated."))
    version = AgreementVersionField()

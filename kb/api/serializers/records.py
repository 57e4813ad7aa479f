"""Events, agreements and arms transfers: output and input serializers."""

from __future__ import annotations

from django.conf import settings
from rest_framework import serializers

from kb.api.serializers.common import (
    ActorBriefSerializer,
    ClaimBriefSerializer,
    HyperlinkedIdentityField,
    IdField,
    InputSerializer,
    PartialDateField,
    PartialDateInputField,
    StrictTextMixin,
    precision_field,
)
from kb.choices import ProvisionKind, RatificationKind
from kb.models import Actor, Agreement, AgreementParty, ArmsTransfer, Claim, Event, Provision

EVIDENCE_HELP = "The claims backing it (those you may see)."


class EventSerializer(serializers.ModelSerializer):
    url = HyperlinkedIdentityField(view_name="api:event-detail")
    start_on = PartialDateField()
    start_on_precision = precision_field()
    end_on = PartialDateField()
    end_on_precision = precision_field()
    place = ActorBriefSerializer(read_only=True, allow_null=True)
    participants = ActorBriefSerializer(source="shown_participants", many=True, read_only=True)
    evidence = ClaimBriefSerializer(source="shown_evidence", many=True, read_only=True, help_text=EVIDENCE_HELP)

    class Meta:
        model = Event
        fields = [
            "id",
            "url",
            "slug",
            "title",
            "kind",
            "start_on",
            "start_on_precision",
            "end_on",
            "end_on_precision",
            "place",
            "participants",
            "summary",
            "evidence",
            "created_at",
            "updated_at",
        ]


class EventInputSerializer(InputSerializer):
    start_on = PartialDateInputField()
    end_on = PartialDateInputField()

    class Meta:
        model = Event
        fields = ["title", "slug", "kind", "start_on", "end_on", "place", "participants", "summary", "evidence"]
        extra_kwargs = {"slug": {"required": False, "help_text": "Made from the title when not given."}}


class AgreementPartySerializer(serializers.ModelSerializer):
    actor = ActorBriefSerializer(read_only=True)
    signatory = ActorBriefSerializer(read_only=True, allow_null=True)
    signed_on = PartialDateField(help_text="When this party signed.")
    signed_on_precision = precision_field()
    ratified_on = PartialDateField(help_text="When this party ratified, acceded, accepted or approved.")
    ratified_on_precision = precision_field()
    ratification_kind = serializers.CharField(
        read_only=True, help_text="ratification, accession, acceptance or approval; empty when not ratified."
    )
    in_force_on = PartialDateField(help_text="When the agreement entered into force for this party.")
    in_force_on_precision = precision_field()
    evidence = serializers.SerializerMethodField(
        help_text="Ids of the claims backing this party's steps (those you may see)."
    )

    class Meta:
        model = AgreementParty
        fields = [
            "actor",
            "signatory",
            "signed_on",
            "signed_on_precision",
            "ratified_on",
            "ratified_on_precision",
            "ratification_kind",
            "in_force_on",
            "in_force_on_precision",
            "evidence",
        ]

    def get_evidence(self, party: AgreementParty) -> list[int]:
        return [claim.pk for claim in party.shown_evidence]


class ProvisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Provision
        fields = ["id", "label", "kind", "summary", "order"]


class AgreementSerializer(serializers.ModelSerializer):
    url = HyperlinkedIdentityField(view_name="api:agreement-detail")
    signed_on = PartialDateField()
    signed_on_precision = precision_field()
    in_force_on = PartialDateField(help_text="Entry into force.")
    in_force_on_precision = precision_field()
    signed_place = ActorBriefSerializer(read_only=True, allow_null=True)
    parties = AgreementPartySerializer(source="shown_parties", many=True, read_only=True)
    provisions = ProvisionSerializer(source="shown_provisions", many=True, read_only=True)
    evidence = ClaimBriefSerializer(source="shown_evidence", many=True, read_only=True, help_text=EVIDENCE_HELP)

    class Meta:
        model = Agreement
        fields = [
            "id",
            "url",
            "slug",
            "title",
            "kind",
            "status",
            "signed_on",
            "signed_on_precision",
            "signed_place",
            "in_force_on",
            "in_force_on_precision",
            "summary",
            "parties",
            "provisions",
            "evidence",
            "created_at",
            "updated_at",
        ]


class AgreementPartyInputSerializer(StrictTextMixin, serializers.Serializer):
    actor = serializers.PrimaryKeyRelatedField(queryset=Actor.objects.all())
    signatory = serializers.PrimaryKeyRelatedField(queryset=Actor.objects.all(), required=False, allow_null=True)
    signed_on = PartialDateInputField(help_text="When this party signed.")
    ratified_on = PartialDateInputField(help_text="When this party ratified, acceded, accepted or approved.")
    ratification_kind = serializers.ChoiceField(
        choices=RatificationKind.choices,
        required=False,
        allow_blank=True,
        help_text="How it consented to be bound; required with ratified_on. An accession has no signature.",
    )
    in_force_on = PartialDateInputField(help_text="When the agreement entered into force for this party.")
    evidence = IdField(
        queryset=Claim.objects.all(),
        many=True,
        required=False,
        help_text="Ids of the claims that report this party's steps.",
    )


class ProvisionInputSerializer(StrictTextMixin, serializers.Serializer):
    label = serializers.CharField(max_length=50, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=ProvisionKind.choices)
    summary = serializers.CharField(max_length=10_000)


class AgreementInputSerializer(InputSerializer):
    signed_on = PartialDateInputField()
    in_force_on = PartialDateInputField()
    parties = AgreementPartyInputSerializer(
        many=True,
        required=False,
        max_length=settings.KB_API_MAX_IDS,
        help_text=(
            "The parties with their signatories and steps (signature, ratification or accession, entry into "
            "force for the party); on update, the list given replaces the current one, and a field left out "
            "of a party is cleared."
        ),
    )
    provisions = ProvisionInputSerializer(
        many=True,
        required=False,
        max_length=settings.KB_API_MAX_IDS,
        help_text="The provisions in order; on update, the list given replaces the current one.",
    )

    class Meta:
        model = Agreement
        fields = [
            "title",
            "slug",
            "kind",
            "status",
            "signed_on",
            "signed_place",
            "in_force_on",
            "summary",
            "parties",
            "provisions",
            "evidence",
        ]
        extra_kwargs = {"slug": {"required": False, "help_text": "Made from the title when not given."}}


class ArmsTransferSerializer(serializers.ModelSerializer):
    url = HyperlinkedIdentityField(view_name="api:arms-transfer-detail")
    supplier = ActorBriefSerializer(read_only=True)
    recipient = ActorBriefSerializer(read_only=True)
    ordered_on = PartialDateField(help_text="When the deal was made.")
    ordered_on_precision = precision_field()
    start_on = PartialDateField(help_text="Start of the deliveries.")
    start_on_precision = precision_field()
    end_on = PartialDateField(help_text="End of the deliveries.")
    end_on_precision = precision_field()
    reported_on = PartialDateField()
    reported_on_precision = precision_field()
    evidence = ClaimBriefSerializer(source="shown_evidence", many=True, read_only=True, help_text=EVIDENCE_HELP)

    class Meta:
        model = ArmsTransfer
        fields = [
            "id",
            "url",
            "supplier",
            "recipient",
            "category",
            "designation",
            "description",
            "ordered_quantity",
            "ordered_quantity_estimated",
            "ordered_on",
            "ordered_on_precision",
            "ordered_on_estimated",
            "quantity_low",
            "quantity_high",
            "quantity_unit",
            "delivered_quantity_estimated",
            "start_on",
            "start_on_precision",
            "end_on",
            "end_on_precision",
            "delivered_period_estimated",
            "comments",
            "status",
            "reported_by",
            "reported_on",
            "reported_on_precision",
            "evidence",
            "created_at",
            "updated_at",
        ]


class ArmsTransferInputSerializer(InputSerializer):
    ordered_on = PartialDateInputField()
    start_on = PartialDateInputField()
    end_on = PartialDateInputField()
    reported_on = PartialDateInputField()

    class Meta:
        model = ArmsTransfer
        fields = [
            "supplier",
            "recipient",
            "category",
            "designation",
            "description",
            "ordered_quantity",
            "ordered_quantity_estimated",
            "ordered_on",
            "ordered_on_estimated",
            "quantity_low",
            "quantity_high",
            "quantity_unit",
            "delivered_quantity_estimated",
            "start_on",
            "end_on",
            "delivered_period_estimated",
            "comments",
            "status",
            "reported_by",
            "reported_on",
            "evidence",
        ]

"""Actors and relationships: output, detail and input serializers."""

from __future__ import annotations

from urllib.parse import urlencode

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from kb.api.serializers.common import (
    ActorBriefSerializer,
    ClaimBriefSerializer,
    HyperlinkedIdentityField,
    InputSerializer,
    PartialDateField,
    PartialDateInputField,
    RelatedCountSerializer,
    precision_field,
)
from kb.models import Actor, Relationship
from kb.selectors import actor_related_counts


class ActorSerializer(serializers.ModelSerializer):
    url = HyperlinkedIdentityField(view_name="api:actor-detail")
    aliases = serializers.SerializerMethodField(help_text="Every spelling of the actor's name.")
    start_on = PartialDateField(help_text="Born or founded.")
    start_on_precision = precision_field()
    end_on = PartialDateField(help_text="Died or dissolved.")
    end_on_precision = precision_field()

    class Meta:
        model = Actor
        fields = [
            "id",
            "url",
            "slug",
            "name",
            "kind",
            "aliases",
            "summary",
            "country_code",
            "start_on",
            "start_on_precision",
            "end_on",
            "end_on_precision",
            "wikidata_id",
            "created_at",
            "updated_at",
        ]

    def get_aliases(self, actor: Actor) -> list[str]:
        return [alias.name for alias in actor.aliases.all()]


# (key, annotation, list route, filter parameter)
ACTOR_RELATED = [
    ("claims", "n_claims", "api:claim-list", "subject"),
    ("statements", "n_statements", "api:claim-list", "speaker"),
    ("relationships", "n_relationships", "api:relationship-list", "actor"),
    ("agreements", "n_agreements", "api:agreement-list", "party"),
    ("transfers_supplied", "n_transfers_supplied", "api:arms-transfer-list", "supplier"),
    ("transfers_received", "n_transfers_received", "api:arms-transfer-list", "recipient"),
    ("events", "n_events", "api:event-list", "participant"),
]


class ActorRelatedSerializer(serializers.Serializer):
    claims = RelatedCountSerializer(help_text="Claims about the actor.")
    statements = RelatedCountSerializer(help_text="Claims attributed to the actor as speaker.")
    relationships = RelatedCountSerializer(help_text="Relationships with the actor as subject or object.")
    agreements = RelatedCountSerializer(help_text="Agreements the actor is a party to.")
    transfers_supplied = RelatedCountSerializer(help_text="Arms transfers with the actor as supplier.")
    transfers_received = RelatedCountSerializer(help_text="Arms transfers with the actor as recipient.")
    events = RelatedCountSerializer(help_text="Events the actor took part in.")


class ActorDetailSerializer(ActorSerializer):
    related = serializers.SerializerMethodField(
        help_text="Counts of the records that involve the actor (those you may see), and the list URLs showing them."
    )

    class Meta(ActorSerializer.Meta):
        fields = [*ActorSerializer.Meta.fields, "related"]

    @extend_schema_field(ActorRelatedSerializer)
    def get_related(self, actor: Actor) -> dict:
        request = self.context.get("request")
        # One actor at a time (the detail): its counts are one query, kept under the data's version.
        counts = actor_related_counts(user=getattr(request, "user", None), actor=actor)
        return {
            key: {
                "count": counts[annotation],
                "url": reverse(route, request=request) + "?" + urlencode({param: actor.slug}),
            }
            for key, annotation, route, param in ACTOR_RELATED
        }


class ActorInputSerializer(InputSerializer):
    aliases = serializers.ListField(
        child=serializers.CharField(max_length=200),
        required=False,
        max_length=100,
        help_text="Other spellings. On update, spellings not yet known are added; none is removed.",
    )
    start_on = PartialDateInputField(help_text="Born or founded.")
    end_on = PartialDateInputField(help_text="Died or dissolved.")

    class Meta:
        model = Actor
        fields = [
            "kind",
            "name",
            "slug",
            "aliases",
            "summary",
            "country_code",
            "start_on",
            "end_on",
            "wikidata_id",
        ]
        extra_kwargs = {"slug": {"required": False, "help_text": "Made from the name when not given."}}


class RelationshipSerializer(serializers.ModelSerializer):
    url = HyperlinkedIdentityField(view_name="api:relationship-detail")
    subject = ActorBriefSerializer(read_only=True)
    object = ActorBriefSerializer(read_only=True)
    valid_from = PartialDateField()
    valid_from_precision = precision_field()
    valid_until = PartialDateField()
    valid_until_precision = precision_field()
    evidence = ClaimBriefSerializer(
        source="shown_evidence", many=True, read_only=True, help_text="The claims backing it (those you may see)."
    )

    class Meta:
        model = Relationship
        fields = [
            "id",
            "url",
            "subject",
            "predicate",
            "object",
            "valid_from",
            "valid_from_precision",
            "valid_until",
            "valid_until_precision",
            "note",
            "evidence",
            "created_at",
            "updated_at",
        ]


class RelationshipInputSerializer(InputSerializer):
    valid_from = PartialDateInputField()
    valid_until = PartialDateInputField()

    class Meta:
        model = Relationship
        fields = ["subject", "predicate", "object", "valid_from", "valid_until", "note", "evidence"]
        validators = []  # the service checks uniqueness, with a message naming the field

"""Claims: output and input serializers."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from kb.api.serializers.common import (
    ActorBriefSerializer,
    HyperlinkedIdentityField,
    HyperlinkedRelatedField,
    InputSerializer,
    PartialDateField,
    PartialDateInputField,
    SourceBriefSerializer,
    precision_field,
)
from kb.models import Claim, ClaimLink
from kb.selectors import is_editor


class ClaimLinkSerializer(serializers.ModelSerializer):
    to_claim_url = HyperlinkedRelatedField(source="to_claim", view_name="api:claim-detail", read_only=True)

    class Meta:
        model = ClaimLink
        fields = ["kind", "to_claim", "to_claim_url", "note"]


class ClaimSerializer(serializers.ModelSerializer):
    url = HyperlinkedIdentityField(view_name="api:claim-detail")
    source = SourceBriefSerializer(read_only=True)
    speaker = ActorBriefSerializer(read_only=True, allow_null=True)
    subjects = ActorBriefSerializer(many=True, read_only=True)
    about_on = PartialDateField(help_text="The time the claim speaks about.")
    about_on_precision = precision_field()
    reviewed_by = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="The reviewing editor; null unless you are an editor.",
    )
    review_note = serializers.CharField(
        read_only=True, allow_null=True, help_text="The reviewer's note; null unless you are an editor."
    )
    links = ClaimLinkSerializer(
        source="links_out", many=True, read_only=True, help_text="Links to other claims (those you may see)."
    )

    class Meta:
        model = Claim
        fields = [
            "id",
            "url",
            "source",
            "quote",
            "start",
            "end",
            "statement",
            "modality",
            "attributed_to",
            "speaker",
            "subjects",
            "about_on",
            "about_on_precision",
            "credibility",
            "status",
            "reviewed_by",
            "reviewed_at",
            "review_note",
            "links",
            "created_at",
            "updated_at",
        ]

    # Who reviewed a claim and what they noted are the editors' business.
    EDITORS_ONLY = ("reviewed_by", "review_note")

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if not is_editor(getattr(request, "user", None)):
            data.update(dict.fromkeys(self.EDITORS_ONLY))
        return data


DRAFTS_SCHEMA = {
    "type": "array",
    "nullable": True,
    "readOnly": True,
    "description": "The draft records made from the claim (editors only; null for anyone else).",
    "items": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "url": {"type": "string", "format": "uri"},
            "kind": {"type": "string"},
            "status": {"type": "string"},
            "title": {"type": "string"},
        },
    },
}


class ClaimDetailSerializer(ClaimSerializer):
    """A claim's own URL: the claim, and for editors the drafts made from it."""

    drafts = serializers.SerializerMethodField()

    class Meta(ClaimSerializer.Meta):
        fields = [*ClaimSerializer.Meta.fields, "drafts"]

    @extend_schema_field(DRAFTS_SCHEMA)
    def get_drafts(self, claim) -> list[dict] | None:
        request = self.context.get("request")
        if not is_editor(getattr(request, "user", None)):
            return None
        return [
            {
                "id": draft.pk,
                "url": reverse("api:draft-detail", kwargs={"pk": draft.pk}, request=request),
                "kind": draft.kind,
                "status": draft.status,
                "title": str(draft),
            }
            for draft in claim.drafts.all()
        ]


class ClaimInputSerializer(InputSerializer):
    start = serializers.IntegerField(
        required=False, min_value=0, max_value=2**31 - 1, help_text="Offset of the quote; found when not given."
    )
    end = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, help_text="Offset past the quote; found when not given."
    )
    occurrence = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=10_000,
        write_only=True,
        help_text="Which occurrence (1-based) to anchor when the quote occurs more than once.",
    )
    about_on = PartialDateInputField(help_text="The time the claim speaks about.")

    class Meta:
        model = Claim
        fields = [
            "source",
            "quote",
            "start",
            "end",
            "occurrence",
            "statement",
            "modality",
            "attributed_to",
            "speaker",
            "subjects",
            "about_on",
            "credibility",
            "status",
            "review_note",
        ]
        extra_kwargs = {"quote": {"help_text": "The exact words of the source; it must occur in the source text."}}
        validators = []  # the service refuses a second claim on the same anchor, naming the quote

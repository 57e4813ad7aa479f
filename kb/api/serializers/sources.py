"""Sources: list, detail (with text and claims) and input serializers."""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.reverse import reverse

from kb.api.serializers.common import (
    ActorBriefSerializer,
    HyperlinkedIdentityField,
    InputSerializer,
    PartialDateField,
    PartialDateInputField,
    precision_field,
)
from kb.models import Claim, Source
from kb.selectors import visible_claims


class SourceSerializer(serializers.ModelSerializer):
    url = HyperlinkedIdentityField(view_name="api:source-detail")
    article_url = serializers.CharField(
        source="url", read_only=True, help_text="Where the article was published (a URL), or empty when unknown."
    )
    authors = ActorBriefSerializer(many=True, read_only=True)
    published_on = PartialDateField()
    published_on_precision = precision_field()
    claim_count = serializers.IntegerField(read_only=True, help_text="Claims anchored in it (those you may see).")
    public = serializers.BooleanField(
        source="is_public",
        read_only=True,
        help_text="Whether readers who are not editors see it: once an editor accepted one of its claims or "
        "published it. Until then only editors see the source.",
    )
    published_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When it became visible to readers (null while it waits for review)."
    )

    class Meta:
        model = Source
        fields = [
            "id",
            "url",
            "title",
            "subtitle",
            "publisher",
            "byline",
            "authors",
            "published_on",
            "published_on_precision",
            "article_url",
            "kind",
            "reliability",
            "language",
            "sha256",
            "claim_count",
            "public",
            "published_at",
            "created_at",
            "updated_at",
        ]


class SourceClaimSerializer(serializers.ModelSerializer):
    """A claim as it sits in its source: the quote and its offsets into the text."""

    url = HyperlinkedIdentityField(view_name="api:claim-detail")

    class Meta:
        model = Claim
        fields = ["id", "url", "quote", "start", "end", "statement", "modality", "credibility", "status"]


# A source's detail nests its first claims in text order; claims_url lists them all.
NESTED_CLAIMS = 100


class SourceDetailSerializer(SourceSerializer):
    claims = SourceClaimSerializer(
        source="first_claims",
        many=True,
        read_only=True,
        help_text=f"The first {NESTED_CLAIMS} claims anchored in the text, in text order "
        "(`claim_count` says how many there are; `claims_url` lists them all).",
    )
    claims_url = serializers.SerializerMethodField(help_text="Every claim of the source, in text order, page by page.")

    class Meta(SourceSerializer.Meta):
        fields = [*SourceSerializer.Meta.fields, "furniture_note", "text", "claims", "claims_url"]

    def to_representation(self, source: Source) -> dict:
        # The first claims the reader may see, in text order; claims_url lists them all.
        if not hasattr(source, "first_claims"):
            request = self.context.get("request")
            claims = visible_claims(user=getattr(request, "user", None), queryset=source.claims.order_by("start", "pk"))
            source.first_claims = list(claims[:NESTED_CLAIMS])
        return super().to_representation(source)

    def get_claims_url(self, source: Source) -> str:
        return reverse("api:claim-list", request=self.context.get("request")) + f"?source={source.pk}&ordering=start"


class SourceInputSerializer(InputSerializer):
    article_url = serializers.URLField(source="url", required=False, allow_blank=True, max_length=500)
    published_on = PartialDateInputField()
    public = serializers.BooleanField(
        required=False,
        help_text="true publishes the source to readers; false hides it again (refused while a claim of it is "
        "accepted). Accepting a claim publishes its source too.",
    )

    class Meta:
        model = Source
        fields = [
            "title",
            "subtitle",
            "publisher",
            "byline",
            "authors",
            "published_on",
            "article_url",
            "kind",
            "reliability",
            "language",
            "text",
            "furniture_note",
            "public",
        ]
        extra_kwargs = {
            "text": {"help_text": "The full text; it is cleaned, and editing it keeps every claim anchored or fails."}
        }

"""POST /api/v1/ingest/: store an article (file upload or JSON text) and propose claims from it, for editors."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from kb import services
from kb.api.exceptions import service_errors
from kb.api.parsers import BoundedJSONParser
from kb.api.permissions import IsEditor
from kb.api.serializers.common import StrictTextMixin
from kb.api.strict import StrictQueryMixin
from kb.choices import SourceKind
from kb.dates import PARTIAL_DATE_PATTERN


class IngestInputSerializer(StrictTextMixin, serializers.Serializer):
    file = serializers.FileField(
        required=False, help_text="The article as a text or HTML file (multipart/form-data). Or give `text`."
    )
    text = serializers.CharField(
        required=False, trim_whitespace=False, help_text="The article's text or HTML (JSON). Or upload a `file`."
    )
    title = serializers.CharField(max_length=300)
    publisher = serializers.CharField(max_length=200)
    published = serializers.RegexField(
        PARTIAL_DATE_PATTERN,
        max_length=10,
        help_text="Publication date: YYYY-MM-DD, YYYY-MM, YYYY or a decade such as 2020s.",
        error_messages={"invalid": "Give the publication date as YYYY-MM-DD, YYYY-MM, YYYY or a decade such as 2020s."},
    )
    author = serializers.CharField(max_length=300, required=False, allow_blank=True, help_text="The byline.")
    url = serializers.URLField(max_length=500, required=False, allow_blank=True, help_text="Where it was published.")
    kind = serializers.ChoiceField(choices=SourceKind.choices, default=SourceKind.NEWS)

    def validate(self, data):
        if ("file" in data) == ("text" in data):
            raise serializers.ValidationError(
                {"file": ["Give the article either as a file upload or as text, not both."]}
            )
        limit = settings.KB_INGEST_MAX_BYTES
        if "file" in data and data["file"].size > limit:
            raise serializers.ValidationError(
                {"file": [f"The file has {data['file'].size} bytes; the limit is {limit}."]}
            )
        if "text" in data and len(data["text"].encode()) > limit:
            raise serializers.ValidationError({"text": [f"The text is longer than the limit of {limit} bytes."]})
        return data


class IngestTextInputSerializer(IngestInputSerializer):
    """The JSON form of an ingest (for the schema): the article as ``text``; a file needs multipart."""

    file = None
    text = serializers.CharField(trim_whitespace=False, help_text="The article's text or HTML.")


class IngestedSourceSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    url = serializers.SerializerMethodField(help_text="The source in the API.")
    title = serializers.CharField()
    sha256 = serializers.CharField()

    def to_representation(self, source):
        data = super().to_representation(source)
        if self.context.get("request") is None:
            del data["url"]  # a command's summary has no server to point at
        return data

    def get_url(self, source) -> str:
        return reverse("api:source-detail", kwargs={"pk": source.pk}, request=self.context.get("request"))


class ProposedClaimSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    quote = serializers.CharField()
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    modality = serializers.CharField()
    attributed_to = serializers.CharField()
    speaker = serializers.IntegerField(source="speaker_id", allow_null=True, help_text="An actor id.")
    subjects = serializers.SerializerMethodField(help_text="Actor ids.")
    about = serializers.SerializerMethodField(help_text="The time the claim speaks about, as a partial date.")

    def get_subjects(self, claim) -> list[int]:
        return [actor.pk for actor in claim.subjects.all()]

    def get_about(self, claim) -> str | None:
        return str(claim.about) if claim.about else None


class RecognisedActorSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    slug = serializers.CharField()
    name = serializers.CharField()


class ProposedDraftSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    url = serializers.SerializerMethodField(help_text="The draft in the API (editors only).")
    kind = serializers.CharField()
    title = serializers.CharField(source="__str__")
    target = serializers.SerializerMethodField(help_text="The existing record it would change: {type, id}, or null.")

    def to_representation(self, draft):
        data = super().to_representation(draft)
        if self.context.get("request") is None:
            del data["url"]  # a command's summary has no server to point at
        return data

    def get_url(self, draft) -> str:
        return reverse("api:draft-detail", kwargs={"pk": draft.pk}, request=self.context.get("request"))

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {"type": {"type": "string"}, "id": {"type": "integer"}},
        }
    )
    def get_target(self, draft) -> dict | None:
        if draft.target_type_id is None:
            return None
        return {"type": ContentType.objects.get_for_id(draft.target_type_id).model, "id": draft.target_id}


class IngestResultSerializer(serializers.Serializer):
    """The JSON summary of an ingest (``services.IngestResult``), for the API and ``ingest_article --json``."""

    source = IngestedSourceSerializer()
    created = serializers.BooleanField(help_text="False when the same text was already stored: nothing changed.")
    claims = ProposedClaimSerializer(many=True, help_text="The proposed claims.")
    actors = RecognisedActorSerializer(many=True, help_text="Known actors recognised.")
    candidates = serializers.ListField(child=serializers.CharField(), help_text="Names not yet known.")
    drafts = ProposedDraftSerializer(
        many=True, help_text="Draft records proposed from the article (new names among them), for editors to review."
    )


class IngestView(StrictQueryMixin, APIView):
    """Store an article and propose claims from it for review (editors only). The same text twice changes nothing."""

    permission_classes = [IsEditor]
    parser_classes = [MultiPartParser, FormParser, BoundedJSONParser]

    @extend_schema(
        operation_id="ingest",
        request={"multipart/form-data": IngestInputSerializer, "application/json": IngestTextInputSerializer},
        responses={
            201: OpenApiResponse(IngestResultSerializer, description="A new source and its proposed claims."),
            200: OpenApiResponse(IngestResultSerializer, description="The text was already stored; nothing changed."),
        },
    )
    def post(self, request):
        serializer = IngestInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        upload = data.get("file")
        content = upload.read() if upload is not None else data["text"].encode()
        content_field = "file" if upload is not None else "text"
        rename = {"content": content_field, "published_on": "published", "byline": "author"}
        with service_errors(rename):
            result = services.source_ingest(
                user=request.user,
                content=content,
                filename=upload.name if upload is not None else "",
                title=data["title"],
                publisher=data["publisher"],
                published_on=data["published"],
                byline=data.get("author", ""),
                url=data.get("url", ""),
                kind=data["kind"],
            )
        body = IngestResultSerializer(result, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)

"""GET /api/v1/search/?q=: one query across every kind of record, typed, ranked and highlighted."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from kb.api.strict import StrictQueryMixin
from kb.filtersets import NOT_BLANK_PATTERN
from kb.selectors import COUNT_CAP, SEARCH_MAX_LENGTH, SEARCH_TYPES, search_all, search_counts
from kb.web.highlight import highlight

ROUTES = {
    "actor": "api:actor-detail",
    "source": "api:source-detail",
    "claim": "api:claim-detail",
    "relationship": "api:relationship-detail",
    "event": "api:event-detail",
    "agreement": "api:agreement-detail",
    "arms-transfer": "api:arms-transfer-detail",
}


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(max_length=SEARCH_MAX_LENGTH, help_text="What to look for.")
    type = serializers.ListField(
        child=serializers.ChoiceField(choices=SEARCH_TYPES),
        required=False,
        help_text="Only these types (repeat or comma-separate).",
    )
    limit = serializers.IntegerField(required=False, min_value=1, max_value=100, default=20)


class SearchHitSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=SEARCH_TYPES)
    id = serializers.IntegerField()
    url = serializers.URLField(help_text="The record in the API.")
    title = serializers.CharField()
    snippet = serializers.CharField(help_text="HTML: escaped text with <mark> around each hit.")
    rank = serializers.FloatField(help_text="Higher is better: exact titles and names first, then body text.")


class TypeCountSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=SEARCH_TYPES)
    count = serializers.IntegerField(help_text=f"Records of this type that match, counted up to {COUNT_CAP}.")
    more = serializers.BooleanField(help_text="True when more than `count` match.")


class SearchResultSerializer(serializers.Serializer):
    query = serializers.CharField()
    count = serializers.IntegerField(help_text="Hits in `results`.")
    types = TypeCountSerializer(
        many=True,
        help_text="How many records of each type match (whatever `type` and `limit` say); no match, no entry.",
    )
    results = SearchHitSerializer(many=True)


class SearchView(StrictQueryMixin, APIView):
    """Search every kind of record at once; alias-, case-, accent- and hyphen-insensitive."""

    def query_parameters(self) -> list[str]:
        return list(SearchQuerySerializer().fields)  # the query is validated as this serializer

    @extend_schema(
        operation_id="search",
        parameters=[
            OpenApiParameter(
                "q",
                {"type": "string", "minLength": 1, "maxLength": SEARCH_MAX_LENGTH, "pattern": NOT_BLANK_PATTERN},
                required=True,
                description=f"What to look for: not blank, at most {SEARCH_MAX_LENGTH} characters.",
            ),
            OpenApiParameter(
                "type",
                str,
                many=True,
                enum=list(SEARCH_TYPES),
                description="Only these types; repeat the parameter or comma-separate.",
            ),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": 100},
                description="At most this many hits, 1 to 100 (default 20).",
            ),
        ],
        responses={200: SearchResultSerializer},
    )
    def get(self, request):
        params = {"q": request.query_params.get("q", "")}
        types = [t.strip() for raw in request.query_params.getlist("type") for t in raw.split(",") if t.strip()]
        if types:
            params["type"] = types
        if "limit" in request.query_params:
            params["limit"] = request.query_params["limit"]
        query = SearchQuerySerializer(data=params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        types = tuple(data.get("type") or SEARCH_TYPES)
        hits = search_all(user=request.user, q=data["q"], limit=data["limit"], types=types)
        results = [
            {
                "type": hit.type,
                "id": hit.id,
                "url": reverse(ROUTES[hit.type], kwargs={"pk": hit.id}, request=request),
                "title": hit.title,
                "snippet": str(highlight(hit.text, data["q"])),
                "rank": hit.rank,
            }
            for hit in hits
        ]
        counts = [
            {"type": c.type, "count": c.count, "more": c.more} for c in search_counts(user=request.user, q=data["q"])
        ]
        return Response({"query": data["q"], "count": len(results), "types": counts, "results": results})

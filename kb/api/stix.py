"""GET /api/v1/stix/: the knowledge base as STIX 2.1 bundles, a bounded page at a time."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from kb.api.renderers import StixRenderer
from kb.dates import PARTIAL_DATE_OR_EMPTY_PATTERN
from kb.filtersets import SLUG_OR_EMPTY_PATTERN, ActorRefField, ExistingIdsField, KbFilterForm, PartialDateField, as_id
from kb.models import Source
from kb.selectors import is_editor, visible_sources
from kb.selectors.stix import DEFAULT_LIMIT, MAX_LIMIT, SECTIONS, StixFilters, stix_bundle, stix_page

CURSOR_PATTERN = f"^(({'|'.join(SECTIONS)}):[0-9]{{1,18}})?$"
PARAMETERS = ("actor", "date_from", "date_to", "source", "cursor", "limit", "format")


class StixQueryForm(KbFilterForm):
    actor = ActorRefField(required=False)
    date_from = PartialDateField(required=False)
    date_to = PartialDateField(required=False)
    source = ExistingIdsField(required=False, model=Source, visible=visible_sources)
    cursor = forms.CharField(required=False, max_length=40)
    limit = forms.IntegerField(required=False, min_value=1, max_value=MAX_LIMIT)

    def clean_cursor(self) -> tuple[str, int] | None:
        value = self.cleaned_data.get("cursor") or ""
        if not value:
            return None
        section, _, after = value.partition(":")
        if section not in SECTIONS or as_id(after) is None:
            raise forms.ValidationError(
                f'{value[:40]!r} is not a cursor: give the cursor of a Link rel="next" header, '
                "or leave it out to start."
            )
        return section, int(after)


def _cursor_text(cursor: tuple[str, int]) -> str:
    return f"{cursor[0]}:{cursor[1]}"


class StixView(APIView):
    """STIX 2.1 bundles of the knowledge base: actors, relationships, transfers, events, sources and claims.

    Each answer is one page of a walk over the base (or the part the filters choose); the
    `Link` header (rel="next") gives the next page, until there is none.
    """

    renderer_classes = [StixRenderer, JSONRenderer]

    @extend_schema(
        operation_id="stix_bundle",
        parameters=[
            OpenApiParameter(
                "actor",
                {"type": "array", "items": {"type": "string", "pattern": SLUG_OR_EMPTY_PATTERN}, "maxItems": 50},
                description="Only what concerns these actors (ids or slugs, repeated or comma-separated).",
            ),
            OpenApiParameter(
                "date_from",
                {"type": "string", "pattern": PARTIAL_DATE_OR_EMPTY_PATTERN},
                description="Only what overlaps a range starting at this partial date (2023, 2023-09, 2023-09-13): "
                "relationships by validity, transfers and events by their periods, sources by publication.",
            ),
            OpenApiParameter(
                "date_to",
                {"type": "string", "pattern": PARTIAL_DATE_OR_EMPTY_PATTERN},
                description="Only what overlaps a range ending with this partial date.",
            ),
            OpenApiParameter(
                "source",
                {"type": "array", "items": {"type": "integer", "minimum": 0}, "maxItems": 50},
                description="Only these sources (ids) and the records their claims back.",
            ),
            OpenApiParameter(
                "cursor",
                {"type": "string", "pattern": CURSOR_PATTERN},
                description='Where the page starts: copy it from the Link rel="next" header; leave it out to start.',
            ),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
                description=f"Records per page (for sources: claims per page), 1 to {MAX_LIMIT} "
                f"(default {DEFAULT_LIMIT}).",
            ),
        ],
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description='A STIX 2.1 bundle; the Link header (rel="next") gives the next page, if any.',
            )
        },
    )
    def get(self, request):
        unknown = sorted(set(request.query_params) - set(PARAMETERS))
        if unknown:
            raise ValidationError(
                {
                    name: [f"Unknown parameter; this endpoint takes {', '.join(PARAMETERS[:-1])}."]
                    for name in unknown[:10]
                }
            )
        data = {name: request.query_params.getlist(name) for name in ("actor", "source")}
        data.update({name: request.query_params.get(name, "") for name in ("date_from", "date_to", "cursor", "limit")})
        form = StixQueryForm(data=_QueryData(data), user=request.user)
        if not form.is_valid():
            raise ValidationError({name: list(errors) for name, errors in form.errors.items()})
        clean = form.cleaned_data
        filters = StixFilters(
            actors=tuple(clean["actor"]),
            date_from=clean["date_from"],
            date_to=clean["date_to"],
            sources=tuple(clean["source"]),
        )
        limit = clean["limit"] or DEFAULT_LIMIT
        page = stix_page(
            user=request.user,
            base_url=request.build_absolute_uri("/"),
            filters=filters,
            cursor=clean["cursor"],
            limit=limit,
        )
        # The bundle's id follows from what was asked and what the asker may see.
        key = json.dumps([is_editor(request.user), sorted(request.query_params.lists())])
        bundle = json.loads(stix_bundle(page, key=key).serialize())
        headers = {}
        if page.next_cursor is not None:
            query = request.query_params.copy()
            query["cursor"] = _cursor_text(page.next_cursor)
            next_url = request.build_absolute_uri(request.path) + "?" + urlencode(sorted(query.lists()), doseq=True)
            headers["Link"] = f'<{next_url}>; rel="next"'
        return Response(bundle, headers=headers)


class _QueryData(dict):
    """The query as a form reads it: lists for the list fields, one value for the others."""

    def getlist(self, name):
        value = self.get(name)
        return value if isinstance(value, list) else ([] if value in (None, "") else [value])

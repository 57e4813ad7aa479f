"""Viewsets of the REST API: each declares its queryset, serializers, FilterSet, export and services."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response

from kb import filtersets, services
from kb.api import serializers as s
from kb.api.concurrency import ConditionalWriteMixin
from kb.api.exceptions import service_errors
from kb.api.pagination import KbPagination
from kb.api.permissions import IsEditorElseNotFound, IsEditorOrReadOnly
from kb.api.reasons import ReasonSerializer, change_reason
from kb.api.renderers import CSVRenderer, SipriRenderer
from kb.api.strict import StrictQueryMixin, paginator_parameters
from kb.exports import csv_response, sipri_response
from kb.filtersets import SLUG_RE, as_id
from kb.models import (
    Actor,
    Agreement,
    AgreementParty,
    ArmsTransfer,
    Claim,
    ClaimLink,
    Draft,
    Event,
    Provision,
    Relationship,
    Source,
)
from kb.selectors import (
    is_editor,
    visible_claim_count,
    visible_claims,
    visible_evidence,
    visible_links,
    visible_records,
    visible_sources,
)
from kb.selectors.desk import with_targets

# Nested lists are prefetched into attributes of their own (``to_attr``): a plain prefetch
# builds a queryset per row to hold them, which was a third of the time of a page of agreements.
SHOWN_EVIDENCE = "shown_evidence"
BRIEF_ACTOR = ("slug", "name", "kind")  # what ActorBriefSerializer shows


class RecordLookupMixin:
    """A viewset's query parameters and its record lookup, by id or (with ``slug_field``) by slug.

    A URL that cannot name a record, or names none, is a 404 saying which record and what it takes.
    """

    # The field a detail URL may name the record by instead of its id (``/actors/russia/``).
    slug_field = ""

    def query_parameters(self) -> list[str]:
        # Only a list is filtered, ordered and paged; a record's own URL takes nothing but the format.
        if self.action != "list":
            return []
        filters = list(self.filterset_class.base_filters) if self.filterset_class is not None else []
        return [*filters, *paginator_parameters(self.paginator)]

    def get_object(self):
        """The record named in the URL by its id, or by its slug where the model has one."""
        kwarg = self.lookup_url_kwarg or self.lookup_field
        value = str(self.kwargs.get(kwarg, ""))
        name = self.queryset.model._meta.verbose_name
        if as_id(value) is not None:
            named = f"the id “{value}”"
        elif self.slug_field and SLUG_RE.fullmatch(value):
            # Looked up by this view only: the instance's lookup, not the class's.
            self.lookup_url_kwarg, self.lookup_field = kwarg, self.slug_field
            named = f"the slug “{value}”"
        elif self.slug_field:
            raise NotFound(
                f"No {name} has the slug or id “{value[:40]}”: give a slug (letters, digits, -, _) or an id."
            )
        else:
            raise NotFound(f"No {name} has the id “{value[:40]}”: ids are whole numbers.")
        try:
            return super().get_object()
        except Http404 as exc:
            raise NotFound(f"No {name} has {named}.") from exc


class KbViewSet(RecordLookupMixin, StrictQueryMixin, ConditionalWriteMixin, viewsets.ModelViewSet):
    """List, detail and CSV for everyone (within visibility); create, update and delete for editors.

    Subclasses declare ``serializer_class`` (output), optionally ``detail_serializer_class``,
    ``input_serializer_class``, ``filterset_class``, ``export`` (the name of its CSV columns
    in ``kb.exports``) and the services that write: ``create_service(user=…, **fields)``,
    ``update_service(instance, user=…, **fields)`` and ``delete_service(instance, user=…)``.
    """

    permission_classes = [IsEditorOrReadOnly]
    filter_backends = [DjangoFilterBackend]
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer]
    # The schema documents JSON bodies only (kb.api.schema.KbAutoSchema.map_parsers).
    json_bodies = True
    detail_serializer_class = None
    input_serializer_class = None
    export = ""
    reason = ""  # this write's change reason (kb.api.reasons), set once its body is read
    error_field_names: dict[str, str] = {}
    create_service = None
    update_service = None
    delete_service = staticmethod(services.record_delete)
    # Orderings by an actor's name (``?ordering=supplier``: the name they sort by), and the name
    # the list's default order leads with, if any (see ``filter_queryset``).
    name_orderings: dict[str, str] = {}
    default_name_ordering = ""

    def get_renderers(self):
        renderers = super().get_renderers()
        if self.action != "list":
            renderers = [r for r in renderers if not isinstance(r, CSVRenderer)]
        return renderers

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return self.input_serializer_class
        if self.action == "retrieve" and self.detail_serializer_class is not None:
            return self.detail_serializer_class
        return self.serializer_class

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        params = self.request.query_params
        if KbPagination.cursor_query_param in params:
            return queryset  # a cursor walks the primary key
        first = params.get("ordering", "").split(",")[0].strip().lstrip("-")
        name = self.name_orderings.get(first) if first else self.default_name_ordering
        if name:
            # Names are never empty (a database constraint), so this range keeps every row. It lets
            # SQLite's planner, which does not weigh a LIMIT, read a page in name order by walking
            # actors from their name index, instead of sorting every row of the list.
            queryset = queryset.filter(**{f"{name}__gt": ""})
        return queryset

    def list(self, request, *args, **kwargs):
        if getattr(request.accepted_renderer, "format", None) == "csv":
            queryset = self.whole_list(request)
            return csv_response(
                self.export, queryset, user=request.user, filename=self.basename, absolute=request.build_absolute_uri
            )
        return super().list(request, *args, **kwargs)

    def whole_list(self, request):
        """The filtered list a download writes whole; a page or page size given with it is still checked."""
        self.paginator.get_page_size(request)
        # The rows are not paged, so any page number that could be one is taken; others are 404, as on JSON.
        page = request.query_params.get(self.paginator.page_query_param)
        numeric = page is not None and page.isascii() and page.isdigit() and int(page) >= 1
        if page is not None and not numeric and page not in self.paginator.last_page_strings:
            raise NotFound(f"Invalid page {page[:20]!r}: pages count from 1.")
        return self.filter_queryset(self.get_queryset())

    # --- writes: validated input goes to the services ---------------------------

    def _output(self, instance, status_code=status.HTTP_200_OK) -> Response:
        self.action = "retrieve"
        fresh = self.get_queryset().get(pk=instance.pk)
        self.versioned = fresh  # the ETag of a write's answer is the version just written
        serializer_class = self.detail_serializer_class or self.serializer_class
        data = serializer_class(fresh, context=self.get_serializer_context()).data
        # A plain str: DRF's URL is a str subclass, which strict WSGI servers (wsgiref) refuse in a header.
        headers = {"Location": str(data["url"])} if status_code == status.HTTP_201_CREATED else {}
        return Response(data, status=status_code, headers=headers)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.reason = change_reason(request, serializer.validated_data.pop("reason", ""))
        with service_errors(self.error_field_names):
            instance = self.perform_create(serializer)
        return self._output(instance, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=kwargs.pop("partial", False))
        serializer.is_valid(raise_exception=True)
        self.reason = change_reason(request, serializer.validated_data.pop("reason", ""))
        self.check_if_match(instance)  # a bad body is a 400 whatever If-Match says
        with service_errors(self.error_field_names):
            instance = self.perform_update(serializer)
        return self._output(instance)

    def destroy(self, request, *args, **kwargs):
        instance = self.get_object()
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        self.reason = change_reason(request, body.validated_data.get("reason", ""))
        self.check_if_match(instance)
        with service_errors(self.error_field_names):
            self.perform_destroy(instance)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def perform_create(self, serializer):
        return type(self).create_service(user=self.request.user, reason=self.reason, **serializer.validated_data)

    def perform_update(self, serializer):
        return type(self).update_service(
            serializer.instance, user=self.request.user, reason=self.reason, **serializer.validated_data
        )

    def perform_destroy(self, instance) -> None:
        type(self).delete_service(instance, user=self.request.user, reason=self.reason)

    # --- reads -----------------------------------------------------------------

    def evidence(self) -> Prefetch:
        """The evidence of a record, limited to the claims the user may see, as ``shown_evidence``."""
        # Evidence is shown in brief (ClaimBriefSerializer): only those fields are read.
        brief = Claim.objects.only("source", "quote", "statement", "modality", "credibility", "status").order_by("pk")
        return visible_evidence(user=self.request.user, claims=brief, to_attr=SHOWN_EVIDENCE)


class ActorViewSet(KbViewSet):
    """States, people, organisations, facilities and places, with every spelling of their names."""

    queryset = Actor.objects.all()
    serializer_class = s.ActorSerializer
    detail_serializer_class = s.ActorDetailSerializer
    input_serializer_class = s.ActorInputSerializer
    slug_field = "slug"
    filterset_class = filtersets.ActorFilterSet
    export = "actors"
    create_service = staticmethod(services.actor_create)
    update_service = staticmethod(services.actor_update)
    delete_service = staticmethod(services.actor_delete)

    def get_queryset(self):
        # The detail's counts come from actor_related_counts, kept under the data's version.
        return Actor.objects.prefetch_related("aliases")


class RelationshipViewSet(KbViewSet):
    """Statements that one actor stands in a relation to another, with validity dates and evidence."""

    queryset = Relationship.objects.all()
    serializer_class = s.RelationshipSerializer
    input_serializer_class = s.RelationshipInputSerializer
    filterset_class = filtersets.RelationshipFilterSet
    export = "relationships"
    create_service = staticmethod(services.relationship_create)
    update_service = staticmethod(services.relationship_update)
    name_orderings = {"subject": "subject__name", "object": "object__name"}
    default_name_ordering = "subject__name"  # the model's order: subject, predicate, object

    def get_queryset(self):
        queryset = Relationship.objects.select_related("subject", "object").prefetch_related(self.evidence())
        return visible_records(user=self.request.user, queryset=queryset)


class SourceViewSet(KbViewSet):
    """Stored articles; the detail carries the full text and the claims anchored in it."""

    queryset = Source.objects.all()
    serializer_class = s.SourceSerializer
    detail_serializer_class = s.SourceDetailSerializer
    input_serializer_class = s.SourceInputSerializer
    filterset_class = filtersets.SourceFilterSet
    export = "sources"
    error_field_names = {"url": "article_url"}
    create_service = staticmethod(services.source_create)
    update_service = staticmethod(services.source_update)
    delete_service = staticmethod(services.source_delete)

    def get_queryset(self):
        user = self.request.user
        queryset = visible_sources(user=user, queryset=Source.objects.prefetch_related("authors")).annotate(
            claim_count=visible_claim_count(user=user, via="source")
        )
        if self.action == "retrieve":
            return queryset
        return queryset.defer("text")


class ClaimViewSet(KbViewSet):
    """Verbatim quotes anchored to a source, graded and reviewed; non-editors see accepted claims only."""

    queryset = Claim.objects.all()
    serializer_class = s.ClaimSerializer
    detail_serializer_class = s.ClaimDetailSerializer
    input_serializer_class = s.ClaimInputSerializer
    filterset_class = filtersets.ClaimFilterSet
    export = "claims"
    create_service = staticmethod(services.claim_create)
    update_service = staticmethod(services.claim_update)
    delete_service = staticmethod(services.claim_delete)

    def get_queryset(self):
        user = self.request.user
        links = visible_links(user=user, queryset=ClaimLink.objects.order_by("kind", "to_claim_id"))
        queryset = (
            Claim.objects.select_related("source", "speaker", "reviewed_by")
            .defer("source__text", "source__furniture_note")
            .prefetch_related("subjects", Prefetch("links_out", queryset=links))
        )
        if self.action == "retrieve" and is_editor(user):
            drafts = Draft.objects.only("pk", "kind", "status", "title").order_by("pk")
            queryset = queryset.prefetch_related(Prefetch("drafts", queryset=drafts))
        return visible_claims(user=user, queryset=queryset)


class EventViewSet(KbViewSet):
    """Summits, visits, signings, wars…: dates at their real precision, place, participants, evidence."""

    queryset = Event.objects.all()
    serializer_class = s.EventSerializer
    input_serializer_class = s.EventInputSerializer
    slug_field = "slug"
    filterset_class = filtersets.EventFilterSet
    export = "events"
    create_service = staticmethod(services.event_create)
    update_service = staticmethod(services.event_update)

    def get_queryset(self):
        participants = Prefetch("participants", queryset=Actor.objects.only(*BRIEF_ACTOR), to_attr="shown_participants")
        queryset = Event.objects.select_related("place").prefetch_related(participants, self.evidence())
        return visible_records(user=self.request.user, queryset=queryset)


class AgreementViewSet(KbViewSet):
    """Treaties and other agreements: parties and signatories, dates, provisions, evidence."""

    queryset = Agreement.objects.all()
    serializer_class = s.AgreementSerializer
    input_serializer_class = s.AgreementInputSerializer
    slug_field = "slug"
    filterset_class = filtersets.AgreementFilterSet
    export = "agreements"
    create_service = staticmethod(services.agreement_create)
    update_service = staticmethod(services.agreement_update)

    def get_queryset(self):
        brief = [f"{side}__{field}" for side in ("actor", "signatory") for field in BRIEF_ACTOR]
        ladder = [
            f"{step}{part}" for step in ("signed_on", "ratified_on", "in_force_on") for part in ("", "_precision")
        ]
        # Each party's evidence as ids (AgreementPartySerializer): the claims' ids only.
        party_evidence = visible_evidence(
            user=self.request.user, claims=Claim.objects.only("pk").order_by("pk"), to_attr=SHOWN_EVIDENCE
        )
        parties = (
            AgreementParty.objects.select_related("actor", "signatory")
            .only("agreement", "actor", "signatory", *brief, *ladder, "ratification_kind")  # AgreementPartySerializer
            .prefetch_related(party_evidence)
            .order_by("actor__name")
        )
        provisions = Provision.objects.only("agreement", "label", "kind", "summary", "order")
        queryset = Agreement.objects.select_related("signed_place").prefetch_related(
            Prefetch("party_links", queryset=parties, to_attr="shown_parties"),
            Prefetch("provisions", queryset=provisions, to_attr="shown_provisions"),
            self.evidence(),
        )
        return visible_records(user=self.request.user, queryset=queryset)


class ArmsTransferViewSet(KbViewSet):
    """The transfer register: who supplied what to whom, when, how many, and who says so."""

    queryset = ArmsTransfer.objects.all()
    serializer_class = s.ArmsTransferSerializer
    input_serializer_class = s.ArmsTransferInputSerializer
    filterset_class = filtersets.ArmsTransferFilterSet
    export = "arms-transfers"
    create_service = staticmethod(services.transfer_create)
    update_service = staticmethod(services.transfer_update)
    name_orderings = {"supplier": "supplier__name", "recipient": "recipient__name"}
    renderer_classes = [*KbViewSet.renderer_classes, SipriRenderer]

    def get_queryset(self):
        queryset = ArmsTransfer.objects.select_related("supplier", "recipient").prefetch_related(self.evidence())
        return visible_records(user=self.request.user, queryset=queryset)

    def list(self, request, *args, **kwargs):
        if getattr(request.accepted_renderer, "format", None) == "sipri":
            # The whole list in SIPRI's Trade Register layout, which ``import_sipri`` reads back.
            return sipri_response(self.whole_list(request), user=request.user, filename=f"{self.basename}-sipri")
        return super().list(request, *args, **kwargs)


class DraftViewSet(RecordLookupMixin, StrictQueryMixin, viewsets.ReadOnlyModelViewSet):
    """Draft records that ingest or an editor proposed from claims; editors accept or reject them.

    Editors only: a list asked for by anyone else is refused (401/403) and a draft's URL is a 404.
    """

    queryset = Draft.objects.all()
    serializer_class = s.DraftSerializer
    filterset_class = filtersets.DraftFilterSet
    filter_backends = [DjangoFilterBackend]
    permission_classes = [IsEditorElseNotFound]
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer]
    json_bodies = True

    def get_queryset(self):
        if not is_editor(self.request.user):
            return Draft.objects.none()
        drafts = Draft.objects.select_related("created_by", "reviewed_by").prefetch_related(
            Prefetch("claims", queryset=Claim.objects.only("pk").order_by("pk"))
        )
        return with_targets(drafts)

    def _output(self, draft: Draft) -> Response:
        fresh = self.get_queryset().get(pk=draft.pk)
        return Response(self.get_serializer(fresh).data)

    @extend_schema(
        request=s.DraftAcceptSerializer,
        responses={200: OpenApiResponse(s.DraftSerializer, description="The accepted draft, with its record.")},
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None, **kwargs):
        """Accept the draft: its record is created or changed through the services, its claims accepted."""
        draft = self.get_object()
        body = s.DraftAcceptSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        given = body.validated_data
        with service_errors():
            services.draft_accept(
                draft,
                user=request.user,
                note=given.get("note", ""),
                data=given.get("data"),
                actor=given.get("actor"),
                reason=change_reason(request, given.get("reason", "")),
            )
        return self._output(draft)

    @extend_schema(
        request=s.DraftRejectSerializer,
        responses={200: OpenApiResponse(s.DraftSerializer, description="The rejected draft.")},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None, **kwargs):
        """Reject the draft with a note; its claims keep their own review."""
        draft = self.get_object()
        body = s.DraftRejectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        given = body.validated_data
        with service_errors():
            services.draft_reject(
                draft, user=request.user, note=given["note"], reason=change_reason(request, given.get("reason", ""))
            )
        return self._output(draft)


__all__ = [
    "ActorViewSet",
    "AgreementViewSet",
    "ArmsTransferViewSet",
    "ClaimViewSet",
    "DraftViewSet",
    "EventViewSet",
    "RelationshipViewSet",
    "SourceViewSet",
]

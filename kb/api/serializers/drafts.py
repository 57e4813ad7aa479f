"""Draft records (editors only): output, and the bodies of accept and reject."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from kb.api.serializers.common import HyperlinkedIdentityField, ReasonMixin, StrictTextMixin
from kb.filtersets import SLUG_RE, as_id
from kb.models import Actor, Draft

# The API detail of each kind of record a draft targets or makes: (view name, the row's key for it).
RECORD_VIEWS = {
    "actor": ("api:actor-detail", "pk"),
    "event": ("api:event-detail", "pk"),
    "armstransfer": ("api:arms-transfer-detail", "pk"),
    "relationship": ("api:relationship-detail", "pk"),
    "agreementparty": ("api:agreement-detail", "agreement_id"),  # a party is shown in its agreement
}
REFERENCE_SCHEMA = {
    "type": "object",
    "nullable": True,
    "readOnly": True,
    "properties": {
        "type": {"type": "string", "enum": list(RECORD_VIEWS), "description": "The kind of record."},
        "id": {"type": "integer"},
        "url": {"type": "string", "format": "uri", "description": "The record in the API (a party: its agreement)."},
        "title": {"type": "string"},
    },
}
CLAIMS_SCHEMA = {
    "type": "array",
    "readOnly": True,
    "items": {
        "type": "object",
        "properties": {"id": {"type": "integer"}, "url": {"type": "string", "format": "uri"}},
    },
}


@extend_schema_field(REFERENCE_SCHEMA)
class RecordReferenceField(serializers.Field):
    """A generic reference (a draft's target or record) as {type, id, url, title}."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return getattr(instance, self.source)

    def to_representation(self, value):
        if value is None:
            return None
        model_name = value._meta.model_name
        view_name, key = RECORD_VIEWS[model_name]
        url = reverse(view_name, kwargs={"pk": getattr(value, key)}, request=self.context.get("request"))
        return {"type": model_name, "id": value.pk, "url": url, "title": str(value)}


@extend_schema_field(CLAIMS_SCHEMA)
class ClaimRefsField(serializers.Field):
    """The claims a draft comes from, as {id, url}."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return instance

    def to_representation(self, draft):
        request = self.context.get("request")
        return [
            {"id": claim.pk, "url": reverse("api:claim-detail", kwargs={"pk": claim.pk}, request=request)}
            for claim in draft.claims.all()
        ]


class DraftSerializer(serializers.ModelSerializer):
    url = HyperlinkedIdentityField(view_name="api:draft-detail")
    title = serializers.CharField(source="__str__", read_only=True, help_text="What it proposes, in words.")
    claims = ClaimRefsField(help_text="The claims the draft comes from.")
    data = serializers.JSONField(
        read_only=True, help_text="The proposed values, keyed by the service keywords; actors as slugs."
    )
    target = RecordReferenceField(help_text="The existing record the draft would change, if any.")
    target_seen = serializers.JSONField(read_only=True, help_text="The target's values as the draft saw them.")
    record = RecordReferenceField(help_text="What accepting created or changed.")
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    reviewed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    accept_url = serializers.SerializerMethodField(help_text="POST here to accept the draft.")
    reject_url = serializers.SerializerMethodField(help_text="POST here, with a note, to reject it.")

    class Meta:
        model = Draft
        fields = [
            "id",
            "url",
            "kind",
            "status",
            "title",
            "source",
            "claims",
            "data",
            "target",
            "target_seen",
            "record",
            "note",
            "created_by",
            "created_at",
            "reviewed_by",
            "reviewed_at",
            "accept_url",
            "reject_url",
        ]

    def get_accept_url(self, draft) -> str:
        return reverse("api:draft-accept", kwargs={"pk": draft.pk}, request=self.context.get("request"))

    def get_reject_url(self, draft) -> str:
        return reverse("api:draft-reject", kwargs={"pk": draft.pk}, request=self.context.get("request"))


@extend_schema_field({"type": "string", "example": "north-korea"})
class ActorRefInputField(serializers.Field):
    """An existing actor, by id or slug."""

    default_error_messages = {
        "invalid": "Give an actor's id or slug.",
        "missing": "No actor has the id or slug “{value}”.",
    }

    def to_internal_value(self, data) -> Actor:
        text = str(data).strip() if isinstance(data, str | int) and not isinstance(data, bool) else None
        if not text:
            self.fail("invalid")
        pk = as_id(text)
        if pk is not None:
            actor = Actor.objects.filter(pk=pk).first()
        elif SLUG_RE.fullmatch(text):
            actor = Actor.objects.filter(slug=text.lower()).first()
        else:
            self.fail("invalid")
        if actor is None:
            self.fail("missing", value=text[:60])
        return actor

    def to_representation(self, value):
        return value.slug


class DraftAcceptSerializer(ReasonMixin, StrictTextMixin, serializers.Serializer):
    data = serializers.DictField(
        required=False,
        help_text="Values that override the draft's (same keys as its data); leave out to accept it as it is.",
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, help_text="The reviewer's note.")
    actor = ActorRefInputField(
        required=False,
        help_text="An actor draft only: the existing actor (id or slug) the name is an alias of, instead of a new one.",
    )


class DraftRejectSerializer(ReasonMixin, StrictTextMixin, serializers.Serializer):
    note = serializers.CharField(max_length=2000, help_text="Why the draft is rejected.")

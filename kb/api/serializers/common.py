"""Fields and brief forms shared by every serializer of the API."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.relations import MANY_RELATION_KWARGS
from rest_framework.utils import html

from kb.dates import PARTIAL_DATE_OR_EMPTY_PATTERN, PartialDate, too_long_for_a_date
from kb.models import Actor, Agreement, ArmsTransfer, Claim, Event, Source


class _UrlTemplateMixin:
    """Reverse a view name once per request, then fill in each row's key.

    A page of 50 claims links some 250 records; reverse() for each link was half the time
    of serialising the page.
    """

    _MARKER = "9876543210123456789"  # fits <int:pk> and <slug:slug>

    def get_url(self, obj, view_name, request, format):
        if hasattr(obj, "pk") and obj.pk in (None, ""):
            return None
        templates = getattr(request, "_kb_url_templates", None)
        if templates is None:
            templates = {}
            if request is not None:
                request._kb_url_templates = templates
        key = (view_name, self.lookup_url_kwarg, format)
        if key not in templates:
            kwargs = {self.lookup_url_kwarg: self._MARKER}
            templates[key] = self.reverse(view_name, kwargs=kwargs, request=request, format=format).rpartition(
                self._MARKER
            )
        head, _, tail = templates[key]
        return f"{head}{getattr(obj, self.lookup_field)}{tail}"


class HyperlinkedIdentityField(_UrlTemplateMixin, serializers.HyperlinkedIdentityField):
    """The record's own API URL (reversed once per request)."""


class HyperlinkedRelatedField(_UrlTemplateMixin, serializers.HyperlinkedRelatedField):
    """A related record's API URL (reversed once per request)."""


@extend_schema_field({"type": "string", "nullable": True, "example": "2024-06", "readOnly": True})
class PartialDateField(serializers.Field):
    """Output of a partial date ``<name>``: "2024-06-19", "2024-06", "2024" or "2020s" (null when unknown)."""

    def __init__(self, **kwargs):
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, instance) -> str | None:
        date = getattr(instance, self.field_name)
        if date is None:
            return None
        return str(PartialDate(date, getattr(instance, f"{self.field_name}_precision")))


@extend_schema_field(
    {
        "type": "string",
        "nullable": True,
        "maxLength": 10,
        "pattern": PARTIAL_DATE_OR_EMPTY_PATTERN,
        "example": "2024-06",
    }
)
class PartialDateInputField(serializers.Field):
    """Input of a partial date: the precision follows from the form of the value."""

    default_error_messages = {
        "invalid_type": "Give the date as a string: YYYY-MM-DD, YYYY-MM, YYYY or a decade such as 2020s.",
    }

    FORMAT = "A partial date: YYYY-MM-DD, YYYY-MM, YYYY or a decade such as 2020s; empty or null clears it."

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        kwargs["help_text"] = f"{kwargs['help_text']} {self.FORMAT}" if kwargs.get("help_text") else self.FORMAT
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> PartialDate | None:
        if data in ("", None):
            return None
        if not isinstance(data, str):
            self.fail("invalid_type")
        if len(data) > 10:
            raise serializers.ValidationError(too_long_for_a_date(data))
        try:
            return PartialDate.parse(data)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from exc

    def to_representation(self, value) -> str | None:
        return None if value is None else str(value)


def precision_field() -> serializers.CharField:
    return serializers.CharField(read_only=True, help_text="day, month, year or decade; empty when there is no date.")


class ActorBriefSerializer(serializers.ModelSerializer):
    url = HyperlinkedIdentityField(view_name="api:actor-detail")

    class Meta:
        model = Actor
        fields = ["id", "url", "slug", "name", "kind"]


class SourceBriefSerializer(serializers.ModelSerializer):
    url = HyperlinkedIdentityField(view_name="api:source-detail")
    published_on = PartialDateField()

    class Meta:
        model = Source
        fields = ["id", "url", "title", "publisher", "published_on"]


class ClaimBriefSerializer(serializers.ModelSerializer):
    url = HyperlinkedIdentityField(view_name="api:claim-detail")

    class Meta:
        model = Claim
        fields = ["id", "url", "source", "quote", "statement", "modality", "credibility", "status"]


class EventBriefSerializer(serializers.ModelSerializer):
    url = HyperlinkedIdentityField(view_name="api:event-detail")

    class Meta:
        model = Event
        fields = ["id", "url", "slug", "title"]


class AgreementBriefSerializer(serializers.ModelSerializer):
    url = HyperlinkedIdentityField(view_name="api:agreement-detail")

    class Meta:
        model = Agreement
        fields = ["id", "url", "slug", "title"]


class ArmsTransferBriefSerializer(serializers.ModelSerializer):
    url = HyperlinkedIdentityField(view_name="api:arms-transfer-detail")
    title = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = ArmsTransfer
        fields = ["id", "url", "title"]


class RelatedCountSerializer(serializers.Serializer):
    """How many records of one kind relate to an actor, and the list URL that shows them."""

    count = serializers.IntegerField()
    url = serializers.URLField()


class ErrorSerializer(serializers.Serializer):
    """An error: ``detail`` for the request as a whole, or a list of messages under each field at fault."""

    detail = serializers.CharField(required=False)


__all__ = [
    "ActorBriefSerializer",
    "AgreementBriefSerializer",
    "ArmsTransferBriefSerializer",
    "ClaimBriefSerializer",
    "ErrorSerializer",
    "EventBriefSerializer",
    "PartialDateField",
    "PartialDateInputField",
    "RelatedCountSerializer",
    "SourceBriefSerializer",
    "StrictTextMixin",
    "precision_field",
]


class IdListField(serializers.ManyRelatedField):
    """Ids of related records: at most ``KB_API_MAX_IDS``, counted before any id is looked up.

    Each id costs a query; 100,000 of them held a worker past its timeout.
    """

    default_error_messages = {"too_many": "Give at most {limit} ids; {count} were given."}

    def to_internal_value(self, data):
        limit = settings.KB_API_MAX_IDS
        if isinstance(data, list) and len(data) > limit:
            self.fail("too_many", limit=limit, count=len(data))
        return super().to_internal_value(data)


class IdField(serializers.PrimaryKeyRelatedField):
    """A related record by id; with ``many=True`` a bounded list (IdListField)."""

    @classmethod
    def many_init(cls, *args, **kwargs):
        list_kwargs = {key: value for key, value in kwargs.items() if key in MANY_RELATION_KWARGS}
        return IdListField(child_relation=cls(*args, **kwargs), **list_kwargs)


def _takes_text(field) -> bool:
    if isinstance(field, serializers.ChoiceField):
        return all(isinstance(choice, str) for choice in field.choices)
    return isinstance(field, serializers.CharField)


def _json_type(value) -> str:
    return {bool: "true or false", int: "a number", float: "a number"}.get(type(value), type(value).__name__)


class StrictTextMixin:
    """JSON text fields take JSON strings: DRF would read 5 as "5", which the schema does not allow."""

    text_message = "Give text (a JSON string), not {kind}."

    def to_internal_value(self, data):
        if isinstance(data, dict) and not html.is_html_input(data):
            wrong = {}
            for name, field in self.fields.items():
                value = data.get(name)
                if field.read_only or value is None:
                    continue
                if _takes_text(field) and not isinstance(value, str):
                    wrong[name] = [self.text_message.format(kind=_json_type(value))]
                elif isinstance(field, serializers.ListField) and _takes_text(field.child) and isinstance(value, list):
                    for number, item in enumerate(value, 1):
                        if not isinstance(item, str):
                            wrong[name] = [f"item {number}: " + self.text_message.format(kind=_json_type(item))]
                            break
            if wrong:
                raise serializers.ValidationError(wrong)
        return super().to_internal_value(data)


class ReasonMixin:
    """A write's body may say why (``reason``, kb.api.reasons); the view takes it out before calling the service."""

    def get_fields(self):
        from kb.api.reasons import reason_field  # the reasons module builds on this one

        return {**super().get_fields(), "reason": reason_field()}


class InputSerializer(ReasonMixin, StrictTextMixin, serializers.ModelSerializer):
    """Base of the serializers that read a write's body: related records by id, lists bounded.

    A form body reads like JSON: an empty text or choice field that may not be blank is refused
    (DRF would take it as left out, so ``slug=`` made a slug from the name while ``"slug": ""``
    was refused); to have a value made or kept, leave the field out.
    """

    serializer_related_field = IdField
    blank_message = "This field may not be blank: give a value, or leave the field out."

    def to_internal_value(self, data):
        if html.is_html_input(data):
            blank = {
                name: [self.blank_message]
                for name, field in self.fields.items()
                if not field.read_only
                and isinstance(field, serializers.CharField | serializers.ChoiceField)
                and not field.allow_blank
                and name in data
                and not str(data.get(name)).strip()
            }
            if blank:
                raise serializers.ValidationError(blank)
        return super().to_internal_value(data)


class IdListFieldExtension(OpenApiSerializerFieldExtension):
    """The schema states the bound: ``maxItems``."""

    target_class = IdListField

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        return {**schema, "maxItems": settings.KB_API_MAX_IDS}

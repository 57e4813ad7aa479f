"""One FilterSet per model, shared by the REST API and the analyst UI's list pages.

Conventions, the same on every list:

- ``search`` (alias ``q``): alias-, case-, accent- and hyphen-insensitive search
  (see ``kb.selectors.search_filter``).
- ``id``: one or more ids, comma-separated.
- Actor filters (``subject``, ``party``, ``supplier``, ``recipient``, ``actor``…) take an
  actor's numeric id or its slug; several values (repeated or comma-separated) match any.
  An actor that does not exist is an error, not an empty result.
- Choice filters (``kind``, ``status``, ``modality``, ``category``…) take one or more
  values, repeated or comma-separated; an unknown value is an error naming the filter.
- Date ranges take partial dates (``2023``, ``2023-09``, ``2023-09-13``, ``2020s``):
  ``date_from`` starts at the first day of its period and ``date_to`` ends at the last
  day of its period. A record matches when its own period **overlaps** the range, so a
  claim about "2023" matches ``date_from=2023-09&date_to=2023-09`` and one about
  "October 2023" does not. Records without the date never match a date filter, except
  open-ended ones (an actor still existing, a relationship still valid).
- ``ordering``: a field name, ``-`` in front for descending.
"""

from __future__ import annotations

import re

import django_filters as filters
from django import forms
from django.db.models import Q, QuerySet
from drf_spectacular.utils import extend_schema_field

from kb import selectors
from kb.choices import (
    ActorKind,
    AgreementKind,
    AgreementStatus,
    ClaimStatus,
    Credibility,
    DraftKind,
    DraftStatus,
    EventKind,
    Modality,
    ProvisionKind,
    RelationshipPredicate,
    SourceKind,
    SourceReliability,
    TransferCategory,
    TransferStatus,
)
from kb.dates import PARTIAL_DATE_OR_EMPTY_PATTERN, PartialDate, overlap_q, quoted, too_long_for_a_date
from kb.models import Actor, Agreement, AgreementParty, ArmsTransfer, Claim, Draft, Event, Relationship, Source

SLUG_PATTERN = r"^[-a-zA-Z0-9_]{1,200}$"
SLUG_RE = re.compile(SLUG_PATTERN)
SLUG_OR_EMPTY_PATTERN = r"^[-a-zA-Z0-9_]{0,200}$"
MAX_VALUES = 50
MAX_ID = 2**63 - 1
# Text a filter takes: Django's form fields refuse the NUL character.
NO_NUL_PATTERN = "^[^\\x00]*$"
# Text that is not blank once stripped (Python's idea of whitespace, spelled out for JSON Schema), no NUL.
_BLANK = "\\x00\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
NOT_BLANK_PATTERN = f"^[^\\x00]*[^{_BLANK}][^\\x00]*$"
ID_LIST_SCHEMA = {
    "type": "array",
    "items": {"type": "integer", "minimum": 0, "maximum": MAX_ID},
    "maxItems": MAX_VALUES,
}


CREDIBILITY_GRADES = [int(value) for value in Credibility.values]


def text_schema(max_length: int) -> dict:
    """The schema of a text filter: at most ``max_length`` characters, no NUL."""
    return {"type": "string", "maxLength": max_length, "pattern": NO_NUL_PATTERN}


def declared(filter_: filters.Filter, schema: dict) -> filters.Filter:
    """``filter_``, with the schema the API documents for it (its bounds, its values)."""
    return extend_schema_field(schema)(filter_)


class TextFilter(filters.CharFilter):
    """Text of at most ``max_length`` characters, as the schema says."""

    def __init__(self, *args, max_length: int, **kwargs):
        super().__init__(*args, max_length=max_length, **kwargs)
        declared(self, text_schema(max_length))


# --- form fields ------------------------------------------------------------------


def as_id(text: str) -> int | None:
    """``text`` as a record id (a whole number that fits the database), or None."""
    if not text.isascii() or not text.isdigit() or len(text) > 19 or int(text) > MAX_ID:
        return None
    return int(text)


def _split(values) -> list[str]:
    if values in (None, "", [], ()):
        return []
    if isinstance(values, str):
        values = [values]
    out = []
    for value in values:
        out.extend(part.strip() for part in str(value).split(",") if part.strip())
    return out


class ListValue:
    """Mixed into a widget: reads ``?name=a,b`` and ``?name=a&name=b`` alike as the list [a, b]."""

    def value_from_datadict(self, data, files, name) -> list[str]:
        raw = data.getlist(name) if hasattr(data, "getlist") else data.get(name)
        return _split(raw)  # duplicates count towards MAX_VALUES (as the schema's maxItems says), then go

    def value_omitted_from_data(self, data, files, name) -> bool:
        return name not in data


class ListWidget(ListValue, forms.TextInput):
    """A text box holding a list, comma-separated."""

    def format_value(self, value):
        return ",".join(str(v) for v in value) if isinstance(value, list | tuple) else super().format_value(value)


def said(message: str, code: str = "invalid") -> forms.ValidationError:
    """A ValidationError of ``message`` as it is: text quoted from the address may hold a "%", which
    django-filter's API errors would otherwise read as a format (``message % params``)."""
    return forms.ValidationError("%(message)s", code=code, params={"message": message})


class PartialDateField(forms.Field):
    """A partial date: 2023-09-13, 2023-09, 2023 or 2020s."""

    def to_python(self, value) -> PartialDate | None:
        value = (value or "").strip() if isinstance(value, str) else value
        if not value:
            return None
        if len(value) > 10:
            raise said(too_long_for_a_date(value))
        try:
            return PartialDate.parse(value)
        except ValueError as exc:
            raise said(str(exc)) from exc


class MultipleValueField(forms.Field):
    """Several values, given as a repeated parameter or comma-separated."""

    widget = ListWidget

    def to_python(self, value) -> list[str]:
        values = _split(value)
        if len(values) > MAX_VALUES:
            raise forms.ValidationError(f"At most {MAX_VALUES} values are accepted; {len(values)} were given.")
        return list(dict.fromkeys(values))


class ActorRefField(MultipleValueField):
    """Actors by numeric id or slug; cleans to the list of actor ids."""

    def clean(self, value) -> list[int]:
        refs = self.to_python(value)
        if not refs:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        for ref in refs:
            if not SLUG_RE.match(ref):
                raise said(
                    f"{quoted(ref, 60)} is not an actor's id or slug: ids are whole numbers, slugs are letters, "
                    "digits, - and _."
                )
        ids = {as_id(ref) for ref in refs} - {None}
        # Slugs are made lower case: "Russia" finds russia, through the slug's index like "russia".
        slugs = {ref for ref in refs} | {ref.lower() for ref in refs}
        found = list(Actor.objects.filter(Q(pk__in=ids) | Q(slug__in=slugs)).values_list("pk", "slug"))
        known = {str(pk) for pk, _ in found} | {slug for _, slug in found}
        missing = [ref for ref in refs if not {ref, ref.lower(), ref.lstrip("0")} & known]
        if missing:
            listed = ", ".join(quoted(ref, 60) for ref in missing[:5])
            raise said(f"No actor has the id or slug {listed}.", code="invalid_choice")
        return sorted(pk for pk, _ in found)


class IdListField(MultipleValueField):
    """One or more record ids."""

    def clean(self, value) -> list[int]:
        values = self.to_python(value)
        for v in values:
            if as_id(v) is None:
                raise said(f"{quoted(v, 60)} is not an id: ids are whole numbers.")
        return [int(v) for v in values]


class KbFilterForm(forms.Form):
    """Checks that every ``<name>_from`` is not after its ``<name>_to``; ``user`` is who reads (for record ids)."""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, ExistingIdsField):
                field.user = user

    def clean(self):
        data = super().clean()
        for name, value in list(data.items()):
            if not name.endswith("_from") or not isinstance(value, PartialDate):
                continue
            to_name = name[: -len("_from")] + "_to"
            upper = data.get(to_name)
            if isinstance(upper, PartialDate) and value.start > upper.end:
                message = f"“{upper}” comes before the start of the range, “{value}”, so nothing can match."
                self.add_error(to_name, said(message))
        return data


class ExistingIdsField(IdListField):
    """Ids of existing records of ``model`` that the reader may see; an id that names none is an error.

    ``visible`` (a selector such as ``visible_sources``) limits the records to those ``user``
    may see: a hidden record's id is answered as a missing one, so that it says nothing of it.
    The form sets ``user`` (see ``KbFilterForm``); without one, the field checks as for an
    anonymous reader.
    """

    def __init__(self, *args, model=None, visible=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.model = model
        self.visible = visible
        self.user = None

    def clean(self, value) -> list[int]:
        ids = super().clean(value)
        if ids:
            rows = self.model._default_manager.filter(pk__in=ids)
            if self.visible is not None:
                rows = self.visible(user=self.user, queryset=rows)
            found = set(rows.values_list("pk", flat=True))
            missing = [i for i in ids if i not in found]
            if missing:
                name = self.model._meta.verbose_name
                raise forms.ValidationError(f"No {name} has the id {', '.join(map(str, missing[:5]))}.")
        return ids


# --- filters ----------------------------------------------------------------------


@extend_schema_field(
    {
        "type": "array",
        # An empty value filters nothing, as with every filter.
        "items": {"type": "string", "pattern": SLUG_OR_EMPTY_PATTERN, "description": "An actor's id or slug."},
        "maxItems": MAX_VALUES,
    }
)
class ActorRefFilter(filters.Filter):
    """Records related to any of the given actors through any of ``field_names``."""

    field_class = ActorRefField

    def __init__(self, *args, field_names: tuple[str, ...] = (), **kwargs):
        kwargs.setdefault("help_text", "Actor ids or slugs, repeated or comma-separated; any of them matches")
        if field_names and not kwargs.get("field_name"):
            kwargs["field_name"] = field_names[0]
        super().__init__(*args, **kwargs)
        self.field_names = field_names or (self.field_name,)

    def filter(self, qs: QuerySet, value: list[int]) -> QuerySet:
        if not value:
            return qs
        q = Q()
        for name in self.field_names:
            q |= _related_to(qs.model, name, value)
        return qs.filter(q)


def _related_to(model, name: str, actor_ids: list[int]) -> Q:
    """Rows of ``model`` related to any of ``actor_ids`` through ``name``, without joining in the filter.

    A many-to-many field is matched through its link table alone (an index-only lookup), a
    foreign key by its column; other paths by a subquery over the model.
    """
    field = model._meta.get_field(name) if "__" not in name else None
    if field is not None and field.many_to_many and not field.auto_created:
        links = field.remote_field.through._default_manager.filter(
            **{f"{field.m2m_reverse_field_name()}__in": actor_ids}
        )
        return Q(pk__in=links.values(field.m2m_field_name()))
    if field is not None and field.many_to_one:
        return Q(**{f"{name}__in": actor_ids})
    return Q(pk__in=model._default_manager.filter(**{f"{name}__in": actor_ids}).values("pk"))


def choice_error(choices) -> str:
    """What is said of a value that is none of ``choices``: the value and every choice, plainly."""
    listed = ", ".join(str(value) for value, _label in choices)
    return f"“%(value)s” is not one of the choices: {listed}."


class PartyStepFilter(ActorRefFilter):
    """Agreements in which any of the given actors is a party that has taken ``step`` (its date is recorded)."""

    def __init__(self, *args, step: str, **kwargs):
        super().__init__(*args, field_name="parties", **kwargs)
        self.step = step

    def filter(self, qs: QuerySet, value: list[int]) -> QuerySet:
        if not value:
            return qs
        # Read through the index on (actor, step): one actor's parties that took the step.
        parties = AgreementParty.objects.filter(actor_id__in=value, **{f"{self.step}__isnull": False})
        return qs.filter(pk__in=parties.values("agreement_id"))


class MultipleChoiceFilter(filters.MultipleChoiceFilter):
    """Choices given repeated or comma-separated; any of them matches."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", ListWidget)
        kwargs.setdefault("error_messages", {"invalid_choice": choice_error(kwargs.get("choices", ()))})
        # A choice on the row itself cannot duplicate rows; DISTINCT over whole rows is costly at scale.
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "string", "pattern": PARTIAL_DATE_OR_EMPTY_PATTERN, "example": "2023-09"})
class PeriodFilter(filters.Filter):
    """One bound of a date range, matched by overlap with a record's partial-date period.

    ``bound="from"`` keeps records whose period ends on or after the first day of the
    value; ``bound="to"`` keeps those whose period starts on or before its last day. A
    record's period runs from ``start_field`` to the end of ``end_field`` (or of
    ``start_field`` when the record has no end). ``open_ended`` records (a missing start or
    end meaning "unbounded") also match on the missing side.
    """

    field_class = PartialDateField

    def __init__(self, *args, bound: str, end_field: str = "", open_ended: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.bound, self.end_field, self.open_ended = bound, end_field, open_ended

    def filter(self, qs: QuerySet, value: PartialDate | None) -> QuerySet:
        if value is None:
            return qs
        start_field = self.field_name
        if self.bound == "to":
            q = Q(**{f"{start_field}__lte": value.end})
            if self.open_ended:
                q |= Q(**{f"{start_field}__isnull": True})
            return qs.filter(q)
        if not self.end_field:
            return qs.filter(overlap_q(start_field, start=value.start))
        end_missing = Q(**{f"{self.end_field}__isnull": True})
        q = overlap_q(self.end_field, start=value.start)
        if self.open_ended:
            q |= end_missing
        else:
            q |= end_missing & overlap_q(start_field, start=value.start)
        return qs.filter(q)


def _periods(start_field: str, *, end_field: str = "", open_ended: bool = False, label: str = "", short: str) -> tuple:
    """The ``…_from`` and ``…_to`` filters of a period; ``short`` names them ("Period" → "Period from", "Period to")."""
    what = label or start_field
    return (
        PeriodFilter(
            field_name=start_field,
            bound="from",
            end_field=end_field,
            open_ended=open_ended,
            label=f"{short} from",
            help_text=f"{what} overlaps a range starting at this partial date (2023, 2023-09, 2023-09-13)",
        ),
        PeriodFilter(
            field_name=start_field,
            bound="to",
            end_field=end_field,
            open_ended=open_ended,
            label=f"{short} to",
            help_text=f"{what} overlaps a range ending with this partial date (2023, 2023-09, 2023-09-13)",
        ),
    )


class GradeAtLeastFilter(filters.ChoiceFilter):
    """Grades as good as the given one or better (Admiralty grades: 1 and A are best)."""

    def __init__(self, *args, grades: list, **kwargs):
        self.grades = [str(grade) for grade in grades]
        kwargs.setdefault("error_messages", {"invalid_choice": choice_error([(g, g) for g in self.grades])})
        super().__init__(*args, choices=[(grade, grade) for grade in self.grades], **kwargs)

    def filter(self, qs: QuerySet, value) -> QuerySet:
        if value in (None, ""):
            return qs
        return qs.filter(**{f"{self.field_name}__in": self.grades[: self.grades.index(str(value)) + 1]})


@extend_schema_field(ID_LIST_SCHEMA)
class IdFilter(filters.Filter):
    field_class = IdListField

    def filter(self, qs: QuerySet, value: list[int]) -> QuerySet:
        return qs.filter(pk__in=value) if value else qs


@extend_schema_field(ID_LIST_SCHEMA)
class RecordIdsFilter(filters.Filter):
    """Rows whose ``field_name`` is any of the given record ids (which must exist)."""

    field_class = ExistingIdsField

    def filter(self, qs: QuerySet, value: list[int]) -> QuerySet:
        return qs.filter(**{f"{self.field_name}__in": value}) if value else qs


class OrderingFilter(filters.OrderingFilter):
    """``ordering``: one of the list's sort keys, ``-`` in front for descending; anything else is a readable error."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", "Sort by")
        super().__init__(*args, **kwargs)
        keys = ", ".join(self.param_map)
        self.extra["error_messages"] = {
            "invalid_choice": f"“%(value)s” is not a way to sort this list: give one of {keys} "
            "(with - in front for descending)."
        }

    @property
    def keys(self) -> tuple[str, ...]:
        """The names the list sorts by, as ``?ordering=`` takes them (ascending)."""
        return tuple(self.param_map)


class KbFilterSet(filters.FilterSet):
    """What every kb FilterSet shares: ``id``, ``search``/``q`` and the form that checks ranges."""

    id = IdFilter(field_name="id", label="Ids", help_text="One or more ids, repeated or comma-separated")
    search = TextFilter(
        method="filter_search",
        max_length=selectors.SEARCH_MAX_LENGTH,
        label="Search",
        help_text="Search: alias-, case-, accent- and hyphen-insensitive",
    )
    q = TextFilter(
        method="filter_search", max_length=selectors.SEARCH_MAX_LENGTH, label="Search", help_text="Same as search"
    )

    class Meta:
        form = KbFilterForm

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None, form_class=None) -> None:
        super().__init__(data, queryset, request=request, prefix=prefix)
        # A list page draws the same filters its own way (labels, widgets) with a subclass of Meta.form.
        self.form_class = form_class or self._meta.form
        if not issubclass(self.form_class, self._meta.form):
            raise TypeError(f"{self.form_class.__name__} must subclass {self._meta.form.__name__}.")

    def get_form_class(self) -> type[forms.Form]:
        fields = {name: filter_.field for name, filter_ in self.filters.items()}
        return type(f"{type(self).__name__}Form", (self.form_class,), fields)

    @property
    def form(self) -> forms.Form:
        if not hasattr(self, "_form"):
            form_class = self.get_form_class()
            user = getattr(self.request, "user", None)
            data = (self.data,) if self.is_bound else ()
            self._form = form_class(*data, prefix=self.form_prefix, user=user)
        return self._form

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if not value or not value.strip():
            return queryset
        return selectors.search_filter(queryset=queryset, q=value)


class ActorFilterSet(KbFilterSet):
    kind = MultipleChoiceFilter(choices=ActorKind.choices)
    country_code = TextFilter(field_name="country_code", max_length=2, help_text="ISO 3166-1 alpha-2 code")
    slug = TextFilter(max_length=200, help_text="The actor's slug")
    date_from, date_to = _periods("start_on", end_field="end_on", open_ended=True, label="Existence", short="Existence")
    # ?ordering=name sorts with accents and case folded (Actor.sort_name), through its index.
    ordering = OrderingFilter(fields=[("sort_name", "name"), "kind", "country_code", "start_on", "created_at", "id"])

    class Meta(KbFilterSet.Meta):
        model = Actor
        fields = []


class RelationshipFilterSet(KbFilterSet):
    predicate = MultipleChoiceFilter(choices=RelationshipPredicate.choices)
    subject = ActorRefFilter(field_name="subject")
    object = ActorRefFilter(field_name="object")
    actor = ActorRefFilter(field_names=("subject", "object"), help_text="Subject or object")
    date_from, date_to = _periods(
        "valid_from", end_field="valid_until", open_ended=True, label="Validity", short="Valid"
    )
    ordering = OrderingFilter(
        fields=[("subject__name", "subject"), "predicate", ("object__name", "object"), "valid_from", "id"]
    )

    class Meta(KbFilterSet.Meta):
        model = Relationship
        fields = []


class SourceFilterSet(KbFilterSet):
    kind = MultipleChoiceFilter(choices=SourceKind.choices)
    reliability = MultipleChoiceFilter(choices=SourceReliability.choices)
    reliability_at_least = GradeAtLeastFilter(
        field_name="reliability",
        grades=SourceReliability.values,
        help_text="Reliability this grade or better (A is best)",
    )
    publisher = TextFilter(
        field_name="publisher", lookup_expr="iexact", max_length=200, help_text="The publisher's name (any case)"
    )
    author = ActorRefFilter(field_name="authors")
    date_from, date_to = _periods("published_on", label="Publication date", short="Published")
    ordering = OrderingFilter(fields=["published_on", "title", "publisher", "created_at", "id"])

    class Meta(KbFilterSet.Meta):
        model = Source
        fields = []


class ClaimFilterSet(KbFilterSet):
    source = RecordIdsFilter(
        field_name="source",
        model=Source,
        visible=selectors.visible_sources,
        help_text="Source ids, repeated or comma-separated",
    )
    status = MultipleChoiceFilter(choices=ClaimStatus.choices)
    modality = MultipleChoiceFilter(choices=Modality.choices)
    credibility = declared(
        MultipleChoiceFilter(
            choices=[(str(v), label) for v, label in Credibility.choices],
            help_text="Credibility grades, 1 (confirmed) to 6 (cannot be judged), repeated or comma-separated",
        ),
        {"type": "integer", "enum": CREDIBILITY_GRADES},  # each value of the list
    )
    credibility_at_least = declared(
        GradeAtLeastFilter(
            field_name="credibility",
            grades=Credibility.values,
            help_text="Credibility this grade or better (1 is best)",
        ),
        {"type": "integer", "enum": CREDIBILITY_GRADES},
    )
    subject = ActorRefFilter(field_name="subjects")
    speaker = ActorRefFilter(field_name="speaker")
    actor = ActorRefFilter(field_names=("subjects", "speaker"), help_text="Subject or speaker")
    date_from, date_to = _periods("about_on", label="The time the claim speaks about", short="Date")
    published_from, published_to = _periods(
        "source__published_on", label="The source's publication date", short="Published"
    )
    ordering = OrderingFilter(
        fields=[
            ("source__published_on", "published_on"),
            "about_on",
            "credibility",
            "status",
            "modality",
            "created_at",
            "start",
            "id",
        ]
    )

    class Meta(KbFilterSet.Meta):
        model = Claim
        fields = []


class EventFilterSet(KbFilterSet):
    kind = MultipleChoiceFilter(choices=EventKind.choices)
    participant = ActorRefFilter(field_name="participants")
    place = ActorRefFilter(field_name="place")
    actor = ActorRefFilter(field_names=("participants", "place"), help_text="Participant or place")
    date_from, date_to = _periods("start_on", end_field="end_on", label="The event's dates", short="Date")
    ordering = OrderingFilter(fields=["start_on", "title", "kind", "created_at", "id"])

    class Meta(KbFilterSet.Meta):
        model = Event
        fields = []


class AgreementFilterSet(KbFilterSet):
    kind = MultipleChoiceFilter(choices=AgreementKind.choices)
    status = MultipleChoiceFilter(choices=AgreementStatus.choices)
    party = ActorRefFilter(field_name="parties")
    ratified_by = PartyStepFilter(
        step="ratified_on",
        label="Parties (ids or slugs) with a ratification, accession, acceptance or approval recorded; any matches",
    )
    in_force_for = PartyStepFilter(
        step="in_force_on",
        label="Parties (ids or slugs) for which the agreement's entry into force is recorded; any matches",
    )
    signatory = ActorRefFilter(field_name="party_links__signatory")
    signed_place = ActorRefFilter(field_name="signed_place")
    provision_kind = MultipleChoiceFilter(field_name="provisions__kind", choices=ProvisionKind.choices, distinct=True)
    date_from, date_to = _periods("signed_on", label="Signing date", short="Signed")
    in_force_from, in_force_to = _periods("in_force_on", label="Entry into force", short="In force")
    ordering = OrderingFilter(fields=["signed_on", "in_force_on", "title", "status", "created_at", "id"])

    class Meta(KbFilterSet.Meta):
        model = Agreement
        fields = []


class ArmsTransferFilterSet(KbFilterSet):
    supplier = ActorRefFilter(field_name="supplier")
    recipient = ActorRefFilter(field_name="recipient")
    actor = ActorRefFilter(field_names=("supplier", "recipient"), help_text="Supplier or recipient")
    category = MultipleChoiceFilter(choices=TransferCategory.choices)
    status = MultipleChoiceFilter(choices=TransferStatus.choices)
    date_from, date_to = _periods("start_on", end_field="end_on", label="The transfer period", short="Period")
    reported_from, reported_to = _periods("reported_on", label="When it was reported", short="Reported")
    ordering = OrderingFilter(
        fields=[
            "start_on",
            "reported_on",
            ("supplier__name", "supplier"),
            ("recipient__name", "recipient"),
            "category",
            "status",
            "quantity_high",
            "created_at",
            "id",
        ]
    )

    class Meta(KbFilterSet.Meta):
        model = ArmsTransfer
        fields = []


class DraftFilterSet(KbFilterSet):
    """Draft records (editors only): by status, kind, source and the claims they come from."""

    status = MultipleChoiceFilter(choices=DraftStatus.choices)
    kind = MultipleChoiceFilter(choices=DraftKind.choices)
    source = RecordIdsFilter(field_name="source", model=Source, help_text="Source ids, repeated or comma-separated")
    claim = RecordIdsFilter(
        field_name="claims", model=Claim, method="filter_claim", help_text="Claim ids, repeated or comma-separated"
    )
    ordering = OrderingFilter(fields=["created_at", "reviewed_at", "kind", "status", "id"])

    class Meta(KbFilterSet.Meta):
        model = Draft
        fields = []

    def filter_claim(self, queryset: QuerySet, name: str, value: list[int]) -> QuerySet:
        if not value:
            return queryset
        # Through the link table: a draft of several of the claims is listed once, without DISTINCT.
        linked = Draft.claims.through.objects.filter(claim_id__in=value).values("draft_id")
        return queryset.filter(pk__in=linked)

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        words = value.split()
        for word in words[:10]:
            queryset = queryset.filter(title__icontains=word)
        return queryset


FILTERSETS = {
    Actor: ActorFilterSet,
    Relationship: RelationshipFilterSet,
    Source: SourceFilterSet,
    Claim: ClaimFilterSet,
    Event: EventFilterSet,
    Agreement: AgreementFilterSet,
    ArmsTransfer: ArmsTransferFilterSet,
}

"""Forms that read the analyst UI's GET parameters; invalid values become friendly messages.

A list page filters through its model's FilterSet (``kb.filtersets``, shared with the API)
and draws that FilterSet's own form: the classes here only say which filters a page
offers, in what order, and how each is labelled and drawn.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable

from django import forms
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from kb.choices import ActorKind, ClaimStatus, Modality
from kb.dates import PartialDate
from kb.errors import error_lines
from kb.filtersets import ActorRefField, KbFilterForm, ListValue, ListWidget
from kb.selectors import MAX_ACTORS, SEARCH_MAX_LENGTH, SEARCH_TYPES, period_bounds, search_pattern
from kb.selectors.watch import CHANGE_TYPES, parse_cursor

SEARCH_TYPE_CHOICES = [(kind, kind.replace("-", " ").capitalize()) for kind in SEARCH_TYPES]


class ReaderForm(forms.Form):
    """Which claims the reader highlights: by modality, review status and subject (none chosen: all)."""

    modality = forms.MultipleChoiceField(
        label="Modality",
        choices=Modality.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "“%(value)s” is not a modality; choose among the ones listed."},
    )
    status = forms.MultipleChoiceField(
        label="Review status",
        choices=ClaimStatus.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "“%(value)s” is not a review status; choose among the ones listed."},
    )
    subject = forms.ChoiceField(
        label="About",
        required=False,
        error_messages={
            "invalid_choice": "No claim in this article is about “%(value)s”; choose one of the actors listed."
        },
    )
    focus = forms.IntegerField(label="Claim shown", required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, data, *, subjects: list[tuple[str, str]]) -> None:
        super().__init__(data)
        self.fields["subject"].choices = [("", "Any actor"), *subjects]


GRAPH_TOP = 40  # actors drawn when the address does not say
GRAPH_MAX = MAX_ACTORS


class GraphForm(forms.Form):
    kind = forms.MultipleChoiceField(
        label="Actor kinds", choices=ActorKind.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    show = forms.MultipleChoiceField(
        label="Links",
        choices=[
            ("relationships", "Relationships"),
            ("transfers", "Arms transfers"),
            ("agreements", "Agreements"),
        ],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    top = forms.IntegerField(
        label="Actors",
        required=False,
        min_value=1,
        max_value=GRAPH_MAX,
        error_messages={
            "min_value": f"The picture holds from 1 to {GRAPH_MAX} actors.",
            "max_value": f"The picture holds from 1 to {GRAPH_MAX} actors.",
        },
    )
    actor = ActorRefField(label="Around actors", required=False)
    depth = forms.TypedChoiceField(
        label="Depth",
        choices=[(1, "neighbours"), (2, "neighbours and theirs")],
        coerce=int,
        required=False,
        empty_value=1,
        error_messages={
            "invalid_choice": "The depth is 1 (the actors’ neighbours) or 2 (their neighbours too), not %(value)s."
        },
    )

    def clean(self):
        data = super().clean()
        around, top = data.get("actor") or [], data.get("top") or GRAPH_TOP
        if len(around) > top:
            self.add_error("actor", f"{len(around)} actors were chosen; the picture holds {top}.")
        return data


class SearchForm(forms.Form):
    """The search page's parameters: the query, its facet filters and the order; all in the address."""

    q = forms.CharField(label="Search", required=False, max_length=200)
    type = forms.ChoiceField(label="Type", required=False, choices=[("", "Every type"), *SEARCH_TYPE_CHOICES])
    modality = forms.ChoiceField(label="Modality", required=False, choices=[("", "Any"), *Modality.choices])
    source = forms.IntegerField(label="Source", required=False, min_value=1)
    period = forms.CharField(label="Date", required=False, max_length=10)
    sort = forms.ChoiceField(
        label="Sort", required=False, choices=[("", "Relevance"), ("relevance", "Relevance"), ("date", "Date")]
    )

    def clean_period(self) -> tuple | None:
        raw = self.cleaned_data["period"].strip()
        if not raw:
            return None
        bounds = period_bounds(raw)
        if bounds is None:
            raise forms.ValidationError(f"“{raw}” is not a period: give a year such as 2024 or a decade such as 2020s.")
        return (raw, *bounds)


class SearchFeedForm(forms.Form):
    """A saved search's feed: the words to watch for, required, and checked as the search page checks them."""

    q = forms.CharField(
        label="Search",
        max_length=SEARCH_MAX_LENGTH,
        error_messages={"required": "A search feed needs a query: add ?q= and the words to watch for."},
    )

    def clean_q(self) -> str:
        q = self.cleaned_data["q"]
        if search_pattern(q) is None:
            raise forms.ValidationError(f"“{q[:40]}” holds no letter or digit to search for.")
        return q


def form_problems(form: forms.Form) -> list[str]:
    """One readable sentence per invalid parameter, naming it as the page labels it."""
    labels = {name: form[name].label for name in form.fields}
    return error_lines(form.errors, labels=labels)


# --- list pages' filter forms ---------------------------------------------------------


class ListSelect(ListValue, forms.Select):
    """A menu for a filter that takes several values: it reads the parameter as the API does."""

    any_label = "Any"


class ActorSelect(ListSelect):
    """A menu of actors by slug; the page offers the actors (``FilterForm.offer_actors``).

    Its options are written here rather than through one template per option: a menu holds
    a hundred actors at scale, and the template engine took 3 ms a menu to draw them.
    """

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "\n",
            '  <option value="{}"{}>{}</option>',
            (
                (option["value"], mark_safe(" selected") if option["selected"] else "", option["label"])
                for _group, group_options, _index in widget["optgroups"]
                for option in group_options
            ),
        )
        return format_html('<select name="{}"{}>\n{}\n</select>', widget["name"], flatatt(widget["attrs"]), options)


class HiddenList(ListWidget):
    input_type = "hidden"


class DateInput(forms.TextInput):
    """A partial date: 2023, 2023-09 or 2023-09-13."""

    def __init__(self, placeholder: str) -> None:
        super().__init__(attrs={"placeholder": placeholder, "size": 8, "maxlength": 10})


class FilterForm(KbFilterForm):
    """A FilterSet's form as a list page draws it (``kb/partials/filter_form.html``).

    The fields, what they accept and what they say about bad values stay the FilterSet's;
    a subclass declares ``shown`` (the filters the page offers, in order), their ``labels``
    and ``widgets``, and ``kept``: filters the page sets elsewhere (facets, say), carried
    over hidden when the form is sent.
    """

    shown: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()
    labels: dict[str, str] = {}
    widgets: dict[str, forms.Widget] = {}

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", "f-%s")
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for name, label in self.labels.items():
            self.fields[name].label = label
        for name, widget in self.widgets.items():
            self._draw(name, copy.deepcopy(widget))
        for name in self.kept:
            self._draw(name, HiddenList() if isinstance(self.fields[name].widget, ListValue) else forms.HiddenInput())

    def _draw(self, name: str, widget: forms.Widget) -> None:
        field = self.fields[name]
        # The page must read a parameter exactly as the API does: a list stays a list, a value a value.
        if isinstance(widget, ListValue) != isinstance(field.widget, ListValue):
            raise TypeError(f"The widget of “{name}” must read the parameter as {type(field.widget).__name__} does.")
        widget.attrs.update(field.widget_attrs(widget))
        if isinstance(widget, ListSelect) and not isinstance(widget, ActorSelect):
            widget.choices = [("", widget.any_label), *field.choices]
        field.widget = widget

    def offer_actors(self, actors: Iterable[tuple[str, str]]) -> None:
        """The actors the page's actor menus list, as (slug, name): shown by name, sent by slug."""
        choices = [("", ActorSelect.any_label), *actors]
        for field in self.fields.values():
            if isinstance(field.widget, ActorSelect):
                field.widget.choices = choices

    def filtering(self) -> bool:
        """Whether the address gives any filter a value (a page with no rows then says "no match")."""
        return any(self[name].data not in (None, "", []) for name in self.fields)

    def shown_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.shown]

    def kept_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.kept if self[name].value()]


FROM, TO = DateInput(placeholder="2023"), DateInput(placeholder="2024-06")


class ActorFilterForm(FilterForm):
    shown = ("q",)
    kept = ("kind", "country_code")
    labels = {"q": "Name or alias"}
    widgets = {"q": forms.SearchInput()}


class SourceFilterForm(FilterForm):
    shown = ("kind", "reliability", "date_from", "date_to", "q")
    labels = {"kind": "Kind", "reliability": "Reliability", "date_from": "From", "date_to": "To", "q": "Text"}
    widgets = {
        "kind": ListSelect(),
        "reliability": ListSelect(),
        "date_from": FROM,
        "date_to": TO,
        "q": forms.SearchInput(attrs={"placeholder": "e.g. Lowy"}),
    }


class AgreementFilterForm(FilterForm):
    shown = ("kind", "status", "date_from", "date_to", "q")
    labels = {"kind": "Kind", "status": "Status", "date_from": "Signed from", "date_to": "To", "q": "Text"}
    widgets = {
        "kind": ListSelect(),
        "status": ListSelect(),
        "date_from": FROM,
        "date_to": TO,
        "q": forms.SearchInput(attrs={"placeholder": "e.g. treaty"}),
    }


class TransferFilterForm(FilterForm):
    shown = ("supplier", "recipient", "category", "status", "date_from", "date_to", "q")
    labels = {
        "supplier": "Supplier",
        "recipient": "Recipient",
        "category": "Category",
        "status": "Status",
        "date_from": "From",
        "date_to": "To",
        "q": "Text",
    }
    widgets = {
        "supplier": ActorSelect(),
        "recipient": ActorSelect(),
        "category": ListSelect(),
        "status": ListSelect(),
        "date_from": FROM,
        "date_to": TO,
        "q": forms.SearchInput(attrs={"placeholder": "e.g. KN-23"}),
    }


class EventFilterForm(FilterForm):
    shown = ("kind", "date_from", "date_to", "q")
    labels = {"kind": "Kind", "date_from": "From", "date_to": "To", "q": "Text"}
    widgets = {
        "kind": ListSelect(),
        "date_from": FROM,
        "date_to": TO,
        "q": forms.SearchInput(attrs={"placeholder": "e.g. summit"}),
    }


# --- the changes page -----------------------------------------------------------------


class ChangesForm(forms.Form):
    """``/changes/``: changes since a date, of some record types, involving an actor, from a place in the list."""

    since = forms.CharField(label="Since", required=False, max_length=10)
    actor = ActorRefField(label="Actor", required=False)
    type = forms.MultipleChoiceField(
        label="Record types", required=False, choices=[], widget=forms.CheckboxSelectMultiple
    )
    before = forms.CharField(required=False, max_length=80, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [(t.key, t.label.capitalize()) for t in CHANGE_TYPES]

    def clean_since(self):
        value = self.cleaned_data["since"].strip()
        if not value:
            return default_since()
        try:
            start = PartialDate.parse(value).start
        except ValueError:
            raise forms.ValidationError(
                f"“{value}” is not a date: write a year (2026), a month (2026-11) or a day (2026-11-30)."
            ) from None
        return dt.datetime.combine(start, dt.time.min, tzinfo=dt.UTC)

    def clean_before(self):
        value = self.cleaned_data["before"].strip()
        if not value:
            return None
        try:
            return parse_cursor(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


CHANGES_DEFAULT_DAYS = 30  # /changes/ without ?since= lists the last month


def default_since() -> dt.datetime:
    return timezone.now() - dt.timedelta(days=CHANGES_DEFAULT_DAYS)

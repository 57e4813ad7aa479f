"""The review desk's forms: which part of the queue an editor works through, and one decision on one claim."""

from __future__ import annotations

from django import forms
from django.http import QueryDict

from kb.choices import ClaimStatus, Credibility, DraftKind, Modality
from kb.dates import PartialDate, too_long_for_a_date
from kb.filtersets import MAX_ID, ActorRefField
from kb.selectors.desk import ORDERS
from kb.services.drafts import FIELDS

# An input that takes actors' slugs: desk.js offers names from the API's actor search.
ACTOR_INPUT = {"list": "desk-actors", "data-autocomplete": "actors", "autocomplete": "off"}
DECISIONS = {
    "accept": ClaimStatus.ACCEPTED,
    "reject": ClaimStatus.REJECTED,
    "dispute": ClaimStatus.DISPUTED,
    "skip": None,
}
# The kinds of record an editor drafts from a claim, as a list names them: every kind but a new name.
DRAFT_FROM_CLAIM_KINDS = [(kind, label.lower()) for kind, label in DraftKind.choices if kind != DraftKind.ACTOR]
# The longest date an editor types: "the first half of the 1990s" is not one, "September 2025" is.
DATE_MAX_LENGTH = 40


class QueueForm(forms.Form):
    """The part of the queue the desk works through and where it stands; all of it kept in the address."""

    source = forms.IntegerField(label="Source", required=False, min_value=1, max_value=MAX_ID)
    subject = ActorRefField(label="About", required=False)
    order = forms.ChoiceField(
        label="Order",
        required=False,
        choices=[("oldest", "Oldest first"), ("newest", "Newest first")],
        error_messages={"invalid_choice": "“%(value)s” is not an order: choose oldest or newest."},
    )
    after = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)
    claim = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)

    def clean_order(self) -> str:
        return self.cleaned_data.get("order") or ORDERS[0]

    def kept(self, **changes) -> str:
        """The address's query of the filters and order (no place in the queue), with ``changes``."""
        query = QueryDict(mutable=True)
        data = getattr(self, "cleaned_data", {})
        if data.get("source"):
            query["source"] = data["source"]
        if self.data.get("subject") and "subject" not in self.errors:
            query["subject"] = self.data.get("subject")
        if data.get("order") and data["order"] != ORDERS[0]:
            query["order"] = data["order"]
        for name, value in changes.items():
            if value in (None, ""):
                query.pop(name, None)
            else:
                query[name] = value
        return query.urlencode()


class DecisionForm(forms.Form):
    """An editor's decision on one claim, with the fields they corrected on the way and a note."""

    decision = forms.ChoiceField(
        choices=[(name, name) for name in DECISIONS],
        error_messages={"invalid_choice": "“%(value)s” is not a decision: accept, reject, dispute or skip."},
    )
    statement = forms.CharField(label="Paraphrase", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    modality = forms.ChoiceField(label="Modality", choices=Modality.choices)
    about = forms.CharField(
        label="Speaks about",
        required=False,
        max_length=DATE_MAX_LENGTH,
        help_text="A year, a month or a day (2025, March 2025, 2025-03-14) or a decade.",
    )
    subjects = ActorRefField(label="Subjects", required=False, help_text="Actors’ slugs, comma-separated.")
    speaker = ActorRefField(label="Speaker", required=False, help_text="An actor’s slug, or empty.")
    attributed_to = forms.CharField(label="Attributed to", required=False, max_length=200)
    credibility = forms.TypedChoiceField(label="Credibility", choices=Credibility.choices, coerce=int)
    note = forms.CharField(
        label="Note", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), strip=True
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for name in ("subjects", "speaker"):
            self.fields[name].widget.attrs.update(ACTOR_INPUT)
        self.fields["about"].widget.attrs.update({"placeholder": "March 2025", "aria-describedby": "about-help"})

    def clean_about(self) -> PartialDate | None:
        value = self.cleaned_data["about"].strip()
        if not value:
            return None
        try:
            return PartialDate.parse_human(value)
        except ValueError as exc:
            if len(value) > DATE_MAX_LENGTH:
                raise forms.ValidationError(too_long_for_a_date(value)) from exc
            raise forms.ValidationError(str(exc)) from exc

    def clean_speaker(self) -> list[int]:
        speaker = self.cleaned_data["speaker"]
        if len(speaker) > 1:
            raise forms.ValidationError("A claim has one speaker; give one actor’s slug.")
        return speaker

    @property
    def status(self) -> str | None:
        return DECISIONS[self.cleaned_data["decision"]]

    def needs_confirmation(self, credibility_unset: int = Credibility.CANNOT_BE_JUDGED) -> list[str]:
        """What an accept leaves unset (no paraphrase, no credibility), unless already confirmed."""
        data = self.cleaned_data
        if data["decision"] != "accept" or data.get("confirm"):
            return []
        missing = []
        if not data.get("statement", "").strip():
            missing.append("it has no paraphrase")
        if data.get("credibility") == credibility_unset:
            missing.append("its credibility is “6: truth cannot be judged”")
        return missing


# --- draft records ---------------------------------------------------------------------------

# How each type of a draft's value is typed in: text boxes, but a list of choices for a choice.
_DRAFT_HELP = {
    "actor": "An actor’s slug.",
    "actors": "Actors’ slugs, comma-separated.",
    "agreement": "An agreement’s slug.",
    "date": "2025, March 2025, 2025-03-14 or a decade.",
    "country": "ISO code, e.g. RU or KP.",
}


class DraftForm(forms.Form):
    """A draft record's values as the editor corrects them, drawn from the draft kind's fields; and a note.

    Cleans to the ``data`` overrides ``draft_accept`` takes (dates typed as people write them are
    read here; the service checks the rest and names the value it refuses). An actor draft also
    takes ``alias_of``: the existing actor the name belongs to, instead of a new one.
    """

    decision = forms.ChoiceField(
        choices=[("accept", "accept"), ("reject", "reject")],
        error_messages={"invalid_choice": "“%(value)s” is not a decision on a draft: accept or reject."},
    )
    note = forms.CharField(label="Note", required=False, max_length=2000)

    def __init__(self, *args, draft, **kwargs):
        kwargs.setdefault("prefix", f"draft{draft.pk}")
        kwargs.setdefault("label_suffix", "")
        if not args and "data" not in kwargs:
            kwargs.setdefault("initial", self.initial_from(draft, FIELDS[draft.kind]))
        super().__init__(*args, **kwargs)
        self.draft = draft
        self.specs = FIELDS[draft.kind]
        self.value_names = []
        for key, spec in self.specs.items():
            if key == "mentions":
                continue
            label = key.replace("_", " ").capitalize()
            if spec.type == "choice":
                field = forms.ChoiceField(label=label, required=False, choices=[("", "—"), *spec.choices.choices])
            elif spec.type == "bool":
                field = forms.BooleanField(label=label, required=False)
            else:
                widget = forms.Textarea(attrs={"rows": 2}) if spec.max_length > 300 else forms.TextInput()
                if spec.type in ("actor", "actors"):
                    widget.attrs.update(ACTOR_INPUT)
                field = forms.CharField(
                    label=label, required=False, widget=widget, help_text=_DRAFT_HELP.get(spec.type, "")
                )
            field.required_by_record = spec.required
            self.fields[key] = field
            self.value_names.append(key)
        if draft.kind == "actor":
            self.fields["alias_of"] = ActorRefField(
                label="Or a name of",
                required=False,
                help_text="An existing actor’s slug: the name becomes its alias instead of a new actor.",
            )
            self.fields["alias_of"].widget.attrs.update(ACTOR_INPUT)
            self.value_names.append("alias_of")

    @staticmethod
    def initial_from(draft, specs) -> dict:
        initial = {}
        for key, value in (draft.data or {}).items():
            if key not in specs:
                continue
            initial[key] = ", ".join(value) if isinstance(value, list) else value
        return initial

    def value_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.value_names]

    def clean(self):
        data = super().clean()
        for key, spec in self.specs.items():
            if key not in self.fields or key not in data:
                continue
            value = data[key]
            if spec.type == "date" and isinstance(value, str) and value.strip():
                try:
                    data[key] = str(PartialDate.parse_human(value.strip()))
                except ValueError as exc:
                    self.add_error(key, str(exc))
            elif spec.type == "actors" and isinstance(value, str):
                data[key] = [part.strip() for part in value.split(",") if part.strip()]
        if len(data.get("alias_of") or []) > 1:
            self.add_error("alias_of", "A name belongs to one actor; give one actor’s slug.")
        return data

    def overrides(self) -> dict:
        """The values to accept the draft with (every value of the kind, empty ones included to clear them)."""
        return {key: self.cleaned_data.get(key) for key in self.specs if key in self.fields}

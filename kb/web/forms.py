"""Forms that read the analyst UI's GET parameters; invalid values become friendly messages."""

from __future__ import annotations

from django import forms

from kb.choices import ActorKind
from kb.errors import error_lines


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


class SearchForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=200)


def form_problems(form: forms.Form) -> list[str]:
    """One readable sentence per invalid parameter, naming it as the page labels it and as the address spells it."""
    labels = {name: f"{field.label or name} (“{name}”)" for name, field in form.fields.items()}
    return error_lines(form.errors, labels=labels)

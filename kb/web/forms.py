"""Forms that read the analyst UI's GET parameters; invalid values become friendly messages."""

from __future__ import annotations

from django import forms

from kb.choices import ActorKind


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
    """One readable sentence per invalid parameter, naming it."""
    messages = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        prefix = f"{label or name} (“{name}”): " if name != "__all__" else ""
        for error in errors:
            messages.append(f"{prefix}{error}")
    return messages

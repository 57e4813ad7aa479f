"""Partial dates in the admin: one text field that reads dates as people write them, and columns that say them so.

A partial date is two columns (``<name>`` and ``<name>_precision``, see ``kb.dates``). In the
admin it is one text input: an editor types "June 2024", "19 June 2024", "2024" or "the 1990s";
the field cleans it to a ``PartialDate`` and the service stores both columns. A form shows the
stored value as ``PartialDate.display()`` says it, and so do the lists.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import capfirst

from kb.dates import HOW_TO_WRITE_HUMAN, PartialDate

EXAMPLES = "2024, June 2024, 19 June 2024, the 1990s"


class PartialDateInput(forms.TextInput):
    """A text input showing a PartialDate as people say it ("June 2024")."""

    def __init__(self, attrs=None):
        super().__init__({"placeholder": "e.g. June 2024", "size": 22, "class": "kb-partial-date", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, PartialDate):
            return value.display()
        return super().format_value(value)


class PartialDateField(forms.Field):
    """A partial date typed as text; cleans to a ``PartialDate`` (``None`` when left empty)."""

    widget = PartialDateInput
    default_error_messages = {"invalid": HOW_TO_WRITE_HUMAN}

    def to_python(self, value) -> PartialDate | None:
        if isinstance(value, PartialDate):
            return value
        if value is None or not str(value).strip():
            return None
        try:
            return PartialDate.parse_human(str(value))
        except ValueError as exc:
            raise ValidationError(str(exc), code="invalid") from exc


def partial_date_names(model: type[models.Model]) -> tuple[str, ...]:
    return tuple(getattr(model, "partial_dates", ()))


def partial_date_of(obj: models.Model, name: str) -> PartialDate | None:
    """The partial date ``name`` of ``obj`` (a record or one of its historical versions)."""
    date = getattr(obj, name, None)
    return PartialDate.from_fields(date, getattr(obj, f"{name}_precision", "")) if date is not None else None


class PartialDateForm(forms.ModelForm):
    """A ModelForm whose partial dates start from the stored date and precision together."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in partial_date_names(self._meta.model):
            if name in self.fields and self.instance.pk is not None and name not in (kwargs.get("initial") or {}):
                self.initial[name] = partial_date_of(self.instance, name)

    def _post_clean(self) -> None:
        # Django's model validation (an inline's rows) reads the two columns: give it those,
        # then hand the PartialDate back to whoever calls the service.
        partials = {
            name: self.cleaned_data[name] for name in partial_date_names(self._meta.model) if name in self.cleaned_data
        }
        for name, partial in partials.items():
            self.cleaned_data[name] = partial.date if partial is not None else None
            setattr(self.instance, f"{name}_precision", partial.precision if partial is not None else "")
        try:
            super()._post_clean()
        finally:
            self.cleaned_data.update(partials)


def partial_date_column(model: type[models.Model], name: str) -> Callable[[models.Model], str]:
    """A changelist column showing the partial date ``name`` as people say it, sortable by its date."""
    label = capfirst(model._meta.get_field(name).verbose_name)

    @admin.display(description=label, ordering=name)
    def column(obj: models.Model) -> str | None:
        partial = partial_date_of(obj, name)
        return partial.display() if partial is not None else None

    column.__name__ = name
    return column


class PartialDateAdminMixin:
    """Mix into a ModelAdmin or an inline: its partial dates are one ``PartialDateField`` each, lists say them."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in partial_date_names(self.model):
            help_text = db_field.help_text if db_field.help_text != "First day of the period named." else ""
            return PartialDateField(
                label=capfirst(db_field.verbose_name),
                required=False,
                help_text=" ".join(filter(None, [help_text, f"As you would write it: {EXAMPLES}."])),
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_list_display(self, request):
        names = partial_date_names(self.model)
        shown = []
        for item in super().get_list_display(request):
            if isinstance(item, str) and item.endswith("_precision") and item.removesuffix("_precision") in names:
                continue  # said by the date's own column
            shown.append(partial_date_column(self.model, item) if item in names else item)
        return shown

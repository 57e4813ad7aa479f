"""Changelist filters on relations with many rows: the value is chosen by typing, with Django's own autocomplete.

Django's ``RelatedFieldListFilter`` lists every related row (10,000 actors at scale) and its
``RelatedOnlyFieldListFilter`` reads every row of the list to find the ones in use. This filter
renders the admin's ``AutocompleteSelect`` instead: the browser asks the admin's autocomplete
view for matches as the editor types (the related admin's ``search_fields`` and permissions), and
choosing one reloads the list with the same parameter the related filter uses
(``source__id__exact=12``), so links made for it keep working. It needs no third-party package:
the widget, select2 and the JSON view ship with Django.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import get_last_value_from_parameters, get_model_from_relation
from django.contrib.admin.widgets import AutocompleteSelect

from kb.filtersets import as_id


class AutocompleteFilter(admin.FieldListFilter):
    """Filter by one related record, found by typing any of its names."""

    template = "admin/kb/autocomplete_filter.html"

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.lookup_kwarg = f"{field_path}__{field.target_field.name}__exact"
        self.lookup_val = get_last_value_from_parameters(params, self.lookup_kwarg)
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = getattr(field, "verbose_name", None) or get_model_from_relation(field)._meta.verbose_name
        self.admin_site = model_admin.admin_site
        self.related_model = get_model_from_relation(field)

    def expected_parameters(self):
        return [self.lookup_kwarg]

    def has_output(self) -> bool:
        return True

    def get_facet_counts(self, pk_attname, filtered_qs) -> dict:
        return {}  # a count per related record would read every row of the list: none is shown

    def choices(self, changelist):
        # The template shows the widget; "All" clears the choice.
        yield {
            "selected": self.lookup_val is None,
            "query_string": changelist.get_query_string(remove=[self.lookup_kwarg]),
            "display": "All",
        }

    def widget(self) -> str:
        """The autocomplete select, holding the chosen record (one query, for that record only)."""
        field = forms.ModelChoiceField(
            queryset=self.related_model._default_manager.all(),
            required=False,
            widget=AutocompleteSelect(
                self.field,
                self.admin_site,
                attrs={"class": "kb-autocomplete-filter", "data-width": "100%", "aria-label": f"By {self.title}"},
            ),
        )
        value = as_id(self.lookup_val or "")  # a number too big for an id chooses nothing
        return field.widget.render(self.lookup_kwarg, value)

    @classmethod
    def media(cls, model_admin) -> forms.Media:
        """What a changelist with such filters loads: the admin's autocomplete, and the script that applies a choice."""
        fields = [
            model_admin.model._meta.get_field(spec[0])
            for spec in model_admin.list_filter
            if isinstance(spec, tuple) and issubclass(spec[1], cls)
        ]
        if not fields:
            return forms.Media()
        return AutocompleteSelect(fields[0], model_admin.admin_site).media + forms.Media(
            js=["admin/js/vendor/jquery/jquery.js", "admin/js/jquery.init.js", "kb/autocomplete_filter.js"]
        )

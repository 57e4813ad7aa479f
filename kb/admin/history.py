"""The admin's history page made readable: whole values, word-level diffs, dates and choices as people say them."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from typing import Any

from django.contrib.admin.utils import display_for_value
from django.db import models
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper

from kb.admin.dates import partial_date_names, partial_date_of

_TOKENS = re.compile(r"\S+\s*|\s+")  # a word with the spaces after it
EMPTY = mark_safe('<span class="kb-diff-empty">(empty)</span>')


def word_diff(old: str, new: str) -> tuple[SafeString, SafeString]:
    """The whole of ``old`` and ``new`` as HTML: words only in ``old`` in <del>, words only in ``new`` in <ins>."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    # Words are compared without the spaces after them: "abroad." at the end is "abroad. " inside.
    matcher = difflib.SequenceMatcher(None, [t.rstrip() for t in a], [t.rstrip() for t in b], autojunk=False)
    before, after = [], []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        removed, added = "".join(a[i1:i2]), "".join(b[j1:j2])
        if tag == "equal":
            before.append(escape(removed))
            after.append(escape(added))
            continue
        if removed:
            before.append(format_html("<del>{}</del>", removed))
        if added:
            after.append(format_html("<ins>{}</ins>", added))
    return mark_safe("".join(before)), mark_safe("".join(after))


class ReadableHistory(HistoricalRecordContextHelper):
    """What one version changed: each field once, whole, with a partial date as one field ("June 2024")."""

    def context_for_delta_changes(self, delta) -> list[dict[str, Any]]:
        partial_dates = partial_date_names(self.model)
        rows, seen = [], set()
        for change in delta.changes:
            name = change.field.removesuffix("_precision")
            if name in partial_dates:
                if name not in seen:
                    seen.add(name)
                    rows.append(self._partial_date_row(delta, name))
                continue
            formatted = self.format_delta_change(change)
            rows.append({"field": formatted.field, "old": formatted.old, "new": formatted.new})
        return rows

    def _partial_date_row(self, delta, name: str) -> dict[str, Any]:
        old, new = (partial_date_of(record, name) for record in (delta.old_record, delta.new_record))
        return {
            "field": capfirst(self.model._meta.get_field(name).verbose_name),
            "old": old.display() if old is not None else EMPTY,
            "new": new.display() if new is not None else EMPTY,
        }

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if field.choices and not isinstance(field, models.ManyToManyField):
            return dict(field.flatchoices).get(value, value)
        return super().prepare_delta_change_value(change, value)

    def stringify_delta_change_values(self, change, old, new) -> tuple[SafeString, SafeString]:
        old_text, new_text = (self._text(value) for value in (old, new))
        if not old_text or not new_text:
            return (escape(old_text) if old_text else EMPTY), (escape(new_text) if new_text else EMPTY)
        field = self.model._meta.get_field(change.field)
        if isinstance(field, models.CharField | models.TextField) and not field.choices:
            return word_diff(old_text, new_text)
        return escape(old_text), escape(new_text)

    @staticmethod
    def _text(value: Any) -> str:
        if value is None or (isinstance(value, DeletedObject) and value.pk is None):
            return ""  # an empty foreign key comes as a "deleted" object with no primary key
        if isinstance(value, dt.date | dt.time):
            return display_for_value(value, "")  # as the admin's lists show it, in the site's time zone
        if isinstance(value, list):
            return ", ".join(str(item) for item in value)
        return str(value)

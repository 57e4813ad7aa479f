"""Admin machinery that routes every save and delete through kb.services.

Forms here only clean their input; they never touch the instance. The admin then calls
a service with the cleaned values. A service that refuses (``ValidationError``) rolls the
whole request back, and the form is shown again with the service's messages on the
fields they name (``kb.admin.refusals``), so nothing is half-written and nothing ends in
a server error.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import flatten_fieldsets, quote
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from simple_history.admin import SimpleHistoryAdmin
from simple_history.utils import get_m2m_reverse_field_name

from kb import services
from kb.admin.dates import PartialDateAdminMixin, PartialDateForm
from kb.admin.filters import AutocompleteFilter
from kb.admin.history import ReadableHistory
from kb.admin.refusals import ShowRefusals
from kb.errors import error_line, messages_by_field
from kb.selectors import last_change, record_version
from kb.services.base import REASON_LENGTH

# Django's messages put a record's name in quotes (“<a>name</a>”); a name that brings its own
# (a claim is its quote, “…”) would be quoted twice.
_DOUBLY_QUOTED = re.compile(r"“(<a [^>]*>)?“(.*?)”(</a>)?”", re.DOTALL)
VERSION_FIELD = "kb_version"
REASON_FIELD = "change_reason"


class ServiceForm(PartialDateForm):
    """A ModelForm that cleans its fields and leaves writing, and model validation, to the services.

    A change form also carries, hidden, the version of the record it was loaded with
    (``selectors.record_version``); saving over someone else's newer change is refused.
    """

    kb_version = forms.CharField(required=False, widget=forms.HiddenInput)
    change_reason = forms.CharField(
        label="Reason for this change",
        required=False,
        max_length=REASON_LENGTH,
        widget=forms.TextInput(attrs={"size": 80}),
        help_text=f"Optional: why, in a few words (at most {REASON_LENGTH} characters). Kept in the history.",
    )
    service_refusal: ValidationError | None = None  # set by kb.admin.refusals when a service refused this save

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if VERSION_FIELD in self.fields and self.instance.pk is not None:
            # A past version (revert) is checked against the record as it is now.
            live = self.instance
            if hasattr(live, "_history"):
                live = type(live)._default_manager.filter(pk=live.pk).first()
            self.fields[VERSION_FIELD].initial = record_version(live) if live is not None else ""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        loaded = cleaned.get(VERSION_FIELD)
        if self.instance.pk is None or not loaded:
            return cleaned  # an add form, or a form posted without a version: no check
        # Locked until the request's transaction ends, so two saves cannot both pass the check.
        current = type(self.instance)._default_manager.select_for_update().filter(pk=self.instance.pk).first()
        if current is not None and loaded != record_version(current):
            who, when = last_change(current)
            at = f" on {when:%Y-%m-%d at %H:%M:%S} UTC" if when else ""
            what = current._meta.verbose_name
            raise ValidationError(
                f"This {what} was changed by {who}{at}, after you opened it. Your changes were not saved, so as "
                f"not to overwrite theirs: open the {what} again to see the current version, then redo your changes."
            )
        return cleaned

    def _post_clean(self) -> None:
        # No construct_instance() and no full_clean(): the services validate and save.
        if self.service_refusal is not None:
            for field, found in messages_by_field(self.service_refusal).items():
                self.add_error(field if field in self.fields else None, found)


def restore_historical_m2m(obj: models.Model | None) -> None:
    """Give a past version (``history.instance``) the many-to-many values it had then, not today's."""
    historical = getattr(obj, "_history", None)
    if historical is None:
        return
    cache = obj.__dict__.setdefault("_prefetched_objects_cache", {})
    for field in getattr(historical, "_history_m2m_fields", ()):
        target = get_m2m_reverse_field_name(field)
        ids = getattr(historical, field.name).values_list(f"{target}_id", flat=True)
        cache[field.name] = field.related_model._default_manager.filter(pk__in=list(ids))


def model_field_names(model: type[models.Model]) -> set[str]:
    return {f.name for f in model._meta.get_fields() if f.concrete or f.many_to_many} - {"id"}


class ServiceAdmin(PartialDateAdminMixin, ShowRefusals, SimpleHistoryAdmin):
    """A ModelAdmin whose writes go through services, with history, diffs and revert."""

    form = ServiceForm
    save_on_top = True
    object_history_list_template = "admin/kb/object_history_list.html"

    @property
    def media(self):
        return super().media + AutocompleteFilter.media(self)

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableHistory(self.model, historical_record)

    def message_user(self, request, message, *args, **kwargs):
        fixed = _DOUBLY_QUOTED.sub(lambda m: f"“{m[1] or ''}{m[2]}{m[3] or ''}”", str(message))
        if fixed != str(message):
            message = mark_safe(fixed) if isinstance(message, SafeString) else fixed  # it was safe: only quotes moved
        super().message_user(request, message, *args, **kwargs)

    # --- the services; subclasses name theirs --------------------------------------

    def service_create(self, request, fields: dict[str, Any]) -> models.Model:
        return services.record_create(self.model, user=request.user, **fields)

    def service_update(self, request, instance: models.Model, fields: dict[str, Any]) -> models.Model:
        return services.record_update(instance, user=request.user, **fields)

    def service_delete(self, request, instance: models.Model) -> None:
        services.record_delete(instance, user=request.user)

    def service_fields(self, request, form: forms.ModelForm, change: bool) -> dict[str, Any]:
        """The cleaned values that are fields of the model."""
        names = model_field_names(self.model)
        return {name: value for name, value in form.cleaned_data.items() if name in names}

    # --- saving --------------------------------------------------------------------

    def get_form(self, request, obj=None, change=False, **kwargs):
        restore_historical_m2m(obj)
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        shown = flatten_fieldsets(fieldsets)
        if REASON_FIELD not in shown:
            # Last, where the editor is about to save.
            fieldsets.append((None, {"fields": [REASON_FIELD], "classes": ["kb-change-reason"]}))
        if obj is None or VERSION_FIELD in shown:
            return fieldsets
        # The hidden version rides in the first fieldset, so every change form carries it.
        (name, options), *rest = fieldsets
        return [(name, {**options, "fields": [*options["fields"], VERSION_FIELD]}), *rest]

    def change_reason(self, request, form, obj) -> str:
        """The reason recorded with this save: the editor's, and for a revert, which version it went back to."""
        typed = form.cleaned_data.get(REASON_FIELD, "").strip()
        historical = getattr(obj, "_history", None)
        if historical is None:
            return typed
        by = f" by {historical.history_user}" if historical.history_user else ""
        when = timezone.localtime(historical.history_date)
        reverted = f"Reverted to the version of {when:%Y-%m-%d %H:%M:%S %Z}{by}"
        return f"{reverted}: {typed}" if typed else reverted  # the service shortens it for history

    def save_form(self, request, form, change):
        form.save_m2m = lambda: None  # many-to-many values go to the service with the rest
        return form.instance

    def save_model(self, request, obj, form, change):
        fields = self.service_fields(request, form, change)
        reason = self.change_reason(request, form, obj)
        if reason:
            fields["reason"] = reason
        if change:
            current = self.model._default_manager.select_for_update().filter(pk=obj.pk).first()
            if current is None:
                raise ValidationError(f"{self.model._meta.verbose_name.capitalize()} #{obj.pk} no longer exists.")
            saved = self.service_update(request, current, fields)
        else:
            saved = self.service_create(request, fields)
        # The admin goes on with ``obj`` (log entry, redirect, inlines): make it the saved row.
        obj.__dict__.update(saved.__dict__)

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        inline = getattr(formset, "service_inline", None)
        if inline is None:
            raise ValidationError(f"{formset.model._meta.verbose_name_plural} cannot be edited here.")
        # The rows changed with the record are kept in history with the record's reason.
        inline.save_formset(request, formset, reason=self.change_reason(request, form, form.instance))

    # --- deleting ------------------------------------------------------------------

    def delete_model(self, request, obj):
        self.service_delete(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.service_delete(request, obj)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ValidationError as exc:
            self.message_user(request, error_line(exc), messages.ERROR)
            opts = self.model._meta
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(object_id)])
            return HttpResponseRedirect(url)


class ServiceInline(PartialDateAdminMixin):
    """An inline whose rows are written by services: mix in before an InlineModelAdmin."""

    form = PartialDateForm

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.service_inline = self
        return formset

    def service_create(self, request, parent: models.Model, fields: dict[str, Any]) -> models.Model:
        return services.record_create(self.model, user=request.user, **fields)

    def service_update(self, request, instance: models.Model, fields: dict[str, Any]) -> models.Model:
        return services.record_update(instance, user=request.user, **fields)

    def service_delete(self, request, instance: models.Model) -> None:
        services.record_delete(instance, user=request.user)

    def save_formset(self, request, formset, reason: str = "") -> None:
        names = model_field_names(self.model) - {formset.fk.name}
        parent = formset.instance
        # What BaseModelFormSet.save() would record, for the admin's change message.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for form in formset.forms:
            if not form.has_changed() and form not in formset.deleted_forms:
                continue
            instance = form.instance
            try:
                if form in formset.deleted_forms:
                    if instance.pk:
                        self.service_delete(request, self.model._default_manager.get(pk=instance.pk))
                        formset.deleted_objects.append(instance)
                    continue
                fields = {name: value for name, value in form.cleaned_data.items() if name in names}
                if reason:
                    fields["reason"] = reason
                if instance.pk:
                    saved = self.service_update(request, self.model._default_manager.get(pk=instance.pk), fields)
                    formset.changed_objects.append((saved, form.changed_data))
                else:
                    saved = self.service_create(request, parent, {formset.fk.name: parent, **fields})
                    formset.new_objects.append(saved)
            except ValidationError as exc:
                what = self.model._meta.verbose_name.capitalize()
                raise ValidationError({NON_FIELD_ERRORS: [f"{what}: {error_line(exc)}"]}) from exc


class ServiceTabularInline(ServiceInline, admin.TabularInline):
    extra = 0
    show_change_link = True  # each row's own page has its history


class ServiceStackedInline(ServiceInline, admin.StackedInline):
    extra = 0
    show_change_link = True


def clamped(text: str, title: str = "") -> str:
    """A changelist cell's text, clamped to a few lines by kb/admin.css; hovering shows ``title`` (or the text)."""
    return format_html('<span class="kb-clamp" title="{}">{}</span>', title or text, text)


def selected_ids(request) -> list[str]:
    return request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)

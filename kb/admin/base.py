"""Admin machinery that routes every save and delete through kb.services.

Forms here only clean their input; they never touch the instance. The admin then calls
a service with the cleaned values. A service that refuses (``ValidationError``) rolls the
whole request back, and the form is shown again with the service's messages on the
fields they name, so nothing is half-written and nothing ends in a server error.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import flatten_fieldsets, quote
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin
from simple_history.utils import get_m2m_reverse_field_name

from kb import services
from kb.errors import error_line, messages_by_field
from kb.selectors import last_change, record_version

_ERRORS_ATTR = "_kb_service_errors"


VERSION_FIELD = "kb_version"


class ServiceForm(forms.ModelForm):
    """A ModelForm that cleans its fields and leaves writing, and model validation, to the services.

    A change form also carries, hidden, the version of the record it was loaded with
    (``selectors.record_version``), so that saving over someone else's newer change is refused.
    """

    kb_version = forms.CharField(required=False, widget=forms.HiddenInput)
    service_errors: dict[str, list[str]] = {}
    loaded_version = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if VERSION_FIELD in self.fields:
            self.fields[VERSION_FIELD].initial = self.loaded_version

    def _post_clean(self) -> None:
        # No construct_instance() and no full_clean(): the services validate and save.
        for field, found in self.service_errors.items():
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


class ServiceAdmin(SimpleHistoryAdmin):
    """A ModelAdmin whose writes go through services, with history, diffs and revert."""

    form = ServiceForm
    save_on_top = True

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
        form = super().get_form(request, obj, change=change, **kwargs)
        extra = {}
        found = getattr(request, _ERRORS_ATTR, None)
        if found:
            extra["service_errors"] = found
        if obj is not None and obj.pk is not None:
            # A past version (revert) is checked against the record as it is now.
            live = self.model._default_manager.filter(pk=obj.pk).first() if hasattr(obj, "_history") else obj
            extra["loaded_version"] = record_version(live) if live is not None else ""
        if extra:
            form = type(form.__name__, (form,), extra)
        return form

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or VERSION_FIELD in flatten_fieldsets(fieldsets):
            return fieldsets
        # The hidden version rides in the first fieldset, so every change form carries it.
        (name, options), *rest = fieldsets
        return [(name, {**options, "fields": [*options["fields"], VERSION_FIELD]}), *rest]

    def check_version(self, request, form, current: models.Model) -> None:
        """Refuse to save when the record changed after the form was loaded (no version: no check)."""
        loaded = (form.cleaned_data or {}).get(VERSION_FIELD) or form.data.get(VERSION_FIELD)
        if not loaded or loaded == record_version(current):
            return
        who, when = last_change(current)
        at = f" on {when:%Y-%m-%d at %H:%M:%S} UTC" if when else ""
        what = self.model._meta.verbose_name
        raise ValidationError(
            f"This {what} was changed by {who}{at}, after you opened it. Your changes were not saved, "
            f"so as not to overwrite theirs: open the {what} again to see the current version, then redo your changes."
        )

    def save_form(self, request, form, change):
        form.save_m2m = lambda: None  # many-to-many values go to the service with the rest
        return form.instance

    def save_model(self, request, obj, form, change):
        fields = self.service_fields(request, form, change)
        if change:
            # Locked until the request's transaction ends, so two saves cannot both pass the version check.
            current = self.model._default_manager.select_for_update().filter(pk=obj.pk).first()
            if current is None:
                raise ValidationError(f"{self.model._meta.verbose_name.capitalize()} #{obj.pk} no longer exists.")
            self.check_version(request, form, current)
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
        inline.save_formset(request, formset)

    def _with_service_errors(self, request, view, *args, **kwargs):
        """Run a saving view; when a service refuses, roll back and show the form with its messages."""
        try:
            with transaction.atomic():
                return view(request, *args, **kwargs)
        except ValidationError as exc:
            if request.method != "POST" or getattr(request, _ERRORS_ATTR, None):
                raise
            setattr(request, _ERRORS_ATTR, messages_by_field(exc))
            return view(request, *args, **kwargs)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        parent = super().changeform_view
        return self._with_service_errors(request, parent, object_id, form_url, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # A revert is an ordinary update: the same service, the same validation.
        parent = super().history_form_view
        return self._with_service_errors(request, parent, object_id, version_id, extra_context)

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


class ServiceInline:
    """An inline whose rows are written by services: mix in before an InlineModelAdmin."""

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

    def save_formset(self, request, formset) -> None:
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


def selected_ids(request) -> list[str]:
    return request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)

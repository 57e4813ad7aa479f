"""Actors in the admin: aliases inline, search by any spelling, merging duplicates; relationships."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models.query import EmptyQuerySet
from django.template.response import TemplateResponse

from kb import services
from kb.admin.base import ServiceAdmin, ServiceTabularInline
from kb.admin.site import site
from kb.errors import error_line
from kb.models import Actor, Alias, Relationship
from kb.selectors import actors_named, visible_claim_count


class AliasInline(ServiceTabularInline):
    model = Alias
    fields = ("name", "language")
    extra = 1

    def service_create(self, request, parent, fields):
        return services.alias_add(user=request.user, exist_ok=True, **fields)

    def service_delete(self, request, instance):
        services.alias_delete(instance, user=request.user)


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(
        queryset=Actor.objects.none(),
        widget=forms.RadioSelect,
        label="Keep",
        help_text="The actor that stays; the others are folded into it and deleted.",
    )

    def __init__(self, *args, actors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = actors


class ActorAdmin(ServiceAdmin):
    list_display = ("name", "kind", "country_code", "alias_names", "claim_count", "slug")
    list_filter = ("kind",)
    search_fields = ("name", "slug", "wikidata_id")
    search_help_text = "Any spelling of the name: case, accents and hyphens do not matter."
    prepopulated_fields = {"slug": ("name",)}
    inlines = (AliasInline,)
    fieldsets = (
        (None, {"fields": ("name", "kind", "slug", "summary")}),
        (
            "Identity",
            {
                "fields": (
                    "country_code",
                    "wikidata_id",
                    "start_on",
                    "end_on",
                )
            },
        ),
    )
    actions = ("merge_actors",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(claim_count=visible_claim_count(user=request.user, via="subjects"))
            .prefetch_related("aliases")
        )

    @admin.display(description="aliases")
    def alias_names(self, obj: Actor) -> str:
        return ", ".join(alias.name for alias in obj.aliases.all() if alias.name != obj.name)

    @admin.display(description="claims", ordering="claim_count")
    def claim_count(self, obj: Actor) -> int:
        return obj.claim_count

    def get_search_results(self, request, queryset, search_term):
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        actors = actors_named(name=search_term)
        if isinstance(actors, EmptyQuerySet):  # no letters or digits to look for
            return found, may_have_duplicates
        by_alias = queryset.filter(pk__in=actors)
        return found | by_alias, may_have_duplicates

    def service_create(self, request, fields):
        return services.actor_create(user=request.user, **fields)

    def service_update(self, request, instance, fields):
        return services.actor_update(instance, user=request.user, **fields)

    def service_delete(self, request, instance):
        services.actor_delete(instance, user=request.user)

    @admin.action(permissions=["change", "delete"], description="Merge selected actors into one")
    def merge_actors(self, request, queryset):
        """Choose the actor to keep; the other selected actors are folded into it by ``actor_merge``."""
        actors = queryset.order_by("sort_name", "pk")
        if actors.count() < 2:
            self.message_user(request, "Select at least two actors to merge.", messages.WARNING)
            return None
        form = MergeForm(request.POST if "apply" in request.POST else None, actors=actors)
        if form.is_bound and form.is_valid():
            into = form.cleaned_data["into"]
            duplicates = [actor for actor in actors if actor.pk != into.pk]
            try:
                services.actors_merge(user=request.user, duplicates=duplicates, into=into)
            except ValidationError as exc:
                self.message_user(request, f"Nothing was merged. {error_line(exc)}", messages.ERROR)
                return None
            names = ", ".join(actor.name for actor in duplicates)
            self.message_user(request, f"Merged {names} into {into.name}.", messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": f"Merge {len(actors)} actors",
            "opts": self.model._meta,
            "actors": actors,
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/kb/actor/merge_confirmation.html", context)


class RelationshipAdmin(ServiceAdmin):
    list_display = ("subject", "predicate", "object", "valid_from", "valid_until")
    list_filter = ("predicate",)
    list_select_related = ("subject", "object")
    search_fields = ("subject__name", "object__name", "note")
    autocomplete_fields = ("subject", "object", "evidence")
    fields = (
        "subject",
        "predicate",
        "object",
        "valid_from",
        "valid_until",
        "note",
        "evidence",
    )

    def service_create(self, request, fields):
        return services.relationship_create(user=request.user, **fields)

    def service_update(self, request, instance, fields):
        return services.relationship_update(instance, user=request.user, **fields)


site.register(Actor, ActorAdmin)
site.register(Relationship, RelationshipAdmin)

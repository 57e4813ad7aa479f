"""Claims in the admin: the review queue, the anchored-quote form and links between claims."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Q, Value, When
from django.db.models.query import EmptyQuerySet
from django.template.response import TemplateResponse
from django.utils.html import format_html

from kb import services
from kb.admin.base import ServiceAdmin, ServiceForm, ServiceTabularInline, clamped
from kb.admin.filters import AutocompleteFilter
from kb.admin.site import site
from kb.choices import ClaimStatus
from kb.errors import error_line
from kb.ingest.anchor import paragraph_around
from kb.models import Claim, ClaimLink
from kb.selectors import actors_named
from kb.text import shorten

ANCHOR_FIELDS = ("source", "quote", "start", "end")


class ClaimForm(ServiceForm):
    """Paste a quote and leave the offsets empty: the service finds them."""

    occurrence = forms.IntegerField(
        min_value=1,
        required=False,
        help_text="When the quote occurs more than once in the source: which occurrence (1 = the first).",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "quote" in self.fields:
            self.fields["quote"].widget.attrs["rows"] = 3
        for name in ("start", "end"):
            if name in self.fields:
                self.fields[name].required = False
                self.fields[name].help_text += " Leave start and end empty to have them found from the quote."


class ClaimLinkInline(ServiceTabularInline):
    model = ClaimLink
    fk_name = "from_claim"
    fields = ("kind", "to_claim", "note")
    autocomplete_fields = ("to_claim",)
    verbose_name = "link to another claim"
    verbose_name_plural = "links to other claims"

    def service_create(self, request, parent, fields):
        return services.claim_link(user=request.user, **fields)

    def service_delete(self, request, instance):
        services.claim_unlink(instance, user=request.user)


class ReviewNoteForm(forms.Form):
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Optional: why. Kept with each claim as its review note.",
    )


def _review_action(status: str, verb: str, name: str):
    @admin.action(permissions=["change"], description=f"{verb.capitalize()} selected claims")
    def action(modeladmin: ClaimAdmin, request, queryset):
        return modeladmin.review(request, queryset, status=status, verb=verb, action_name=name)

    action.__name__ = name
    return action


# Long text the queue's rows do not show. Filtering by a subject (a many-to-many) makes the list
# DISTINCT over whole rows, so each source's full text would be read and compared for every claim.
LIST_DEFERRED = ("statement", "review_note", "suggested", "source__text", "source__furniture_note")


class ClaimChangeList(ChangeList):
    """The queue's page of rows, without the long text it does not show.

    Only the rows shown: actions get the claims whole (``get_queryset``), as the services read them.
    """

    def get_results(self, request):
        self.queryset = self.queryset.defer(*LIST_DEFERRED)
        super().get_results(request)


class ClaimAdmin(ServiceAdmin):
    form = ClaimForm
    list_display = ("excerpt", "status", "modality", "credibility", "source_title", "subject_names")
    list_display_links = ("excerpt",)
    list_filter = (
        "status",
        "modality",
        "credibility",
        ("source", AutocompleteFilter),
        ("subjects", AutocompleteFilter),
    )
    search_fields = ("quote", "statement", "attributed_to")
    search_help_text = "Words of the quote or statement, or any spelling of a subject's or speaker's name."
    autocomplete_fields = ("source", "speaker", "subjects")
    list_select_related = ("source",)
    list_per_page = 50
    show_full_result_count = False  # one COUNT per page view, not two
    show_facets = admin.ShowFacets.NEVER  # a count per filter choice reads every claim
    inlines = (ClaimLinkInline,)
    readonly_fields = (
        "in_context",
        "suggestions",
        "reviewed_by",
        "reviewed_at",
        "created_by",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("source", "quote", "occurrence", ("start", "end"), "in_context")}),
        (
            "What it says",
            {
                "fields": (
                    "statement",
                    "modality",
                    "attributed_to",
                    "speaker",
                    "subjects",
                    "about_on",
                    "suggestions",
                )
            },
        ),
        ("Review", {"fields": ("credibility", "status", "review_note", ("reviewed_by", "reviewed_at"))}),
        ("Record", {"classes": ("collapse",), "fields": ("created_by", "created_at", "updated_at")}),
    )
    actions = (
        _review_action(ClaimStatus.ACCEPTED, "accept", "accept_claims"),
        _review_action(ClaimStatus.REJECTED, "reject", "reject_claims"),
        _review_action(ClaimStatus.DISPUTED, "mark disputed", "dispute_claims"),
    )

    # --- the queue -----------------------------------------------------------------

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source").prefetch_related("subjects")

    def get_changelist(self, request, **kwargs):
        return ClaimChangeList

    def get_ordering(self, request):
        proposed_first = Case(
            When(status=ClaimStatus.PROPOSED, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
        return [proposed_first.asc(), "created_at", "pk"]

    # Each cell is clamped to a few lines by kb/admin.css (.kb-clamp); the whole text is its title.
    @admin.display(description="quote", ordering="quote")
    def excerpt(self, obj: Claim) -> str:
        return clamped(shorten(obj.quote, 240), obj.quote)

    @admin.display(description="source", ordering="source__title")
    def source_title(self, obj: Claim) -> str:
        return clamped(obj.source.title)

    @admin.display(description="subjects")
    def subject_names(self, obj: Claim) -> str:
        return clamped(", ".join(actor.name for actor in obj.subjects.all()))

    def get_search_results(self, request, queryset, search_term):
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        actors = actors_named(name=search_term)
        if isinstance(actors, EmptyQuerySet):  # no letters or digits to look for
            return found, may_have_duplicates
        by_name = queryset.filter(Q(subjects__in=actors) | Q(speaker__in=actors))
        return found | by_name, True

    @admin.display(description="suggested by ingest")
    def suggestions(self, obj: Claim | None) -> str:
        # The values ingest filled in and no editor has changed yet: to check before accepting.
        return ", ".join(obj.suggested) if obj is not None and obj.suggested else "none"

    # --- the quote in its paragraph -----------------------------------------------

    @admin.display(description="quote in context")
    def in_context(self, obj: Claim | None) -> str:
        if obj is None or obj.source_id is None or obj.start is None or obj.end is None:
            return "Shown once the claim is saved."
        text = obj.source.text
        if text[obj.start : obj.end] != obj.quote:
            return format_html(
                '<p class="kb-warning">This version’s quote is not at {}..{} of the current source text.</p>',
                obj.start,
                obj.end,
            )
        start, end = paragraph_around(text, obj.start, obj.end)
        return format_html(
            '<div class="kb-context">{}<mark>{}</mark>{}</div><p class="help">Characters {}..{} of source #{}.</p>',
            text[start : obj.start],
            text[obj.start : obj.end],
            text[obj.end : end],
            obj.start,
            obj.end,
            obj.source_id,
        )

    # --- saving through the services -------------------------------------------------

    def service_fields(self, request, form, change) -> dict[str, Any]:
        fields = super().service_fields(request, form, change)
        occurrence = form.cleaned_data.get("occurrence")
        offsets_typed = {"start", "end"} & set(form.changed_data)
        if occurrence is not None or (not offsets_typed and {"quote", "source"} & set(form.changed_data)):
            # A new or re-pasted quote is found again in the text instead of checked at old offsets.
            fields["start"] = fields["end"] = None
        if fields.get("start") is None and fields.get("end") is None:
            fields.pop("start", None)
            fields.pop("end", None)
        if occurrence is not None:
            fields["occurrence"] = occurrence
        return fields

    def service_create(self, request, fields):
        return services.claim_create(user=request.user, **fields)

    def service_update(self, request, instance, fields):
        return services.claim_update(instance, user=request.user, **fields)

    def service_delete(self, request, instance):
        services.claim_delete(instance, user=request.user)

    # --- review actions -------------------------------------------------------------

    def review(self, request, queryset, *, status: str, verb: str, action_name: str):
        """Confirm the selection and take an optional note, then review every claim through the service."""
        form = ReviewNoteForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            try:
                claims = services.claims_review(
                    user=request.user, claims=queryset.order_by("pk"), status=status, note=form.cleaned_data["note"]
                )
            except ValidationError as exc:
                self.message_user(request, f"No claim was changed. {error_line(exc)}", messages.ERROR)
                return None
            self.message_user(
                request, f"{len(claims)} claim(s) now {ClaimStatus(status).label.lower()}.", messages.SUCCESS
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": f"{verb.capitalize()} {queryset.count()} claim(s)?",
            "opts": self.model._meta,
            "claims": queryset.order_by("pk"),
            "form": form,
            "verb": verb,
            "status_label": ClaimStatus(status).label.lower(),
            "action_name": action_name,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/kb/claim/review_confirmation.html", context)


site.register(Claim, ClaimAdmin)

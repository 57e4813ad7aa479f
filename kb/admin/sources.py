"""Sources in the admin: metadata, text edits that keep every anchor, the source's claims, publishing, and ingest."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from kb import services
from kb.admin.base import ServiceAdmin
from kb.admin.dates import EXAMPLES, PartialDateField
from kb.admin.site import site
from kb.choices import SourceKind
from kb.errors import error_line, messages_by_field
from kb.models import Source
from kb.selectors import visible_claim_count


class IngestForm(forms.Form):
    """An article file and its metadata, handed to ``services.source_ingest`` as they are."""

    content = forms.FileField(label="Article file", help_text="Plain text or HTML, as saved from the publisher.")
    title = forms.CharField(max_length=300)
    publisher = forms.CharField(max_length=200)
    published_on = PartialDateField(label="Published", help_text=f"As you would write it: {EXAMPLES}.")
    byline = forms.CharField(label="Author", max_length=300, required=False)
    url = forms.CharField(label="URL", max_length=500, required=False)
    kind = forms.ChoiceField(choices=SourceKind.choices, initial=SourceKind.NEWS)


class PublicFilter(admin.SimpleListFilter):
    """Sources readers see (public) and those still waiting for an editor's review."""

    title = "visible to readers"
    parameter_name = "public"

    def lookups(self, request, model_admin):
        return (("yes", "Public"), ("no", "Waiting for review"))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(published_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(published_at__isnull=True)
        return queryset


@admin.action(permissions=["change"], description="Publish selected sources (show them to readers)")
def publish(modeladmin: SourceAdmin, request, queryset):
    sources = services.sources_publish(user=request.user, sources=queryset.order_by("pk"))
    modeladmin.message_user(request, f"{len(sources)} source(s) now visible to readers.", messages.SUCCESS)


@admin.action(permissions=["change"], description="Unpublish selected sources (hide them from readers)")
def unpublish(modeladmin: SourceAdmin, request, queryset):
    try:
        sources = services.sources_unpublish(user=request.user, sources=queryset.order_by("pk"))
    except ValidationError as exc:
        modeladmin.message_user(request, f"No source was changed. {error_line(exc)}", messages.ERROR)
        return
    modeladmin.message_user(request, f"{len(sources)} source(s) now hidden from readers.", messages.SUCCESS)


class SourceAdmin(ServiceAdmin):
    list_display = ("title", "publisher", "published_on", "kind", "reliability", "claim_count", "public")
    list_filter = (PublicFilter, "kind", "reliability", "publisher")
    search_fields = ("title", "publisher", "byline", "url")
    autocomplete_fields = ("authors",)
    actions = (publish, unpublish)
    readonly_fields = ("sha256", "claim_list", "published_at", "published_by", "created_at", "updated_at")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "title",
                    "subtitle",
                    "publisher",
                    "byline",
                    "authors",
                    "published_on",
                    "url",
                    ("kind", "reliability", "language"),
                )
            },
        ),
        ("Text", {"fields": ("text", "sha256", "furniture_note")}),
        ("Claims", {"fields": ("claim_list",)}),
        (
            "Review",
            {
                "fields": ("published_at", "published_by"),
                "description": "Readers see a source once an editor accepts one of its claims or publishes it "
                "(the Publish action of the list).",
            },
        ),
        ("Record", {"classes": ("collapse",), "fields": ("created_at", "updated_at")}),
    )
    change_list_template = "admin/kb/source/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(claim_count=visible_claim_count(user=request.user, via="source"))

    @admin.display(description="public", boolean=True, ordering="published_at")
    def public(self, obj: Source) -> bool:
        return obj.published_at is not None

    @admin.display(description="claims", ordering="claim_count")
    def claim_count(self, obj: Source) -> int:
        return obj.claim_count

    @admin.display(description="claims anchored in this source")
    def claim_list(self, obj: Source | None) -> str:
        claims = list(obj.claims.order_by("start", "pk")) if obj is not None and obj.pk else []
        if not claims:
            return "None yet."
        rows = format_html_join(
            "\n",
            '<li><a href="{}">#{}</a> <span class="status">{}</span> {}..{}: {}</li>',
            (
                (reverse("admin:kb_claim_change", args=[c.pk]), c.pk, c.get_status_display(), c.start, c.end, str(c))
                for c in claims
            ),
        )
        return format_html('<ul class="kb-claim-list">{}</ul>', rows)

    def service_create(self, request, fields):
        return services.source_create(user=request.user, **fields)

    def service_update(self, request, instance, fields):
        return services.source_update(instance, user=request.user, **fields)

    def service_delete(self, request, instance):
        services.source_delete(instance, user=request.user)

    # --- ingest --------------------------------------------------------------------

    def get_urls(self):
        ingest = path("ingest/", self.admin_site.admin_view(self.ingest_view), name="kb_source_ingest")
        return [ingest, *super().get_urls()]

    def ingest_view(self, request):
        """Upload an article: store it as a source and propose its claims for review."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = IngestForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            upload = data["content"]
            try:
                result = services.source_ingest(
                    user=request.user,
                    content=upload.read(settings.KB_INGEST_MAX_BYTES + 1),
                    filename=upload.name,
                    title=data["title"],
                    publisher=data["publisher"],
                    published_on=data["published_on"],
                    byline=data["byline"],
                    url=data["url"],
                    kind=data["kind"],
                )
            except ValidationError as exc:
                for field, found in messages_by_field(exc).items():
                    form.add_error(field if field in form.fields else None, found)
            else:
                return self._ingest_done(request, result)
        context = {
            **self.admin_site.each_context(request),
            "title": "Ingest an article",
            "opts": self.model._meta,
            "form": form,
            "max_bytes": settings.KB_INGEST_MAX_BYTES,
        }
        return TemplateResponse(request, "admin/kb/source/ingest.html", context)

    def _ingest_done(self, request, result):
        source = result.source
        if not result.created:
            self.message_user(
                request,
                f"This text is already stored as source #{source.pk} “{source}”; nothing changed.",
                messages.WARNING,
            )
        else:
            found = f" Names not yet known: {', '.join(result.candidates)}." if result.candidates else ""
            self.message_user(
                request,
                f"Stored “{source}” and proposed {len(result.claims)} claim(s) for review.{found}",
                messages.SUCCESS,
            )
        queue = reverse("admin:kb_claim_changelist")
        return HttpResponseRedirect(f"{queue}?source__id__exact={source.pk}&status__exact=proposed")


site.register(Source, SourceAdmin)

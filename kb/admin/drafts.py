"""Draft records in the admin: browsed, filtered and traced through their history."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from kb.admin.site import site
from kb.choices import DraftStatus
from kb.models import Draft
from kb.selectors.desk import draft_desk_claim


class DraftAdmin(SimpleHistoryAdmin):
    """Read-only: drafts are accepted or rejected through ``services.draft_accept`` and ``draft_reject``."""

    list_display = ("__str__", "kind", "status", "desk_link", "source", "created_at", "reviewed_by")
    list_filter = ("status", "kind")
    list_select_related = ("source", "reviewed_by")
    search_fields = ("title",)
    list_per_page = 50
    show_full_result_count = False
    fields = (
        "kind",
        "status",
        "desk_link",
        "title",
        "source",
        "evidence",
        "data",
        "target_link",
        "target_seen",
        "record_link",
        "note",
        ("created_by", "created_at"),
        ("reviewed_by", "reviewed_at"),
    )
    readonly_fields = (*fields[:-2], "created_by", "created_at", "reviewed_by", "reviewed_at")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(desk_claim=draft_desk_claim())

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            prefetch_related_objects([obj], "claims")  # for the draft's page only, not for every row of the list
        return obj

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="claims")
    def evidence(self, obj: Draft) -> str:
        claims = obj.claims.all()
        if not claims:
            return "–"
        return format_html_join(
            "", '<p><a href="{}">{}</a></p>', ((claim.get_absolute_url(), str(claim)) for claim in claims)
        )

    @admin.display(description="review")
    def desk_link(self, obj: Draft) -> str:
        claim = getattr(obj, "desk_claim", None)
        if obj.status != DraftStatus.PROPOSED or claim is None:
            return "–"
        return format_html('<a href="{}?claim={}">On the desk</a>', reverse("kb:review"), claim)

    @admin.display(description="target")
    def target_link(self, obj: Draft) -> str:
        return self._link(obj.target)

    @admin.display(description="record")
    def record_link(self, obj: Draft) -> str:
        return self._link(obj.record)

    def _link(self, instance) -> str:
        if instance is None:
            return "–"
        url = instance.get_absolute_url() if hasattr(instance, "get_absolute_url") else ""
        what = f"{instance._meta.verbose_name} #{instance.pk}: {instance}"
        return format_html('<a href="{}">{}</a>', url, what) if url else what


site.register(Draft, DraftAdmin)

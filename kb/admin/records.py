"""Events, agreements (with parties and provisions) and arms transfers in the admin, with their evidence."""

from __future__ import annotations

from django.contrib import admin

from kb import services
from kb.admin.base import ServiceAdmin, ServiceStackedInline
from kb.admin.site import site
from kb.models import Agreement, AgreementParty, ArmsTransfer, Event, Provision


class EventAdmin(ServiceAdmin):
    list_display = ("title", "kind", "start_on", "place")
    list_filter = ("kind",)
    list_select_related = ("place",)
    search_fields = ("title", "summary")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("place", "participants", "evidence")
    fields = (
        "title",
        "slug",
        "kind",
        "start_on",
        "end_on",
        "place",
        "participants",
        "summary",
        "evidence",
    )

    def service_create(self, request, fields):
        return services.event_create(user=request.user, **fields)

    def service_update(self, request, instance, fields):
        return services.event_update(instance, user=request.user, **fields)


class AgreementPartyInline(ServiceStackedInline):
    model = AgreementParty
    fields = (
        ("actor", "signatory"),
        "signed_on",
        ("ratified_on", "ratification_kind"),
        "in_force_on",
        "evidence",
    )
    autocomplete_fields = ("actor", "signatory", "evidence")
    verbose_name = "party"
    verbose_name_plural = "parties: signatories, ratification and entry into force for each"

    def service_create(self, request, parent, fields):
        return services.agreement_party_add(user=request.user, **fields)

    def service_update(self, request, instance, fields):
        return services.agreement_party_update(instance, user=request.user, **fields)


class ProvisionInline(ServiceStackedInline):
    model = Provision
    fields = (("label", "kind", "order"), "summary", "evidence")
    autocomplete_fields = ("evidence",)

    def service_create(self, request, parent, fields):
        return services.provision_add(user=request.user, **fields)


class AgreementAdmin(ServiceAdmin):
    list_display = ("title", "kind", "status", "signed_on", "signed_place")
    list_filter = ("kind", "status")
    list_select_related = ("signed_place",)
    search_fields = ("title", "summary")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("signed_place", "evidence")
    inlines = (AgreementPartyInline, ProvisionInline)
    fields = (
        "title",
        "slug",
        ("kind", "status"),
        "signed_on",
        "signed_place",
        "in_force_on",
        "summary",
        "evidence",
    )

    def service_create(self, request, fields):
        return services.agreement_create(user=request.user, **fields)

    def service_update(self, request, instance, fields):
        return services.agreement_update(instance, user=request.user, **fields)


class ArmsTransferAdmin(ServiceAdmin):
    list_display = ("__str__", "category", "supplier", "recipient", "status", "start_on", "quantity")
    list_filter = ("category", "status")
    list_select_related = ("supplier", "recipient")
    search_fields = ("designation", "description", "reported_by", "supplier__name", "recipient__name")
    autocomplete_fields = ("supplier", "recipient", "evidence")
    fields = (
        ("supplier", "recipient"),
        ("category", "designation"),
        "description",
        ("ordered_quantity", "ordered_quantity_estimated"),
        ("ordered_on", "ordered_on_estimated"),
        ("quantity_low", "quantity_high", "quantity_unit", "delivered_quantity_estimated"),
        "start_on",
        ("end_on", "delivered_period_estimated"),
        "comments",
        "status",
        ("reported_by", "reported_on"),
        "evidence",
    )

    @admin.display(description="quantity")
    def quantity(self, obj: ArmsTransfer) -> str:
        low, high = obj.quantity_low, obj.quantity_high
        if low is None and high is None:
            return "—"
        amount = str(low if high is None or low == high else f"{low or '?'}–{high}")
        return f"{amount} {obj.quantity_unit}".strip()

    def service_create(self, request, fields):
        return services.transfer_create(user=request.user, **fields)

    def service_update(self, request, instance, fields):
        return services.transfer_update(instance, user=request.user, **fields)


site.register(Event, EventAdmin)
site.register(Agreement, AgreementAdmin)
site.register(ArmsTransfer, ArmsTransferAdmin)

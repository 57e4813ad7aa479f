"""Parts of records (aliases, claim links, agreement parties, provisions) with their own pages and history.

They are edited inline on their record; these pages exist so that each part has its own
history, diff and revert like every other record.
"""

from __future__ import annotations

from kb import services
from kb.admin.base import ServiceAdmin
from kb.admin.site import site
from kb.models import AgreementParty, Alias, ClaimLink, Provision


class AliasAdmin(ServiceAdmin):
    list_display = ("name", "actor", "language", "normalized")
    list_select_related = ("actor",)
    search_fields = ("name", "normalized", "actor__name")
    autocomplete_fields = ("actor",)
    fields = ("actor", "name", "language")

    def service_create(self, request, fields):
        return services.alias_add(user=request.user, **fields)

    def service_delete(self, request, instance):
        services.alias_delete(instance, user=request.user)


class ClaimLinkAdmin(ServiceAdmin):
    list_display = ("__str__", "from_claim", "kind", "to_claim")
    list_filter = ("kind",)
    list_select_related = ("from_claim", "to_claim")
    search_fields = ("from_claim__quote", "to_claim__quote", "note")
    autocomplete_fields = ("from_claim", "to_claim")
    fields = ("from_claim", "kind", "to_claim", "note")

    def service_create(self, request, fields):
        return services.claim_link(user=request.user, **fields)

    def service_delete(self, request, instance):
        services.claim_unlink(instance, user=request.user)


class AgreementPartyAdmin(ServiceAdmin):
    list_display = ("agreement", "actor", "signatory", "signed_on", "ratified_on", "ratification_kind", "in_force_on")
    list_filter = ("ratification_kind",)
    list_select_related = ("agreement", "actor", "signatory")
    search_fields = ("agreement__title", "actor__name", "signatory__name")
    autocomplete_fields = ("agreement", "actor", "signatory", "evidence")
    fields = (
        "agreement",
        ("actor", "signatory"),
        "signed_on",
        ("ratified_on", "ratification_kind"),
        "in_force_on",
        "evidence",
    )

    def service_create(self, request, fields):
        return services.agreement_party_add(user=request.user, **fields)

    def service_update(self, request, instance, fields):
        return services.agreement_party_update(instance, user=request.user, **fields)


class ProvisionAdmin(ServiceAdmin):
    list_display = ("__str__", "agreement", "kind", "order")
    list_filter = ("kind",)
    list_select_related = ("agreement",)
    search_fields = ("label", "summary", "agreement__title")
    autocomplete_fields = ("agreement", "evidence")
    fields = ("agreement", ("label", "kind", "order"), "summary", "evidence")

    def service_create(self, request, fields):
        return services.provision_add(user=request.user, **fields)


site.register(Alias, AliasAdmin)
site.register(ClaimLink, ClaimLinkAdmin)
site.register(AgreementParty, AgreementPartyAdmin)
site.register(Provision, ProvisionAdmin)

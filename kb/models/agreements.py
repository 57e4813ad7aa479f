"""Agreements between actors: their parties and signatories, provisions and evidence."""

from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from kb.choices import AgreementKind, AgreementStatus, ProvisionKind
from kb.dates import PartialDateAccessor, partial_date_constraints, partial_date_fields
from kb.links import record_path
from kb.models.base import KbModel


class Agreement(KbModel):
    """A treaty, partnership or other agreement between two or more actors."""

    partial_dates = ("signed_on", "in_force_on")

    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=16, choices=AgreementKind.choices, db_index=True)
    status = models.CharField(max_length=16, choices=AgreementStatus.choices, db_index=True)
    signed_on, signed_on_precision = partial_date_fields("signed")
    signed_place = models.ForeignKey(
        "kb.Actor", on_delete=models.PROTECT, null=True, blank=True, related_name="agreements_signed_here"
    )
    in_force_on, in_force_on_precision = partial_date_fields("entry into force")
    summary = models.TextField(blank=True)
    parties = models.ManyToManyField(
        "kb.Actor", through="kb.AgreementParty", through_fields=("agreement", "actor"), related_name="agreements"
    )
    evidence = models.ManyToManyField("kb.Claim", blank=True, related_name="agreements")

    signed = PartialDateAccessor("signed_on")
    in_force = PartialDateAccessor("in_force_on")

    history = HistoricalRecords(m2m_fields=[evidence])

    class Meta:
        ordering = ["-signed_on", "title"]
        # Lists, newest signing first, read their first page in index order.
        indexes = [models.Index(fields=["-signed_on", "title", "id"], name="agreement_signed_order")]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="agreement_title_not_empty"),
            models.CheckConstraint(condition=Q(kind__in=AgreementKind.values), name="agreement_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=AgreementStatus.values), name="agreement_status_valid"),
            models.CheckConstraint(
                condition=Q(in_force_on__isnull=True) | Q(signed_on__isnull=True) | Q(in_force_on__gte=F("signed_on")),
                name="agreement_in_force_not_before_signed",
            ),
            *partial_date_constraints("agreement", "signed_on", "in_force_on"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return record_path("kb:agreement-detail", self.slug, kwarg="slug")

    def clean_fields_together(self) -> dict[str, list[str]]:
        if self.signed_on and self.in_force_on and self.in_force_on < self.signed_on:
            return {"in_force_on": ["Entry into force is before the signing."]}
        return {}


class AgreementParty(KbModel):
    """One party to an agreement, and the person who signed for it."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="party_links")
    actor = models.ForeignKey("kb.Actor", on_delete=models.PROTECT, related_name="agreement_parties")
    signatory = models.ForeignKey(
        "kb.Actor", on_delete=models.PROTECT, null=True, blank=True, related_name="agreements_signed"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["agreement", "actor__name"]
        verbose_name_plural = "agreement parties"
        constraints = [
            models.UniqueConstraint(fields=["agreement", "actor"], name="agreementparty_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.actor} in {self.agreement}"


class Provision(KbModel):
    """One provision (article) of an agreement, as the sources describe it."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="provisions")
    label = models.CharField(max_length=50, blank=True, help_text='e.g. "Article 4"; blank when unnumbered.')
    kind = models.CharField(max_length=20, choices=ProvisionKind.choices)
    summary = models.TextField()
    order = models.PositiveSmallIntegerField(default=0)
    evidence = models.ManyToManyField("kb.Claim", blank=True, related_name="provisions")

    history = HistoricalRecords(m2m_fields=[evidence])

    class Meta:
        ordering = ["agreement", "order", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(summary=""), name="provision_summary_not_empty"),
            models.CheckConstraint(condition=Q(kind__in=ProvisionKind.values), name="provision_kind_valid"),
            models.UniqueConstraint(
                fields=["agreement", "label"], condition=~Q(label=""), name="provision_label_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label or self.get_kind_display()} of {self.agreement}"

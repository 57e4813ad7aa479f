"""Arms transfers: a SIPRI-style register of who supplied what to whom, and who says so."""

from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from kb.choices import TransferCategory, TransferStatus
from kb.dates import PartialDateAccessor, partial_date_constraints, partial_date_fields
from kb.links import record_path
from kb.models.base import KbModel
from kb.text import sentence_case


class ArmsTransfer(KbModel):
    """A transfer of weapons, ammunition or military technology from a supplier to a recipient.

    What was ordered and what was delivered are kept apart, as SIPRI's Trade Register keeps
    them: the order (``ordered_quantity``, ``ordered_on``) and the delivery (the quantity as a
    low/high estimate, and the period ``start_on``..``end_on`` of the deliveries), each with
    flags saying which numbers and dates are estimates.
    """

    partial_dates = ("ordered_on", "start_on", "end_on", "reported_on")

    supplier = models.ForeignKey("kb.Actor", on_delete=models.PROTECT, related_name="transfers_supplied")
    recipient = models.ForeignKey("kb.Actor", on_delete=models.PROTECT, related_name="transfers_received")
    category = models.CharField(max_length=20, choices=TransferCategory.choices, db_index=True)
    designation = models.CharField(max_length=200, blank=True, help_text="Weapon designation, e.g. KN-23.")
    description = models.TextField()
    ordered_quantity = models.PositiveIntegerField(null=True, blank=True, help_text="The number ordered.")
    ordered_quantity_estimated = models.BooleanField(default=False, help_text="The number ordered is an estimate.")
    ordered_on, ordered_on_precision = partial_date_fields("ordered", "When the deal was made (SIPRI: year of order).")
    ordered_on_estimated = models.BooleanField(default=False, help_text="The date of the order is an estimate.")
    quantity_low = models.PositiveIntegerField(
        "delivered (low)", null=True, blank=True, help_text="The number delivered: its low estimate."
    )
    quantity_high = models.PositiveIntegerField(
        "delivered (high)", null=True, blank=True, help_text="The number delivered: its high estimate."
    )
    quantity_unit = models.CharField(max_length=50, blank=True, help_text='e.g. "rounds", "missiles".')
    delivered_quantity_estimated = models.BooleanField(
        default=False, help_text="The number delivered is an estimate (a low/high range always is)."
    )
    start_on, start_on_precision = partial_date_fields("period start", "First day of the deliveries.")
    end_on, end_on_precision = partial_date_fields("period end", "When the deliveries ended (or the last known).")
    delivered_period_estimated = models.BooleanField(default=False, help_text="The years of delivery are estimates.")
    comments = models.TextField(blank=True, help_text="Notes on the deal, e.g. SIPRI's comments.")
    status = models.CharField(max_length=16, choices=TransferStatus.choices, db_index=True)
    reported_by = models.CharField(max_length=300, blank=True, help_text="Who reported the transfer.")
    reported_on, reported_on_precision = partial_date_fields("reported")
    evidence = models.ManyToManyField("kb.Claim", blank=True, related_name="transfers")

    ordered = PartialDateAccessor("ordered_on")
    start = PartialDateAccessor("start_on")
    end = PartialDateAccessor("end_on")
    reported = PartialDateAccessor("reported_on")

    history = HistoricalRecords(m2m_fields=[evidence])

    class Meta:
        ordering = ["-start_on", "supplier__name", "recipient__name"]
        verbose_name = "arms transfer"
        # An actor's latest transfers, supplied and received, read in index order (the dossier).
        indexes = [
            models.Index(fields=["supplier", "-start_on", "id"], name="transfer_supplier_latest"),
            models.Index(fields=["recipient", "-start_on", "id"], name="transfer_recipient_latest"),
            # The API's orderings (?ordering=reported_on…) read a page from the index.
            models.Index(fields=["reported_on"], name="transfer_reported_order"),
            models.Index(fields=["quantity_high"], name="transfer_quantity_order"),
            models.Index(fields=["created_at"], name="transfer_created_order"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(supplier=F("recipient")), name="transfer_supplier_not_recipient"),
            models.CheckConstraint(condition=~Q(description=""), name="transfer_description_not_empty"),
            models.CheckConstraint(condition=Q(category__in=TransferCategory.values), name="transfer_category_valid"),
            models.CheckConstraint(condition=Q(status__in=TransferStatus.values), name="transfer_status_valid"),
            models.CheckConstraint(
                condition=Q(quantity_low__isnull=True)
                | Q(quantity_high__isnull=True)
                | Q(quantity_low__lte=F("quantity_high")),
                name="transfer_quantity_low_not_above_high",
            ),
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(start_on__isnull=True) | Q(end_on__gte=F("start_on")),
                name="transfer_end_not_before_start",
            ),
            *partial_date_constraints("transfer", "start_on", "end_on", "reported_on"),
            *partial_date_constraints("transfer", "ordered_on"),
        ]

    def __str__(self) -> str:
        return f"{self.title}: {self.supplier} → {self.recipient}"

    @property
    def title(self) -> str:
        """What was transferred, in sentence case: the designation, else the category."""
        return sentence_case(self.designation or self.get_category_display())

    def get_absolute_url(self) -> str:
        return record_path("kb:transfer-detail", self.pk)

    def clean_fields_together(self) -> dict[str, list[str]]:
        errors = {}
        if self.supplier_id and self.supplier_id == self.recipient_id:
            errors["recipient"] = ["The supplier and the recipient are the same actor."]
        if self.quantity_low is not None and self.quantity_high is not None and self.quantity_low > self.quantity_high:
            errors["quantity_high"] = [f"The high estimate {self.quantity_high} is below the low {self.quantity_low}."]
        if self.start_on and self.end_on and self.end_on < self.start_on:
            errors["end_on"] = ["The end of the period is before its start."]
        return errors

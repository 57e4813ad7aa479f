"""Claims, the unit of evidence: verbatim quotes anchored to a Source, and the links between them."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from simple_history.models import HistoricalRecords

from kb.choices import ClaimLinkKind, ClaimStatus, Credibility, Modality
from kb.dates import PartialDateAccessor, partial_date_constraints, partial_date_fields
from kb.links import record_path
from kb.models.base import KbModel
from kb.text import shorten


class Claim(KbModel):
    """A verbatim quote anchored to a Source (``source.text[start:end] == quote``), graded and reviewed."""

    partial_dates = ("about_on",)

    source = models.ForeignKey("kb.Source", on_delete=models.PROTECT, related_name="claims")
    quote = models.TextField(help_text="The exact words of the source.")
    start = models.PositiveIntegerField(help_text="Offset of the quote's first character in the source text.")
    end = models.PositiveIntegerField(help_text="Offset just past the quote's last character.")
    statement = models.TextField(blank=True, help_text="The editor's paraphrase of what the quote asserts.")
    modality = models.CharField(max_length=16, choices=Modality.choices, default=Modality.FACT, db_index=True)
    attributed_to = models.CharField(
        max_length=200, blank=True, help_text='Who the source says asserts it, e.g. "White House reports".'
    )
    speaker = models.ForeignKey(
        "kb.Actor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="statements",
        help_text="The actor the statement is attributed to, when known.",
    )
    subjects = models.ManyToManyField("kb.Actor", blank=True, related_name="claims")
    about_on, about_on_precision = partial_date_fields("about", "The time the claim speaks about.")
    credibility = models.PositiveSmallIntegerField(
        choices=Credibility.choices, default=Credibility.CANNOT_BE_JUDGED, db_index=True
    )
    status = models.CharField(max_length=16, choices=ClaimStatus.choices, default=ClaimStatus.PROPOSED, db_index=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    suggested = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text="Fields whose value ingest suggested (e.g. statement, credibility); a field leaves the list "
        "when an editor changes it.",
    )

    about = PartialDateAccessor("about_on")

    history = HistoricalRecords(m2m_fields=[subjects])

    class Meta:
        ordering = ["source", "start"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="claim_review_queue"),
            # The latest accepted claims (home page), read in index order.
            models.Index(
                fields=["-reviewed_at", "-id"], condition=Q(status=ClaimStatus.ACCEPTED), name="claim_latest_accepted"
            ),
            # The API's orderings (?ordering=about_on, start) read a page from the index.
            models.Index(fields=["about_on"], name="claim_about_order"),
            models.Index(fields=["start"], name="claim_start_order"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(quote=""), name="claim_quote_not_empty"),
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="claim_start_before_end"),
            models.CheckConstraint(
                condition=Q(end=F("start") + Length("quote")), name="claim_offsets_match_quote_length"
            ),
            models.CheckConstraint(condition=Q(modality__in=Modality.values), name="claim_modality_valid"),
            models.CheckConstraint(condition=Q(status__in=ClaimStatus.values), name="claim_status_valid"),
            models.CheckConstraint(
                condition=Q(credibility__gte=1, credibility__lte=6), name="claim_credibility_1_to_6"
            ),
            models.UniqueConstraint(fields=["source", "start", "end"], name="claim_unique_anchor"),
            *partial_date_constraints("claim", "about_on"),
        ]

    def __str__(self) -> str:
        return f"“{shorten(self.quote, 80)}”"

    @property
    def title(self) -> str:
        """What the claim is called: the editor's paraphrase, else the start of its quote."""
        return self.statement or str(self)

    def get_absolute_url(self) -> str:
        return record_path("kb:claim-detail", self.pk)


class ClaimLink(KbModel):
    """A typed link from one claim to another: supports, contradicts, updates or duplicates."""

    from_claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="links_out")
    kind = models.CharField(max_length=16, choices=ClaimLinkKind.choices)
    to_claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="links_in")
    note = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["from_claim", "kind", "to_claim"]
        constraints = [
            models.CheckConstraint(condition=~Q(from_claim=F("to_claim")), name="claimlink_not_reflexive"),
            models.CheckConstraint(condition=Q(kind__in=ClaimLinkKind.values), name="claimlink_kind_valid"),
            models.UniqueConstraint(fields=["from_claim", "kind", "to_claim"], name="claimlink_unique"),
        ]

    def __str__(self) -> str:
        return f"claim {self.from_claim_id} {self.kind} claim {self.to_claim_id}"

    def clean_fields_together(self) -> dict[str, list[str]]:
        if self.from_claim_id and self.from_claim_id == self.to_claim_id:
            return {"to_claim": ["A claim cannot be linked to itself."]}
        return {}

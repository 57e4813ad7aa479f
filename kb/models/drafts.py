"""Draft records: structured records that ingest or an editor proposes from claims, waiting for an editor."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from kb.choices import DraftKind, DraftStatus
from kb.models.base import KbModel


class Draft(KbModel):
    """One proposed record (an actor, event, transfer, relationship or agreement milestone) and the claims behind it.

    ``data`` holds the proposed values keyed by the service keywords, actors as slugs and
    partial dates as text ("2024-06"). A draft that would change an existing record names it
    as its ``target`` and keeps in ``target_seen`` the values it saw there, so an accept after
    someone else changed them is refused instead of overwriting. Accepting applies the draft
    through the services and points ``record`` at what it created or changed. Only editors
    see drafts.
    """

    # A claim a draft comes from may still be deleted: the draft is a proposal, not evidence (services.base).
    HOLDS_ITS_LINKS = False

    kind = models.CharField(max_length=16, choices=DraftKind.choices, db_index=True)
    status = models.CharField(max_length=16, choices=DraftStatus.choices, default=DraftStatus.PROPOSED, db_index=True)
    title = models.CharField(max_length=300, help_text="What the draft proposes, in words (set from its data).")
    source = models.ForeignKey("kb.Source", on_delete=models.PROTECT, null=True, blank=True, related_name="drafts")
    claims = models.ManyToManyField("kb.Claim", blank=True, related_name="drafts")
    data = models.JSONField(default=dict, blank=True, help_text="The proposed values, keyed by the service keywords.")
    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    target_seen = models.JSONField(
        default=dict, blank=True, help_text="The target's values the draft would change, as the draft saw them."
    )
    note = models.TextField(blank=True, help_text="The reviewer's note.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    record_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    record_id = models.PositiveBigIntegerField(null=True, blank=True)
    record = GenericForeignKey("record_type", "record_id")

    history = HistoricalRecords(m2m_fields=[claims])

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The review queue: proposed drafts, oldest or newest first.
            models.Index(fields=["status", "created_at"], name="draft_review_queue"),
            models.Index(fields=["source", "status"], name="draft_source_status"),
            models.Index(fields=["target_type", "target_id"], name="draft_target"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=DraftKind.values), name="draft_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=DraftStatus.values), name="draft_status_valid"),
            models.CheckConstraint(condition=~Q(title=""), name="draft_title_not_empty"),
            models.CheckConstraint(
                condition=Q(target_type__isnull=True, target_id__isnull=True)
                | Q(target_type__isnull=False, target_id__isnull=False),
                name="draft_target_whole",
            ),
            models.CheckConstraint(
                condition=Q(record_type__isnull=True, record_id__isnull=True)
                | Q(record_type__isnull=False, record_id__isnull=False),
                name="draft_record_whole",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display().split()[-1].capitalize()}: {self.title}"

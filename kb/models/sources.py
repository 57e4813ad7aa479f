"""Sources: the stored articles that claims quote."""

import hashlib
import re

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from kb.choices import SourceKind, SourceReliability
from kb.dates import PartialDateAccessor, partial_date_constraints, partial_date_fields
from kb.links import record_path
from kb.models.base import KbModel


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# The lead-in that notes written at ingest open with; the reader prints its own.
_FURNITURE_LEAD = re.compile(r"^\s*removed (?:as page furniture|from the page)\s*:\s*", re.IGNORECASE)


class Source(KbModel):
    """An article, stored with its cleaned full text, that claims are anchored to."""

    partial_dates = ("published_on",)

    title = models.CharField(max_length=300)
    subtitle = models.CharField(max_length=500, blank=True)
    publisher = models.CharField(
        max_length=200, blank=True, db_index=True, help_text="Who published it; blank when the page does not say."
    )
    byline = models.CharField(max_length=300, blank=True, help_text="The author names as the article prints them.")
    authors = models.ManyToManyField(
        "kb.Actor", blank=True, related_name="authored_sources", help_text="Authors known as actors."
    )
    published_on, published_on_precision = partial_date_fields("published")
    url = models.URLField("URL", max_length=500, blank=True)
    kind = models.CharField(max_length=16, choices=SourceKind.choices, default=SourceKind.NEWS, db_index=True)
    reliability = models.CharField(
        "source reliability",
        max_length=1,
        choices=SourceReliability.choices,
        default=SourceReliability.F,
        help_text="Admiralty grade A–F of the publisher and author.",
    )
    language = models.CharField(max_length=10, default="en")
    text = models.TextField(help_text="The cleaned full text that claims quote. Offsets count characters.")
    sha256 = models.CharField("SHA-256 of text", max_length=64, unique=True, editable=False)
    furniture_note = models.TextField(
        blank=True, help_text="What page furniture (captions, pull-quotes, related links) was removed and why."
    )

    # Whether readers who are not editors may see the source at all: set the first time an
    # editor accepts one of its claims, or publishes it (services.source_publish). Not the
    # article's own publication date, which is ``published_on``.
    published_at = models.DateTimeField(
        "public since",
        null=True,
        blank=True,
        editable=False,
        help_text="When an editor made the source visible to readers; empty while it waits for review.",
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name="made public by",
    )

    published = PartialDateAccessor("published_on")

    history = HistoricalRecords(m2m_fields=[authors])

    class Meta:
        ordering = ["-published_on", "title"]
        # Lists, newest first, read their first page in index order; so do claims in their
        # default order (by source, then offset), walking sources by this index.
        indexes = [
            models.Index(fields=["-published_on", "title", "id"], name="source_published_order"),
            # The API's orderings (?ordering=title, created_at) read a page from the index.
            models.Index(fields=["title"], name="source_title_order"),
            models.Index(fields=["created_at"], name="source_created_order"),
            # Readers' lists, newest first, walk only the public sources.
            models.Index(
                fields=["-published_on", "title", "id"],
                condition=Q(published_at__isnull=False),
                name="source_public_order",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="source_title_not_empty"),
            models.CheckConstraint(condition=~Q(text=""), name="source_text_not_empty"),
            models.CheckConstraint(condition=Q(kind__in=SourceKind.values), name="source_kind_valid"),
            models.CheckConstraint(
                condition=Q(reliability__in=SourceReliability.values), name="source_reliability_valid"
            ),
            *partial_date_constraints("source", "published_on"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return record_path("kb:source-detail", self.pk)

    @property
    def is_public(self) -> bool:
        """True once readers who are not editors may see the source."""
        return self.published_at is not None

    @property
    def furniture_removed(self) -> str:
        """The furniture note without a lead-in of its own ("Removed as page furniture: …"): the reader adds one."""
        return _FURNITURE_LEAD.sub("", self.furniture_note, count=1).strip()

    def clean(self) -> None:
        self.sha256 = text_sha256(self.text or "")
        super().clean()

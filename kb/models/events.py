"""Events: summits, visits, signings, wars, publications, deaths, dated at their real precision."""

from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from kb.choices import EventKind
from kb.dates import PartialDateAccessor, partial_date_constraints, partial_date_fields
from kb.links import record_path
from kb.models.base import KbModel


class Event(KbModel):
    """Something that happened (or began) at a partially known time and place, with its participants."""

    partial_dates = ("start_on", "end_on")

    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=EventKind.choices, db_index=True)
    start_on, start_on_precision = partial_date_fields("start")
    end_on, end_on_precision = partial_date_fields("end", "Last period of the event, when it lasted.")
    place = models.ForeignKey("kb.Actor", on_delete=models.PROTECT, null=True, blank=True, related_name="events_here")
    participants = models.ManyToManyField("kb.Actor", blank=True, related_name="events")
    summary = models.TextField(blank=True)
    evidence = models.ManyToManyField("kb.Claim", blank=True, related_name="events")

    start = PartialDateAccessor("start_on")
    end = PartialDateAccessor("end_on")

    history = HistoricalRecords(m2m_fields=[participants, evidence])

    class Meta:
        ordering = ["start_on", "title"]
        # The timeline's list in date order reads its page from the index, not every event.
        indexes = [
            models.Index(fields=["start_on", "title", "id"], name="event_start_order"),
            # The API's orderings (?ordering=title, created_at) read a page from the index.
            models.Index(fields=["title"], name="event_title_order"),
            models.Index(fields=["created_at"], name="event_created_order"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="event_title_not_empty"),
            models.CheckConstraint(condition=Q(kind__in=EventKind.values), name="event_kind_valid"),
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(start_on__isnull=False), name="event_end_needs_start"
            ),
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(end_on__gte=F("start_on")),
                name="event_end_not_before_start",
            ),
            *partial_date_constraints("event", "start_on", "end_on"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return record_path("kb:event-detail", self.slug, kwarg="slug")

    def clean_fields_together(self) -> dict[str, list[str]]:
        if self.end_on and not self.start_on:
            return {"start_on": ["An event with an end date needs a start date."]}
        if self.start_on and self.end_on and self.end_on < self.start_on:
            return {"end_on": ["The end date is before the start date."]}
        return {}

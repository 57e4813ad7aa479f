"""Actors (states, people, organisations, facilities, places), their aliases and relationships."""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from kb.choices import ActorKind, RelationshipPredicate
from kb.dates import PartialDateAccessor, partial_date_constraints, partial_date_fields
from kb.ingest.normalize import name_sort_key, normalize_name
from kb.links import record_path
from kb.models.base import KbModel


class Actor(KbModel):
    """A state, person, organisation, facility or place that claims speak about."""

    partial_dates = ("start_on", "end_on")

    kind = models.CharField(max_length=16, choices=ActorKind.choices, db_index=True)
    name = models.CharField(max_length=200, help_text="The name an analyst would look for first.")
    # Kept by save(): lists sort by it through its index, with accents and case folded.
    sort_name = models.CharField(max_length=200, blank=True, editable=False)
    slug = models.SlugField(max_length=200, unique=True)
    summary = models.TextField(blank=True)
    country_code = models.CharField(
        "ISO country code",
        max_length=2,
        blank=True,
        db_index=True,
        validators=[RegexValidator(r"^[A-Z]{2}$", "An ISO 3166-1 alpha-2 code in capitals, such as RU or KP.")],
        help_text="ISO 3166-1 alpha-2: the state itself, or the country a person or body belongs to.",
    )
    start_on, start_on_precision = partial_date_fields("born or founded")
    end_on, end_on_precision = partial_date_fields("died or dissolved")
    wikidata_id = models.CharField(
        "Wikidata QID",
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^Q[1-9][0-9]*$", "A Wikidata item id such as Q423.")],
    )

    start = PartialDateAccessor("start_on")
    end = PartialDateAccessor("end_on")

    history = HistoricalRecords()

    class Meta:
        ordering = ["sort_name", "id"]
        # Lists in name order read the first page from the index, not every actor.
        indexes = [
            models.Index(fields=["sort_name", "id"], name="actor_sort_name_order"),
            models.Index(fields=["name", "id"], name="actor_name_order"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="actor_name_not_empty"),
            models.CheckConstraint(condition=~Q(slug=""), name="actor_slug_not_empty"),
            models.CheckConstraint(condition=Q(kind__in=ActorKind.values), name="actor_kind_valid"),
            models.UniqueConstraint(
                fields=["wikidata_id"], condition=~Q(wikidata_id=""), name="actor_wikidata_id_unique"
            ),
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(start_on__isnull=True) | Q(end_on__gte=F("start_on")),
                name="actor_end_not_before_start",
            ),
            *partial_date_constraints("actor", "start_on", "end_on"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return record_path("kb:actor-detail", self.slug, kwarg="slug")

    def save(self, *args, **kwargs) -> None:
        self.sort_name = name_sort_key(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "sort_name"}
        super().save(*args, **kwargs)

    def clean_fields_together(self) -> dict[str, list[str]]:
        if self.start_on and self.end_on and self.end_on < self.start_on:
            return {"end_on": ["The end date is before the start date."]}
        return {}


class Alias(KbModel):
    """One spelling of an actor's name; ``normalized`` is its lookup form."""

    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)
    normalized = models.CharField(max_length=200, db_index=True, editable=False)
    language = models.CharField(max_length=10, blank=True, help_text="BCP 47 tag, e.g. en, ko, ru-Latn.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["actor", "name"]
        verbose_name_plural = "aliases"
        constraints = [
            models.CheckConstraint(condition=~Q(normalized=""), name="alias_normalized_not_empty"),
            models.UniqueConstraint(fields=["actor", "normalized"], name="alias_unique_per_actor"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.normalized = normalize_name(self.name)
        super().clean()

    def clean_fields_together(self) -> dict[str, list[str]]:
        if not self.normalized:
            return {"name": [f"The alias {self.name!r} has no letters or digits."]}
        return {}


class Relationship(KbModel):
    """A statement that one actor stands in a relation to another (subject –predicate→ object)."""

    partial_dates = ("valid_from", "valid_until")

    subject = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="relationships_out")
    predicate = models.CharField(max_length=32, choices=RelationshipPredicate.choices, db_index=True)
    object = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="relationships_in")
    valid_from, valid_from_precision = partial_date_fields("valid from")
    valid_until, valid_until_precision = partial_date_fields("valid until")
    note = models.TextField(blank=True)
    evidence = models.ManyToManyField("kb.Claim", blank=True, related_name="relationships")

    valid_from_date = PartialDateAccessor("valid_from")
    valid_until_date = PartialDateAccessor("valid_until")

    history = HistoricalRecords(m2m_fields=[evidence])

    class Meta:
        ordering = ["subject__name", "predicate", "object__name"]
        # An actor's relationships by predicate, from either end: a dossier reads its first ones in
        # index order instead of sorting the thousands of the most-mentioned actors.
        indexes = [
            models.Index(fields=["subject", "predicate"], name="relationship_subject_order"),
            models.Index(fields=["object", "predicate"], name="relationship_object_order"),
            # The API's ?ordering=valid_from reads a page from the index.
            models.Index(fields=["valid_from"], name="relationship_valid_order"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(subject=F("object")), name="relationship_not_reflexive"),
            models.CheckConstraint(
                condition=Q(predicate__in=RelationshipPredicate.values), name="relationship_predicate_valid"
            ),
            models.UniqueConstraint(
                fields=["subject", "predicate", "object"],
                condition=Q(valid_from__isnull=True),
                name="relationship_unique_undated",
            ),
            models.UniqueConstraint(
                fields=["subject", "predicate", "object", "valid_from"],
                condition=Q(valid_from__isnull=False),
                name="relationship_unique_dated",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="relationship_until_not_before_from",
            ),
            *partial_date_constraints("relationship", "valid_from", "valid_until"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.get_predicate_display()} {self.object}"

    def get_absolute_url(self) -> str:
        return record_path("kb:actor-detail", self.subject.slug, kwarg="slug")

    def clean_fields_together(self) -> dict[str, list[str]]:
        errors = {}
        if self.subject_id and self.subject_id == self.object_id:
            errors["object"] = ["An actor cannot be related to itself."]
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            errors["valid_until"] = ["valid_until is before valid_from."]
        return errors

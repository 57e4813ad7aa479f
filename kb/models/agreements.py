"""Agreements between actors: their parties and signatories, provisions and evidence."""

from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from kb.choices import AgreementKind, AgreementStatus, ProvisionKind, RatificationKind
from kb.dates import PartialDate, PartialDateAccessor, partial_date_constraints, partial_date_fields
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
    """One party to an agreement: who signed for it, and its own steps to being bound, with their evidence.

    The steps are those the UN Treaty Collection records for each participant: its signature,
    its ratification (or accession, acceptance, approval) and the date the agreement entered
    into force for it, each a partial date. A party that accedes has no signature.
    """

    partial_dates = ("signed_on", "ratified_on", "in_force_on")
    # The steps in the order a party takes them, with the words the errors use.
    LADDER = (
        ("signed_on", "the signature"),
        ("ratified_on", "the ratification"),
        ("in_force_on", "the entry into force"),
    )

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="party_links")
    actor = models.ForeignKey("kb.Actor", on_delete=models.PROTECT, related_name="agreement_parties")
    signatory = models.ForeignKey(
        "kb.Actor", on_delete=models.PROTECT, null=True, blank=True, related_name="agreements_signed"
    )
    signed_on, signed_on_precision = partial_date_fields("signed", "When this party signed.")
    ratified_on, ratified_on_precision = partial_date_fields(
        "ratified", "When this party ratified, acceded, accepted or approved."
    )
    ratification_kind = models.CharField(
        max_length=12,
        choices=RatificationKind.choices,
        blank=True,
        default="",
        help_text="How it consented to be bound; given with the ratification date.",
    )
    in_force_on, in_force_on_precision = partial_date_fields(
        "in force", "When the agreement entered into force for it."
    )
    evidence = models.ManyToManyField("kb.Claim", blank=True, related_name="agreement_parties")

    signed = PartialDateAccessor("signed_on")
    ratified = PartialDateAccessor("ratified_on")
    in_force = PartialDateAccessor("in_force_on")

    history = HistoricalRecords(m2m_fields=[evidence])

    class Meta:
        ordering = ["agreement", "actor__name"]
        verbose_name_plural = "agreement parties"
        indexes = [
            # ?ratified_by= and ?in_force_for= look up one actor's parties with the step recorded.
            models.Index(fields=["actor", "ratified_on"], name="agreementparty_ratified"),
            models.Index(fields=["actor", "in_force_on"], name="agreementparty_in_force"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "actor"], name="agreementparty_unique"),
            models.CheckConstraint(
                condition=Q(ratification_kind__in=["", *RatificationKind.values]),
                name="agreementparty_ratification_kind_valid",
            ),
            models.CheckConstraint(
                condition=(Q(ratified_on__isnull=True) & Q(ratification_kind=""))
                | (Q(ratified_on__isnull=False) & ~Q(ratification_kind="")),
                name="agreementparty_ratification_kind_with_date",
                violation_error_message="ratified_on and ratification_kind must be given together.",
            ),
            *partial_date_constraints("agreementparty", "signed_on", "ratified_on", "in_force_on"),
        ]

    def __str__(self) -> str:
        return f"{self.actor} in {self.agreement}"

    def clean_fields_together(self) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        if self.ratified_on is not None and not self.ratification_kind:
            errors["ratification_kind"] = [
                "Say how the party consented to be bound: ratification, accession, acceptance or approval."
            ]
        if self.ratified_on is None and self.ratification_kind:
            errors["ratified_on"] = [f"A {self.ratification_kind} needs its date (ratified_on)."]
        if self.ratification_kind == RatificationKind.ACCESSION and self.signed_on is not None:
            errors["ratification_kind"] = [
                "An accession is how a party that did not sign becomes bound, but this party signed "
                f"({self.signed}): record its ratification, acceptance or approval instead, or remove the signature."
            ]
        steps = [(name, words, self._step(name)) for name, words in self.LADDER]
        for later, (name, words, date) in enumerate(steps):
            if date is None or name in errors:
                continue
            for earlier_name, earlier_words, earlier in steps[:later]:
                # Only a step certainly earlier is refused: "2024" may hold 19 June 2024 and what follows.
                if earlier is not None and date.end < earlier.start:
                    errors[name] = [
                        f"{words.capitalize()} ({date}) is before {earlier_words} ({earlier_name}, {earlier}); "
                        "a party's steps come in the order signature, ratification, entry into force."
                    ]
                    break
        return errors

    def _step(self, name: str) -> PartialDate | None:
        try:
            return getattr(self, name.removesuffix("_on"))
        except ValueError:
            return None  # an invalid date or precision: reported by validate_partial_date


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
                fields=["agreement", "label"],
                condition=~Q(label=""),
                name="provision_label_unique",
                violation_error_message="Two provisions of one agreement cannot have the same label.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label or self.get_kind_display()} of {self.agreement}"

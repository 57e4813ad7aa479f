"""Evaluate ingest against the curated corpus: precision and recall of proposed claims, actors, modality, dates."""

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from kb import services
from kb.corpus import DEFAULT_PATH, CorpusError, read_corpus
from kb.errors import error_line
from kb.ingest.evaluate import ClaimSpan, Scores, match, matches, score
from kb.models import Actor, Claim, Source

FIGURES = [
    ("claims", "claim_precision", "claim_recall"),
    ("subjects of matched claims", "subject_precision", "subject_recall"),
    ("records cited by matched claims", "link_precision", "link_recall"),
    ("actors recognised per article", "actor_precision", "actor_recall"),
]


def alias_names(row: dict) -> list[str]:
    """An actor fixture's aliases, given as strings or as tables with a name and a language."""
    return [alias if isinstance(alias, str) else alias["name"] for alias in row.get("aliases", [])]


class Command(BaseCommand):
    help = (
        "Ingest the corpus's source texts into an empty database that holds only the corpus's actors, "
        "agreements and transfers (not its claims), compare the proposed claims with the curated ones "
        "and print precision and recall. Everything is rolled back at the end; `make eval-ingest` runs "
        "it on a scratch database."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--path", type=Path, default=DEFAULT_PATH, help="Corpus directory (default fixtures/corpus)."
        )
        parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
        parser.add_argument("--verbose", action="store_true", help="List missed, spurious and disagreeing claims.")

    def handle(self, *args, path: Path, **options) -> None:
        try:
            corpus = read_corpus(path)
        except CorpusError as exc:
            raise CommandError(str(exc)) from None
        if Actor.objects.exists() or Source.objects.exists():
            raise CommandError(
                "eval_ingest needs an empty database (it loads the corpus's actors itself); "
                "run `make eval-ingest`, which makes a scratch one."
            )
        try:
            with transaction.atomic():
                results = self.evaluate(corpus, verbose=options["verbose"])
                transaction.set_rollback(True)
        except ValidationError as exc:
            raise CommandError(error_line(exc)) from None
        total = sum((scores for _name, scores in results), Scores())
        if options["json"]:
            report = {name: {**s.figures(), "proposed": s.proposed, "curated": s.curated} for name, s in results}
            report["total"] = {**total.figures(), "proposed": total.proposed, "curated": total.curated}
            self.stdout.write(json.dumps(report, indent=2))
            return
        for name, scores in [*results, ("total", total)]:
            self.write_scores(name, scores)

    def evaluate(self, corpus, *, verbose: bool) -> list[tuple[str, Scores]]:
        actors = {}
        for slug, row in corpus.actors:
            actors[slug] = services.actor_create(
                user=None,
                name=row["name"],
                kind=row["kind"],
                slug=slug,
                aliases=alias_names(row),
                country_code=row.get("country_code", ""),
            )
        cited: dict[str, set[str]] = {}  # curated claim key -> records it is evidence of
        for slug, row in corpus.agreements:
            parties = [actors[party["actor"]] for party in row.get("parties", []) if party["actor"] in actors]
            services.agreement_create(
                user=None,
                title=row["title"],
                slug=slug,
                kind=row["kind"],
                status=row["status"],
                parties=parties,
                signed_on=row.get("signed"),
            )
            for key in row["evidence"]:
                cited.setdefault(key, set()).add(f"agreement:{slug}")
        for slug, row in corpus.events:
            services.event_create(user=None, title=row["title"], slug=slug, kind=row["kind"])
            for key in row["evidence"]:
                cited.setdefault(key, set()).add(f"event:{slug}")
        transfer_keys = {}
        for transfer_key, row in corpus.transfers:
            for key in row["evidence"]:
                cited.setdefault(key, set()).add(f"transfer:{transfer_key}")
            transfer = services.transfer_create(
                user=None,
                supplier=actors[row["supplier"]],
                recipient=actors[row["recipient"]],
                category=row["category"],
                designation=row.get("designation", ""),
                description=row["description"],
                status=row["status"],
            )
            transfer_keys[transfer.pk] = transfer_key
        results = []
        for fixture in corpus.sources:
            meta = fixture.fields
            result = services.source_ingest(
                user=None,
                content=fixture.text.encode("utf-8"),
                filename=meta["text_file"],
                title=meta["title"],
                publisher=meta["publisher"],
                published_on=meta.get("published", ""),
                kind=meta["kind"],
            )
            claims = Claim.objects.filter(pk__in=[c.pk for c in result.claims]).order_by("start")
            proposed = [
                ClaimSpan(
                    start=claim.start,
                    end=claim.end,
                    modality=claim.modality,
                    subjects=frozenset(actor.slug for actor in claim.subjects.all()),
                    about=str(claim.about) if claim.about else None,
                    links=frozenset(
                        [f"agreement:{a.slug}" for a in claim.agreements.all()]
                        + [f"event:{e.slug}" for e in claim.events.all()]
                        + [f"transfer:{transfer_keys[t.pk]}" for t in claim.transfers.all()]
                    ),
                )
                for claim in claims.prefetch_related("subjects", "agreements", "events", "transfers")
            ]
            curated = []
            for key, row in fixture.claims:
                anchor = corpus.anchors[key]
                curated.append(
                    ClaimSpan(
                        start=anchor.start,
                        end=anchor.end,
                        modality=row["modality"],
                        subjects=frozenset(row.get("subjects", [])),
                        about=row.get("about"),
                        links=frozenset(cited.get(key, ())),
                    )
                )
            scores = score(proposed, curated, recognised=[actor.slug for actor in result.actors])
            results.append((meta["title"], scores))
            if verbose:
                self.write_details(fixture.text, proposed, curated, result.candidates)
        return results

    def write_scores(self, name: str, scores: Scores) -> None:
        figures = scores.figures()
        self.stdout.write(self.style.MIGRATE_HEADING(name))
        self.stdout.write(
            f"  {scores.proposed} proposed ({scores.useful} match a curated claim), "
            f"{scores.curated} curated ({scores.matched} matched by a proposal)"
        )
        for label, precision, recall in FIGURES:
            self.stdout.write(f"  {label:<32} precision {figures[precision]:.2f}  recall {figures[recall]:.2f}")
        agreement = f"{figures['modality_agreement']:.2f} ({scores.modality_agree}/{scores.matched})"
        self.stdout.write(f"  {'modality agreement':<32} {agreement}")
        self.stdout.write(
            f"  {'dates of matched claims':<32} precision {figures['date_precision']:.2f}  "
            f"recall {figures['date_recall']:.2f} "
            f"({scores.proposed_dated} proposed dated, {scores.dated} curated dated)"
        )
        disagreements = {k: v for k, v in scores.confusion.items() if k[0] != k[1]}
        if disagreements:
            listed = ", ".join(f"{c}→{p} {n}" for (c, p), n in sorted(disagreements.items()))
            self.stdout.write(f"  modality disagreements (curated→proposed): {listed}")

    def write_details(self, text: str, proposed: list[ClaimSpan], curated: list[ClaimSpan], candidates) -> None:
        pairs = match(proposed, curated)
        matched_c = {j for _, j in pairs}
        matched_p = {i for i, p in enumerate(proposed) if any(matches(p, c) for c in curated)}

        def quote(span: ClaimSpan) -> str:
            words = text[span.start : span.end]
            return words if len(words) <= 110 else words[:109] + "…"

        for j, c in enumerate(curated):
            if j not in matched_c:
                self.stdout.write(f"  missed   [{c.modality}] {quote(c)}")
        for i, p in enumerate(proposed):
            if i not in matched_p:
                self.stdout.write(f"  spurious [{p.modality}] {quote(p)}")
        for i, j in pairs:
            p, c = proposed[i], curated[j]
            if p.modality != c.modality or p.subjects != c.subjects or (c.about and p.about != c.about):
                self.stdout.write(
                    f"  differs  {quote(c)}\n"
                    f"           modality {c.modality}/{p.modality} about {c.about}/{p.about} "
                    f"subjects curated {sorted(c.subjects)} proposed {sorted(p.subjects)}"
                )
            if p.links != c.links:
                self.stdout.write(f"  links    {quote(c)}: curated {sorted(c.links)} proposed {sorted(p.links)}")
        self.stdout.write(f"  candidates: {', '.join(candidates) or 'none'}")

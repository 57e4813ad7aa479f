"""Sentence-level gold annotations: the ingest development set and the corpus's sources, read and checked.

Each development article is ``<name>.txt`` or ``<name>.html`` beside ``<name>.json``; each corpus
source is annotated in ``<source file name>.json`` and ingested with its own text and fields
(the annotation guide, the same for both, is in docs/ingest.md). Reading checks the
annotation's form; :func:`anchor` finds each gold sentence, in order, in the text ingest
extracts from the article; :func:`unknown_references` lists the slugs it names that the corpus
does not hold.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from kb.choices import Modality, SourceKind, SourceReliability
from kb.corpus import Corpus
from kb.dates import PartialDate

DEFAULT_DEVSET_PATH = Path(settings.BASE_DIR) / "tests" / "data" / "ingest_dev"
DEFAULT_CORPUS_GOLD_PATH = Path(settings.BASE_DIR) / "tests" / "data" / "ingest_corpus"
# Articles written and annotated after the rules, in the development set's form, to measure them
# on text they were not made on: the rules are never changed for them (docs/ingest.md).
DEFAULT_HELDOUT_PATH = Path(settings.BASE_DIR) / "tests" / "data" / "ingest_heldout"
ARTICLE_SUFFIXES = (".txt", ".html")
RECORD_KINDS = ("agreement", "event", "transfer")
DRAFT_KINDS = ("actor", "event", "transfer", "relationship", "milestone")
# Draft data keys that hold actor slugs, one or several.
DRAFT_ACTOR_KEYS = frozenset({"supplier", "recipient", "participants", "place", "subject", "object", "party"})


class DevsetError(Exception):
    """A development-set file is missing, malformed or does not fit its article."""


@dataclass(frozen=True)
class GoldSentence:
    """One sentence of an article as annotated: whether it is worth citing, and what a claim of it says."""

    text: str
    cite: bool
    modality: str = ""
    about: str | None = None
    subjects: frozenset[str] = frozenset()
    speaker: str | None = None
    attributed_to: str | None = None
    cites: frozenset[str] = frozenset()  # "agreement:<slug>", "event:<slug>", "transfer:<corpus key>"


@dataclass(frozen=True)
class GoldDraft:
    """A draft record the article should yield: its kind, the sentence it comes from, the values annotated."""

    kind: str
    sentence: str
    data: dict[str, Any]


@dataclass
class GoldArticle:
    """One development article: its file, the source fields to ingest it with, and its annotation."""

    name: str
    path: Path
    title: str
    publisher: str
    published_on: str
    kind: str
    reliability: str
    sentences: list[GoldSentence]
    new_names: list[tuple[str, ...]]  # each name with its accepted spellings
    drafts: list[GoldDraft]
    content: bytes | None = None  # what is ingested, when it is not the file's bytes (a corpus source's text)
    annotates_drafts: bool = True  # the corpus's records are stored already: its annotation lists no drafts

    def read(self) -> bytes:
        return self.path.read_bytes() if self.content is None else self.content


def read_devset(path: Path = DEFAULT_DEVSET_PATH) -> list[GoldArticle]:
    """Every annotated article of the directory, by name; DevsetError names the file and what is wrong."""
    if not path.is_dir():
        raise DevsetError(f"{path}: no such directory of annotated articles.")
    articles = [read_article(gold) for gold in sorted(path.glob("*.json"))]
    if not articles:
        raise DevsetError(f"{path}: no annotated article (<name>.json beside <name>.txt or .html).")
    return articles


def read_article(gold: Path) -> GoldArticle:
    """One article's annotation and the path of its text."""
    texts = [gold.with_suffix(suffix) for suffix in ARTICLE_SUFFIXES if gold.with_suffix(suffix).is_file()]
    if len(texts) != 1:
        raise DevsetError(f"{gold}: expected one article file beside it ({gold.stem}.txt or {gold.stem}.html).")
    try:
        row = json.loads(gold.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DevsetError(f"{gold}: not valid JSON ({exc}).") from None
    try:
        return _article(gold.stem, texts[0], row)
    except (KeyError, TypeError, ValueError) as exc:
        raise DevsetError(f"{gold}: {exc}") from None


def read_corpus_gold(corpus: Corpus, path: Path = DEFAULT_CORPUS_GOLD_PATH) -> list[GoldArticle]:
    """The corpus's sources as annotated sentence by sentence: one ``<source file name>.json`` for each,
    holding ``sentences`` and ``new_names``; the title, dates, kind and text are the source's own."""
    sources = {Path(fixture.file).stem: fixture for fixture in corpus.sources}
    golds = {gold.stem: gold for gold in sorted(path.glob("*.json"))} if path.is_dir() else {}
    if missing := sorted(sources.keys() - golds.keys()):
        raise DevsetError(f"{path}: no sentence annotation of the corpus source {', '.join(missing)}.")
    if unknown := sorted(golds.keys() - sources.keys()):
        raise DevsetError(f"{path}: {', '.join(unknown)} is no corpus source.")
    articles = []
    for name, gold in golds.items():
        fixture = sources[name]
        try:
            row = json.loads(gold.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise DevsetError(f"{gold}: not valid JSON ({exc}).") from None
        if not isinstance(row, dict) or "drafts" in row:
            raise DevsetError(f"{gold}: expected an object with sentences and new_names, and no drafts.")
        meta = fixture.fields
        source = {
            "title": meta["title"],
            # Ingest asks for a publisher; a corpus source that names none is scored all the same.
            "publisher": meta.get("publisher") or "(corpus source without publisher)",
            "published_on": meta.get("published", ""),
            "kind": meta["kind"],
            "reliability": meta.get("reliability", SourceReliability.F),
        }
        try:
            article = _article(name, gold.with_name(meta["text_file"]), source | row)
        except (KeyError, TypeError, ValueError) as exc:
            raise DevsetError(f"{gold}: {exc}") from None
        article.content = fixture.text.encode("utf-8")
        article.annotates_drafts = False
        articles.append(article)
    return articles


def _article(name: str, path: Path, row: dict[str, Any]) -> GoldArticle:
    for key in ("title", "publisher", "published_on", "kind", "reliability", "sentences"):
        if key not in row:
            raise KeyError(f"the field {key!r} is missing")
    PartialDate.parse(row["published_on"])
    if row["kind"] not in SourceKind.values:
        raise ValueError(f"kind {row['kind']!r} is not one of {', '.join(SourceKind.values)}")
    if row["reliability"] not in SourceReliability.values:
        raise ValueError(f"reliability {row['reliability']!r} is not one of {', '.join(SourceReliability.values)}")
    sentences = [_sentence(n, item) for n, item in enumerate(row["sentences"], 1)]
    names = []
    for item in row.get("new_names", []):
        forms = (item,) if isinstance(item, str) else tuple(item)
        if not forms or not all(isinstance(form, str) and form.strip() for form in forms):
            raise ValueError(f"new name {item!r} is neither a name nor a list of its spellings")
        names.append(forms)
    texts = {sentence.text for sentence in sentences}
    drafts = []
    for item in row.get("drafts", []):
        if item["kind"] not in DRAFT_KINDS:
            raise ValueError(f"draft kind {item['kind']!r} is not one of {', '.join(DRAFT_KINDS)}")
        if item["sentence"] not in texts:
            raise ValueError(f"the draft's sentence is not one of the article's: {item['sentence']!r}")
        if not isinstance(item["data"], dict) or not item["data"]:
            raise ValueError(f"the draft from {item['sentence']!r} has no data")
        drafts.append(GoldDraft(kind=item["kind"], sentence=item["sentence"], data=dict(item["data"])))
    return GoldArticle(
        name=name,
        path=path,
        title=row["title"],
        publisher=row["publisher"],
        published_on=row["published_on"],
        kind=row["kind"],
        reliability=row["reliability"],
        sentences=sentences,
        new_names=names,
        drafts=drafts,
    )


def _sentence(number: int, item: dict[str, Any]) -> GoldSentence:
    text, cite = item["text"], item["cite"]
    if not isinstance(text, str) or not text.strip() or not isinstance(cite, bool):
        raise ValueError(f"sentence {number} needs a text and cite true or false")
    if not cite:
        return GoldSentence(text=text, cite=False)
    if item["modality"] not in Modality.values:
        raise ValueError(f"sentence {number}: modality {item['modality']!r} is not one of {', '.join(Modality.values)}")
    about = item.get("about")
    if about is not None:
        try:
            written = str(PartialDate.parse(about))
        except ValueError:
            written = None
        if written != about:
            raise ValueError(f"sentence {number}: about {about!r} is not written as 2024-06-19, 2024-06, 2024 or 2020s")
    for name in ("subjects", "cites"):
        if not isinstance(item.get(name, []), list) or not all(isinstance(v, str) for v in item.get(name, [])):
            raise ValueError(f"sentence {number}: {name} must be a list of strings")
    for cited in item.get("cites", []):
        if cited.partition(":")[0] not in RECORD_KINDS:
            raise ValueError(f"sentence {number}: citation {cited!r} is not agreement:, event: or transfer:<key>")
    return GoldSentence(
        text=text,
        cite=True,
        modality=item["modality"],
        about=about,
        subjects=frozenset(item.get("subjects", [])),
        speaker=item.get("speaker"),
        attributed_to=item.get("attributed_to"),
        cites=frozenset(item.get("cites", [])),
    )


def anchor(article: GoldArticle, text: str) -> list[tuple[int, int]]:
    """The offsets of every gold sentence in the extracted text, found in order; DevsetError names one not found."""
    spans, position = [], 0
    for sentence in article.sentences:
        start = text.find(sentence.text, position)
        if start < 0:
            raise DevsetError(f"{article.name}: sentence not found (in order) in the extracted text: {sentence.text!r}")
        position = start + len(sentence.text)
        spans.append((start, position))
    return spans


def unknown_references(articles: list[GoldArticle], corpus: Corpus) -> list[str]:
    """Every actor slug, record reference and draft slug of the annotation that the corpus does not hold."""
    actors = {slug for slug, _ in corpus.actors}
    known = {
        *(f"agreement:{slug}" for slug, _ in corpus.agreements),
        *(f"event:{slug}" for slug, _ in corpus.events),
        *(f"transfer:{key}" for key, _ in corpus.transfers),
    }
    agreements = {slug for slug, _ in corpus.agreements}
    unknown = []
    for article in articles:
        for sentence in article.sentences:
            slugs = {*sentence.subjects, *([sentence.speaker] if sentence.speaker else [])}
            unknown += [f"{article.name}: actor {slug}" for slug in sorted(slugs - actors)]
            unknown += [f"{article.name}: {cited}" for cited in sorted(sentence.cites - known)]
        for draft in article.drafts:
            for key, value in draft.data.items():
                values = value if isinstance(value, list) else [value]
                if key in DRAFT_ACTOR_KEYS:
                    unknown += [f"{article.name}: draft actor {v}" for v in values if v and v not in actors]
                if key == "agreement" and value not in agreements:
                    unknown += [f"{article.name}: draft agreement {value}"]
    return unknown

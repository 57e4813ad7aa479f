"""The ingest development set (its gold annotation is well formed and fits its articles) and the dev-set scoring."""

import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from kb.corpus import DEFAULT_PATH, read_corpus
from kb.ingest.extract import article_text
from kbdev.ingest_eval.devset import (
    DEFAULT_DEVSET_PATH,
    DEFAULT_HELDOUT_PATH,
    DevsetError,
    anchor,
    read_corpus_gold,
    read_devset,
    unknown_references,
)
from kbdev.ingest_eval.scoring import ClaimSpan
from kbdev.ingest_eval.sentences import Gold, is_common, score_sentences

ARTICLES = read_devset(DEFAULT_DEVSET_PATH)
CORPUS = read_corpus(DEFAULT_PATH)
SOURCES = read_corpus_gold(CORPUS)  # the corpus's sources, annotated under the same guide
HELDOUT = read_devset(DEFAULT_HELDOUT_PATH)  # articles the rules were not made on, in the same form


def extracted(article) -> str:
    return article_text(
        article.read(),
        filename=article.path.name,
        max_bytes=settings.KB_INGEST_MAX_BYTES,
        title=article.title,
    ).text


# --- the gold files -------------------------------------------------------------------


def test_the_development_set_has_six_articles_of_every_kind_one_of_them_html():
    assert len(ARTICLES) >= 6
    assert {article.kind for article in ARTICLES} == {"news", "analysis", "opinion", "official"}
    assert any(article.path.suffix == ".html" for article in ARTICLES)


def test_the_held_out_set_is_apart_from_the_development_set_and_annotates_drafts():
    assert len(HELDOUT) >= 4
    assert not {article.name for article in HELDOUT} & {article.name for article in ARTICLES}
    assert all(article.annotates_drafts for article in HELDOUT)


@pytest.mark.parametrize("article", ARTICLES + SOURCES + HELDOUT, ids=lambda a: a.name)
def test_every_gold_sentence_is_in_its_article_and_together_they_are_the_whole_text(article):
    text = extracted(article)
    spans = anchor(article, text)  # raises DevsetError on a sentence not found, in order
    rest = list(text)
    for start, end in spans:
        rest[start:end] = " " * (end - start)
    assert "".join(rest).strip() == "", "every sentence of the body is annotated"
    words = len(re.findall(r"\w+", text))
    assert 550 <= words <= 1300, words
    assert sum(sentence.cite for sentence in article.sentences) >= 20


@pytest.mark.parametrize("article", ARTICLES + SOURCES + HELDOUT, ids=lambda a: a.name)
def test_new_names_and_drafts_are_the_articles_own(article):
    text = extracted(article)
    for forms in article.new_names:
        assert any(form in text for form in forms), forms
    sentences = {sentence.text for sentence in article.sentences}
    assert all(draft.sentence in sentences for draft in article.drafts)


def test_every_slug_of_the_annotation_is_the_corpuss():
    assert unknown_references(ARTICLES + SOURCES + HELDOUT, CORPUS) == []


def test_every_corpus_source_is_annotated_with_its_own_text_and_fields():
    by_name = {article.name: article for article in SOURCES}
    assert set(by_name) == {Path(fixture.file).stem for fixture in CORPUS.sources}
    for fixture in CORPUS.sources:
        article = by_name[Path(fixture.file).stem]
        assert article.read() == fixture.text.encode("utf-8")
        assert (article.title, article.kind, article.published_on) == (
            fixture.fields["title"],
            fixture.fields["kind"],
            fixture.fields["published"],
        )
        assert not article.annotates_drafts and article.drafts == []


def test_a_corpus_annotation_that_is_missing_stray_or_lists_drafts_is_refused(tmp_path):
    with pytest.raises(DevsetError, match="no sentence annotation of the corpus source grzelczyk"):
        read_corpus_gold(CORPUS, tmp_path)
    for article in SOURCES:
        (tmp_path / f"{article.name}.json").write_text(json.dumps({"sentences": []}), encoding="utf-8")
    (tmp_path / "elsewhere.json").write_text(json.dumps({"sentences": []}), encoding="utf-8")
    with pytest.raises(DevsetError, match="elsewhere is no corpus source"):
        read_corpus_gold(CORPUS, tmp_path)
    (tmp_path / "elsewhere.json").unlink()
    assert [len(article.sentences) for article in read_corpus_gold(CORPUS, tmp_path)] == [0, 0]
    first = tmp_path / f"{SOURCES[0].name}.json"
    first.write_text(json.dumps({"sentences": [], "drafts": []}), encoding="utf-8")
    with pytest.raises(DevsetError, match="and no drafts"):
        read_corpus_gold(CORPUS, tmp_path)
    first.write_text(json.dumps({"sentences": [{"text": "x", "cite": True, "modality": "rumour"}]}), encoding="utf-8")
    with pytest.raises(DevsetError, match=rf"{first.name}: sentence 1: modality 'rumour'"):
        read_corpus_gold(CORPUS, tmp_path)


def test_a_malformed_gold_file_is_refused_naming_it(tmp_path):
    (tmp_path / "a.txt").write_text("Russia said so.", encoding="utf-8")
    gold = {"title": "T", "publisher": "P", "published_on": "2024-02-30", "kind": "news", "reliability": "B"}
    (tmp_path / "a.json").write_text(json.dumps({**gold, "sentences": []}), encoding="utf-8")
    with pytest.raises(DevsetError, match=r"a\.json: .*2024-02-30"):
        read_devset(tmp_path)
    gold["published_on"] = "2024-02-03"
    sentence = {"text": "Russia said so.", "cite": True, "modality": "rumour"}
    (tmp_path / "a.json").write_text(json.dumps({**gold, "sentences": [sentence]}), encoding="utf-8")
    with pytest.raises(DevsetError, match="modality 'rumour'"):
        read_devset(tmp_path)
    sentence.update(modality="statement", about="June 2024")
    (tmp_path / "a.json").write_text(json.dumps({**gold, "sentences": [sentence]}), encoding="utf-8")
    with pytest.raises(DevsetError, match="about 'June 2024'"):
        read_devset(tmp_path)
    for name, value in (("cites", [5]), ("subjects", "russia")):
        bad = {**sentence, "about": "2024-06", name: value}
        (tmp_path / "a.json").write_text(json.dumps({**gold, "sentences": [bad]}), encoding="utf-8")
        with pytest.raises(DevsetError, match=f"{name} must be a list of strings"):
            read_devset(tmp_path)
    (tmp_path / "a.txt").unlink()
    with pytest.raises(DevsetError, match="expected one article file"):
        read_devset(tmp_path)


def test_a_sentence_missing_from_the_text_is_named():
    article = ARTICLES[0]
    with pytest.raises(DevsetError, match="sentence not found"):
        anchor(article, "Nothing of the article.")


# --- scoring on hand-made cases --------------------------------------------------------

TEXT = "Russia signed it in June. Kim said it works. Read more. In March nothing happened."
S1, S2, S3, S4 = (0, 25), (26, 44), (45, 55), (56, 82)


def gold(span, **fields) -> Gold:
    return Gold(start=span[0], end=span[1], text=TEXT[span[0] : span[1]], cite=fields.pop("cite", True), **fields)


def proposal(span, modality="fact", **fields) -> ClaimSpan:
    return ClaimSpan(start=span[0], end=span[1], modality=modality, **fields)


GOLD = [
    gold(S1, modality="fact", about="2024-06", subjects=frozenset({"russia"}), cites=frozenset({"agreement:csp"})),
    gold(S2, modality="statement", subjects=frozenset({"kim-jong-un"}), speaker="kim-jong-un", attributed_to="Kim"),
    gold(S3, cite=False),
    gold(S4, modality="fact", about="2024-03"),
]


def test_a_sentence_not_proposed_is_a_miss_and_lowers_recall():
    scores = score_sentences([proposal(S1, about="2024-06", subjects=frozenset({"russia"}))], GOLD, text=TEXT)
    figures = scores.figures()
    assert figures["sentence_recall"] == pytest.approx(1 / 3)
    assert figures["sentence_precision"] == 1.0
    missed = {(miss.kind, miss.text) for miss in scores.misses}
    assert ("not proposed", "Kim said it works.") in missed
    assert ("not proposed", "In March nothing happened.") in missed
    assert ("citation", "Russia signed it in June.") in missed  # its citation of the agreement was not made
    assert figures["citation_recall"] == 0.0


def test_modality_date_subjects_and_attribution_are_compared_on_the_sentences_proposed():
    proposed = [
        proposal(S1, about="2024", subjects=frozenset({"russia", "moscow"}), links=frozenset({"agreement:csp"})),
        proposal(S2, modality="fact", subjects=frozenset({"kim-jong-un"})),
        proposal(S3),  # boilerplate: a proposal on a sentence not worth citing
        proposal(S4, about="2024-03", speaker=None, attributed_to=""),
    ]
    scores = score_sentences(proposed, GOLD, text=TEXT)
    figures = scores.figures()
    assert figures["sentence_recall"] == 1.0 and figures["sentence_precision"] == 0.75
    assert figures["modality_agreement"] == pytest.approx(2 / 3)
    # "2024" for "2024-06" is a wrong date: the precision is part of it.
    assert figures["date_precision"] == 0.5 and figures["date_recall"] == 0.5
    assert figures["subject_precision"] == pytest.approx(2 / 3) and figures["subject_recall"] == 1.0
    assert figures["attribution_agreement"] == 0.0
    assert figures["citation_recall"] == 1.0
    details = {(miss.kind, miss.detail) for miss in scores.misses}
    assert ("modality", "statement→fact") in details
    assert ("date", "2024-06→2024") in details
    assert ("subjects", "extra moscow") in details
    assert ("attribution", "Kim (kim-jong-un)→none (-)") in details
    assert ("spurious", "[fact]") in details


def test_an_attribution_agrees_when_one_text_holds_the_other_and_the_speaker_is_the_same():
    right = proposal(S2, modality="statement", speaker="kim-jong-un", attributed_to="Kim Jong Un")
    assert score_sentences([right], GOLD, text=TEXT).figures()["attribution_agreement"] == 1.0
    wrong_speaker = proposal(S2, modality="statement", speaker="russia", attributed_to="Kim")
    assert score_sentences([wrong_speaker], GOLD, text=TEXT).figures()["attribution_agreement"] == 0.0


def test_new_names_are_found_in_any_spelling_and_common_words_are_counted():
    names = [("National Intelligence Service", "NIS"), ("State Duma",), ("Kursk",)]
    candidates = ["NIS", "the State Duma", "In March", "Senior Fellow", "Cold War"]
    scores = score_sentences([], GOLD, text=TEXT, candidates=candidates, names=names)
    figures = scores.figures()
    assert figures["name_recall"] == pytest.approx(2 / 3)
    assert figures["common_words_offered"] == 2  # "In March", "Senior Fellow"; "Cold War" is a name
    assert {(miss.kind, miss.text) for miss in scores.misses} >= {
        ("name", "Kursk"),
        ("common word", "In March"),
        ("common word", "Senior Fellow"),
    }
    assert is_common("Related Stories", "") and not is_common("Federation Council", "the council met")


def test_drafts_are_scored_by_kind_and_annotated_keys_and_new_names_apart():
    gold_drafts = [
        ("transfer", {"supplier": "north-korea", "designation": "KN-23", "quantity_low": 50}),
        ("milestone", {"agreement": "csp", "party": "russia", "step": "ratified"}),
    ]
    figures = score_sentences([], GOLD, text=TEXT, gold_drafts=gold_drafts).figures()
    assert figures["draft_recall"] == 0 and figures["draft_precision"] is None  # nothing drafted
    drafts = [
        ("transfer", {"supplier": "north-korea", "recipient": "russia", "designation": "kn-23", "quantity_low": 50.0}),
        ("milestone", {"agreement": "csp", "party": "north-korea", "step": "ratified"}),
        ("actor", {"name": "State Duma"}),
    ]
    scores = score_sentences([], GOLD, text=TEXT, drafts=drafts, gold_drafts=gold_drafts)
    figures = scores.figures()
    # the actor draft is a new name, scored as one: precision is over the two record drafts
    assert figures["draft_recall"] == 0.5 and figures["draft_precision"] == 0.5
    missed = [(miss.text, miss.detail.split(":")[0]) for miss in scores.misses if miss.kind == "draft"]
    assert missed == [("milestone", "not drafted"), ("milestone", "drafted, not annotated")]


# --- the command ------------------------------------------------------------------------


def test_eval_ingest_refuses_a_devset_naming_what_the_corpus_lacks(db, tmp_path):
    (tmp_path / "a.txt").write_text("Russia said so in June 2024, officials said.", encoding="utf-8")
    sentence = {"text": "Russia said so in June 2024, officials said.", "cite": True, "modality": "statement"}
    gold = {"title": "T", "publisher": "P", "published_on": "2024-07-01", "kind": "news", "reliability": "B"}
    (tmp_path / "a.json").write_text(
        json.dumps({**gold, "sentences": [{**sentence, "subjects": ["atlantis"]}]}), encoding="utf-8"
    )
    with pytest.raises(CommandError, match="the corpus holds no a: actor atlantis"):
        call_command("eval_ingest", "--devset", str(tmp_path), stdout=StringIO())
    with pytest.raises(CommandError, match="missing: no such directory of annotated articles"):
        call_command("eval_ingest", "--devset", str(tmp_path / "missing"), stdout=StringIO())
    with pytest.raises(CommandError, match="elsewhere: no such directory of annotated articles"):
        call_command("eval_ingest", "--heldout", str(tmp_path / "elsewhere"), stdout=StringIO())

"""The seed corpus: reviewed TOML fixtures (fixtures/corpus/) loaded idempotently through the services.

The fixtures name every record by a stable key (actor slugs, claim keys, event and
agreement slugs, transfer keys), never by database id, and give each claim its verbatim
quote only: the offsets are found by anchoring the quote in the source's text. A record
that already exists (actor, event and agreement by slug; source by the SHA-256 of its
text, or by title and publisher once its text is corrected; claim by its anchor;
relationship by subject, predicate, object and start; transfer by supplier, recipient,
category and designation) is left alone when it matches the fixture and brought in line
through the services when it does not, so a second load writes nothing. A record the
corpus account created that the fixtures no longer define is removed through the services.
"""

from kb.corpus.fixtures import DEFAULT_PATH, Corpus, CorpusError, LoadReport, read_corpus
from kb.corpus.loader import CORPUS_USERNAME, corpus_user, load_corpus

__all__ = [
    "CORPUS_USERNAME",
    "DEFAULT_PATH",
    "Corpus",
    "CorpusError",
    "LoadReport",
    "corpus_user",
    "load_corpus",
    "read_corpus",
]

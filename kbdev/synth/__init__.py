"""A deterministic synthetic knowledge base of realistic shape, for benchmarks and load tests.

``generate(scale=1, seed=…)`` fills the current database with, at scale 1, about 10,000
actors (with aliases), 2,000 sources with full texts, 200,000 claims anchored in them,
20,000 relationships, 5,000 events, 1,000 agreements and 20,000 arms transfers. The same
seed gives the same rows (the same ids, texts, offsets and links).

The shape follows real news: mentions are Zipf-skewed (Russia and North Korea are subjects
of most claims, a long tail of people and bodies of a handful each); names come in
romanisation, hyphen, space and diacritic variants ("Kim Jong-un" and "Kim Jong Un",
"Sŭngri" and "Sungri"); every partial-date precision occurs; most claims are accepted.

Synthetic rows keep every invariant ``verify_kb`` checks (quotes are the source text's own
characters at their offsets, ``Alias.normalized`` comes from ``normalize_name``,
``Source.sha256`` from ``text_sha256``, reviewed claims carry a review time).

Modules: ``vocabulary`` (names, publishers, weapons, topics), ``sampling`` (random draws),
``actors`` (the actors and their name variants), ``sentences`` (claim and filler sentences,
a stand-alone ``article``), ``plan`` (every row in memory) and ``database`` (refuse, wipe,
bulk-insert: ``generate``).
"""

from kbdev.synth.database import NotSyntheticError, generate, is_synthetic, wipe, write
from kbdev.synth.plan import DEFAULT_SEED, SHAPE, SYNTH_URL, Plan, plan
from kbdev.synth.sentences import article

__all__ = [
    "DEFAULT_SEED",
    "SHAPE",
    "SYNTH_URL",
    "NotSyntheticError",
    "Plan",
    "article",
    "generate",
    "is_synthetic",
    "plan",
    "wipe",
    "write",
]

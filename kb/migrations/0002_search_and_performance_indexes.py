"""Full-text search and indexes for scale (see docs/performance.md).

On PostgreSQL: the unaccent and pg_trgm extensions; ``kb_search_vector(text)``, the
search document of a text (accents removed, case folded, hyphens and slashes as spaces,
dots and apostrophes dropped, the same rule as ``normalize_name``); ``kb_claim.search_document``,
a stored generated column holding the search document of every claim (quote, statement,
attribution), with a GIN index; and a trigram GIN index
on alias lookup forms, so substring matches of names use an index.

On SQLite: ``kb_claim_search``, an FTS5 table of the same search documents, kept in step
with kb_claim by triggers.

On both databases: B-tree indexes for the hot filters and orderings. They are created
with SQL rather than declared in the models' Meta so that the models stay as they are;
the model state does not track them and makemigrations leaves them alone.
"""

from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations

SEARCH_FUNCTION = r"""
CREATE OR REPLACE FUNCTION kb_search_vector(document text) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT to_tsvector('simple'::regconfig, regexp_replace(
        lower(public.unaccent('public.unaccent'::regdictionary,
                              translate(document, '.''‘’ʼ`´', ''))),
        '[-‐‑‒–—―−_/]+', ' ', 'g'))
$$
"""

POSTGRES_ONLY = [
    (SEARCH_FUNCTION, "DROP FUNCTION IF EXISTS kb_search_vector(text)"),
    # A stored generated column: phrase queries re-check rows against it, so it must not
    # be recomputed per row. Django never selects it (the model does not declare it).
    (
        "ALTER TABLE kb_claim ADD COLUMN IF NOT EXISTS search_document tsvector GENERATED ALWAYS AS "
        "(kb_search_vector(quote || ' ' || statement || ' ' || attributed_to)) STORED",
        "ALTER TABLE kb_claim DROP COLUMN IF EXISTS search_document",
    ),
    (
        "CREATE INDEX IF NOT EXISTS kb_claim_search ON kb_claim USING gin (search_document)",
        "DROP INDEX IF EXISTS kb_claim_search",
    ),
    (
        "CREATE INDEX IF NOT EXISTS kb_alias_normalized_trgm ON kb_alias USING gin (normalized gin_trgm_ops)",
        "DROP INDEX IF EXISTS kb_alias_normalized_trgm",
    ),
]

# SQLite: an FTS5 table of the same search documents (rowid = claim id), kept by triggers.
# unicode61 folds case and removes diacritics and splits at hyphens and slashes; the
# triggers drop dots and apostrophes first, as normalize_name does.
_SQLITE_DOCUMENT = "new.quote || ' ' || new.statement || ' ' || new.attributed_to"
for _char in (".", "''", "‘", "’", "ʼ", "`", "´"):
    _SQLITE_DOCUMENT = f"replace({_SQLITE_DOCUMENT}, '{_char}', '')"
_SQLITE_INSERT = f"INSERT INTO kb_claim_search (rowid, document) VALUES (new.id, {_SQLITE_DOCUMENT});"

SQLITE_ONLY = [
    (
        "CREATE VIRTUAL TABLE IF NOT EXISTS kb_claim_search USING fts5 "
        "(document, tokenize = 'unicode61 remove_diacritics 2')",
        "DROP TABLE IF EXISTS kb_claim_search",
    ),
    (
        f"INSERT INTO kb_claim_search (rowid, document) SELECT new.id, {_SQLITE_DOCUMENT} FROM kb_claim AS new",
        "",
    ),
    (
        f"CREATE TRIGGER IF NOT EXISTS kb_claim_search_insert AFTER INSERT ON kb_claim BEGIN {_SQLITE_INSERT} END",
        "DROP TRIGGER IF EXISTS kb_claim_search_insert",
    ),
    (
        "CREATE TRIGGER IF NOT EXISTS kb_claim_search_update AFTER UPDATE OF quote, statement, attributed_to "
        f"ON kb_claim BEGIN DELETE FROM kb_claim_search WHERE rowid = old.id; {_SQLITE_INSERT} END",
        "DROP TRIGGER IF EXISTS kb_claim_search_update",
    ),
    (
        "CREATE TRIGGER IF NOT EXISTS kb_claim_search_delete AFTER DELETE ON kb_claim "
        "BEGIN DELETE FROM kb_claim_search WHERE rowid = old.id; END",
        "DROP TRIGGER IF EXISTS kb_claim_search_delete",
    ),
]

BOTH = [
    # Claims by subject: the actor's claims without touching the claim rows (index-only).
    (
        "CREATE INDEX IF NOT EXISTS kb_claim_subjects_actor_claim ON kb_claim_subjects (actor_id, claim_id)",
        "DROP INDEX IF EXISTS kb_claim_subjects_actor_claim",
    ),
]


def _statements(vendor: str) -> list[tuple[str, str]]:
    return BOTH + {"postgresql": POSTGRES_ONLY, "sqlite": SQLITE_ONLY}.get(vendor, [])


def forwards(apps, schema_editor) -> None:
    for create, _ in _statements(schema_editor.connection.vendor):
        schema_editor.execute(create, params=None)


def backwards(apps, schema_editor) -> None:
    for _, drop in reversed(_statements(schema_editor.connection.vendor)):
        if drop:
            schema_editor.execute(drop, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0001_initial"),
    ]

    operations = [
        UnaccentExtension(),
        TrigramExtension(),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]

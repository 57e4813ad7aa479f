"""Full-text search for every searchable record, as migration 0002 built it for claims.

Search across every type used to match a regular expression against every row of every
table (20,000 transfers, 2,000 full source texts at scale); now each table's text is
indexed like claims' is:

- PostgreSQL: a stored generated ``search_document`` column (``kb_search_vector`` of the
  text fields, migration 0002) with a GIN index;
- SQLite: an FTS5 table ``<table>_search`` of the same documents (rowid = the record's
  id), kept in step by triggers.

Actors are found through their aliases (the name is one), as before.
"""

from django.db import migrations

# Table → the text columns ``?search=`` and search across types look at (kb/selectors/search.py).
DOCUMENTS = {
    "kb_source": ("title", "subtitle", "byline", "publisher", "text"),
    "kb_relationship": ("note",),
    "kb_event": ("title", "summary"),
    "kb_agreement": ("title", "summary"),
    "kb_provision": ("summary",),
    "kb_armstransfer": ("designation", "description", "reported_by"),
}


def _postgresql(table: str, columns: tuple[str, ...]) -> list[tuple[str, str]]:
    document = " || ' ' || ".join(f"coalesce({c}, '')" for c in columns)
    return [
        (
            f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS search_document tsvector GENERATED ALWAYS AS "
            f"(kb_search_vector({document})) STORED",
            f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_document",
        ),
        (
            f"CREATE INDEX IF NOT EXISTS {table}_search ON {table} USING gin (search_document)",
            f"DROP INDEX IF EXISTS {table}_search",
        ),
    ]


def _sqlite(table: str, columns: tuple[str, ...]) -> list[tuple[str, str]]:
    # unicode61 folds case, removes diacritics and splits at hyphens and slashes; dots and
    # apostrophes are dropped first, as normalize_name does.
    document = " || ' ' || ".join(f"coalesce(new.{c}, '')" for c in columns)
    for char in (".", "''", "‘", "’", "ʼ", "`", "´"):
        document = f"replace({document}, '{char}', '')"
    fts = f"{table}_search"
    insert = f"INSERT INTO {fts} (rowid, document) VALUES (new.id, {document});"
    return [
        (
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5 (document, tokenize = 'unicode61 remove_diacritics 2')",
            f"DROP TABLE IF EXISTS {fts}",
        ),
        (f"INSERT INTO {fts} (rowid, document) SELECT new.id, {document} FROM {table} AS new", ""),
        (
            f"CREATE TRIGGER IF NOT EXISTS {fts}_insert AFTER INSERT ON {table} BEGIN {insert} END",
            f"DROP TRIGGER IF EXISTS {fts}_insert",
        ),
        (
            f"CREATE TRIGGER IF NOT EXISTS {fts}_update AFTER UPDATE OF {', '.join(columns)} ON {table} "
            f"BEGIN DELETE FROM {fts} WHERE rowid = old.id; {insert} END",
            f"DROP TRIGGER IF EXISTS {fts}_update",
        ),
        (
            f"CREATE TRIGGER IF NOT EXISTS {fts}_delete AFTER DELETE ON {table} "
            f"BEGIN DELETE FROM {fts} WHERE rowid = old.id; END",
            f"DROP TRIGGER IF EXISTS {fts}_delete",
        ),
    ]


def _statements(vendor: str) -> list[tuple[str, str]]:
    build = {"postgresql": _postgresql, "sqlite": _sqlite}.get(vendor)
    if build is None:
        return []
    return [statement for table, columns in DOCUMENTS.items() for statement in build(table, columns)]


def forwards(apps, schema_editor) -> None:
    for create, _ in _statements(schema_editor.connection.vendor):
        schema_editor.execute(create, params=None)


def backwards(apps, schema_editor) -> None:
    for _, drop in reversed(_statements(schema_editor.connection.vendor)):
        if drop:
            schema_editor.execute(drop, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0005_list_order_indexes"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]

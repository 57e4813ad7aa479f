"""In-process benchmark scenarios: each of ours through Django's test client, beside its floor.

Run by ``bench.run`` in a child process whose DATABASE_URL names a synthetic database:
``python -m bench.scenarios --out FILE``. Every scenario is timed with warm-up and
repeats (median and p95), its SQL queries are counted, and the floor of the list,
detail, search, CSV and dossier scenarios is timed the same way: the same rows fetched
with one hand-written SQL query and serialised with ``json.dumps`` (or ``csv``), the
least any Python server could do.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import tracemalloc

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings")
django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402

from kb.ingest.normalize import normalize_name  # noqa: E402
from kbdev import synth  # noqa: E402
from kbdev.timing import measure  # noqa: E402

# What the scenarios ask for; the same values go to the floor and the peer.
LIST_MODALITY = "assessment"
SEARCH_TERMS = ("Koksan", "Shoigu")


def url(name: str, **kwargs) -> str | None:
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def fetch_all(sql: str, params: list) -> tuple[list[str], list[tuple]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [col[0] for col in cursor.description], cursor.fetchall()


def as_json(columns: list[str], rows: list[tuple], **extra) -> bytes:
    results = [dict(zip(columns, row, strict=True)) for row in rows]
    return json.dumps({**extra, "results": results}, default=str).encode()


# --- parameters -----------------------------------------------------------------------


def parameters() -> dict:
    """The most-mentioned actor (by accepted claims), and the synthetic database's size."""
    sql = (
        "SELECT cs.actor_id, COUNT(*) FROM kb_claim_subjects cs JOIN kb_claim c ON c.id = cs.claim_id "
        "WHERE c.status = 'accepted' GROUP BY cs.actor_id ORDER BY 2 DESC, 1 LIMIT 1"
    )
    _, rows = fetch_all(sql, [])
    actor_id, mentions = rows[0]
    _, rows = fetch_all("SELECT slug, name FROM kb_actor WHERE id = %s", [actor_id])
    slug, name = rows[0]
    _, counts = fetch_all(
        "SELECT (SELECT COUNT(*) FROM kb_claim), (SELECT COUNT(*) FROM kb_actor), "
        "(SELECT COUNT(*) FROM kb_armstransfer)",
        [],
    )
    claims, actors, transfers = counts[0]
    # A rarely mentioned actor: the same requests about it must take as many queries.
    sql = (
        "SELECT cs.actor_id, COUNT(*) FROM kb_claim_subjects cs JOIN kb_claim c ON c.id = cs.claim_id "
        "WHERE c.status = 'accepted' GROUP BY cs.actor_id HAVING COUNT(*) >= 3 ORDER BY 2, 1 LIMIT 1"
    )
    _, rows = fetch_all(sql, [])
    tail_id, tail_mentions = rows[0]
    _, rows = fetch_all("SELECT slug FROM kb_actor WHERE id = %s", [tail_id])
    return {
        "top_actor": {"id": actor_id, "slug": slug, "name": name, "accepted_claims": mentions},
        "tail_actor": {"id": tail_id, "slug": rows[0][0], "accepted_claims": tail_mentions},
        "claims": claims,
        "actors": actors,
        "transfers": transfers,
    }


# --- floors ---------------------------------------------------------------------------


def _agg_ids(expr: str) -> str:
    if connection.vendor == "postgresql":
        return f"string_agg(({expr})::text, ',')"
    return f"group_concat({expr})"


CLAIM_COLUMNS = (
    'c.id, c.source_id, s.title AS source_title, c.quote, c.start, c."end", c.statement, c.modality, '
    "c.attributed_to, c.speaker_id, c.about_on, c.about_on_precision, c.credibility, c.status, c.reviewed_at, "
    "c.created_at, c.updated_at"
)


def _claim_page_sql(where: str) -> str:
    return (
        f"SELECT {CLAIM_COLUMNS}, "
        f"(SELECT {_agg_ids('cs2.actor_id')} FROM kb_claim_subjects cs2 WHERE cs2.claim_id = c.id) AS subjects, "
        "COUNT(*) OVER () AS total "
        "FROM kb_claim c JOIN kb_source s ON s.id = c.source_id "
        f"WHERE c.status = 'accepted' AND {where} ORDER BY s.published_on DESC, s.title, c.start LIMIT 50"
    )


def floor_claim_list(actor_id: int, modality: str) -> bytes:
    sql = _claim_page_sql("c.modality = %s AND c.id IN (SELECT claim_id FROM kb_claim_subjects WHERE actor_id = %s)")
    columns, rows = fetch_all(sql, [modality, actor_id])
    return as_json(columns, rows, count=rows[0][-1] if rows else 0)


def search_where() -> str:
    """The claims matching a search term, by the same rule and indexes our search uses on this database."""
    named = "SELECT actor_id FROM kb_alias WHERE normalized LIKE %s"
    if connection.vendor == "postgresql":
        text = "SELECT id FROM kb_claim WHERE search_document @@ to_tsquery('simple', %s)"
    else:
        text = "SELECT rowid FROM kb_claim_search WHERE kb_claim_search MATCH %s"
    return (
        f"c.id IN ({text} UNION SELECT claim_id FROM kb_claim_subjects WHERE actor_id IN ({named}) "
        f"UNION SELECT id FROM kb_claim WHERE speaker_id IN ({named}))"
    )


def search_params(term: str) -> list:
    from kb.selectors import full_text_query

    return [full_text_query(term, connection.vendor), *[f"%{normalize_name(term)}%"] * 2]


def floor_search(term: str) -> bytes:
    columns, rows = fetch_all(_claim_page_sql(search_where()), search_params(term))
    return as_json(columns, rows, count=rows[0][-1] if rows else 0)


def floor_actor_detail(actor_id: int) -> bytes:
    accepted = "SELECT claim_id FROM kb_claim_subjects cs JOIN kb_claim c ON c.id = cs.claim_id"
    backed = (
        "EXISTS (SELECT 1 FROM kb_{m}_evidence e JOIN kb_claim c ON c.id = e.claim_id "
        "WHERE e.{m}_id = r.id AND c.status = 'accepted')"
    )
    sql = (
        "SELECT a.id, a.slug, a.name, a.kind, a.summary, a.country_code, a.start_on, a.start_on_precision, "
        "a.end_on, a.end_on_precision, a.wikidata_id, "
        f"(SELECT {_agg_ids('al.name')} FROM kb_alias al WHERE al.actor_id = a.id) AS aliases, "
        f"(SELECT COUNT(*) FROM ({accepted} WHERE cs.actor_id = a.id AND c.status = 'accepted') x) AS n_claims, "
        "(SELECT COUNT(*) FROM kb_claim c WHERE c.speaker_id = a.id AND c.status = 'accepted') AS n_statements, "
        "(SELECT COUNT(*) FROM kb_relationship r WHERE (r.subject_id = a.id OR r.object_id = a.id) AND "
        f"{backed.format(m='relationship')}) AS n_relationships, "
        "(SELECT COUNT(*) FROM kb_agreement r JOIN kb_agreementparty p ON p.agreement_id = r.id "
        f"WHERE p.actor_id = a.id AND {backed.format(m='agreement')}) AS n_agreements, "
        "(SELECT COUNT(*) FROM kb_armstransfer r WHERE r.supplier_id = a.id AND "
        f"{backed.format(m='armstransfer')}) AS n_supplied, "
        "(SELECT COUNT(*) FROM kb_armstransfer r WHERE r.recipient_id = a.id AND "
        f"{backed.format(m='armstransfer')}) AS n_received, "
        "(SELECT COUNT(*) FROM kb_event r JOIN kb_event_participants p ON p.event_id = r.id "
        f"WHERE p.actor_id = a.id AND {backed.format(m='event')}) AS n_events "
        "FROM kb_actor a WHERE a.id = %s"
    )
    columns, rows = fetch_all(sql, [actor_id])
    return json.dumps(dict(zip(columns, rows[0], strict=True)), default=str).encode()


def floor_dossier(actor_id: int) -> bytes:
    """The actor with its counts, and the newest 50 accepted claims about it with their sources."""
    detail = floor_actor_detail(actor_id)
    sql = (
        f"SELECT {CLAIM_COLUMNS}, s.publisher, s.published_on FROM kb_claim c JOIN kb_source s ON s.id = c.source_id "
        "WHERE c.status = 'accepted' AND c.id IN (SELECT claim_id FROM kb_claim_subjects WHERE actor_id = %s) "
        "ORDER BY s.published_on DESC, c.id LIMIT 50"
    )
    columns, rows = fetch_all(sql, [actor_id])
    return detail + as_json(columns, rows)


TRANSFER_CSV_SQL = (
    "SELECT t.id, su.name, re.name, t.category, t.designation, t.description, t.quantity_low, t.quantity_high, "
    "t.quantity_unit, t.start_on, t.start_on_precision, t.end_on, t.end_on_precision, t.status, t.reported_by, "
    "t.reported_on, t.reported_on_precision "
    "FROM kb_armstransfer t JOIN kb_actor su ON su.id = t.supplier_id JOIN kb_actor re ON re.id = t.recipient_id "
    "WHERE EXISTS (SELECT 1 FROM kb_armstransfer_evidence e JOIN kb_claim c ON c.id = e.claim_id "
    "WHERE e.armstransfer_id = t.id AND c.status = 'accepted') "
    "ORDER BY t.start_on DESC, su.name, re.name"
)


def floor_transfer_csv() -> int:
    """Every visible transfer as CSV, streamed from a server-side cursor in chunks."""
    size = 0
    with transaction.atomic(), connection.chunked_cursor() as cursor:
        cursor.execute(TRANSFER_CSV_SQL)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        while rows := cursor.fetchmany(2000):
            writer.writerows(rows)
            size += len(buffer.getvalue().encode())
            buffer.seek(0)
            buffer.truncate()
    return size


# --- ours -----------------------------------------------------------------------------


def get(client: Client, path: str) -> bytes:
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"GET {path} answered {response.status_code}: {response.content[:300]!r}")
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def drain(client: Client, path: str) -> int:
    """Read a streamed answer as a client writing it to disk would: chunk by chunk, keeping none."""
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"GET {path} answered {response.status_code}: {response.content[:300]!r}")
    return sum(len(chunk) for chunk in response.streaming_content)


def count_queries(run) -> int:
    with CaptureQueriesContext(connection) as captured:
        run()
    return len(captured.captured_queries)


def peak_memory_kb(run) -> float:
    tracemalloc.start()
    try:
        run()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return round(peak / 1024, 1)


def ingest_article(seed: int) -> int:
    """Ingest a fresh 1,000-word article as an editor; rolled back so the database stays as built."""
    text = synth.article(seed=seed, words=1000)
    from kb import services

    with transaction.atomic():
        user, _ = User.objects.get_or_create(username="bench-editor", defaults={"is_superuser": True})
        result = services.source_ingest(
            user=user,
            content=text.encode(),
            filename="article.txt",
            title=f"Benchmark article {seed}",
            publisher="Bench Wire",
            published_on="2024-06-19",
        )
        transaction.set_rollback(True)
    return len(result.claims)


def scenarios(params: dict, repeats: int) -> list[dict]:
    """Every in-process scenario: name, what it does, our call, its floor, its path, and the target."""
    top, tail = params["top_actor"], params["tail_actor"]
    claims = url("api:claim-list")
    out = [
        {
            "name": "claims_list",
            "title": f"Claims list, subject = most-mentioned actor, modality = {LIST_MODALITY}, page of 50",
            "path": claims and f"{claims}?subject={top['id']}&modality={LIST_MODALITY}",
            "small_path": claims and f"{claims}?subject={tail['id']}&modality={LIST_MODALITY}",
            "floor": lambda: floor_claim_list(top["id"], LIST_MODALITY),
            "repeats": repeats,
            "target": "≤ 2× floor, ≤ 1× peer",
        },
        {
            "name": "actor_detail",
            "title": "Actor detail (API) for the most-mentioned actor",
            "path": url("api:actor-detail", pk=top["id"]),
            "small_path": url("api:actor-detail", pk=tail["id"]),
            "floor": lambda: floor_actor_detail(top["id"]),
            "repeats": repeats,
            "target": "",
        },
    ]
    for term in SEARCH_TERMS:
        out.append(
            {
                "name": f"search_{term.lower()}",
                "title": f"Full-text search over claims: “{term}”, page of 50",
                "path": claims and f"{claims}?search={term}",
                "small_path": claims and f"{claims}?search=Kasta",
                "floor": lambda term=term: floor_search(term),
                "repeats": repeats,
                "target": "≤ 2× floor, ≤ 1× peer, < 50 ms on PostgreSQL",
            }
        )
    transfers = url("api:arms-transfer-list")
    out += [
        {
            "name": "transfers_csv",
            "title": f"Arms-transfer register as CSV, all {params['transfers']:,} rows (visible ones)",
            "path": transfers and f"{transfers}?format=csv",
            "small_path": transfers and f"{transfers}?format=csv&status=denied",
            "floor": floor_transfer_csv,
            "repeats": max(3, repeats // 5),
            "target": "≤ 2× floor, ≤ 1× peer, flat memory",
        },
        {
            "name": "actor_dossier",
            "title": "Actor dossier page (HTML) of the most-mentioned actor",
            "path": url("kb:actor-detail", slug=top["slug"]),
            "small_path": url("kb:actor-detail", slug=tail["slug"]),
            "floor": lambda: floor_dossier(top["id"]),
            "repeats": max(5, repeats // 2),
            "target": "< 150 ms",
        },
    ]
    return out


def run(repeats: int, warmup: int, only: set[str] | None = None) -> dict:
    params = parameters()
    client = Client()
    results: dict = {"vendor": connection.vendor, "params": params, "scenarios": {}}
    for scenario in scenarios(params, repeats):
        if only and scenario["name"] not in only:
            continue
        entry = {"title": scenario["title"], "path": scenario["path"], "target": scenario["target"]}
        path = scenario["path"]
        n = scenario["repeats"]
        if path is None:
            entry["missing"] = "endpoint not routed"
        else:
            try:
                body = get(client, path)
                entry["bytes"] = len(body)
                entry["queries"] = count_queries(lambda path=path: get(client, path))
                if scenario.get("small_path"):
                    small = scenario["small_path"]
                    get(client, small)  # warm, as the path above is: cached totals are then read, not counted
                    entry["queries_small"] = count_queries(lambda small=small: get(client, small))
                entry["ours"] = measure(lambda path=path: get(client, path), warmup=warmup, repeats=n)
            except Exception as exc:  # a broken endpoint is reported, not fatal to the run
                entry["error"] = f"{type(exc).__name__}: {exc}"[:500]
        entry["floor"] = measure(scenario["floor"], warmup=warmup, repeats=n)
        results["scenarios"][scenario["name"]] = entry
        print(f"  {connection.vendor} {scenario['name']}: {json.dumps({k: entry.get(k) for k in ('ours', 'floor')})}")

    # Peak Python memory of the full CSV against a tenth of it: flat means independent of row count.
    transfers = url("api:arms-transfer-list")
    if transfers and (not only or "transfers_csv" in only):
        try:
            full = peak_memory_kb(lambda: drain(client, f"{transfers}?format=csv"))
            tenth = peak_memory_kb(lambda: drain(client, f"{transfers}?format=csv&status=denied"))
            floor_full = peak_memory_kb(floor_transfer_csv)
            results["csv_memory"] = {"full_kb": full, "tenth_kb": tenth, "floor_full_kb": floor_full}
        except Exception as exc:
            results["csv_memory"] = {"error": f"{type(exc).__name__}: {exc}"[:500]}

    if (only and "ingest" not in only) or "ingest" in os.environ.get("BENCH_SKIP", "").split(","):
        return results
    seeds = iter(range(1000, 2000))
    results["scenarios"]["ingest"] = {
        "title": "Ingest of a 1,000-word article (source_ingest, rolled back)",
        "path": None,
        "target": "",
        "claims_proposed": ingest_article(999),
        "ours": measure(lambda: ingest_article(next(seeds)), warmup=1, repeats=max(3, repeats // 5)),
    }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", required=True)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--only", default="", help="Comma-separated scenario names (default: all).")
    args = parser.parse_args()
    results = run(args.repeats, args.warmup, {name for name in args.only.split(",") if name} or None)
    with open(args.out, "w") as handle:
        json.dump(results, handle, indent=2, default=str)


if __name__ == "__main__":
    main()

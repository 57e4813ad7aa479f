"""The benchmark: kb against the floor and a Datasette peer, on SQLite and PostgreSQL (``make bench``).

For each database it builds (or reuses, keyed by scale, seed and generator) a synthetic
knowledge base with ``synth_kb``, runs the in-process scenarios (``bench.scenarios``),
serves the app under gunicorn on loopback for the HTTP figures and a mixed read load,
and on SQLite serves the same data with Datasette for the peer figures. It writes
``bench/results.json`` and ``bench/RESULTS.md`` and prints the table.

    python -m bench.run [--scale 1] [--engines sqlite,postgresql] [--repeats 30] [--update-readme]

It also runs the scale sweep: every route of the web UI and the API, walked from the URL
configuration (``sweep_routes``), timed on the seed corpus and on the synthetic base in
the same run, with the ratio per route.

Environment: ``BENCH_SCALE`` (default 1), ``BENCH_PG_URL`` (default
postgres://postgres@127.0.0.1:5432/kb_bench), ``BENCH_PG_CORPUS_URL`` (the seed corpus,
default …/kb_bench_corpus), ``BENCH_REPEATS``, ``BENCH_SKIP`` (any of scenarios, http,
sweep, ingest).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import load  # noqa: E402
from bench.report import markdown, update_results  # noqa: E402

BENCH = ROOT / "bench"
SCRATCH = BENCH / "scratch"
BENCH_VENV = BENCH / ".venv"
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/kb_bench"
DEFAULT_PG_CORPUS = "postgres://postgres@127.0.0.1:5432/kb_bench_corpus"
# Parts of the run BENCH_SKIP may leave out (comma-separated); "ingest" is read by bench.scenarios.
PARTS = ("scenarios", "http", "sweep")
SEED = 20240619


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def generator_key(scale: float, seed: int) -> str:
    """Changes whenever the synthetic data would: scale, seed and the generator's source."""
    digest = hashlib.sha256()
    for module in sorted((ROOT / "kbdev" / "synth").glob("*.py")):
        digest.update(module.read_bytes())
    return f"scale={scale} seed={seed} synth={digest.hexdigest()[:16]}"


def manage(python: str, database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url, "KB_API_ANON_RATE": ""}
    return subprocess.run([python, str(ROOT / "manage.py"), *args], env=env, check=True, cwd=ROOT)


def postgres_available(url: str) -> str | None:
    """None when the PostgreSQL server answers (the database is created if missing); else why not."""
    try:
        import psycopg2
        from psycopg2 import sql
    except ImportError:
        return "psycopg2 is not installed"
    import dj_database_url

    config = dj_database_url.parse(url)
    args = {
        "host": config["HOST"],
        "port": config["PORT"] or 5432,
        "user": config["USER"],
        "password": config["PASSWORD"],
    }
    try:
        conn = psycopg2.connect(dbname="postgres", connect_timeout=5, **args)
    except psycopg2.Error as exc:
        return f"PostgreSQL is not reachable: {str(exc).strip()}"
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
        # Solid-state storage: random reads cost little more than sequential ones (the default, 4,
        # was set for spinning disks and steers the planner away from index lookups).
        cursor.execute(sql.SQL("ALTER DATABASE {} SET random_page_cost = 1.1").format(sql.Identifier(config["NAME"])))
    conn.close()
    return None


def build(python: str, engine: str, url: str, scale: float, seed: int) -> dict:
    """Migrate, then fill with synthetic data unless the stamp says it already holds this scale and seed."""
    stamp = SCRATCH / f"{engine}-{hashlib.sha256(url.encode()).hexdigest()[:8]}.stamp"
    key = f"{url} {generator_key(scale, seed)}"
    manage(python, url, "migrate", "--no-input", "-v", "0")
    if stamp.exists() and stamp.read_text() == key:
        log(f"{engine}: reusing the synthetic database ({key})")
        # Statistics for indexes that migrations may have added since: SQLite never gathers them itself.
        analyze = "from django.db import connection; connection.cursor().execute('ANALYZE')"
        manage(python, url, "shell", "--no-imports", "-c", analyze)
        return {"reused": True}
    log(f"{engine}: building the synthetic database at scale {scale}")
    stamp.unlink(missing_ok=True)
    started = time.perf_counter()
    manage(python, url, "synth_kb", "--scale", str(scale), "--seed", str(seed))
    seconds = round(time.perf_counter() - started, 1)
    stamp.write_text(key)
    log(f"{engine}: built in {seconds} s")
    return {"reused": False, "seconds": seconds}


def in_process(python: str, url: str, engine: str, repeats: int) -> dict:
    out = SCRATCH / f"inprocess-{engine}.json"
    env = {**os.environ, "DATABASE_URL": url, "KB_API_ANON_RATE": ""}
    argv = [python, "-m", "bench.scenarios", "--out", str(out), "--repeats", str(repeats)]
    subprocess.run(argv, env=env, check=True, cwd=ROOT)
    return json.loads(out.read_text())


# --- the scale sweep: every route on the seed corpus and at scale -------------------------


def corpus_url(engine: str) -> str:
    if engine == "sqlite":
        return f"sqlite:///{SCRATCH / 'corpus.sqlite3'}"
    return os.environ.get("BENCH_PG_CORPUS_URL", DEFAULT_PG_CORPUS)


def build_corpus(python: str, engine: str, url: str) -> None:
    """The seed corpus alone, as `make run` serves it: migrated and loaded afresh."""
    if engine == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    else:
        manage(python, url, "flush", "--no-input", "-v", "0")
    manage(python, url, "migrate", "--no-input", "-v", "0")
    manage(python, url, "load_corpus", "-v", "0")


SWEEP_ROUNDS = 2


def sweep(python: str, url: str, name: str, repeats: int) -> dict:
    """Every route of the project timed on the database ``url`` (kbdev/sweep.py)."""
    out = SCRATCH / f"sweep-{name}.json"
    manage(python, url, "sweep_routes", "--repeats", str(repeats), "--out", str(out), "-v", "0")
    return json.loads(out.read_text())


def sweep_pair(python: str, corpus: str, scale: str, engine: str, repeats: int) -> dict:
    """The sweep on the seed corpus and at scale, in alternating rounds.

    One pass over every route takes about a minute; a machine that slows down meanwhile
    would be charged to whichever database came second. Rounds alternate (corpus, scale,
    corpus, scale) and each route keeps, per database, its round with the lower median.
    """
    rounds: dict[str, list[dict]] = {"corpus": [], "scale": []}
    for _ in range(SWEEP_ROUNDS):
        rounds["corpus"].append(sweep(python, corpus, f"{engine}-corpus", repeats))
        rounds["scale"].append(sweep(python, scale, f"{engine}-scale", repeats))
    return {side: best_round(results) for side, results in rounds.items()}


def best_round(results: list[dict]) -> dict:
    """The first round's result, each route's row taken from the round where its median was lowest."""
    merged = dict(results[0], rounds=len(results))

    def key(row: dict) -> tuple:
        return (row["route"], row.get("url"))

    def median(row: dict) -> float:
        return row["median_ms"] if row.get("median_ms") is not None else float("inf")

    best: dict[tuple, dict] = {}
    for result in results:
        for row in result["routes"]:
            if key(row) not in best or median(row) < median(best[key(row)]):
                best[key(row)] = row
    merged["routes"] = [best[key(row)] for row in results[0]["routes"]]
    return merged


# --- HTTP: ours under gunicorn, the Datasette peer -------------------------------------------


def our_paths(results: dict) -> dict[str, str]:
    return {name: s["path"] for name, s in results["scenarios"].items() if s.get("path") and "error" not in s}


def mixed_paths(results: dict) -> list[str]:
    """A read mix: filtered claim lists, actor details, searches, dossiers and transfer pages."""
    top = results["params"]["top_actor"]
    paths = []
    for actor in range(1, 41):
        for modality in ("fact", "assessment", "forecast", "statement"):
            paths.append(f"/api/v1/claims/?subject={actor}&modality={modality}")
        paths.append(f"/api/v1/actors/{actor}/")
    for term in ("Koksan", "Shoigu", "Pantsir", "rail links", "Vladivostok", "Kim Jong Un", "labour exports"):
        paths.append("/api/v1/claims/?" + urlencode({"search": term}))
    paths += ["/api/v1/arms-transfers/", "/api/v1/arms-transfers/?category=missiles", "/api/v1/events/"]
    paths += [f"/actors/{top['slug']}/", "/transfers/", "/"]
    return paths


def peer_paths(results: dict) -> dict[str, str]:
    """The same questions asked of Datasette: same filters, same page size, same visible rows."""
    top = results["params"]["top_actor"]
    from bench.scenarios import LIST_MODALITY, SEARCH_TERMS

    base = {"_shape": "objects", "_size": "50", "status": "accepted", "_sort": "source_id"}
    subject = f"id in (select claim_id from kb_claim_subjects where actor_id = {int(top['id'])})"
    paths = {"claims_list": "/peer/kb_claim.json?" + urlencode({**base, "modality": LIST_MODALITY, "_where": subject})}
    for term in SEARCH_TERMS:
        paths[f"search_{term.lower()}"] = "/peer/kb_claim.json?" + urlencode({**base, "_search": term})
    visible = (
        "exists (select 1 from kb_armstransfer_evidence e join kb_claim c on c.id = e.claim_id "
        "where e.armstransfer_id = kb_armstransfer.id and c.status = 'accepted')"
    )
    csv_query = {"_labels": "on", "_stream": "on", "_size": "max", "_sort_desc": "start_on", "_where": visible}
    paths["transfers_csv"] = "/peer/kb_armstransfer.csv?" + urlencode(csv_query, quote_via=quote)
    return paths


def peer_database(sqlite_path: Path, key: str) -> Path:
    """A copy of the SQLite database with an FTS5 index over claims, as Datasette users would add."""
    peer = SCRATCH / "peer.sqlite3"
    stamp = SCRATCH / "peer.stamp"
    if peer.exists() and stamp.exists() and stamp.read_text() == key:
        return peer
    log("peer: copying the SQLite database and enabling FTS5 on kb_claim(quote, statement, attributed_to)")
    stamp.unlink(missing_ok=True)
    import sqlite3

    source = sqlite3.connect(sqlite_path)
    target = sqlite3.connect(peer)
    source.backup(target)
    source.close()
    target.execute("PRAGMA journal_mode=DELETE")
    target.close()
    subprocess.run(
        [
            *(str(BENCH_VENV / "bin" / "sqlite-utils"), "enable-fts", str(peer), "kb_claim"),
            *("quote", "statement", "attributed_to", "--fts5", "--replace"),
        ],
        check=True,
    )
    stamp.write_text(key)
    return peer


def http_figures(python: str, url: str, engine: str, results: dict, repeats: int, seconds: float) -> dict:
    out: dict = {"ours": {}, "throughput": {}}
    paths = our_paths(results)
    measured = ("claims_list", "search_koksan", "search_shoigu", "transfers_csv", "actor_dossier", "actor_detail")
    with load.gunicorn(python, url, workers=2, log=SCRATCH / f"gunicorn-{engine}.log") as server:
        log(f"{engine}: gunicorn (2 workers) on 127.0.0.1:{server.port}")
        for name in measured:
            if name in paths:
                n = max(3, repeats // 5) if name == "transfers_csv" else repeats
                out["ours"][name] = load.measure(server.port, paths[name], warmup=2, repeats=n)
        mix = mixed_paths(results)
        load.throughput(server.port, mix, threads=4, max_requests=40, max_seconds=10)  # warm every worker
        out["throughput"]["mixed"] = load.throughput(
            server.port, mix, threads=8, max_requests=4000, max_seconds=seconds
        )
        list_search = [p for name, p in paths.items() if name == "claims_list" or name.startswith("search_")]
        out["throughput"]["list_search"] = load.throughput(
            server.port, list_search, threads=8, max_requests=4000, max_seconds=seconds / 2
        )
        log(f"{engine}: mixed load {out['throughput']['mixed']['requests_per_second']} requests/s")
    # The same list + search load under other gunicorn setups: more sync workers than cores,
    # and threads (gthread) that could overlap a worker's waits on the database.
    out["setups"] = {}
    for worker_class, workers, threads in SETUPS:
        name = f"{worker_class}, {workers} workers" + (f" × {threads} threads" if threads > 1 else "")
        log_file = SCRATCH / f"gunicorn-{engine}-{worker_class}-{workers}x{threads}.log"
        with load.gunicorn(python, url, workers, log_file, worker_class=worker_class, threads=threads) as server:
            load.throughput(server.port, list_search, threads=4, max_requests=40, max_seconds=10)
            out["setups"][name] = load.throughput(
                server.port, list_search, threads=8, max_requests=4000, max_seconds=seconds / 2
            )
        log(f"{engine}: list + search under {name}: {out['setups'][name]['requests_per_second']} requests/s")
    return out


# gunicorn setups compared under the list + search load (the first is the one above).
SETUPS = (("sync", 2, 1), ("sync", 4, 1), ("gthread", 2, 4))


def peer_figures(sqlite_path: Path, key: str, results: dict, repeats: int, seconds: float) -> dict:
    executable = BENCH_VENV / "bin" / "datasette"
    if not executable.exists():
        return {"missing": "bench/.venv has no datasette (make bench installs it)"}
    peer = peer_database(sqlite_path, key)
    version = subprocess.run([str(executable), "--version"], capture_output=True, text=True).stdout.strip()
    out: dict = {"version": version, "http": {}}
    paths = peer_paths(results)
    with load.datasette(str(executable), peer, log=SCRATCH / "datasette.log") as server:
        log(f"peer: {version} on 127.0.0.1:{server.port}")
        for name, path in paths.items():
            n = max(3, repeats // 5) if name == "transfers_csv" else repeats
            try:
                out["http"][name] = load.measure(server.port, path, warmup=2, repeats=n)
            except RuntimeError as exc:
                out["http"][name] = {"error": str(exc)}
        list_search = [p for name, p in paths.items() if name == "claims_list" or name.startswith("search_")]
        out["throughput_list_search"] = load.throughput(
            server.port, list_search, threads=8, max_requests=4000, max_seconds=seconds / 2
        )
    out["paths"] = paths
    return out


# --- the whole run ------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_SCALE", "1")))
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--engines", default=os.environ.get("BENCH_ENGINES", "sqlite,postgresql"))
    parser.add_argument("--repeats", type=int, default=int(os.environ.get("BENCH_REPEATS", "30")))
    parser.add_argument("--load-seconds", type=float, default=float(os.environ.get("BENCH_LOAD_SECONDS", "30")))
    parser.add_argument("--update-docs", action="store_true", help="Replace the results in docs/performance.md.")
    args = parser.parse_args()
    SCRATCH.mkdir(parents=True, exist_ok=True)
    python = sys.executable
    started = time.perf_counter()
    key = generator_key(args.scale, args.seed)
    skip = {part.strip() for part in os.environ.get("BENCH_SKIP", "").split(",") if part.strip()}
    if unknown := skip - {*PARTS, "ingest"}:
        parser.error(f"BENCH_SKIP: unknown part(s) {', '.join(sorted(unknown))}; expected {', '.join(PARTS)}, ingest")
    results: dict = {
        "meta": {
            "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "scale": args.scale,
            "seed": args.seed,
            "repeats": args.repeats,
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.python_implementation()} "
            f"{platform.python_version()}",
        },
        "engines": {},
    }
    for engine in [e.strip() for e in args.engines.split(",") if e.strip()]:
        engine_started = time.perf_counter()
        if engine == "sqlite":
            url = f"sqlite:///{SCRATCH / f'kb-{args.scale}-{args.seed}.sqlite3'}"
        elif engine in ("postgresql", "postgres"):
            engine = "postgresql"
            url = os.environ.get("BENCH_PG_URL", DEFAULT_PG)
            problem = postgres_available(url)
            if problem:
                log(f"postgresql: skipped ({problem})")
                results["engines"][engine] = {"skipped": problem}
                continue
        else:
            parser.error(f"unknown engine {engine!r}; expected sqlite or postgresql")
        entry: dict = {"build": build(python, engine, url, args.scale, args.seed)}
        if "scenarios" not in skip:
            log(f"{engine}: in-process scenarios")
            entry["inprocess"] = in_process(python, url, engine, args.repeats)
        if "scenarios" not in skip and "http" not in skip:
            log(f"{engine}: HTTP scenarios and load")
            entry["http"] = http_figures(python, url, engine, entry["inprocess"], args.repeats, args.load_seconds)
            if engine == "sqlite":
                sqlite_path = Path(url.removeprefix("sqlite:///"))
                entry["peer"] = peer_figures(sqlite_path, key, entry["inprocess"], args.repeats, args.load_seconds)
        if "sweep" not in skip:
            log(f"{engine}: the scale sweep, seed corpus then scale {args.scale}")
            seed_corpus = corpus_url(engine)
            if engine == "postgresql" and (problem := postgres_available(seed_corpus)):
                parser.error(f"BENCH_PG_CORPUS_URL: {problem}")
            build_corpus(python, engine, seed_corpus)
            sweep_repeats = max(3, min(args.repeats, 5))
            entry["sweep"] = sweep_pair(python, seed_corpus, url, engine, sweep_repeats)
        entry["seconds"] = round(time.perf_counter() - engine_started, 1)
        results["engines"][engine] = entry
    results["meta"]["seconds"] = round(time.perf_counter() - started, 1)
    (BENCH / "results.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    table = markdown(results)
    (BENCH / "RESULTS.md").write_text(table)
    print(table)
    if args.update_docs:
        update_results(ROOT / "docs" / "performance.md", table)
    log(f"done in {results['meta']['seconds']} s")


if __name__ == "__main__":
    main()

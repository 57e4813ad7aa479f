"""The benchmark's readable report: Markdown tables from results.json, and the performance guide's copy of them."""

from __future__ import annotations

import re
from pathlib import Path

RESULTS_START = "<!-- bench:results:start -->"
RESULTS_END = "<!-- bench:results:end -->"
ENGINES = ("sqlite", "postgresql")
LABEL = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def ms(value) -> str:
    if value is None:
        return "–"
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def ratio(ours, other) -> str:
    if not ours or not other:
        return "–"
    return f"{ours / other:.2f}×"


def _get(data: dict, *keys):
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def targets(results: dict) -> list[tuple[str, str, str]]:
    """(target, engine, verdict) for every target of the issue that this run measured."""
    rows = []
    for engine in ENGINES:
        entry = results["engines"].get(engine) or {}
        scenarios = _get(entry, "inprocess", "scenarios") or {}
        if not scenarios:
            continue
        label = LABEL[engine]
        for name, scenario in scenarios.items():
            ours, floor = _get(scenario, "ours", "median_ms"), _get(scenario, "floor", "median_ms")
            if name == "claims_list" or name.startswith("search_"):
                if ours and floor:
                    r = ours / floor
                    verdict = "met" if r <= 2 else f"missed: {r:.2f}× the floor ({ms(ours)} vs {ms(floor)} ms)"
                    rows.append((f"{name} within 2× of the floor", label, f"{r:.2f}× — {verdict}"))
                mine = _get(entry, "http", "ours", name, "median_ms")
                peer = _get(entry, "peer", "http", name, "median_ms")
                if mine and peer:
                    r = mine / peer
                    verdict = "met" if r <= 1 else f"missed: {r:.2f}× the peer's time ({ms(mine)} vs {ms(peer)} ms)"
                    rows.append((f"{name} at least as fast as Datasette (HTTP)", label, verdict))
            if name.startswith("search_") and engine == "postgresql" and ours:
                verdict = "met" if ours < 50 else f"missed by {ours - 50:.0f} ms"
                rows.append((f"{name} under 50 ms", label, f"{ms(ours)} ms — {verdict}"))
            if name == "actor_dossier" and ours:
                verdict = "met" if ours < 150 else f"missed by {ours - 150:.0f} ms"
                rows.append(("most-mentioned actor's dossier under 150 ms", label, f"{ms(ours)} ms — {verdict}"))
            small, big = scenario.get("queries_small"), scenario.get("queries")
            if small is not None and big is not None:
                verdict = "met" if small == big else f"missed: {big} queries against {small}"
                rows.append((f"{name}: query count independent of data size", label, f"{big} = {small} — {verdict}"))
        memory = _get(entry, "inprocess", "csv_memory") or {}
        if memory.get("full_kb") and memory.get("tenth_kb"):
            r = memory["full_kb"] / memory["tenth_kb"]
            verdict = "met" if r <= 1.5 else f"missed: peak grows {r:.1f}× for 10× the rows"
            rows.append(
                (
                    "CSV export in flat memory",
                    label,
                    f"{memory['full_kb']:.0f} KB all rows, {memory['tenth_kb']:.0f} KB a tenth — {verdict}",
                )
            )
    return rows


SWEEP_LIMIT = 3  # a route at scale may take this many times its time on the seed corpus


def sweep_table(entry: dict) -> tuple[list[str], list[tuple[float, str]]]:
    """The sweep's lines for one database, and (ratio, route) of every route it could compare."""
    corpus = {row["route"]: row for row in entry["corpus"]["routes"]}
    scale = {row["route"]: row for row in entry["scale"]["routes"]}
    lines = [
        "| route | corpus ms | scale ms | scale ÷ corpus | first request at scale, ms | queries | KB at scale |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    ratios = []
    for name, big in scale.items():
        small = corpus.get(name, {})
        if big.get("median_ms") is None or small.get("median_ms") is None:
            lines.append(f"| `{name}` | – | – | – | – | – | {big.get('note') or small.get('note') or '–'} |")
            continue
        r = big["median_ms"] / max(small["median_ms"], 0.001)
        shown = f"{r:.1f}×" + (" (whole list)" if big.get("whole_list") else "")
        if big.get("status") != 200:
            shown += f" (status {big.get('status')})"
        if not big.get("whole_list"):
            ratios.append((r, name))
        lines.append(
            f"| `{name}` | {ms(small['median_ms'])} | {ms(big['median_ms'])} | {shown} | {ms(big['cold_ms'])} | "
            f"{small['queries']} → {big['queries']} | {big['bytes'] / 1024:,.0f} |"
        )
    return lines, ratios


def sweep_markdown(results: dict) -> list[str]:
    """Every route on the seed corpus and at scale, side by side, per database; the worst named."""
    out = []
    for engine in ENGINES:
        entry = _get(results, "engines", engine, "sweep")
        if not entry:
            continue
        lines, ratios = sweep_table(entry)
        counts = entry["scale"]["counts"]
        over = sorted((r, name) for r, name in ratios if r > SWEEP_LIMIT)
        worst = max(ratios) if ratios else (0, "–")
        out += [
            "",
            f"**Scale sweep, {LABEL[engine]}**: every route (from the URL configuration) as an anonymous "
            f"reader, median of {entry['scale']['repeats']} after a first request, the better of "
            f"{entry['scale'].get('rounds', 1)} rounds taken in turn on each database; seed corpus "
            f"({entry['corpus']['counts']['claims']:,} claims) against scale "
            f"({counts['claims']:,} claims, {counts['actors']:,} actors). "
            f"Worst: `{worst[1]}` at {worst[0]:.1f}×; {len(over)} of {len(ratios)} routes over "
            f"{SWEEP_LIMIT}× (whole-list CSV excepted).",
            "",
            *lines,
        ]
    return out


def markdown(results: dict) -> str:
    meta = results["meta"]
    out = [
        f"Run {meta['date']}, scale {meta['scale']} (seed {meta['seed']}), {meta['repeats']} repeats, "
        f"{meta['machine']}; the whole run took {meta.get('seconds', 0) / 60:.1f} min.",
        "",
    ]
    for engine in ENGINES:
        entry = results["engines"].get(engine)
        if entry and "skipped" in entry:
            out.append(f"{LABEL[engine]} was skipped: {entry['skipped']}.")
            out.append("")
        elif entry:
            build = entry["build"]
            how = "reused" if build.get("reused") else f"built in {build['seconds'] / 60:.1f} min"
            params = _get(entry, "inprocess", "params")
            if params:
                top = params["top_actor"]
                out.append(
                    f"{LABEL[engine]}: {params['claims']:,} claims, {params['actors']:,} actors, "
                    f"{params['transfers']:,} transfers ({how}); most-mentioned actor {top['name']} "
                    f"in {top['accepted_claims']:,} accepted claims."
                )
    out += sweep_markdown(results)
    if not any(_get(results, "engines", e, "inprocess") for e in ENGINES):
        return "\n".join(out) + "\n"
    out += [
        "",
        "**In process** (Django test client, anonymous reader; times in ms; floor = one hand-written SQL "
        "query + `json.dumps`):",
        "",
        "| scenario | database | ours median | ours p95 | floor median | ours ÷ floor | queries |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    names: list[str] = []
    for engine in ENGINES:
        for name in _get(results, "engines", engine, "inprocess", "scenarios") or {}:
            if name not in names:
                names.append(name)
    for name in names:
        for engine in ENGINES:
            s = _get(results, "engines", engine, "inprocess", "scenarios", name)
            if not s:
                continue
            if "error" in s or "missing" in s:
                out.append(f"| {name} | {LABEL[engine]} | {s.get('error') or s.get('missing')} | | | | |")
                continue
            ours, floor = s.get("ours") or {}, s.get("floor") or {}
            out.append(
                f"| {name} | {LABEL[engine]} | {ms(ours.get('median_ms'))} | {ms(ours.get('p95_ms'))} | "
                f"{ms(floor.get('median_ms'))} | {ratio(ours.get('median_ms'), floor.get('median_ms'))} | "
                f"{s.get('queries', '–')} |"
            )
    out += [
        "",
        "**Over HTTP** on loopback (gunicorn, 2 sync workers; Datasette on the same SQLite data with FTS5; "
        "median ms of sequential requests):",
        "",
        "| scenario | ours SQLite | Datasette | ours ÷ Datasette | ours PostgreSQL |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    http_names: list[str] = []
    for engine in ENGINES:
        for name in _get(results, "engines", engine, "http", "ours") or {}:
            if name not in http_names:
                http_names.append(name)
    for name in http_names:
        sqlite = _get(results, "engines", "sqlite", "http", "ours", name, "median_ms")
        peer = _get(results, "engines", "sqlite", "peer", "http", name, "median_ms")
        pg = _get(results, "engines", "postgresql", "http", "ours", name, "median_ms")
        out.append(f"| {name} | {ms(sqlite)} | {ms(peer)} | {ratio(sqlite, peer)} | {ms(pg)} |")
    out += [
        "",
        "**Throughput** under load (8 client threads on the same 2-CPU machine):",
        "",
        "| load | server | requests/s | median ms | p95 ms | errors |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for engine in ENGINES:
        for load, figures in (_get(results, "engines", engine, "http", "throughput") or {}).items():
            out.append(
                f"| {load.replace('_', ' + ')} | kb, {LABEL[engine]} | {figures['requests_per_second']} | "
                f"{ms(figures['median_ms'])} | {ms(figures['p95_ms'])} | {figures['errors']} |"
            )
    peer_load = _get(results, "engines", "sqlite", "peer", "throughput_list_search")
    if peer_load:
        out.append(
            f"| list + search | Datasette, SQLite | {peer_load['requests_per_second']} | "
            f"{ms(peer_load['median_ms'])} | {ms(peer_load['p95_ms'])} | {peer_load['errors']} |"
        )
    setups = [
        (engine, name, figures)
        for engine in ENGINES
        for name, figures in (_get(results, "engines", engine, "http", "setups") or {}).items()
    ]
    if setups:
        out += [
            "",
            "**gunicorn setups** under the list + search load (8 client threads):",
            "",
            "| database | setup | requests/s | median ms | p95 ms | errors |",
            "| --- | --- | ---: | ---: | ---: | ---: |",
        ]
        out += [
            f"| {LABEL[engine]} | {name} | {f['requests_per_second']} | {ms(f['median_ms'])} | "
            f"{ms(f['p95_ms'])} | {f['errors']} |"
            for engine, name, f in setups
        ]
    ingest_rows = []
    for engine in ENGINES:
        s = _get(results, "engines", engine, "inprocess", "scenarios", "ingest")
        if s and s.get("ours"):
            ingest_rows.append(
                f"{LABEL[engine]} {ms(s['ours']['median_ms'])} ms median (p95 {ms(s['ours']['p95_ms'])}, "
                f"{s.get('claims_proposed', '?')} claims proposed)"
            )
    if ingest_rows:
        out += ["", "**Ingest** of a 1,000-word article: " + "; ".join(ingest_rows) + "."]
    rows = targets(results)
    if rows:
        out += ["", "**Targets:**", "", "| target | database | result |", "| --- | --- | --- |"]
        out += [f"| {target} | {engine} | {verdict} |" for target, engine, verdict in rows]
    return "\n".join(out) + "\n"


def update_results(path: Path, table: str) -> None:
    """Replace the text between the bench markers in ``path`` (docs/performance.md) with ``table``."""
    text = path.read_text()
    if RESULTS_START not in text or RESULTS_END not in text:
        print(f"{path.name} has no {RESULTS_START} … {RESULTS_END} markers; not updated.")
        return
    pattern = re.compile(re.escape(RESULTS_START) + ".*?" + re.escape(RESULTS_END), re.S)
    path.write_text(pattern.sub(lambda _: f"{RESULTS_START}\n{table}{RESULTS_END}", text, count=1))

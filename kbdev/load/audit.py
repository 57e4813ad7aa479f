"""The load check's audit: the database holds exactly what it held before plus the acknowledged writes."""

from __future__ import annotations

import json
from typing import Any

from kb.backup import backup_rows
from kb.selectors import kb_violations


def snapshot() -> dict[tuple[str, Any], str]:
    """Every row of the knowledge base (the backup's rows), keyed by (model, pk)."""
    return {(row["model"], row["pk"]): json.dumps(row, sort_keys=True, default=str) for row in backup_rows()}


def audit(before: dict[tuple[str, Any], str], writes: list[dict[str, Any]]) -> list[str]:
    """Every way the database differs from ``before`` plus exactly the acknowledged ``writes``."""
    problems = []
    after = snapshot()
    for key, row in before.items():
        if key not in after:
            problems.append(f"{key[0]} #{key[1]} was there before the load and is gone")
        elif after[key] != row:
            problems.append(f"{key[0]} #{key[1]} changed during the load, which wrote no such change")
    new = {key: json.loads(row) for key, row in after.items() if key not in before}
    actors = {w["id"]: w for w in writes if w["kind"] == "actor"}
    claims = {w["id"]: w for w in writes if w["kind"] == "claim"}
    owned = {"kb.actor": set(actors), "kb.claim": set(claims)}

    def expect(label: str, pks: set) -> None:
        got = {pk for (model, pk) in new if model == label}
        if got != pks:
            lost, extra = sorted(pks - got), sorted(got - pks)
            if lost:
                problems.append(f"{label}: acknowledged rows missing: {lost[:10]}")
            if extra:
                problems.append(f"{label}: rows no acknowledged write made: {extra[:10]}")

    expect("kb.actor", set(actors))
    expect("kb.claim", set(claims))
    alias_pks = set()
    history_ids: dict[str, set] = {}
    for (label, pk), row in new.items():
        fields = row["fields"]
        if label == "kb.alias":
            alias_pks.add(pk)
            if fields["actor"] not in actors:
                problems.append(f"kb.alias #{pk} belongs to actor #{fields['actor']}, which no write made")
        elif label.startswith("kb.historical") and "_" not in label.split(".")[1]:
            model = "kb." + label.split(".")[1].removeprefix("historical")
            object_id = fields.get("id")
            parent = fields.get("actor") if model == "kb.alias" else None
            if object_id in owned.get(model, set()) or (model == "kb.alias" and parent in actors):
                history_ids.setdefault(label, set()).add(pk)
            else:
                problems.append(f"{label} #{pk} records a change no acknowledged write made ({model} #{object_id})")
    for (label, pk), row in new.items():
        if label.startswith("kb.historical") and "_" in label.split(".")[1]:
            if row["fields"].get("history") not in history_ids.get(label.split("_")[0], set()):
                problems.append(f"{label} #{pk} belongs to no new history row of an acknowledged write")
        elif label not in {"kb.actor", "kb.claim", "kb.alias"} and not label.startswith("kb.historical"):
            problems.append(f"{label} #{pk} is new, and the load wrote no such record")
    expected_aliases = sum(len({w["sent"]["name"], *w["sent"]["aliases"]}) for w in actors.values())
    if len(alias_pks) != expected_aliases:
        problems.append(f"kb.alias: {len(alias_pks)} new aliases, expected {expected_aliases}")

    for pk, write in actors.items():
        row = new.get(("kb.actor", pk))
        if row is None:
            continue
        sent, fields = write["sent"], row["fields"]
        for name in ("name", "kind", "summary"):
            if fields[name] != sent[name] or write["answer"][name] != sent[name]:
                problems.append(f"kb.actor #{pk}: {name} is {fields[name]!r}, the write sent {sent[name]!r}")
    alias_names: dict[int, set] = {}
    for (label, _pk), row in new.items():
        if label == "kb.alias":
            alias_names.setdefault(row["fields"]["actor"], set()).add(row["fields"]["name"])
    for pk, write in actors.items():
        wanted = {write["sent"]["name"], *write["sent"]["aliases"]}
        if alias_names.get(pk, set()) != wanted:
            problems.append(
                f"kb.actor #{pk}: aliases {sorted(alias_names.get(pk, []))}, the write sent {sorted(wanted)}"
            )
    for pk, write in claims.items():
        row = new.get(("kb.claim", pk))
        if row is None:
            continue
        sent, fields = write["sent"], row["fields"]
        for name in ("source", "quote", "start", "end", "statement", "modality"):
            if fields[name] != sent[name]:
                problems.append(f"kb.claim #{pk}: {name} is {fields[name]!r}, the write sent {sent[name]!r}")
        if sorted(fields["subjects"]) != sorted(sent["subjects"]):
            problems.append(f"kb.claim #{pk}: subjects {fields['subjects']}, the write sent {sent['subjects']}")
    problems.extend(f"verify_kb: {line}" for line in kb_violations())
    return problems

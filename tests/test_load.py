"""The load check's audit finds every lost, extra or changed row; the command refuses a database that is not scratch."""

import pytest
from django.core.management import CommandError, call_command

from kb import services
from kbdev.load.audit import audit, snapshot
from kbdev.timing import percentile


@pytest.fixture
def base(make_actor, make_claim):
    return {"actor": make_actor("Russia"), "claim": make_claim()}


def actor_write(editor, name="Load actor 1", aliases=("LA 1",)):
    sent = {"name": name, "kind": "organization", "aliases": list(aliases), "summary": "<b>x</b> & “y”"}
    actor = services.actor_create(user=editor, **sent)
    return {"kind": "actor", "id": actor.pk, "sent": sent, "answer": {**sent, "id": actor.pk}}


def claim_write(editor, source, actor, quote="Kim Jong-un met Vladimir Putin"):
    start = source.text.index(quote)
    sent = {
        "source": source.pk,
        "quote": quote,
        "start": start,
        "end": start + len(quote),
        "statement": "A paraphrase.",
        "modality": "fact",
        "subjects": [actor.pk],
    }
    claim = services.claim_create(user=editor, **{**sent, "source": source, "subjects": [actor]})
    return {"kind": "claim", "id": claim.pk, "sent": sent, "answer": {**sent, "id": claim.pk}}


def test_exactly_the_acknowledged_writes_pass(base, editor):
    before = snapshot()
    writes = [actor_write(editor), claim_write(editor, base["claim"].source, base["actor"])]
    assert audit(before, writes) == []


def test_a_lost_write_is_reported(base, editor):
    before = snapshot()
    writes = [actor_write(editor)]
    writes.append({**writes[0], "id": writes[0]["id"] + 1000})
    problems = audit(before, writes)
    assert any("kb.actor: acknowledged rows missing" in p for p in problems)


def test_a_row_no_write_made_is_reported(base, editor):
    before = snapshot()
    actor_write(editor, name="Unacknowledged", aliases=())
    problems = audit(before, [])
    assert any("kb.actor: rows no acknowledged write made" in p for p in problems)
    assert any("kb.historicalactor" in p and "no acknowledged write made" in p for p in problems)


def test_a_changed_row_is_reported(base, editor):
    before = snapshot()
    services.actor_update(base["actor"], user=editor, summary="Changed behind the load's back.")
    problems = audit(before, [])
    assert f"kb.actor #{base['actor'].pk} changed during the load, which wrote no such change" in problems


def test_a_row_stored_unlike_the_write_is_reported(base, editor):
    before = snapshot()
    write = claim_write(editor, base["claim"].source, base["actor"])
    write["sent"] = {**write["sent"], "statement": "Something else."}
    problems = audit(before, [write])
    assert any("statement is 'A paraphrase.', the write sent 'Something else.'" in p for p in problems)


def test_a_deleted_row_is_reported(base, editor):
    extra = services.actor_create(user=editor, name="Going", kind="state")
    pk = extra.pk
    before = snapshot()
    services.actor_delete(extra, user=editor)
    problems = audit(before, [])
    assert f"kb.actor #{pk} was there before the load and is gone" in problems


def test_percentile():
    values = [i / 100 for i in range(1, 101)]
    assert percentile(values, 50) == 0.5
    assert percentile(values, 99) == 0.99
    assert percentile([], 99) == 0.0


def test_load_check_refuses_a_database_that_is_not_scratch(base):
    with pytest.raises(CommandError, match="point DATABASE_URL at a scratch database"):
        call_command("load_check", "--short")


@pytest.mark.parametrize("args", [["--readers", "0"], ["--seconds", "0"], ["--seconds", "10000"]])
def test_load_check_refuses_bad_arguments(db, args):
    with pytest.raises(CommandError, match="must be"):
        call_command("load_check", *args)

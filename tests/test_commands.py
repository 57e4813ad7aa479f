"""verify_kb: the integrity audit finds corruption written behind the services' back."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F

from kb.models import Alias, Claim, Event, Source

pytestmark = pytest.mark.django_db


def run_verify() -> str:
    out = StringIO()
    call_command("verify_kb", stdout=out)
    return out.getvalue()


def verify_fails() -> str:
    out = StringIO()
    with pytest.raises(CommandError, match=r"violation\(s\) found"):
        call_command("verify_kb", stdout=out)
    return out.getvalue()


def test_clean_knowledge_base_passes(make_claim, accepted):
    accepted(make_claim())
    assert "no violations" in run_verify()


def test_an_accepted_claim_on_a_hidden_source_is_caught(make_claim, accepted):
    claim = accepted(make_claim())
    Source.objects.filter(pk=claim.source_id).update(published_at=None)
    out = verify_fails()
    assert f"Claim #{claim.pk}: accepted, but its source #{claim.source_id} is hidden" in out


def test_shifted_anchor_is_caught(make_claim):
    claim = make_claim()
    Claim.objects.filter(pk=claim.pk).update(start=F("start") + 1, end=F("end") + 1)
    out = verify_fails()
    assert f"Claim #{claim.pk}" in out and "not the quote" in out


def test_edited_source_text_is_caught(make_claim):
    claim = make_claim()
    text = claim.source.text.replace("artillery shells", "artillery rounds")
    Source.objects.filter(pk=claim.source_id).update(text=text)
    out = verify_fails()
    assert f"Source #{claim.source_id}: sha256 does not match" in out
    assert f"Claim #{claim.pk}" in out


def test_other_invariants_are_caught(make_claim, make_actor, editor):
    claim = make_claim()
    Claim.objects.filter(pk=claim.pk).update(status="accepted", reviewed_at=None)
    actor = make_actor("Kim Jong-un", kind="person")
    Alias.objects.filter(actor=actor).update(normalized="wrong")
    from kb import services

    event = services.event_create(user=editor, title="Summit", kind="summit", start_on="2023-09")
    Event.objects.filter(pk=event.pk).update(start_on=dt.date(2023, 9, 13))
    out = verify_fails()
    assert "without a review time" in out
    assert "normalized form 'wrong'" in out
    assert "its name is not among its aliases" in out
    assert f"Event #{event.pk} start_on: 2023-09-13 is not the first day of its month" in out


@pytest.mark.slow
@pytest.mark.django_db(transaction=False)
def test_command_exits_nonzero_without_traceback(tmp_path):
    """As a real process on its own SQLite file: violations printed, exit status 1, no traceback."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'verify.sqlite3'}"}

    def manage(*args):
        return subprocess.run(
            [sys.executable, "manage.py", *args], capture_output=True, text=True, env=env, check=False
        )

    assert manage("migrate", "-v0").returncode == 0
    corrupt = (
        "from kb import services; from kb.models import Claim; from django.db.models import F; "
        "s = services.source_create(user=None, title='T', publisher='P', text='Kim met Putin.'); "
        "c = services.claim_create(user=None, source=s, quote='Kim met'); "
        "Claim.objects.filter(pk=c.pk).update(start=F('start') + 1, end=F('end') + 1)"
    )
    assert manage("shell", "-v0", "-c", corrupt).returncode == 0
    result = manage("verify_kb")
    assert result.returncode == 1
    assert "Claim #1: source #1 text at 1..8" in result.stdout
    assert "Traceback" not in result.stderr and "1 violation(s) found." in result.stderr

"""The synthetic knowledge base: proportional counts, a clean verify_kb, determinism and refusal."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count

from kb.choices import ClaimStatus, DatePrecision
from kb.ingest.normalize import normalize_name
from kb.models import Actor, Agreement, AgreementParty, Alias, ArmsTransfer, Claim, Event, Relationship, Source
from kbdev import synth

SCALE = 0.01


def snapshot() -> dict[str, list]:
    """The content of the synthetic rows, leaving out creation times."""
    return {
        "actors": list(Actor.objects.order_by("pk").values_list("pk", "name", "slug", "kind", "start_on")),
        "aliases": list(Alias.objects.order_by("actor_id", "normalized").values_list("actor_id", "name")),
        "sources": list(Source.objects.order_by("pk").values_list("pk", "sha256", "published_on")),
        "claims": list(
            Claim.objects.order_by("pk").values_list("pk", "source_id", "start", "end", "status", "modality")
        ),
        "subjects": list(
            Claim.subjects.through.objects.order_by("claim_id", "actor_id").values_list("claim_id", "actor_id")
        ),
        "transfers": list(ArmsTransfer.objects.order_by("pk").values_list("pk", "supplier_id", "recipient_id")),
        "events": list(Event.objects.order_by("pk").values_list("pk", "slug")),
        "agreements": list(Agreement.objects.order_by("pk").values_list("pk", "slug")),
    }


@pytest.fixture
def synthetic(db):
    call_command("synth_kb", scale=SCALE, seed=7, stdout=None)


def test_counts_are_proportional_to_scale(synthetic):
    assert Actor.objects.count() == 100
    assert Source.objects.count() == 20
    assert Claim.objects.count() == 2000
    assert Relationship.objects.count() == 200
    assert Event.objects.count() == 50
    assert Agreement.objects.count() == 10
    assert ArmsTransfer.objects.count() == 200
    assert Alias.objects.count() > Actor.objects.count()


def test_verify_kb_finds_no_violation(synthetic, capsys):
    call_command("verify_kb")
    assert "no violations" in capsys.readouterr().out


def test_shape_is_realistic(synthetic):
    # Quotes are their sources' own words at their offsets.
    for claim in Claim.objects.select_related("source")[:200]:
        assert claim.source.text[claim.start : claim.end] == claim.quote
    # Mentions are skewed: the most-mentioned actor is a subject of a large share of claims.
    top = Actor.objects.annotate(n=Count("claims")).order_by("-n").values_list("name", "n")[:3]
    assert top[0][1] > 0.25 * Claim.objects.count()
    assert top[0][0] == "Russia"
    # Every date precision occurs; most claims are accepted.
    precisions = set(Claim.objects.values_list("about_on_precision", flat=True))
    assert set(DatePrecision.values) <= precisions
    accepted = Claim.objects.filter(status=ClaimStatus.ACCEPTED).count()
    assert 0.7 < accepted / Claim.objects.count() < 0.9
    # A source is public when one of its claims is accepted, as accepting it would have made it.
    with_accepted = Source.objects.filter(claims__status=ClaimStatus.ACCEPTED).distinct()
    assert set(Source.objects.exclude(published_at=None)) == set(with_accepted)
    # Alias forms are the normalised names; accented names exist.
    for name, normalized in Alias.objects.values_list("name", "normalized"):
        assert normalized == normalize_name(name)
    assert Actor.objects.filter(name__contains="ŏ").exists()
    # Every kind of backed record has evidence.
    assert not Relationship.objects.filter(evidence=None).exists()
    assert not ArmsTransfer.objects.filter(evidence=None).exists()
    # Agreement parties take the steps their agreement's status implies, in an order the model accepts.
    assert AgreementParty.objects.exclude(ratified_on=None).exists()
    assert AgreementParty.objects.exclude(in_force_on=None).exists()
    for party in AgreementParty.objects.exclude(signed_on=None)[:200]:
        party.full_clean()


def test_same_seed_gives_same_rows(synthetic):
    first = snapshot()
    call_command("synth_kb", scale=SCALE, seed=7, stdout=None)
    assert snapshot() == first
    call_command("synth_kb", scale=SCALE, seed=8, stdout=None)
    assert snapshot() != first


def test_new_rows_after_synthetic_load_get_fresh_ids(synthetic, editor):
    from kb import services

    actor = services.actor_create(user=editor, name="A New Actor", kind="state")
    assert actor.pk > 100


def test_refuses_a_database_with_other_data(db, make_source):
    make_source()
    with pytest.raises(CommandError, match="did not make"):
        call_command("synth_kb", scale=SCALE)
    assert Claim.objects.count() == 0
    call_command("synth_kb", scale=SCALE, force=True, stdout=None)
    assert synth.is_synthetic()
    assert Source.objects.count() == 20


def test_progress_goes_to_stderr_and_none_with_v0(db):
    out, err = StringIO(), StringIO()
    call_command("synth_kb", scale=0.002, seed=7, stdout=out, stderr=err)
    assert "synth_kb: planning sources and claims: 4/4 (100 %)" in err.getvalue()
    assert "synth_kb: writing claims: 400/400 (100 %)" in err.getvalue()
    (summary,) = out.getvalue().splitlines()  # stdout holds the result alone
    assert "rows at scale 0.002 (seed 7)" in summary
    out, err = StringIO(), StringIO()
    call_command("synth_kb", scale=0.002, seed=7, verbosity=0, stdout=out, stderr=err)
    assert err.getvalue() == ""
    assert "rows at scale 0.002 (seed 7)" in out.getvalue()


def test_rejects_a_bad_scale(db):
    with pytest.raises(CommandError, match="--scale"):
        call_command("synth_kb", scale=0)

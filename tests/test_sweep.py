"""The scale sweep (``sweep_routes``): every route of the project is timed, none escapes it."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kb import services
from kbdev.routes import project_routes
from kbdev.sweep import FILTERED, targets

pytestmark = pytest.mark.django_db


def test_every_route_is_timed_or_says_why_not(sample_kb):
    found = {t.route.key: t for t in targets() if not t.variant}
    for route in project_routes():
        if "format" in route.params:
            continue  # the format-suffix twin of a route that is timed
        assert route.key in found, route.key
        target = found[route.key]
        assert target.url or target.note in ("answers POST only", "editors only"), f"{route.key}: {target.note}"


def test_ladder_filters_are_timed_with_the_busiest_party_or_say_why_not(sample_kb, editor):
    variants = {t.name: t for t in targets() if t.variant}
    assert set(variants) == {f"{lst}?{param}" for lst in FILTERED for param in ("ratified_by", "in_force_for")}
    assert all(t.url is None and "no party with" in t.note for t in variants.values())
    party = sample_kb.treaty.party_links.get(actor=sample_kb.russia)
    services.agreement_party_update(party, user=editor, ratified_on="2024-11", ratification_kind="ratification")
    variants = {t.name: t for t in targets() if t.variant}
    assert variants["api:agreement-list?ratified_by"].url == "/api/v1/agreements/?ratified_by=russia"
    assert variants["kb:agreement-list?in_force_for"].url is None


@pytest.mark.slow
def test_sweep_writes_every_route_with_its_figures(sample_kb, tmp_path):
    out = tmp_path / "sweep.json"
    call_command("sweep_routes", repeats=1, out=out, verbosity=0)
    result = json.loads(out.read_text())
    assert result["counts"]["claims"] == 2
    rows = {row["route"]: row for row in result["routes"]}
    assert rows["kb:actor-detail"]["status"] == 200
    assert rows["api:search"]["url"].endswith("?q=missiles")
    timed = [row for row in rows.values() if row["url"]]
    assert all(row["median_ms"] > 0 and row["queries"] >= 0 for row in timed)
    assert {row["status"] for row in timed} == {200, 404}  # the API's catch-all is the one 404
    assert rows["kb:transfer-csv"]["whole_list"] and rows["kb:transfer-sipri"]["whole_list"]


def test_sweep_refuses_an_empty_database_and_bad_options(tmp_path):
    with pytest.raises(CommandError, match="no claims"):
        call_command("sweep_routes", verbosity=0)
    with pytest.raises(CommandError, match="at least 1"):
        call_command("sweep_routes", repeats=0, verbosity=0)
    with pytest.raises(CommandError, match="no directory"):
        call_command("sweep_routes", out=tmp_path / "missing" / "x.json", verbosity=0)

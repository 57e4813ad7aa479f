"""The ratification ladder: each party's signature, ratification (or accession) and entry into force, with evidence.

Through the services, the API (output, filters, writes, bad input), the admin (inline and the
party's own page) and the pages (agreement detail and the actor's dossier).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kb import services
from kb.choices import ActorKind, DatePrecision, RatificationKind
from kb.models import Agreement, AgreementParty
from tests.helpers import V1, form_data, form_errors
from tests.helpers import admin_url as url
from tests.world import World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(editor) -> World:
    """The treaty (signed 19 June 2024, in force 4 December 2024) between North Korea and Russia, with
    the accepted claim that reports its signing and a proposed one."""
    return build_world(
        editor,
        *("dprk", "russia", "kim", "putin", "pyongyang", "source"),
        *("treaty_claim", "proposed", "treaty"),
    )


@pytest.fixture
def laddered(world, editor) -> World:
    """The treaty with each party's steps: Russia ratified, North Korea ratified and in force; a third state acceded.

    North Korea's steps rest on the accepted claim and on a proposed one.
    """
    belarus = services.actor_create(user=editor, name="Belarus", kind=ActorKind.STATE)
    world._records["belarus"] = belarus
    services.agreement_update(
        world.treaty,
        user=editor,
        parties=[
            {
                "actor": world.dprk,
                "signatory": world.kim,
                "signed_on": "2024-06-19",
                "ratified_on": "2024-11-11",
                "ratification_kind": RatificationKind.RATIFICATION,
                "in_force_on": "2024-12-04",
                "evidence": [world.treaty_claim, world.proposed],
            },
            {
                "actor": world.russia,
                "signatory": world.putin,
                "signed_on": "2024-06-19",
                "ratified_on": "2024-11",
                "ratification_kind": RatificationKind.RATIFICATION,
                "evidence": [world.treaty_claim],
            },
            {"actor": belarus, "ratified_on": "2025", "ratification_kind": RatificationKind.ACCESSION},
        ],
    )
    return world


def _party(world: World, name: str) -> AgreementParty:
    return world.treaty.party_links.get(actor=world[name])


def _state(agreement) -> list[tuple]:
    """Everything stored about an agreement's parties, and how many history rows they have."""
    rows = [
        (
            p.actor_id,
            p.signatory_id,
            p.signed_on,
            p.signed_on_precision,
            p.ratified_on,
            p.ratified_on_precision,
            p.ratification_kind,
            p.in_force_on,
            p.in_force_on_precision,
            sorted(p.evidence.values_list("pk", flat=True)),
        )
        for p in agreement.party_links.order_by("actor_id")
    ]
    return [*rows, AgreementParty.history.count()]


# --- the services ---------------------------------------------------------------------------


def test_each_party_keeps_its_own_steps_with_evidence_and_history(laddered, editor):
    dprk = _party(laddered, "dprk")
    assert (
        str(dprk.signed) == "2024-06-19" and str(dprk.ratified) == "2024-11-11" and str(dprk.in_force) == "2024-12-04"
    )
    assert dprk.ratification_kind == RatificationKind.RATIFICATION
    assert set(dprk.evidence.all()) == {laddered.treaty_claim, laddered.proposed}
    russia = _party(laddered, "russia")
    assert russia.ratified_on_precision == DatePrecision.MONTH and russia.in_force is None
    belarus = _party(laddered, "belarus")
    assert belarus.signed is None and belarus.ratification_kind == RatificationKind.ACCESSION
    # The agreement's own entry into force is its own, untouched by the parties'.
    assert str(laddered.treaty.in_force) == "2024-12-04"
    latest = dprk.history.first()
    assert latest.history_user == editor and latest.ratified_on == dt.date(2024, 11, 11)


def test_a_party_given_again_unchanged_writes_nothing(laddered, editor):
    before = AgreementParty.history.count()
    parties = [
        {
            "actor": p.actor,
            "signatory": p.signatory,
            "signed_on": p.signed,
            "ratified_on": p.ratified,
            "ratification_kind": p.ratification_kind,
            "in_force_on": p.in_force,
            "evidence": list(p.evidence.all()),
        }
        for p in laddered.treaty.party_links.all()
    ]
    services.agreement_update(laddered.treaty, user=editor, parties=parties)
    assert AgreementParty.history.count() == before
    # Left out of a party, a step is cleared: the list replaces the parties as they were.
    services.agreement_update(laddered.treaty, user=editor, parties=[laddered.dprk, laddered.russia])
    assert _party(laddered, "dprk").ratified is None and not _party(laddered, "dprk").evidence.exists()


def test_steps_at_coarser_precision_are_compared_by_period(world, editor):
    # "2024" may hold 19 June 2024 and a later ratification: taken.
    services.agreement_update(
        world.treaty,
        user=editor,
        parties=[
            {"actor": world.dprk, "signed_on": "2024-06-19", "ratified_on": "2024", "ratification_kind": "approval"}
        ],
    )
    assert str(_party(world, "dprk").ratified) == "2024"
    # May 2024 is wholly before 19 June 2024: refused.
    with pytest.raises(ValidationError, match=r"ratified_on: The ratification \(2024-05\) is before the signature"):
        services.agreement_update(
            world.treaty,
            user=editor,
            parties=[
                {
                    "actor": world.dprk,
                    "signed_on": "2024-06-19",
                    "ratified_on": "2024-05",
                    "ratification_kind": "ratification",
                }
            ],
        )


BAD_PARTIES = [
    (
        {"signed_on": "2024-06-19", "ratified_on": "2024-06-18", "ratification_kind": "ratification"},
        "ratified_on: The ratification (2024-06-18) is before the signature (signed_on, 2024-06-19)",
    ),
    (
        {"ratified_on": "2024-11-11", "ratification_kind": "ratification", "in_force_on": "2024-10"},
        "in_force_on: The entry into force (2024-10) is before the ratification (ratified_on, 2024-11-11)",
    ),
    (
        {"signed_on": "2024-06-19", "in_force_on": "2023"},
        "in_force_on: The entry into force (2023) is before the signature (signed_on, 2024-06-19)",
    ),
    ({"ratified_on": "2024-11-11"}, "ratification_kind: Say how the party consented to be bound"),
    ({"ratification_kind": "ratification"}, "ratified_on: A ratification needs its date"),
    (
        {"signed_on": "2024-06-19", "ratified_on": "2024-11", "ratification_kind": "accession"},
        "ratification_kind: An accession is how a party that did not sign becomes bound",
    ),
    ({"ratified_on": "2024-11", "ratification_kind": "adhesion"}, "ratification_kind: Value 'adhesion' is not"),
    ({"signed_on": "2024-02-30"}, "signed_on: “2024-02-30” is not a date: February 2024 has 29 days."),
    ({"ratified": "2024"}, "a party has no field 'ratified'"),
]


@pytest.mark.parametrize(("fields", "message"), BAD_PARTIES)
def test_bad_steps_are_refused_naming_the_field_and_nothing_is_stored(laddered, editor, fields, message):
    before = _state(laddered.treaty)
    with pytest.raises(ValidationError) as refused:
        services.agreement_update(
            laddered.treaty,
            user=editor,
            title="Renamed",
            parties=[laddered.russia, {"actor": laddered.dprk, **fields}],
        )
    assert refused.value.message_dict.keys() == {"parties"}
    (line,) = refused.value.message_dict["parties"]
    assert line.startswith("item 2") and message in line, line
    laddered.treaty.refresh_from_db()
    assert laddered.treaty.title != "Renamed" and _state(laddered.treaty) == before


def test_a_party_added_alone_is_checked_as_well(world, editor):
    agreement = world.treaty
    with pytest.raises(ValidationError) as refused:
        services.agreement_party_add(
            user=editor,
            agreement=agreement,
            actor=services.actor_create(user=editor, name="Belarus", kind=ActorKind.STATE),
            signed_on="2025-02",
            in_force_on="2025-01-30",
        )
    assert "before the signature" in refused.value.message_dict["in_force_on"][0]
    assert agreement.party_links.count() == 2
    party = _party(world, "dprk")
    with pytest.raises(ValidationError) as refused:
        services.agreement_party_update(party, user=editor, actor=world.russia)
    assert "already a party" in refused.value.message_dict["actor"][0]


def test_merging_an_actor_keeps_the_steps_and_evidence_of_both_rows(laddered, editor):
    twin = services.actor_create(user=editor, name="DPRK (twin)", kind=ActorKind.STATE)
    services.agreement_update(
        laddered.treaty,
        user=editor,
        parties=[
            laddered.russia,
            {"actor": laddered.dprk, "signed_on": "2024-06-19", "evidence": [laddered.proposed]},
            {"actor": twin, "ratified_on": "2024-11-11", "ratification_kind": "ratification", "in_force_on": "2024-12"},
        ],
    )
    twin_party = laddered.treaty.party_links.get(actor=twin)
    services.agreement_party_update(twin_party, user=editor, evidence=[laddered.treaty_claim])
    services.actor_merge(user=editor, duplicate=twin, into=laddered.dprk)
    party = _party(laddered, "dprk")
    assert (str(party.signed), str(party.ratified), str(party.in_force)) == ("2024-06-19", "2024-11-11", "2024-12")
    assert set(party.evidence.all()) == {laddered.proposed, laddered.treaty_claim}


# --- the API -------------------------------------------------------------------------------


def _parties(response) -> dict[str, dict]:
    assert response.status_code == 200, response.content
    return {p["actor"]["slug"]: p for p in response.json()["parties"]}


def test_the_api_shows_each_partys_ladder_and_only_evidence_the_reader_may_see(laddered, anon, as_editor):
    path = f"{V1}/agreements/{laddered.treaty.pk}/"
    parties = _parties(anon.get(path))
    dprk = parties[laddered.dprk.slug]
    assert dprk["signatory"]["slug"] == laddered.kim.slug
    assert (dprk["signed_on"], dprk["signed_on_precision"]) == ("2024-06-19", "day")
    assert (dprk["ratified_on"], dprk["ratification_kind"], dprk["in_force_on"]) == (
        "2024-11-11",
        "ratification",
        "2024-12-04",
    )
    assert dprk["evidence"] == [laddered.treaty_claim.pk]  # the proposed claim is the editors' only
    russia = parties[laddered.russia.slug]
    assert (russia["ratified_on"], russia["ratified_on_precision"], russia["in_force_on"]) == ("2024-11", "month", None)
    belarus = parties["belarus"]
    assert (belarus["signed_on"], belarus["ratification_kind"], belarus["evidence"]) == (None, "accession", [])
    assert sorted(_parties(as_editor.get(path))[laddered.dprk.slug]["evidence"]) == sorted(
        [laddered.treaty_claim.pk, laddered.proposed.pk]
    )


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_the_api_filters_agreements_by_a_partys_ratification_and_entry_into_force(laddered, anon, editor):
    treaty = laddered.treaty.pk
    other = services.agreement_create(
        user=editor,
        title="Second accord",
        kind="agreement",
        status="signed",
        evidence=[laddered.treaty_claim],
        parties=[{"actor": laddered.russia, "signed_on": "2025-03"}, laddered.dprk],
    ).pk
    lists = f"{V1}/agreements/"
    assert _ids(anon.get(lists, {"party": "russia"})) == {treaty, other}
    assert _ids(anon.get(lists, {"ratified_by": "russia"})) == {treaty}
    assert _ids(anon.get(lists, {"ratified_by": "belarus"})) == {treaty}  # an accession counts
    assert _ids(anon.get(lists, {"ratified_by": str(laddered.dprk.pk)})) == {treaty}
    assert _ids(anon.get(lists, {"in_force_for": "north-korea"})) == {treaty}
    assert _ids(anon.get(lists, {"in_force_for": "russia"})) == set()
    assert _ids(anon.get(lists, {"in_force_for": "russia,north-korea"})) == {treaty}
    assert _ids(anon.get(lists, {"ratified_by": "russia", "in_force_for": "russia"})) == set()
    # The analyst's list page takes the same filters.
    page = anon.get(reverse("kb:agreement-list"), {"in_force_for": "north-korea"}).content.decode()
    assert laddered.treaty.title in page and "Second accord" not in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"ratified_by": "nobody-at-all"}, "No actor has the id or slug “nobody-at-all”."),
        ({"in_force_for": "not a slug"}, "is not an actor's id or slug"),
        ({"ratified_by": ",".join(str(n) for n in range(1, 60))}, "At most 50 values"),
    ],
)
def test_bad_ladder_filters_are_a_400_naming_them(laddered, anon, query, message):
    response = anon.get(f"{V1}/agreements/", query)
    assert response.status_code == 400
    (name,) = query
    assert message in " ".join(response.json()[name])


def test_the_api_writes_the_ladder_and_refuses_bad_steps_storing_nothing(world, as_editor, anon):
    body = {
        "title": "Accord on ladders",
        "kind": "treaty",
        "status": "ratified",
        "signed_on": "2024-06-19",
        "evidence": [world.treaty_claim.pk],
        "parties": [
            {
                "actor": world.dprk.pk,
                "signed_on": "2024-06-19",
                "ratified_on": "2024-11",
                "ratification_kind": "ratification",
                "in_force_on": "2024-12-04",
                "evidence": [world.treaty_claim.pk],
            },
            {"actor": world.russia.pk, "ratified_on": "2025", "ratification_kind": "accession"},
        ],
    }
    created = as_editor.post(f"{V1}/agreements/", body, format="json")
    assert created.status_code == 201, created.content
    parties = {p["actor"]["id"]: p for p in created.json()["parties"]}
    assert parties[world.dprk.pk]["ratified_on"] == "2024-11" and parties[world.dprk.pk]["evidence"] == [
        world.treaty_claim.pk
    ]
    assert parties[world.russia.pk]["ratification_kind"] == "accession"
    path = created.json()["url"]
    agreement = Agreement.objects.get(pk=created.json()["id"])
    stored = _state(agreement)

    bad_bodies = [
        ({"ratified_on": "2024-05", "signed_on": "2024-06-19", "ratification_kind": "ratification"}, "ratified_on"),
        ({"ratification_kind": "ratified"}, "ratification_kind"),
        ({"in_force_on": "2024-02-30"}, "in_force_on"),
        ({"in_force_on": 2024}, "in_force_on"),
        ({"evidence": [999_999]}, "evidence"),
        ({"ratification_kind": 5}, "ratification_kind"),
    ]
    for fields, field in bad_bodies:
        response = as_editor.patch(path, {"parties": [{"actor": world.dprk.pk, **fields}]}, format="json")
        assert response.status_code == 400, (fields, response.content)
        (line,) = response.json()["parties"]
        assert line.startswith("item 1") and field in line, (fields, line)
        assert _state(agreement) == stored

    # Readers may not write.
    assert anon.patch(path, {"parties": []}, format="json").status_code in (401, 403)
    assert _state(agreement) == stored


def test_the_agreement_list_reads_the_parties_evidence_in_one_query(laddered, editor, anon, django_assert_num_queries):
    for n in range(3):
        services.agreement_create(
            user=editor,
            title=f"Accord {n}",
            kind="agreement",
            status="in_force",
            evidence=[laddered.treaty_claim],
            parties=[
                {"actor": laddered.russia, "signed_on": "2024", "evidence": [laddered.treaty_claim]},
                {
                    "actor": laddered.dprk,
                    "ratified_on": "2024",
                    "ratification_kind": "accession",
                    "in_force_on": "2025",
                },
            ],
        )
    anon.get(f"{V1}/agreements/")  # the count is cached under the data's version
    # The page, its parties, their evidence, provisions, evidence: not one more for more parties.
    with django_assert_num_queries(5):
        response = anon.get(f"{V1}/agreements/")
    assert response.json()["count"] == 4


# --- the admin -----------------------------------------------------------------------------


def _party_rows(data: dict, prefix: str = "party_links") -> list[str]:
    return sorted({key.split("-")[1] for key in data if key.startswith(f"{prefix}-") and key.split("-")[1].isdigit()})


def test_the_admin_inline_saves_the_ladder_and_refuses_a_bad_order(laddered, desk):
    change = url("kb_agreement_change", laddered.treaty.pk)
    page = desk.get(change)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="party_links-0-ratified_on"' in html and 'name="party_links-0-ratification_kind"' in html
    data = form_data(page)
    row = next(n for n in _party_rows(data) if str(data.get(f"party_links-{n}-actor")) == str(laddered.russia.pk))
    before = _state(laddered.treaty)
    # In force for Russia before its ratification of November 2024: refused, nothing stored.
    bad = {**data, f"party_links-{row}-in_force_on": "2024-10-01", f"party_links-{row}-in_force_on_precision": "day"}
    response = desk.post(change, bad)
    assert response.status_code == 200
    assert "is before the ratification (ratified_on, 2024-11)" in response.content.decode()
    assert _state(laddered.treaty) == before
    # The same date after the ratification is saved, with its history.
    good = {**data, f"party_links-{row}-in_force_on": "2024-12-01", f"party_links-{row}-in_force_on_precision": "day"}
    response = desk.post(change, good)
    assert response.status_code == 302, form_errors(response)
    party = _party(laddered, "russia")
    assert str(party.in_force) == "2024-12-01" and party.history.first().in_force_on == dt.date(2024, 12, 1)


def test_the_partys_own_admin_page_refuses_an_accession_after_a_signature(laddered, desk):
    party = _party(laddered, "russia")
    change = url("kb_agreementparty_change", party.pk)
    data = form_data(desk.get(change))
    before = _state(laddered.treaty)
    response = desk.post(change, {**data, "ratification_kind": "accession"})
    assert response.status_code == 200
    assert "An accession is how a party that did not sign" in " ".join(form_errors(response)["ratification_kind"])
    assert _state(laddered.treaty) == before
    response = desk.post(change, {**data, "ratification_kind": "acceptance"})
    assert response.status_code == 302, form_errors(response)
    assert _party(laddered, "russia").ratification_kind == RatificationKind.ACCEPTANCE


# --- the pages -----------------------------------------------------------------------------


def test_the_agreement_page_shows_the_ladder_per_party(laddered, client, django_assert_num_queries):
    with django_assert_num_queries(6):  # the agreement, parties, their evidence, provisions, their evidence, evidence
        response = client.get(laddered.treaty.get_absolute_url())
    html = response.content.decode()
    dprk = html[html.index('id="party-north-korea"') :]
    dprk = dprk[: dprk.index("</tr>")]
    assert "19 June 2024" in dprk and "11 November 2024" in dprk and "Ratification" in dprk
    assert "4 December 2024" in dprk and "Kim Jong Un" in dprk
    assert f'href="/claims/{laddered.treaty_claim.pk}/"' in dprk
    assert f'href="/claims/{laddered.proposed.pk}/"' not in dprk
    belarus = html[html.index('id="party-belarus"') :]
    belarus = belarus[: belarus.index("</tr>")]
    assert "did not sign" in belarus and "Accession" in belarus and "2025" in belarus


def test_the_dossier_shows_the_actors_own_step_per_agreement(laddered, client, django_assert_num_queries):
    # As tests/test_web.py's dossier, less the sections this world leaves empty; the parties'
    # evidence is one query whatever the number of agreements and parties.
    with django_assert_num_queries(9):
        response = client.get(laddered.russia.get_absolute_url())
    html = response.content.decode()
    step = html[html.index('class="ladder-step"') :]
    step = step[: step.index("</small>")]
    assert "Russia’s steps: signed 19 June 2024 · ratification November 2024" in step
    assert "in force for it" not in step and f'href="/claims/{laddered.treaty_claim.pk}/"' in step
    belarus = client.get(laddered.belarus.get_absolute_url()).content.decode()
    assert "Belarus’s steps: accession 2025" in belarus


def test_the_claim_page_lists_the_party_steps_it_backs(laddered, client, editor, django_assert_num_queries):
    with django_assert_num_queries(10):
        response = client.get(laddered.treaty_claim.get_absolute_url())
    html = response.content.decode()
    assert f"{laddered.treaty.get_absolute_url()}#party-north-korea" in html
    assert "North Korea in Treaty on Comprehensive Strategic Partnership</a>: signed 19 June 2024" in html
    assert (
        "Russia in Treaty on Comprehensive Strategic Partnership</a>: signed 19 June 2024 · ratification November 2024"
        in html
    )
    # A party's steps are shown only where its agreement is: not for an agreement the reader may not see.
    services.agreement_update(laddered.treaty, user=editor, evidence=[laddered.proposed])
    html = client.get(laddered.treaty_claim.get_absolute_url()).content.decode()
    assert "Party’s steps" not in html

"""What keeps kb fast at scale: full-text search of claims on both databases, and query counts that stay put."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kb import services
from kb.filtersets import ClaimFilterSet
from kb.models import Actor, Claim
from kb.selectors import full_text_query, search_filter

TEXT = (
    "Kim Jong-un inspected the Sŭngri refinery. "
    "The U.S. said the People’s Army fired KN-23 missiles. "
    "Officials in Pyongyang declined to comment."
)


@pytest.fixture
def claims(make_source, make_claim):
    source = make_source(text=TEXT)
    return {
        "kim": make_claim(source=source, quote="Kim Jong-un inspected the Sŭngri refinery."),
        "us": make_claim(source=source, quote="The U.S. said the People’s Army fired KN-23 missiles."),
        "pyongyang": make_claim(source=source, quote="Officials in Pyongyang declined to comment."),
    }


def found(q: str) -> set[int]:
    return set(search_filter(queryset=Claim.objects.all(), q=q).values_list("pk", flat=True))


def test_full_text_query_syntax():
    assert full_text_query("Kim Jong-un", "postgresql") == "'kim' <-> 'jong' <-> 'un':*"
    assert full_text_query("Kim Jong-un", "sqlite") == '"kim jong un"*'
    assert full_text_query("%%% ---") is None


def test_search_matches_words_in_order_ignoring_case_accents_hyphens_and_dots(claims):
    kim, us, pyongyang = claims["kim"].pk, claims["us"].pk, claims["pyongyang"].pk
    assert found("kim jong un") == {kim}
    assert found("KIM JONG-UN") == {kim}
    assert found("sungri") == {kim}
    assert found("Sŭngri refinery") == {kim}
    assert found("us said") == {us}
    assert found("peoples army") == {us}
    assert found("kn-23") == {us}
    assert found("kn 23 missiles") == {us}
    # The last word may be the start of a word; others must be whole, and in order.
    assert found("pyong") == {pyongyang}
    assert found("declined to comm") == {pyongyang}
    assert found("refinery sungri") == set()
    assert found("ongyang") == set()
    assert found("%%%") == set()


def test_search_follows_edits_and_deletes(claims, editor):
    claim = claims["pyongyang"]
    services.claim_update(claim, user=editor, statement="Talks about rail links stalled.")
    assert found("rail links") == {claim.pk}
    services.claim_delete(claim, user=editor)
    assert found("rail links") == set()
    assert found("pyongyang") == set()


def test_search_matches_subjects_and_speakers_by_alias(make_source, make_claim, make_actor):
    dprk = make_actor("North Korea", aliases=["DPRK"])
    shoigu = make_actor("Sergei Shoigu", kind="person", aliases=["Sergey Shoygu"])
    source = make_source(text="Shells were shipped by rail. The minister promised more.")
    about = make_claim(source=source, quote="Shells were shipped by rail.", subjects=[dprk])
    said = make_claim(source=source, quote="The minister promised more.", speaker=shoigu)
    assert found("dprk") == {about.pk}
    assert found("shoygu") == {said.pk}
    assert found("shipped") == {about.pk}


def test_search_through_the_api_respects_visibility(claims, client, accepted):
    accepted(claims["kim"])
    response = client.get("/api/v1/claims/", {"search": "refinery"})
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [claims["kim"].pk]
    assert client.get("/api/v1/claims/", {"search": "pyongyang"}).json()["count"] == 0


def queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
        assert response.status_code == 200, response.content[:300]
        if response.streaming:
            b"".join(response.streaming_content)
    return len(captured.captured_queries)


def query_counts(client, scale: float) -> dict[str, int]:
    """Queries of the hot pages about the most-mentioned actor, in a synthetic base of ``scale``."""
    call_command("synth_kb", scale=scale, seed=11, stdout=None)
    russia = Actor.objects.get(name="Russia")
    paths = [
        f"/api/v1/claims/?subject={russia.pk}",
        f"/api/v1/claims/?subject={russia.pk}&modality=fact",
        f"/api/v1/actors/{russia.pk}/",
        f"/actors/{russia.slug}/",
        "/api/v1/claims/?search=russia",
        "/api/v1/claims/?search=kornet",
        "/api/v1/arms-transfers/?format=csv",
        "/api/v1/arms-transfers/",
        "/search/?q=russia",
        "/search/?q=missiles",
        "/api/v1/search/?q=russia",
    ]
    return {path.replace(str(russia.pk), "N").replace(russia.slug, "S"): queries(client, path) for path in paths}


def test_query_counts_do_not_grow_with_the_data(db, client):
    small = query_counts(client, 0.003)
    rows_small = Claim.objects.count()
    large = query_counts(client, 0.012)
    assert Claim.objects.count() == 4 * rows_small
    assert large == small


def test_claim_filterset_search_uses_full_text(claims):
    form = ClaimFilterSet({"search": "kim jong un"}, queryset=Claim.objects.all())
    assert list(form.qs) == [claims["kim"]]

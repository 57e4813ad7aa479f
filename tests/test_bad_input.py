"""Bad input everywhere: markup in text fields is shown escaped, over-long values are refused naming the field."""

import pytest
from rest_framework import serializers
from rest_framework.test import APIClient

from kb import services
from kb.api.urls import router
from kb.choices import ClaimStatus

SCRIPT = '<script>alert("kb")</script>'
IMG = "<img src=x onerror=alert(1)>"


@pytest.fixture
def hostile(editor, make_actor, make_source):
    """Records whose every free-text field carries markup."""
    actor = make_actor(f"Actor {SCRIPT}", summary=f"Summary {IMG} {SCRIPT}", aliases=[f"Alias {IMG}"])
    source = make_source(
        text=f"The text says {SCRIPT} and {IMG} verbatim.",
        title=f"Title {SCRIPT}",
        publisher=f"Publisher {IMG}",
    )
    claim = services.claim_create(
        user=editor,
        source=source,
        quote=SCRIPT,
        statement=f"Statement {IMG}",
        attributed_to=f"Attributed {SCRIPT}",
        subjects=[actor],
        status=ClaimStatus.ACCEPTED,
    )
    return {"actor": actor, "source": source, "claim": claim}


def assert_escaped(content: bytes, where: str) -> None:
    html = content.decode()
    assert SCRIPT not in html, f"raw <script> in {where}"
    assert IMG not in html, f"raw <img onerror> in {where}"
    assert "&lt;script&gt;" in html or "&lt;img" in html, f"the markup is not shown (escaped) in {where}"


@pytest.mark.django_db
def test_pages_show_markup_escaped(client, hostile):
    actor, source, claim = hostile["actor"], hostile["source"], hostile["claim"]
    for url in [
        "/",
        "/actors/",
        actor.get_absolute_url(),
        source.get_absolute_url(),
        claim.get_absolute_url(),
        "/search/?q=Actor",
        f"/search/?q={SCRIPT}",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_escaped(response.content, url)


@pytest.mark.django_db
def test_admin_shows_markup_escaped(client, admin_user, hostile):
    client.force_login(admin_user)
    actor, source, claim = hostile["actor"], hostile["source"], hostile["claim"]
    for url in [
        "/admin/kb/actor/",
        f"/admin/kb/actor/{actor.pk}/change/",
        "/admin/kb/source/",
        f"/admin/kb/source/{source.pk}/change/",
        "/admin/kb/claim/",
        f"/admin/kb/claim/{claim.pk}/change/",
        f"/admin/kb/claim/{claim.pk}/history/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_escaped(response.content, url)


def over_long_cases():
    """(route, field, max_length) for every length-limited text field of every API input serializer."""
    cases = []
    for prefix, viewset, _basename in router.registry:
        input_class = getattr(viewset, "input_serializer_class", None)
        if input_class is None:
            continue
        for name, field in input_class().fields.items():
            if isinstance(field, serializers.CharField) and field.max_length and not field.read_only:
                cases.append((prefix, name, field.max_length))
    return cases


@pytest.mark.django_db
@pytest.mark.parametrize("route, field, max_length", over_long_cases())
def test_over_long_values_are_refused_naming_the_field(editor, route, field, max_length):
    api = APIClient()
    api.force_authenticate(editor)
    response = api.post(f"/api/v1/{route}/", {field: "x" * (max_length + 1)}, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()


def test_every_api_resource_has_length_checks():
    assert {route for route, _f, _m in over_long_cases()} >= {"actors", "sources", "claims"}

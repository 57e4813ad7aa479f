"""Names people read: countries by name rather than ISO code, actor names sorted with accents folded, titles."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from kb.countries import country_name
from tests.world import CORE, build_world


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("KP", "North Korea"),
        ("KR", "South Korea"),
        ("RU", "Russia"),
        ("IR", "Iran"),
        ("SY", "Syria"),
        ("GB", "United Kingdom"),
        ("CN", "China"),
        ("kp", "North Korea"),
        ("XX", "XX"),  # not a country: shown as stored
        ("", ""),
        (None, ""),
    ],
)
def test_country_name(code, name):
    assert country_name(code) == name


@pytest.fixture
def world(editor):
    return build_world(editor, *CORE, "putin", "vostochny", "pyongyang")


def test_actor_facets_and_badges_name_countries_and_keep_codes_in_addresses(client, world, django_assert_num_queries):
    with django_assert_num_queries(4):
        html = client.get(reverse("kb:actor-list")).content.decode()
    facets = re.findall(r'href="/actors/\?country_code=(\w+)"[^>]*>([^<]+)</a> <span class="count">(\d+)</span>', html)
    assert ("RU", "Russia", "3") in facets and ("KP", "North Korea", "2") in facets
    assert not re.search(r">(KP|RU) ?\d*<", html)  # no bare code where people read
    assert '<span class="badge" title="ISO code RU">Russia</span>' in html
    dossier = client.get(world["putin"].get_absolute_url()).content.decode()
    assert '<span class="badge" title="ISO code RU">Russia</span>' in dossier
    # The API keeps the code.
    body = client.get("/api/v1/actors/", {"country_code": "KP"}).json()
    assert {row["country_code"] for row in body["results"]} == {"KP"}

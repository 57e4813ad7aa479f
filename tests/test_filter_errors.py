"""Filter errors read as sentences for a person: on list pages and in the API, the same words."""

import html
import re

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

HOW = "Write a year (2023), a month (2023-09), a day (2023-09-13) or a decade (2020s)."


def problems(response) -> list[str]:
    assert response.status_code == 400
    block = re.search(r'<div class="notice notice-error".*?</div>', response.content.decode(), re.S).group(0)
    return [html.unescape(item) for item in re.findall(r"<li>(.*?)</li>", block)]


def test_the_transfer_register_names_each_field_by_its_label_in_one_sentence(client, kb):
    response = client.get("/transfers/", {"date_from": "2023-13", "supplier": "a b", "status": "maybe", "date_to": "x"})
    assert problems(response) == [
        "Supplier: “a b” is not an actor's id or slug: ids are whole numbers, slugs are letters, digits, - and _.",
        "Status: “maybe” is not one of the choices: planned, alleged, reported, confirmed, denied.",
        f"From: “2023-13” is not a date: months run 1–12. {HOW}",
        f"To: “x” is not a date. {HOW}",
    ]


@pytest.mark.parametrize(
    ("path", "query", "expected"),
    [
        (
            "/events/",
            {"date_from": "2024", "date_to": "2023"},
            "To: “2023” comes before the start of the range, “2024”, so nothing can match.",
        ),
        (
            "/sources/",
            {"date_from": "2023-02-30"},
            f"From: “2023-02-30” is not a date: February 2023 has 28 days. {HOW}",
        ),
        ("/transfers/", {"supplier": "atlantis,mordor"}, "Supplier: No actor has the id or slug “atlantis”, “mordor”."),
        ("/transfers/", {"date_from": "1" * 40}, f"From: “{'1' * 20}…” is too long to be a date. {HOW}"),
    ],
)
def test_messages_carry_no_internal_names_or_reprs(client, kb, path, query, expected):
    (message,) = problems(client.get(path, query))
    assert message == expected
    for name in query:
        assert f"“{name}”" not in message and f"({name})" not in message


def test_the_api_says_the_same_under_the_parameter_name(kb):
    body = APIClient().get("/api/v1/arms-transfers/", {"date_from": "2023-13", "id": "x,2"}).json()
    assert body == {
        "date_from": [f"“2023-13” is not a date: months run 1–12. {HOW}"],
        "id": ["“x” is not an id: ids are whole numbers."],
    }


def test_a_body_date_is_refused_in_the_same_words(editor):
    from tests.helpers import token_for

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(editor)}")
    body = client.post("/api/v1/actors/", {"name": "X", "kind": "state", "start_on": "2023-13"}, format="json").json()
    assert body == {"start_on": [f"“2023-13” is not a date: months run 1–12. {HOW}"]}

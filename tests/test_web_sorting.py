"""Sortable registers and lists: headers link to the FilterSet's orderings, keep the filters, and start at page 1."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def headers(response) -> dict[str, tuple[str, str]]:
    """Register headers: label → (link, aria-sort)."""
    found = {}
    pattern = r'<th scope="col"(?: class="\w+")?(?: aria-sort="(\w+)")?><a href="([^"]+)" class="sort">(\w+)'
    for sort, href, label in re.findall(pattern, response.content.decode()):
        found[label] = (html.unescape(href), sort)
    return found


def supplier_names(response) -> list[str]:
    return re.findall(r'<td data-label="Supplier"><a href="[^"]+">([^<]+)</a>', response.content.decode())


def test_register_headers_sort_ascending_then_descending_keeping_filters(client, kb):
    page = client.get("/transfers/", {"status": "reported,confirmed,alleged,planned,denied", "page": "1"})
    links = headers(page)
    assert set(links) == {"Supplier", "Recipient", "Category", "Quantity", "Period", "Status"}
    href, sort = links["Supplier"]
    assert sort == "" and "ordering=supplier" in href and "status=" in href and "page=" not in href
    ascending = client.get(f"/transfers/{href}")
    href, sort = headers(ascending)["Supplier"]
    assert sort == "ascending" and "ordering=-supplier" in href
    assert "▲" in ascending.content.decode()
    descending = client.get(f"/transfers/{href}")
    assert headers(descending)["Supplier"][1] == "descending" and "▼" in descending.content.decode()
    href = headers(descending)["Supplier"][0]
    assert "ordering=supplier" in href and "ordering=-supplier" not in href
    names = supplier_names(ascending)
    assert names == sorted(names) and supplier_names(descending) == sorted(names, reverse=True)


def test_every_column_sorts_by_the_api_orderings(client, kb):
    api_keys = set(
        client.get("/api/v1/arms-transfers/?ordering=x")
        .json()["ordering"][0]
        .split("give one of ")[1]
        .split(" (")[0]
        .split(", ")
    )
    for href, _sort in headers(client.get("/transfers/")).values():
        key = re.search(r"ordering=-?(\w+)", href).group(1)
        assert key in api_keys
        assert client.get(f"/transfers/{href}").status_code == 200


@pytest.mark.parametrize("path", ["/transfers/", "/actors/", "/sources/", "/agreements/", "/events/"])
def test_an_unknown_ordering_is_a_readable_400(client, kb, path):
    response = client.get(path, {"ordering": "colour"})
    assert response.status_code == 400
    assert "Sort by: “colour” is not a way to sort this list: give one of " in html.unescape(response.content.decode())


@pytest.mark.parametrize(
    ("path", "key", "label"),
    [
        ("/actors/", "kind", "Kind"),
        ("/sources/", "title", "Title"),
        ("/agreements/", "title", "Title"),
        ("/events/", "title", "Title"),
    ],
)
def test_lists_have_a_sort_bar(client, kb, path, key, label):
    first = client.get(path).content.decode()
    assert f'href="?ordering={key}" class="sort">{label}</a>' in first
    sorted_page = client.get(path, {"ordering": key}).content.decode()
    assert f'href="?ordering=-{key}" class="sort" aria-current="true"' in sorted_page


@pytest.mark.parametrize("ordering", ["supplier", "-recipient", "category", "-start_on", "status", "quantity_high"])
def test_sorting_costs_no_more_queries_than_the_default_order(client, kb, ordering):
    client.get("/transfers/")  # warm the cached counts and menus
    with CaptureQueriesContext(connection) as default:
        client.get("/transfers/")
    with CaptureQueriesContext(connection) as sorted_:
        assert client.get("/transfers/", {"ordering": ordering}).status_code == 200
    assert len(sorted_) <= len(default) + 1  # a sorted page's count is cached under its own filters


@pytest.mark.parametrize("path", ["/transfers/", "/actors/", "/sources/", "/agreements/", "/events/"])
def test_the_filter_form_keeps_the_sort(client, kb, path):
    html = client.get(path, {"ordering": "-created_at"}).content.decode()
    form = html[html.index('<form method="get" class="filters') :]
    form = form[: form.index("</form>")]
    assert '<input type="hidden" name="ordering" value="-created_at">' in form
    assert 'name="ordering"' not in client.get(path).content.decode().split('class="filters')[1].split("</form>")[0]

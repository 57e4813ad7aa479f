"""Helpers more than one test module uses: the article text, ingest, admin form round trips, API id sets."""

import datetime as dt

from django.urls import reverse

from kb.dates import PartialDate

# The API's root, and its lists of records (the routes of kb/api/urls.py's router).
V1 = "/api/v1"
API_LISTS = ["actors", "relationships", "sources", "claims", "events", "agreements", "arms-transfers"]

ARTICLE = (
    "Kim Jong-un met Vladimir Putin at the Vostochny Cosmodrome in September 2023.\n\n"
    "North Korea is expected to sell artillery shells to Russia. "
    "Russia’s need for a “continuous supply” of weapons is growing.\n\n"
    "The two leaders signed a treaty in Pyongyang on June 19, 2024."
)


def ids(response) -> set[int]:
    """The ids on one page of an API list answer (which must be a 200)."""
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def ingest(
    editor,
    content: str | bytes,
    *,
    filename: str = "a.txt",
    title: str = "Kim meets Putin",
    publisher: str = "Test Wire",
    published_on: str = "2024-07-01",
    **fields,
):
    """``services.source_ingest`` of an article file (text is sent as UTF-8) by ``editor``."""
    from kb.services import source_ingest

    if isinstance(content, str):
        content = content.encode()
    return source_ingest(
        user=editor,
        content=content,
        filename=filename,
        title=title,
        publisher=publisher,
        published_on=published_on,
        **fields,
    )


# --- the admin ----------------------------------------------------------------------


def admin_url(name: str, *args) -> str:
    return reverse(f"admin:{name}", args=args)


def _plain(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, PartialDate):
        return value.display()  # what the admin's date field shows, and so what a browser sends back
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def form_data(response) -> dict:
    """The POST data of an admin change (or revert) page as it was rendered."""
    data = {}
    form = response.context["adminform"].form
    for name in form.fields:
        value = _plain(form[name].value())
        if value not in ("", []):
            data[name] = value
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        for name in formset.management_form.fields:
            data[f"{formset.prefix}-{name}"] = formset.management_form[name].value()
        for subform in formset.forms:
            for name in subform.fields:
                value = _plain(subform[name].value())
                if value not in ("", []):
                    data[subform.add_prefix(name)] = value
    return data


def form_errors(response) -> dict:
    return response.context["adminform"].form.errors


# --- the API ------------------------------------------------------------------------


def token_for(user) -> str:
    """A new API token for user: its secret, as the header's value expects it."""
    from kb.services import token_create

    return token_create(user=user)[1]

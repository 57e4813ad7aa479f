"""Journeys through the analyst UI in headless Chromium: search to reader highlight, and filter to CSV."""

import csv
import io

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_search_dossier_claim_reader_highlight(page, live_server, kb):
    page.goto(live_server.url + "/")
    page.fill("#site-q", "DPRK")
    page.click("header.site button[type=submit]")
    page.wait_for_url("**/search/?q=DPRK")
    assert page.locator("ol.hits mark").first.inner_text() == "DPRK"

    page.click(f"ol.hits a[href='{kb['dprk'].get_absolute_url()}']")
    assert page.locator("h1").inner_text() == "North Korea"
    assert page.locator("section#transfers").get_by_text("152mm shells").is_visible()

    claim = kb["shells"]
    page.click(f"section#claims blockquote a[href='{claim.get_absolute_url()}']")
    assert page.locator("h1").inner_text() == claim.title
    assert page.locator("blockquote.in-context mark").inner_text() == claim.quote

    page.click("#show-in-article")
    page.wait_for_url(f"**/sources/{claim.source_id}/#q{claim.pk}")
    target = page.locator(f"#q{claim.pk}")
    assert target.inner_text() == claim.quote
    assert target.evaluate("el => el.matches(':target') && el.closest('mark.hl') !== null")
    assert target.is_visible()
    box = target.bounding_box()
    assert 0 <= box["y"] < page.viewport_size["height"]  # scrolled into view
    # The highlight leads back to its claim.
    target.click()
    page.wait_for_url(f"**{claim.get_absolute_url()}")


def test_transfers_filter_then_csv(page, live_server, kb):
    page.goto(live_server.url + "/transfers/")
    rows = page.locator("table.register tbody tr")
    assert rows.count() == 1  # the alleged transfer backed only by a proposed claim stays hidden

    page.select_option("#f-supplier", kb["dprk"].slug)
    page.select_option("#f-category", "ammunition")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/transfers/?*category=ammunition*")
    assert rows.count() == 1
    assert "152mm shells" in rows.first.inner_text()
    assert "Test Wire" in rows.first.inner_text()

    with page.expect_download() as download_info:
        page.click("#csv-download")
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8") as fh:
        records = list(csv.DictReader(io.StringIO(fh.read())))
    assert [(r["supplier"], r["recipient"], r["designation"]) for r in records] == [
        ("North Korea", "Russia", "152mm shells")
    ]


def test_bad_filter_shows_a_message_not_an_error(page, live_server, kb):
    response = page.goto(live_server.url + "/transfers/?date_from=2023-13")
    assert response.status == 400
    assert "From: “2023-13” is not a date: months run 1–12." in page.locator(".notice").inner_text()

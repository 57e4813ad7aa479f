"""The review desk in headless Chromium: an ingested article reviewed claim by claim, then read as anyone reads it."""

import pytest

from kb.choices import DraftKind
from kb.models import Actor, ArmsTransfer, Claim, Draft
from tests.helpers import ingest
from tests.world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ARTICLE = (
    "North Korea shipped about 20,000 containers of artillery shells to Russia, officials said on Monday.\n\n"
    "Kim Jong-un met Vladimir Putin at the Vostochny Cosmodrome and the two leaders praised their partnership.\n\n"
    "Analysts at the Hwasong Institute expect North Korea to send more missiles to Russia next year.\n\n"
    "Russia denied that it had received any weapons from North Korea."
)
# The month as an editor types it, where the dates module reads it so; else its ISO form.
MARCH = "March 2025"


def _ingest(editor):
    result = ingest(editor, ARTICLE, filename="shells.txt", title="Shells for Russia", published_on="2025-04-02")
    # The new name, as ingest proposes it: an actor draft of the source.
    assert any(d.kind == DraftKind.ACTOR and d.data.get("name") == "Hwasong Institute" for d in result.drafts)
    return result


def _at_claim(page, quote_start: str) -> None:
    page.wait_for_selector(f"article.desk-claim blockquote mark:has-text('{quote_start}')")


def _shoot(page, path, name: str) -> None:
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{name} is wider than {width}px"
        page.screenshot(path=str(path / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.fixture
def actors(editor):
    """The actors the article names, and nothing else: no record it could be taken for."""
    return build_world(editor, "dprk", "russia", "kim", "putin", "vostochny")


def test_review_an_ingested_article_on_the_desk(page, browser, live_server, actors, editor, tmp_path):
    result = _ingest(editor)
    source = result.source
    shells, meeting, analysts, denial = sorted(result.claims, key=lambda c: c.start)

    # An editor signs in and opens the desk at this article's claims.
    page.goto(f"{live_server.url}/review/?source={source.pk}")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "pw-editor-123")
    page.click("input[type=submit]")
    page.wait_for_url(f"**/review/?source={source.pk}")
    errors: list[str] = []  # the policy (CSP) refuses nothing the desk does, and no request fails
    page.on("console", lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"{page.url}: page error: {e}"))
    page.on("response", lambda r: errors.append(f"HTTP {r.status} for {r.url}") if r.status >= 400 else None)
    _at_claim(page, "North Korea shipped")
    assert "Claim 1 of 4" in page.locator("#desk-where").inner_text()
    name = Draft.objects.get(kind=DraftKind.ACTOR, data__name="Hwasong Institute")
    # The new name, beside every claim: folded under the claim's own drafts, one click away.
    assert not page.locator(f"form[data-draft='{name.pk}']").is_visible()
    page.locator("details.desk-names summary").click()
    assert page.locator(f"form[data-draft='{name.pk}']").is_visible()
    assert page.locator("button[data-key=a] kbd").inner_text() == "a"
    _shoot(page, tmp_path, "desk")

    # 1. The shells: paraphrased, dated as an editor writes a month, graded; accepted with the key "a".
    page.fill("#id_statement", "North Korea shipped artillery shells to Russia.")
    page.fill("#id_about", MARCH)
    page.select_option("#id_credibility", "2")
    page.fill("#id_note", "Matches the wire.")
    page.evaluate("window.deskPage = 'the same page'")  # gone if the browser loaded a new page
    page.locator("#id_note").press("a")  # typed into the note, not taken as the key
    assert page.locator("#id_note").input_value() == "Matches the wire.a"
    page.fill("#id_note", "Matches the wire.")
    page.locator("h1").click()  # out of the fields: the keys work
    page.keyboard.press("a")
    _at_claim(page, "Kim Jong-un met")
    assert "Claim 1 of 3" in page.locator("#desk-where").inner_text()
    assert page.url.endswith(f"after={shells.pk}")  # the address follows
    assert page.evaluate("window.deskPage") == "the same page"  # moved without a page load
    assert page.locator("header.site").count() == 1  # the claim's fragment swapped in, not a whole page

    # 2. The new name in one step: Hwasong Institute becomes an actor.
    page.locator("details.desk-names summary").click()
    form = page.locator(f"form[data-draft='{name.pk}']")
    form.locator(f"#id_draft{name.pk}-kind").select_option("organization")
    form.locator(f"#id_draft{name.pk}-country").fill("KP")
    form.get_by_role("button", name="Accept the name").click()
    page.wait_for_selector(f"form[data-draft='{name.pk}']", state="detached")
    _at_claim(page, "Kim Jong-un met")

    # The meeting: its speaker found by name (the API's actor search), accepted with the button.
    page.locator("#id_speaker").press_sequentially("Putin")
    page.wait_for_selector("#desk-actors option[value='vladimir-putin']", state="attached")
    page.fill("#id_speaker", "vladimir-putin")
    page.fill("#id_statement", "Kim and Putin met at Vostochny.")
    page.select_option("#id_credibility", "1")
    page.click("form.desk-form button[data-key=a]")
    _at_claim(page, "Analysts at the Hwasong")

    # 3. The forecast: no paraphrase, credibility unset, so the desk asks once, in the page.
    page.click("form.desk-form button[data-key=a]")
    page.wait_for_selector(".desk-confirm")
    assert "no paraphrase" in page.locator(".desk-confirm").inner_text()
    _shoot(page, tmp_path, "desk-confirm")
    assert page.locator("form.desk-form button[data-key=a]").inner_text().startswith("Accept anyway")
    page.click("form.desk-form button[data-key=a]")
    _at_claim(page, "Russia denied")

    # 4. The denial: rejected with the key "r" and a note.
    page.fill("#id_note", "A denial, not evidence of a transfer.")
    page.locator("h1").click()
    page.keyboard.press("r")
    page.wait_for_selector(".desk-done")
    assert "No claim waits for review here" in page.locator(".desk-done").inner_text()

    # The drafts whose claims were reviewed wait at the end of the queue: the shells' transfer
    # (drawn by ingest, or from the claim's page) is corrected and accepted.
    transfer = Draft.objects.filter(kind=DraftKind.TRANSFER, claims=shells).first()
    if transfer is None:
        page.goto(f"{live_server.url}/claims/{shells.pk}/")
        page.select_option("#draft-kind", "transfer")
        page.get_by_role("button", name="Draft", exact=True).click()
        transfer = Draft.objects.get(kind=DraftKind.TRANSFER, claims=shells)
    else:
        page.click(f".waiting-drafts a[href$='claim={shells.pk}']")
    page.wait_for_url(f"**/review/?*claim={shells.pk}")
    form = page.locator(f"form[data-draft='{transfer.pk}']")
    assert form.locator(f"#id_draft{transfer.pk}-supplier").input_value() == "north-korea"
    form.locator(f"#id_draft{transfer.pk}-category").select_option("ammunition")
    form.locator(f"#id_draft{transfer.pk}-designation").fill("152mm shells")
    _shoot(page, tmp_path, "desk-draft")
    form.get_by_role("button", name="Accept draft").click()
    page.wait_for_selector(f"form[data-draft='{transfer.pk}']", state="detached")

    assert errors == []
    statuses = {c.pk: c.status for c in Claim.objects.filter(source=source)}
    assert statuses == {shells.pk: "accepted", meeting.pk: "accepted", analysts.pk: "accepted", denial.pk: "rejected"}
    made = Draft.objects.get(pk=transfer.pk).record
    assert isinstance(made, ArmsTransfer) and made.designation == "152mm shells" and made.category == "ammunition"
    assert list(made.evidence.all()) == [shells] and ArmsTransfer.objects.count() == 1

    # Anyone (signed out) now sees exactly those on the public pages.
    anonymous = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    assert Claim.objects.get(pk=meeting.pk).speaker.slug == "vladimir-putin"
    anonymous.goto(f"{live_server.url}/claims/{shells.pk}/")
    facts = anonymous.locator("dl.facts").inner_text()
    assert "March 2025" in facts and "2: probably true" in facts
    assert anonymous.locator("h1").inner_text() == "North Korea shipped artillery shells to Russia."
    assert "Review" not in anonymous.locator("nav.site-nav").inner_text()
    assert anonymous.goto(f"{live_server.url}/claims/{denial.pk}/").status == 404
    assert anonymous.goto(f"{live_server.url}/claims/{analysts.pk}/").status == 200
    anonymous.goto(f"{live_server.url}/actors/hwasong-institute/")
    assert anonymous.locator("h1").inner_text() == "Hwasong Institute"
    anonymous.goto(f"{live_server.url}/sources/{source.pk}/")
    assert anonymous.locator(".article-text mark.hl").count() == 3
    anonymous.goto(f"{live_server.url}{made.get_absolute_url()}")
    assert "152mm shells" in anonymous.locator("main").inner_text()
    anonymous.goto(f"{live_server.url}/transfers/")
    assert anonymous.locator("table.register tbody tr").count() == 1
    assert Actor.objects.get(slug="hwasong-institute").country_code == "KP"
    assert anonymous.goto(f"{live_server.url}/review/").url.startswith(f"{live_server.url}/admin/login/")
    anonymous.context.close()

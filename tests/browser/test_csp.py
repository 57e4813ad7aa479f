"""The Content-Security-Policy in a real browser: the admin, the API docs and the pages run without violations."""

import pytest

from kb import services

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# Redoc's footer links a logo from its vendor's site; the policy blocks it, as it should.
EXPECTED = ("cdn.redoc.ly",)


def test_admin_and_api_docs_run_under_the_policy(page, live_server, admin_user, make_claim):
    claim = make_claim()
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "pw-admin-123")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"{page.url}: {m.text} {m.location}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"{page.url}: page error: {e}"))
    page.on(
        "response", lambda r: errors.append(f"{page.url}: HTTP {r.status} for {r.url}") if r.status >= 400 else None
    )
    for path in [
        "/admin/",
        "/admin/kb/claim/",
        f"/admin/kb/claim/{claim.pk}/change/",
        f"/admin/kb/claim/{claim.pk}/history/",
        "/admin/kb/actor/add/",
        "/",
        "/actors/",
        f"/sources/{claim.source_id}/",
        "/graph/",
    ]:
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
    page.goto(live_server.url + "/api/docs/")
    page.locator(".swagger-ui .info .title").wait_for()  # Swagger UI started and read the schema
    assert "kb API" in page.locator(".swagger-ui .info .title").inner_text()
    page.goto(live_server.url + "/api/redoc/")
    page.locator("redoc h1, #redoc-container h1, .api-info h1").first.wait_for()  # Redoc rendered the schema
    errors = [e for e in errors if not any(expected in e for expected in EXPECTED)]
    assert errors == []


def test_the_history_page_fits_a_phone(page, live_server, admin_user, editor, make_claim, accepted):
    claim = accepted(make_claim())
    services.claim_update(
        claim, user=editor, statement="Internationalisation notwithstanding, the counterintelligence apparatus grew."
    )
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "pw-admin-123")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/admin/kb/claim/{claim.pk}/history/")
        assert page.evaluate("document.documentElement.scrollWidth") == width
        # Each word whole: the statement's longest word sits on one line.
        lines = page.locator("#change-history ins", has_text="counterintelligence").first.evaluate(
            """e => {
                const text = e.firstChild, at = text.data.indexOf("counterintelligence");
                const range = document.createRange();
                range.setStart(text, at);
                range.setEnd(text, at + "counterintelligence".length);
                return range.getClientRects().length;
            }"""
        )
        assert lines == 1, width
    cell = page.locator("#change-history td[data-label]").first
    assert cell.evaluate("e => getComputedStyle(e).display") == "block"  # rows stack on a phone

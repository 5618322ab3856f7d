"""The Today screen and the case page: what each role sees, the access log, the headers."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from tests.api.helpers import VICTIM, Api
from tests.conftest import STAFF
from tests.web.helpers import Browser


def _api(browser: Browser) -> Api:
    return Api(client=browser.client, services=browser.services, clock=browser.clock)


def test_today_shows_each_role_what_is_waiting_for_it(browser: Browser) -> None:
    api = _api(browser)
    waiting = api.new_case()
    allocated = api.allocated_case()

    browser.sign_in("hub")
    hub = browser.text("/today")
    assert "Reports waiting for triage" in hub and waiting["reference"] in hub
    assert "Customer Hub triage" in hub and "Hate Policy 5.1, 8.1" in hub

    officer = Browser(browser.client.application.test_client(), browser.services, browser.clock)
    officer.sign_in("officer")
    page = officer.text("/today")
    assert "Your open cases" in page and allocated["reference"] in page
    assert waiting["reference"] not in page  # not theirs
    assert "Timers overdue and due today" in page

    dpo = Browser(browser.client.application.test_client(), browser.services, browser.clock)
    dpo.sign_in("dpo")
    assert "Your role does no case work" in dpo.text("/today")


def test_the_case_page_shows_the_case_and_logs_the_read_with_its_purpose(
    browser: Browser,
) -> None:
    api = _api(browser)
    case = api.allocated_case()
    browser.sign_in("officer")

    response = browser.get(f"/cases/{case['case_id']}")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert case["reference"] in page and VICTIM["name"] in page
    assert "Report received" in page and "Officer allocated" in page  # history in words
    title = page.split("<title>")[1].split("</title>")[0]
    assert VICTIM["name"] not in title and case["reference"] in title
    entries = browser.services.access_log.entries(
        browser.services.staff.acting_as(STAFF["auditor"][0]), case_id=UUID(case["case_id"])
    )
    assert [(e["actor"], e["purpose"], e["route"]) for e in entries] == [
        ("k.officer", "case_work", "GET /cases/<uuid:case_id>")
    ]


def test_a_case_the_reader_may_not_see_is_not_found(browser: Browser) -> None:
    case = _api(browser).allocated_case()
    browser.sign_in("south_officer")
    response = browser.get(f"/cases/{case['case_id']}")
    assert response.status_code == 404
    assert VICTIM["name"] not in response.get_data(as_text=True)


def test_pages_send_the_security_headers_and_a_csp_without_inline_code(browser: Browser) -> None:
    case = _api(browser).allocated_case()
    browser.sign_in("officer")
    for path in ("/sign-in", "/today", f"/cases/{case['case_id']}"):
        response = browser.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "'unsafe-inline'" not in csp and "script-src 'self'" in csp
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Cache-Control"] == "no-store"
        page = response.get_data(as_text=True)
        assert "<script>" not in page and "style=" not in page and "<style" not in page
    cookie = browser.client.get_cookie("caseledger_session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
    api = browser.client.get("/api/v1/health")
    assert api.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"


def test_the_style_sheet_and_script_are_served_from_the_package(browser: Browser) -> None:
    assert browser.get("/assets/caseledger.css").status_code == 200
    assert browser.get("/assets/caseledger.js").status_code == 200


def test_today_lists_the_timers_overdue_and_only_those_due_by_today(browser: Browser) -> None:
    case = _api(browser).new_case()
    browser.sign_in("manager")
    assert "Nothing is overdue or due today" in browser.text("/today")

    browser.clock.advance(timedelta(days=7))
    browser.sign_in("manager")  # the session ended meanwhile
    page = browser.text("/today")

    timers = page.split('id="section-timers"')[1].split("</section>")[0]
    assert case["reference"] in timers and "First response and allocation" in timers
    assert "overdue" in timers and "Hate Policy 5.1, 8.1" in timers

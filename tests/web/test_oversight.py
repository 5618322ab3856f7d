"""The overseers' screens: statistics (chart and table), the access log, integrity, staff."""

from __future__ import annotations

import re

from tests.api.helpers import VICTIM, Api
from tests.web.helpers import Browser, csrf_of


def test_statistics_draw_a_chart_beside_a_table_of_its_numbers(browser: Browser) -> None:
    Api(client=browser.client, services=browser.services, clock=browser.clock).new_case()
    browser.sign_in("manager")
    page = browser.text("/statistics?year=2026")
    assert '<svg class="chart"' in page and 'aria-hidden="true"' in page
    assert '<td data-label="Opened">1</td>' in page and "NM01(b)" in page
    officer = Browser(browser.client.application.test_client(), browser.services, browser.clock)
    officer.sign_in("officer")
    assert officer.get("/statistics").status_code == 403


def test_the_auditor_reads_the_access_log_by_ids_and_verifies_the_log(browser: Browser) -> None:
    api = Api(client=browser.client, services=browser.services, clock=browser.clock)
    case = api.allocated_case()
    browser.sign_in("officer")
    browser.get(f"/cases/{case['case_id']}")
    auditor = Browser(browser.client.application.test_client(), browser.services, browser.clock)
    auditor.sign_in("auditor")

    log = auditor.text("/audit/access")
    assert case["case_id"] in log and "k.officer" in log and "case work" in log
    assert VICTIM["name"] not in log
    done = auditor.submit("/audit/integrity", "/audit/integrity")
    assert done.status_code == 200 and "Verified" in done.get_data(as_text=True)
    assert auditor.get("/staff").status_code == 403


def test_the_admin_adds_removes_and_resets_a_second_factor(browser: Browser) -> None:
    browser.sign_in("admin")
    added = browser.submit("/staff", "/staff", username="n.new", role="officer", team="east")
    page = added.get_data(as_text=True)
    assert added.status_code == 201 and "n.new was added" in page
    assert re.search(r"cl_[0-9a-f]{32}_", page)  # the token, shown once
    assert "n.new" in browser.text("/staff")

    bad = browser.submit("/staff", "/staff", username="Not Valid", role="officer")
    assert bad.status_code == 422 and "There is a problem" in bad.get_data(as_text=True)

    removed = browser.submit("/staff", "/staff/n.new/removal")
    assert removed.status_code == 303
    assert not browser.services.staff.get("n.new").active
    token = csrf_of(browser.text("/staff"))
    refused = browser.client.post(
        "/staff/k.officer/second-factor-reset", data={"csrf_token": token}
    )
    assert refused.status_code == 422  # no second factor enrolled to reset

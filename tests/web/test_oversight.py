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


def test_the_dpo_receives_a_request_reviews_and_downloads_the_export(browser: Browser) -> None:
    case = Api(client=browser.client, services=browser.services, clock=browser.clock).new_case()
    victim = case["victim_id"]
    browser.sign_in("dpo")
    assert browser.get(f"/subjects?subject_id={victim}").status_code == 302
    assert browser.get("/subjects?subject_id=nonsense").status_code == 422

    page = browser.text(f"/subjects/{victim}")
    assert VICTIM["name"] in page and "No request from this person" in page
    browser.submit(f"/subjects/{victim}", f"/subjects/{victim}/access-requests")
    page = browser.text(f"/subjects/{victim}")
    review = re.search(r'href="(/subjects/[^"]+/review)"', page)
    assert review is not None and "UK GDPR" in page
    reviewed = browser.submit(review.group(1), review.group(1))
    assert "the export is no longer a draft" in reviewed.get_data(as_text=True)
    pdf = browser.get(review.group(1).replace("/review", "/export.pdf"))
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    exported = browser.get(review.group(1).replace("/review", "/export.json"))
    assert exported.status_code == 200 and VICTIM["name"] in exported.get_data(as_text=True)

    auditor = browser.services.staff.acting_as("i.auditor")
    purposes = {
        e["purpose"] for e in browser.services.access_log.entries(auditor, reader="d.protection")
    }
    assert purposes == {"subject_request"}

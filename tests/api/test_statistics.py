"""`GET /api/v1/statistics`: managers and auditors read counts; other roles are refused."""

from __future__ import annotations

from tests.api.helpers import DESCRIPTION, VICTIM, Api, assert_problem


def test_a_manager_reads_the_current_tsm_year(api: Api) -> None:
    api.allocated_case()  # 23 November 2026: TSM year 2026
    response = api.get("/statistics", "manager")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["year"], body["starts"], body["ends"]) == (2026, "2026-04-01", "2027-03-31")
    assert body["cases"] == {"opened": 1, "closed": 0, "reopened": 0, "open_at_end": 1}
    assert body["strands"] == {"race": {"opened": 1, "closed": 0, "reopened": 0, "open_at_end": 1}}
    november = next(m for m in body["months"] if m["month"] == "2026-11")
    assert november["cases"]["opened"] == 1
    assert november["timers"] == {"met": 0, "breached": 0, "overdue": 0}  # still running
    nm01 = body["nm01"]
    assert (nm01["hate_cases_opened"], nm01["homes"], nm01["per_1000_homes"]) == (1, 10000, 0.1)
    assert (nm01["other_characteristic_opened"], nm01["disputed_opened"]) == (0, 0)
    assert "tenant-satisfaction-measures-technical-requirements" in nm01["definition"]


def test_an_auditor_reads_counts_and_no_personal_data(api: Api) -> None:
    api.new_case()
    response = api.get("/statistics?year=2025", "auditor")
    assert response.status_code == 200
    assert response.get_json()["cases"]["opened"] == 0
    text = api.get("/statistics", "auditor").get_data(as_text=True)
    for personal in (DESCRIPTION, *VICTIM.values()):
        assert personal not in text


def test_an_officer_is_refused_and_a_bad_year_is_invalid(api: Api) -> None:
    api.refused(403, "GET", "/statistics", "officer")
    api.refused(401, "GET", "/statistics")
    assert_problem(api.get("/statistics?year=soon", "manager"), 422)

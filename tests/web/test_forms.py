"""Every command as a form: made from the catalogue, checked by the API's own schema, and
refused in words (422 beside the field, 409 with the clause, 412 with what changed)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from markupsafe import escape

from application.commands.catalogue import commands_for
from domain.vocabulary import StaffRole
from interface.web.command_routes import case_forms
from tests.api.helpers import Api
from tests.web.helpers import Browser, csrf_of


def _api(browser: Browser) -> Api:
    return Api(client=browser.client, services=browser.services, clock=browser.clock)


def _send(browser: Browser, case_id: str, noun: str, **fields: Any) -> Any:
    form = browser.text(f"/cases/{case_id}/{noun}")
    version = form.split('name="version" value="')[1].split('"')[0]
    data = {"csrf_token": csrf_of(form), "version": version, **fields}
    return browser.client.post(f"/cases/{case_id}/{noun}", data=data)


def test_the_hub_reports_triages_and_allocates_through_forms(browser: Browser) -> None:
    browser.sign_in("hub")
    report = browser.submit(
        "/report",
        "/report",
        channel="phone",
        reporter_role="victim",
        description="Shouted at in the car park",
        strands="race",
        forms="verbal_abuse",
        **{"victim.name": "Ada Lovelace", "received_at": "2026-11-23T09:30"},
    )
    assert report.status_code == 303, report.get_data(as_text=True)
    case_id = report.headers["Location"].split("/cases/")[1].split("?")[0]
    page = browser.text(f"/cases/{case_id}?done=report")
    assert "Saved:" in page and "Ada Lovelace" in page and "Shouted at in the car park" in page
    assert "Thu 23 Nov 2026" not in page  # 23 Nov 2026 is a Monday
    assert "Mon 23 Nov 2026, 09:30 GMT" in page

    assert _send(browser, case_id, "triage", priority="highest").status_code == 303
    done = _send(browser, case_id, "allocation", officer="k.officer", team="north")
    assert done.status_code == 303
    officer = browser.services.staff.acting_as("k.officer")
    case = browser.services.ledger.case_for(officer, UUID(case_id))
    assert case.officer == "k.officer" and case.priority == "highest"


def test_a_wrong_form_shows_each_error_beside_its_field_and_keeps_what_was_typed(
    browser: Browser,
) -> None:
    browser.sign_in("hub")
    before = _api(browser).head()

    response = browser.submit(
        "/report", "/report", channel="phone", description="Kept text", **{"victim.email": "x"}
    )

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "There is a problem" in page
    assert '<a href="#reporter_role">Choose reporter role</a>' in page
    assert '<a href="#victim-email">Enter email as an email address' in page
    assert 'id="victim-email-error"' in page
    assert ">Kept text</textarea>" in page
    assert page.count("<title>Error: ") == 1
    assert _api(browser).head() == before


def test_a_policy_refusal_names_its_clause_and_keeps_what_was_typed(browser: Browser) -> None:
    case = _api(browser).allocated_case()
    browser.sign_in("manager")

    refused = _send(
        browser,
        case["case_id"],
        "closure",
        grounds="resolved_to_satisfaction",
        reasons="Typed reasons",
    )

    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert "The Hate Policy does not allow this" in page and "Policy 10.1" in page
    assert ">Typed reasons</textarea>" in page


def test_a_conflict_shows_what_changed_and_sends_again_on_the_new_version(
    browser: Browser,
) -> None:
    api = _api(browser)
    case = api.allocated_case()
    browser.sign_in("officer")
    form = browser.text(f"/cases/{case['case_id']}/contacts")
    # meanwhile a colleague records a contact through the API
    api.ok(api.command(case, "contacts", {"method": "phone", "direction": "outbound"}, "officer"))
    data = {
        "csrf_token": csrf_of(form),
        "version": str(case["version"]),
        "method": "home_visit",
        "direction": "outbound",
        "summary": "My typed note",
    }

    stale = browser.client.post(f"/cases/{case['case_id']}/contacts", data=data)

    assert stale.status_code == 412
    page = stale.get_data(as_text=True)
    assert "Someone changed this case" in page and "Contact made" in page
    assert ">My typed note</textarea>" in page
    again = {**data, "version": page.split('name="version" value="')[1].split('"')[0]}
    assert browser.client.post(f"/cases/{case['case_id']}/contacts", data=again).status_code == 303


def test_one_roles_forms_are_refused_to_another(browser: Browser) -> None:
    api = _api(browser)
    case = api.allocated_case()
    browser.sign_in("officer")
    before = api.head()

    assert browser.get(f"/cases/{case['case_id']}/closure").status_code == 403
    token = csrf_of(browser.text("/today"))
    posted = browser.client.post(
        f"/cases/{case['case_id']}/closure",
        data={"csrf_token": token, "version": str(case["version"]), "reasons": "x"},
    )
    assert posted.status_code == 403
    assert api.head() == before


def test_every_form_of_the_catalogue_is_drawn(browser: Browser) -> None:
    case = _api(browser).allocated_case()
    browser.sign_in("manager")
    drawn = 0
    for _, commands in case_forms(StaffRole.MANAGER):
        for command in commands:
            response = browser.get(f"/cases/{case['case_id']}/{command.noun}")
            assert response.status_code == 200, command.noun
            page = response.get_data(as_text=True)
            assert str(escape(command.title)) in page and 'name="csrf_token"' in page
            drawn += 1
    assert drawn >= len(commands_for(StaffRole.MANAGER)) - 4  # files and packs have their own

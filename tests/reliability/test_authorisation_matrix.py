"""Every endpoint x every role x own/other case, against docs/roles.md.

The expected table is written here from the words of docs/roles.md, not read from the
commands' declared roles or `application/authorisation.py`, so a wrong entry there fails
this test:

* hub: "takes reports, triages, allocates, and records what comes with a report (people,
  contacts, adjustments, repairs, consents, safeguarding)"; "sees a case until it is
  allocated". Its case is an unallocated one; an allocated case is the other.
* officer: "everything on their own cases, except what is a manager's decision"
  (reassignment, closure, tenancy enforcement, the staff disciplinary route, disputing the
  hate definition, answering a review panel), the intake steps once done (triage,
  allocation) and the complaint and review records, which are the complaints liaison's.
* manager: "all of the above for the team" (and unallocated cases, which no team holds
  yet); another team's case is the other.
* complaints: "records complaints, case reviews and panel recommendations, produces
  evidence packs"; "sees the cases under complaint or review", and "may record a complaint
  or a case review on a case they cannot yet see".
* dpo: "subject access, rectification, erasure; the access log by person"; no case.
* auditor: "integrity checks, the access log, statistics; never personal data".
* admin: "staff accounts; never personal data".

A command is allowed when it passes authorisation: it is sent with a stale `If-Match`, so
an allowed command answers 412 and writes nothing; a denied one answers 403 (role) or 404
(not visible). Reads: 200 when allowed, 403/404 (or an empty list) when denied.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from application.commands.catalogue import case_commands
from tests.api.helpers import (
    DESCRIPTION,
    REPORTER,
    VICTIM,
    Api,
    report_body,
    walk_every_command,
)
from tests.conftest import STAFF, sqlite_env

ROLES = ["hub", "officer", "manager", "dpo", "complaints", "auditor", "admin"]
MANAGER_DECISIONS = {
    "reassignment",
    "closure",
    "interventions:enforcement",
    "staff-matter-referrals",
    "hate-definition-disputes",
    "panel-recommendation-answers",
}
INTAKE = {"triage", "allocation"}
COMPLAINT_RECORDS = {
    "complaints",
    "complaint-acknowledgements",
    "complaint-extensions",
    "complaint-responses",
    "ombudsman-referrals",
    "case-reviews",
    "case-review-thresholds",
    "panel-recommendations",
}
HUB_COMMANDS = {
    "further-incidents",
    "triage",
    "allocation",
    "subjects",
    "contacts",
    "reasonable-adjustments",
    "reasonable-adjustment-considerations",
    "damage-found",
    "repairs",
    "repair-completions",
    "consents",
    "consent-withdrawals",
    "safeguarding-concerns",
    "files",
    "file-withdrawals",
}


def command_allowed(role: str, command: str, own: bool) -> bool:
    if role == "hub":
        return own and command in HUB_COMMANDS
    if role == "officer":
        reserved = MANAGER_DECISIONS | INTAKE | COMPLAINT_RECORDS
        return own and command not in reserved
    if role == "manager":
        return own
    if role == "complaints":  # by id, only a case under complaint or review (else by reference)
        return own and command in COMPLAINT_RECORDS
    return False  # dpo, auditor and admin do no case work


def read_allowed(role: str, own: bool) -> bool:
    return own and role in ("hub", "officer", "manager", "complaints")


@dataclass
class Cases:
    """The case each role calls its own, and one that is not."""

    own: dict[str, dict[str, Any]] = field(default_factory=dict)
    other: dict[str, dict[str, Any]] = field(default_factory=dict)


@pytest.fixture
def engine_env(tmp_path: Any) -> dict[str, str]:
    """Authorisation does not depend on the engine: SQLite only, to keep CI short."""
    return sqlite_env(str(tmp_path)) | {
        "CASELEDGER_SIGNING_KEY_FILE": os.path.join(str(tmp_path), "signing.pem")
    }


@dataclass
class Matrix:
    api: Api
    bodies: dict[str, dict[str, Any]]
    cases: Cases
    seen: dict[str, list[str]] = field(default_factory=dict)  # role -> response bodies
    cells: int = 0

    def send(
        self, role: str, method: str, path: str, headers: dict[str, str] | None = None, **kw: Any
    ) -> Any:
        sent = self.api.auth(role, **(headers or {}))
        response = self.api.client.open(f"/api/v1{path}", method=method, headers=sent, **kw)
        self.seen.setdefault(role, []).append(response.get_data(as_text=True))
        self.cells += 1
        return response


@pytest.fixture
def matrix(api: Api) -> Iterator[Matrix]:
    _, steps = walk_every_command(api)
    bodies: dict[str, dict[str, Any]] = {}
    for step in steps:
        key = step.noun
        if step.noun == "interventions" and "legal_power" in step.body:
            key = "interventions:enforcement"
        bodies.setdefault(key, step.body)
    north = api.allocated_case("officer")
    other_officer = api.allocated_case("other_officer")
    south = api.allocated_case("south_officer", manager=False)
    unallocated = api.new_case()
    complained = api.allocated_case("officer")
    complained = api.step(
        complained, "complaints", {"stage": "stage_1", "summary": "Too slow."}, "manager"
    )
    cases = Cases(
        own={
            "hub": unallocated,
            "officer": north,
            "manager": north,
            "complaints": complained,
            "dpo": north,
            "auditor": north,
            "admin": north,
        },
        other={
            "hub": north,
            "officer": other_officer,
            "manager": south,
            "complaints": north,
            "dpo": south,
            "auditor": south,
            "admin": south,
        },
    )
    yield Matrix(api, bodies, cases)


@pytest.mark.parametrize("role", ROLES)
def test_case_command_matrix(matrix: Matrix, role: str) -> None:
    """Every case command on the role's own case and on another, as docs/roles.md says."""
    differing = set()
    nouns = sorted(c.noun for c in case_commands() if c.versioned)
    for noun in [*nouns, "interventions:enforcement"]:
        for own in (True, False):
            case = (matrix.cases.own if own else matrix.cases.other)[role]
            response = matrix.send(
                role,
                "POST",
                f"/cases/{case['case_id']}/{noun.split(':')[0]}",
                json=matrix.bodies[noun],
                headers={"If-Match": '"9999"'},
            )
            assert response.status_code in (403, 404, 412), (role, noun, response.get_json())
            if (response.status_code == 412) != command_allowed(role, noun, own):
                differing.add(noun)
    assert not differing, f"{role}: differs from docs/roles.md on {sorted(differing)}"


@pytest.mark.parametrize("role", ROLES)
def test_case_read_matrix(matrix: Matrix, role: str) -> None:
    for own in (True, False):
        case = (matrix.cases.own if own else matrix.cases.other)[role]
        expected = read_allowed(role, own)
        where = f"{role} reading {'own' if own else 'other'} case"
        for path in (
            f"/cases/{case['case_id']}",
            f"/cases/{case['case_id']}/events",
            f"/cases/{case['case_id']}/sharing",
            f"/cases/{case['case_id']}/people/{case['victim_id']}",
        ):
            status = matrix.send(role, "GET", path).status_code
            assert status == 200 if expected else status in (403, 404), f"{where}: {path}"
        listing = matrix.send(role, "GET", "/cases?limit=200")
        listed = listing.status_code == 200 and case["case_id"] in {
            item["case_id"] for item in listing.get_json()["items"]
        }
        assert listed == expected, f"{where}: the caseload list"
        timers = matrix.send(role, "GET", f"/timers?case_id={case['case_id']}")
        found = timers.status_code == 200 and bool(timers.get_json()["items"])
        assert found == expected, f"{where}: its timers"


# (method, path, body, roles docs/roles.md lets through, status); {victim} is a person's id.
OTHER_ENDPOINTS: list[tuple[str, str, dict[str, Any] | None, set[str], int]] = [
    ("POST", "/cases", None, {"hub", "officer", "manager"}, 201),
    ("GET", "/subjects/{victim}", None, {"dpo"}, 200),
    ("POST", "/subjects/{victim}/access-requests", {}, {"dpo"}, 201),
    ("POST", "/subjects/{victim}/rectifications", {}, {"dpo"}, 422),  # allowed, then invalid
    ("POST", "/subjects/{victim}/erasure-requests", {}, {"dpo"}, 422),
    ("GET", "/audit/access", None, {"auditor", "dpo"}, 200),
    ("GET", "/audit/verify", None, {"auditor"}, 200),
    ("GET", "/audit/reminders", None, {"auditor", "admin"}, 200),
    ("GET", "/audit/checkpoints", None, set(ROLES), 200),  # no personal data, any staff
    ("GET", "/me", None, set(ROLES), 200),
]


@pytest.mark.parametrize("role", ROLES)
def test_other_endpoint_matrix(matrix: Matrix, role: str) -> None:
    victim = matrix.cases.own["officer"]["victim_id"]
    for method, path, body, allowed, ok in OTHER_ENDPOINTS:
        sent = report_body() if path == "/cases" else body
        response = matrix.send(role, method, path.format(victim=victim), json=sent)
        where = f"{role} {method} {path}"
        if role in allowed:
            assert response.status_code == ok, f"{where}: {response.get_json()}"
        else:
            assert response.status_code == 403, f"{where}: {response.status_code}"
    # staff accounts: the admin's alone
    new = {"username": f"new.{role}", "role": "officer", "team": "north"}
    added = matrix.send(role, "POST", "/staff", json=new)
    removed = matrix.send(role, "DELETE", f"/staff/{STAFF['other_officer'][0]}")
    if role == "admin":
        assert (added.status_code, removed.status_code) == (201, 204)
    else:
        assert (added.status_code, removed.status_code) == (403, 403), role


def test_a_removed_members_token_stops_at_once(api: Api) -> None:
    token = api.token("officer")
    assert api.get("/me", "officer").status_code == 200
    assert api.get("/cases", "officer").status_code == 200
    removed = api.client.delete(f"/api/v1/staff/{STAFF['officer'][0]}", headers=api.auth("admin"))
    assert removed.status_code == 204
    for path in ("/me", "/cases"):
        again = api.client.get(f"/api/v1{path}", headers={"Authorization": f"Bearer {token}"})
        assert again.status_code == 401


PLANTED = [*VICTIM.values(), *REPORTER.values(), DESCRIPTION, "Gary Stone", "Grace Okafor-Bell"]


def test_auditor_and_admin_never_receive_personal_data(matrix: Matrix) -> None:
    """Everything either role can ask for, including the access log of every case."""
    for role in ("auditor", "admin"):
        for case in (*matrix.cases.own.values(), *matrix.cases.other.values()):
            matrix.send(role, "GET", f"/audit/access?case_id={case['case_id']}")
            matrix.send(role, "GET", f"/cases/{case['case_id']}")
            matrix.send(role, "GET", f"/cases/{case['case_id']}/events")
            matrix.send(role, "GET", f"/subjects/{case['victim_id']}")
        for path in ("/audit/access?limit=500", "/audit/verify", "/audit/checkpoints", "/me"):
            matrix.send(role, "GET", path)
        matrix.send(role, "GET", "/audit/public-key")
        bodies = "\n".join(matrix.seen[role])
        leaked = [s for s in PLANTED if s in bodies]
        assert not leaked, f"{role} received {leaked}"
    # the same strings are there to find: a case worker's reads do show them
    shown = matrix.send("officer", "GET", f"/cases/{matrix.cases.own['officer']['case_id']}")
    assert DESCRIPTION in shown.get_data(as_text=True)

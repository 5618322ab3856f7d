"""Helpers of the API tests: staff per role, fictional people, the `Api` request helper.

The staff accounts are made by the `services` fixture (tests/conftest.py); a role's token is
issued (rotated) the first time a test asks for it.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from application.commands.catalogue import by_reference_commands
from interface.config import Services
from interface.demo import ANSWERS_HIGH, ANSWERS_STANDARD
from tests import samples
from tests.conftest import ADMIN, STAFF, Clock

PROBLEM = "application/problem+json"
BY_REFERENCE = {c.noun for c in by_reference_commands()}
API = "/api/v1"


# Fictional personal data: the log test looks for each of these strings.
VICTIM = {
    "name": "Amara Okafor",
    "phone": "07700 900123",
    "address": "Flat 3, Elm Court, Birmingham B5",
    "email": "amara.okafor@example.org",
}
REPORTER = {"name": "Jo Reed of Victim Support", "phone": "0121 496 0000"}
DESCRIPTION = "Racist graffiti sprayed on the front door overnight; the family is scared."


def report_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel": "partner_agency",
        "reporter_role": "third_party",
        "description": DESCRIPTION,
        "strands": ["race"],
        "forms": ["graffiti"],
        "location": "Flat 3, Elm Court",
        "victim": dict(VICTIM),
        "reporter": dict(REPORTER),
    }
    body.update(overrides)
    return body


@dataclass
class Api:
    """The test client plus what the tests keep asking of it."""

    client: FlaskClient
    services: Services
    clock: Clock
    tokens: dict[str, str] = field(default_factory=dict)

    # --- who ------------------------------------------------------------------------------

    def token(self, who: str) -> str:
        if who not in self.tokens:
            username = STAFF[who][0]  # the account exists: tests/conftest.py made it
            self.tokens[who] = self.services.staff.rotate_token(username, actor=ADMIN)
        return self.tokens[who]

    def auth(self, who: str, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(who)}", **extra}

    def head(self) -> int:
        """The position of the last stored event (0 when there is none)."""
        return self.services.ledger.recorder.max_notification_id() or 0

    # --- requests -------------------------------------------------------------------------

    def get(self, path: str, who: str, **kwargs: Any) -> TestResponse:
        return self.client.get(f"{API}{path}", headers=self.auth(who), **kwargs)

    def report(self, who: str = "hub", **overrides: Any) -> TestResponse:
        return self.client.post(
            f"{API}/cases", json=report_body(**overrides), headers=self.auth(who)
        )

    def command(
        self,
        case: Mapping[str, Any],
        noun: str,
        body: Mapping[str, Any],
        who: str,
        version: int | None = None,
    ) -> TestResponse:
        seen = case["version"] if version is None else version
        if who == "complaints" and noun in BY_REFERENCE and version is None:
            return self.by_reference(case, noun, body)
        return self.client.post(
            f"{API}/cases/{case['case_id']}/{noun}",
            json=dict(body),
            headers=self.auth(who, **{"If-Match": f'"{seen}"'}),
        )

    def by_reference(
        self, case: Mapping[str, Any], noun: str, body: Mapping[str, Any], who: str = "complaints"
    ) -> TestResponse:
        """A complaint or review request naming the case by its reference, as the liaison
        records one on a case it cannot see yet (`POST /complaints`, `/case-reviews`)."""
        return self.client.post(
            f"{API}/{noun}",
            json={"case_reference": case["reference"], **body},
            headers=self.auth(who),
        )

    # --- refusals -------------------------------------------------------------------------

    def refused(
        self,
        status: int,
        method: str,
        path: str,
        who: str | None = None,
        headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Send a request that must be refused with `status` and must store no event."""
        sent = {**(self.auth(who) if who else {}), **(headers or {})}  # tokens made first
        before = self.head()
        response = self.client.open(f"{API}{path}", method=method, headers=sent, **kwargs)
        body = assert_problem(response, status)
        assert self.head() == before, f"a refused request ({status}) stored an event"
        return body

    def refused_command(
        self,
        status: int,
        case: Mapping[str, Any],
        noun: str,
        body: Any,
        who: str | None,
        if_match: str | None = "seen",
        headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        sent = dict(headers or {})
        if if_match == "seen":
            sent["If-Match"] = f'"{case["version"]}"'
        elif if_match is not None:
            sent["If-Match"] = if_match
        if "data" not in kwargs:
            kwargs["json"] = body
        return self.refused(
            status, "POST", f"/cases/{case['case_id']}/{noun}", who, headers=sent, **kwargs
        )

    # --- making cases ---------------------------------------------------------------------

    def ok(self, response: TestResponse, status: int = 201) -> dict[str, Any]:
        assert response.status_code == status, response.get_json()
        body: dict[str, Any] = response.get_json()
        return body

    def step(
        self, case: Mapping[str, Any], noun: str, body: Mapping[str, Any], who: str
    ) -> dict[str, Any]:
        """Run a command that must succeed, one hour later; returns the case as it now is."""
        self.clock.advance(timedelta(hours=1))
        after = self.ok(self.command(case, noun, body, who))
        assert after["version"] == case["version"] + 1
        return after

    def new_case(self, **overrides: Any) -> dict[str, Any]:
        return self.ok(self.report("hub", **overrides))

    def allocated_case(
        self, officer: str = "officer", *, manager: bool = False, **overrides: Any
    ) -> dict[str, Any]:
        """A case reported and triaged by the hub, then allocated to `officer`'s account."""
        username, _, team = STAFF[officer]
        case = self.new_case(**overrides)
        case = self.step(case, "triage", {}, "hub")
        by = "manager" if manager else "hub"
        return self.step(case, "allocation", {"officer": username, "team": team}, by)


def assert_problem(response: TestResponse, status: int) -> dict[str, Any]:
    """An RFC 9457 problem of the given status; returns its body."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body: dict[str, Any] = response.get_json(force=True)
    assert isinstance(body.get("type"), str) and body["type"]
    assert isinstance(body.get("title"), str) and body["title"]
    assert body["status"] == status
    return body


@dataclass(frozen=True)
class Step:
    noun: str
    who: str
    body: dict[str, Any]
    event: str  # the event type the command records
    waited: timedelta = timedelta(0)  # before the step's usual hour


def attach(
    api: Api,
    case: Mapping[str, Any],
    content: bytes,
    who: str = "officer",
    declared: str | None = None,
    version: int | None = None,
    **fields: str,
) -> TestResponse:
    """Attach a file to the case (multipart, as a browser sends it), `kind` photo unless
    given; `declared` is the file part's Content-Type."""
    seen = case["version"] if version is None else version
    data: dict[str, Any] = {"kind": "photo", **fields}
    data["file"] = (io.BytesIO(content), "IMG_0001.JPG", declared or "application/octet-stream")
    return api.client.post(
        f"{API}/cases/{case['case_id']}/files",
        data=data,
        content_type="multipart/form-data",
        headers=api.auth(who, **{"If-Match": f'"{seen}"'}),
    )


def walk_every_command(api: Api) -> tuple[dict[str, Any], list[Step]]:
    """One case through every case command of the API, each by a role that may run it.

    Returns the case as it ends and the steps taken, in order. The case is reported by the
    hub, worked by k.officer, reassigned to s.officer, closed by the manager, complained
    about and reviewed, and finally reopened.
    """
    steps: list[Step] = []
    case = api.new_case()

    def do(
        noun: str, who: str, event: str, waited: timedelta = timedelta(0), **body: Any
    ) -> dict[str, Any]:
        nonlocal case
        api.clock.advance(waited)
        case = api.step(case, noun, body, who)
        steps.append(Step(noun, who, body, event, waited))
        return case

    def subject_of(noun: str, who: str, event: str, **body: Any) -> str:
        api.clock.advance(timedelta(hours=1))
        nonlocal case
        response = api.command(case, noun, body, who)
        after = api.ok(response)
        assert after["version"] == case["version"] + 1
        case = after
        steps.append(Step(noun, who, body, event))
        return response.get_json()["recorded"]["subject_id"]

    officer, _, team = STAFF["officer"]
    other, _, _ = STAFF["other_officer"]
    do(
        "further-incidents",
        "hub",
        "FurtherIncidentReported",
        reporter_role="victim",
        description="The graffiti was sprayed again the next night.",
        strands=["race"],
        forms=["graffiti", "verbal_abuse"],
    )
    do("triage", "hub", "CaseTriaged", priority="highest", notes="Family frightened.")
    do("allocation", "hub", "OfficerAllocated", officer=officer, team=team)
    representative = subject_of(
        "subjects",
        "officer",
        "SubjectLinked",
        role="representative",
        details={"name": "Grace Okafor-Bell"},
    )
    do(
        "classification",
        "officer",
        "ClassificationRevised",
        strands=["race", "religion_or_belief"],
        forms=["graffiti", "verbal_abuse"],
        victim_agrees=True,
        reason="The second message also targets the family's faith.",
    )
    do("risk-assessments", "officer", "RiskAssessed", answers=ANSWERS_HIGH)
    do(
        "action-plans",
        "officer",
        "ActionPlanAgreed",
        actions=[
            {"description": "Remove the graffiti", "owner": officer, "due_on": "2026-11-25"},
            {"description": "Fit a door camera", "owner": "repairs"},
        ],
    )
    do("action-completions", "officer", "ActionCompleted", action_id="plan-1.1")
    do(
        "contact-arrangements",
        "officer",
        "ContactArrangementAgreed",
        method="phone",
        frequency_days=7,
        notes="Calls after 6pm only.",
    )
    do(
        "contacts",
        "officer",
        "ContactMade",
        method="phone",
        direction="outbound",
        summary="Spoke to Amara about the plan.",
    )
    do(
        "reasonable-adjustment-considerations",
        "officer",
        "ReasonableAdjustmentUnderConsideration",
        need="Letters she can read with her sight loss.",
        review_on=(api.clock() + timedelta(days=14)).date().isoformat(),
        advice_from="RNIB",
    )
    do(
        "reasonable-adjustments",
        "officer",
        "ReasonableAdjustmentAgreed",
        adjustment="Letters in large print.",
        adjustment_id="adjustment-1",
    )
    do(
        "consents",
        "officer",
        "ConsentGranted",
        recipient="support_agency",
        recipient_name="Victim Support",
        form="verbal",
    )
    do(
        "support-referrals",
        "officer",
        "SupportReferralMade",
        agency="Victim Support",
        consent_id="consent-1",
    )
    do(
        "security-measures",
        "officer",
        "SecurityMeasuresProvided",
        measures="Door camera and letterbox guard fitted.",
    )
    do(
        "repairs",
        "officer",
        "RepairRequested",
        kind="graffiti_removal",
        description="Remove the graffiti from the front door.",
    )
    do(
        "damage-found",
        "officer",
        "DamageFound",
        kind="emergency",
        description="The door glass was cracked too.",
    )
    do("repair-completions", "officer", "RepairCompleted", repair_id="repair-1")
    api.clock.advance(timedelta(hours=1))
    case = api.ok(attach(api, case, samples.jpeg(), kind="photo"))
    steps.append(Step("files", "officer", {"kind": "photo"}, "EvidenceFileAttached"))
    do(
        "file-withdrawals",
        "officer",
        "EvidenceFileWithdrawn",
        file_id="file-1",
        reason="Attached to the wrong case.",
    )
    do(
        "consents",
        "officer",
        "ConsentGranted",
        recipient="police",
        recipient_name="West Midlands Police",
        form="written",
        evidence_reference="Signed form scanned",
    )
    do(
        "police-reports",
        "officer",
        "PoliceReportMade",
        basis="consent",
        consent_id="consent-2",
        police_reference="20/123456/26",
    )
    do(
        "consents",
        "officer",
        "ConsentGranted",
        recipient="multi_agency_panel",
        recipient_name="Birmingham MARAC",
        form="written",
    )
    do(
        "referrals",
        "officer",
        "MultiAgencyReferralMade",
        panel="Birmingham MARAC",
        consent_id="consent-3",
        reason="Repeat targeting of the family.",
    )
    do(
        "consents",
        "officer",
        "ConsentGranted",
        recipient="representative",
        recipient_name="Grace Okafor-Bell",
        form="written",
        representative_id=representative,
    )
    do(
        "disclosures",
        "officer",
        "InformationDisclosed",
        recipient="representative",
        recipient_name="Grace Okafor-Bell",
        basis="consent",
        consent_id="consent-4",
        representative_id=representative,
        what="The action plan and its progress.",
    )
    do("consent-withdrawals", "officer", "ConsentWithdrawn", consent_id="consent-1")
    do(
        "safeguarding-concerns",
        "officer",
        "SafeguardingConcernRaised",
        about="child",
        referred_to=["local_authority"],
        details="The children are afraid to go to school.",
    )
    staff_member = subject_of(
        "perpetrators", "officer", "PerpetratorIdentified", link="staff", details={}
    )
    do("staff-matter-referrals", "manager", "StaffMatterReferred", subject_id=staff_member)
    tenant = subject_of(
        "perpetrators",
        "officer",
        "PerpetratorIdentified",
        link="tenant",
        details={"name": "Gary Stone", "tenancy_reference": "T-48213"},
    )
    do("interventions", "officer", "InterventionTaken", subject_id=tenant, kind="warning_letter")
    do(
        "interventions",
        "manager",
        "InterventionTaken",
        subject_id=tenant,
        kind="notice_of_seeking_possession",
        legal_power="Housing Act 1985, Schedule 2, Ground 2",
    )
    do(
        "hate-definition-disputes",
        "manager",
        "HateDefinitionDisputed",
        decision="unreasonable",
        reasons="Recorded only to exercise the route; the finding is illustrative.",
    )
    do(
        "reassignment",
        "manager",
        "OfficerReassigned",
        officer=other,
        team=team,
        reason="Kamal is on leave for a month.",
    )
    do("risk-assessments", "other_officer", "RiskAssessed", answers=ANSWERS_STANDARD)
    do(
        "closure-proposals",
        "other_officer",
        "ClosureProposed",
        grounds=["all_action_taken", "no_further_reports_needs_victim"],
        reasons="No incidents for six weeks.",
    )
    for _ in range(3):  # a week apart, by the agreed method (10.1)
        do(
            "contacts",
            "other_officer",
            "ContactMade",
            waited=timedelta(days=7),
            method="phone",
            direction="outbound",
            outcome="no_answer",
        )
    do(
        "victim-unreachable-findings",
        "other_officer",
        "VictimCouldNotBeReached",
        notes="Three calls over two weeks went unanswered.",
    )
    do(
        "closure-discussions",
        "other_officer",
        "ClosureDiscussedWithVictim",
        method="phone",
        victim_agrees=True,
        victim_view="Happy for the case to close.",
    )
    do(
        "case-review-right-notices",
        "other_officer",
        "VictimToldOfCaseReviewRight",
        method="phone",
        notes="Explained how to ask the council for a review.",
    )
    do(
        "closure",
        "manager",
        "CaseClosed",
        grounds=["all_action_taken"],
        reasons="Everything in the plan is done.",
    )
    do(
        "complaints",
        "complaints",
        "ComplaintReceived",
        stage="stage_1",
        summary="Unhappy the door camera took weeks.",
    )
    do(
        "complaint-acknowledgements",
        "complaints",
        "ComplaintAcknowledged",
        complaint_id="complaint-1",
    )
    do(
        "complaint-extensions",
        "complaints",
        "ComplaintResponseExtended",
        complaint_id="complaint-1",
        working_days=5,
        reasons="The contractor's report is not back yet.",
    )
    do(
        "complaint-responses",
        "complaints",
        "ComplaintResponded",
        complaint_id="complaint-1",
        outcome="partly_upheld",
        response="The camera should have been fitted sooner.",
    )
    do(
        "ombudsman-referrals",
        "complaints",
        "ComplaintReferredToOmbudsman",
        complaint_id="complaint-1",
        reference="202612345",
    )
    do("case-reviews", "complaints", "CaseReviewRequested", local_authority="Birmingham CC")
    do(
        "case-review-thresholds",
        "complaints",
        "CaseReviewThresholdDecided",
        review_id="review-1",
        threshold_met=True,
        reasons="Three reports in six months.",
    )
    do(
        "panel-recommendations",
        "complaints",
        "PanelRecommendationReceived",
        review_id="review-1",
        recommendation="Consider a management move.",
    )
    do(
        "panel-recommendation-answers",
        "manager",
        "PanelRecommendationAnswered",
        recommendation_id="review-1.rec-1",
        answer="accepted",
        reasons="A move will be offered this month.",
    )
    do("reopening", "other_officer", "CaseReopened", reason="A new incident was reported.")
    return case, steps

"""Demo data: staff accounts and a handful of realistic cases at different stages.

The cases are made through the real ledger commands with a clock that walks through the
past few weeks, so every event, timer and rule is as it would be in real use. All people
are fictional.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from application.actors import Actor
from domain.hate_case import HateCase
from domain.vocabulary import StaffRole
from interface.config import Services, build_services

DEMO_STAFF = (
    ("hub.adviser", StaffRole.HUB, "customer-hub", "Hub Adviser"),
    ("k.officer", StaffRole.OFFICER, "north", "Kamal Officer"),
    ("s.officer", StaffRole.OFFICER, "north", "Sam Officer"),
    ("t.manager", StaffRole.MANAGER, "north", "Tess Manager"),
    ("c.liaison", StaffRole.COMPLAINTS, "complaints", "Complaints Liaison"),
    ("d.protection", StaffRole.DPO, "governance", "Data Protection Officer"),
    ("i.auditor", StaffRole.AUDITOR, "audit", "Internal Auditor"),
    ("sys.admin", StaffRole.ADMIN, "it", "System Admin"),
)

ANSWERS_HIGH = {
    "fear_for_safety": 2,
    "violence_or_threats": 2,
    "repeat_victimisation": 2,
    "escalation": 2,
    "targets_home": 2,
    "perpetrator_nearby": 2,
    "vulnerability": 1,
    "children_affected": 1,
    "isolation": 1,
    "health_impact": 1,
}
ANSWERS_MEDIUM = {
    "fear_for_safety": 1,
    "violence_or_threats": 1,
    "repeat_victimisation": 1,
    "escalation": 1,
    "targets_home": 2,
    "perpetrator_nearby": 1,
    "vulnerability": 0,
    "children_affected": 0,
    "isolation": 0,
    "health_impact": 1,
}
ANSWERS_STANDARD = dict.fromkeys(ANSWERS_HIGH, 0) | {"fear_for_safety": 1, "health_impact": 1}


class WalkingClock:
    """A clock that starts in the past and moves on a little at every reading."""

    def __init__(self, start: datetime, step: timedelta = timedelta(minutes=47)) -> None:
        self.now = start
        self.step = step

    def __call__(self) -> datetime:
        self.now += self.step
        return self.now

    def jump(self, delta: timedelta) -> None:
        self.now += delta


def load_demo(tokens_file: str, *, if_empty: bool = False) -> int:
    clock = WalkingClock(datetime.now(UTC) - timedelta(days=30))
    services = build_services(clock=clock)
    try:
        if if_empty and services.runner.head() > 0:
            print("the ledger already holds events; demo not loaded")
            return 0
        tokens = _staff(services)
        _cases(services, clock)
    finally:
        services.close()
    fd = os.open(tokens_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        for username, token in tokens.items():
            f.write(f"{username} {token}\n")
    print(f"demo loaded: 5 cases; staff tokens written to {tokens_file} (readable by you only)")
    for username, token in tokens.items():
        print(f"  {username:14} {token}")
    return 0


def _staff(services: Services) -> dict[str, str]:
    operator = Actor("demo-loader", StaffRole.ADMIN, "system")
    tokens = {}
    for username, role, team, display in DEMO_STAFF:
        _, token = services.staff.add(
            username=username, role=role.value, team=team, display_name=display, actor=operator
        )
        tokens[username] = token
    return tokens


def _cases(services: Services, clock: WalkingClock) -> None:
    ledger = services.ledger
    hub = Actor("hub.adviser", StaffRole.HUB, "customer-hub")
    kamal = Actor("k.officer", StaffRole.OFFICER, "north")
    sam = Actor("s.officer", StaffRole.OFFICER, "north")
    tess = Actor("t.manager", StaffRole.MANAGER, "north")
    liaison = Actor("c.liaison", StaffRole.COMPLAINTS, "complaints")

    def step(case: HateCase, actor: Actor, command_name: str, **fields: Any) -> HateCase:
        command: Callable[..., Any] = getattr(ledger, command_name)
        result = command(case.id, actor=actor, seen_version=case.version, **fields)
        return result[0] if isinstance(result, tuple) else result

    # 1. Graffiti reported through a partner agency on the victim's behalf, not yet triaged.
    ledger.report_case(
        actor=hub,
        channel="partner_agency",
        reporter_role="third_party",
        description="Racist graffiti sprayed on the front door overnight; the family is scared "
        "to leave the flat.",
        strands=["race"],
        forms=["graffiti"],
        location="Flat 3, Elm Court, Birmingham B5",
        victim={"name": "Amara Okafor", "phone": "07700 900123", "address": "Flat 3, Elm Court"},
        reporter={"name": "Jo Reed (Victim Support)", "phone": "0121 496 0000"},
    )
    clock.jump(timedelta(days=3))

    # 2. Threats and vandalism, high risk: repairs ordered, contact agreed, attempts logged.
    case = ledger.report_case(
        actor=hub,
        channel="phone",
        reporter_role="victim",
        description="Neighbour shouted homophobic abuse and kicked in the door panel; "
        "threatened to 'burn us out'.",
        strands=["sexual_orientation"],
        forms=["verbal_abuse", "vandalism", "threatening_behaviour"],
        criminal_offence_alleged=True,
        victim={"name": "Daniel Price", "phone": "07700 900456", "address": "12 Ash Road"},
    )
    case = step(case, hub, "triage")
    case = step(case, hub, "allocate", officer="k.officer", team="north")
    case = step(
        case,
        kamal,
        "record_contact",
        method="phone",
        direction="outbound",
        outcome="no_answer",
        summary="No answer; voicemail full.",
    )
    case = step(
        case,
        kamal,
        "record_contact",
        method="phone",
        direction="outbound",
        summary="Spoke to Daniel; he is staying with his sister tonight.",
    )
    case = step(
        case,
        kamal,
        "assess_risk",
        answers=ANSWERS_HIGH,
        notes="Threat of arson; perpetrator lives two doors away.",
    )
    case = step(
        case,
        kamal,
        "request_repair",
        kind="emergency",
        description="Replace kicked-in front door panel; fit door viewer.",
    )
    case = step(
        case,
        kamal,
        "request_repair",
        kind="graffiti_removal",
        description="Remove homophobic graffiti from the communal stairwell.",
    )
    case = step(
        case,
        kamal,
        "complete_repair",
        repair_id="repair-1",
        notes="Door panel replaced by contractor.",
    )
    case = step(
        case,
        kamal,
        "agree_contact_arrangement",
        method="phone",
        frequency_days=7,
        notes="Calls after 6pm only.",
    )
    clock.jump(timedelta(days=5))

    # 3. Closed after repairs, a police report with consent and the victim's objection, then a
    #    stage 1 complaint answered: the case behind the evidence-pack example in the README.
    case = ledger.report_case(
        actor=hub,
        channel="email",
        reporter_role="victim",
        description="Anti-Muslim leaflets pushed through the letterbox three times this month.",
        strands=["religion_or_belief"],
        forms=["offensive_literature"],
        victim={"name": "Yusuf Rahman", "email": "yusuf@example.org"},
    )
    case = step(case, hub, "triage")
    case = step(case, hub, "allocate", officer="s.officer", team="north")
    case = step(
        case,
        sam,
        "record_contact",
        method="phone",
        direction="outbound",
        outcome="no_answer",
        summary="No answer; left no message, as agreed for this household.",
    )
    case = step(
        case,
        sam,
        "record_contact",
        method="home_visit",
        direction="outbound",
        summary="Visited; kept the leaflets as evidence. Ruth Adeyemi next door saw a man "
        "posting them.",
    )
    case, _ = ledger.add_person(
        case.id,
        actor=sam,
        seen_version=case.version,
        role="witness",
        details={"name": "Ruth Adeyemi", "address": "14 Cedar Walk"},
    )
    case = step(case, sam, "assess_risk", answers=ANSWERS_MEDIUM)
    case = step(
        case,
        sam,
        "request_repair",
        kind="emergency",
        description="Letterbox forced and door frame split; make the front door secure.",
    )
    case = step(
        case,
        sam,
        "request_repair",
        kind="graffiti_removal",
        description="Remove anti-Muslim graffiti daubed on the garden wall.",
    )
    case = step(case, sam, "complete_repair", repair_id="repair-1", notes="Door made secure.")
    case = step(
        case, sam, "agree_contact_arrangement", method="phone", frequency_days=7, notes="Fridays"
    )
    clock.jump(timedelta(days=2))
    case = step(
        case, sam, "complete_repair", repair_id="repair-2", notes="Wall cleaned by contractor."
    )
    case = step(
        case,
        sam,
        "agree_action_plan",
        actions=[
            {"description": "Report to police with consent", "owner": "s.officer"},
            {"description": "Fit a letterbox guard", "owner": "repairs"},
        ],
    )
    case = step(
        case,
        sam,
        "grant_consent",
        recipient="police",
        recipient_name="West Midlands Police",
        form="written",
        evidence_reference="Signed consent form scanned",
    )
    case = step(
        case,
        sam,
        "report_to_police",
        basis="consent",
        consent_id="consent-1",
        police_reference="20/123456/26",
        details="Leaflets handed to PC on visit.",
    )
    case = step(case, sam, "complete_action", action_id="plan-1.1")
    case = step(case, sam, "provide_security_measures", measures="Letterbox guard fitted.")
    case = step(case, sam, "complete_action", action_id="plan-1.2")
    clock.jump(timedelta(days=6))
    case = step(case, sam, "assess_risk", answers=ANSWERS_STANDARD)
    case = step(
        case,
        sam,
        "propose_closure",
        grounds=["all_action_taken"],
        reasons="No incidents for six weeks; police investigation ongoing.",
    )
    case = step(
        case,
        sam,
        "discuss_closure",
        method="phone",
        victim_agrees=False,
        victim_view="Feels we should keep the case open until the police finish.",
    )
    case = step(
        case,
        tess,
        "close_case",
        grounds=["all_action_taken", "other_agency_dealing"],
        reasons="Police lead the investigation; we have done all we can.",
        victim_view="Does not agree with closure.",
    )
    case = step(
        case,
        liaison,
        "receive_complaint",
        stage="stage_1",
        summary="Unhappy the case was closed while the police investigate.",
    )
    case = step(
        case,
        liaison,
        "respond_to_complaint",
        complaint_id="complaint-1",
        outcome="partly_upheld",
        response="We should have explained closure better; officer will call monthly.",
    )

    # 4. A councillor's enquiry: an elected representative needs no written consent (6.3).
    case = ledger.report_case(
        actor=hub,
        channel="letter",
        reporter_role="councillor",
        description="Councillor reports a disabled resident being mocked and filmed by youths.",
        strands=["disability"],
        forms=["verbal_abuse", "online"],
        victim={"name": "Margaret Hill", "address": "4 Birch Close"},
        reporter={"name": "Cllr Priya Shah"},
    )
    case = step(case, hub, "triage")
    case = step(case, hub, "allocate", officer="k.officer", team="north")
    case = step(
        case,
        kamal,
        "agree_reasonable_adjustment",
        adjustment="Large-print letters; visits with her daughter present.",
    )
    case = step(
        case,
        kamal,
        "disclose",
        recipient="representative",
        recipient_name="Cllr Priya Shah",
        basis="consent",
        representative_id=case.reporter_id,
        what="Case is open and an officer has visited.",
    )

    # 5. Safeguarding, a tenant perpetrator and an ASB Case Review.
    case = ledger.report_case(
        actor=hub,
        channel="in_person",
        reporter_role="victim",
        description="Transphobic abuse from the tenant upstairs; eggs thrown at windows.",
        strands=["transgender_identity"],
        forms=["verbal_abuse", "vandalism"],
        victim={"name": "Alex Morgan", "phone": "07700 900789"},
    )
    case = step(case, hub, "triage")
    case = step(case, hub, "allocate", officer="k.officer", team="north")
    case = step(case, kamal, "assess_risk", answers=ANSWERS_MEDIUM)
    case = step(
        case,
        kamal,
        "raise_safeguarding_concern",
        about="adult",
        referred_to=["local_authority"],
        details="Disclosed self-harm after incidents.",
    )
    case = step(
        case,
        kamal,
        "disclose",
        recipient="local_authority",
        recipient_name="Adult Social Care",
        basis="safeguarding",
        what="Risk assessment and incident log.",
    )
    case = step(
        case,
        kamal,
        "identify_perpetrator",
        link="tenant",
        details={"name": "Gary Stone", "tenancy_reference": "T-48213"},
    )
    perpetrator = next(iter(case.perpetrators))
    case = step(
        case,
        kamal,
        "take_intervention",
        subject_id=perpetrator,
        kind="warning_letter",
        notes="Warning letter citing tenancy clause 4.",
    )
    case = step(case, liaison, "request_case_review", local_authority="Birmingham City Council")
    case = step(
        case,
        liaison,
        "decide_review_threshold",
        review_id="review-1",
        threshold_met=True,
        reasons="Three reports in six months.",
    )
    case = step(
        case,
        liaison,
        "receive_panel_recommendation",
        review_id="review-1",
        recommendation="Consider a management move for the victim.",
    )
    step(
        case,
        tess,
        "answer_panel_recommendation",
        recommendation_id="review-1.rec-1",
        answer="alternative_approach",
        reasons="No suitable stock nearby; we will seek an injunction against the perpetrator "
        "instead and review in 4 weeks.",
    )

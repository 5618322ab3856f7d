"""Demo data: staff accounts and a handful of realistic cases at different stages.

The cases are made through the real ledger commands with a clock that walks through the
past few weeks, so every event, timer and rule is as it would be in real use. All people
are fictional.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from application.actors import Actor
from application.commands.after_the_case import (
    AnswerPanelRecommendation,
    DecideReviewThreshold,
    ReceiveComplaint,
    ReceivePanelRecommendation,
    RequestCaseReview,
    RespondToComplaint,
    TellVictimOfCaseReviewRight,
)
from application.commands.base import CaseCommand
from application.commands.closing import CloseCase, DiscussClosure, ProposeClosure
from application.commands.consent_and_sharing import (
    Disclose,
    GrantConsent,
    RaiseSafeguardingConcern,
    ReportToPolice,
)
from application.commands.people import PersonDetails
from application.commands.perpetrators import IdentifyPerpetrator, TakeIntervention
from application.commands.reporting import AddPerson, Allocate, ReportCase, Triage
from application.commands.victim_care import (
    AgreeActionPlan,
    AgreeContactArrangement,
    AgreeReasonableAdjustment,
    AssessRisk,
    CompleteAction,
    CompleteRepair,
    PlannedAction,
    ProvideSecurityMeasures,
    RecordContact,
    RequestRepair,
)
from domain.hate_case import HateCase
from domain.vocabulary import (
    Channel,
    ClosureGround,
    ComplaintOutcome,
    ComplaintStage,
    ConsentForm,
    ContactDirection,
    ContactMethod,
    ContactOutcome,
    DisclosureBasis,
    Form,
    InterventionKind,
    PerpetratorLink,
    PoliceReportBasis,
    Recipient,
    RecommendationAnswer,
    RepairKind,
    ReporterRole,
    SafeguardingSubject,
    StaffRole,
    Strand,
    SubjectRole,
)
from interface.config import Services, build_services
from interface.keys import KeyUse

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

DEMO_PASSWORD = "demo-password"
"""Every demo account's password for the screens (README): demo data only, never real staff."""

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
    services = build_services(clock=clock, keys=KeyUse.CREATE)
    try:
        if if_empty and services.runner.head() > 0:
            print("the ledger already holds events; demo not loaded")
            return 0
        tokens = populate(services, clock)
    finally:
        services.close()
    fd = os.open(tokens_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        for username, token in tokens.items():
            f.write(f"{username} {token}\n")
    print(f"demo loaded: 5 cases; staff tokens written to {tokens_file} (readable by you only)")
    print(f"sign in to the screens as any of them with the password {DEMO_PASSWORD}")
    for username, token in tokens.items():
        print(f"  {username:14} {token}")
    return 0


def populate(services: Services, clock: WalkingClock) -> dict[str, str]:
    """The demo staff (each with a work address at example.org, for reminders) and the five
    demo cases, in `services`; the staff's tokens by username."""
    tokens = _staff(services)
    _cases(services, clock)
    return tokens


def _staff(services: Services) -> dict[str, str]:
    operator = Actor("demo-loader", StaffRole.ADMIN, "system")
    tokens = {}
    for username, role, team, display in DEMO_STAFF:
        _, token = services.staff.add(
            username=username,
            role=role.value,
            team=team,
            display_name=display,
            email=f"{username}@example.org",
            actor=operator,
        )
        services.staff.set_password(username, DEMO_PASSWORD, actor=operator)
        tokens[username] = token
    return tokens


def _cases(services: Services, clock: WalkingClock) -> None:
    ledger = services.ledger
    hub = Actor("hub.adviser", StaffRole.HUB, "customer-hub")
    kamal = Actor("k.officer", StaffRole.OFFICER, "north")
    sam = Actor("s.officer", StaffRole.OFFICER, "north")
    tess = Actor("t.manager", StaffRole.MANAGER, "north")
    liaison = Actor("c.liaison", StaffRole.COMPLAINTS, "complaints")

    def step(case: HateCase, actor: Actor, command: CaseCommand[object]) -> HateCase:
        """The command as the actor issues it; a complaint or review request names the case
        by its reference, as the liaison's `POST /complaints` does."""
        return ledger.execute(
            case.id,
            command,
            actor=actor,
            seen_version=case.version,
            by_reference=type(command).opens_to_complaints,
        ).case

    def allocated(case: HateCase, officer: Actor) -> HateCase:
        """Triaged by the hub and allocated to `officer`."""
        case = step(case, hub, Triage())
        return step(case, hub, Allocate(officer=officer.username, team=officer.team))

    def called(
        case: HateCase,
        officer: Actor,
        summary: str,
        outcome: ContactOutcome = ContactOutcome.MADE,
        method: ContactMethod = ContactMethod.PHONE,
    ) -> HateCase:
        """The officer contacted the victim (or tried to)."""
        contact = RecordContact(
            method=method, direction=ContactDirection.OUTBOUND, outcome=outcome, summary=summary
        )
        return step(case, officer, contact)

    # 1. Graffiti reported through a partner agency on the victim's behalf, not yet triaged.
    ledger.report(
        ReportCase(
            channel=Channel.PARTNER_AGENCY,
            reporter_role=ReporterRole.THIRD_PARTY,
            description="Racist graffiti sprayed on the front door overnight; the family is "
            "scared to leave the flat.",
            strands=(Strand.RACE,),
            forms=(Form.GRAFFITI,),
            location="Flat 3, Elm Court, Birmingham B5",
            victim=PersonDetails(
                name="Amara Okafor", phone="07700 900123", address="Flat 3, Elm Court"
            ),
            reporter=PersonDetails(name="Jo Reed (Victim Support)", phone="0121 496 0000"),
        ),
        actor=hub,
    )
    clock.jump(timedelta(days=3))

    # 2. Threats and vandalism, high risk: repairs ordered, contact agreed, attempts logged.
    case = ledger.report(
        ReportCase(
            channel=Channel.PHONE,
            reporter_role=ReporterRole.VICTIM,
            description="Neighbour shouted homophobic abuse and kicked in the door panel; "
            "threatened to 'burn us out'.",
            strands=(Strand.SEXUAL_ORIENTATION,),
            forms=(Form.VERBAL_ABUSE, Form.VANDALISM, Form.THREATENING_BEHAVIOUR),
            criminal_offence_alleged=True,
            victim=PersonDetails(name="Daniel Price", phone="07700 900456", address="12 Ash Road"),
        ),
        actor=hub,
    )
    case = allocated(case, kamal)
    case = called(case, kamal, "No answer; voicemail full.", ContactOutcome.NO_ANSWER)
    case = called(case, kamal, "Spoke to Daniel; he is staying with his sister tonight.")
    case = step(
        case,
        kamal,
        AssessRisk(
            answers=ANSWERS_HIGH, notes="Threat of arson; perpetrator lives two doors away."
        ),
    )
    case = step(
        case,
        kamal,
        RequestRepair(
            kind=RepairKind.EMERGENCY,
            description="Replace kicked-in front door panel; fit door viewer.",
        ),
    )
    case = step(
        case,
        kamal,
        RequestRepair(
            kind=RepairKind.GRAFFITI_REMOVAL,
            description="Remove homophobic graffiti from the communal stairwell.",
        ),
    )
    case = step(
        case,
        kamal,
        CompleteRepair(repair_id="repair-1", notes="Door panel replaced by contractor."),
    )
    case = step(
        case,
        kamal,
        AgreeContactArrangement(
            method=ContactMethod.PHONE, frequency_days=7, notes="Calls after 6pm only."
        ),
    )
    clock.jump(timedelta(days=5))

    # 3. Closed after repairs, a police report with consent and the victim's objection, then a
    #    stage 1 complaint answered: the case behind the evidence-pack example in the README.
    case = ledger.report(
        ReportCase(
            channel=Channel.EMAIL,
            reporter_role=ReporterRole.VICTIM,
            description="Anti-Muslim leaflets pushed through the letterbox three times this month.",
            strands=(Strand.RELIGION_OR_BELIEF,),
            forms=(Form.OFFENSIVE_LITERATURE,),
            victim=PersonDetails(name="Yusuf Rahman", email="yusuf@example.org"),
        ),
        actor=hub,
    )
    case = allocated(case, sam)
    case = called(
        case,
        sam,
        "No answer; left no message, as agreed for this household.",
        ContactOutcome.NO_ANSWER,
    )
    case = called(
        case,
        sam,
        "Visited; kept the leaflets as evidence. Ruth Adeyemi next door saw a man posting them.",
        method=ContactMethod.HOME_VISIT,
    )
    case = step(
        case,
        sam,
        AddPerson(
            role=SubjectRole.WITNESS,
            details=PersonDetails(name="Ruth Adeyemi", address="14 Cedar Walk"),
        ),
    )
    case = step(case, sam, AssessRisk(answers=ANSWERS_MEDIUM))
    case = step(
        case,
        sam,
        RequestRepair(
            kind=RepairKind.EMERGENCY,
            description="Letterbox forced and door frame split; make the front door secure.",
        ),
    )
    case = step(
        case,
        sam,
        RequestRepair(
            kind=RepairKind.GRAFFITI_REMOVAL,
            description="Remove anti-Muslim graffiti daubed on the garden wall.",
        ),
    )
    case = step(case, sam, CompleteRepair(repair_id="repair-1", notes="Door made secure."))
    case = step(
        case,
        sam,
        AgreeContactArrangement(method=ContactMethod.PHONE, frequency_days=7, notes="Fridays"),
    )
    clock.jump(timedelta(days=2))
    case = step(
        case, sam, CompleteRepair(repair_id="repair-2", notes="Wall cleaned by contractor.")
    )
    case = step(
        case,
        sam,
        AgreeActionPlan(
            actions=(
                PlannedAction(description="Report to police with consent", owner="s.officer"),
                PlannedAction(description="Fit a letterbox guard", owner="repairs"),
            )
        ),
    )
    case = step(
        case,
        sam,
        GrantConsent(
            recipient=Recipient.POLICE,
            recipient_name="West Midlands Police",
            form=ConsentForm.WRITTEN,
            evidence_reference="Signed consent form scanned",
        ),
    )
    case = step(
        case,
        sam,
        ReportToPolice(
            basis=PoliceReportBasis.CONSENT,
            consent_id="consent-1",
            police_reference="20/123456/26",
            details="Leaflets handed to PC on visit.",
        ),
    )
    case = step(case, sam, CompleteAction(action_id="plan-1.1"))
    case = step(case, sam, ProvideSecurityMeasures(measures="Letterbox guard fitted."))
    case = step(case, sam, CompleteAction(action_id="plan-1.2"))
    clock.jump(timedelta(days=6))
    case = step(case, sam, AssessRisk(answers=ANSWERS_STANDARD))
    case = step(
        case,
        sam,
        ProposeClosure(
            grounds=(ClosureGround.ALL_ACTION_TAKEN,),
            reasons="No incidents for six weeks; police investigation ongoing.",
        ),
    )
    case = step(
        case,
        sam,
        DiscussClosure(
            method=ContactMethod.PHONE,
            victim_agrees=False,
            victim_view="Feels we should keep the case open until the police finish.",
        ),
    )
    case = step(
        case,
        sam,
        TellVictimOfCaseReviewRight(
            method=ContactMethod.PHONE,
            notes="Explained how to ask the council for an ASB Case Review.",
        ),
    )
    case = step(
        case,
        tess,
        CloseCase(
            grounds=(ClosureGround.ALL_ACTION_TAKEN, ClosureGround.OTHER_AGENCY_DEALING),
            reasons="Police lead the investigation; we have done all we can.",
            victim_view="Does not agree with closure.",
        ),
    )
    case = step(
        case,
        liaison,
        ReceiveComplaint(
            stage=ComplaintStage.STAGE_1,
            summary="Unhappy the case was closed while the police investigate.",
        ),
    )
    case = step(
        case,
        liaison,
        RespondToComplaint(
            complaint_id="complaint-1",
            outcome=ComplaintOutcome.PARTLY_UPHELD,
            response="We should have explained closure better; officer will call monthly.",
        ),
    )

    # 4. A councillor's enquiry: an elected representative needs no written consent (6.3).
    case = ledger.report(
        ReportCase(
            channel=Channel.LETTER,
            reporter_role=ReporterRole.COUNCILLOR,
            description="Councillor reports a disabled resident being mocked and filmed by youths.",
            strands=(Strand.DISABILITY,),
            forms=(Form.VERBAL_ABUSE, Form.ONLINE),
            victim=PersonDetails(name="Margaret Hill", address="4 Birch Close"),
            reporter=PersonDetails(name="Cllr Priya Shah"),
        ),
        actor=hub,
    )
    case = allocated(case, kamal)
    case = step(
        case,
        kamal,
        AgreeReasonableAdjustment(
            adjustment="Large-print letters; visits with her daughter present."
        ),
    )
    case = step(
        case,
        kamal,
        Disclose(
            recipient=Recipient.REPRESENTATIVE,
            recipient_name="Cllr Priya Shah",
            basis=DisclosureBasis.CONSENT,
            representative_id=case.reporter_id,
            what="Case is open and an officer has visited.",
        ),
    )

    # 5. Safeguarding, a tenant perpetrator and an ASB Case Review.
    case = ledger.report(
        ReportCase(
            channel=Channel.IN_PERSON,
            reporter_role=ReporterRole.VICTIM,
            description="Transphobic abuse from the tenant upstairs; eggs thrown at windows.",
            strands=(Strand.TRANSGENDER_IDENTITY,),
            forms=(Form.VERBAL_ABUSE, Form.VANDALISM),
            victim=PersonDetails(name="Alex Morgan", phone="07700 900789"),
        ),
        actor=hub,
    )
    case = allocated(case, kamal)
    case = step(case, kamal, AssessRisk(answers=ANSWERS_MEDIUM))
    case = step(
        case,
        kamal,
        RaiseSafeguardingConcern(
            about=SafeguardingSubject.ADULT,
            referred_to=(Recipient.LOCAL_AUTHORITY,),
            details="Disclosed self-harm after incidents.",
        ),
    )
    case = step(
        case,
        kamal,
        Disclose(
            recipient=Recipient.LOCAL_AUTHORITY,
            recipient_name="Adult Social Care",
            basis=DisclosureBasis.SAFEGUARDING,
            concern_id="safeguarding-1",
            what="Risk assessment and incident log.",
        ),
    )
    identified = ledger.execute(
        case.id,
        IdentifyPerpetrator(
            link=PerpetratorLink.TENANT,
            details=PersonDetails(name="Gary Stone", tenancy_reference="T-48213"),
        ),
        actor=kamal,
        seen_version=case.version,
    )
    case = step(
        identified.case,
        kamal,
        TakeIntervention(
            subject_id=identified.result,
            kind=InterventionKind.WARNING_LETTER,
            notes="Warning letter citing tenancy clause 4.",
        ),
    )
    case = step(case, liaison, RequestCaseReview(local_authority="Birmingham City Council"))
    case = step(
        case,
        liaison,
        DecideReviewThreshold(
            review_id="review-1", threshold_met=True, reasons="Three reports in six months."
        ),
    )
    case = step(
        case,
        liaison,
        ReceivePanelRecommendation(
            review_id="review-1", recommendation="Consider a management move for the victim."
        ),
    )
    step(
        case,
        tess,
        AnswerPanelRecommendation(
            recommendation_id="review-1.rec-1",
            answer=RecommendationAnswer.ALTERNATIVE_APPROACH,
            reasons="No suitable stock nearby; we will seek an injunction against the "
            "perpetrator instead and review in 4 weeks.",
        ),
    )

"""The catalogue: every command the ledger takes, in the order a case meets them.

The API's routes and body schemas, its OpenAPI description, the roles table
(`application.authorisation.COMMAND_ROLES`) and the staff screens' forms are all read from
here. Adding a command is its domain method, one class here (in the module of its part of
the policy) and its tests.

For a screen:

    for command in commands_for(actor.role):          # what this role may issue
        command.noun, command.headline()               # its name and what it does
        for field in command.fields():                # `FieldSpec`s: a form's inputs
            field.name, field.kind, field.required, field.choices, field.help, ...
"""

from __future__ import annotations

from application.commands.after_the_case import (
    AcknowledgeComplaint,
    AnswerPanelRecommendation,
    DecideReviewThreshold,
    ExtendComplaintResponse,
    ProduceEvidencePack,
    ReceiveComplaint,
    ReceivePanelRecommendation,
    RecordOmbudsmanReferral,
    RequestCaseReview,
    RespondToComplaint,
    TellVictimOfCaseReviewRight,
)
from application.commands.base import CaseCommand, Command
from application.commands.closing import (
    CloseCase,
    DiscussClosure,
    ProposeClosure,
    RecordVictimUnreachable,
    ReopenCase,
)
from application.commands.consent_and_sharing import (
    Disclose,
    GrantConsent,
    RaiseSafeguardingConcern,
    ReferToMultiAgencyPanel,
    ReportToPolice,
    WithdrawConsent,
)
from application.commands.evidence import AttachEvidenceFile, WithdrawEvidenceFile
from application.commands.perpetrators import (
    IdentifyPerpetrator,
    ReferStaffMatter,
    TakeIntervention,
)
from application.commands.reporting import (
    AddPerson,
    Allocate,
    DisputeHateDefinition,
    Reassign,
    ReportCase,
    ReportFurtherIncident,
    ReviseClassification,
    Triage,
)
from application.commands.victim_care import (
    AgreeActionPlan,
    AgreeContactArrangement,
    AgreeReasonableAdjustment,
    AssessRisk,
    CompleteAction,
    CompleteRepair,
    ConsiderReasonableAdjustment,
    ProvideSecurityMeasures,
    RecordContact,
    RecordDamageFound,
    ReferForSupport,
    RequestRepair,
)
from domain.vocabulary import StaffRole

_CASE_COMMANDS: tuple[type[CaseCommand[object]], ...] = (
    ReportFurtherIncident,
    Triage,
    Allocate,
    Reassign,
    AddPerson,
    ReviseClassification,
    DisputeHateDefinition,
    AssessRisk,
    AgreeActionPlan,
    CompleteAction,
    AgreeContactArrangement,
    RecordContact,
    AgreeReasonableAdjustment,
    ConsiderReasonableAdjustment,
    ReferForSupport,
    ProvideSecurityMeasures,
    RecordDamageFound,
    RequestRepair,
    CompleteRepair,
    AttachEvidenceFile,
    WithdrawEvidenceFile,
    GrantConsent,
    WithdrawConsent,
    RaiseSafeguardingConcern,
    ReportToPolice,
    ReferToMultiAgencyPanel,
    Disclose,
    IdentifyPerpetrator,
    TakeIntervention,
    ReferStaffMatter,
    ProposeClosure,
    DiscussClosure,
    RecordVictimUnreachable,
    TellVictimOfCaseReviewRight,
    CloseCase,
    ReopenCase,
    ReceiveComplaint,
    AcknowledgeComplaint,
    ExtendComplaintResponse,
    RespondToComplaint,
    RecordOmbudsmanReferral,
    RequestCaseReview,
    DecideReviewThreshold,
    ReceivePanelRecommendation,
    AnswerPanelRecommendation,
    ProduceEvidencePack,
)
_COMMANDS: tuple[type[Command], ...] = (ReportCase, *_CASE_COMMANDS)
_BY_NOUN: dict[str, type[Command]] = {c.noun: c for c in _COMMANDS}
if len(_BY_NOUN) != len(_COMMANDS):
    raise ValueError("two commands share a noun")


def commands() -> tuple[type[Command], ...]:
    """Every command: reporting a case first, then the commands on a case."""
    return _COMMANDS


def case_commands() -> tuple[type[CaseCommand[object]], ...]:
    """The commands on an existing case."""
    return _CASE_COMMANDS


def by_reference_commands() -> tuple[type[CaseCommand[object]], ...]:
    """The commands that may name their case by its reference (`POST /complaints`,
    `POST /case-reviews`): those that open a case to the complaints liaison."""
    return tuple(c for c in _CASE_COMMANDS if c.opens_to_complaints)


def command(noun: str) -> type[Command] | None:
    """The command of that noun, if there is one."""
    return _BY_NOUN.get(noun)


def case_command(noun: str) -> type[CaseCommand[object]] | None:
    """The command on a case of that noun, if there is one."""
    found = _BY_NOUN.get(noun)
    return found if found is not None and issubclass(found, CaseCommand) else None


def commands_for(role: StaffRole) -> tuple[type[Command], ...]:
    """The commands the role may issue (some of them only with some values: `refusal`)."""
    return tuple(c for c in _COMMANDS if role in c.roles)

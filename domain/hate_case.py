"""The `HateCase` aggregate: one report of hate, from report to closure and after.

Commands (public methods) check the Hate Policy's rules and raise `PolicyViolation` naming
the clause; only then do they trigger an event. Each part of the policy has its own module
of commands; this class puts them together over the shared `CaseState`.
"""

from __future__ import annotations

from domain.case_after import AfterTheCase
from domain.case_care import VictimCare
from domain.case_closing import Closing
from domain.case_files import CaseFiles
from domain.case_perpetrators import Perpetrators
from domain.case_reporting import Reporting
from domain.case_sharing import ConsentAndSharing
from domain.case_state import (
    CaseReview,
    Complaint,
    Consent,
    EvidenceFile,
    Repair,
    case_reference,
)

__all__ = [
    "CaseReview",
    "Complaint",
    "Consent",
    "EvidenceFile",
    "HateCase",
    "Repair",
    "case_reference",
]


class HateCase(
    Reporting, VictimCare, ConsentAndSharing, Perpetrators, Closing, AfterTheCase, CaseFiles
):
    """A report of hate and everything the landlord did about it."""

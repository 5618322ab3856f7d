"""The staff roles, grouped as the roles table groups them.

Each command says which of these may issue it (`application.commands`); who may see which
case is `application.authorisation`.
"""

from __future__ import annotations

from domain.vocabulary import StaffRole

HUB, OFFICER, MANAGER = StaffRole.HUB, StaffRole.OFFICER, StaffRole.MANAGER
DPO, COMPLAINTS = StaffRole.DPO, StaffRole.COMPLAINTS
AUDITOR, ADMIN = StaffRole.AUDITOR, StaffRole.ADMIN

CASE_WORKERS = frozenset({OFFICER, MANAGER})
"""Officers work the cases allocated to them; managers their team's."""
INTAKE = frozenset({HUB, OFFICER, MANAGER})
"""Taking a report and what comes with it: the Customer Hub as well as case workers."""
MANAGERS = frozenset({MANAGER})
"""Reassignment, closure and enforcement decisions."""
COMPLAINT_HANDLERS = frozenset({COMPLAINTS, MANAGER})
"""Complaints (11) and ASB Case Reviews (12): the complaints liaison and managers."""
TRIAGE = frozenset({HUB, MANAGER})
"""Triage and allocation: the Customer Hub, or a manager."""

"""Who has a reason to know a person the ledger already holds (issue 13, "people across
cases"): a member of staff may name a known person on a case (`victim_id` on a report,
`subject_id` on a person or an alleged perpetrator) only if they can see a case that person
is already on. No role's purpose covers people outside its own cases: the roles that link
people (the Customer Hub, officers, managers) work cases, and the DPO, who answers for every
person, links nobody. Anyone else gets the answer an unknown id gets (`CaseLedger`).

Read from the views (the subject index and the caseload's visibility), caught up first like
every read; with `CASELEDGER_PROJECTIONS=worker` a person linked moments ago counts once the
caller's `X-Min-Position` is reached.
"""

from __future__ import annotations

from uuid import UUID

from application.actors import Actor
from application.authorisation import may_read_cases, sight
from application.freshness import ViewFreshness
from projections import case_summaries


class PeopleKnown:
    def __init__(self, views: ViewFreshness) -> None:
        self._views = views

    def reason_to_know(self, actor: Actor, subject_id: UUID) -> bool:
        """Whether the actor can see a case the person is on."""
        if not may_read_cases(actor):
            return False
        self._views.ready("case_summaries", "subject_index")
        with self._views.store.reading() as c:
            return case_summaries.person_on_a_case_seen(c, subject_id, sight(actor))

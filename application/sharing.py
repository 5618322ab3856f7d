"""What each recipient may be told about a case, now or as of a past moment (policy 9.2-9.4).

Read from the sharing view; the rule itself is `domain.sharing.lawful_bases`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from application.actors import Actor
from application.clock import Clock
from application.ledger import CaseLedger
from domain.sharing import lawful_bases
from domain.vocabulary import Recipient
from projections.runner import ProjectionRunner


class SharingViews:
    def __init__(self, ledger: CaseLedger, runner: ProjectionRunner, clock: Clock) -> None:
        self._ledger = ledger
        self._runner = runner
        self._clock = clock

    def for_case(
        self, actor: Actor, case_id: UUID, as_of: datetime | None = None
    ) -> dict[str, Any]:
        self._ledger.case_for(actor, case_id)  # only who may see the case sees its sharing
        self._runner.catch_up("sharing")
        moment = (as_of or self._clock()).isoformat()
        key = str(case_id)
        with self._runner.store.reading() as c:
            c.execute(
                "SELECT consent_id, recipient, recipient_label, representative_id, form, "
                "granted_at, withdrawn_at FROM view_sharing_consents "
                "WHERE case_id = ? AND granted_at <= ? "
                "AND (withdrawn_at IS NULL OR withdrawn_at > ?) ORDER BY granted_at",
                (key, moment, moment),
            )
            consents = [
                dict(
                    zip(
                        (
                            "consent_id",
                            "recipient",
                            "recipient_name",
                            "representative_id",
                            "form",
                            "granted_at",
                            "withdrawn_at",
                        ),
                        row,
                        strict=True,
                    )
                )
                for row in c.fetchall()
            ]
            c.execute(
                "SELECT COUNT(*) FROM view_sharing_safeguarding WHERE case_id = ? "
                "AND raised_at <= ?",
                (key, moment),
            )
            safeguarding = int(c.fetchone()[0]) > 0
            c.execute(
                "SELECT disclosure_id, recipient, recipient_label, basis, consent_id, "
                "legal_basis, disclosed_at, by_actor FROM view_sharing_disclosures "
                "WHERE case_id = ? AND disclosed_at <= ? ORDER BY disclosed_at",
                (key, moment),
            )
            disclosures = [
                dict(
                    zip(
                        (
                            "disclosure_id",
                            "recipient",
                            "recipient_name",
                            "basis",
                            "consent_id",
                            "legal_basis",
                            "disclosed_at",
                            "by",
                        ),
                        row,
                        strict=True,
                    )
                )
                for row in c.fetchall()
            ]
        consented = {c["recipient"] for c in consents}
        recipients = []
        for recipient in Recipient:
            bases = lawful_bases(recipient.value, consented, safeguarding)
            recipients.append(
                {
                    "recipient": recipient.value,
                    "may_share": bool(bases),
                    "bases": bases,
                    "consents_in_force": [c for c in consents if c["recipient"] == recipient],
                    "disclosures": [d for d in disclosures if d["recipient"] == recipient],
                    # The police may always receive anonymous intelligence (9.2).
                    "anonymous_intelligence_only": recipient == Recipient.POLICE and not bases,
                }
            )
        return {
            "case_id": key,
            "as_of": moment,
            "safeguarding_concern_recorded": safeguarding,
            "recipients": recipients,
        }

"""On what basis information about a case may go to a recipient (policy 6.2, 6.3, 8.2, 9.2-9.4).

The one statement of the sharing rule, used by the `HateCase` when it records a disclosure and
by the sharing view when it answers "what may this recipient be told now, or as of then?".
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from domain.vocabulary import DisclosureBasis, Recipient

# The bodies a safeguarding concern is referred to (8.2): only they are told without consent.
SAFEGUARDING_BODIES = frozenset({Recipient.POLICE.value, Recipient.LOCAL_AUTHORITY.value})
ELECTED_REPRESENTATIVE = "elected_representative"


@dataclass(frozen=True)
class Refusal:
    clause: str
    reason: str


def lawful_bases(
    recipient: str,
    consented_recipients: Collection[str],
    safeguarding_recorded: bool,
    elected_representative: bool = False,
) -> list[str]:
    """The bases, other than a named legal obligation, that allow sharing with `recipient`.

    Consent in force for that recipient (9.4; written for a representative, 6.2); a councillor
    or MP acting for the victim needs none (6.3); with a recorded safeguarding concern, the
    safeguarding bodies of 8.2 (police, local authority) may be told without consent (9.4).
    """
    bases = []
    if recipient in consented_recipients:
        bases.append(DisclosureBasis.CONSENT.value)
    if recipient == Recipient.REPRESENTATIVE and elected_representative:
        bases.append(ELECTED_REPRESENTATIVE)
    if safeguarding_recorded and recipient in SAFEGUARDING_BODIES:
        bases.append(DisclosureBasis.SAFEGUARDING.value)
    return bases


def refusal(recipient: str) -> Refusal:
    """Why nothing may be shared with a recipient that has no lawful basis."""
    if recipient == Recipient.REPRESENTATIVE:
        return Refusal("6.2", "a representative is told only with the victim's written consent")
    if recipient == Recipient.POLICE:
        return Refusal(
            "9.2",
            "no consent or legal obligation: only anonymous intelligence without the "
            "victim's details may go to the police",
        )
    if recipient == Recipient.MULTI_AGENCY_PANEL:
        return Refusal("9.3", "a multi-agency referral needs the victim's agreement")
    return Refusal(
        "9.4", "no consent in force, and no safeguarding concern for a safeguarding body"
    )

"""On what basis information about a case may go to a recipient (policy 6.2, 6.3, 8.2, 9.2-9.4).

The one statement of the sharing rule, used by the `HateCase` when it records a disclosure and
by the sharing view when it answers "what may this recipient see now, or as of then?".
"""

from __future__ import annotations

from collections.abc import Collection

from domain.vocabulary import DisclosureBasis, Recipient


def lawful_bases(
    recipient: str, consented_recipients: Collection[str], safeguarding_recorded: bool
) -> list[str]:
    """The bases, other than a named legal obligation, that allow sharing with `recipient`.

    Consent in force for that kind of recipient (9.4; written for a representative, 6.2), or a
    recorded safeguarding concern for any agency (9.4). A representative is never told on a
    safeguarding basis: they are not an agency.
    """
    bases = []
    if recipient in consented_recipients:
        bases.append(DisclosureBasis.CONSENT.value)
    if safeguarding_recorded and recipient != Recipient.REPRESENTATIVE:
        bases.append(DisclosureBasis.SAFEGUARDING.value)
    return bases

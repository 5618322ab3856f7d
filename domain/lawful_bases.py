"""On what basis information about a case may go to a recipient (policy 5.9, 6.2, 6.3, 8.2,
9.2-9.4).

The one statement of the sharing rules, used by the `HateCase` when it records a disclosure,
a referral or a police report, and by the sharing view when it answers "what may this
recipient be told now, or as of then?".

Readings chosen where the policy leaves room, each the one that protects the victim:

- **Whose consent (5.9, 9.4).** Consent belongs to the person whose information is shared.
  The case's information is the victim's, so only the victim's consent lets it go (9.4: "the
  prior consent of the victim"). Another person on the case (an alleged perpetrator, a
  witness) may consent only to their own referral for support (5.9, 8.1): that consent is
  theirs, never the victim's, and never lets the case's information go anywhere.
- **Safeguarding (9.4, 8.2).** "We will not share information without the prior consent of
  the victim unless we have safeguarding concerns." With a recorded safeguarding concern,
  any relevant *agency* (police, local authority, a multi-agency panel, a support agency)
  may be told on the safeguarding basis, and each such disclosure names the concern it
  rests on. A representative is not an agency: 6.2 asks for the victim's written consent
  (6.3: none for a councillor or MP), and a safeguarding concern does not change that.
- **Multi-agency panels (9.3).** A referral is made "with the agreement of the victim where
  appropriate": it needs the victim's consent, or rests on a recorded safeguarding concern;
  "where appropriate" is not read as leave to refer without either.
- **Anonymous police intelligence (9.2).** Anonymity withholds the victim's identity, not
  what happened: the incident may be described, and what was passed on is recorded word for
  word; a text that holds any of the victim's recorded details (name, address, phone,
  email, date of birth, tenancy reference) is refused.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from domain.redaction import name_parts
from domain.vocabulary import DisclosureBasis, Recipient

# 9.4: the relevant agencies a recorded safeguarding concern allows to be told without consent.
SAFEGUARDING_RECIPIENTS = frozenset(
    {
        Recipient.POLICE.value,
        Recipient.LOCAL_AUTHORITY.value,
        Recipient.MULTI_AGENCY_PANEL.value,
        Recipient.SUPPORT_AGENCY.value,
    }
)
ELECTED_REPRESENTATIVE = "elected_representative"

# What another person than the victim may consent to: their own referral for support (5.9).
OWN_CONSENT_RECIPIENTS = frozenset({Recipient.SUPPORT_AGENCY.value})

# A person's recorded details that identify them, as `DataSubject` holds them (9.2).
IDENTIFYING_DETAILS = (
    "name",
    "address",
    "phone",
    "email",
    "date_of_birth",
    "tenancy_reference",
)


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

    `consented_recipients` are those the *victim's* consents in force name (9.4; written for a
    representative, 6.2); a councillor or MP acting for the victim needs none (6.3); with a
    recorded safeguarding concern, any relevant agency may be told without consent (9.4).
    """
    bases = []
    if recipient in consented_recipients:
        bases.append(DisclosureBasis.CONSENT.value)
    if recipient == Recipient.REPRESENTATIVE and elected_representative:
        bases.append(ELECTED_REPRESENTATIVE)
    if safeguarding_recorded and recipient in SAFEGUARDING_RECIPIENTS:
        bases.append(DisclosureBasis.SAFEGUARDING.value)
    return bases


def sharing_clause(recipient: str) -> str:
    """The clause a refusal to share with `recipient` names, whichever command refused it:
    the police 9.2 (we report to them as a Third-Party Reporting Centre, with consent or where
    legally obliged), a multi-agency panel 9.3, a representative 6.2, any other agency 9.4."""
    return {
        Recipient.POLICE.value: "9.2",
        Recipient.MULTI_AGENCY_PANEL.value: "9.3",
        Recipient.REPRESENTATIVE.value: "6.2",
    }.get(recipient, "9.4")


def refusal(recipient: str) -> Refusal:
    """Why nothing may be shared with a recipient that has no lawful basis."""
    clause = sharing_clause(recipient)
    if recipient == Recipient.REPRESENTATIVE:
        return Refusal(clause, "a representative is told only with the victim's written consent")
    if recipient == Recipient.POLICE:
        return Refusal(
            clause,
            "no consent, safeguarding concern or legal obligation: only anonymous intelligence "
            "without the victim's details may go to the police",
        )
    if recipient == Recipient.MULTI_AGENCY_PANEL:
        return Refusal(
            clause,
            "a multi-agency referral needs the victim's agreement or a recorded safeguarding "
            "concern",
        )
    return Refusal(clause, "no consent from the victim in force, and no safeguarding concern")


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def victim_details_in(text: str, details: Mapping[str, str]) -> list[str]:
    """Which of the victim's identifying details (`IDENTIFYING_DETAILS`) `text` contains (9.2).

    A name counts by its full form or its first or last word (three letters or more, as the
    documents' redaction screens names); a phone number by its digits, whatever the spacing;
    anything else by its words, ignoring case and spacing.
    """
    found = []
    folded = " ".join(text.casefold().split())
    digits = _digits(text)
    for key in IDENTIFYING_DETAILS:
        value = str(details.get(key) or "").strip()
        if not value:
            continue
        if key == "name":
            hit = any(
                re.search(rf"\b{re.escape(part.casefold())}\b", folded)
                for part in name_parts(value)
            )
        elif key == "phone":
            hit = len(_digits(value)) >= 6 and _digits(value) in digits
        else:
            hit = " ".join(value.casefold().split()) in folded
        if hit:
            found.append(key)
    return found

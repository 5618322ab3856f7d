"""Consent-gated sharing view: consents with their time in force and whose they are,
safeguarding concerns, representatives (elected or not) and disclosures of each case (each
with the consent or safeguarding concern it rested on), so the ledger can say what a
recipient may be told now or at any past moment. No personal data: people appear by subject
id, agencies by name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from domain import case_events as ev
from domain.personal import Personal
from domain.vocabulary import ReporterRole, SubjectRole
from projections.store import Cursor


def _label(name: str | Personal) -> str:
    """An agency's name; a representative's name is personal, so only their role shows."""
    return "representative" if isinstance(name, Personal) else name


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


class SharingView:
    name = "sharing"
    version = 2  # 2: whose consent it is; the safeguarding concern a disclosure rests on

    def create_tables(self, cursor: Cursor) -> None:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS view_sharing_consents ("
            "case_id TEXT NOT NULL, consent_id TEXT NOT NULL, recipient TEXT NOT NULL, "
            "recipient_label TEXT NOT NULL, representative_id TEXT, form TEXT NOT NULL, "
            "granted_at TEXT NOT NULL, withdrawn_at TEXT, subject_id TEXT NOT NULL, "
            "PRIMARY KEY (case_id, consent_id))"
        )
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS view_sharing_safeguarding ("
            "case_id TEXT NOT NULL, concern_id TEXT NOT NULL, about TEXT NOT NULL, "
            "referred_to TEXT NOT NULL, raised_at TEXT NOT NULL, "
            "PRIMARY KEY (case_id, concern_id))"
        )
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS view_sharing_disclosures ("
            "case_id TEXT NOT NULL, disclosure_id TEXT NOT NULL, recipient TEXT NOT NULL, "
            "recipient_label TEXT NOT NULL, representative_id TEXT, basis TEXT NOT NULL, "
            "consent_id TEXT, legal_basis TEXT, disclosed_at TEXT NOT NULL, "
            "by_actor TEXT NOT NULL, concern_id TEXT, "
            "PRIMARY KEY (case_id, disclosure_id))"
        )

        cursor.execute(
            "CREATE TABLE IF NOT EXISTS view_sharing_representatives ("
            "case_id TEXT NOT NULL, subject_id TEXT NOT NULL, elected INTEGER NOT NULL, "
            "since TEXT NOT NULL, PRIMARY KEY (case_id, subject_id))"
        )

    def drop_tables(self, cursor: Cursor) -> None:
        for table in ("consents", "safeguarding", "disclosures", "representatives"):
            cursor.execute(f"DROP TABLE IF EXISTS view_sharing_{table}")

    def process(self, cursor: Cursor, event: Any, position: int) -> None:
        case_id = str(event.originator_id)
        if isinstance(event, ev.CaseReported) and event.reporter_id is not None:
            elected = ReporterRole(event.reporter_role).is_elected_representative
            if elected:
                self._representative(cursor, case_id, event.reporter_id, True, event.occurred_at)
        elif isinstance(event, ev.SubjectLinked) and event.role == SubjectRole.REPRESENTATIVE:
            self._representative(
                cursor, case_id, event.subject_id, event.elected_representative, event.occurred_at
            )
        elif isinstance(event, ev.ConsentGranted):
            cursor.execute(
                "INSERT INTO view_sharing_consents (case_id, consent_id, recipient, "
                "recipient_label, representative_id, form, granted_at, subject_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (case_id, consent_id) DO NOTHING",
                (
                    case_id,
                    event.consent_id,
                    event.recipient,
                    _label(event.recipient_name),
                    str(event.representative_id) if event.representative_id else None,
                    event.form,
                    _iso(event.occurred_at),
                    str(event.subject_id),
                ),
            )
        elif isinstance(event, ev.ConsentWithdrawn):
            cursor.execute(
                "UPDATE view_sharing_consents SET withdrawn_at = ? "
                "WHERE case_id = ? AND consent_id = ?",
                (_iso(event.occurred_at), case_id, event.consent_id),
            )
        elif isinstance(event, ev.SafeguardingConcernRaised):
            cursor.execute(
                "INSERT INTO view_sharing_safeguarding (case_id, concern_id, about, referred_to, "
                "raised_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (case_id, concern_id) DO NOTHING",
                (
                    case_id,
                    event.concern_id,
                    event.about,
                    json.dumps(event.referred_to),
                    _iso(event.occurred_at),
                ),
            )
        elif isinstance(event, ev.InformationDisclosed):
            cursor.execute(
                "INSERT INTO view_sharing_disclosures (case_id, disclosure_id, recipient, "
                "recipient_label, representative_id, basis, consent_id, legal_basis, "
                "disclosed_at, by_actor, concern_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (case_id, disclosure_id) DO NOTHING",
                (
                    case_id,
                    event.disclosure_id,
                    event.recipient,
                    _label(event.recipient_name),
                    str(event.representative_id) if event.representative_id else None,
                    event.basis,
                    event.consent_id,
                    event.legal_basis,
                    _iso(event.occurred_at),
                    event.actor,
                    event.concern_id,
                ),
            )

    @staticmethod
    def _representative(
        cursor: Cursor, case_id: str, subject_id: UUID, elected: bool, at: datetime
    ) -> None:
        cursor.execute(
            "INSERT INTO view_sharing_representatives (case_id, subject_id, elected, since) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (case_id, subject_id) DO NOTHING",
            (case_id, str(subject_id), int(elected), _iso(at)),
        )


# --- queries ---------------------------------------------------------------------------------

CONSENT = (
    "consent_id",
    "recipient",
    "recipient_name",
    "representative_id",
    "form",
    "granted_at",
    "withdrawn_at",
    "subject_id",
)
DISCLOSURE = (
    "disclosure_id",
    "recipient",
    "recipient_name",
    "representative_id",
    "basis",
    "consent_id",
    "legal_basis",
    "disclosed_at",
    "by",
    "concern_id",
)


@dataclass(frozen=True)
class SharingAsOf:
    """What the view held of one case's sharing at one moment (ISO instant, UTC)."""

    moment: str
    consents: list[dict[str, Any]]  # the victim's in force at the moment, by CONSENT's names
    safeguarding: list[str]  # the concerns raised by then
    representatives: list[tuple[str, bool]]  # subject id, elected, in the order they joined
    disclosures: list[dict[str, Any]]  # made by then, by DISCLOSURE's names


def as_of(cursor: Cursor, case_id: str, moment: datetime, *, victim_id: str) -> SharingAsOf:
    """The case's sharing at `moment`. Only the victim's consents open the case: another
    person's consent is for their own referral (policy 5.9)."""
    at = _iso(moment)
    cursor.execute(
        "SELECT consent_id, recipient, recipient_label, representative_id, form, granted_at, "
        "withdrawn_at, subject_id FROM view_sharing_consents WHERE case_id = ? "
        "AND granted_at <= ? AND (withdrawn_at IS NULL OR withdrawn_at > ?) AND subject_id = ? "
        "ORDER BY granted_at",
        (case_id, at, at, victim_id),
    )
    consents = [dict(zip(CONSENT, row, strict=True)) for row in cursor.fetchall()]
    cursor.execute(
        "SELECT concern_id FROM view_sharing_safeguarding WHERE case_id = ? AND raised_at <= ? "
        "ORDER BY raised_at, concern_id",
        (case_id, at),
    )
    safeguarding = [str(row[0]) for row in cursor.fetchall()]
    cursor.execute(
        "SELECT subject_id, elected FROM view_sharing_representatives "
        "WHERE case_id = ? AND since <= ? ORDER BY since",
        (case_id, at),
    )
    representatives = [(str(row[0]), bool(row[1])) for row in cursor.fetchall()]
    cursor.execute(
        "SELECT disclosure_id, recipient, recipient_label, representative_id, basis, "
        "consent_id, legal_basis, disclosed_at, by_actor, concern_id "
        "FROM view_sharing_disclosures WHERE case_id = ? AND disclosed_at <= ? "
        "ORDER BY disclosed_at",
        (case_id, at),
    )
    disclosures = [dict(zip(DISCLOSURE, row, strict=True)) for row in cursor.fetchall()]
    return SharingAsOf(at, consents, safeguarding, representatives, disclosures)

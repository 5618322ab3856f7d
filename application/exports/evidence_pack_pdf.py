"""The readable PDF of an evidence pack, for a complaint or ASB Case Review panel member.

In the order a panel reads it: a cover (case, purpose, when, by whom, the policy version in
force, who is named and how); the chronology of every event, each with the deadlines it
started or stopped and whether they were met; every service-level timer as it stood when
the pack was produced; then, drawn from the chronology, consent and sharing, closure, the
complaints and the case reviews; and last, how to check the pack and the checkpoint root it
is proved against. Layout, fonts and UK time are the ledger's PDF conventions
(`application.exports.pdf_document`); the creation date is the pack's own time, so a pack
rebuilt from the same events renders to the same bytes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from application.exports.evidence_pack import REDACTION_NOTES, Entry, PackContent, TimerChange
from application.exports.pdf_document import Document, find_font, uk_time
from domain import case_events as ev
from domain.service_levels import Timer, TimerKind, TimerState
from domain.vocabulary import ClosureGround, EvidencePackPurpose

PURPOSES = {
    EvidencePackPurpose.COMPLAINT.value: ("a complaint", "complaint panel (Hate Policy 11)"),
    EvidencePackPurpose.CASE_REVIEW.value: (
        "an ASB Case Review",
        "ASB Case Review panel (Hate Policy 12.2)",
    ),
}
TIMER_NAMES = {
    TimerKind.FIRST_RESPONSE: "First response and allocation",
    TimerKind.EMERGENCY_REPAIR: "Emergency repair",
    TimerKind.GRAFFITI_REMOVAL: "Graffiti removal",
    TimerKind.VICTIM_UPDATE: "Update to the victim",
    TimerKind.RISK_REVIEW: "Risk review",
    TimerKind.COMPLAINT_STAGE_1: "Complaint stage 1 response",
    TimerKind.COMPLAINT_STAGE_2: "Complaint stage 2 response",
}
GROUND_MEANINGS = {
    ClosureGround.RESOLVED_TO_SATISFACTION: "the issues were resolved to the customer's "
    "satisfaction",
    ClosureGround.ALL_ACTION_TAKEN: "we took all available action to resolve the matter",
    ClosureGround.NO_FURTHER_REPORTS_NEEDS_VICTIM: "no further reports, and no further "
    "action is possible without the victim's assistance",
    ClosureGround.OTHER_AGENCY_DEALING: "another agency is dealing with the case and it no "
    "longer needs our officers",
}
SECTIONS: tuple[tuple[str, tuple[type, ...]], ...] = (
    (
        "Consent, sharing and referrals (policy 6.2, 8.2, 9.2-9.4)",
        (
            ev.ConsentGranted,
            ev.ConsentWithdrawn,
            ev.SafeguardingConcernRaised,
            ev.PoliceReportMade,
            ev.MultiAgencyReferralMade,
            ev.InformationDisclosed,
            ev.SupportReferralMade,
        ),
    ),
    (
        "Closure (policy 10.1): grounds and the victim's view",
        (ev.ClosureProposed, ev.ClosureDiscussedWithVictim, ev.CaseClosed, ev.CaseReopened),
    ),
    ("Complaints and our responses (policy 11)", (ev.ComplaintReceived, ev.ComplaintResponded)),
    (
        "ASB Case Review: decisions and our answers (policy 12)",
        (
            ev.CaseReviewRequested,
            ev.CaseReviewThresholdDecided,
            ev.PanelRecommendationReceived,
            ev.PanelRecommendationAnswered,
        ),
    ),
)
_SHOWN_AS = {
    "subject_id": "person",
    "complainant_id": "complainant",
    "representative_id": "representative",
    "victim_id": "victim",
    "reporter_id": "reporter",
    "subjects": "about",
}
_VOCABULARY = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)+")


@dataclass(frozen=True)
class ProofSummary:
    """What the last page says about the integrity proof."""

    checkpoint_seq: int
    origin: str
    tree_size: int
    root: str
    signed_at: str
    verifier_key: str
    pack_leaf_index: int
    earlier: tuple[int, int] | None  # the earlier checkpoint's number and size


def _readable(value: Any) -> Any:
    if isinstance(value, str) and _VOCABULARY.fullmatch(value):
        return value.replace("_", " ")
    if isinstance(value, list):
        return [_readable(v) for v in value]
    if isinstance(value, dict):
        return {k: _readable(v) for k, v in value.items()}
    return value


def _shown(data: dict[str, Any]) -> dict[str, Any]:
    """The event's fields as a panel reads them: people by how they are named, vocabulary
    words without underscores, risk answers on one line."""
    out = {}
    for name, value in data.items():
        if name == "answers" and isinstance(value, dict):
            value = "; ".join(f"{k.replace('_', ' ')} {v}" for k, v in value.items())
        out[_SHOWN_AS.get(name, name)] = _readable(value)
    return out


def timer_name(timer: Timer) -> str:
    name = TIMER_NAMES.get(timer.kind, timer.kind.value)
    return f"{name} ({timer.subject})" if timer.subject else name


def _deadline(change: TimerChange, at: Any) -> str:
    timer = change.timer
    what = f"{timer_name(timer)}, policy {timer.clause}"
    if change.change == "started":
        return f"Deadline set: {what}, due by {uk_time(timer.due_at)}"
    if change.change == "re-timed":
        return f"Deadline re-timed: {what}, now due by {uk_time(timer.due_at)}"
    state = timer.state(at)
    verdict = "MET" if state == TimerState.MET else "MISSED (breached)"
    return f"Deadline {verdict}: {what}, due by {uk_time(timer.due_at)}"


class _Pack:
    def __init__(self, content: PackContent, proof: ProofSummary, font: Path | None) -> None:
        self.content = content
        self.proof = proof
        material = content.material
        self.doc = Document(
            font,
            f"Evidence pack {material.number}, case {material.reference}",
            created=content.produced_at,
            footer=f"Case {material.reference}, evidence pack {material.number} "
            f"({material.purpose}); personal data of others redacted",
        )

    def render(self) -> bytes:
        self.cover()
        self.chronology()
        self.timers()
        for title, types in SECTIONS:
            self.section(title, types)
        self.integrity()
        return self.doc.output()

    # --- parts -------------------------------------------------------------------------

    def cover(self) -> None:
        doc, content, material = self.doc, self.content, self.content.material
        reported = content.entries[0].event
        last = max(
            (e.event for e in content.entries if isinstance(e.event, ev.RiskAssessed)),
            key=lambda e: e.originator_version,
            default=None,
        )
        who = material.produced_by + (
            f" ({material.produced_by_role})" if material.produced_by_role else ""
        )
        doc.heading(f"Evidence pack for {PURPOSES[material.purpose][0]}", 18)
        doc.text(f"Case {material.reference}, pack {material.number}", size=12, bold=True)
        doc.pdf.ln(2)
        doc.pairs(
            {
                "prepared for": f"the {PURPOSES[material.purpose][1]}",
                "produced": uk_time(content.produced_at),
                "produced by": who,
                "policy in force": content.policy_version,
                "covers": f"events 1 to {len(content.entries)} of the case, the last being "
                "the record that this pack was produced",
            }
        )
        doc.heading("The case")
        doc.pairs(
            _shown(
                {
                    "received": uk_time(reported.received_at),
                    "channel": reported.channel,
                    "reported by": reported.reporter_role,
                    "strands of hate": list(reported.strands),
                    "forms": list(reported.forms),
                    "latest risk level": last.level if last else "not assessed",
                }
            )
        )
        versions = sorted({e.event.policy_version for e in content.entries})
        if versions != [content.policy_version]:
            doc.text(f"Policy versions applied to the events: {', '.join(versions)}", size=9)
        doc.heading("People in this pack")
        for person in content.people:
            doc.text(f"\u2022 {person.shown_as}", indent=3)
        doc.text("Staff are named by their usernames; their actions are never redacted.", size=9)
        doc.heading("Redaction")
        doc.text(f"{REDACTION_NOTES[material.purpose]} {content.values_redacted} item(s) redacted.")
        doc.heading("Contents")
        for line in (
            "1. Chronology: every event, with the deadlines it set or met",
            "2. Service-level timers when the pack was produced",
            *(f"{n}. {title}" for n, (title, _) in enumerate(SECTIONS, start=3)),
            f"{len(SECTIONS) + 3}. Checking this pack",
        ):
            doc.text(line, indent=3)

    def chronology(self) -> None:
        self.doc.new_page()
        self.doc.heading("1. Chronology", 15)
        self.doc.text(
            "Every event recorded on the case, oldest first, in UK time. Deadlines are the "
            "policy's service levels, in working days where the policy says so.",
            size=9,
        )
        for entry in self.content.entries:
            self.entry(entry)

    def entry(self, entry: Entry, deadlines: bool = True) -> None:
        doc, event = self.doc, entry.event
        doc.pdf.ln(1)
        doc.text(
            f"{uk_time(event.occurred_at)}   {entry.title}   (by {event.actor}, "
            f"event {event.originator_version})",
            bold=True,
        )
        doc.pairs(_shown(entry.data), indent=5)
        if deadlines:
            for change in entry.timers:
                doc.text(_deadline(change, self.content.produced_at), size=9, indent=5)

    def timers(self) -> None:
        doc = self.doc
        doc.heading("2. Service-level timers when the pack was produced", 15)
        states = Counter(state for _, state in self.content.timers)
        doc.text(
            ", ".join(f"{states[s]} {s.value}" for s in TimerState) + " (overdue: still "
            "running past its deadline; breached: done late).",
            size=9,
        )
        for timer, state in self.content.timers:
            doc.text(f"{timer_name(timer)}: {state.value.upper()}", bold=True, indent=3)
            stopped = f", done {uk_time(timer.stopped_at)}" if timer.stopped_at else ""
            doc.text(
                f"policy {timer.clause}; started {uk_time(timer.started_at)}, due by "
                f"{uk_time(timer.due_at)}{stopped}",
                size=9,
                indent=8,
            )

    def section(self, title: str, types: Sequence[type]) -> None:
        number = [t for t, _ in SECTIONS].index(title) + 3
        self.doc.heading(f"{number}. {title}", 15)
        entries = [e for e in self.content.entries if isinstance(e.event, tuple(types))]
        if not entries:
            self.doc.text("Nothing of this kind is recorded on the case.")
        for entry in entries:
            self.entry(entry)
            grounds = entry.data.get("grounds") if isinstance(entry.event, ev.CaseClosed) else None
            for ground in grounds or []:
                meaning = GROUND_MEANINGS.get(ClosureGround(ground), "")
                self.doc.text(f"Ground '{_readable(ground)}': {meaning}.", size=9, indent=5)

    def integrity(self) -> None:
        doc, proof, material = self.doc, self.proof, self.content.material
        doc.new_page()
        doc.heading(f"{len(SECTIONS) + 3}. Checking this pack", 15)
        doc.text(
            "This pack is a zip. Its events.json holds every event of the case exactly as "
            "stored (encrypted personal data included) with its readable, redacted content; "
            "integrity/bundle.json proves each stored event is in the ledger's signed log and "
            "that the case's chain runs unbroken from its first event to the record of this "
            "pack, so a pack that leaves out later events does not verify. manifest.sig lists "
            "the SHA-256 of every file, signed with the ledger's key."
        )
        doc.heading("Signed checkpoint", 11)
        doc.pairs(
            {
                "checkpoint": f"#{proof.checkpoint_seq} of log {proof.origin}",
                "tree size": f"{proof.tree_size} events",
                "root hash": proof.root,
                "signed": uk_time(proof.signed_at),
                "this pack's own event": f"version {len(self.content.entries)}, "
                f"leaf {proof.pack_leaf_index}",
                "consistent with": (
                    f"checkpoint #{proof.earlier[0]} ({proof.earlier[1]} events): the log "
                    "only grew since"
                    if proof.earlier
                    else "no earlier checkpoint was asked for"
                ),
                "signing key": proof.verifier_key,
            }
        )
        doc.heading("How to verify", 11)
        doc.text(
            "With Python 3.11 and the cryptography package, run the verifier in the pack, "
            "pinning the key the landlord publishes (GET /api/v1/audit/public-key):"
        )
        doc.text(
            f"python offline_verifier.py {pack_filename(material.reference, material.number)} "
            f"--trusted-key '{proof.verifier_key}'",
            size=8,
            indent=5,
        )
        doc.text(
            "It prints OK and this root hash for an untouched pack, and otherwise names the "
            "file or event that does not match. Compare the root with the checkpoint the "
            "landlord publishes (GET /api/v1/audit/checkpoints)."
        )


def pack_filename(reference: str, number: int) -> str:
    return f"{reference}-evidence-pack-{number}.zip"


def render_pack_pdf(content: PackContent, proof: ProofSummary, font: Path | None = None) -> bytes:
    """The pack's PDF; `font` defaults to what `find_font` finds."""
    return _Pack(content, proof, font if font is not None else find_font()).render()

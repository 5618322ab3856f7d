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

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from application.exports.evidence_pack import (
    REDACTION_NOTES,
    Entry,
    PackContent,
    TimerChange,
    TimerStory,
)
from application.exports.pdf_document import Document, find_font
from application.exports.reading import file_size_words, file_type_words, when
from domain import case_events as ev
from domain.case_files import file_name
from domain.plain_words import basis, words
from domain.redaction import summarise
from domain.reminder_schedule import Audience, ReminderKind
from domain.service_levels import Timer, TimerKind, TimerState
from domain.vocabulary import (
    Channel,
    EvidencePackPurpose,
    FileKind,
    Form,
    ReporterRole,
    RiskLevel,
    StaffRole,
    Strand,
)
from projections.reminders_view import ReminderLine, ReminderRecord

PURPOSES = {
    EvidencePackPurpose.COMPLAINT.value: ("a complaint", "complaint panel (Hate Policy 11)"),
    EvidencePackPurpose.CASE_REVIEW.value: (
        "an ASB Case Review",
        "ASB Case Review panel (Hate Policy 12.2)",
    ),
}
# Each section: its heading, what it rests on (on a line of its own, so a heading never
# wraps in the middle of a reference), and the events it gathers from the chronology.
SECTIONS: tuple[tuple[str, str, tuple[type, ...]], ...] = (
    (
        "Reasonable adjustments",
        "Hate Policy 7.1 to 7.3",
        (ev.ReasonableAdjustmentAgreed, ev.ReasonableAdjustmentUnderConsideration),
    ),
    (
        "Consent, sharing and referrals",
        "Hate Policy 6.2, 8.2 and 9.2 to 9.4",
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
        "Closure: the grounds and the victim's view",
        "Hate Policy 10.1",
        (
            ev.ClosureProposed,
            ev.ClosureDiscussedWithVictim,
            ev.VictimCouldNotBeReached,
            ev.CaseClosed,
            ev.CaseReopened,
        ),
    ),
    (
        "Complaints and our responses",
        "Hate Policy 11; the Housing Ombudsman's Complaint Handling Code",
        (
            ev.ComplaintReceived,
            ev.ComplaintAcknowledged,
            ev.ComplaintResponseExtended,
            ev.ComplaintResponded,
            ev.ComplaintReferredToOmbudsman,
        ),
    ),
    (
        "ASB Case Review: decisions and our answers",
        "Hate Policy 12",
        (
            ev.VictimToldOfCaseReviewRight,
            ev.CaseReviewRequested,
            ev.CaseReviewThresholdDecided,
            ev.PanelRecommendationReceived,
            ev.PanelRecommendationAnswered,
        ),
    ),
    (
        "Evidence files",
        "Hate Policy 5.12",
        (ev.EvidenceFileAttached, ev.EvidenceFileWithdrawn),
    ),
)
_VERDICTS = {
    TimerState.MET: "met",
    TimerState.BREACHED: "MISSED (done late)",
    TimerState.OVERDUE: "OVERDUE (not done, past its deadline)",
    TimerState.RUNNING: "running",
}


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


def timer_name(story: TimerStory) -> str:
    """A timer named for what set it, so two of one kind are told apart: "Risk review after
    'Risk assessed: medium risk' on Tue 10 Nov 2026"."""
    name = words(TimerKind, story.timer.kind)
    started = story.started_by
    return f"{name}, set by '{started.reading.title}' on {_day(started.event.occurred_at)}"


def _day(at: datetime) -> str:
    return when(at).rsplit(",", 1)[0]


def _stopped(story: TimerStory) -> str:
    if story.stopped_by is None:
        return "not yet done"
    stop = story.stopped_by
    return f"stopped by '{stop.reading.title}' on {when(stop.event.occurred_at)}"


def _deadline(change: TimerChange, story: TimerStory) -> str:
    timer: Timer = change.timer
    name = words(TimerKind, timer.kind)
    rests_on = basis(timer.clause)
    if change.change == "started":
        return f"Deadline set: {name} ({rests_on}), due by {when(timer.due_at)}"
    if change.change == "re-timed":
        return f"Deadline moved: {name} ({rests_on}), now due by {when(timer.due_at)}"
    verdict = "met" if story.state == TimerState.MET else "MISSED (done late)"
    return (
        f"Deadline {verdict}: {name} set on {_day(story.started_by.event.occurred_at)} "
        f"({rests_on}), due by {when(timer.due_at)}"
    )


def _reminded_of(line: ReminderLine) -> str:
    name = "the report" if line.kind == "report" else words(TimerKind, line.kind)
    due = f", due by {when(line.due_at)}" if line.due_at else ""
    return f"{name}{due} ({line.why})"


def _outcome(reminder: ReminderRecord) -> str:
    if reminder.outcome == "delivered" and reminder.settled_at is not None:
        return f"delivered {when(reminder.settled_at)}"
    if reminder.outcome == "failed" and reminder.settled_at is not None:
        return f"delivery failed {when(reminder.settled_at)}: {reminder.reply}"
    if reminder.outcome == "undeliverable":
        return f"not sent: {reminder.reply}"
    return "not yet delivered when the pack was produced"


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
        for number, (title, rests_on, types) in enumerate(SECTIONS, start=3):
            self.section(f"{number}. {title}", rests_on, types)
            if ev.EvidenceFileAttached in types:
                self.files_in_pack()
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
        role = material.produced_by_role
        who = material.produced_by + (f", {words(StaffRole, role)}" if role else "")
        doc.heading(f"Evidence pack for {PURPOSES[material.purpose][0]}", 18)
        doc.text(f"Case {material.reference}, pack {material.number}", size=12, bold=True)
        doc.pdf.ln(2)
        doc.pairs(
            {
                "prepared for": f"the {PURPOSES[material.purpose][1]}",
                "produced": when(content.produced_at),
                "produced by": who,
                "policy in force": content.policy_version,
                "covers": f"events 1 to {len(content.entries)} of the case, the last being "
                "the record that this pack was produced",
            }
        )
        doc.heading("The case")
        doc.pairs(
            {
                "received": when(reported.received_at),
                "how it reached us": words(Channel, reported.channel),
                "reported by": words(ReporterRole, reported.reporter_role),
                "hate aimed at": ", ".join(words(Strand, s) for s in reported.strands),
                "form of the hate": ", ".join(words(Form, f) for f in reported.forms),
                "latest risk level": words(RiskLevel, last.level) if last else "not assessed",
                "reasonable adjustments": self._adjustments(),
            }
        )
        versions = sorted({e.event.policy_version for e in content.entries})
        if versions != [content.policy_version]:
            doc.text(f"Policy versions applied to the events: {', '.join(versions)}", size=9)
        doc.heading("People in this pack")
        for person in content.people:
            doc.text(f"\u2022 {person.shown_as}", indent=3)
        doc.text("Staff are named by their usernames; their actions are never redacted.", size=9)
        doc.heading("What was removed, and why")
        doc.text(REDACTION_NOTES[material.purpose])
        removed = summarise(content.removals)
        count = len(content.removals)
        doc.text(
            "Nothing needed to be removed."
            if not count
            else f"{count} item{'s' if count != 1 else ''} removed:",
            bold=True,
        )
        for line in removed:
            doc.text(f"\u2022 {line}", indent=3, size=9)
        doc.heading("Contents")
        for line in (
            "1. Chronology: every event, with the deadlines it set or met",
            "2. Service-level timers when the pack was produced, and who was reminded of them",
            *(f"{n}. {title}" for n, (title, _, _) in enumerate(SECTIONS, start=3)),
            f"{len(SECTIONS) + 3}. Checking this pack",
        ):
            doc.text(line, indent=3)

    def _adjustments(self) -> str:
        """On the cover, so a panel knows before reading on that the victim needed the
        service adjusted (7.1 to 7.3); what each is, is in its section."""
        kinds = Counter(type(e.event) for e in self.content.entries)
        agreed = kinds[ev.ReasonableAdjustmentAgreed]
        considered = kinds[ev.ReasonableAdjustmentUnderConsideration]
        if not agreed and not considered:
            return "none recorded"
        parts = [f"{agreed} agreed"] + ([f"{considered} considered"] if considered else [])
        return f"{', '.join(parts)} (section 3)"

    def chronology(self) -> None:
        self.doc.new_page()
        self.doc.heading("1. Chronology", 15)
        self.doc.text(
            "Every event recorded on the case, oldest first, in UK local time (GMT in winter, "
            "BST in summer). Deadlines are the service levels of the Hate Policy and the "
            "Housing Ombudsman's Complaint Handling Code, in working days where they say so.",
            size=9,
        )
        stories = {story.key: story for story in self.content.timers}
        for entry in self.content.entries:
            self.entry(entry, stories)

    def entry(self, entry: Entry, stories: dict[str, TimerStory]) -> None:
        doc, event = self.doc, entry.event
        doc.entry(f"{when(event.occurred_at)}   {entry.reading.title}", {})
        doc.text(f"by {event.actor}, event {event.originator_version}", size=8, indent=5)
        doc.pairs(entry.reading.as_json(), indent=5)
        for change in entry.timers:
            doc.text(_deadline(change, stories[change.key]), size=9, indent=5)

    def timers(self) -> None:
        doc = self.doc
        doc.heading("2. Service-level timers when the pack was produced", 15)
        states = Counter(story.state for story in self.content.timers)
        doc.text(
            ", ".join(f"{states[s]} {_VERDICTS[s].split(' ')[0].lower()}" for s in TimerState)
            + ". Each timer is named for the event that set it.",
            size=9,
        )
        for story in self.content.timers:
            doc.entry(
                f"{timer_name(story)}: {_VERDICTS[story.state]}",
                {
                    "rests on": basis(story.timer.clause),
                    "started": when(story.timer.started_at),
                    "due by": when(story.timer.due_at),
                    "done": _stopped(story),
                },
                size=9,
            )
        self.reminders()

    def reminders(self) -> None:
        """Who was told of the deadlines, and when: every reminder recorded about the case
        before the pack, as the ledger holds it (`domain.reminder`)."""
        doc = self.doc
        doc.heading("Who was reminded of these deadlines", 11)
        reminders = self.content.material.reminders
        if not reminders:
            doc.text("No reminder about this case had been recorded.", size=9)
        for reminder in reminders:
            told = words(Audience, reminder.audience)
            if reminder.recipient and reminder.audience != Audience.HEAD_OF_SERVICE:
                told += f" ({reminder.recipient})"
            doc.entry(
                f"{when(reminder.intended_at)}: {words(ReminderKind, reminder.kind)} to {told}",
                {
                    "about": "; ".join(_reminded_of(line) for line in reminder.lines),
                    "outcome": _outcome(reminder),
                    "message": reminder.message_id,
                },
                size=9,
            )

    def section(self, heading: str, rests_on: str, types: Sequence[type]) -> None:
        self.doc.heading(heading, 15)
        self.doc.text(rests_on, size=9)
        stories = {story.key: story for story in self.content.timers}
        entries = [e for e in self.content.entries if isinstance(e.event, tuple(types))]
        if not entries:
            self.doc.text("Nothing of this kind is recorded on the case.")
        for entry in entries:
            self.entry(entry, stories)

    def files_in_pack(self) -> None:
        """Every file of the case with its SHA-256, and whether and how it is in the zip."""
        material = self.content.material
        if not material.files:
            return
        pack_event = self.content.entries[-1].event
        chosen = {c["file_id"]: c["form"] for c in getattr(pack_event, "files", [])}
        doc = self.doc
        doc.heading("The files, and which are in this pack", 11)
        doc.text(
            "Each file's SHA-256 was recorded when it was attached, in an event of the signed "
            "log; the verifier checks every file in the zip against it. Photos and videos go "
            "in without their location and device metadata unless the producer chose "
            + ("(and did choose) " if getattr(pack_event, "include_metadata", False) else "")
            + "to include it.",
            size=9,
        )
        for file in material.files.values():
            form = chosen.get(file.file_id)
            copy = file.metadata_free or {}
            if form is None:
                where = "not in this pack"
            elif form == "without_metadata":
                where = (
                    f"in this pack as files/{file_name(file)}, its copy without location and "
                    f"device metadata (SHA-256 {copy.get('sha256')})"
                )
            else:
                where = f"in this pack as files/{file_name(file)}, as uploaded"
            if file.data_key.erased:
                where = "erased with its person"
            doc.entry(
                f"{file.file_id}: {words(FileKind, file.kind)}, {file_type_words(file.media_type)}",
                {
                    "size": file_size_words(file.size),
                    "SHA-256 as uploaded": file.sha256,
                    "withdrawn": when(file.withdrawn_at) if file.withdrawn_at else "",
                    "in this pack": where,
                },
                size=9,
            )

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
                "signed": when(proof.signed_at),
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
            "pinning the key the landlord publishes (GET /api/v1/audit/public-key.txt on the "
            "landlord's ledger, no sign-in needed; it must be the key below):"
        )
        doc.text(
            f"python offline_verifier.py {pack_filename(material.reference, material.number)} "
            f"--trusted-key '{proof.verifier_key}'",
            size=8,
            indent=5,
        )
        doc.text(
            "It prints OK and this root hash for an untouched pack, and otherwise names the "
            "file or event that does not match. Without --trusted-key it says UNANCHORED and "
            "exits with status 2: the pack would then be checked only against the key it "
            "carries, which anyone could have made."
        )


def pack_filename(reference: str, number: int) -> str:
    return f"{reference}-evidence-pack-{number}.zip"


def render_pack_pdf(content: PackContent, proof: ProofSummary, font: Path | None = None) -> bytes:
    """The pack's PDF; `font` defaults to what `find_font` finds."""
    return _Pack(content, proof, font if font is not None else find_font()).render()

"""Evidence packs for a complaint (policy 11) or an ASB Case Review (12.2): one zip per pack.

Producing a pack records `EvidencePackProduced` on the case (who asked, for what; allowed on
a closed case), then signs a checkpoint, so the log's signed tree holds the pack's own
event. The pack proves the case's chain from its first event up to that event, so a pack
that leaves out the case's latest events is detectable.

Packs are never stored: `pack` rebuilds pack n from the case's events up to its
`EvidencePackProduced` event, proved against the first checkpoint signed by the current key
that covers that event (with a consistency proof from the checkpoint the producer asked for,
or else from the previous pack's), and renders its content as at that event. Rebuilding
gives the same bytes, except that a person erased since appears as erased (no copy of their
data outlives the erasure), and that after a key rotation the pack is proved against a
checkpoint of the new key (an earlier checkpoint of the old key is then left out).

The zip (see `evidence_verifier.PACK_FILES`): the readable PDF, `events.json`, the bundle,
its checkpoint and public key, the standalone verifier with a one-line README, the evidence
files chosen for the pack (`files/<id>.<ext>`: as uploaded, or the copy without location and
device metadata unless the producer chose to include it; the verifier checks each against
its attach event), and `manifest.sig`, the SHA-256 of every file as a signed note by the
checkpoint's key. A pack holds its files in memory while it is built.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from application.actors import Actor
from application.authorisation import authorise
from application.commands.after_the_case import ProduceEvidencePack
from application.errors import NotFound, StaleVersion
from application.exports.evidence_pack import (
    PackMaterial,
    StoredEvent,
    build_content,
    events_document,
)
from application.exports.evidence_pack_pdf import ProofSummary, pack_filename, render_pack_pdf
from application.files.service import EvidenceFiles
from application.freshness import ViewFreshness
from application.integrity import evidence_verifier
from application.integrity.checkpoint import sign_note
from application.integrity.evidence_verifier import (
    ERASED_SUFFIX,
    PACK_BUNDLE,
    PACK_CHECKPOINT,
    PACK_EVENTS,
    PACK_FILE_DIR,
    PACK_KEY,
    PACK_MANIFEST,
    PACK_PDF,
    PACK_README,
    PACK_VERIFIER,
    b64encode,
    check_pack,
    manifest_text,
)
from application.integrity.log import IntegrityFailure, IntegrityLog
from application.integrity.prove import (
    Chain,
    case_bundle,
    case_chain,
    checkpoint_covering,
    checkpoint_number,
)
from application.integrity.recorders import CheckpointRow
from application.ledger import CaseLedger
from application.reminders import reminders_about
from domain import case_events as ev
from domain.case_files import file_name
from domain.errors import InvalidCommand
from domain.hate_case import HateCase
from domain.redaction import ReviewedWords
from domain.service_levels import ServiceLevels
from domain.text_review import FreeTextReview, review_id_for

_ATTEMPTS = 3  # a busy case may move on between reading its version and recording the pack


@dataclass(frozen=True)
class EvidencePack:
    """A built pack: the zip and what the API says about it."""

    material: PackMaterial
    produced_at: datetime
    through_version: int
    checkpoint_seq: int
    checkpoint_size: int
    root: str
    data: bytes

    @property
    def number(self) -> int:
        return self.material.number

    @property
    def filename(self) -> str:
        return pack_filename(self.material.reference, self.material.number)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def _zip(files: dict[str, bytes], at: datetime) -> bytes:
    """A zip of `files` whose bytes depend only on the files and `at`."""
    stamp = at.astimezone(UTC).timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=stamp)
            # evidence files are kept as they are: photos, sound and video are compressed
            media = name.startswith(PACK_FILE_DIR)
            info.compress_type = zipfile.ZIP_STORED if media else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    return buffer.getvalue()


class EvidencePacks:
    """The complaints liaison's and managers' use cases for evidence packs."""

    def __init__(
        self,
        ledger: CaseLedger,
        integrity: IntegrityLog,
        levels: ServiceLevels,
        files: EvidenceFiles,
        views: ViewFreshness | None = None,
    ) -> None:
        self._ledger = ledger
        self._integrity = integrity
        self._levels = levels
        self._files = files
        self._views = views  # where the reminders about a case are read (none: not shown)

    def produce(self, actor: Actor, case_id: UUID, command: ProduceEvidencePack) -> EvidencePack:
        """Record the pack on the case, sign a checkpoint that covers it, and build it.

        The pack's event is recorded only for a pack that can be produced: before it is
        saved, the signing key must be usable and the pack's content and PDF are rehearsed
        on the case as it will be (with the event not yet saved). A failure there leaves
        nothing behind. What can still fail after the save is the database itself (the
        checkpoint or the reading back); the event then stands for a pack that
        `pack(n)` builds once the database answers again."""
        authorise(actor, command.noun)
        if command.since_checkpoint is not None:
            self._earlier_checkpoint(command.since_checkpoint)
        self._integrity.signing_key()
        self._rehearse(actor, case_id, command)
        for attempt in range(_ATTEMPTS):
            try:  # at any version: a pack states the version it covers
                number = self._ledger.execute(case_id, command, actor=actor).result
                break
            except StaleVersion:
                if attempt == _ATTEMPTS - 1:
                    raise
        self._integrity.checkpoint()
        return self.pack(actor, case_id, number)

    def pack(self, actor: Actor, case_id: UUID, number: int) -> EvidencePack:
        """Pack `number` of the case, rebuilt from the events up to its own."""
        authorise(actor, ProduceEvidencePack.noun)
        self._ledger.case_for(actor, case_id)
        events = list(self._ledger.repository.event_store.get(case_id))
        ends = [
            i
            for i, e in enumerate(events)
            if isinstance(e, ev.EvidencePackProduced) and e.pack_number == number
        ]
        if not ends:
            raise NotFound("no such evidence pack")
        events = events[: ends[0] + 1]
        pack_event = events[-1]
        assert isinstance(pack_event, ev.EvidencePackProduced)
        chain = case_chain(self._integrity, case_id, pack_event.originator_version)
        checkpoint = self._checkpoint_for(chain)
        earlier = self._since(pack_event, events, chain, checkpoint)
        bundle = case_bundle(self._integrity, case_id, chain, checkpoint, earlier)
        return self._build(pack_event, events, chain, checkpoint, earlier, bundle)

    def _rehearse(self, actor: Actor, case_id: UUID, command: ProduceEvidencePack) -> None:
        """Build the pack's content and PDF from the case with its pack event not yet saved."""
        case = self._ledger.case_for(actor, case_id)
        events = list(self._ledger.repository.event_store.get(case_id))
        case.produce_evidence_pack(
            purpose=command.purpose,
            actor_role=actor.role.value,
            since_checkpoint=command.since_checkpoint,
            files=command.files,
            include_metadata=command.include_metadata,
            actor=actor.username,
            at=self._ledger.clock(),
        )
        events += case.collect_events()
        pack_event = events[-1]
        assert isinstance(pack_event, ev.EvidencePackProduced)
        material = self._material(pack_event, events, [(0, "", b"", 0)] * len(events))
        content = build_content(material)
        events_document(content)
        proof = ProofSummary(0, "", 0, "", "", "", 0, None)
        render_pack_pdf(content, proof)
        for chosen in pack_event.files:  # each chosen file's stored bytes, proven
            self._files.check(case_id, material.files[chosen["file_id"]], chosen["form"])

    # --- integrity -----------------------------------------------------------------------

    def _checkpoint_for(self, chain: Chain) -> CheckpointRow:
        leaf_index = chain[-1][1].leaf_index
        found = checkpoint_covering(self._integrity, leaf_index)
        return found if found is not None else self._integrity.checkpoint()

    def _earlier_checkpoint(self, seq: int) -> CheckpointRow:
        """A checkpoint a recipient holds, usable as the start of a consistency proof."""
        latest = self._integrity.latest()
        found = (
            None if latest is None or seq > latest.seq else checkpoint_number(self._integrity, seq)
        )
        if latest is None or found is None:
            raise InvalidCommand("since_checkpoint", f"there is no checkpoint #{seq}")
        if found.key_seq != latest.key_seq:
            raise InvalidCommand(
                "since_checkpoint", f"checkpoint #{seq} was signed by an earlier key"
            )
        return found

    def _since(
        self,
        pack_event: ev.EvidencePackProduced,
        events: list[Any],
        chain: Chain,
        checkpoint: CheckpointRow,
    ) -> CheckpointRow | None:
        """The checkpoint asked for, else the previous pack's; None if unusable now."""
        if pack_event.since_checkpoint is not None:
            seq: int | None = pack_event.since_checkpoint
        else:
            previous = [e for e in events[:-1] if isinstance(e, ev.EvidencePackProduced)]
            seq = None
            if previous:
                leaf = chain[previous[-1].originator_version - 1][1]
                covering = checkpoint_covering(self._integrity, leaf.leaf_index)
                seq = covering.seq if covering else None
        if seq is None:
            return None
        try:
            earlier = self._earlier_checkpoint(seq)
        except InvalidCommand:
            return None  # signed by a key rotated out since the pack was produced
        return earlier if earlier.seq <= checkpoint.seq else None

    # --- the zip -------------------------------------------------------------------------

    def _build(
        self,
        pack_event: ev.EvidencePackProduced,
        events: list[Any],
        chain: Chain,
        checkpoint: CheckpointRow,
        earlier: CheckpointRow | None,
        bundle: dict[str, Any],
    ) -> EvidencePack:
        stored = [(row.position, row.topic, row.state, leaf.leaf_index) for row, leaf in chain]
        material = self._material(pack_event, events, stored)
        content = build_content(material)
        keys = self._integrity.keys()
        opened = self._integrity.open(checkpoint, keys)
        verifier_key = str(keys[checkpoint.key_seq])
        earlier_at = (
            None if earlier is None else (earlier.seq, self._integrity.open(earlier, keys).size)
        )
        proof = ProofSummary(
            checkpoint_seq=checkpoint.seq,
            origin=opened.origin,
            tree_size=opened.size,
            root=b64encode(opened.root),
            signed_at=opened.time.isoformat() if opened.time else "",
            verifier_key=verifier_key,
            pack_leaf_index=chain[-1][1].leaf_index,
            earlier=earlier_at,
        )
        filename = pack_filename(material.reference, pack_event.pack_number)
        files = {
            PACK_README: (
                f"Check this pack: python offline_verifier.py {filename} --trusted-key "
                f"'{verifier_key}' (Python 3.11+, pip install cryptography).\n"
            ).encode(),
            PACK_PDF: render_pack_pdf(content, proof),
            PACK_EVENTS: _json(events_document(content)),
            PACK_BUNDLE: _json(bundle),
            PACK_CHECKPOINT: checkpoint.note.encode(),
            PACK_KEY: f"{verifier_key}\n".encode(),
            PACK_VERIFIER: Path(evidence_verifier.__file__).read_bytes(),
            **self._evidence_files(material.case_id, pack_event, material),
        }
        fields = {
            "case": str(material.case_id),
            "pack": str(pack_event.pack_number),
            "purpose": pack_event.purpose,
            "through-version": str(pack_event.originator_version),
            "checkpoint": f"{opened.size} {proof.root}",
        }
        key_seq, key = self._integrity.signing_key()
        if key_seq != checkpoint.key_seq:
            raise IntegrityFailure("the pack's checkpoint is not signed by the current key")
        files[PACK_MANIFEST] = sign_note(manifest_text(fields, files), key).encode()
        data = _zip(files, content.produced_at)
        problems = check_pack(data, verifier_key).problems
        if problems:
            raise IntegrityFailure("the evidence pack does not verify: " + "; ".join(problems))
        return EvidencePack(
            material=material,
            produced_at=content.produced_at,
            through_version=pack_event.originator_version,
            checkpoint_seq=checkpoint.seq,
            checkpoint_size=opened.size,
            root=proof.root,
            data=data,
        )

    def _evidence_files(
        self, case_id: UUID, pack_event: ev.EvidencePackProduced, material: PackMaterial
    ) -> dict[str, bytes]:
        """The files chosen for the pack, each in its form, proven against its recorded
        hash as it is read (`StoredFileAltered` if not); a file whose person was erased
        since is a note saying so."""
        out = {}
        for chosen in pack_event.files:
            found = material.files[chosen["file_id"]]
            if found.data_key.erased:
                out[f"{PACK_FILE_DIR}{found.file_id}{ERASED_SUFFIX}"] = (
                    b"This file's person was erased after the pack was produced.\n"
                )
                continue
            data = self._files.content(case_id, found, chosen["form"])
            out[f"{PACK_FILE_DIR}{file_name(found)}"] = data
        return out

    def _material(
        self,
        pack_event: ev.EvidencePackProduced,
        events: list[Any],
        stored: list[tuple[int, str, bytes, int]],
    ) -> PackMaterial:
        """What the pack is made of: `stored` gives each event's position, topic, stored
        bytes and leaf index."""
        case: Any = None
        for event in events:
            case = event.mutate(case)
        assert isinstance(case, HateCase)
        return PackMaterial(
            case_id=case.id,
            reference=case.reference,
            number=pack_event.pack_number,
            purpose=pack_event.purpose,
            produced_by=pack_event.actor,
            produced_by_role=pack_event.actor_role,
            events=[
                StoredEvent(*where, event) for where, event in zip(stored, events, strict=True)
            ],
            people={
                subject_id: (sorted(roles), self._ledger.subject(subject_id))
                for subject_id, roles in case.subjects.items()
            },
            levels=self._levels,
            reviewed=self._reviewed(case.id, pack_event.occurred_at),
            matrix=self._ledger.risk_matrix,
            files=dict(case.files),
            reminders=(
                reminders_about(self._views, str(case.id), as_of=pack_event.occurred_at)
                if self._views is not None
                else ()
            ),
        )

    def _reviewed(self, case_id: UUID, at: datetime) -> list[ReviewedWords]:
        """The DPO's decisions about the case's free text made before the pack: a rebuilt
        pack is the pack as it was produced."""
        try:
            review: object = self._ledger.repository.get(review_id_for(case_id))
        except AggregateNotFoundError:
            return []
        assert isinstance(review, FreeTextReview)
        return review.as_of(at)


def _json(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8")

"""What integrity and encryption cost, each figure next to its anchor, on SQLite.

* Hashing: the same command workload (`reports` reports, then `updates` contacts spread over
  their cases, each command one durable commit) through `CaseLedger` with the integrity
  recorder and its automatic checkpoints (the default), and with the library's plain
  `SQLiteApplicationRecorder` (no leaves, no checkpoints). The figure is the ratio of rates.
* Encryption: the same workload with the `PersonalDataMapper` (the default) and with
  `PlaintextLedger`, a bench-only ledger whose mapper stores each `Personal` as
  `{subject_id, value}` in plaintext. The figure is the ratio of rates.
  Each variant runs `ROUNDS` times, interleaved, on a fresh store each time; rates are the
  median of the rounds.
* Verify: `verify_log` in process over a log of `events` events (generated through the
  ledger, 10 events per case), against its anchor: plain SHA-256 over each event's stored
  bytes, read from the same table in the same pages (`events_page`, `BATCH` at a time).
  Best of three each; verify's peak Python heap from `tracemalloc`, in a separate run.
* Evidence pack: one case of `pack_events` events (a report, contacts, a complaint and the
  pack's own event), then `EvidencePacks.produce` (what `caseledger evidence-pack` calls),
  `check_pack` with the ledger's key (what `caseledger verify-pack` calls), and the
  standalone `offline_verifier.py` taken from the pack, run as its README says (a fresh
  interpreter, so its time includes start-up). The pack's size in bytes.
"""

from __future__ import annotations

import hashlib
import io
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.persistence import JSONTranscoder, Mapper, Transcoding

from application.actors import Actor
from application.commands.after_the_case import ProduceEvidencePack, ReceiveComplaint
from application.integrity.evidence_verifier import PACK_VERIFIER, check_pack
from application.integrity.log import IntegrityLog, open_integrity_log
from application.integrity.recorders import IntegrityTables
from application.integrity.verify import BATCH, verify_log
from application.ledger import CaseLedger
from bench.common import Store, fresh_store, report, run_measured, update
from domain.hate_case import HateCase
from domain.personal import Personal
from domain.vocabulary import ComplaintStage, EvidencePackPurpose, StaffRole
from interface.config import open_keys
from interface.settings import Settings

ROUNDS = 3
PLAIN_RECORDER = "eventsourcing.sqlite:SQLiteApplicationRecorder"
UPDATES_PER_CASE = 8
BATCH_CASES = 100
COMPLAINTS = Actor("bench.complaints", StaffRole.COMPLAINTS, "complaints")


class _PersonalInPlaintext(Transcoding):
    """Stores a `Personal` as its subject id and value, unencrypted (bench only)."""

    type = Personal
    name = "personal_plaintext"

    def encode(self, obj: Personal) -> dict[str, Any]:
        return {"subject_id": obj.subject_id.hex, "value": obj.value}

    def decode(self, data: dict[str, Any]) -> Personal:
        return Personal(subject_id=UUID(data["subject_id"]), value=data["value"])


class PlaintextLedger(CaseLedger):
    """`CaseLedger` with the library's plain Mapper: personal values stored in plaintext.
    The anchor of the encryption figure; nothing outside `bench` can reach it."""

    # CaseLedger declares its mapper a PersonalDataMapper; this bench-only ledger swaps in
    # the library's plain one on purpose (only `_ledger` builds it: no view reads events).
    def construct_mapper(self) -> Mapper[UUID]:  # type: ignore[override]
        return Mapper(
            transcoder=self.construct_transcoder(),
            compressor=self.factory.compressor(),
            cipher=self.factory.cipher(),
        )

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(_PersonalInPlaintext())  # replaces the refusal of `Personal`


@dataclass(frozen=True)
class _Variant:
    name: str
    ledger_class: type[CaseLedger]
    recorder_topic: str | None  # None: the default, the integrity recorder


DEFAULT = _Variant("default", CaseLedger, None)
NO_INTEGRITY = _Variant("no_integrity", CaseLedger, PLAIN_RECORDER)
NO_ENCRYPTION = _Variant("no_encryption", PlaintextLedger, None)


@contextmanager
def _ledger(store: Store, variant: _Variant) -> Iterator[tuple[CaseLedger, IntegrityLog | None]]:
    """The variant's ledger on the store, with the integrity log hooked to its commits
    (automatic checkpoints) when its recorder writes leaves, as `build_services` does."""
    env = store.env
    if variant.recorder_topic is not None:
        env = env | {"APPLICATION_RECORDER_TOPIC": variant.recorder_topic}
    settings = Settings.read(env)
    env = dict(settings.library_env)
    key_store = open_keys(settings)
    ledger = variant.ledger_class(env, key_store=key_store)
    integrity = None
    if isinstance(ledger.recorder, IntegrityTables):
        integrity = open_integrity_log(env, ledger.recorder)
    try:
        yield ledger, integrity
    finally:
        if integrity is not None:
            integrity.close()
        key_store.close()
        ledger.close()


def _workload(variant: _Variant, reports: int, updates: int) -> dict[str, float]:
    with fresh_store("sqlite") as store, _ledger(store, variant) as (ledger, _):
        started = time.perf_counter()
        cases = [report(ledger, n) for n in range(reports)]
        reports_per_s = reports / (time.perf_counter() - started)
        started = time.perf_counter()
        for i in range(updates):
            cases[i % reports] = update(ledger, cases[i % reports])
        updates_per_s = updates / (time.perf_counter() - started)
        stored = ledger.recorder.select_notifications(start=1, limit=reports * 2 + updates)
        size = sum(len(n.state) for n in stored) / len(stored)
    return {"reports_per_s": reports_per_s, "updates_per_s": updates_per_s, "event_bytes": size}


def _overheads(reports: int, updates: int) -> dict[str, Any]:
    variants = (DEFAULT, NO_INTEGRITY, NO_ENCRYPTION)
    runs: dict[str, list[dict[str, float]]] = {v.name: [] for v in variants}
    for _ in range(ROUNDS):
        for variant in variants:
            runs[variant.name].append(_workload(variant, reports, updates))
    rates = {
        name: {k: round(statistics.median(r[k] for r in rounds), 1) for k in rounds[0]}
        for name, rounds in runs.items()
    }
    with_ = rates[DEFAULT.name]

    def against(anchor: str) -> dict[str, Any]:
        without = rates[anchor]
        return {
            "with": with_,
            "without": without,
            "reports_ratio": round(with_["reports_per_s"] / without["reports_per_s"], 3),
            "updates_ratio": round(with_["updates_per_s"] / without["updates_per_s"], 3),
        }

    return {
        "reports": reports,
        "updates": updates,
        "rounds": ROUNDS,
        "hashing": against(NO_INTEGRITY.name),
        "encryption": against(NO_ENCRYPTION.name),
    }


def _generate(ledger: CaseLedger, target: int) -> None:
    """Report and update cases in batches until the log holds at least `target` events."""
    n = 0
    while (ledger.recorder.max_notification_id() or 0) < target:
        batch = [report(ledger, n + i) for i in range(BATCH_CASES)]
        for _ in range(UPDATES_PER_CASE):
            batch = [update(ledger, case) for case in batch]
        n += BATCH_CASES


def _sha256_pass(recorder: IntegrityTables) -> int:
    """SHA-256 of every stored event's bytes, read as `verify_log` reads them."""
    upto, after, count = recorder.last_position(), 0, 0
    while page := recorder.events_page(after, upto, BATCH):
        for event in page:
            hashlib.sha256(event.state).digest()
        count += len(page)
        after = page[-1].position
    return count


def _best_of_three(run: Callable[[], object]) -> float:
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        run()
        timings.append(time.perf_counter() - started)
    return min(timings)


def _verify_against_sha256(events: int) -> dict[str, Any]:
    with fresh_store("sqlite") as store, _ledger(store, DEFAULT) as (ledger, integrity):
        assert integrity is not None
        _generate(ledger, events)
        trusted = integrity.configured_verifier()
        result = verify_log(integrity, trusted)
        if not result.ok:
            raise RuntimeError(f"verify: {result.summary()}")
        hashed = _sha256_pass(integrity.recorder)
        sha_s = _best_of_three(lambda: _sha256_pass(integrity.recorder))
        verify_s = _best_of_three(lambda: verify_log(integrity, trusted))
        tracemalloc.start()
        verify_log(integrity, trusted)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return {
        "events": result.events,
        "checkpoints": result.checkpoints,
        "verify_s": round(verify_s, 3),
        "verify_events_per_s": round(result.events / verify_s),
        "sha256_s": round(sha_s, 3),
        "sha256_events_per_s": round(hashed / sha_s),
        "ratio": round(sha_s / verify_s, 3),
        "verify_peak_heap_kib": peak // 1024,
    }


def _case_of(ledger: CaseLedger, events: int) -> HateCase:
    """A case of `events - 1` events: a report, contacts, and a complaint (the pack's
    own event makes `events`)."""
    case = report(ledger, 0)
    while case.version < events - 2:
        case = update(ledger, case)
    complaint = ReceiveComplaint(
        stage=ComplaintStage.STAGE_1, summary="The contacts never led anywhere."
    )
    return ledger.execute(case.id, complaint, actor=COMPLAINTS, seen_version=case.version).case


def _evidence_pack(events: int) -> dict[str, Any]:
    with fresh_store("sqlite") as store:
        services = store.services()
        try:
            case = _case_of(services.ledger, events)
            started = time.perf_counter()
            command = ProduceEvidencePack(purpose=EvidencePackPurpose.COMPLAINT)
            pack = services.evidence_packs.produce(COMPLAINTS, case.id, command)
            produce_s = time.perf_counter() - started
            key = services.integrity.configured_verifier()
            assert key is not None
            trusted = str(key)
            started = time.perf_counter()
            checked = check_pack(pack.data, trusted)
            check_s = time.perf_counter() - started
            if not checked.ok:
                raise RuntimeError(f"verify-pack: {checked.problems}")
            with zipfile.ZipFile(io.BytesIO(pack.data)) as archive:
                verifier = archive.read(PACK_VERIFIER)
        finally:
            services.close()
    with tempfile.TemporaryDirectory(prefix="caseledger-bench-pack-") as directory:
        Path(directory, PACK_VERIFIER).write_bytes(verifier)
        Path(directory, "pack.zip").write_bytes(pack.data)
        standalone_s, standalone_rss, out = run_measured(
            [sys.executable, PACK_VERIFIER, "pack.zip", "--trusted-key", trusted],
            dict(os.environ),
            Path(directory),
        )
    if not out.startswith("OK"):
        raise RuntimeError(f"offline_verifier.py: {out}")
    return {
        "case_events": pack.through_version,
        "pack_bytes": len(pack.data),
        "produce_s": round(produce_s, 2),
        "verify_pack_s": round(check_s, 2),
        "standalone_verifier_s": round(standalone_s, 2),
        "standalone_verifier_peak_rss_kib": standalone_rss,
    }


def costs(reports: int, updates: int, verify_events: int, pack_events: int) -> dict[str, Any]:
    """Hashing and encryption overhead on commands, verify against SHA-256, and one
    evidence pack of a `pack_events`-event case."""
    return {
        "engine": "sqlite",
        **_overheads(reports, updates),
        "verify": _verify_against_sha256(verify_events),
        "evidence_pack": _evidence_pack(pack_events),
    }

"""How whole-log and one-case operations grow with the size of the log.

One store per engine grows through each size in turn. Events are made through the real
ledger commands, in batches of 100 cases: each case is reported (a data subject and a case)
and then updated `UPDATES_PER_CASE` times, so a case has 10 events. Generation is measured
too. At each size:

* whole-log work: projection rebuild from zero (`runner.rebuild()`), and `caseledger verify`
  as a subprocess (wall time and peak RSS);
* one-case work, which must stay flat: a subject access export of one victim
  (`SubjectRights.export`), an update command on an old case, an evidence pack of one case
  (`EvidencePacks.produce`: the event, a checkpoint over the whole log, the inclusion and
  consistency proofs, the PDF), `runner.catch_up()` when nothing is new, and the real server
  answering GET /cases and GET /cases/{id} (p50, and the server's peak RSS).
"""

from __future__ import annotations

import random
import time
from typing import Any
from uuid import UUID

from application.commands.after_the_case import ProduceEvidencePack, ReceiveComplaint
from bench.api import Request, get_case, get_list, measure_level
from bench.common import (
    CASELEDGER,
    DPO,
    MANAGER,
    Server,
    Store,
    add_staff,
    case_ids,
    fresh_store,
    median_ms,
    report,
    run_measured,
    update,
)
from domain.hate_case import HateCase
from domain.vocabulary import ComplaintStage, EvidencePackPurpose
from interface.config import Services

UPDATES_PER_CASE = 8
BATCH_CASES = 100
SAMPLES = 30
PACK_SAMPLES = 5  # each pack renders a PDF: fewer samples


def _generate(services: Services, cases: list[HateCase], target: int) -> None:
    """Report and update cases until the log holds at least `target` events."""
    while services.runner.head() < target:
        batch = [report(services.ledger, len(cases) + n) for n in range(BATCH_CASES)]
        for _ in range(UPDATES_PER_CASE):
            batch = [update(services.ledger, case) for case in batch]
        cases.extend(batch)


def _one_case_ms(services: Services, cases: list[HateCase], rng: random.Random) -> dict[str, Any]:
    commands, exports, catch_ups = [], [], []
    for index in rng.sample(range(len(cases)), SAMPLES):
        began = time.perf_counter()
        cases[index] = update(services.ledger, cases[index])
        commands.append(time.perf_counter() - began)
    packs = []
    for index in rng.sample(range(len(cases)), PACK_SAMPLES):
        complaint = ReceiveComplaint(  # a complaint pack needs a complaint (11.1)
            stage=ComplaintStage.STAGE_1, summary="The victim says nothing was done."
        )
        case = services.ledger.execute(
            cases[index].id, complaint, actor=MANAGER, seen_version=cases[index].version
        ).case
        began = time.perf_counter()
        pack = ProduceEvidencePack(purpose=EvidencePackPurpose.COMPLAINT)
        services.evidence_packs.produce(MANAGER, case.id, pack)
        packs.append(time.perf_counter() - began)
        cases[index] = services.ledger.case_for(MANAGER, cases[index].id)  # one event on
    services.runner.catch_up()
    for index in rng.sample(range(len(cases)), SAMPLES):
        began = time.perf_counter()
        services.subject_rights.export(DPO, _victim(cases[index]))
        exports.append(time.perf_counter() - began)
        began = time.perf_counter()
        services.runner.catch_up()
        catch_ups.append(time.perf_counter() - began)
    return {
        "update_command_p50_ms": median_ms(commands),
        "subject_export_p50_ms": median_ms(exports),
        "evidence_pack_p50_ms": median_ms(packs),
        "catch_up_when_current_p50_ms": median_ms(catch_ups),
    }


def _victim(case: HateCase) -> UUID:
    assert case.victim_id is not None
    return case.victim_id


def _server_reads(store: Store, tokens: dict[str, str]) -> dict[str, Any]:
    server = Server(store)
    try:
        manager = tokens[MANAGER.username]
        one_case: Request = get_case(case_ids(server.port, manager, 200))
        listing = measure_level(server.port, manager, 1, 200, 5, lambda _: get_list)
        one = measure_level(server.port, manager, 1, 200, 5, lambda _: one_case)
        peak = server.peak_rss_kib()
    finally:
        server.stop()
    return {
        "api_list_p50_ms": listing["p50_ms"],
        "api_get_case_p50_ms": one["p50_ms"],
        "api_errors": listing["errors"] + one["errors"],
        "server_peak_rss_kib": peak,
    }


def growth(engine: str, sizes: tuple[int, ...]) -> dict[str, Any]:
    rng = random.Random(7)
    rows = []
    with fresh_store(engine) as store:
        services = store.services()
        try:
            tokens = add_staff(services)
            cases: list[HateCase] = []
            for size in sizes:
                before, began = services.runner.head(), time.perf_counter()
                _generate(services, cases, size)
                generated = services.runner.head() - before
                generating = time.perf_counter() - began

                began = time.perf_counter()
                services.runner.rebuild()
                rebuilding = time.perf_counter() - began
                events = services.runner.head()

                verifying, verify_rss, out = run_measured(
                    [CASELEDGER, "verify"], store.process_env(), store.directory
                )
                if not out.startswith("OK"):
                    raise RuntimeError(f"verify: {out}")
                rows.append(
                    {
                        "events": events,
                        "generate_events_per_s": round(generated / generating, 1),
                        "rebuild_s": round(rebuilding, 2),
                        "rebuild_events_per_s": round(events / rebuilding, 1),
                        "verify_s": round(verifying, 2),
                        "verify_events_per_s": round(events / verifying, 1),
                        "verify_peak_rss_kib": verify_rss,
                        **_one_case_ms(services, cases, rng),
                        **_server_reads(store, tokens),
                    }
                )
        finally:
            services.close()
    return {"engine": engine, "sizes": rows}

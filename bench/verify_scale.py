"""`verify` on a large log (issue 5): `python -m bench --only verify [--large]`.

Reports through the real ledger (two events each, one transaction) grow a SQLite store to
10^5 events, or 10^6 with `--large`; then `caseledger verify` runs as its own process (wall
time and peak RSS: its memory must stay flat as the log grows), the same verification runs
in-process, and plain SHA-256 over every stored event's bytes, read the same way, is the
anchor.
"""

from __future__ import annotations

import time
from typing import Any

from application.integrity.verify import verify_log
from bench.common import CASELEDGER, fresh_store, report, run_measured
from bench.costs import DEFAULT, _ledger, _sha256_pass


def verify_at_scale(target: int) -> dict[str, Any]:
    with fresh_store("sqlite") as store, _ledger(store, DEFAULT) as (ledger, integrity):
        assert integrity is not None
        began, n = time.perf_counter(), 0
        while (ledger.recorder.max_notification_id() or 0) < target:
            report(ledger, n)
            n += 1
        generated = time.perf_counter() - began
        integrity.checkpoint()
        events = ledger.recorder.max_notification_id() or 0
        began = time.perf_counter()
        hashed = _sha256_pass(integrity.recorder)
        sha = time.perf_counter() - began
        wall, rss, out = run_measured([CASELEDGER, "verify"], store.process_env(), store.directory)
        if not out.startswith("OK"):
            raise RuntimeError(f"verify: {out}")
        began = time.perf_counter()
        result = verify_log(integrity, integrity.configured_verifier())
        in_process = time.perf_counter() - began
        if not result.ok:
            raise RuntimeError(f"verify: {result.summary()}")
    return {
        "engine": "sqlite",
        "events": events,
        "generate_s": round(generated, 1),
        "verify_process_s": round(wall, 2),
        "verify_peak_rss_kib": rss,
        "verify_in_process_s": round(in_process, 2),
        "verify_events_per_s": round(events / in_process),
        "sha256_s": round(sha, 2),
        "sha256_events_per_s": round(hashed / sha),
        "ratio": round(sha / in_process, 3),
    }

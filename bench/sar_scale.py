"""Subject access export with many cases stored (issue 4): `python -m bench --only sar`.

Reports through the real ledger grow a SQLite store to each size in turn (10^3, 10^4 and,
with `--large`, 10^5 cases); at each size the subject index is caught up (timed) and the
export of a victim picked at random is timed twenty times. The export reads only the cases
the subject index names, so its time must stay flat as the number of cases grows.
"""

from __future__ import annotations

import random
import time
from typing import Any
from uuid import UUID

from bench.common import DPO, fresh_store, median_ms, report


def sar_at_scale(case_counts: tuple[int, ...], samples: int = 20) -> dict[str, Any]:
    rng = random.Random(4)
    sizes = []
    with fresh_store("sqlite") as store:
        services = store.services()
        try:
            victims: list[UUID] = []
            made = 0
            for target in case_counts:
                began = time.perf_counter()
                while made < target:
                    case = report(services.ledger, made)
                    made += 1
                    if made % 100 == 1 and case.victim_id is not None:
                        victims.append(case.victim_id)
                generated = time.perf_counter() - began
                began = time.perf_counter()
                services.runner.catch_up("subject_index")
                index_s = time.perf_counter() - began
                exports = []
                for victim in rng.sample(victims, min(samples, len(victims))):
                    began = time.perf_counter()
                    export = services.subject_rights.export(DPO, victim)
                    exports.append(time.perf_counter() - began)
                    assert len(export["cases"]) == 1
                sizes.append(
                    {
                        "cases": made,
                        "events": services.runner.head(),
                        "generate_s": round(generated, 1),
                        "index_catch_up_s": round(index_s, 2),
                        "export_p50_ms": median_ms(exports),
                        "export_max_ms": round(max(exports) * 1000, 2),
                    }
                )
        finally:
            services.close()
    return {"engine": "sqlite", "sizes": sizes}

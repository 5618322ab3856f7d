"""The read ceiling: a minimal Flask + waitress application over the same view rows.

`python -m bench.ceiling --port N` (with the store's environment) serves the two reads the API
benchmark measures, with nothing but the framework, the server and the engine between the
client and the rows: no token check, no staff member, no freshness check, no access log.

* `GET /api/v1/cases`: the manager's first page of 50, by the caseload view's own query
  (`projections.case_summaries.page`, the same rows and the same JSON object as the API's);
* `GET /api/v1/cases/{id}`: the case's row of the `case_states` view and its timers' rows,
  as JSON (the state as stored, sealed values unopened: the API opens them, the ceiling
  does not).

`bench.reads` runs it beside `caseledger serve` on one store, with the same thread count,
so a ratio between the two is measured in the same minute on the same load.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

import waitress
from flask import Flask, Response, jsonify

from application.actors import Actor
from application.authorisation import sight
from interface.api.representations import summary_view
from interface.config import open_view_store
from interface.settings import Settings
from projections import case_summaries, timers
from projections.store import ViewStore


def create_ceiling(store: ViewStore, reader: Actor) -> Flask:
    app = Flask("ceiling")
    app.json.sort_keys = False  # type: ignore[attr-defined]
    seen = sight(reader)

    @app.get("/api/v1/health")
    def health() -> Response:
        return jsonify({"status": "ok"})

    @app.get("/api/v1/cases")
    def list_cases() -> Response:
        with store.reading() as c:
            page = case_summaries.page(c, seen, {}, limit=50, offset=0)
        return jsonify(
            {
                "items": [summary_view(item) for item in page.items],
                "total": page.total,
                "limit": 50,
                "offset": 0,
            }
        )

    @app.get("/api/v1/cases/<case_id>")
    def get_case(case_id: str) -> Response | tuple[Response, int]:
        with store.reading() as c:
            c.execute("SELECT version, state FROM view_case_states WHERE case_id = ?", (case_id,))
            row = c.fetchone()
            found = timers.on_caseload(c, seen, case_id)
        if row is None:
            return jsonify({"title": "Not Found"}), 404
        state: dict[str, Any] = json.loads(row[1])
        return jsonify(
            {
                "case_id": case_id,
                "version": int(row[0]),
                "state": state,
                "timers": [
                    {"key": t.key, "due_at": t.timer.due_at, "kind": t.timer.kind} for t in found
                ],
            }
        )

    return app


def main() -> int:
    from bench.common import MANAGER

    p = argparse.ArgumentParser(prog="python -m bench.ceiling", description=__doc__)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--threads", type=int, default=8)
    args = p.parse_args()
    store = open_view_store(Settings.read())
    app = create_ceiling(store, MANAGER)
    waitress.serve(app, host="127.0.0.1", port=args.port, threads=args.threads, ident="ceiling")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

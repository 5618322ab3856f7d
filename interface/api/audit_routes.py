"""The audit routes: the checkpoint signing keys, the signed checkpoints, and verification.

* `GET /api/v1/audit/public-key` is public: a third party needs the landlord's verifier
  key to check an evidence bundle, and it is no secret (`public-key.txt`: the key alone,
  to paste after the verifier's `--trusted-key`).
* `GET /api/v1/audit/checkpoints` needs any staff token: checkpoints hold no personal
  data (origin, tree size, root hash, time), but they show how busy the ledger is.
* `GET /api/v1/audit/verify` is the `auditor` role's alone: it reads every stored event.
* `GET /api/v1/audit/reminders` lists reminders by outcome, newest first (by default the
  failed and undeliverable ones: a delivery that failed, a member with no address): the
  auditor's and the admin's; references and ids, no personal data.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, jsonify, request
from marshmallow import Schema, fields, validate

from application.actors import Actor
from application.authorisation import authorise
from application.errors import NotFound
from application.integrity.evidence_verifier import b64encode
from application.integrity.verify import verify_log
from interface.api.representations import reminder_view
from interface.api.requests import page_size, page_start
from interface.config import Services


class CheckpointsQuery(Schema):
    after = page_start()
    limit = page_size(100, 1000)


# the outcome a reader names -> as the reminders view stores it ("" while pending)
REMINDER_OUTCOMES = {
    "pending": "",
    "delivered": "delivered",
    "failed": "failed",
    "undeliverable": "undeliverable",
}


class RemindersQuery(Schema):
    outcome = fields.List(
        fields.String(validate=validate.OneOf(list(REMINDER_OUTCOMES))),
        load_default=["failed", "undeliverable"],
    )
    limit = page_size(100, 1000)
    offset = page_start()


def audit_blueprint(services: Services, actor: Callable[[], Actor]) -> Blueprint:
    """The audit routes; `actor` authenticates the request (as the app's other routes)."""
    audit = Blueprint("audit", __name__, url_prefix="/api/v1/audit")
    integrity = services.integrity

    @audit.get("/public-key")
    def public_key() -> Response:
        keys = integrity.recorder.keys()
        if not keys:
            raise NotFound("no checkpoint has been signed yet")
        return jsonify(
            {
                "origin": integrity.origin,
                "verifier_key": keys[-1].verifier_key,
                "keys": [
                    {"seq": k.seq, "verifier_key": k.verifier_key, "rotation_note": k.rotation_note}
                    for k in keys
                ],
            }
        )

    @audit.get("/checkpoints")
    def checkpoints() -> Response:
        actor()
        query = CheckpointsQuery().load(request.args.to_dict())
        rows = integrity.recorder.checkpoints_page(query["after"], query["limit"])
        return jsonify(
            {
                "origin": integrity.origin,
                "checkpoints": [
                    {
                        "seq": row.seq,
                        "key_seq": row.key_seq,
                        "tree_size": row.tree_size,
                        "note": row.note,
                        "consistency_proof": [b64encode(h) for h in row.consistency_proof],
                    }
                    for row in rows
                ],
                "next_after": rows[-1].seq if len(rows) == query["limit"] else None,
            }
        )

    @audit.get("/reminders")
    def reminders() -> Response:
        who = actor()
        args = request.args.to_dict(flat=False)
        query = RemindersQuery().load({k: v if k == "outcome" else v[-1] for k, v in args.items()})
        outcomes = tuple(REMINDER_OUTCOMES[o] for o in query["outcome"])
        found = services.reminders.deliveries(who, outcomes, query["limit"], query["offset"])
        return jsonify(
            {
                "items": [reminder_view(r) for r in found],
                "limit": query["limit"],
                "offset": query["offset"],
            }
        )

    @audit.get("/verify")
    def verify() -> Response:
        authorise(actor(), "audit-verify")
        answer = verify_log(integrity).to_json()
        if request.args.get("files") in ("1", "true"):  # reads every stored file
            files = services.files.verify()
            answer |= {"files": files.to_json(), "ok": answer["ok"] and files.ok}
        return jsonify(answer)

    @audit.get("/public-key.txt")
    def public_key_text() -> Response:
        """The current verifier key alone, as a line to paste after `--trusted-key`."""
        keys = integrity.recorder.keys()
        if not keys:
            raise NotFound("no checkpoint has been signed yet")
        return Response(keys[-1].verifier_key + "\n", mimetype="text/plain")

    return audit

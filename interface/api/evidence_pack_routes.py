"""The evidence-pack routes: produce a complaint or case-review pack, and download it.

`POST /api/v1/cases/{id}/evidence-packs` records `EvidencePackProduced` on the case and
answers 201 with what the pack is and a `Location` to download it; no `If-Match` is needed,
since a pack depends on nothing the caller saw (it states the version it covers).
`GET /api/v1/cases/{id}/evidence-packs/{n}` rebuilds pack n and answers the zip; the read is
recorded in the access log (`interface.api.access_log_routes`). Both are for the `complaints` and
`manager` roles (403 otherwise) on cases they can see (404 otherwise).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from flask import Blueprint, Response, jsonify, url_for

from application.actors import Actor
from application.authorisation import authorise
from application.commands.after_the_case import ProduceEvidencePack
from application.evidence_packs import EvidencePack
from interface.api.requests import json_body
from interface.api.schemas import body_schema
from interface.config import Services


def pack_view(pack: EvidencePack, download: str) -> dict[str, Any]:
    material = pack.material
    return {
        "case_id": str(material.case_id),
        "reference": material.reference,
        "pack_number": material.number,
        "purpose": material.purpose,
        "produced_by": material.produced_by,
        "produced_at": pack.produced_at.isoformat(),
        "through_version": pack.through_version,
        "checkpoint": {
            "seq": pack.checkpoint_seq,
            "tree_size": pack.checkpoint_size,
            "root": pack.root,
        },
        "filename": pack.filename,
        "sha256": pack.sha256,
        "download": download,
    }


def evidence_packs_blueprint(services: Services, current_actor: Callable[[], Actor]) -> Blueprint:
    """The routes, authenticating through the app's `current_actor`."""
    packs = services.evidence_packs
    bp = Blueprint("evidence_packs", __name__, url_prefix="/api/v1/cases")

    @bp.post("/<uuid:case_id>/evidence-packs")
    def produce(case_id: UUID) -> Response:
        who = current_actor()
        authorise(who, ProduceEvidencePack.noun)  # before reading the body
        pack = packs.produce(who, case_id, json_body(body_schema(ProduceEvidencePack)()))
        location = url_for("evidence_packs.download", case_id=case_id, number=pack.number)
        response = jsonify(pack_view(pack, location))
        response.status_code = 201
        response.headers["Location"] = location
        return response

    @bp.get("/<uuid:case_id>/evidence-packs/<int:number>")
    def download(case_id: UUID, number: int) -> Response:
        pack = packs.pack(current_actor(), case_id, number)
        response = Response(pack.data, mimetype="application/zip")
        response.headers["Content-Disposition"] = f'attachment; filename="{pack.filename}"'
        response.headers["X-Checkpoint-Root"] = pack.root
        return response

    return bp

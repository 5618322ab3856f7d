"""The data protection officer's screens: a person's file, their requests with due dates,
the review of free text before release, and the export to download (JSON, PDF, files).
The same `SubjectRights` service as the API's `/api/v1/subjects`, which checks the role;
every page or download with the person's data is in the access log as `subject_request`.

    GET  /subjects?subject_id=…                     open a person's file by id
    GET  /subjects/<id>                              details and requests
    POST /subjects/<id>/access-requests              receive a subject access request
    GET  /subjects/<id>/requests/<rid>/review        the free text to review; POST: reviewed
    GET  /subjects/<id>/requests/<rid>/export.json | export.pdf | files.zip
"""

from __future__ import annotations

import json
from uuid import UUID

from flask import Blueprint, Response, redirect, render_template, request, url_for

from application.authorisation import authorise
from application.json_values import to_json
from interface.config import Services
from interface.web.guard import current_actor, signed_in


def _download(data: bytes, mimetype: str, name: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def install(bp: Blueprint, services: Services) -> None:
    rights = services.subject_rights
    clock = services.ledger.clock

    @bp.get("/subjects")
    @signed_in
    def find_subject() -> Response:
        authorise(current_actor(), "subject-access")
        asked = request.args.get("subject_id", "").strip()
        try:
            return redirect(url_for("web.subject", subject_id=UUID(asked)))  # type: ignore[return-value]
        except ValueError:
            error = (
                "Enter the person's id, like 4e95feac-6d15-4c6c-9672-59ac03faffd3" if asked else ""
            )
            return Response(
                render_template("find_subject.html", error=error), 422 if error else 200
            )

    @bp.get("/subjects/<uuid:subject_id>")
    @signed_in
    def subject(subject_id: UUID) -> str:
        found = rights.subject_file(current_actor(), subject_id)
        return render_template("subject.html", file=found, now=clock())

    @bp.post("/subjects/<uuid:subject_id>/access-requests")
    @signed_in
    def receive_access_request(subject_id: UUID) -> Response:
        rights.receive_access_request(current_actor(), subject_id)
        return redirect(url_for("web.subject", subject_id=subject_id), 303)  # type: ignore[return-value]

    @bp.route(
        "/subjects/<uuid:subject_id>/requests/<uuid:request_id>/review", methods=["GET", "POST"]
    )
    @signed_in
    def review(subject_id: UUID, request_id: UUID) -> str:
        who = current_actor()
        if request.method == "POST":
            rights.record_review(who, subject_id, request_id)
        found = rights.review(who, subject_id, request_id)
        return render_template(
            "review.html", review=found, subject_id=subject_id, request_id=request_id
        )

    @bp.get("/subjects/<uuid:subject_id>/requests/<uuid:request_id>/export.json")
    @signed_in
    def export_json(subject_id: UUID, request_id: UUID) -> Response:
        data = json.dumps(to_json(rights.export(current_actor(), subject_id, request_id)), indent=1)
        return _download(data.encode(), "application/json", f"subject-access-{request_id}.json")

    @bp.get("/subjects/<uuid:subject_id>/requests/<uuid:request_id>/export.pdf")
    @signed_in
    def export_pdf(subject_id: UUID, request_id: UUID) -> Response:
        pdf = rights.export_pdf(current_actor(), subject_id, request_id)
        return _download(pdf, "application/pdf", f"subject-access-{request_id}.pdf")

    @bp.get("/subjects/<uuid:subject_id>/requests/<uuid:request_id>/files.zip")
    @signed_in
    def export_files(subject_id: UUID, request_id: UUID) -> Response:
        data = rights.export_files(current_actor(), subject_id, request_id, False)
        return _download(data, "application/zip", f"subject-access-{request_id}-files.zip")

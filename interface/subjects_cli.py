"""The `caseledger subjects` commands: a subject access export from the server's shell.

`caseledger subjects export ID --as NAME [--request RID] [-o FILE] [--pdf FILE]` writes the
JSON export (to stdout without `-o`) and, with `--pdf`, the readable PDF, both readable by
the operator only. Without `--request` it uses the person's latest access request (a draft
without one). NAME is the data protection officer making the export (an active member of
staff with the `dpo` role): the access log records them, never the server's account.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any
from uuid import UUID

from application.errors import Forbidden, NotFound
from application.exports.sar_pdf import render_pdf
from domain.access_record import AccessPurpose
from domain.subject_requests import RequestKind
from interface.config import Services
from interface.private_files import write_private


def _export(services: Services, args: argparse.Namespace) -> int:
    rights = services.subject_rights
    try:
        who = services.staff.acting_as(args.acting_as)
    except NotFound as e:
        print(f"--as: {e}", file=sys.stderr)
        return 1
    try:
        request_id: UUID | None = args.request
        if request_id is None:
            requests = rights.subject_file(who, args.subject_id).requests
            access = [r.id for r in requests if r.kind == RequestKind.ACCESS]
            request_id = access[-1] if access else None
        export: dict[str, Any] = rights.export(who, args.subject_id, request_id)
    except Forbidden as e:
        print(f"{args.acting_as} may not answer subject access requests: {e}", file=sys.stderr)
        return 1
    except NotFound as e:
        print(f"not found: {e}", file=sys.stderr)
        return 1
    services.access_log.record(
        who,
        route="cli subjects export",
        purpose=AccessPurpose.SUBJECT_REQUEST,
        purpose_stated=False,
        subject_id=args.subject_id,
        request_id=request_id,
    )
    text = json.dumps(export, indent=2, ensure_ascii=False)
    if args.output:
        write_private(args.output, (text + "\n").encode("utf-8"))
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        print(text)
    if args.pdf:
        write_private(args.pdf, render_pdf(export))
        print(f"wrote {args.pdf}", file=sys.stderr)
    return 0


def register(subparsers: Any) -> None:
    """Add `subjects` to the `caseledger` command's subparsers."""
    subjects = subparsers.add_parser("subjects", help="data subjects' rights").add_subparsers(
        dest="subjects", required=True
    )
    export = subjects.add_parser("export", help="subject access export (JSON, and PDF)")
    export.add_argument("subject_id", type=UUID)
    export.add_argument(
        "--as",
        dest="acting_as",
        required=True,
        metavar="NAME",
        help="the data protection officer making the export",
    )
    export.add_argument("--request", type=UUID, help="the access request (default: latest)")
    export.add_argument("-o", "--output", help="write the JSON here (default: stdout)")
    export.add_argument("--pdf", help="also write the readable PDF here")
    export.set_defaults(run=_export)

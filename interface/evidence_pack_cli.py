"""The `caseledger evidence-pack` and `caseledger verify-pack` commands.

`caseledger evidence-pack CASE_ID --as NAME --purpose complaint|case-review -o FILE.zip
[--since-checkpoint N]` produces a pack as the API does, as the member of staff NAME (an
active complaints liaison or manager, who may see the case): the pack and the access log
record them as its producer, never the server's operating-system account.

`caseledger verify-pack FILE.zip [--trusted-key KEY]` checks a pack with the same code as
the standalone verifier in it, trusting this ledger's own signing key unless told otherwise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any
from uuid import UUID

from application.commands.after_the_case import ProduceEvidencePack
from application.errors import Forbidden, NotFound
from application.integrity.evidence_verifier import print_pack_report
from domain.access_record import AccessPurpose
from domain.vocabulary import EvidencePackPurpose
from interface.config import Services
from interface.private_files import write_private

_PURPOSES = {
    EvidencePackPurpose.COMPLAINT: AccessPurpose.COMPLAINT_HANDLING,
    EvidencePackPurpose.CASE_REVIEW: AccessPurpose.CASE_REVIEW,
}


def _produce(services: Services, args: argparse.Namespace) -> int:
    try:
        who = services.staff.acting_as(args.acting_as)
    except NotFound as e:
        print(f"--as: {e}", file=sys.stderr)
        return 1
    try:
        pack = services.evidence_packs.produce(
            who,
            args.case_id,
            ProduceEvidencePack(
                purpose=EvidencePackPurpose(args.purpose),
                since_checkpoint=args.since_checkpoint,
                files=tuple(args.file),
                include_metadata=args.include_metadata,
            ),
        )
    except Forbidden as e:
        print(f"{args.acting_as} may not produce evidence packs: {e}", file=sys.stderr)
        return 1
    except NotFound as e:
        print(f"not found: {e} (can {args.acting_as} see this case?)", file=sys.stderr)
        return 1
    services.access_log.record(
        who,
        route="cli evidence-pack",
        purpose=_PURPOSES[EvidencePackPurpose(args.purpose)],
        purpose_stated=False,
        case_id=args.case_id,
    )
    write_private(args.output, pack.data)
    print(
        f"wrote evidence pack {pack.number} ({args.purpose}) of case {pack.material.reference} to "
        f"{args.output}: events 1..{pack.through_version}, checkpoint #{pack.checkpoint_seq} "
        f"size {pack.checkpoint_size} root {pack.root}, sha256 {pack.sha256}"
    )
    return 0


def _verify(services: Services, args: argparse.Namespace) -> int:
    trusted = args.trusted_key
    if trusted is None:
        own = services.integrity.configured_verifier()
        trusted = None if own is None else str(own)
    try:
        data = Path(args.pack).read_bytes()
    except OSError as e:
        print(f"cannot read {args.pack}: {e}", file=sys.stderr)
        return 1
    return print_pack_report(data, trusted)


def register(subparsers: Any) -> None:
    """Add `evidence-pack` and `verify-pack` to the `caseledger` command's subparsers."""
    produce = subparsers.add_parser(
        "evidence-pack", help="produce a complaint or case-review evidence pack (zip)"
    )
    produce.add_argument("case_id", type=UUID)
    produce.add_argument(
        "--as",
        dest="acting_as",
        required=True,
        metavar="NAME",
        help="the member of staff producing the pack (complaints liaison or manager)",
    )
    produce.add_argument("--purpose", required=True, choices=[p.value for p in EvidencePackPurpose])
    produce.add_argument("-o", "--output", required=True, help="the zip file to write")
    produce.add_argument(
        "--since-checkpoint",
        type=int,
        help="number of a checkpoint the recipient holds: adds the consistency proof from it "
        "(default: the previous pack's checkpoint)",
    )
    produce.add_argument(
        "--file",
        action="append",
        default=[],
        help="an evidence file to put in the pack, e.g. file-1 (repeat for more)",
    )
    produce.add_argument(
        "--include-metadata",
        action="store_true",
        help="let photos and videos out with their location and device metadata",
    )
    produce.set_defaults(run=_produce)

    verify = subparsers.add_parser("verify-pack", help="check an evidence pack zip")
    verify.add_argument("pack")
    verify.add_argument(
        "--trusted-key", help="the verifier key to trust (default: this ledger's signing key)"
    )
    verify.set_defaults(run=_verify)

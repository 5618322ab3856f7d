"""The `caseledger evidence-pack` and `caseledger verify-pack` commands.

`caseledger evidence-pack CASE_ID --purpose complaint|case-review -o FILE.zip
[--since-checkpoint N]` produces a pack as the API does: whoever runs it on the server acts
as the complaints liaison (`cli:<login>`), so only a case under complaint or review is
found, and the pack records them as its producer; the read is logged like any other.

`caseledger verify-pack FILE.zip [--trusted-key KEY]` checks a pack with the same code as
the standalone verifier in it, trusting this ledger's own signing key unless told otherwise.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import Any
from uuid import UUID

from application.actors import Actor
from application.errors import NotFound
from application.integrity.offline_verifier import print_pack_report
from domain.access_log import AccessPurpose
from domain.vocabulary import EvidencePackPurpose, StaffRole
from interface.config import Services

_PURPOSES = {
    EvidencePackPurpose.COMPLAINT: AccessPurpose.COMPLAINT_HANDLING,
    EvidencePackPurpose.CASE_REVIEW: AccessPurpose.CASE_REVIEW,
}


def _liaison() -> Actor:
    return Actor(username=f"cli:{getpass.getuser()}", role=StaffRole.COMPLAINTS, team="complaints")


def _produce(services: Services, args: argparse.Namespace) -> int:
    who = _liaison()
    try:
        pack = services.evidence_packs.produce(
            who, args.case_id, purpose=args.purpose, since_checkpoint=args.since_checkpoint
        )
    except NotFound as e:
        print(f"not found: {e} (is the case under complaint or review?)", file=sys.stderr)
        return 1
    services.access_log.record(
        who,
        route="cli evidence-pack",
        purpose=_PURPOSES[EvidencePackPurpose(args.purpose)],
        purpose_stated=False,
        case_id=args.case_id,
    )
    # The pack holds case details: readable by the operator only, like the tokens.
    fd = os.open(args.output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pack.data)
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
    produce.add_argument("--purpose", required=True, choices=[p.value for p in EvidencePackPurpose])
    produce.add_argument("-o", "--output", required=True, help="the zip file to write")
    produce.add_argument(
        "--since-checkpoint",
        type=int,
        help="number of a checkpoint the recipient holds: adds the consistency proof from it "
        "(default: the previous pack's checkpoint)",
    )
    produce.set_defaults(run=_produce)

    verify = subparsers.add_parser("verify-pack", help="check an evidence pack zip")
    verify.add_argument("pack")
    verify.add_argument(
        "--trusted-key", help="the verifier key to trust (default: this ledger's signing key)"
    )
    verify.set_defaults(run=_verify)

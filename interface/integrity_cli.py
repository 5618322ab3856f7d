"""The integrity subcommands of `caseledger`: checkpoint, verify, prove, rotate-signing-key
(and `keys init`, in `keys_cli`)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any
from uuid import UUID

from application.errors import NotFound
from application.integrity.evidence_verifier import (
    NoteError,
    b64encode,
    parse_verifier_key,
)
from application.integrity.log import IntegrityFailure
from application.integrity.prove import prove_case
from application.integrity.verify import verify_log
from interface import keys_cli
from interface.config import Services
from interface.keys import KeyUse


def _failed(message: str) -> int:
    print(f"failed: {message}", file=sys.stderr)
    return 1


def _checkpoint(services: Services, args: argparse.Namespace) -> int:
    integrity = services.integrity
    try:
        row = integrity.checkpoint()
        body = integrity.open(row, integrity.keys())
    except IntegrityFailure as e:
        return _failed(str(e))
    print(f"checkpoint #{row.seq}: {body.size} events, root {b64encode(body.root)}")
    print(row.note, end="")
    for problem in integrity.witness_problems:
        print(f"not published: {problem}", file=sys.stderr)
    return 1 if integrity.witness_problems else 0


def _verify(services: Services, args: argparse.Namespace) -> int:
    try:
        trusted = None if args.trusted_key is None else parse_verifier_key(args.trusted_key)
    except NoteError as e:
        return _failed(f"--trusted-key: {e}")
    outside = []
    for path in args.checkpoint:
        try:
            with open(path, encoding="utf-8") as f:
                outside.append((path, f.read()))
        except (OSError, UnicodeDecodeError) as e:
            return _failed(f"--checkpoint {path}: {e}")
    result = verify_log(services.integrity, trusted, outside)
    print(result.summary())
    if not args.files:
        return 0 if result.ok else 1
    files = services.files.verify()
    print("\n".join(files.lines()))
    return 0 if result.ok and files.ok else 1


def _prove(services: Services, args: argparse.Namespace) -> int:
    try:
        bundle: dict[str, Any] = prove_case(services.integrity, args.case_id)
    except (IntegrityFailure, NotFound) as e:
        return _failed(str(e))
    # The events may hold case details: readable by the operator only, like the tokens.
    fd = os.open(args.output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(bundle, f, indent=2)
        f.write("\n")
    print(f"wrote {len(bundle['events'])} events of case {args.case_id} to {args.output}")
    print(
        "check it offline with: python offline_verifier.py "
        f"{args.output} --trusted-key '{bundle['verifier_key']}'"
    )
    return 0


def _rotate(services: Services, args: argparse.Namespace) -> int:
    try:
        old, new = services.integrity.rotate_key()
    except IntegrityFailure as e:
        return _failed(str(e))
    print(f"rotated the signing key; the old key signed the hand-over\nold: {old}\nnew: {new}")
    retired = f"{services.integrity.key_file}.{old.key_id.hex()}.retired"
    print(f"destroy {retired} once the new key is published")
    return 0


def register(subparsers: Any) -> None:
    """Add the integrity subcommands (and `keys init`) to the `caseledger` argument parser."""
    keys_cli.register(subparsers)
    checkpoint = subparsers.add_parser(
        "checkpoint", help="sign a checkpoint of every committed event (tree size and root)"
    )
    checkpoint.set_defaults(run=_checkpoint)

    verify = subparsers.add_parser(
        "verify", help="recompute every leaf and root from storage and check all checkpoints"
    )
    verify.add_argument(
        "--trusted-key", help="a verifier key the key chain must contain (default: key file's)"
    )
    verify.add_argument(
        "--checkpoint",
        action="append",
        default=[],
        metavar="FILE",
        help="a signed checkpoint kept outside the database; the log must be consistent with "
        "it (the configured witnesses' newest are always checked)",
    )
    verify.add_argument(
        "--files",
        action="store_true",
        help="also hash every stored evidence file against its attach event (reads them all)",
    )
    verify.set_defaults(run=_verify, keys=KeyUse.OPEN)

    prove = subparsers.add_parser(
        "prove", help="write a case's evidence bundle, verifiable offline"
    )
    prove.add_argument("case_id", type=UUID)
    prove.add_argument("-o", "--output", required=True, help="the bundle JSON file to write")
    prove.set_defaults(run=_prove)

    rotate = subparsers.add_parser(
        "rotate-signing-key", help="hand checkpoint signing to a new key, signed by the old"
    )
    rotate.set_defaults(run=_rotate)

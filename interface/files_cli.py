"""`caseledger files sweep`: remove stored bytes no living file needs.

Run it from cron or a timer (hourly is plenty): it removes blobs that no attach event names
and that are older than the grace period (a crash between an upload's blob and its event
leaves one; an upload in progress has its blob for a moment before its event, hence the
grace), the blobs of files whose person was erased (if the deletion at erasure did not
finish), and staged uploads that never finished. It prints what it removed.
"""

from __future__ import annotations

import argparse
from datetime import timedelta
from typing import Any

from interface.config import Services


def _sweep(services: Services, args: argparse.Namespace) -> int:
    report = services.files.sweep(timedelta(minutes=args.grace_minutes))
    print(f"{services.files.store.describe()}: {report.summary()}")
    return 0


def register(subparsers: Any) -> None:
    files = subparsers.add_parser("files", help="evidence files' storage").add_subparsers(
        dest="files_command", required=True
    )
    sweep = files.add_parser("sweep", help="remove stored bytes no living file needs")
    sweep.add_argument(
        "--grace-minutes",
        type=float,
        default=60,
        help="leave blobs younger than this (uploads in progress); default 60",
    )
    sweep.set_defaults(run=_sweep)

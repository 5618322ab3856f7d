"""The child process of test_files_crash: attaches a file and SIGKILLs itself part way.

`python -m tests.reliability.files_crash_child CASE_ID MODE`, with the ledger's settings in
the environment. MODE `after-blob`: the file's blobs are stored, then the process dies as the
ledger is about to save the attach event. MODE `mid-upload`: it dies with half the file
received (sealed in staging). Neither returns.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any
from uuid import UUID

from application.files.receiving import Receiving
from interface.config import build_services
from tests import samples
from tests.cases import attach_file
from tests.conftest import OFFICER


def _die(*_: Any, **__: Any) -> Any:
    os.kill(os.getpid(), signal.SIGKILL)


def main(case_id: str, mode: str) -> None:
    services = build_services()
    case = services.ledger.case_for(OFFICER, UUID(case_id))
    photo = samples.jpeg(size=256)
    if mode == "after-blob":
        services.ledger.save = _die  # type: ignore[method-assign]
    else:
        write = Receiving.write
        received = [0]

        def write_then_die(self: Receiving, data: bytes) -> None:
            if received[0] >= len(photo) // 2:
                _die()
            write(self, data)
            received[0] += len(data)

        Receiving.write = write_then_die  # type: ignore[method-assign]
    attach_file(services, case, photo, piece=1024)
    raise SystemExit("the process should have died")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

"""Files the CLI writes that hold personal data (exports, evidence packs): readable by the
operator only (0600), whether the file is new or already there."""

from __future__ import annotations

import os


def write_private(path: str, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an existing file keeps its old mode through O_CREAT
    with os.fdopen(fd, "wb") as f:
        f.write(data)

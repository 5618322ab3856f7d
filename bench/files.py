"""Evidence files through the real server: `.venv/bin/python -m bench.files [--mb N]`.

On SQLite in a temporary directory, with `caseledger serve` on a free port:

* a file of N MB (default 100; an MP4 header and random bytes, so nothing compresses) is
  uploaded (`POST .../files`, multipart, streamed from disk) and downloaded (`GET
  .../files/file-1`, streamed to disk), each timed against a plain copy of the same file
  on the same disk (`shutil.copyfile` and `fsync`): throughput as a ratio to the copy;
* the server's peak RSS (VmHWM) once warmed up, and again after the upload and after the
  download: flat memory means the 100 MB never sat in it;
* `caseledger verify --files` on the store, timed: the cost of hashing stored files.

Writes `bench/results/files-<date>.json` and prints it. The evidence pack with 20 photos is
not measured: packs do not carry files yet (see the README).
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import (
    CASELEDGER,
    HUB,
    Server,
    add_staff,
    fresh_store,
    report,
    run_measured,
)
from tests import samples

PIECE = 1 << 20
RESULTS = Path(__file__).with_name("results")


def _source(path: Path, megabytes: int) -> None:
    with path.open("wb") as f:
        f.write(samples.mp4())
        for _ in range(megabytes):
            f.write(os.urandom(1_000_000))
        os.fsync(f.fileno())


def _copy_seconds(source: Path, target: Path) -> float:
    started = time.perf_counter()
    shutil.copyfile(source, target)
    with target.open("rb") as f:
        os.fsync(f.fileno())
    elapsed = time.perf_counter() - started
    target.unlink()
    return elapsed


def _multipart(source: Path, boundary: str) -> tuple[int, Iterator[bytes]]:
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nrecording\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="v.mp4"\r\n'
        "Content-Type: video/mp4\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    def body() -> Iterator[bytes]:
        yield head
        with source.open("rb") as f:
            while piece := f.read(PIECE):
                yield piece
        yield tail

    return len(head) + source.stat().st_size + len(tail), body()


def run(megabytes: int) -> dict[str, Any]:
    with fresh_store("sqlite") as store:
        store.env["CASELEDGER_FILES_DIR"] = str(store.directory / "files")
        store.env["CASELEDGER_FILES_MAX_MB"] = str(megabytes + 1)
        services = store.services()
        tokens = add_staff(services)
        case = report(services.ledger, 0)  # unallocated: the hub may attach to it
        services.close()
        source = store.directory / "source.mp4"
        _source(source, megabytes)
        copy_s = min(_copy_seconds(source, store.directory / "copy.mp4") for _ in range(3))

        server = Server(store)
        try:
            path = f"/api/v1/cases/{case.id}/files"
            token = tokens[HUB.username]
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=300)
            conn.request("GET", "/api/v1/health")
            conn.getresponse().read()
            warm = server.peak_rss_kib()

            boundary = uuid.uuid4().hex
            length, body = _multipart(source, boundary)
            headers = {
                "Authorization": f"Bearer {token}",
                "If-Match": f'"{case.version}"',
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Content-Length": str(length),
            }
            started = time.perf_counter()
            conn.request("POST", path, body=body, headers=headers)
            answer = conn.getresponse()
            answered = answer.read()
            upload_s = time.perf_counter() - started
            if answer.status != 201:
                raise RuntimeError(f"upload: {answer.status} {answered[:300]!r}")
            after_upload = server.peak_rss_kib()

            target = store.directory / "downloaded.mp4"
            started = time.perf_counter()
            conn.request("GET", f"{path}/file-1", headers={"Authorization": f"Bearer {token}"})
            response = conn.getresponse()
            digest = hashlib.sha256()
            with target.open("wb") as f:
                while piece := response.read(PIECE):
                    digest.update(piece)
                    f.write(piece)
                os.fsync(f.fileno())
            download_s = time.perf_counter() - started
            after_download = server.peak_rss_kib()
            with source.open("rb") as f:
                if digest.hexdigest() != hashlib.file_digest(f, "sha256").hexdigest():
                    raise RuntimeError("the downloaded file is not the uploaded one")
            conn.close()
        finally:
            server.stop()
        verify_s, verify_rss, _ = run_measured(
            [CASELEDGER, "verify", "--files"], store.process_env(), store.directory
        )
    size = megabytes * 1_000_000
    return {
        "megabytes": megabytes,
        "plain_copy_s": round(copy_s, 3),
        "upload_s": round(upload_s, 3),
        "download_s": round(download_s, 3),
        "upload_mb_per_s": round(size / upload_s / 1e6, 1),
        "download_mb_per_s": round(size / download_s / 1e6, 1),
        "copy_mb_per_s": round(size / copy_s / 1e6, 1),
        "upload_ratio_to_copy": round(copy_s / upload_s, 3),
        "download_ratio_to_copy": round(copy_s / download_s, 3),
        "server_peak_rss_kib": {
            "warm": warm,
            "after_upload": after_upload,
            "after_download": after_download,
        },
        "verify_files_s": round(verify_s, 3),
        "verify_files_peak_rss_kib": verify_rss,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=int, default=100)
    result = run(parser.parse_args().mb) | {"at": datetime.now(UTC).isoformat()}
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"files-{datetime.now(UTC).strftime('%Y-%m-%dT%H%M%S')}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    print(f"written to {out}")


if __name__ == "__main__":
    main()

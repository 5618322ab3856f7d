"""Evidence files through the real server: `.venv/bin/python -m bench.files [--mb N]`.

On SQLite in a temporary directory, with `caseledger serve` on a free port:

* a file of N MB (default 100; an MP4 header and random bytes, so nothing compresses) is
  uploaded (`POST .../files`, multipart, streamed from disk) and downloaded (`GET
  .../files/file-1`, streamed to disk), each timed against a plain copy of the same file
  on the same disk (`shutil.copyfile` and `fsync`): throughput as a ratio to the copy;
* the server's peak RSS (VmHWM) once warmed up, and again after the upload and after the
  download: flat memory means the 100 MB never sat in it;
* `caseledger verify --files` on the store, timed: the cost of hashing stored files.

* an evidence pack with 20 photos (12-megapixel JPEGs of enlarged noise, with EXIF):
  attached in process, then a complaint pack carrying all 20 (their copies without
  metadata) produced, timed, its size, and the offline verifier's check of it, timed.

Writes `bench/results/files-<date>.json` and prints it.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import io
import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from application.commands.after_the_case import ProduceEvidencePack, ReceiveComplaint
from application.integrity.evidence_verifier import check_pack
from bench.common import (
    CASELEDGER,
    HUB,
    MANAGER,
    Server,
    add_staff,
    fresh_store,
    report,
    run_measured,
)
from domain.vocabulary import ComplaintStage, EvidencePackPurpose, FileKind
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


def _photo(seed: int) -> bytes:
    from PIL import Image

    # noise drawn small and enlarged: about as compressible as a phone's 12 MP photo
    small = Image.effect_noise((400, 300), 40 + seed).convert("RGB")
    image = small.resize((4000, 3000), Image.Resampling.BICUBIC)
    exif = Image.Exif()
    exif[samples.MODEL_TAG] = samples.CAMERA
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, exif=exif)
    return out.getvalue()


def pack_with_photos(count: int) -> dict[str, Any]:
    """A complaint pack carrying `count` photos: produce and verify, timed."""
    with fresh_store("sqlite") as store:
        store.env["CASELEDGER_FILES_DIR"] = str(store.directory / "files")
        services = store.services()
        add_staff(services)
        case = report(services.ledger, 0)
        photos = [_photo(i) for i in range(count)]
        for photo in photos:
            receiving = services.files.receiving("image/jpeg")
            for start in range(0, len(photo), PIECE):
                receiving.write(photo[start : start + PIECE])
            case = services.files.attach(
                HUB, case.id, receiving.finish(), {"kind": FileKind.PHOTO}, None
            ).case
        complaint = ReceiveComplaint(stage=ComplaintStage.STAGE_1, summary="bench")
        services.ledger.execute(case.id, complaint, actor=MANAGER)
        command = ProduceEvidencePack(
            purpose=EvidencePackPurpose.COMPLAINT,
            files=tuple(f"file-{n}" for n in range(1, count + 1)),
        )
        started = time.perf_counter()
        pack = services.evidence_packs.produce(MANAGER, case.id, command)
        produce_s = time.perf_counter() - started
        started = time.perf_counter()
        problems = check_pack(pack.data).problems
        verify_s = time.perf_counter() - started
        services.close()
    if problems:
        raise RuntimeError(f"the pack does not verify: {problems}")
    return {
        "photos": count,
        "photo_mb_mean": round(sum(map(len, photos)) / count / 1e6, 2),
        "produce_s": round(produce_s, 3),
        "pack_mb": round(len(pack.data) / 1e6, 2),
        "offline_verify_s": round(verify_s, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=int, default=100)
    parser.add_argument("--photos", type=int, default=20)
    args = parser.parse_args()
    result = run(args.mb) | {"pack": pack_with_photos(args.photos)}
    result["at"] = datetime.now(UTC).isoformat()
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"files-{datetime.now(UTC).strftime('%Y-%m-%dT%H%M%S')}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    print(f"written to {out}")


if __name__ == "__main__":
    main()

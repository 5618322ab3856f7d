"""A real S3 API on loopback for the tests: moto's server mode, started on a free port.

`moto_s3` (a fixture of tests/conftest.py) starts one server per test process and gives the
environment a ledger needs to use a fresh bucket on it (and sets dummy AWS credentials for
boto3, which moto accepts)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import boto3

CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "eu-west-2",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def moto_server() -> Iterator[str]:
    """The endpoint URL of a moto S3 server running until the block ends."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("moto's S3 server did not start") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def new_bucket(endpoint: str) -> dict[str, str]:
    """A new bucket on the server, and the ledger settings that store files in it."""
    for name, value in CREDENTIALS.items():
        os.environ.setdefault(name, value)
    bucket = f"files-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=endpoint)
    client.create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"}
    )
    return {
        "CASELEDGER_FILES_S3_BUCKET": bucket,
        "CASELEDGER_FILES_S3_ENDPOINT": endpoint,
        "CASELEDGER_FILES_S3_PREFIX": "evidence/",
    }

"""The blob store in an S3-compatible bucket (boto3), for deployments on several machines.

Objects are keyed `<prefix><address>`. `put` uploads the staged file (boto3's managed
transfer: multipart above 8 MiB, so memory stays flat) and only then returns; `open`
downloads to a temporary local file (sealed bytes only) that is removed when the block
ends, so a read can check the whole blob's hash before serving a byte of it.

Configured by `CASELEDGER_FILES_S3_BUCKET` and, optionally, `CASELEDGER_FILES_S3_PREFIX`
and `CASELEDGER_FILES_S3_ENDPOINT` (for a store other than AWS); credentials and region come
from boto3's usual chain (environment, shared files, instance role), never from here.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

import boto3
from botocore.exceptions import ClientError

from application.files.blobs import ADDRESS, BlobMissing, checked


class S3BlobStore:
    def __init__(self, bucket: str, prefix: str = "", endpoint_url: str | None = None) -> None:
        self.bucket = bucket
        self.prefix = prefix
        self._client: Any = boto3.client("s3", endpoint_url=endpoint_url or None)

    def _key(self, address: str) -> str:
        return f"{self.prefix}{checked(address)}"

    def put(self, staged: Path, address: str) -> None:
        self._client.upload_file(str(staged), self.bucket, self._key(address))
        staged.unlink()

    def open(self, address: str) -> AbstractContextManager[BinaryIO]:
        return self._downloaded(address, self._key(address))

    @contextlib.contextmanager
    def _downloaded(self, address: str, key: str) -> Iterator[BinaryIO]:
        with tempfile.TemporaryFile() as local:
            try:
                self._client.download_fileobj(self.bucket, key, local)
            except ClientError as e:
                if e.response.get("Error", {}).get("Code") in ("404", "NoSuchKey"):
                    raise BlobMissing(address) from None
                raise
            local.seek(0)
            yield local

    def delete(self, address: str) -> None:
        self._client.delete_object(Bucket=self.bucket, Key=self._key(address))

    def addresses(self) -> Iterator[tuple[str, datetime]]:
        pages = self._client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix
        )
        for page in pages:
            for item in page.get("Contents", []):
                address = item["Key"][len(self.prefix) :]
                if ADDRESS.match(address):
                    yield address, item["LastModified"]

    def describe(self) -> str:
        return f"bucket {self.bucket}" + (f" (prefix {self.prefix})" if self.prefix else "")

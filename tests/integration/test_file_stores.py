"""The blob store's two adapters, a directory and an S3 bucket (a real S3 API on loopback:
moto's server mode), and a ledger keeping its evidence files in a bucket (issue 18)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from application.actors import Actor
from application.files.blobs import BlobMissing, BlobStore, DirectoryBlobStore, Staging
from application.files.s3_blobs import S3BlobStore
from application.files.service import StoredFileAltered
from domain.errors import PolicyViolation
from domain.vocabulary import StaffRole
from interface.config import Services, build_services
from tests import samples
from tests.cases import allocated, attach_file
from tests.conftest import OFFICER, Clock, add_staff, sqlite_env
from tests.s3 import new_bucket

DPO = Actor("d.protection", StaffRole.DPO, "governance")


@pytest.fixture(params=["directory", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    if request.param == "directory":
        return DirectoryBlobStore(tmp_path / "blobs")
    settings = new_bucket(request.getfixturevalue("moto_endpoint"))
    return S3BlobStore(
        settings["CASELEDGER_FILES_S3_BUCKET"],
        prefix=settings["CASELEDGER_FILES_S3_PREFIX"],
        endpoint_url=settings["CASELEDGER_FILES_S3_ENDPOINT"],
    )


def test_a_blob_store_keeps_a_blob_under_its_address(store: BlobStore, tmp_path: Path) -> None:
    staging = Staging(tmp_path / "staging")
    staged = staging.new_path()
    content = os.urandom(300_000)
    staged.write_bytes(content)
    address = hashlib.sha256(content).hexdigest()

    store.put(staged, address)
    assert not staged.exists()
    assert [a for a, _ in store.addresses()] == [address]
    with store.open(address) as blob:
        assert blob.read() == content
    store.delete(address)
    store.delete(address)  # idempotent
    with pytest.raises(BlobMissing):
        store.open(address).__enter__()
    with pytest.raises(ValueError):
        store.open("../../etc/passwd")
    assert list(store.addresses()) == []


@pytest.fixture
def in_a_bucket(tmp_path: Path, moto_endpoint: str, clock: Clock) -> Iterator[Services]:
    env = sqlite_env(str(tmp_path)) | new_bucket(moto_endpoint)
    built = build_services(env, clock=clock)
    add_staff(built)
    yield built
    built.close()


def _objects(services: Services) -> set[str]:
    return {address for address, _ in services.files.store.addresses()}


def test_files_in_a_bucket_are_proven_erased_and_swept(in_a_bucket: Services) -> None:
    services = in_a_bucket
    store = services.files.store
    assert isinstance(store, S3BlobStore)
    case = allocated(services)
    photo = samples.jpeg()
    case = attach_file(services, case, photo, about_id=case.victim_id)
    stored = case.files["file-1"]
    assert stored.metadata_free is not None
    assert _objects(services) == {stored.blob, stored.metadata_free["blob"]}
    assert b"".join(services.files.open(OFFICER, case.id, "file-1").chunks) == photo

    key = f"{store.prefix}{stored.blob}"
    client = store._client
    original = client.get_object(Bucket=store.bucket, Key=key)["Body"].read()
    client.put_object(Bucket=store.bucket, Key=key, Body=original[:-1] + bytes([original[-1] ^ 1]))
    with pytest.raises(StoredFileAltered):
        services.files.open(OFFICER, case.id, "file-1")
    assert [p.file_id for p in services.files.verify().problems] == ["file-1"]
    client.put_object(Bucket=store.bucket, Key=key, Body=original)

    orphan = hashlib.sha256(b"an upload whose event never came").hexdigest()
    client.put_object(Bucket=store.bucket, Key=f"{store.prefix}{orphan}", Body=b"x")
    later = datetime.now(UTC) + timedelta(hours=2)
    assert services.files.sweep(now=datetime.now(UTC)).orphans == 0  # within its grace
    assert services.files.sweep(now=later).orphans == 1
    assert _objects(services) == {stored.blob, stored.metadata_free["blob"]}

    assert case.victim_id is not None
    erase = services.subject_rights.request_erasure
    erase(DPO, case.victim_id, outcome="carried_out", ground="consent_withdrawn")
    assert _objects(services) == set()
    with pytest.raises(PolicyViolation):  # asked again: nothing left to erase
        erase(DPO, case.victim_id, outcome="carried_out", ground="consent_withdrawn")

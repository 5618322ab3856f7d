"""Evidence files through the API: attach (multipart), list, read, withdraw; every refusal
writes nothing; the case's visibility; tampering and erasure (issue 18)."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from PIL import Image
from werkzeug.test import TestResponse

from domain.case_state import EvidenceFile
from tests import samples
from tests.api.helpers import API, Api, assert_problem, attach
from tests.conftest import OFFICER


def stored_files(api: Api) -> list[Path]:
    """Every file under the blob store's directory, staged uploads included."""
    root = Path(api.services.files.staging.directory).parent
    return sorted(p for p in root.rglob("*") if p.is_file())


def blob_path(api: Api, address: str) -> Path:
    root = Path(api.services.files.staging.directory).parent
    return root / address[:2] / address[2:4] / address


def test_attach_list_read_and_withdraw_a_photo(api: Api) -> None:
    case = api.allocated_case()
    photo = samples.jpeg()
    answer = api.ok(
        attach(
            api,
            case,
            photo,
            declared="image/jpeg",
            about_id=case["victim_id"],
            taken_at="2026-11-22T23:10:00+00:00",
            description="Graffiti on the front door, before removal",
        )
    )
    assert answer["recorded"] == {"file_id": "file-1"}
    assert answer["version"] == case["version"] + 1

    listed = api.get(f"/cases/{case['case_id']}/files", "officer").get_json()
    (item,) = listed["items"]
    assert item["sha256"] == hashlib.sha256(photo).hexdigest()
    assert (item["size"], item["media_type"], item["kind"]) == (len(photo), "image/jpeg", "photo")
    assert item["about_id"] == case["victim_id"]
    assert item["description"] == "Graffiti on the front door, before removal"
    assert item["copy_without_metadata"] and not item["withdrawn"]

    read = api.get(f"/cases/{case['case_id']}/files/file-1", "officer")
    assert read.status_code == 200 and read.data == photo
    assert read.mimetype == "image/jpeg"
    assert read.headers["Content-Disposition"] == 'attachment; filename="file-1.jpg"'
    log = api.get(f"/audit/access?case_id={case['case_id']}", "auditor").get_json()["items"]
    assert {"GET /api/v1/cases/<uuid:case_id>/files/<file_id>"} <= {e["route"] for e in log}

    after = api.ok(
        api.command(
            answer, "file-withdrawals", {"file_id": "file-1", "reason": "wrong flat"}, "officer"
        )
    )
    (item,) = api.get(f"/cases/{case['case_id']}/files", "officer").get_json()["items"]
    assert item["withdrawn"] and after["version"] == answer["version"] + 1
    assert api.get(f"/cases/{case['case_id']}/files/file-1", "officer").data == photo  # kept


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("png", samples.png(), "photo"),
        ("heic", samples.heic(), "photo"),
        ("pdf", samples.pdf(), "letter"),
        ("docx", samples.docx(), "letter"),
        ("text", samples.text(), "diary_sheet"),
        ("mp3", samples.mp3(), "recording"),
        ("m4a", samples.m4a(), "recording"),
        ("wav", samples.wav(), "recording"),
        ("mp4", samples.mp4(), "recording"),
    ],
)
def test_every_type_is_recognised_from_its_bytes(
    api: Api, name: str, content: bytes, kind: str
) -> None:
    case = api.new_case()
    api.ok(attach(api, case, content, who="hub", kind=kind))
    (item,) = api.get(f"/cases/{case['case_id']}/files", "hub").get_json()["items"]
    assert item["about_id"] is None  # the case itself
    assert api.get(f"/cases/{case['case_id']}/files/file-1", "hub").data == content


def test_every_refusal_is_clear_and_writes_nothing(api: Api) -> None:
    case = api.allocated_case()
    path = f"/cases/{case['case_id']}/files"
    photo = samples.jpeg()
    api.services.files.limit = 5_000

    seen = {"If-Match": f'"{case["version"]}"'}

    def refused(status: int, field: str | None, response: TestResponse) -> None:
        body = assert_problem(response, status)
        if field:
            assert field in body["errors"], body
        assert stored_files(api) == [], f"a refused upload ({status}) left bytes behind"

    api.token("complaints"), api.token("officer")  # issuing a token is an event
    before = api.head()
    refused(422, "file", attach(api, case, photo, declared="application/pdf"))
    refused(422, "file", attach(api, case, b""))
    refused(422, "file", attach(api, case, b"GIF89a" + b"\x00" * 40))
    refused(422, "file", attach(api, case, b"plain\x00binary"))
    refused(422, "kind", attach(api, case, samples.pdf(), kind="photo"))
    refused(422, "about_id", attach(api, case, photo, about_id=str(case["case_id"])))
    refused(422, "taken_at", attach(api, case, photo, taken_at="2030-01-01T00:00:00+00:00"))
    refused(422, "kind", attach(api, case, photo, kind="selfie"))
    diary = samples.text() * 200
    too_big = assert_problem(attach(api, case, diary, kind="diary_sheet"), 413)
    assert too_big["detail"].startswith("the file is larger than the limit of 0.005 MB")
    assert stored_files(api) == []
    refused(412, None, attach(api, case, photo, version=case["version"] - 1))
    refused(403, None, attach(api, case, photo, who="complaints"))
    refused(428, None, api.client.post(f"{API}{path}", headers=api.auth("officer")))
    refused(
        415,
        None,
        api.client.post(
            f"{API}{path}",
            json={"kind": "photo"},
            headers=api.auth("officer", **seen),
        ),
    )
    refused(
        422,
        "file",
        api.client.post(
            f"{API}{path}",
            data={"kind": "photo"},
            content_type="multipart/form-data",
            headers=api.auth("officer", **seen),
        ),
    )
    refused(422, "file", attach(api, case, photo[: len(photo) // 2]))  # a JPEG cut short
    # a body cut short: the multipart framing never ends
    boundary = "cut"
    cut = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nphoto\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode() + photo[:1000]
    refused(
        400,
        None,
        api.client.post(
            f"{API}{path}",
            data=cut,
            content_type=f"multipart/form-data; boundary={boundary}",
            headers=api.auth("officer", **seen),
        ),
    )
    assert api.head() == before


def test_an_officer_of_another_team_finds_no_file_as_no_case(api: Api) -> None:
    case = api.allocated_case()
    api.ok(attach(api, case, samples.jpeg()))
    for who in ("south_officer", "other_officer", "hub"):
        assert_problem(api.get(f"/cases/{case['case_id']}", who), 404)
        assert_problem(api.get(f"/cases/{case['case_id']}/files", who), 404)
        assert_problem(api.get(f"/cases/{case['case_id']}/files/file-1", who), 404)
    assert_problem(api.get(f"/cases/{case['case_id']}/files/file-9", "officer"), 404)


def test_a_tampered_or_swapped_blob_is_never_served(api: Api) -> None:
    first, second = api.allocated_case(), api.allocated_case()
    api.ok(attach(api, first, samples.jpeg()))
    api.ok(attach(api, second, samples.jpeg(colour=(0, 200, 0))))
    ours = stored(api, first, "file-1")
    theirs = stored(api, second, "file-1")
    blob = blob_path(api, ours.blob)
    original = blob.read_bytes()

    flipped = bytearray(original)
    flipped[len(flipped) // 2] ^= 0x01
    blob.write_bytes(bytes(flipped))
    body = assert_problem(api.get(f"/cases/{first['case_id']}/files/file-1", "officer"), 500)
    assert body["title"] == "Integrity failure" and body["file_id"] == "file-1"
    (problem,) = api.services.files.verify().problems
    assert (str(problem.case_id), problem.file_id) == (first["case_id"], "file-1")

    blob.write_bytes(blob_path(api, theirs.blob).read_bytes())  # another case's blob
    assert_problem(api.get(f"/cases/{first['case_id']}/files/file-1", "officer"), 500)
    assert [p.file_id for p in api.services.files.verify().problems] == ["file-1"]

    blob.write_bytes(original)
    assert api.get(f"/cases/{first['case_id']}/files/file-1", "officer").data == samples.jpeg()
    assert api.services.files.verify().ok


def test_erasing_the_person_erases_their_files_and_leaves_the_case_s(api: Api) -> None:
    case = api.allocated_case()
    case = api.ok(attach(api, case, samples.jpeg(), about_id=case["victim_id"]))
    api.ok(attach(api, case, samples.pdf(), kind="letter"))
    about_victim = stored(api, case, "file-1")
    about_case = stored(api, case, "file-2")
    assert blob_path(api, about_victim.blob).exists()

    erased = api.client.post(
        f"{API}/subjects/{case['victim_id']}/erasure-requests",
        json={"outcome": "carried_out", "ground": "consent_withdrawn"},
        headers=api.auth("dpo"),
    )
    assert erased.status_code == 201, erased.get_json()
    assert_problem(api.get(f"/cases/{case['case_id']}/files/file-1", "officer"), 410)
    for address in [about_victim.blob, about_victim.metadata_free["blob"]]:  # type: ignore[index]
        assert not blob_path(api, address).exists()
    listed = api.get(f"/cases/{case['case_id']}/files", "officer").get_json()["items"]
    assert [i["erased"] for i in listed] == [True, False]
    assert api.get(f"/cases/{case['case_id']}/files/file-2", "officer").data == samples.pdf()
    assert blob_path(api, about_case.blob).exists()
    assert api.services.files.verify().ok


def test_a_photo_s_copy_without_metadata_keeps_every_pixel(api: Api) -> None:
    case = api.allocated_case()
    photo = samples.jpeg()
    api.ok(attach(api, case, photo))
    kept = stored(api, case, "file-1")
    copy = api.services.files.open(OFFICER, UUID(case["case_id"]), "file-1", without_metadata=True)
    data = b"".join(copy.chunks)
    assert kept.metadata_free is not None
    assert hashlib.sha256(data).hexdigest() == kept.metadata_free["sha256"]
    assert samples.CAMERA.encode() in photo and samples.CAMERA.encode() not in data
    assert not Image.open(io.BytesIO(data)).getexif()
    assert Image.open(io.BytesIO(data)).tobytes() == Image.open(io.BytesIO(photo)).tobytes()


def stored(api: Api, case: Mapping[str, Any], file_id: str) -> EvidenceFile:
    return api.services.files.file(OFFICER, UUID(case["case_id"]), file_id)

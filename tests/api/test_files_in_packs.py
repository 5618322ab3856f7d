"""Evidence files in evidence packs: the files chosen are in the zip, without location
metadata unless chosen, and the offline verifier proves each against its attach event
(issue 18)."""

from __future__ import annotations

import hashlib
import io
import zipfile
from typing import Any

from application.integrity.checkpoint import sign_note
from application.integrity.evidence_verifier import PACK_MANIFEST, check_pack, manifest_text
from tests import samples
from tests.api.helpers import API, Api, assert_problem, attach
from tests.api.test_files import blob_path, stored


def _case_with_files(api: Api) -> dict[str, Any]:
    case = api.allocated_case()
    case = api.ok(attach(api, case, samples.jpeg(), about_id=case["victim_id"]))
    case = api.ok(attach(api, case, samples.png()))
    case = api.ok(attach(api, case, samples.heic()))
    case = api.ok(attach(api, case, samples.pdf(), kind="letter"))
    return api.step(case, "complaints", {"stage": "stage_1", "summary": "Too slow."}, "complaints")


def _pack(api: Api, case: dict[str, Any], **body: Any) -> Any:
    return api.client.post(
        f"{API}/cases/{case['case_id']}/evidence-packs",
        json={"purpose": "complaint", **body},
        headers=api.auth("complaints"),
    )


def _zip(api: Api, response: Any) -> tuple[bytes, dict[str, bytes], str]:
    assert response.status_code == 201, response.get_json()
    data = api.client.get(response.headers["Location"], headers=api.auth("complaints")).data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    key = api.client.get(f"{API}/audit/public-key").get_json()["verifier_key"]
    return data, files, key


def test_a_pack_carries_the_chosen_files_without_location_unless_chosen(api: Api) -> None:
    case = _case_with_files(api)
    refused = assert_problem(_pack(api, case, files=["file-3"]), 422)
    assert "include metadata" in refused["errors"]["files"][0]  # a HEIC cannot be stripped
    assert_problem(_pack(api, case, files=["file-9"]), 422)

    data, files, key = _zip(api, _pack(api, case, files=["file-1", "file-2", "file-4"]))
    report = check_pack(data, key)
    assert report.ok, report.problems
    in_pack = {n for n in files if n.startswith("files/")}
    assert in_pack == {"files/file-1.jpg", "files/file-2.png", "files/file-4.pdf"}
    for name in ("files/file-1.jpg", "files/file-2.png"):
        assert samples.CAMERA.encode() not in files[name]  # no device metadata leaves
    assert files["files/file-4.pdf"] == samples.pdf()

    data, files, key = _zip(
        api, _pack(api, case, files=["file-1", "file-3"], include_metadata=True)
    )
    assert check_pack(data, key).ok
    assert files["files/file-1.jpg"] == samples.jpeg()  # as uploaded, metadata and all
    assert files["files/file-3.heic"] == samples.heic()


def test_the_verifier_fails_on_a_file_that_is_not_the_one_attached(api: Api) -> None:
    case = _case_with_files(api)
    _, files, key = _zip(api, _pack(api, case, files=["file-1"], include_metadata=True))

    flipped = dict(files)
    photo = files["files/file-1.jpg"]
    flipped["files/file-1.jpg"] = photo[:-1] + bytes([photo[-1] ^ 1])
    problems = check_pack(_rezip(flipped), key).problems
    assert any(p.startswith("files/file-1.jpg: altered") for p in problems), problems

    # an insider with the signing key swaps in another photo and signs the manifest again:
    # the manifest holds, the attach event (in the signed log) does not
    swapped = dict(files)
    swapped["files/file-1.jpg"] = samples.jpeg(colour=(0, 0, 250))
    resigned = _resign(api, swapped)
    problems = check_pack(resigned, key).problems
    assert problems and all("file-1.jpg" in p for p in problems), problems
    assert "not the file whose SHA-256 its attach event" in problems[0]


def test_a_pack_is_not_made_from_a_tampered_file(api: Api) -> None:
    case = _case_with_files(api)
    blob = blob_path(api, stored(api, case, "file-4").blob)
    stored_bytes = blob.read_bytes()
    blob.write_bytes(stored_bytes[:-1] + bytes([stored_bytes[-1] ^ 1]))
    before = api.head()
    body = assert_problem(_pack(api, case, files=["file-4"]), 500)
    assert body["title"] == "Integrity failure" and body["file_id"] == "file-4"
    assert api.head() == before  # no pack event for a pack that cannot be made


def _rezip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in sorted(files):
            archive.writestr(name, files[name])
    return out.getvalue()


def _resign(api: Api, files: dict[str, bytes]) -> bytes:
    text = files[PACK_MANIFEST].decode()
    fields = dict(
        line.split(" ", 1)
        for line in text.split("\n\n", 1)[0].splitlines()[1:]
        if not line.startswith("file ")
    )
    others = {n: d for n, d in files.items() if n != PACK_MANIFEST}
    _, key = api.services.integrity.signing_key()
    signed = sign_note(manifest_text(fields, others), key).encode()
    return _rezip(others | {PACK_MANIFEST: signed})


def test_a_person_s_export_lists_the_files_about_them_and_the_dpo_gets_copies(api: Api) -> None:
    case = api.allocated_case()
    witness = api.ok(
        api.command(
            case, "subjects", {"role": "witness", "details": {"name": "W. Ness"}}, "officer"
        )
    )
    witness_id = witness["recorded"]["subject_id"]
    case = api.ok(attach(api, witness, samples.jpeg(), about_id=case["victim_id"]))
    case = api.ok(attach(api, case, samples.heic(), about_id=case["victim_id"]))
    case = api.ok(attach(api, case, samples.pdf(), kind="letter", about_id=witness_id))

    answered = api.client.post(
        f"{API}/subjects/{case['victim_id']}/access-requests", json={}, headers=api.auth("dpo")
    )
    base = f"/subjects/{case['victim_id']}/access-requests/{answered.get_json()['request_id']}"
    export = api.get(f"{base}/export", "dpo").get_json()
    listed = export["files about you"]["files"]
    assert [(f["what"], f["SHA-256"]) for f in listed] == [
        ("photo", hashlib.sha256(samples.jpeg()).hexdigest()),
        ("photo", hashlib.sha256(samples.heic()).hexdigest()),
    ]  # the witness's letter is not theirs

    copies = api.get(f"{base}/files.zip", "dpo")
    assert copies.status_code == 200
    with zipfile.ZipFile(io.BytesIO(copies.data)) as archive:
        names = archive.namelist()
        photo = archive.read(listed[0]["file"])
        readme = archive.read("README.txt").decode()
    assert samples.CAMERA.encode() not in photo
    assert listed[1]["file"] not in names and "cannot be removed" in readme
    with_metadata = api.get(f"{base}/files.zip?metadata=include", "dpo").data
    with zipfile.ZipFile(io.BytesIO(with_metadata)) as archive:
        assert archive.read(listed[0]["file"]) == samples.jpeg()
        assert archive.read(listed[1]["file"]) == samples.heic()
    assert_problem(api.get(f"{base}/files.zip", "officer"), 403)

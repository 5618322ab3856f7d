"""Hostile input, one kind at a time: each gets a clean 4xx problem and stores nothing.

Oversized bodies, wrong content types, deep JSON nesting, Unicode edge cases (NUL, lone
surrogates escaped in JSON, right-to-left marks, very long strings), path traversal in
names, and CR/LF in headers (sent raw to the real server, since no HTTP client library
will put them on the wire).
"""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest

from interface.api.app import MAX_BODY_BYTES, SECURITY_HEADERS
from tests.api.helpers import Api, report_body
from tests.conftest import sqlite_env
from tests.reliability.harness import Server, issue_tokens

JSON = "application/json"


def _raw(api: Api, status: int, data: str | bytes, content_type: str = JSON) -> dict[str, Any]:
    return api.refused(
        status,
        "POST",
        "/cases",
        "hub",
        headers={"Content-Type": content_type},
        data=data,
    )


def test_an_oversized_body_is_413(api: Api) -> None:
    body = json.dumps(report_body(description="x" * (MAX_BODY_BYTES + 1)))
    _raw(api, 413, body)


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""],
)
def test_a_body_that_is_not_json_is_415(api: Api, content_type: str) -> None:
    _raw(api, 415, json.dumps(report_body()), content_type)


@pytest.mark.parametrize(
    "data",
    [
        "[" * 10_000 + "]" * 10_000,
        '{"a":' * 10_000 + "1" + "}" * 10_000,
        '{"channel": NaN}',
        '{"strands": [' + "9" * 5000 + "]}",
        b"\xff\xfe{not utf-8",
        "{",
    ],
    ids=["arrays-10k", "objects-10k", "nan", "huge-int", "bad-utf8", "truncated"],
)
def test_malformed_or_absurd_json_is_400(api: Api, data: str | bytes) -> None:
    _raw(api, 400, data)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("description", "before\x00after"),
        ("description", "lone \ud800 surrogate"),
        ("description", "lone \udfff low surrogate"),
        ("location", "\x00"),
        ("victim", {"name": "Amara\x00"}),
        ("victim", {"\udc00": "key"}),
    ],
    ids=["nul", "high-surrogate", "low-surrogate", "nul-only", "nested-nul", "surrogate-key"],
)
def test_text_no_record_can_hold_is_422(api: Api, field: str, value: Any) -> None:
    body = json.dumps(report_body(**{field: value}))  # escapes: \u0000, \ud800
    problem = _raw(api, 422, body)
    assert "NUL or unpaired surrogate" in json.dumps(problem["errors"])


@pytest.mark.parametrize(
    "data",
    [
        '{"channel": "phone", "channel": "walk_in"}',
        '{"victim": {"name": "A. Resident", "name": "B. Other"}}',
    ],
    ids=["top-level", "nested"],
)
def test_a_key_given_twice_is_422_naming_it(api: Api, data: str) -> None:
    body = json.dumps(report_body())[:-1] + ", " + data[1:]  # the report, then the duplicate
    problem = _raw(api, 422, body)
    [key] = problem["errors"]
    assert key == ("channel" if "channel" in data else "name")
    assert "more than once" in problem["errors"][key][0]
    staff = api.refused(
        422,
        "POST",
        "/staff",
        "admin",
        data='{"username": "a.b", "role": "hub", "role": "admin"}',
        content_type=JSON,
    )
    assert list(staff["errors"]) == ["role"]


def test_nul_in_a_query_string_is_422(api: Api) -> None:
    api.refused(422, "GET", "/cases?officer=a%00b", "manager")
    api.refused(422, "GET", "/audit/access?actor=%00", "auditor")


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("manager", "/cases?offset=99999999999999999999999"),
        ("auditor", "/audit/access?offset=9223372036854775808"),
        ("auditor", "/audit/checkpoints?after=99999999999999999999999"),
    ],
)
def test_integers_beyond_64_bits_in_queries_are_422(api: Api, who: str, path: str) -> None:
    api.refused(422, "GET", path, who)


def test_very_long_strings_are_422_with_the_field_named(api: Api) -> None:
    problem = _raw(api, 422, json.dumps(report_body(description="x" * 100_000)))
    assert "description" in problem["errors"]


def test_right_to_left_marks_and_astral_text_are_kept_exactly(api: Api) -> None:
    text = "\u202eevil.exe\u202c \u200f\u0627\u0644\u200e 🏳️‍🌈 e\u0301 \ufeff"
    case = api.ok(api.report("hub", description=text, victim={"name": "\u202eZoë"}))
    assert api.ok(api.get(f"/cases/{case['case_id']}", "hub"), 200)["description"] == text


@pytest.mark.parametrize(
    "path",
    [
        "/staff/..%2F..%2Fetc%2Fpasswd",
        "/staff/..",
        "/staff/%2e%2e%2f%2e%2e",
        "/staff/..%5C..%5Cwindows",
    ],
)
def test_path_traversal_in_a_staff_name_is_404(api: Api, path: str) -> None:
    api.refused(404, "DELETE", path, "admin")


@pytest.mark.parametrize(
    "path",
    [
        "/cases/..%2F..%2Fopenapi.json",
        "/cases/../../health",
        "/subjects/..%2F..%2Fcases",
        "/cases/%2e%2e/events",
    ],
)
def test_path_traversal_in_ids_is_404(api: Api, path: str) -> None:
    api.refused(404, "GET", path, "manager")


REFUSED = (b"400", b"401", b"422")
SMUGGLED_HEADERS = [
    (b"X-Access-Reason: case_work\rSet-Cookie: stolen=1", REFUSED),  # bare CR
    (b"X-Access-Reason: case_work\nSet-Cookie: stolen=1", REFUSED),  # bare LF
    (b"Authorization: Bearer x\x00y", REFUSED),  # NUL
    # obsolete line folding: unfolded into one harmless value of a header /cases ignores
    (b"X-Access-Reason: case_work\r\n Set-Cookie: stolen=1", (*REFUSED, b"200")),
]


@pytest.mark.e2e
def test_cr_lf_in_headers_is_refused_and_never_echoed_in_headers(tmp_path: Path) -> None:
    # The HTTP transport is the same whatever the engine: SQLite is enough here.
    engine_env = sqlite_env(str(tmp_path))
    token = issue_tokens(engine_env, "manager")["manager"]
    server = Server(engine_env, tmp_path, threads=2)
    server.start()
    answers = []
    try:
        for header, _ in SMUGGLED_HEADERS:
            request = (
                b"GET /api/v1/cases HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + f"Authorization: Bearer {token}\r\n".encode()
                + header
                + b"\r\nConnection: close\r\n\r\n"
            )
            with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
                s.sendall(request)
                answer = b""
                while chunk := s.recv(65536):
                    answer += chunk
            answers.append(answer)
    finally:
        server.stop()
    for (header, statuses), answer in zip(SMUGGLED_HEADERS, answers, strict=True):
        status_line, _, rest = answer.partition(b"\r\n")
        head = rest.partition(b"\r\n\r\n")[0].lower()
        assert status_line.split()[1] in statuses, (header, answer[:300])
        assert b"stolen" not in head and b"set-cookie" not in head
        assert answer.count(b"HTTP/1.") == 1, answer  # one request, one answer


def test_every_refusal_above_carries_the_security_headers(api: Api) -> None:
    deep = "[" * 10_000 + "]" * 10_000  # as JSON it reaches the nesting guard (a 400, not a 500)
    for response, status in (
        (
            api.client.post("/api/v1/cases", data=deep, content_type=JSON, headers=api.auth("hub")),
            400,
        ),
        (api.client.post("/api/v1/cases", data=deep, headers=api.auth("hub")), 415),
        (api.client.get("/api/v1/nowhere"), 404),
        (api.client.put("/api/v1/cases"), 405),
    ):
        assert response.status_code == status, response.get_data(as_text=True)
        assert set(SECURITY_HEADERS) <= set(response.headers.keys())

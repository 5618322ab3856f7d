"""Signing keys, signed notes and checkpoints.

The note vector is the PeterNeumann example of golang.org/x/mod/sumdb/note, the
reference signed-note implementation; Ed25519 is deterministic, so signing its text
with its key must reproduce its note byte for byte.
"""

from __future__ import annotations

import base64
import os
import stat
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from application.integrity.checkpoint import (
    SigningKey,
    checkpoint_body,
    sign_checkpoint,
    sign_note,
)
from application.integrity.evidence_verifier import (
    Checkpoint,
    NoteError,
    open_checkpoint,
    parse_verifier_key,
    verify_note,
)

GO_SIGNER_KEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VERIFIER_KEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_SIGNATURE = (
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="
)
GO_NOTE = f"{GO_TEXT}\n\u2014 PeterNeumann {GO_SIGNATURE}\n"

ORIGIN = "caseledger.example/log"
ROOT = bytes(range(32))
TIME = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


def go_key() -> SigningKey:
    material = base64.b64decode(GO_SIGNER_KEY.split("+", 4)[4])
    assert material[0] == 0x01
    return SigningKey("PeterNeumann", Ed25519PrivateKey.from_private_bytes(material[1:]))


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return SigningKey.generate(ORIGIN)


# --- the reference vector ---------------------------------------------------------------


def test_signing_reproduces_the_go_note() -> None:
    key = go_key()
    assert key.verifier_key() == GO_VERIFIER_KEY
    assert sign_note(GO_TEXT, key) == GO_NOTE


def test_the_go_note_verifies() -> None:
    assert verify_note(GO_NOTE, parse_verifier_key(GO_VERIFIER_KEY)) == GO_TEXT


# --- checkpoints ------------------------------------------------------------------------


def test_checkpoint_round_trip(key: SigningKey) -> None:
    note = sign_checkpoint(ORIGIN, 1234, ROOT, TIME, key)
    body = f"{ORIGIN}\n1234\n{base64.b64encode(ROOT).decode()}\ntime 2026-11-26T10:00:00Z\n"
    assert note.startswith(body + "\n\u2014 " + ORIGIN + " ")
    checkpoint = open_checkpoint(note, parse_verifier_key(key.verifier_key()))
    assert checkpoint == Checkpoint(ORIGIN, 1234, ROOT, ("time 2026-11-26T10:00:00Z",))
    assert checkpoint.time == TIME


def test_checkpoint_time_is_written_in_utc() -> None:
    local = datetime(2026, 11, 26, 11, 0, 30, 999, tzinfo=timezone(timedelta(hours=1)))
    assert checkpoint_body(ORIGIN, 0, ROOT, local).endswith("\ntime 2026-11-26T10:00:30Z\n")


@pytest.mark.parametrize(
    ("origin", "size", "root", "time"),
    [
        ("", 1, ROOT, TIME),
        ("two\nlines", 1, ROOT, TIME),
        (ORIGIN, -1, ROOT, TIME),
        (ORIGIN, 2**64, ROOT, TIME),
        (ORIGIN, 1, ROOT[:31], TIME),
        (ORIGIN, 1, ROOT, datetime(2026, 11, 26, 10, 0)),
    ],
)
def test_unwritable_checkpoints_are_refused(
    origin: str, size: int, root: bytes, time: datetime
) -> None:
    with pytest.raises(ValueError):
        checkpoint_body(origin, size, root, time)


def test_control_characters_are_never_signed(key: SigningKey) -> None:
    with pytest.raises(ValueError):
        sign_checkpoint("tab\there", 1, ROOT, TIME, key)
    with pytest.raises(ValueError):
        sign_note("no final newline", key)


# --- tampering ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def note(key: SigningKey) -> str:
    return sign_checkpoint(ORIGIN, 1234, ROOT, TIME, key)


def _signature_line(note: str) -> str:
    return note[note.rindex("\n\n") + 2 :]


def test_a_tampered_body_is_rejected(key: SigningKey, note: str) -> None:
    with pytest.raises(NoteError, match="does not verify"):
        verify_note(note.replace("\n1234\n", "\n1235\n"), key.verifier)


def test_a_note_signed_by_another_key_is_rejected(key: SigningKey, note: str) -> None:
    with pytest.raises(NoteError, match="not signed by"):
        verify_note(note, SigningKey.generate("someone.else/log").verifier)
    # Same name, different key: a different key id, so still not our signature.
    with pytest.raises(NoteError, match="not signed by"):
        verify_note(note, SigningKey.generate(ORIGIN).verifier)


def test_a_forged_signature_is_rejected(key: SigningKey, note: str) -> None:
    line = _signature_line(note)
    raw = bytearray(base64.b64decode(line.split(" ")[2]))
    raw[-1] ^= 1
    forged = note.replace(line, f"\u2014 {ORIGIN} {base64.b64encode(raw).decode()}\n")
    with pytest.raises(NoteError, match="does not verify"):
        verify_note(forged, key.verifier)
    truncated = note.replace(line, f"\u2014 {ORIGIN} {base64.b64encode(raw[:-1]).decode()}\n")
    with pytest.raises(NoteError, match="does not verify"):
        verify_note(truncated, key.verifier)


@pytest.mark.parametrize("dash", ["-", "\u2013", "\u2212", "--", "\u2014\u2014"])
def test_only_an_em_dash_starts_a_signature_line(key: SigningKey, note: str, dash: str) -> None:
    with pytest.raises(NoteError, match="em dash"):
        verify_note(note.replace("\u2014 ", dash + " "), key.verifier)


def test_unknown_signatures_are_ignored_but_must_be_well_formed(key: SigningKey, note: str) -> None:
    witness = SigningKey.generate("witness.example/w1")
    cosigned = note + _signature_line(sign_note(note[: note.rindex("\n\n") + 1], witness))
    assert verify_note(cosigned, key.verifier) == verify_note(note, key.verifier)
    assert verify_note(cosigned, witness.verifier) == verify_note(note, key.verifier)
    with pytest.raises(NoteError, match="malformed"):
        verify_note(note + "\u2014 extra\n", key.verifier)
    with pytest.raises(NoteError, match="em dash"):
        verify_note(note + "a comment\n", key.verifier)


def test_a_repeated_signature_is_rejected(key: SigningKey, note: str) -> None:
    with pytest.raises(NoteError, match="duplicate"):
        verify_note(note + _signature_line(note), key.verifier)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda n: n[:-1],  # no final newline
        lambda n: n.replace("\n\n", "\n"),  # no blank line
        lambda n: n.replace("\n\n", "\n\n\n"),  # blank line moves into the body
        lambda n: n[: n.rindex("\n\n") + 2],  # no signatures
        lambda n: n.replace("\n1234", "\r\n1234"),  # control character
        lambda n: n + "\n",  # trailing empty line
        lambda n: n.replace(f"{ORIGIN} ", f"{ORIGIN}  "),  # double space
        lambda n: n[:-2] + "\n",  # base64 padding removed
    ],
)
def test_malformed_notes_are_rejected(
    key: SigningKey, note: str, mangle: Callable[[str], str]
) -> None:
    with pytest.raises(NoteError):
        verify_note(mangle(note), key.verifier)


# --- verifier keys ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "PeterNeumann+c74f20a3",
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # wrong id
        "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # upper case
        "PeterNeuman+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # other name
        "PeterNeumann+c74f20a3+Ahpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # type 0x02
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10",  # short key
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T!",  # not base64
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # space
        "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # empty name
    ],
)
def test_bad_verifier_keys_are_rejected(text: str) -> None:
    with pytest.raises(NoteError):
        parse_verifier_key(text)


def test_verifier_key_round_trips(key: SigningKey) -> None:
    parsed = parse_verifier_key(key.verifier_key())
    assert parsed == key.verifier
    assert str(parsed) == key.verifier_key()
    assert parsed.key_id == key.key_id


def test_key_names_are_checked() -> None:
    for name in ("", "has space", "has+plus", "tab\t", "\ud800"):
        with pytest.raises(NoteError):
            SigningKey.generate(name)


# --- key files ----------------------------------------------------------------------------


def test_key_file_round_trip_with_owner_only_mode(tmp_path: Path, key: SigningKey) -> None:
    path = tmp_path / "checkpoint-key.pem"
    old_umask = os.umask(0)
    try:
        key.save(path)
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    loaded = SigningKey.load(path, ORIGIN)
    assert loaded.verifier_key() == key.verifier_key()


def test_a_key_file_is_never_overwritten(tmp_path: Path, key: SigningKey) -> None:
    path = tmp_path / "checkpoint-key.pem"
    path.write_bytes(b"existing")
    with pytest.raises(FileExistsError):
        key.save(path)
    assert path.read_bytes() == b"existing"


def test_an_encrypted_key_file_needs_its_password(tmp_path: Path, key: SigningKey) -> None:
    path = tmp_path / "checkpoint-key.pem"
    key.save(path, password=b"correct horse")
    assert b"ENCRYPTED" in path.read_bytes()
    assert SigningKey.load(path, ORIGIN, b"correct horse").verifier == key.verifier
    with pytest.raises(ValueError):
        SigningKey.load(path, ORIGIN, b"wrong")


def test_a_non_ed25519_key_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ec.pem"
    path.write_bytes(
        generate_private_key(SECP256R1()).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    with pytest.raises(ValueError, match="Ed25519"):
        SigningKey.load(path, ORIGIN)

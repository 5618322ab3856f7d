"""The evidence verifier: checks caseledger evidence bundles and packs (one self-contained
file; Python 3.11+).

This one file is copied verbatim into every evidence pack, as ``offline_verifier.py`` (the
name says what a recipient does with it), so that anyone can check a case without access to
the ledger. It needs only the Python standard library and the `cryptography` package
(``pip install cryptography``)::

    python offline_verifier.py bundle.json --trusted-key '<name>+<key id>+<key>'
    python offline_verifier.py evidence-pack.zip --trusted-key '<name>+<key id>+<key>'

Pass the landlord's published verifier key with ``--trusted-key``; without it the key
carried in the bundle is used, which proves only that the bundle is self-consistent: the
result is then UNANCHORED, exit status 2, never OK.
The ledger imports the same functions, so the rules below are stated exactly once.

Merkle tree (RFC 9162 section 2.1): ``leaf_hash(d) = SHA-256(0x00 || d)``,
``node_hash(l, r) = SHA-256(0x01 || l || r)``; the empty tree's root is SHA-256 of
nothing. Leaves are stored events in notification (global position) order.

Leaf data, format "caseledger-leaf-v1" (integers big-endian)::

    u16 length || b"caseledger-leaf-v1"   format tag
    u64  position                         notification id of the stored event
    16 bytes originator id                raw UUID bytes (the case's aggregate id)
    u64  originator version
    u16 length || topic                   UTF-8
    32 bytes SHA-256(state)               the stored bytes (ciphertext) as stored
    32 bytes previous leaf hash           of the same originator's previous event;
                                          32 zero bytes for its first event

Checkpoints are C2SP signed notes (https://c2sp.org/signed-note) with Ed25519 keys, and
their text is a C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint)::

    <origin>\\n<tree size>\\n<base64 root hash>\\n[time <YYYY-MM-DDTHH:MM:SSZ>\\n]
    \\n
    \u2014 <key name> <base64(4-byte key id || 64-byte Ed25519 signature)>\\n

Bundle JSON (one case)::

    {
      "format": "caseledger-evidence-bundle",
      "version": 1,
      "case_id": "<UUID, the case's originator id>",
      "verifier_key": "<key name>+<8 hex digit key id>+<base64(0x01 || public key)>",
      "checkpoint": "<signed checkpoint note>",
      "events": [                         # in originator version order
        {
          "position": <int>,              # notification id
          "originator_id": "<UUID>",
          "originator_version": <int>,    # 1, 2, 3, ... with no gaps
          "topic": "<str>",
          "state": "<base64 of the stored bytes>",
          "previous_leaf_hash": "<base64, 32 bytes>",
          "leaf_index": <int>,            # index of the event's leaf in the tree
          "inclusion_proof": ["<base64, 32 bytes>", ...]
        }
      ],
      "earlier_checkpoint": "<signed note>",   # optional, with consistency_proof:
      "consistency_proof": ["<base64>", ...]   # proves the log only grew since then
    }

Checks: the checkpoint is signed by the key; each event's leaf, rebuilt from its fields
and stored bytes, is in the signed tree; the case's events form an unbroken chain
(versions 1..n once each, each previous leaf hash is the leaf hash of the version
before, positions and leaf indexes rise with the version); and, if given, the earlier
checkpoint is consistent with the current one. A bundle cannot show that events were
removed from the end of a case; compare the last version with the case record for that.

Evidence pack (a zip; see ``PACK_FILES``): a readable PDF, ``events.json`` (each event's
stored bytes and its decrypted, redacted content), the bundle, its checkpoint and key,
this file, and ``manifest.sig``: a signed note, by the same key as the checkpoint, of::

    caseledger-evidence-pack v1
    case <UUID>
    pack <n>
    purpose <complaint | case-review>
    through-version <version of the EvidencePackProduced event>
    checkpoint <tree size> <base64 root hash>
    file <hex SHA-256> <name in the zip>      # one line per other file, sorted by name

Checks: the manifest is signed; every file is listed and matches its hash, and nothing
else is in the zip; the bundle verifies; the checkpoint and key files are the bundle's;
the case's chain runs unbroken from version 1 to the pack's own EvidencePackProduced
event, which the checkpoint covers (so a pack cannot leave out the case's latest events
without showing it); and ``events.json`` carries exactly the proven stored bytes.

Evidence files: the pack's own event (its stored JSON) names the files chosen for it and
the form of each (``original``, or ``without_metadata``: the copy without location and
device metadata made when it was attached); each is in the zip as ``files/<file id>.<ext>``
and must hash to the SHA-256 its ``EvidenceFileAttached`` event recorded for that form
(``sha256``, or ``metadata_free.sha256``), that event being one of the proven events. A
file whose person was erased after the pack was produced is ``files/<file id>.erased.txt``
and cannot be checked. Files the producer left out are listed, with their hashes, in the
PDF; their attach events are in the bundle like every event.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import itertools
import json
import re
import struct
import sys
import uuid
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
ZERO_HASH = bytes(HASH_SIZE)
U64_MAX = 2**64 - 1

LEAF_FORMAT = b"caseledger-leaf-v1"

ED25519_SIGNATURE_TYPE = 0x01
ED25519_PUBLIC_KEY_SIZE = 32
ED25519_SIGNATURE_SIZE = 64
KEY_ID_SIZE = 4
SIGNATURE_PREFIX = "\u2014 "  # EM DASH, space
MAX_NOTE_CHARS = 64 * 1024
MAX_SIGNATURES = 64

TIME_EXTENSION = "time "
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

BUNDLE_FORMAT = "caseledger-evidence-bundle"
BUNDLE_VERSION = 1

PACK_HEADER = "caseledger-evidence-pack v1"
PACK_MANIFEST = "manifest.sig"
PACK_PDF = "evidence-pack.pdf"
PACK_EVENTS = "events.json"
PACK_BUNDLE = "integrity/bundle.json"
PACK_CHECKPOINT = "integrity/checkpoint.txt"
PACK_KEY = "integrity/public-key.txt"
PACK_VERIFIER = "offline_verifier.py"
PACK_README = "README.txt"
PACK_FILES = (
    PACK_README,
    PACK_PDF,
    PACK_EVENTS,
    PACK_BUNDLE,
    PACK_CHECKPOINT,
    PACK_KEY,
    PACK_VERIFIER,
)
PACK_FIELDS = ("case", "pack", "purpose", "through-version", "checkpoint")
PACK_EVENT_TOPIC = "domain.case_events:EvidencePackProduced"
PACK_FILE_DIR = "files/"
ATTACH_EVENT_TOPIC = "domain.case_events:EvidenceFileAttached"
ERASED_SUFFIX = ".erased.txt"
FORM_HASHES = {"original": ("sha256",), "without_metadata": ("metadata_free", "sha256")}

_DECIMAL = re.compile(r"0|[1-9][0-9]*")
_KEY_ID_HEX = re.compile(r"[0-9a-f]{8}")


class NoteError(ValueError):
    """A signed note or verifier key is malformed or its signature does not verify."""


class CheckpointError(ValueError):
    """A checkpoint body does not follow the tlog-checkpoint format."""


# --- RFC 9162 hashing ---------------------------------------------------------------


def leaf_hash(data: bytes) -> bytes:
    """RFC 9162 leaf hash: SHA-256(0x00 || data)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 interior node hash: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _u16_prefixed(data: bytes) -> bytes:
    if len(data) > 0xFFFF:
        raise ValueError("field longer than 65535 bytes")
    return struct.pack(">H", len(data)) + data


def _u64(value: int, name: str) -> bytes:
    if not 0 <= value <= U64_MAX:
        raise ValueError(f"{name} {value} is outside 0..2**64-1")
    return struct.pack(">Q", value)


def event_leaf_data(
    position: int,
    originator_id: uuid.UUID,
    originator_version: int,
    topic: str,
    state: bytes,
    previous_leaf_hash: bytes,
) -> bytes:
    """The "caseledger-leaf-v1" leaf data of a stored event (see the module docstring)."""
    if len(previous_leaf_hash) != HASH_SIZE:
        raise ValueError("previous leaf hash must be 32 bytes")
    return b"".join(
        (
            _u16_prefixed(LEAF_FORMAT),
            _u64(position, "position"),
            originator_id.bytes,
            _u64(originator_version, "originator version"),
            _u16_prefixed(topic.encode("utf-8")),
            hashlib.sha256(state).digest(),
            previous_leaf_hash,
        )
    )


def event_leaf_hash(
    position: int,
    originator_id: uuid.UUID,
    originator_version: int,
    topic: str,
    state: bytes,
    previous_leaf_hash: bytes,
) -> bytes:
    """The Merkle leaf hash of a stored event."""
    return leaf_hash(
        event_leaf_data(
            position, originator_id, originator_version, topic, state, previous_leaf_hash
        )
    )


# --- RFC 9162 proof verification ----------------------------------------------------


def _are_hashes(*values: object) -> bool:
    return all(isinstance(v, bytes) and len(v) == HASH_SIZE for v in values)


def verify_inclusion(
    leaf_hash: bytes, index: int, tree_size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """Whether `proof` shows the leaf `leaf_hash` at `index` in the tree with `root`.

    RFC 9162 section 2.1.3.2, step by step.
    """
    if not 0 <= index < tree_size or not _are_hashes(leaf_hash, root, *proof):
        return False
    fn, sn = index, tree_size - 1
    r = leaf_hash
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    size1: int, size2: int, root1: bytes, root2: bytes, proof: Sequence[bytes]
) -> bool:
    """Whether `proof` shows the tree (size1, root1) is a prefix of (size2, root2).

    RFC 9162 section 2.1.4.2 defines proofs for 0 < size1 < size2. For the other
    cases the proof must be empty: equal sizes need equal roots, and the empty tree
    (whose root is SHA-256 of nothing, section 2.1.1) is a prefix of every tree.
    """
    if not 0 <= size1 <= size2 or not _are_hashes(root1, root2, *proof):
        return False
    if size1 == 0:
        return not proof and root1 == EMPTY_ROOT and (size2 > 0 or root2 == EMPTY_ROOT)
    if size1 == size2:
        return not proof and root1 == root2
    if not proof:
        return False
    path = list(proof)
    if size1 & (size1 - 1) == 0:
        path.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == root1 and sr == root2 and sn == 0


# --- C2SP signed notes and checkpoints ----------------------------------------------


def b64decode_strict(text: str) -> bytes:
    """Decode standard, padded, canonical base64 (RFC 4648 section 4) or raise ValueError."""
    raw = base64.b64decode(text.encode("ascii"), validate=True)
    # Rejecting non-canonical encodings keeps one byte string to one text.
    if base64.b64encode(raw).decode("ascii") != text:
        raise ValueError("non-canonical base64")
    return raw


def b64encode(data: bytes) -> str:
    """Standard padded base64 as text."""
    return base64.b64encode(data).decode("ascii")


def _check_utf8(text: str, what: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise NoteError(f"{what} is not valid UTF-8") from None


def check_key_name(name: str) -> None:
    """Raise NoteError unless `name` is a valid signed-note key name."""
    _check_utf8(name, "key name")
    if not name or any(ch.isspace() or ch == "+" or ch < " " for ch in name):
        raise NoteError(f"invalid key name {name!r}")


def ed25519_key_id(name: str, public_key: bytes) -> bytes:
    """The 4-byte key id: SHA-256(name || 0x0A || 0x01 || public key)[:4]."""
    material = name.encode("utf-8") + b"\n" + bytes([ED25519_SIGNATURE_TYPE]) + public_key
    return hashlib.sha256(material).digest()[:KEY_ID_SIZE]


@dataclass(frozen=True)
class VerifierKey:
    """An Ed25519 signed-note verifier key."""

    name: str
    key_id: bytes
    public_key: bytes

    def __str__(self) -> str:
        encoded = b64encode(bytes([ED25519_SIGNATURE_TYPE]) + self.public_key)
        return f"{self.name}+{self.key_id.hex()}+{encoded}"


def parse_verifier_key(text: str) -> VerifierKey:
    """Parse "<name>+<hex key id>+<base64(0x01 || public key)>"; raise NoteError if bad."""
    parts = text.split("+", 2)
    if len(parts) != 3:
        raise NoteError("verifier key must be <name>+<key id>+<key>")
    name, key_id_hex, encoded = parts
    check_key_name(name)
    if _KEY_ID_HEX.fullmatch(key_id_hex) is None:
        raise NoteError("verifier key id must be 8 lower-case hex digits")
    try:
        material = b64decode_strict(encoded)
    except ValueError as exc:
        raise NoteError(f"verifier key material is not base64: {exc}") from None
    if len(material) != 1 + ED25519_PUBLIC_KEY_SIZE or material[0] != ED25519_SIGNATURE_TYPE:
        raise NoteError("verifier key is not an Ed25519 (type 0x01) key")
    public_key = material[1:]
    if ed25519_key_id(name, public_key) != bytes.fromhex(key_id_hex):
        raise NoteError("verifier key id does not match its name and key")
    return VerifierKey(name, bytes.fromhex(key_id_hex), public_key)


def _parse_signature_line(line: str) -> tuple[str, bytes, bytes]:
    if not line.startswith(SIGNATURE_PREFIX):
        raise NoteError(f"signature line does not start with an em dash and space: {line!r}")
    fields = line[len(SIGNATURE_PREFIX) :].split(" ")
    if len(fields) != 2:
        raise NoteError(f"malformed signature line: {line!r}")
    name, encoded = fields
    check_key_name(name)
    try:
        raw = b64decode_strict(encoded)
    except ValueError as exc:
        raise NoteError(f"signature is not base64: {exc}") from None
    if len(raw) <= KEY_ID_SIZE:
        raise NoteError(f"signature by {name} is too short")
    return name, raw[:KEY_ID_SIZE], raw[KEY_ID_SIZE:]


def verify_note(note: str, key: VerifierKey) -> str:
    """Check a signed note carries a valid signature by `key`; return its text.

    The text (which the signature covers, byte for byte) ends with its final newline.
    Signatures by other keys are ignored as the signed-note spec requires, but every
    signature line must be well formed and appear once.
    """
    if len(note) > MAX_NOTE_CHARS:
        raise NoteError("note is too long")
    _check_utf8(note, "note")
    if any(ch < " " and ch != "\n" for ch in note):
        raise NoteError("note contains control characters")
    if not note.endswith("\n"):
        raise NoteError("note does not end with a newline")
    split = note.rfind("\n\n")
    if split < 0:
        raise NoteError("note has no blank line before its signatures")
    text = note[: split + 1]
    lines = note[split + 2 :].split("\n")[:-1]
    if not lines:
        raise NoteError("note has no signatures")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError("note has too many signatures")
    seen: set[tuple[str, bytes]] = set()
    verified = False
    for line in lines:
        name, key_id, signature = _parse_signature_line(line)
        if (name, key_id) in seen:
            raise NoteError(f"duplicate signature by {name}")
        seen.add((name, key_id))
        if name != key.name or key_id != key.key_id:
            continue
        try:
            if len(signature) != ED25519_SIGNATURE_SIZE:
                raise InvalidSignature
            public_key = Ed25519PublicKey.from_public_bytes(key.public_key)
            public_key.verify(signature, text.encode("utf-8"))
        except (InvalidSignature, ValueError):
            raise NoteError(f"signature by {name} does not verify") from None
        verified = True
    if not verified:
        raise NoteError(f"note is not signed by {key.name}")
    return text


def format_checkpoint_time(time: datetime) -> str:
    """The value of a checkpoint's time extension, in UTC to whole seconds."""
    if time.tzinfo is None:
        raise ValueError("checkpoint time must be timezone-aware")
    return time.astimezone(UTC).strftime(TIME_FORMAT)


def _parse_time_line(line: str) -> datetime:
    return datetime.strptime(line[len(TIME_EXTENSION) :], TIME_FORMAT).replace(tzinfo=UTC)


class Checkpoint(NamedTuple):
    """A parsed tlog-checkpoint body."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...]

    @property
    def time(self) -> datetime | None:
        """The time from the "time" extension line, if there is one."""
        for line in self.extensions:
            if line.startswith(TIME_EXTENSION):
                return _parse_time_line(line)
        return None


def parse_checkpoint(body: str) -> Checkpoint:
    """Parse a checkpoint note text; raise CheckpointError if it is malformed."""
    if not body.endswith("\n"):
        raise CheckpointError("checkpoint does not end with a newline")
    lines = body[:-1].split("\n")
    if len(lines) < 3:
        raise CheckpointError("checkpoint has fewer than three lines")
    origin, size_text, root_text, *extensions = lines
    if not origin:
        raise CheckpointError("checkpoint origin is empty")
    if _DECIMAL.fullmatch(size_text) is None or int(size_text) > U64_MAX:
        raise CheckpointError(f"checkpoint tree size is not a decimal number: {size_text!r}")
    try:
        root = b64decode_strict(root_text)
    except ValueError as exc:
        raise CheckpointError(f"checkpoint root hash is not base64: {exc}") from None
    if len(root) != HASH_SIZE:
        raise CheckpointError("checkpoint root hash is not 32 bytes")
    if any(not line for line in extensions):
        raise CheckpointError("checkpoint has an empty extension line")
    times = [line for line in extensions if line.startswith(TIME_EXTENSION)]
    if len(times) > 1:
        raise CheckpointError("checkpoint has more than one time line")
    for line in times:
        try:
            _parse_time_line(line)
        except ValueError:
            raise CheckpointError(f"checkpoint time is not {TIME_FORMAT}: {line!r}") from None
    return Checkpoint(origin, int(size_text), root, tuple(extensions))


def open_checkpoint(note: str, key: VerifierKey) -> Checkpoint:
    """Verify a signed checkpoint note with `key` and parse its body."""
    return parse_checkpoint(verify_note(note, key))


# --- evidence bundles ---------------------------------------------------------------


def _field(obj: dict[str, Any], name: str, kind: type) -> Any:
    value = obj.get(name)
    # bool is a subclass of int, but true/false is never a valid number here.
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ValueError(f"field {name!r} is missing or not a {kind.__name__}")
    return value


def _hash_field(value: object, name: str) -> bytes:
    try:
        raw = b64decode_strict(value) if isinstance(value, str) else b""
    except ValueError:
        raw = b""
    if len(raw) != HASH_SIZE:
        raise ValueError(f"field {name!r} is not a base64 32-byte hash")
    return raw


def _uuid_field(obj: dict[str, Any], name: str) -> uuid.UUID:
    text = _field(obj, name, str)
    try:
        value = uuid.UUID(text)
    except ValueError:
        value = None
    if value is None or str(value) != text:
        raise ValueError(f"field {name!r} is not a lower-case hyphenated UUID")
    return value


def _int_field(obj: dict[str, Any], name: str, minimum: int) -> int:
    value: int = _field(obj, name, int)
    if not minimum <= value <= U64_MAX:
        raise ValueError(f"field {name!r} is out of range")
    return value


def _proof_field(obj: dict[str, Any], name: str) -> tuple[bytes, ...]:
    items = _field(obj, name, list)
    return tuple(_hash_field(item, f"{name}[{i}]") for i, item in enumerate(items))


@dataclass(frozen=True)
class EventBytes:
    """What a leaf hashes of one stored event: its position, originator, version, topic and
    stored (encrypted) bytes. The ledger's rows and a bundle's events both are one."""

    position: int
    originator_id: uuid.UUID
    originator_version: int
    topic: str
    state: bytes

    def leaf_hash_after(self, previous_leaf_hash: bytes) -> bytes:
        """The event's leaf hash, chained to its originator's previous leaf."""
        return event_leaf_hash(
            self.position,
            self.originator_id,
            self.originator_version,
            self.topic,
            self.state,
            previous_leaf_hash,
        )


@dataclass(frozen=True)
class BundleEvent(EventBytes):
    """One stored event of a case as carried in a bundle, with its inclusion proof."""

    previous_leaf_hash: bytes
    leaf_index: int
    inclusion_proof: tuple[bytes, ...]

    @property
    def leaf_hash(self) -> bytes:
        """The event's Merkle leaf hash."""
        return self.leaf_hash_after(self.previous_leaf_hash)

    def to_json(self) -> dict[str, Any]:
        """The event's bundle JSON object."""
        return {
            "position": self.position,
            "originator_id": str(self.originator_id),
            "originator_version": self.originator_version,
            "topic": self.topic,
            "state": b64encode(self.state),
            "previous_leaf_hash": b64encode(self.previous_leaf_hash),
            "leaf_index": self.leaf_index,
            "inclusion_proof": [b64encode(h) for h in self.inclusion_proof],
        }

    @classmethod
    def from_json(cls, obj: object) -> BundleEvent:
        """Parse a bundle event object; raise ValueError naming the bad field."""
        if not isinstance(obj, dict):
            raise ValueError("event is not a JSON object")
        state_text = _field(obj, "state", str)
        try:
            state = b64decode_strict(state_text)
        except ValueError:
            raise ValueError("field 'state' is not base64") from None
        topic = _field(obj, "topic", str)
        try:
            _u16_prefixed(topic.encode("utf-8"))
        except ValueError:
            raise ValueError("field 'topic' is not UTF-8 of at most 65535 bytes") from None
        return cls(
            position=_int_field(obj, "position", 0),
            originator_id=_uuid_field(obj, "originator_id"),
            originator_version=_int_field(obj, "originator_version", 1),
            topic=topic,
            state=state,
            previous_leaf_hash=_hash_field(obj.get("previous_leaf_hash"), "previous_leaf_hash"),
            leaf_index=_int_field(obj, "leaf_index", 0),
            inclusion_proof=_proof_field(obj, "inclusion_proof"),
        )


def make_bundle(
    case_id: uuid.UUID,
    verifier_key: str,
    checkpoint: str,
    events: Sequence[BundleEvent],
    earlier_checkpoint: str | None = None,
    consistency_proof: Sequence[bytes] = (),
) -> dict[str, Any]:
    """Assemble a bundle JSON object; the earlier checkpoint and its proof are optional."""
    bundle: dict[str, Any] = {
        "format": BUNDLE_FORMAT,
        "version": BUNDLE_VERSION,
        "case_id": str(case_id),
        "verifier_key": verifier_key,
        "checkpoint": checkpoint,
        "events": [event.to_json() for event in events],
    }
    if earlier_checkpoint is not None:
        bundle["earlier_checkpoint"] = earlier_checkpoint
        bundle["consistency_proof"] = [b64encode(h) for h in consistency_proof]
    return bundle


@dataclass
class BundleReport:
    """The outcome of checking a bundle: no problems means it verified."""

    problems: list[str] = field(default_factory=list)
    case_id: uuid.UUID | None = None
    events: list[BundleEvent] = field(default_factory=list)
    checkpoint: Checkpoint | None = None

    @property
    def ok(self) -> bool:
        """Whether the bundle verified."""
        return not self.problems


def _versions(first: int, last: int) -> str:
    return f"version {first}" if first == last else f"versions {first}..{last}"


def _describe(event: BundleEvent) -> str:
    return f"event at position {event.position} (version {event.originator_version})"


def _check_key(
    bundle: dict[str, Any], trusted_key: str | None, report: BundleReport
) -> VerifierKey | None:
    try:
        key = parse_verifier_key(_field(bundle, "verifier_key", str))
    except ValueError as exc:
        report.problems.append(f"verifier key: {exc}")
        key = None
    if trusted_key is None:
        return key
    try:
        trusted = parse_verifier_key(trusted_key)
    except NoteError as exc:
        report.problems.append(f"trusted key: {exc}")
        return None
    if key is not None and key != trusted:
        report.problems.append("verifier key in the bundle is not the trusted key")
    return trusted


def _check_checkpoints(
    bundle: dict[str, Any], key: VerifierKey | None, report: BundleReport
) -> None:
    note = bundle.get("checkpoint")
    if not isinstance(note, str):
        report.problems.append("checkpoint: missing")
        return
    if key is None:
        report.problems.append("checkpoint: not checked, no usable verifier key")
        return
    try:
        current = parse_checkpoint(verify_note(note, key))
    except NoteError as exc:
        report.problems.append(f"checkpoint: bad signature: {exc}")
        return
    except CheckpointError as exc:
        report.problems.append(f"checkpoint: cannot parse: {exc}")
        return
    report.checkpoint = current

    if "earlier_checkpoint" not in bundle and "consistency_proof" not in bundle:
        return
    earlier_note = bundle.get("earlier_checkpoint")
    if not isinstance(earlier_note, str):
        report.problems.append("earlier checkpoint: missing or not a string")
        return
    try:
        earlier = parse_checkpoint(verify_note(earlier_note, key))
        proof = _proof_field(bundle, "consistency_proof")
    except NoteError as exc:
        report.problems.append(f"earlier checkpoint: bad signature: {exc}")
        return
    except ValueError as exc:
        report.problems.append(f"earlier checkpoint: {exc}")
        return
    if earlier.origin != current.origin:
        report.problems.append("earlier checkpoint is from a different log origin")
    elif not verify_consistency(earlier.size, current.size, earlier.root, current.root, proof):
        report.problems.append(
            f"consistency proof from earlier checkpoint size {earlier.size} to size "
            f"{current.size} does not verify: the log was rewritten or the proof is wrong"
        )


def _check_events(report: BundleReport) -> None:
    events, problems = report.events, report.problems
    if not events:
        problems.append("bundle contains no events")
        return
    for event in events:
        if report.case_id is not None and event.originator_id != report.case_id:
            problems.append(f"{_describe(event)} belongs to {event.originator_id}, not this case")
    for earlier, later in itertools.pairwise(events):
        if later.originator_version < earlier.originator_version:
            problems.append(
                f"events out of order: {_describe(later)} is listed after {_describe(earlier)}"
            )
    for attribute in ("position", "originator_version", "leaf_index"):
        seen: dict[int, BundleEvent] = {}
        for event in events:
            value = getattr(event, attribute)
            if value in seen:
                problems.append(
                    f"duplicate {attribute.replace('_', ' ')} {value}: "
                    f"{_describe(seen[value])} and {_describe(event)}"
                )
            seen.setdefault(value, event)

    checkpoint = report.checkpoint
    failed: set[int] = set()
    if checkpoint is not None:
        for i, event in enumerate(events):
            if not verify_inclusion(
                event.leaf_hash,
                event.leaf_index,
                checkpoint.size,
                event.inclusion_proof,
                checkpoint.root,
            ):
                failed.add(i)
                problems.append(
                    f"{_describe(event)}: leaf does not verify against the checkpoint root "
                    f"(leaf index {event.leaf_index}, tree size {checkpoint.size})"
                )

    ordered = sorted(range(len(events)), key=lambda i: events[i].originator_version)
    first = events[ordered[0]]
    if first.originator_version != 1:
        problems.append(
            f"case chain broken: {_versions(1, first.originator_version - 1)} missing "
            f"before position {first.position}"
        )
    elif first.previous_leaf_hash != ZERO_HASH:
        problems.append(f"{_describe(first)}: previous leaf hash of version 1 is not zero")
    for previous, current in itertools.pairwise(ordered):
        before, event = events[previous], events[current]
        step = event.originator_version - before.originator_version
        if step == 0:
            continue  # a duplicate, reported above
        if step > 1:
            problems.append(
                f"case chain broken: "
                f"{_versions(before.originator_version + 1, event.originator_version - 1)} "
                f"missing between position {before.position} and position {event.position}"
            )
        # After a leaf that failed to verify, the link to it tells nothing new.
        elif previous not in failed and event.previous_leaf_hash != before.leaf_hash:
            problems.append(
                f"case chain broken: {_describe(event)} does not follow {_describe(before)}"
            )
        if event.position <= before.position:
            problems.append(f"{_describe(event)} precedes {_describe(before)} in the log")
        if event.leaf_index <= before.leaf_index:
            problems.append(f"{_describe(event)} has a lower leaf index than {_describe(before)}")


def check_bundle(bundle: object, trusted_key: str | None = None) -> BundleReport:
    """Check an evidence bundle for one case; see the module docstring for its schema.

    With `trusted_key` (a verifier key string) the checkpoint must be signed by that
    key; otherwise the key carried in the bundle is used.
    """
    report = BundleReport()
    if not isinstance(bundle, dict):
        report.problems.append("bundle is not a JSON object")
        return report
    if bundle.get("format") != BUNDLE_FORMAT or bundle.get("version") != BUNDLE_VERSION:
        report.problems.append(f"not a {BUNDLE_FORMAT} version {BUNDLE_VERSION} document")
        return report
    try:
        report.case_id = _uuid_field(bundle, "case_id")
    except ValueError as exc:
        report.problems.append(f"case id: {exc}")
    key = _check_key(bundle, trusted_key, report)
    _check_checkpoints(bundle, key, report)
    raw_events = bundle.get("events")
    if not isinstance(raw_events, list):
        report.problems.append("events: missing or not a list")
        return report
    for i, raw in enumerate(raw_events):
        try:
            report.events.append(BundleEvent.from_json(raw))
        except ValueError as exc:
            report.problems.append(f"events[{i}]: {exc}")
    if len(report.events) == len(raw_events):
        _check_events(report)
    return report


def verify_bundle(bundle: object, trusted_key: str | None = None) -> list[str]:
    """Human-readable problems with an evidence bundle; an empty list means it verified."""
    return check_bundle(bundle, trusted_key).problems


# --- evidence packs -----------------------------------------------------------------


def manifest_text(fields: Mapping[str, str], files: Mapping[str, bytes]) -> str:
    """The text of a pack's manifest (to be signed as a note): `fields` in PACK_FIELDS
    order, then the SHA-256 of each file, sorted by name."""
    lines = [PACK_HEADER, *(f"{name} {fields[name]}" for name in PACK_FIELDS)]
    for name in sorted(files):
        if not name or any(ch.isspace() for ch in name):
            raise ValueError(f"file name {name!r} cannot be listed in a manifest")
        lines.append(f"file {hashlib.sha256(files[name]).hexdigest()} {name}")
    return "\n".join(lines) + "\n"


def parse_manifest(text: str) -> tuple[dict[str, str], dict[str, str]]:
    """(fields, {file name: hex SHA-256}) of a manifest text; raise ValueError if malformed."""
    lines = text[:-1].split("\n") if text.endswith("\n") else []
    if not lines or lines[0] != PACK_HEADER:
        raise ValueError(f"does not start with {PACK_HEADER!r}")
    fields: dict[str, str] = {}
    files: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(" ")
        if name == "file":
            digest, _, file_name = value.partition(" ")
            if re.fullmatch(r"[0-9a-f]{64}", digest) is None or not file_name:
                raise ValueError(f"malformed file line {line!r}")
            if file_name in files:
                raise ValueError(f"{file_name} is listed twice")
            files[file_name] = digest
        elif name in PACK_FIELDS and name not in fields and value:
            fields[name] = value
        else:
            raise ValueError(f"unexpected line {line!r}")
    missing = [name for name in PACK_FIELDS if name not in fields]
    if missing:
        raise ValueError(f"no {', '.join(missing)} line")
    return fields, files


@dataclass
class PackReport:
    """The outcome of checking an evidence pack: no problems means it verified."""

    problems: list[str] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    bundle: BundleReport | None = None

    @property
    def ok(self) -> bool:
        """Whether the pack verified."""
        return not self.problems


def _read_zip(data: bytes, report: PackReport) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                if info.filename in report.files:
                    report.problems.append(f"{info.filename}: in the zip twice")
                report.files[info.filename] = archive.read(info)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        report.problems.append(f"not a readable zip: {exc}")


def _pack_key(report: PackReport, trusted_key: str | None) -> VerifierKey | None:
    carried = report.files.get(PACK_KEY, b"").decode("utf-8", "replace").strip()
    try:
        key = parse_verifier_key(trusted_key if trusted_key is not None else carried)
    except NoteError as exc:
        report.problems.append(f"{'trusted key' if trusted_key else PACK_KEY}: {exc}")
        return None
    if trusted_key is not None and carried != str(key):
        report.problems.append(f"{PACK_KEY}: not the trusted key")
    return key


def _check_manifest(report: PackReport, key: VerifierKey) -> dict[str, str] | None:
    """The file hashes the signed manifest lists, or None if it cannot be trusted."""
    note = report.files.pop(PACK_MANIFEST, None)
    if note is None:
        report.problems.append(f"{PACK_MANIFEST}: missing")
        return None
    try:
        text = verify_note(note.decode("utf-8"), key)
        report.fields, listed = parse_manifest(text)
    except UnicodeDecodeError:
        report.problems.append(f"{PACK_MANIFEST}: not UTF-8 text")
        return None
    except NoteError as exc:
        report.problems.append(f"{PACK_MANIFEST}: bad signature: {exc}")
        return None
    except ValueError as exc:
        report.problems.append(f"{PACK_MANIFEST}: {exc}")
        return None
    for name, digest in listed.items():
        data = report.files.get(name)
        if data is None:
            report.problems.append(f"{name}: listed in the manifest but missing from the pack")
        elif hashlib.sha256(data).hexdigest() != digest:
            report.problems.append(f"{name}: altered (SHA-256 does not match the signed manifest)")
    for name in sorted(set(report.files) - set(listed)):
        report.problems.append(f"{name}: not listed in the signed manifest")
    for name in PACK_FILES:
        if name not in listed:
            report.problems.append(f"{name}: a pack holds it, but the signed manifest does not")
    return listed


def _json_file(report: PackReport, name: str) -> Any:
    try:
        return json.loads(report.files.get(name, b""))
    except ValueError as exc:
        report.problems.append(f"{name}: not JSON: {exc}")
        return None


def _check_pack_bundle(report: PackReport, key: VerifierKey) -> None:
    bundle = _json_file(report, PACK_BUNDLE)
    if bundle is None:
        return
    checked = report.bundle = check_bundle(bundle, str(key))
    report.problems.extend(f"{PACK_BUNDLE}: {problem}" for problem in checked.problems)
    if not isinstance(bundle, dict):
        return
    note = report.files.get(PACK_CHECKPOINT, b"").decode("utf-8", "replace")
    if note != bundle.get("checkpoint"):
        report.problems.append(
            f"{PACK_CHECKPOINT}: not the checkpoint the bundle is proved against"
        )
    fields = report.fields
    if str(checked.case_id) != fields["case"]:
        report.problems.append(f"{PACK_BUNDLE}: not of case {fields['case']}")
    if checked.checkpoint is not None:
        signed = f"{checked.checkpoint.size} {b64encode(checked.checkpoint.root)}"
        if signed != fields["checkpoint"]:
            report.problems.append(
                f"{PACK_CHECKPOINT}: size and root {signed} are not the manifest's "
                f"{fields['checkpoint']}"
            )
    _check_pack_event(report, checked.events)


def _check_pack_event(report: PackReport, events: Sequence[BundleEvent]) -> None:
    """The proven chain must end with this pack's own EvidencePackProduced event."""
    fields = report.fields
    last = max(events, key=lambda e: e.originator_version, default=None)
    if last is None or str(last.originator_version) != fields["through-version"]:
        shown = "no events" if last is None else f"version {last.originator_version}"
        report.problems.append(
            f"{PACK_BUNDLE}: the case's chain ends at {shown}, not at the pack's own event "
            f"(version {fields['through-version']}): events are missing from the end"
        )
        return
    try:
        state = json.loads(last.state)
    except ValueError:
        state = None
    if (
        last.topic != PACK_EVENT_TOPIC
        or not isinstance(state, dict)
        or str(state.get("pack_number")) != fields["pack"]
        or state.get("purpose") != fields["purpose"]
    ):
        report.problems.append(
            f"{PACK_BUNDLE}: the last event is not the EvidencePackProduced event of "
            f"pack {fields['pack']} ({fields['purpose']})"
        )


def _state(event: BundleEvent) -> dict[str, Any]:
    try:
        state = json.loads(event.state)
    except ValueError:
        return {}
    return state if isinstance(state, dict) else {}


def _recorded_hash(state: dict[str, Any], form: str) -> str | None:
    """The SHA-256 an attach event recorded for a file in that form (as uploaded, or its
    copy without metadata)."""
    value: Any = state
    for step in FORM_HASHES.get(form, ("?",)):
        value = value.get(step) if isinstance(value, dict) else None
    return value if isinstance(value, str) else None


def _check_pack_files(report: PackReport) -> None:
    """Each evidence file in the pack must be, byte for byte, the file (or its copy without
    metadata) whose SHA-256 its attach event recorded, that event being proven in the
    signed tree; and the pack must hold exactly the files its own event names."""
    proven = report.bundle.events if report.bundle is not None else []
    if not proven:
        return
    pack_event = max(proven, key=lambda e: e.originator_version)
    chosen = _state(pack_event).get("files") or []
    attached = {
        state.get("file_id"): (event, state)
        for event in proven
        if event.topic == ATTACH_EVENT_TOPIC
        for state in [_state(event)]
    }
    in_zip = {name for name in report.files if name.startswith(PACK_FILE_DIR)}
    for entry in chosen if isinstance(chosen, list) else []:
        file_id = entry.get("file_id") if isinstance(entry, dict) else None
        form = entry.get("form") if isinstance(entry, dict) else None
        stem = f"{PACK_FILE_DIR}{file_id}."
        names = sorted(n for n in in_zip if n.startswith(stem))
        in_zip -= set(names)
        if names == [f"{PACK_FILE_DIR}{file_id}{ERASED_SUFFIX}"]:
            continue  # its person was erased after the pack was produced: nothing to check
        found = attached.get(file_id)
        expected = _recorded_hash(found[1], str(form)) if found else None
        if found is None or expected is None:
            report.problems.append(f"{stem}*: the pack names {file_id}, which no event attached")
        elif len(names) != 1:
            report.problems.append(f"{stem}*: the pack names {file_id}, but holds no such file")
        elif hashlib.sha256(report.files[names[0]]).hexdigest() != expected:
            report.problems.append(
                f"{names[0]}: altered: not the file whose SHA-256 its attach event "
                f"({_describe(found[0])}) recorded"
            )
    for name in sorted(in_zip):
        report.problems.append(f"{name}: a file the pack's own event does not name")


def _check_pack_events(report: PackReport) -> None:
    """events.json must carry exactly the stored bytes the bundle proves."""
    document = _json_file(report, PACK_EVENTS)
    proven = report.bundle.events if report.bundle is not None else []
    listed = document.get("events") if isinstance(document, dict) else None
    if not isinstance(listed, list):
        report.problems.append(f"{PACK_EVENTS}: no list of events")
        return
    expected = {e.originator_version: e for e in proven}
    seen: set[int] = set()
    for i, entry in enumerate(listed):
        version = entry.get("originator_version") if isinstance(entry, dict) else None
        event = expected.get(version) if isinstance(version, int) else None
        if event is None or version in seen:
            report.problems.append(f"{PACK_EVENTS}: events[{i}] is not a proven event")
            continue
        seen.add(event.originator_version)
        stored = (entry.get("position"), entry.get("topic"), entry.get("stored_bytes"))
        if stored != (event.position, event.topic, b64encode(event.state)):
            report.problems.append(
                f"{PACK_EVENTS}: {_describe(event)} does not match the proven stored bytes"
            )
    for version in sorted(set(expected) - seen):
        report.problems.append(
            f"{PACK_EVENTS}: {_describe(expected[version])} is proven but missing here"
        )


def check_pack(data: bytes, trusted_key: str | None = None) -> PackReport:
    """Check an evidence pack zip (see the module docstring); with `trusted_key` the
    manifest and checkpoint must be signed by that key, else by the key the pack carries."""
    report = PackReport()
    _read_zip(data, report)
    if not report.ok:
        return report
    key = _pack_key(report, trusted_key)
    if key is None or _check_manifest(report, key) is None:
        return report
    _check_pack_bundle(report, key)
    _check_pack_events(report)
    _check_pack_files(report)
    return report


def print_pack_report(data: bytes, trusted_key: str | None) -> int:
    """Check a pack, print OK and what was verified, or each problem; the exit status."""
    report = check_pack(data, trusted_key)
    if not report.ok or report.bundle is None or report.bundle.checkpoint is None:
        for problem in report.problems:
            print(problem)
        return 1
    fields, checkpoint = report.fields, report.bundle.checkpoint
    return _outcome(
        f"evidence pack {fields['pack']} ({fields['purpose']}) of case {fields['case']}: "
        f"{len(report.files)} files match the signed manifest; {len(report.bundle.events)} "
        f"events, versions 1..{fields['through-version']}, verified against checkpoint size "
        f"{checkpoint.size} root {b64encode(checkpoint.root)}",
        trusted_key,
        report.files[PACK_KEY].decode().strip(),
    )


UNANCHORED = 2  # the exit status of a check that proved only self-consistency


def _outcome(verified: str, trusted_key: str | None, carried_key: str) -> int:
    """OK (0) when the trusted key vouched for what was verified; without one, UNANCHORED
    (2): anyone can make a bundle consistent with a key of their own, so a plain OK would
    tell a recipient more than was proved."""
    if trusted_key is not None:
        print(f"OK: {verified}")
        return 0
    print(
        f"UNANCHORED: {verified}, with the key it carries ({carried_key}), which proves only "
        "that it is self-consistent. Run again with --trusted-key and the key the landlord "
        "publishes (GET /api/v1/audit/public-key.txt on its ledger, no sign-in needed)."
    )
    return UNANCHORED


def _report_bundle(bundle: object, trusted_key: str | None) -> int:
    report = check_bundle(bundle, trusted_key)
    if not report.ok or report.checkpoint is None or not isinstance(bundle, dict):
        for problem in report.problems:
            print(problem)
        return 1
    checkpoint = report.checkpoint
    return _outcome(
        f"{len(report.events)} events of case {report.case_id} verified against "
        f"checkpoint size {checkpoint.size} root {b64encode(checkpoint.root)}",
        trusted_key,
        str(bundle["verifier_key"]),
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: verify a bundle or pack file, print the outcome, return the exit status."""
    parser = argparse.ArgumentParser(
        description="Verify a caseledger evidence bundle (JSON) or evidence pack (zip) offline."
    )
    parser.add_argument("bundle", help="path to the bundle JSON file or the evidence pack zip")
    parser.add_argument(
        "--trusted-key",
        help="the ledger's published verifier key (<name>+<key id>+<key>)",
    )
    args = parser.parse_args(argv)
    try:
        with open(args.bundle, "rb") as f:
            data = f.read()
        if zipfile.is_zipfile(io.BytesIO(data)):
            return print_pack_report(data, args.trusted_key)
        bundle = json.loads(data)
    except (OSError, ValueError) as exc:
        print(f"cannot read bundle: {exc}")
        return 1
    return _report_bundle(bundle, args.trusted_key)


if __name__ == "__main__":
    sys.exit(main())

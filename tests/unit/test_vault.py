"""The personal-data vault without a database: sealing, erasure, tampering, master keys."""

from __future__ import annotations

import base64
import json
import os
import stat
import threading
from dataclasses import replace
from datetime import UTC, date, datetime
from enum import Enum
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.cryptography import AESCipher
from eventsourcing.domain import Aggregate, Snapshot, event
from eventsourcing.persistence import (
    DatetimeAsISO,
    JSONTranscoder,
    Mapper,
    MapperDeserialisationError,
    StoredEvent,
    UUIDAsHex,
)
from eventsourcing.utils import Environment
from hypothesis import given, settings
from hypothesis import strategies as st

from application.vault import (
    InMemoryKeyStore,
    KeyDestroyed,
    KeyStore,
    MasterKeyError,
    PersonalDataMapper,
    SealBroken,
    VaultError,
    create_master_key_file,
    read_master_key_file,
    register_enum,
    register_transcodings,
)
from application.vault.keys import KeyWrapper
from domain.personal import Personal
from domain.vocabulary import Channel
from interface.keys import configured_master_key
from interface.settings import ConfigurationError, Settings

PLANTED = "Zebedee Quartermaine-Okonkwo"


class Person(Aggregate):
    """A test aggregate whose events carry personal values at several depths."""

    @event("Registered")
    def __init__(self, name: Personal, details: dict[str, Any]) -> None:
        self.name = name
        self.details = details

    @event("Renamed")
    def rename(self, name: Personal) -> None:
        self.name = name


class Visited(Aggregate.Event):
    """Same shape as `Person.Renamed` under another topic."""

    name: Personal


class ContactRecorded(Aggregate.Event):
    """Version 2 renamed `name` to `full_name`; the upcaster moves the personal value."""

    class_version = 2
    full_name: Personal

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["full_name"] = state.pop("name")


class Colour(Enum):
    RED = "red"
    BLUE = "blue"


def make_mapper(key_store: KeyStore, **kwargs: Any) -> PersonalDataMapper:
    transcoder = JSONTranscoder()
    transcoder.register(UUIDAsHex())
    transcoder.register(DatetimeAsISO())
    register_transcodings(transcoder)
    return PersonalDataMapper(transcoder=transcoder, key_store=key_store, **kwargs)


@pytest.fixture
def keys() -> InMemoryKeyStore:
    return InMemoryKeyStore()


@pytest.fixture
def mapper(keys: InMemoryKeyStore) -> PersonalDataMapper:
    return make_mapper(keys)


def stored_events(mapper: Mapper[UUID], aggregate: Aggregate) -> list[StoredEvent]:
    return [mapper.to_stored_event(e) for e in aggregate.collect_events()]


def edited(stored: StoredEvent, **changes: Any) -> StoredEvent:
    """`stored` with top-level state fields replaced, as an attacker with the database would."""
    state = json.loads(stored.state)
    state.update(changes)
    return replace(stored, state=json.dumps(state).encode())


def field(stored: StoredEvent, name: str) -> Any:
    return json.loads(stored.state)[name]


def test_round_trip_of_nested_personal_values(mapper: PersonalDataMapper) -> None:
    victim, witness = uuid4(), uuid4()
    addresses = [Personal(victim, {"line": PLANTED, "flat": 3}), {"note": Personal(witness, "x")}]
    details = {
        "addresses": addresses,
        "pair": (1, Personal(witness, ["a", 2, None, True])),
        "age": 41,
    }
    person = Person(name=Personal(victim, PLANTED), details=details)
    [stored] = stored_events(mapper, person)

    assert PLANTED.encode() not in stored.state
    assert field(stored, "name")["_type_"] == "sealed"
    restored = mapper.to_domain_event(stored)
    assert restored.name == Personal(victim, PLANTED)  # type: ignore[attr-defined]
    assert restored.details == {  # type: ignore[attr-defined]
        "addresses": addresses,
        "pair": [1, Personal(witness, ["a", 2, None, True])],  # JSON has no tuples
        "age": 41,
    }


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=10,
)


@settings(max_examples=40, deadline=None)
@given(value=json_values)
def test_any_json_value_round_trips(value: Any) -> None:
    mapper = make_mapper(InMemoryKeyStore())
    subject = uuid4()
    [stored] = stored_events(mapper, Person(name=Personal(subject, value), details={}))
    assert mapper.to_domain_event(stored).name == Personal(subject, value)  # type: ignore[attr-defined]


def test_sealed_value_moved_to_another_field_event_or_version_fails_loudly(
    mapper: PersonalDataMapper,
) -> None:
    subject = uuid4()
    person = Person(name=Personal(subject, PLANTED), details={"alias": Personal(subject, "Z")})
    person.rename(Personal(subject, "Zeb"))
    registered, renamed = stored_events(mapper, person)
    other = stored_events(mapper, Person(name=Personal(subject, "Y"), details={}))[0]
    sealed_name = field(registered, "name")

    forgeries = {
        "other field": edited(registered, details={"alias": sealed_name}),
        "other event": edited(other, name=sealed_name),
        "other version": edited(renamed, name=sealed_name),
        "other topic": replace(renamed, topic=f"{Visited.__module__}:{Visited.__qualname__}"),
        "altered ciphertext": edited(
            registered, name={**sealed_name, "_data_": {**sealed_name["_data_"], "nonce": "A" * 16}}
        ),
    }
    for what, forged in forgeries.items():
        with pytest.raises(MapperDeserialisationError) as raised:
            mapper.to_domain_event(forged)
        assert isinstance(raised.value.__cause__, SealBroken), what
        assert str(forged.originator_id) in str(raised.value), what


def test_destroyed_key_reads_as_erased_and_other_subjects_stay_readable(
    mapper: PersonalDataMapper, keys: InMemoryKeyStore
) -> None:
    victim, witness = uuid4(), uuid4()
    [stored] = stored_events(
        mapper, Person(name=Personal(victim, PLANTED), details={"witness": Personal(witness, "W")})
    )
    keys.destroy(victim)

    restored = mapper.to_domain_event(stored)
    assert restored.name == Personal.erased_for(victim)  # type: ignore[attr-defined]
    assert restored.name.shown() == "[erased]"  # type: ignore[attr-defined]
    assert restored.details == {"witness": Personal(witness, "W")}  # type: ignore[attr-defined]


def test_erased_mark_is_refused_while_the_key_exists(mapper: PersonalDataMapper) -> None:
    subject = uuid4()
    [stored] = stored_events(mapper, Person(name=Personal(subject, PLANTED), details={}))
    sealed = field(stored, "name")
    hidden = {**sealed, "_data_": {**sealed["_data_"], "nonce": "", "ciphertext": ""}}

    with pytest.raises(MapperDeserialisationError) as raised:
        mapper.to_domain_event(edited(stored, name=hidden))
    assert isinstance(raised.value.__cause__, SealBroken)


def test_new_personal_data_for_an_erased_subject_is_refused(
    mapper: PersonalDataMapper, keys: InMemoryKeyStore
) -> None:
    subject = uuid4()
    keys.destroy(subject)  # erased before any key existed: no key may ever be created
    with pytest.raises(KeyDestroyed):
        stored_events(mapper, Person(name=Personal(subject, PLANTED), details={}))
    with pytest.raises(VaultError):  # an erased value for a subject whose key exists
        stored_events(mapper, Person(name=Personal.erased_for(uuid4()), details={}))


def test_snapshot_after_erasure_is_stored_and_reads_as_erased(
    mapper: PersonalDataMapper, keys: InMemoryKeyStore
) -> None:
    subject = uuid4()
    [stored] = stored_events(mapper, Person(name=Personal(subject, PLANTED), details={}))
    keys.destroy(subject)
    person = mapper.to_domain_event(stored).mutate(None)  # type: ignore[attr-defined]

    snapshot = mapper.to_domain_event(mapper.to_stored_event(Snapshot.take(person)))
    assert snapshot.mutate(None).name == Personal.erased_for(subject)  # type: ignore[attr-defined]


def test_key_store_rules(keys: InMemoryKeyStore) -> None:
    subject = uuid4()
    assert keys.get(subject) is None
    key = keys.get_or_create(subject)
    assert len(key) == 32
    assert keys.get(subject) == key == keys.get_or_create(subject)
    assert not keys.is_destroyed(subject)

    keys.destroy(subject)
    keys.destroy(subject)  # idempotent
    assert keys.is_destroyed(subject)
    for read in (keys.get, keys.get_or_create):
        with pytest.raises(KeyDestroyed):
            read(subject)


def test_concurrent_get_or_create_yields_one_key(keys: InMemoryKeyStore) -> None:
    subject, barrier, results = uuid4(), threading.Barrier(8), []

    def create() -> None:
        barrier.wait()
        results.append(keys.get_or_create(subject))

    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 8
    assert len(set(results)) == 1


def test_wrong_master_key_is_a_clear_error() -> None:
    subject = uuid4()
    wrapped = KeyWrapper(os.urandom(32)).wrap(subject, os.urandom(32))
    with pytest.raises(MasterKeyError, match="master key is not the one"):
        KeyWrapper(os.urandom(32)).unwrap(subject, wrapped)
    with pytest.raises(MasterKeyError, match="master key is not the one"):
        KeyWrapper(os.urandom(32)).unwrap(uuid4(), wrapped)  # moved to another subject


def test_master_key_file_is_created_private_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "caseledger.master-key"
    key = create_master_key_file(path)
    assert len(key) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert create_master_key_file(path) == read_master_key_file(path) == key  # never replaced
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_master_key_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "caseledger.master-key"
    create_master_key_file(path)
    path.chmod(0o640)
    with pytest.raises(MasterKeyError, match="chmod 600"):
        read_master_key_file(path)


def test_master_key_from_environment(tmp_path: Path) -> None:
    key = os.urandom(32)
    env = {
        "CASELEDGER_MASTER_KEY": base64.b64encode(key).decode(),
        "CASELEDGER_MASTER_KEY_FILE": str(tmp_path / "unused"),
    }
    assert configured_master_key(Settings.read(env).keys) == key
    assert not (tmp_path / "unused").exists()
    for bad in ("not base64!", base64.b64encode(os.urandom(16)).decode()):
        with pytest.raises(ConfigurationError, match="CASELEDGER_MASTER_KEY"):
            configured_master_key(Settings.read({"CASELEDGER_MASTER_KEY": bad}).keys)


def test_personal_data_is_never_transcoded_unsealed() -> None:
    transcoder = JSONTranscoder()
    register_transcodings(transcoder)
    with pytest.raises(TypeError, match="unsealed") as raised:
        transcoder.encode({"name": Personal(uuid4(), PLANTED)})
    assert PLANTED not in str(raised.value)


def test_personal_value_that_is_not_json_is_refused_without_showing_it(
    mapper: PersonalDataMapper,
) -> None:
    person = Person(name=Personal(uuid4(), date(1990, 1, 2)), details={})
    with pytest.raises(TypeError, match="at name is not plain JSON") as raised:
        stored_events(mapper, person)
    assert "1990" not in str(raised.value)


def test_upcasters_see_personal_values_and_may_move_them(mapper: PersonalDataMapper) -> None:
    subject = uuid4()
    legacy = object.__new__(ContactRecorded)  # as version 1 wrote it: the field was `name`
    legacy.__dict__.update(
        originator_id=uuid4(),
        originator_version=3,
        timestamp=datetime.now(UTC),
        name=Personal(subject, PLANTED),
    )
    stored = mapper.to_stored_event(legacy)
    state = json.loads(stored.state)
    del state["class_version"]
    stored = replace(stored, state=json.dumps(state).encode())

    assert mapper.to_domain_event(stored).full_name == Personal(subject, PLANTED)  # type: ignore[attr-defined]


def test_whole_event_cipher_still_wraps_the_sealed_state(keys: InMemoryKeyStore) -> None:
    cipher = AESCipher(Environment(env={"CIPHER_KEY": AESCipher.create_key(32)}))
    mapper = make_mapper(keys, cipher=cipher)
    subject = uuid4()
    [stored] = stored_events(mapper, Person(name=Personal(subject, PLANTED), details={}))
    assert b"sealed" not in stored.state
    assert mapper.to_domain_event(stored).name == Personal(subject, PLANTED)  # type: ignore[attr-defined]


def test_date_and_enum_transcodings() -> None:
    transcoder = JSONTranscoder()
    register_transcodings(transcoder)
    register_enum(transcoder, Colour)
    value = {"born": date(1990, 1, 2), "colour": Colour.BLUE}
    assert transcoder.decode(transcoder.encode(value)) == value
    assert b'"_type_":"Colour","_data_":"blue"' in transcoder.encode(value)
    with pytest.raises(TypeError, match="plain values"):
        register_enum(transcoder, Channel)  # a str mix-in: JSON never asks a transcoding

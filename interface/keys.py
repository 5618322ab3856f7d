"""The keys a process starts with: found where the settings say, made only when asked, and
otherwise refused at start with one line naming the file and what to do.

Two keys live in the key directory (`CASELEDGER_KEY_DIR`, see `interface.settings`): the
master key, which wraps every data subject's key (or `CASELEDGER_MASTER_KEY` instead of its
file), and the checkpoint signing key. They are made once, by `caseledger keys init` (or by
`caseledger demo` for a newcomer's ledger), and never implicitly by any other command:

* a master key is made only for a store that holds no wrapped subject key; a missing one
  while such keys exist is refused, naming the file to restore (a new key would open none
  of them and wrap new personal data under a key nobody has a copy of);
* a master key that does not unwrap the stored keys is refused (the wrong file restored);
* a signing key is made only for a log that has no key yet; a missing one while the log has
  a key chain is refused, naming the file and the chain's current key (a new key would not
  follow from it);
* a signing key file that is not the chain's current key is refused.

`KeyUse` says what a command needs: `REQUIRE` (the default: serve, staff, case work),
`CREATE` (the demo, `keys init`) or `OPEN` (commands that read no personal data and sign
nothing, e.g. `verify` and `projections`: they start without keys, and `verify` reports
what is missing).
"""

from __future__ import annotations

from contextlib import suppress
from enum import StrEnum
from pathlib import Path

from application.integrity.checkpoint import SigningKey
from application.integrity.log import DEFAULT_ORIGIN, IntegrityLog
from application.vault.errors import MasterKeyError
from application.vault.keys import (
    create_master_key_file,
    decode_master_key,
    read_master_key_file,
)
from application.vault.keystore import KeyStore
from interface.settings import ConfigurationError, KeySettings


class KeyUse(StrEnum):
    REQUIRE = "require"
    CREATE = "create"
    OPEN = "open"


INIT = "run `caseledger keys init` once to make the keys"


def configured_master_key(keys: KeySettings) -> bytes | None:
    """The master key from the environment or its file; None if neither holds one."""
    if keys.master_key is not None:
        try:
            return decode_master_key(keys.master_key, "CASELEDGER_MASTER_KEY")
        except MasterKeyError as e:
            raise ConfigurationError(
                f"{e}; make one with: head -c 32 /dev/urandom | base64"
            ) from None
    if not keys.master_key_file.exists():
        return None
    try:
        return read_master_key_file(keys.master_key_file)
    except (MasterKeyError, OSError) as e:
        raise ConfigurationError(f"CASELEDGER_MASTER_KEY_FILE: {e}") from None


def settle_master_key(
    keys: KeySettings, master_key: bytes | None, store: KeyStore, use: KeyUse
) -> bytes | None:
    """The master key to run with, after checking it against the stored subject keys;
    made (for an empty store only) when `use` is CREATE. None: run without one (OPEN)."""
    opens = store.master_key_opens()
    where = (
        "CASELEDGER_MASTER_KEY"
        if keys.master_key is not None
        else f"CASELEDGER_MASTER_KEY_FILE {keys.master_key_file}"
    )
    if master_key is not None:
        if opens is False and use is not KeyUse.OPEN:
            raise ConfigurationError(
                f"the master key in {where} does not open the stored subject keys: it is not "
                "the key they were wrapped with; restore the right one from the offline copy"
            )
        return master_key
    if opens is False:
        if use is KeyUse.OPEN:
            return None
        raise ConfigurationError(
            f"CASELEDGER_MASTER_KEY_FILE: {keys.master_key_file} is missing, and the key store "
            "holds subject keys wrapped by a master key: restore that file from the offline "
            "copy (or set CASELEDGER_MASTER_KEY); a new key would open none of them"
        )
    if use is KeyUse.CREATE:
        keys.master_key_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        return create_master_key_file(keys.master_key_file)
    if use is KeyUse.REQUIRE:
        raise ConfigurationError(
            f"no master key (CASELEDGER_MASTER_KEY_FILE {keys.master_key_file} does not exist "
            f"and CASELEDGER_MASTER_KEY is unset): {INIT}"
        )
    return None


def settle_signing_key(keys: KeySettings, integrity: IntegrityLog, use: KeyUse) -> None:
    """Check the signing key file against the log's key chain; make it (for a log with no
    key yet) when `use` is CREATE."""
    path = keys.signing_key_file
    chain = integrity.keys()
    current = chain[len(chain)] if chain else None
    if not path.exists():
        if current is not None:
            if use is KeyUse.OPEN:
                return
            raise ConfigurationError(
                f"CASELEDGER_SIGNING_KEY_FILE: {path} is missing; the log's current key is "
                f"{current}: restore that file from the offline copy (a new key would not "
                "follow from it)"
            )
        if use is KeyUse.CREATE:
            with suppress(FileExistsError):  # another process made it first: theirs is it
                make_signing_key(path, integrity.origin)
        elif use is KeyUse.REQUIRE:
            raise ConfigurationError(
                f"no signing key (CASELEDGER_SIGNING_KEY_FILE {path} does not exist): {INIT}"
            )
        return
    try:
        verifier = integrity.configured_verifier()
    except (OSError, ValueError) as e:
        raise ConfigurationError(f"CASELEDGER_SIGNING_KEY_FILE: {path}: {e}") from None
    if current is not None and verifier != current and use is not KeyUse.OPEN:
        raise ConfigurationError(
            f"CASELEDGER_SIGNING_KEY_FILE: {path} holds {verifier}, but the log's current key "
            f"is {current}: restore the right file from the offline copy"
        )


def make_signing_key(path: Path, origin: str = DEFAULT_ORIGIN) -> SigningKey:
    """A new signing key in a new file at `path` (mode 0600; never over an existing one)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = SigningKey.generate(origin)
    key.save(path)
    return key

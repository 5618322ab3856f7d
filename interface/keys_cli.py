"""`caseledger keys init`: make the ledger's keys once, in the key directory, and say what to
store offline and what to publish.

It makes the master key only for a store that holds no wrapped subject key, and the signing
key only for a log that has no key yet; a key that exists is kept, and one missing while
the store or the log needs it is refused (restore it instead: `interface.keys`). The key
directory is made mode 0700, each key file 0600.
"""

from __future__ import annotations

import argparse
from typing import Any

from interface.config import Services
from interface.keys import KeyUse, configured_master_key, make_signing_key, settle_master_key
from interface.settings import ConfigurationError, Settings


def _init(services: Services, args: argparse.Namespace) -> int:
    keys = Settings.read().keys
    integrity = services.integrity
    keys.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    master_key = configured_master_key(keys)
    if keys.master_key is not None:
        print("master key: given by CASELEDGER_MASTER_KEY (no file written)")
    elif master_key is not None:
        print(f"master key: kept {keys.master_key_file}")
    else:  # refused (ConfigurationError, exit 78) if the store holds wrapped keys
        settle_master_key(keys, None, services.ledger.key_store, KeyUse.CREATE)
        print(f"master key: made {keys.master_key_file} (mode 0600)")
    if keys.signing_key_file.exists():
        print(f"signing key: kept {keys.signing_key_file}")
    elif integrity.keys():
        raise ConfigurationError(
            f"CASELEDGER_SIGNING_KEY_FILE: {keys.signing_key_file} is missing, and the log "
            "already has a signing key: restore that file from the offline copy"
        )
    else:
        make_signing_key(keys.signing_key_file, integrity.origin)
        print(f"signing key: made {keys.signing_key_file} (mode 0600)")
    verifier = integrity.configured_verifier()
    print(f"publish this verifier key (auditors pass it to `verify --trusted-key`):\n{verifier}")
    offline = [str(keys.signing_key_file)]
    if keys.master_key is None:
        offline.insert(0, str(keys.master_key_file))
    print(
        "store offline now, apart from the database and its backups (two copies, e.g. an "
        f"encrypted USB key in the safe and the password manager): {' and '.join(offline)}"
    )
    return 0


def register(subparsers: Any) -> None:
    """Add `keys init` to the `caseledger` argument parser."""
    keys = subparsers.add_parser("keys", help="the ledger's keys").add_subparsers(
        dest="keys_command", required=True
    )
    init = keys.add_parser(
        "init", help="make the master and signing keys once (CASELEDGER_KEY_DIR), safe modes"
    )
    init.set_defaults(run=_init, keys=KeyUse.OPEN)

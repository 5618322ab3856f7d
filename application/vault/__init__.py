"""The personal-data vault: a key per data subject, and a mapper that seals personal fields.

Erasure where lawful destroys the subject's key (crypto-shredding): their events stay, the
audit chain still verifies, and their personal fields read back as erased.
"""

from application.vault.config import open_key_store
from application.vault.errors import KeyDestroyed, MasterKeyError, SealBroken, VaultError
from application.vault.keys import create_master_key_file, read_master_key_file
from application.vault.keystore import InMemoryKeyStore, KeyStore
from application.vault.mapper import PersonalDataMapper
from application.vault.postgres_keystore import PostgresKeyStore
from application.vault.sqlite_keystore import SQLiteKeyStore
from application.vault.transcodings import Sealed, register_enum, register_transcodings

__all__ = [
    "InMemoryKeyStore",
    "KeyDestroyed",
    "KeyStore",
    "MasterKeyError",
    "PersonalDataMapper",
    "PostgresKeyStore",
    "SQLiteKeyStore",
    "SealBroken",
    "Sealed",
    "VaultError",
    "create_master_key_file",
    "open_key_store",
    "read_master_key_file",
    "register_enum",
    "register_transcodings",
]

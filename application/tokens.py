"""API tokens: issued once, stored only as a salted scrypt hash, compared in constant time.

A token is `cl_<staff id hex>_<secret>`: the id finds the account without an index and the
256-bit secret is what the hash protects.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from uuid import UUID

_N, _R, _P = 2**14, 8, 1


def new_token(staff_id: UUID) -> str:
    return f"cl_{staff_id.hex}_{secrets.token_urlsafe(32)}"


def staff_id_of(token: str) -> UUID | None:
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != "cl" or not parts[2]:
        return None
    try:
        return UUID(hex=parts[1])
    except ValueError:
        return None


def hash_token(token: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(token.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    encoded = [base64.b64encode(part).decode() for part in (salt, digest)]
    return "$".join(["scrypt", str(_N), str(_R), str(_P), *encoded])


def token_matches(token: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        computed = hashlib.scrypt(
            token.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=32
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(computed, base64.b64decode(digest))

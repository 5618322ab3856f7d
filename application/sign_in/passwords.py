"""Staff passwords: argon2id hashes (argon2-cffi's defaults, RFC 9106's second choice).

Only the hash is stored (in `StaffPasswordSet`); it names its own parameters, so a hash made
at another cost still verifies. A password is 10 to 200 characters: long enough that the
throttle (`SignIn`) and the hash's cost leave guessing hopeless, short enough to hash quickly.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from domain.errors import InvalidCommand

MIN_LENGTH, MAX_LENGTH = 10, 200

hasher = PasswordHasher()
"""The hasher; tests swap in a cheaper one (the hash names its cost, so verification is the
same code)."""


def check_acceptable(password: str) -> None:
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise InvalidCommand("password", f"must be {MIN_LENGTH} to {MAX_LENGTH} characters long")
    if "\x00" in password:
        raise InvalidCommand("password", "may not contain NUL")


def hash_password(password: str) -> str:
    check_acceptable(password)
    return hasher.hash(password)


def password_matches(password: str, stored: str | None) -> bool:
    if stored is None or len(password) > MAX_LENGTH:
        return False
    try:
        return hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False

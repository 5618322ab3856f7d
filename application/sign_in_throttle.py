"""The sign-in throttle: failed sign-ins counted per account and per client address, in the
database, so that every server process applies the same limits.

Whoever signs someone in (the API's bearer tokens, the staff screens' passwords) calls it in
three steps with the *account* the credential names (`token:<staff id>` for a token,
`web:<username>` for a password; None when the credential names none, e.g. a malformed
token) and the client's *address*:

1. `check(account, address)` before verifying the credential: the seconds to wait (answer 429
   with Retry-After), or 0 to go on. Only a credential that names no account is refused here,
   and only when its address has failed too often: a credential that names an account is
   always verified.
2. `record_failure(account, address)` when it fails: counted against the account and the
   address; returns the seconds the client should wait before the next try (answer 429 rather
   than 401) once either had already reached its limit, else 0.
3. `record_success(account, address)` when it succeeds: the account's failures are forgotten.

The rule, and why: a valid credential is never refused because of anyone's failures. One
person's mistyped tokens behind the office's proxy count against their own account and the
shared address; a colleague's valid token names another account and is verified as usual.
An account that has failed too often is locked only for further *failures*: they answer 429,
and its owner's valid credential still works, so nobody can lock a member of staff out by
guessing at their account (an account's id is derived from the username, so anyone could).
What stops guessing is the credential's entropy, not the lock: an API token's secret is 256
random bits (`application.tokens`), so even a billion guesses a second for a century leave the
chance of a hit below 2^-160; the throttle bounds the cheap noise (malformed or unknown
credentials are refused per address before any lookup) and tells a client to back off. A
password has far less entropy: the lock does not stop a guesser who ignores 429, so password
sign-in must not rely on it (docs/architecture.md, "Sign-in").

Bounded: a window that has passed is deleted on the next failure, and the table never holds
more than `max_rows` windows (`projections.sign_in_failures`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from application.clock import Clock
from application.tokens import staff_id_of
from projections import sign_in_failures
from projections.store import ViewStore


@dataclass(frozen=True)
class Limit:
    failures: int
    window_seconds: float


ACCOUNT = Limit(failures=10, window_seconds=15 * 60)
ADDRESS = Limit(failures=10, window_seconds=60)


def token_account(token: str) -> str | None:
    """The account an API token names (its staff id), or None for a malformed token."""
    staff_id = staff_id_of(token)
    return None if staff_id is None else f"token:{staff_id.hex}"


class SignInThrottle:
    def __init__(
        self,
        store: ViewStore,
        clock: Clock,
        *,
        account: Limit = ACCOUNT,
        address: Limit = ADDRESS,
        max_rows: int = 100_000,
    ) -> None:
        self._store = store
        self._clock = clock
        self.account_limit = account
        self.address_limit = address
        self._max_rows = max_rows

    def setup(self) -> None:
        with self._store.transaction() as c:
            sign_in_failures.create_tables(c)

    def check(self, account: str | None, address: str) -> int:
        """Seconds to wait before this attempt may be verified (0: verify it)."""
        if account is not None:
            return 0
        with self._store.reading() as c:
            found = sign_in_failures.window(c, _address_key(address))
        return self._wait(found, self.address_limit)

    def record_failure(self, account: str | None, address: str) -> int:
        """Count a failed attempt; the seconds to wait before the next (0: just unauthorised)."""
        now = self._now()
        waits = []
        with self._store.transaction() as c:
            counted = [(_address_key(address), self.address_limit)]
            if account is not None:
                counted.append((_account_key(account), self.account_limit))
            for key, limit in counted:
                found = sign_in_failures.count_failure(c, key, now, limit.window_seconds)
                before = sign_in_failures.Window(found.failures - 1, found.ends)
                waits.append(self._wait(before, limit, now))  # the limit's failures are 401s
            sign_in_failures.prune(c, now, self._max_rows)
        return max(waits)

    def record_success(self, account: str, address: str) -> None:
        """Forget the account's failures (the address's stay: they may be someone else's)."""
        key = _account_key(account)
        with self._store.reading() as c:
            if sign_in_failures.window(c, key) is None:
                return  # the usual case: no write for a successful sign-in
        with self._store.transaction() as c:
            sign_in_failures.forget(c, key)

    def rows(self) -> int:
        """How many windows the table holds (its size: bounded by `max_rows`)."""
        with self._store.reading() as c:
            return sign_in_failures.rows(c)

    def _now(self) -> float:
        return self._clock().timestamp()

    def _wait(
        self, found: sign_in_failures.Window | None, limit: Limit, now: float | None = None
    ) -> int:
        if found is None or found.failures < limit.failures:
            return 0
        return max(0, math.ceil(found.ends - (self._now() if now is None else now)))


def _account_key(account: str) -> str:
    return f"account {account}"


def _address_key(address: str) -> str:
    return f"address {address}"

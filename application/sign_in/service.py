"""Signing in to the screens, step by step: password, then the second factor, then a session.

    begin()                          -> an anonymous session (for the sign-in form's CSRF token)
    password(username, password)     -> SECOND_FACTOR, ENROLMENT (no factor yet, and one is
                                        required) or SIGNED_IN (none required, none enrolled)
    second_factor(session, code)     -> SIGNED_IN
    enrol(session, code)             -> SIGNED_IN, the factor stored (`StaffSecondFactorEnrolled`)

Every step that succeeds ends the session it came from and starts a new one. Failed
passwords and codes go to the sign-in throttle (`application.sign_in_throttle`) as the account
`web:<username>` and the client's address: past its limits a failure is told to wait, and
nobody else is locked out, not even the owner of the account guessed at (the throttle never
refuses a valid credential). What stops a password guesser is therefore not the lock but the
password's length (`passwords`) and, above all, the second factor. Every refusal says the
same thing whether or not the username exists.
"""

from __future__ import annotations

from application.actors import Actor
from application.clock import Clock
from application.errors import ApplicationError
from application.sign_in import second_factor
from application.sign_in.sessions import Session, StaffSessions, Stage
from application.sign_in_throttle import SignInThrottle
from application.staff_directory import StaffDirectory
from application.vault.keystore import KeyStore
from domain.staff import staff_id_for


class SignInRefused(ApplicationError):
    """The password or code was not right, or too many were tried (`retry_after` seconds)."""

    def __init__(self, message: str, retry_after: int = 0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


WRONG = "The username or password is not right"
WRONG_CODE = "The code is not right, or it has expired: type the code your app shows now"


class SignIn:
    def __init__(
        self,
        staff: StaffDirectory,
        sessions: StaffSessions,
        keys: KeyStore,
        clock: Clock,
        throttle: SignInThrottle,
        *,
        second_factor_required: bool,
    ) -> None:
        self._staff = staff
        self.sessions = sessions
        self._keys = keys
        self._clock = clock
        self._throttle = throttle
        self.second_factor_required = second_factor_required

    def begin(self) -> Session:
        return self.sessions.start(Stage.ANONYMOUS)

    def password(self, session: Session, username: str, password: str, address: str) -> Session:
        member = self._staff.member_with_password(username, password)
        self._count(username, address, WRONG, succeeded=member is not None)
        assert member is not None
        self.sessions.end(session.token)
        if member.sealed_second_factor is not None:
            return self.sessions.start(Stage.SECOND_FACTOR, member.username)
        if self.second_factor_required:
            sealed = second_factor.seal(self._keys, member.id, second_factor.new_secret())
            return self.sessions.start(Stage.ENROLMENT, member.username, sealed)
        return self.sessions.start(Stage.SIGNED_IN, member.username)

    def second_factor(self, session: Session, code: str, address: str) -> Session:
        assert session.stage == Stage.SECOND_FACTOR and session.username
        member = self._staff.get(session.username)
        secret = (
            second_factor.unseal(self._keys, member.id, member.sealed_second_factor)
            if member.sealed_second_factor
            else None
        )
        self._check_code(session.username, secret, code, address)
        return self._signed_in(session)

    def enrolment(self, session: Session) -> tuple[str, str]:
        """The secret being enrolled, as a QR code (SVG) and as text to type."""
        secret = self._pending(session)
        return second_factor.qr_svg(secret, session.username or ""), secret

    def enrol(self, session: Session, code: str, address: str) -> Session:
        secret = self._pending(session)
        assert session.username and session.pending_secret
        self._check_code(session.username, secret, code, address)
        self._staff.enrol_second_factor(session.username, session.pending_secret)
        return self._signed_in(session)

    def actor(self, session: Session) -> Actor | None:
        """The signed-in member, if their account is still active."""
        if session.stage != Stage.SIGNED_IN or session.username is None:
            return None
        return self._staff.actor_of(session.username)

    def sign_out(self, session: Session) -> None:
        self.sessions.end(session.token)

    def sign_out_everywhere(self, session: Session) -> int:
        return self.sessions.end_all(session.username) if session.username else 0

    def _pending(self, session: Session) -> str:
        assert session.stage == Stage.ENROLMENT and session.username and session.pending_secret
        secret = second_factor.unseal(
            self._keys, staff_id_for(session.username), session.pending_secret
        )
        if secret is None:
            raise SignInRefused("The enrolment has expired: sign in again")
        return secret

    def _check_code(self, username: str, secret: str | None, code: str, address: str) -> None:
        right = secret is not None and second_factor.code_matches(secret, code, self._clock())
        self._count(username, address, WRONG_CODE, succeeded=right)

    def _count(self, username: str, address: str, refusal: str, *, succeeded: bool) -> None:
        """Tell the throttle how the attempt went; refuse it (saying so) if it failed."""
        account = f"web:{username}"
        if succeeded:
            self._throttle.record_success(account, address)
            return
        wait = self._throttle.record_failure(account, address)
        if wait:
            raise SignInRefused(
                f"{refusal}. There have been too many attempts to sign in to this account: "
                f"wait {wait} seconds before trying again",
                retry_after=wait,
            )
        raise SignInRefused(refusal)

    def _signed_in(self, session: Session) -> Session:
        self.sessions.end(session.token)
        return self.sessions.start(Stage.SIGNED_IN, session.username)

"""Signing in to the screens: password, second factor, sessions, sign-out, CSRF."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from application.sign_in.second_factor import code_at
from interface.api.app import create_app
from interface.config import build_services
from tests.conftest import ADMIN, Clock, add_staff, sqlite_env
from tests.web.helpers import Browser, set_passwords


def test_a_member_signs_in_with_a_password_and_sees_today(browser: Browser) -> None:
    assert browser.get("/today").headers["Location"].endswith("/sign-in")
    page = browser.get("/sign-in").get_data(as_text=True)
    assert 'for="username">Username<' in page and 'for="password">Password<' in page
    assert ">Sign in</button>" in page

    done = browser.sign_in("officer")

    assert done.status_code == 303 and done.headers["Location"].endswith("/today")
    today = browser.text("/today")
    assert "<h1>Today</h1>" in today and "k.officer" in today


def test_a_wrong_password_is_refused_in_words_and_says_nothing_of_the_account(
    browser: Browser,
) -> None:
    wrong = browser.sign_in("officer", password="not the password")
    unknown = browser.submit("/sign-in", "/sign-in", username="nobody", password="whatever12")

    for response in (wrong, unknown):
        assert response.status_code == 422
        page = response.get_data(as_text=True)
        assert "There is a problem" in page
        assert "The username or password is not right" in page
    assert browser.get("/today").status_code == 302


def test_failed_passwords_are_throttled_per_account_without_locking_anyone_out(
    browser: Browser,
) -> None:
    for _ in range(10):
        assert browser.sign_in("officer", password="not the password").status_code == 422

    told = browser.sign_in("officer", password="still not it")
    other = Browser(browser.client.application.test_client(), browser.services, browser.clock)

    assert told.status_code == 422
    assert "too many attempts to sign in to this account" in told.get_data(as_text=True)
    assert other.sign_in("manager").status_code == 303  # a colleague at the same address
    assert browser.sign_in("officer").status_code == 303  # the owner is never locked out


def test_a_form_without_its_csrf_token_is_refused_and_does_nothing(browser: Browser) -> None:
    browser.get("/sign-in")
    forged = browser.client.post("/sign-in", data={"username": "k.officer", "password": "x" * 12})
    assert forged.status_code == 400
    assert "Nothing was saved" in forged.get_data(as_text=True)

    browser.sign_in("officer")
    assert browser.client.post("/sign-out").status_code == 400  # no token
    assert browser.get("/today").status_code == 200  # still signed in


def test_signing_in_gives_a_new_session_id(browser: Browser) -> None:
    """Session fixation: an id planted before sign-in is worth nothing after it."""
    browser.get("/sign-in")
    planted = browser.cookie()

    browser.sign_in("officer")

    assert browser.cookie() != planted
    attacker = browser.client.application.test_client()
    attacker.set_cookie("caseledger_session", planted or "")
    assert attacker.get("/today").status_code == 302


def test_a_session_ends_after_30_idle_minutes_and_after_12_hours(browser: Browser) -> None:
    browser.sign_in("officer")
    browser.clock.advance(timedelta(minutes=29))
    assert browser.get("/today").status_code == 200  # used: the idle clock starts again
    browser.clock.advance(timedelta(minutes=29))
    assert browser.get("/today").status_code == 200
    browser.clock.advance(timedelta(minutes=31))
    assert browser.get("/today").status_code == 302  # idle too long

    browser.sign_in("officer")
    for _ in range(24):  # busy all day
        browser.clock.advance(timedelta(minutes=29))
        browser.get("/today")
    browser.clock.advance(timedelta(minutes=29))
    assert browser.get("/today").status_code == 302  # 12 hours since sign-in


def test_a_signed_out_session_cannot_be_used_again(browser: Browser) -> None:
    browser.sign_in("officer")
    old = browser.cookie()

    done = browser.submit("/today", "/sign-out")

    assert done.status_code == 303
    replay = browser.client.application.test_client()
    replay.set_cookie("caseledger_session", old or "")
    assert replay.get("/today").status_code == 302


def test_sign_out_everywhere_ends_every_session_of_the_member(browser: Browser) -> None:
    app = browser.client.application
    phone = Browser(app.test_client(), browser.services, browser.clock)
    colleague = Browser(app.test_client(), browser.services, browser.clock)
    for who, b in (("officer", browser), ("officer", phone), ("manager", colleague)):
        b.sign_in(who)

    browser.submit("/today", "/sign-out/everywhere")

    assert phone.get("/today").status_code == 302
    assert colleague.get("/today").status_code == 200


def test_a_removed_member_is_signed_out_at_once(browser: Browser) -> None:
    browser.sign_in("officer")
    browser.services.staff.remove("k.officer", reason="left", actor=ADMIN)
    assert browser.get("/today").status_code == 302


def test_the_second_factor_is_enrolled_with_a_qr_code_then_asked_for(
    tmp_path: Path, clock: Clock
) -> None:
    services = build_services(sqlite_env(str(tmp_path)), clock=clock)  # required by default
    try:
        add_staff(services)
        set_passwords(services)
        browser = Browser(create_app(services).test_client(), services, clock)

        first = browser.sign_in("officer")
        assert first.headers["Location"].endswith("/sign-in/enrol")
        enrol = browser.text("/sign-in/enrol")
        assert "<svg" in enrol and "style=" not in enrol.split("<svg", 1)[1].split("</svg>")[0]
        secret = enrol.split('<code class="secret">')[1].split("<")[0]
        assert browser.get("/today").status_code == 302  # not signed in yet
        wrong = browser.submit("/sign-in/enrol", "/sign-in/enrol", code="000000")
        assert wrong.status_code == 422
        done = browser.submit("/sign-in/enrol", "/sign-in/enrol", code=code_at(secret, clock()))
        assert done.headers["Location"].endswith("/today")
        assert browser.get("/today").status_code == 200

        browser.submit("/today", "/sign-out")
        again = browser.sign_in("officer")
        assert again.headers["Location"].endswith("/sign-in/code")
        assert browser.get("/today").status_code == 302
        clock.advance(timedelta(minutes=1))
        code = browser.submit("/sign-in/code", "/sign-in/code", code=code_at(secret, clock()))
        assert code.headers["Location"].endswith("/today")

        services.staff.reset_second_factor("k.officer", actor=ADMIN)
        browser.submit("/today", "/sign-out")
        assert browser.sign_in("officer").headers["Location"].endswith("/sign-in/enrol")
    finally:
        services.close()


@pytest.mark.parametrize("password", ["short", "x" * 201])
def test_a_password_must_be_10_to_200_characters(browser: Browser, password: str) -> None:
    from domain.errors import InvalidCommand

    with pytest.raises(InvalidCommand):
        browser.services.staff.set_password("k.officer", password, actor=ADMIN)

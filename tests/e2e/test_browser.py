"""The staff screens in a real browser (Debian's Chromium driven by Playwright) against the
real `caseledger serve` process, with axe-core run on every screen the journey passes.

A few long journeys rather than many short tests (each starts a server and a browser). The
tests skip, saying why, only when no Chromium is installed (`.ci/run` and `./dev test`
install it when they can). Accessibility: no violation at the serious or critical level is
allowed; the others are printed (`-s`) for the note.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_server import CASELEDGER, Server, _env

pytestmark = pytest.mark.e2e

CHROMIUM = os.environ.get("CASELEDGER_CHROMIUM", "/usr/bin/chromium")
if not Path(CHROMIUM).exists():
    pytest.skip(
        f"no Chromium at {CHROMIUM}: apt-get install chromium (./dev test does when it can)",
        allow_module_level=True,
    )
sync_api = pytest.importorskip("playwright.sync_api")
axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")

PASSWORD = "demo-password"
SERIOUS = ("serious", "critical")


def _label(text: str) -> re.Pattern[str]:
    """A field's label as drawn: its words, and "(optional)" when it is."""
    return re.compile(f"^{re.escape(text)}( \\(optional\\))?$")


class Screens:
    """One person at a browser: signs in, opens pages, fills forms, checks each with axe."""

    def __init__(self, browser: Any, base: str, seen: list[str], **context: Any) -> None:
        self.context = browser.new_context(**context)
        self.page = self.context.new_page()
        self.page.set_default_timeout(10_000)
        self.base = base
        self.seen = seen
        self.axe = axe_module.Axe()
        self.script = context.get("java_script_enabled", True)

    def check(self) -> None:
        """No serious or critical accessibility violation on the page as it is now (axe
        needs script: with it off, the page is only held to fit its width)."""
        if not self.script:
            width = self.page.evaluate("document.documentElement.scrollWidth")
            viewport = self.page.viewport_size or {"width": 0}
            assert width <= viewport["width"], f"{self.page.url}: {width} px wide"
            return
        results = self.axe.run(self.page)
        violations = results.response["violations"]
        serious = [v["id"] for v in violations if v.get("impact") in SERIOUS]
        where = re.sub(r"[0-9a-f-]{36}", "<id>", self.page.url.replace(self.base, ""))
        self.seen += [f"{where}: {v['id']} ({v.get('impact')})" for v in violations]
        assert not serious, f"{where}: {serious}"

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)
        self.check()

    def sign_in(self, username: str) -> None:
        self.go("/sign-in")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(PASSWORD)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_url(re.compile(r"/today$"))
        self.check()

    def open_case(self, reference: str) -> None:
        self.go("/cases")
        self.page.get_by_role("link", name=reference).first.click()
        self.check()

    def record(self, title: str, fill: dict[str, str], choose: tuple[str, ...] = ()) -> None:
        """From the case page: open the command's form, fill it, save, land on the case."""
        self.page.locator("summary", has_text=re.compile(".")).evaluate_all(
            "els => els.forEach(e => e.parentElement.open = true)"
        )
        self.page.get_by_role("link", name=title, exact=True).click()
        self.check()
        for label, value in fill.items():  # by its label, or `#id`
            found = self.page.locator(label) if label.startswith("#") else None
            (found or self.page.get_by_label(_label(label))).fill(value)
        for label in choose:
            self.page.get_by_label(label, exact=True).check()
        self.page.locator("form.form button[type=submit]").click()
        self.page.wait_for_url(re.compile(r"done="))
        assert "Saved:" in self.page.content()
        self.check()

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def demo_server(tmp_path: Path) -> Iterator[Server]:
    env = {"CASELEDGER_WEB_MFA": "optional"}
    done = subprocess.run(
        [CASELEDGER, "demo"], cwd=tmp_path, env=_env(**env), capture_output=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    server = Server(tmp_path, **env)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def chromium() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


def test_a_case_from_report_to_closure_in_the_browser(
    demo_server: Server, chromium: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    base = f"http://127.0.0.1:{demo_server.port}"
    seen: list[str] = []

    # The Customer Hub takes the report, triages it and names the officer.
    hub = Screens(chromium, base, seen, viewport={"width": 1280, "height": 900})
    hub.sign_in("hub.adviser")
    hub.page.get_by_role("link", name="Report a case").first.click()
    hub.check()
    hub.page.locator("input[name=channel][value=phone]").check()
    hub.page.get_by_label("The victim", exact=True).check()
    hub.page.get_by_label("Description").fill("Shouted at and spat on by the lift")
    hub.page.get_by_label("Race", exact=True).check()
    hub.page.get_by_label("Verbal abuse", exact=True).check()
    hub.page.locator("#victim-name").fill("Grace Hopper")
    hub.page.get_by_role("button", name="Report the case").click()
    hub.page.wait_for_url(re.compile(r"done=report"))
    hub.check()
    reference = hub.page.locator("h1").inner_text()
    hub.record("Customer Hub triage", {})
    hub.record("Name the case officer", {"Officer": "k.officer", "Team": "north"})
    hub.close()

    # The officer works the case.
    officer = Screens(chromium, base, seen, viewport={"width": 1280, "height": 900})
    officer.sign_in("k.officer")
    assert reference in officer.page.content()
    officer.open_case(reference)
    officer.page.locator("summary").evaluate_all(
        "els => els.forEach(e => e.parentElement.open = true)"
    )
    officer.page.get_by_role("link", name=re.compile("^Score the risk assessment")).click()
    for row in officer.page.locator("table.table--scores tbody tr").all():
        row.locator("input[value='1']").check()
    officer.page.locator("form.form button[type=submit]").click()
    officer.page.wait_for_url(re.compile(r"done="))
    officer.check()
    officer.record(
        "Agree a new version of the action plan",
        {"#actions-0-description": "Visit weekly", "#actions-0-owner": "k.officer"},
    )
    officer.record(
        "Agree how and how often the victim hears from us",
        {"Frequency days": "7"},
        choose=("Phone call",),
    )
    officer.record(
        "Log a contact, including a failed attempt",
        {"Summary": "Called; the victim is safe"},
        choose=("Phone call", "From us"),
    )
    officer.record(
        "Record a consent to share",
        {"Recipient name": "Victim Support"},
        choose=("A support agency", "In writing"),
    )
    assert "consent-1" in officer.page.content()
    sharing = officer.page.locator("#sharing tr", has_text="a support agency")
    assert "Yes" in sharing.inner_text()  # the sharing panel follows the consent
    officer.record("Record that a consent was withdrawn", {"Consent id": "consent-1"})
    assert "No" in sharing.inner_text() and "Policy" in sharing.inner_text()
    officer.record(
        "Propose closure",
        {"Reasons": "Resolved"},
        choose=("The issues were resolved to the customer's satisfaction",),
    )
    officer.record(
        "Record the closure discussion with the victim",
        {"Victim view": "Happy to close"},
        choose=("Phone call", "Yes"),
    )
    officer.record(
        "Record that the victim was told of their right to an ASB Case Review",
        {},
        choose=("Phone call",),
    )
    officer.close()

    # The manager closes it.
    manager = Screens(chromium, base, seen, viewport={"width": 1280, "height": 900})
    manager.sign_in("t.manager")
    manager.open_case(reference)
    manager.record(
        "Close the case with grounds and reasons (manager)",
        {"Reasons": "Resolved with the victim"},
        choose=("The issues were resolved to the customer's satisfaction",),
    )
    assert "closed" in manager.page.locator(".case-header").inner_text()
    manager.close()
    with capsys.disabled():
        print("\naxe, below serious:", *sorted(set(seen)) or ["none"], sep="\n  ")


def test_without_javascript_on_a_320_pixel_screen(demo_server: Server, chromium: Any) -> None:
    """Everything works with script off, and nothing needs scrolling sideways at 320 px."""
    base = f"http://127.0.0.1:{demo_server.port}"
    seen: list[str] = []
    narrow = {"viewport": {"width": 320, "height": 640}, "java_script_enabled": False}

    hub = Screens(chromium, base, seen, **narrow)
    hub.sign_in("hub.adviser")
    hub.go("/report")
    hub.page.get_by_role("button", name="Report the case").click()  # nothing filled in
    assert "There is a problem" in hub.page.content()
    hub.check()
    hub.page.locator("input[name=channel][value=letter]").check()
    hub.page.get_by_label("Someone who did not give their name", exact=True).check()
    hub.page.get_by_label("Description").fill("Leaflets pushed through every door")
    hub.page.get_by_label("Religion or belief", exact=True).check()
    hub.page.get_by_label("Offensive leaflets or letters", exact=True).check()
    hub.page.get_by_role("button", name="Report the case").click()
    hub.page.wait_for_url(re.compile(r"done=report"))
    hub.check()
    hub.record("Customer Hub triage", {})
    hub.close()

    manager = Screens(chromium, base, seen, **narrow)
    manager.sign_in("t.manager")
    for path in ("/cases", "/statistics"):
        manager.go(path)
    # and axe at the same width, with script on
    axed = Screens(chromium, base, seen, viewport={"width": 320, "height": 640})
    axed.sign_in("t.manager")
    for path in ("/cases", "/statistics", "/report"):
        axed.go(path)
    axed.page.get_by_role("button", name="Report the case").click()
    axed.check()
    axed.close()
    manager.page.get_by_role("button", name="Sign out", exact=True).click()
    assert "You have signed out" in manager.page.content()
    manager.close()

"""The case-state view holds personal values sealed: altered, or claimed for another event,
one never opens. (The view is derived data: a token moved between two fields of one case's
row still opens, as the value of the field it came from; `projections rebuild` restores the
row, and `verify` covers the events it is derived from.)"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from application.vault.errors import SealBroken
from domain.personal import ERASED_MARK
from interface.config import Services
from tests.cases import DESCRIPTION, VICTIM_NAME, report
from tests.conftest import HUB


def _state(services: Services, case_id: str) -> dict[str, Any]:
    with services.runner.store.reading() as c:
        c.execute("SELECT state FROM view_case_states WHERE case_id = ?", (case_id,))
        state: dict[str, Any] = json.loads(c.fetchone()[0])
        return state


def _store(services: Services, case_id: str, state: dict[str, Any]) -> None:
    with services.runner.store.transaction() as c:
        c.execute(
            "UPDATE view_case_states SET state = ? WHERE case_id = ?",
            (json.dumps(state), case_id),
        )


def test_the_view_holds_no_plaintext_and_reads_back_the_description(services: Services) -> None:
    case = report(services)
    shown = services.cases.case_for(HUB, case.id)
    assert shown.description is not None
    assert shown.description.value == DESCRIPTION
    text = json.dumps(_state(services, str(case.id)))
    assert DESCRIPTION not in text and VICTIM_NAME not in text


@pytest.mark.parametrize("change", ["version", "ciphertext"])
def test_a_sealed_value_altered_or_claimed_for_another_event_does_not_open(
    services: Services, change: str
) -> None:
    case = report(services)
    services.cases.case_for(HUB, case.id)  # catch the view up
    state = _state(services, str(case.id))
    token = json.loads(state["description"]["$personal"][1])
    if change == "version":
        token[1] += 1  # as if it had been stored by the case's next event
    else:
        raw = bytearray(base64.b64decode(token[5]))
        raw[0] ^= 1
        token[5] = base64.b64encode(bytes(raw)).decode()
    state["description"]["$personal"][1] = json.dumps(token)
    _store(services, str(case.id), state)
    with pytest.raises(SealBroken, match="fails authentication"):
        services.cases.case_for(HUB, case.id)


def test_a_mangled_token_in_the_view_is_refused(services: Services) -> None:
    case = report(services)
    services.cases.case_for(HUB, case.id)
    state = _state(services, str(case.id))
    state["description"]["$personal"][1] = "not a token"
    _store(services, str(case.id), state)
    with pytest.raises(SealBroken, match="malformed"):
        services.cases.case_for(HUB, case.id)


def test_an_erased_victim_reads_as_erased_from_the_view_at_once(services: Services) -> None:
    case = report(services)
    services.cases.case_for(HUB, case.id)
    assert case.victim_id is not None
    services.ledger.key_store.destroy(case.victim_id)
    shown = services.cases.case_for(HUB, case.id)
    assert shown.description is not None and shown.description.shown() == ERASED_MARK

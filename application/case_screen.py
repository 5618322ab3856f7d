"""The case as its officer's screen shows it, read from the `case_states` view.

A read is one view row and one look-up of the keys of the people in it: the history is not
replayed. The personal values in the row are sealed; they are opened here, for the reader
who may see them, under the same erasure rule as the events (a destroyed key reads as
erased). Who may see the case is decided on the state the view holds, as for a command.
"""

from __future__ import annotations

from uuid import UUID

from application.actors import Actor
from application.authorisation import may_read_cases, may_see
from application.errors import Forbidden, NotFound
from application.freshness import ViewFreshness
from application.ledger import case_access
from application.vault.keystore import KeyStore
from application.vault.mapper import UnopenedValues
from domain.hate_case import HateCase
from projections.case_states import read_case


class CaseScreen:
    def __init__(self, views: ViewFreshness, key_store: KeyStore) -> None:
        self._views = views
        self._key_store = key_store

    def case_for(self, actor: Actor, case_id: UUID) -> HateCase:
        """The case, if the actor may see it; otherwise it does not exist for them."""
        case = self.check_visible(actor, case_id)
        opener = UnopenedValues(self._key_store)
        case.__dict__.update({k: opener.open_within(v) for k, v in vars(case).items()})
        return case

    def check_visible(self, actor: Actor, case_id: UUID) -> HateCase:
        """The case with its personal values unopened, if the actor may see it (else 404)."""
        if not may_read_cases(actor):
            raise Forbidden(f"the {actor.role.value} role does not work on cases")
        self._views.ready("case_states")
        with self._views.runner.store.reading() as cursor:
            case = read_case(cursor, str(case_id))
        if case is None or not may_see(actor, case_access(case)):
            raise NotFound("no such case")
        return case

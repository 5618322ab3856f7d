"""The case as its officer's screen shows it, read from the `case_states` view.

A read is one view row and one look-up of the keys of the people in it: the history is not
replayed. The personal values in the row are sealed; they are opened here, for the reader
who may see them, under the same erasure rule as the events (a destroyed key reads as
erased). Who may see the case is decided on the state the view holds, as for a command.

A view that has not yet reached the case's latest event cannot say "not yours": the event it
lacks may be the one that gives the reader the case (an officer opening a case allocated to
them a moment ago). So before answering 404 for a case the log holds, the read waits for the
view to reach that event, and answers 503 with `Retry-After` (`ViewsBehind`) if it does not
in time; never a 404 that means "not yet". (While the view lags, a reader who will never
see the case is told so by a 503 too, then by a 404.)
"""

from __future__ import annotations

from collections.abc import Callable
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
    def __init__(
        self,
        views: ViewFreshness,
        key_store: KeyStore,
        latest_position: Callable[[UUID], int | None],
    ) -> None:
        self._views = views
        self._key_store = key_store
        self._latest_position = latest_position  # of a case's latest event in the log

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
        reached = self._views.ready("case_states")
        case = self._read(case_id)
        if case is None or not may_see(actor, case_access(case)):
            latest = self._latest_position(case_id)
            if latest is None or latest <= reached:
                raise NotFound("no such case")
            self._views.ready_for(latest, "case_states")  # or ViewsBehind: 503
            case = self._read(case_id)
            if case is None or not may_see(actor, case_access(case)):
                raise NotFound("no such case")
        return case

    def _read(self, case_id: UUID) -> HateCase | None:
        with self._views.runner.store.reading() as cursor:
            return read_case(cursor, str(case_id))

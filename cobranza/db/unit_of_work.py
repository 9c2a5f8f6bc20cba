"""The unit of work: one database transaction and what must follow its commit.

A ``UnitOfWork`` is the SQLAlchemy session every service writes through.
Services add the effects their writes call for (``after_commit``); once the
transaction commits they are handed, in order, to the dispatcher the
composition root gave; a rollback or a close without commit drops them. So a
promise's confirmation e-mail reaches the workers only if the promise exists,
and an agent's page hears only of events that happened.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from cobranza.core.effects import Dispatch, Effect


class UnitOfWork(Session):
    def __init__(self, *args: Any, dispatch: Dispatch | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._dispatch = dispatch
        self.effects: list[Effect] = []

    def after_commit(self, effect: Effect) -> None:
        """Do ``effect`` once this transaction has committed (never if it rolls back)."""
        self.effects.append(effect)

    def commit(self) -> None:
        super().commit()
        effects, self.effects = self.effects, []
        if effects and self._dispatch is not None:
            self._dispatch(effects)

    def rollback(self) -> None:
        self.effects = []
        super().rollback()

    def close(self) -> None:
        self.effects = []
        super().close()

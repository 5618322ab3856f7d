"""Refusals of the application layer (the domain's own refusals live in domain.errors)."""

from __future__ import annotations


class ApplicationError(Exception):
    """A use case could not be carried out."""


class Unauthenticated(ApplicationError):
    """No valid credentials."""


class Forbidden(ApplicationError):
    """The caller's role may not do this."""


class NotFound(ApplicationError):
    """No such thing, or the caller may not know it exists."""


class StaleVersion(ApplicationError):
    """The caller acted on a version of the case that is no longer the latest."""

    def __init__(self, seen: int | None, current: int) -> None:
        super().__init__(f"the case is at version {current}, not {seen}")
        self.seen = seen
        self.current = current


class ViewsBehind(ApplicationError):
    """The views have not yet reached the position the reader asked for."""

    def __init__(self, wanted: int, reached: int) -> None:
        super().__init__(f"the views are at position {reached}, not yet {wanted}")
        self.wanted = wanted
        self.reached = reached


class ConcurrentChange(ApplicationError):
    """Other changes to the same record kept being saved first; nothing of this was saved."""

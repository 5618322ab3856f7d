"""Refusals of the domain: a broken policy rule names the clause it comes from."""

from __future__ import annotations


class DomainError(Exception):
    """A command was refused by the domain."""


class PolicyViolation(DomainError):
    """A command would break a rule of the Hate Policy (or the law it cites).

    `clause` is the policy clause (e.g. "10.1") or legal reference the rule comes from.
    """

    def __init__(self, clause: str, message: str) -> None:
        super().__init__(f"{message} (policy {clause})")
        self.clause = clause
        self.message = message


class InvalidCommand(DomainError):
    """A command's own data does not make sense (a field-level problem, not a policy rule)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message

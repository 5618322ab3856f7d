"""Exports of the ledger's data for people outside it: the subject access export (JSON, PDF)."""

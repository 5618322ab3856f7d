"""Processes: what the ledger does because something happened (reminders, notifications).

A process has the shape of a view (`projections.runner.Projection`: its tables, and how one
event changes them) and is fed by the same runner, with a tracking position of its own, so it
applies each event exactly once, in the transaction that advances its position. What it
decides to do goes to its `Outbox` in that transaction; a sender delivers the outbox apart
from the runner, so a rolled-back batch never leaves anything sent. Unlike a view, a process
is never emptied or rebuilt from the log: its outbox is what it has done. See
docs/architecture.md, "Processes: where side effects go".
"""

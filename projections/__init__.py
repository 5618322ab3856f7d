"""Read models rebuilt from the event log: pure functions of the events, tracked by position."""

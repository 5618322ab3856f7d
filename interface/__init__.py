"""The ways in: the staff HTTP API, the command line, and configuration (composition root)."""

"""Reliability: crashes, concurrency, hostile input, authorisation, secrets, backups."""

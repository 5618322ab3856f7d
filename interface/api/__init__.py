"""The staff case API: JSON under /api/v1, errors as application/problem+json (RFC 9457)."""

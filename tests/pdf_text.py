"""The text of a PDF as a reader's tools extract it (pypdf), for tests of what a document says."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader


def pdf_text(data: bytes) -> str:
    """Every page's text, pages joined by a form feed, runs of spaces as one."""
    reader = PdfReader(io.BytesIO(data))
    pages = [page.extract_text() or "" for page in reader.pages]
    return "\f".join(re.sub(r"[ \t]+", " ", page) for page in pages)

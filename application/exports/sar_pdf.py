"""The subject access export as a readable PDF (fpdf2), rendered from the JSON export.

The PDF says the same as the JSON, in the order a person reads it: the request and its
deadline, their details, each case and what happened in it, who their data went to, what
was withheld and under which exemption, and what was redacted. Fonts, UK time and layout
are the ledger's PDF conventions (`application.exports.pdf_document`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from application.exports.pdf_document import (
    FONT_ENV,
    Document,
    find_font,
    transliterate,
    uk_time,
)

__all__ = ["FONT_ENV", "find_font", "render_pdf", "transliterate"]


def render_pdf(export: Mapping[str, Any], font: Path | None = None) -> bytes:
    """The PDF of a JSON export; `font` defaults to what `find_font` finds."""
    doc = Document(font if font is not None else find_font(), "Copy of your personal data")
    doc.heading(export["title"], 16)
    doc.text(f"Prepared {uk_time(export['generated_at'])}", size=9)
    request = export.get("request")
    if request:
        doc.heading("Your request")
        doc.pairs(
            {
                "received": request["received_at"],
                "answer due by": request["due_on"],
                "extended": request["extended"],
            }
        )
    subject = export["subject"]
    doc.heading("Your details")
    if subject["erased"]:
        doc.text("Your details have been erased at your request.")
    details = subject["details"]
    if isinstance(details, dict):
        doc.pairs(details or {"details": "none held (recorded anonymously)"})
    doc.text(f"Reference: {subject['subject_id']}", size=8)
    doc.heading("History of your record", 11)
    for entry in export["record_history"]:
        doc.text(f"{uk_time(entry['occurred_at'])}  {entry['label']}", bold=True)
        doc.pairs(entry["data"], indent=5)
    for case in export["cases"]:
        doc.heading(f"Case {case['reference']}")
        parts = ", ".join(part.replace("_", " ") for part in case["your_parts"])
        doc.text(f"Your part: {parts}", size=9)
        for entry in case["events"]:
            doc.text(f"{uk_time(entry['occurred_at'])}  {entry['label']}", bold=True)
            doc.pairs(entry["data"], indent=5)
    doc.heading("Who we shared your information with")
    if not export["disclosures"]:
        doc.text("No disclosures are recorded, apart from any withheld below.")
    for disclosure in export["disclosures"]:
        doc.pairs(disclosure)
        doc.pdf.ln(1)
    doc.heading("Information withheld")
    if not export["withheld"]:
        doc.text("Nothing has been withheld.")
    for item in export["withheld"]:
        doc.text(
            f"{uk_time(item['occurred_at'])}  {item['label']} (case {item['case_reference']})",
            bold=True,
        )
        doc.text(f"Withheld under {item['exemption']}", indent=5)
    redactions = export["redactions"]
    doc.heading("Information about other people")
    doc.text(
        f"{redactions['note']} {redactions['values_redacted']} item(s) removed under "
        f"{redactions['exemption']}."
    )
    doc.heading("About this information")
    doc.pairs(export["about_this_data"])
    return doc.output()

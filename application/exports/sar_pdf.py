"""The subject access export as a readable PDF (fpdf2), rendered from the JSON export.

The PDF says what the JSON says, in the order a person reads it: their request and its
deadline, their details, each case and what happened in it, who their information went to,
what was withheld, what was removed about other people, and their rights. A draft (the data
protection officer has not yet reviewed its free text) says so on every page. Fonts and
layout are the ledger's PDF conventions (`application.exports.pdf_document`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from application.exports.pdf_document import FONT_ENV, Document, find_font, transliterate

__all__ = ["FONT_ENV", "find_font", "render_pdf", "transliterate"]

DRAFT = "DRAFT for the data protection officer's review: not to be sent"


def _entries(doc: Document, entries: list[dict[str, Any]]) -> None:
    for entry in entries:
        doc.entry(f"{entry['when']}   {entry['what']}", entry["details"])


def render_pdf(export: Mapping[str, Any], font: Path | None = None) -> bytes:
    """The PDF of a JSON export; `font` defaults to what `find_font` finds."""
    draft = bool(export["draft"])
    doc = Document(
        font if font is not None else find_font(),
        export["title"],
        footer=DRAFT if draft else f"{export['title']}, prepared {export['prepared']}",
    )
    doc.heading(export["title"], 16)
    doc.text(f"Prepared {export['prepared']}", size=9)
    if draft:
        doc.text(DRAFT, bold=True)
    request = export.get("your request")
    if request:
        doc.heading("Your request")
        doc.pairs(request)
    you = export["your details"]
    doc.heading("Your details")
    if you["erased"]:
        doc.text("Your details have been erased at your request.")
    elif you["recorded anonymously"] and not you["details"]:
        doc.text("You were recorded without any details (anonymously).")
    for line in you["details"]:
        doc.text(line, indent=3)
    doc.heading("History of your record", 11)
    _entries(doc, export["history of your record"])
    for case in export["cases"]:
        doc.heading(f"Case {case['reference']}")
        doc.text(f"Your part: {case['your part']}", size=10, bold=True)
        _entries(doc, case["events"])
    held = export["files about you"]
    if held["files"]:
        doc.heading("Files about you")
        doc.text(held["statement"], size=9)
        for item in held["files"]:
            doc.entry(
                f"{item['what'].capitalize()} (case {item['case']})",
                {k: v for k, v in item.items() if k not in ("what", "case")},
                size=9,
            )
    doc.heading("Who we shared your information with")
    shared = export["who we shared your information with"]
    if not shared:
        doc.text("We have no record of sharing your information outside the landlord.")
    for item in shared:
        doc.entry(
            f"{item['when']}   {item['what']} (case {item['case']})",
            {k: v for k, v in item.items() if k not in ("when", "what", "case")},
        )
    withheld = export["information withheld"]
    doc.heading("Information withheld")
    doc.text(withheld["statement"])
    for item in withheld["items"]:
        doc.text(
            f"\u2022 {item['what']} (case {item['case']}): withheld under {item['why']}", indent=3
        )
    others = export["information about other people"]
    doc.heading("Information about other people")
    doc.text(others["statement"])
    count = others["items removed"]
    doc.text(
        "Nothing about other people needed to be removed."
        if count == 0
        else f"{count} item{'s' if count != 1 else ''} removed:"
    )
    for line in others["what was removed"]:
        doc.text(f"\u2022 {line}", indent=3)
    if export["your requests"]:
        doc.heading("Your requests to us")
        for each in export["your requests"]:
            doc.pairs({k: v for k, v in each.items() if k != "history"})
            _entries(doc, each["history"])
    doc.heading("About this information")
    doc.pairs(export["about this information"])
    return doc.output()

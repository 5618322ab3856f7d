"""The subject access export as a readable PDF (fpdf2), rendered from the JSON export.

The PDF says the same as the JSON, in the order a person reads it: the request and its
deadline, their details, each case and what happened in it, who their data went to, what
was withheld and under which exemption, and what was redacted.

Names and notes can be in any script, so a Unicode TrueType font is used: DejaVu Sans from
the system (`CASELEDGER_PDF_FONT` may name another regular TTF, with its bold beside it as
`*-Bold.ttf`). No font ships with the code. Without one, the PDF falls back to the core
Helvetica font and text is transliterated to Latin-1 (accents dropped, anything else `?`).
"""

from __future__ import annotations

import logging
import os
import unicodedata
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONT_ENV = "CASELEDGER_PDF_FONT"
LONDON = ZoneInfo("Europe/London")
_SYSTEM_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/local/share/fonts/DejaVuSans.ttf",
    "/Library/Fonts/DejaVuSans.ttf",
)
# fpdf2's font subsetting (fontTools) logs every glyph it keeps at INFO level.
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)

_PUNCTUATION = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2022": "*",
    }
)


def find_font(environ: Mapping[str, str] | None = None) -> Path | None:
    """The regular Unicode TTF to embed, or None to fall back to core fonts."""
    env = os.environ if environ is None else environ
    candidates = [env[FONT_ENV]] if env.get(FONT_ENV) else list(_SYSTEM_FONTS)
    for candidate in candidates:
        path = Path(candidate)
        if path.is_file():
            return path
    return None


def transliterate(text: str) -> str:
    """Latin-1 text for the core fonts: accents dropped, anything else unrepresentable `?`."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_PUNCTUATION))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped).encode("latin-1", "replace").decode("latin-1")


def _when(value: Any) -> str:
    """ISO instants as UK time, `2026-11-23 10:00 GMT`; dates and anything else unchanged."""
    if isinstance(value, str) and len(value) > 10 and value[10] == "T":
        try:
            return datetime.fromisoformat(value).astimezone(LONDON).strftime("%Y-%m-%d %H:%M %Z")
        except ValueError:
            return value
    return "" if value is None else str(value)


def _field(name: str) -> str:
    return name.replace("_", " ").capitalize()


class _Document:
    def __init__(self, font: Path | None) -> None:
        self.pdf = FPDF(format="A4")
        self.pdf.set_auto_page_break(auto=True, margin=15)
        self.pdf.set_margins(18, 18, 18)
        self._clean: Callable[[str], str]
        if font is not None:
            bold = font.with_name(f"{font.stem}-Bold{font.suffix}")
            self.pdf.add_font("body", "", str(font))
            self.pdf.add_font("body", "B", str(bold if bold.is_file() else font))
            self.family, self._clean = "body", str
        else:
            self.family, self._clean = "helvetica", transliterate
        self.pdf.set_title("Copy of your personal data")
        self.pdf.add_page()

    def heading(self, text: str, size: int = 13) -> None:
        self.pdf.ln(2)
        self.pdf.set_font(self.family, "B", size)
        self._line(text, size * 0.55)

    def text(self, text: str, size: int = 10, bold: bool = False, indent: float = 0) -> None:
        self.pdf.set_font(self.family, "B" if bold else "", size)
        self.pdf.set_x(self.pdf.l_margin + indent)
        self._line(text, size * 0.5, indent)

    def pairs(self, values: Mapping[str, Any], indent: float = 0, bullet: bool = False) -> None:
        for n, (name, value) in enumerate(values.items()):
            self.value(
                f"\u2022 {_field(name)}" if bullet and n == 0 else _field(name), value, indent
            )

    def value(self, name: str, value: Any, indent: float) -> None:
        if isinstance(value, dict):
            self.text(f"{name}:", indent=indent)
            self.pairs(value, indent + 5)
        elif isinstance(value, list) and any(isinstance(v, dict) for v in value):
            self.text(f"{name}:", indent=indent)
            for item in value:
                if isinstance(item, dict):
                    self.pairs(item, indent + 5, bullet=True)
                else:
                    self.text(str(item), indent=indent + 5)
        elif isinstance(value, list):
            self.text(f"{name}: {', '.join(str(v) for v in value) or '-'}", indent=indent)
        elif value is not None:
            shown = "yes" if value is True else "no" if value is False else _when(value)
            self.text(f"{name}: {shown}", indent=indent)

    def _line(self, text: str, height: float, indent: float = 0) -> None:
        self.pdf.multi_cell(
            self.pdf.epw - indent,
            height,
            self._clean(text),
            align="L",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def render_pdf(export: Mapping[str, Any], font: Path | None = None) -> bytes:
    """The PDF of a JSON export; `font` defaults to what `find_font` finds."""
    doc = _Document(font if font is not None else find_font())
    doc.heading(export["title"], 16)
    doc.text(f"Prepared {_when(export['generated_at'])}", size=9)
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
        doc.text(f"{_when(entry['occurred_at'])}  {entry['label']}", bold=True)
        doc.pairs(entry["data"], indent=5)
    for case in export["cases"]:
        doc.heading(f"Case {case['reference']}")
        parts = ", ".join(part.replace("_", " ") for part in case["your_parts"])
        doc.text(f"Your part: {parts}", size=9)
        for entry in case["events"]:
            doc.text(f"{_when(entry['occurred_at'])}  {entry['label']}", bold=True)
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
            f"{_when(item['occurred_at'])}  {item['label']} (case {item['case_reference']})",
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

"""The PDF conventions shared by the ledger's readable outputs (fpdf2): fonts, UK time, layout.

Names and notes can be in any script, so a Unicode TrueType font is used: DejaVu Sans from
the system (`CASELEDGER_PDF_FONT` may name another regular TTF, with its bold beside it as
`*-Bold.ttf`). No font ships with the code. Without one, the PDF falls back to the core
Helvetica font and text is transliterated to Latin-1 (accents dropped, anything else `?`).

The text comes already in words (`application.exports.reading`). A `Document` can carry a
fixed creation date, so the same content always renders to the same bytes, and a footer with
page numbers.
"""

from __future__ import annotations

import logging
import os
import unicodedata
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONT_ENV = "CASELEDGER_PDF_FONT"
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


class _PDF(FPDF):
    """FPDF with an optional footer line and page numbers."""

    footer_text = ""
    footer_family = "helvetica"

    def footer(self) -> None:
        if not self.footer_text:
            return
        self.set_y(-12)
        self.set_font(self.footer_family, "", 7)
        self.cell(0, 5, f"{self.footer_text}  |  page {self.page_no()} of {{nb}}", align="C")


class Document:
    """An A4 document written top to bottom: headings, text, and name/value pairs."""

    def __init__(
        self,
        font: Path | None,
        title: str,
        *,
        created: datetime | None = None,
        footer: str = "",
    ) -> None:
        self.pdf = _PDF(format="A4")
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
        self.pdf.footer_family = self.family
        self.pdf.footer_text = self._clean(footer)
        self.pdf.set_title(self._clean(title))
        if created is not None:
            self.pdf.set_creation_date(created)
        self.pdf.add_page()

    def heading(self, text: str, size: int = 13) -> None:
        """A heading, kept on a page with at least the start of what follows it."""
        if self.pdf.will_page_break(size * 0.55 + 20):
            self.pdf.add_page()
        self.pdf.ln(2)
        self.pdf.set_font(self.family, "B", size)
        self._line(text, size * 0.55)

    def text(self, text: str, size: int = 10, bold: bool = False, indent: float = 0) -> None:
        self.pdf.set_font(self.family, "B" if bold else "", size)
        self.pdf.set_x(self.pdf.l_margin + indent)
        self._line(text, size * 0.5, indent)

    def pairs(self, values: Mapping[str, Any], indent: float = 0) -> None:
        """Each value with its label ("How often: every 7 days"); a list as bullets."""
        for name, value in values.items():
            label = name[:1].upper() + name[1:]
            if isinstance(value, list):
                if not value:
                    continue
                self.text(f"{label}:", indent=indent)
                for item in value:
                    self.text(f"\u2022 {item}", indent=indent + 4)
            elif isinstance(value, dict):
                self.text(f"{label}:", indent=indent)
                self.pairs(value, indent + 4)
            elif value not in (None, ""):
                shown = "yes" if value is True else "no" if value is False else str(value)
                self.text(f"{label}: {shown}", indent=indent)

    def entry(self, title: str, details: Mapping[str, Any], size: int = 10) -> None:
        """One event: its title in bold, then its details."""
        if self.pdf.will_page_break(size * 1.5):
            self.pdf.add_page()
        self.pdf.ln(1)
        self.text(title, size=size, bold=True)
        self.pairs(details, indent=5)

    def new_page(self) -> None:
        self.pdf.add_page()

    def _line(self, text: str, height: float, indent: float = 0) -> None:
        """One line of text, wrapped when it does not fit. A line that fits is written as a
        single cell: fpdf2's line breaking costs about 2 ms a line, a cell a fiftieth of
        that, and most lines of a document fit."""
        width, clean = self.pdf.epw - indent, self._clean(text)
        # a cell margin either side, as multi_cell leaves
        if "\n" not in clean and self.pdf.get_string_width(clean) + 2 * self.pdf.c_margin < width:
            self.pdf.cell(width, height, clean, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            return
        self.pdf.multi_cell(width, height, clean, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def output(self) -> bytes:
        return bytes(self.pdf.output())

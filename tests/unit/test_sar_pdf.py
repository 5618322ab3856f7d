"""The subject access PDF: a Unicode font when the system has one, else core fonts with
transliteration; either way a PDF comes out."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import pytest

from application.exports.sar_json import ExportMaterial, build
from application.exports.sar_pdf import FONT_ENV, find_font, render_pdf, transliterate
from domain.data_subject import DataSubject

AT = datetime(2026, 3, 2, 10, tzinfo=UTC)


def export() -> dict[str, object]:
    subject = DataSubject.record(
        subject_id=uuid4(), details={"name": "Zoë Ng — 吴"}, actor="x", at=AT
    )
    return build(
        ExportMaterial(
            subject=subject,
            subject_events=subject.collect_events(),
            cases=[],
            requests=[],
            request=None,
            generated_at=AT,
        )
    ).export


def test_transliteration_keeps_latin_text_readable() -> None:
    assert transliterate("Zoë Ng \u2014 \u201cBob\u2019s\u201d 吴") == 'Zoe Ng - "Bob\'s" ?'


def test_a_font_named_in_the_environment_is_used_only_if_it_exists(tmp_path: Path) -> None:
    assert find_font({FONT_ENV: str(tmp_path / "missing.ttf")}) is None


@pytest.mark.parametrize("unicode_font", [True, False])
def test_the_pdf_renders_with_or_without_a_unicode_font(
    unicode_font: bool, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    if not unicode_font:
        monkeypatch.setenv(FONT_ENV, str(tmp_path / "missing.ttf"))
    elif find_font() is None:
        pytest.skip("no DejaVu Sans on this machine")
    pdf = render_pdf(export())
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000

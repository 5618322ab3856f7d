"""Small files of every type the ledger takes, made here (no fixtures on disk): a JPEG and a
PNG that carry a GPS position and a camera model, and the rest by their magic numbers."""

from __future__ import annotations

import io
import zipfile

from PIL import Image

GPS_TAG, MODEL_TAG = 0x8825, 0x0110
CAMERA = "CaseCam 3000"


def jpeg(size: int = 64, colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A JPEG with EXIF: a GPS position and the camera's model."""
    image = Image.new("RGB", (size, size), colour)
    exif = Image.Exif()
    exif[MODEL_TAG] = CAMERA
    exif[GPS_TAG] = {1: "N", 2: (52.0, 28.0, 48.0), 3: "W", 4: (1.0, 53.0, 24.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


def png() -> bytes:
    """A PNG with an eXIf chunk (camera model) and a text chunk."""
    from PIL import PngImagePlugin

    image = Image.new("RGB", (32, 32), (10, 120, 200))
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "taken at 52.48N 1.89W")
    exif = Image.Exif()
    exif[MODEL_TAG] = CAMERA
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info, exif=exif)
    return out.getvalue()


def pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def text() -> bytes:
    return b"Diary, Tuesday: shouting outside the flat again at 23:10.\n"


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def _box(kind: bytes, brand: bytes) -> bytes:
    return b"\x00\x00\x00\x18" + kind + brand + b"\x00\x00\x00\x00" + brand + b"isom"


def mp4() -> bytes:
    return _box(b"ftyp", b"isom") + b"\x00" * 64


def m4a() -> bytes:
    return _box(b"ftyp", b"M4A ") + b"\x00" * 64


def heic() -> bytes:
    return _box(b"ftyp", b"heic") + b"\x00" * 64


def mp3() -> bytes:
    return b"ID3\x03\x00\x00\x00\x00\x00\x0a" + b"\x00" * 10 + b"\xff\xfb\x90\x00" * 16


def wav() -> bytes:
    data = b"\x00\x00" * 8
    return b"RIFF" + (36 + len(data)).to_bytes(4, "little") + b"WAVEfmt " + b"\x00" * 20 + data

"""Copies of JPEG and PNG files without location or device metadata, made without
re-encoding the image (the pixels a court sees are the pixels uploaded).

Pillow can drop EXIF only by decoding and saving the image again, which for a JPEG is a
lossy re-compression of the evidence; so the copy is made here by keeping only the parts of
the file that make the picture, byte for byte (tests check with Pillow that the pixels are
unchanged and no EXIF is left):

- JPEG: the frame, tables, scans and restart markers, the JFIF header (APP0), the colour
  profile (APP2 `ICC_PROFILE`) and Adobe's colour transform (APP14). Dropped: EXIF and XMP
  (APP1, which hold GPS position, camera, time and thumbnails), IPTC (APP13), every other
  application segment, comments, and anything after the first image ends (phones append
  secondary images and vendor trailers there).
- PNG: the critical chunks and those that change how the pixels show (transparency,
  gamma, chromaticity, colour profile, significant bits, sRGB, background, pixel size,
  animation). Dropped: `eXIf`, the text chunks (`tEXt`, `zTXt`, `iTXt`), `tIME` and any
  chunk not known to be about the picture.

HEIC, MP4 and M4A also carry location and device metadata (in ISO-BMFF boxes); no
well-kept Python library removes it without re-encoding, so they have no such copy, and
`carries_location` tells the documents to leave them out unless their producer chooses to
include metadata. PDF, Word, MP3, WAV and text files have no location fields by format.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable, Iterator

from domain.case_files import HEIC, JPEG, M4A, MP4, PNG
from domain.errors import InvalidCommand

_LOCATED = frozenset({JPEG, PNG, HEIC, MP4, M4A})
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_KEEP = frozenset(
    b"IHDR PLTE IDAT IEND tRNS cHRM gAMA iCCP sBIT sRGB bKGD pHYs hIST acTL fcTL fdAT".split()
)
_JPEG_TABLES = frozenset(range(0xC0, 0xD0)) | {0xDB, 0xDD, 0xDA}  # SOFn, DHT, DAC, DQT, DRI, SOS
_SOS, _EOI, _APP0, _APP2, _APP14 = 0xDA, 0xD9, 0xE0, 0xE2, 0xEE
_ICC = b"ICC_PROFILE\x00"

Write = Callable[[bytes], object]


def carries_location(media_type: str) -> bool:
    """Whether files of this type may hold a location or device metadata."""
    return media_type in _LOCATED


def strippable(media_type: str) -> bool:
    """Whether a copy without metadata can be made here."""
    return media_type in (JPEG, PNG)


def without_metadata(media_type: str, chunks: Iterable[bytes], write: Write) -> None:
    """Write the file read from `chunks` without its metadata; `InvalidCommand` (field
    `file`) if it is not a well-formed file of its type."""
    source = _Source(chunks)
    if media_type == JPEG:
        _jpeg(source, write)
    elif media_type == PNG:
        _png(source, write)
    else:
        raise ValueError(f"no metadata-free copy of {media_type}")


def _broken(what: str) -> InvalidCommand:
    return InvalidCommand("file", f"the {what} is not well formed (cut short, or damaged)")


class _Source:
    """Exact reads over an iterator of chunks, holding at most one chunk."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks: Iterator[bytes] = iter(chunks)
        self._buffer = b""

    def read(self, n: int) -> bytes:
        """Exactly `n` bytes, or fewer only at the end."""
        while len(self._buffer) < n:
            more = next(self._chunks, None)
            if more is None:
                break
            self._buffer += more
        taken, self._buffer = self._buffer[:n], self._buffer[n:]
        return taken

    def exactly(self, n: int, what: str) -> bytes:
        data = self.read(n)
        if len(data) != n:
            raise _broken(what)
        return data

    def pieces(self) -> Iterator[bytes]:
        """What is buffered, then the remaining chunks; `put_back` returns an unused tail."""
        while True:
            if self._buffer:
                piece, self._buffer = self._buffer, b""
                yield piece
            more = next(self._chunks, None)
            if more is None:
                return
            self._buffer = more

    def put_back(self, data: bytes) -> None:
        self._buffer = data + self._buffer


def _png(source: _Source, write: Write) -> None:
    if source.read(8) != _PNG_SIGNATURE:
        raise _broken("PNG")
    write(_PNG_SIGNATURE)
    while True:
        header = source.exactly(8, "PNG")
        (length,) = struct.unpack(">I", header[:4])
        kind = header[4:]
        keep = kind in _PNG_KEEP
        if keep:
            write(header)
        remaining = length + 4  # the chunk's data and CRC
        while remaining:
            data = source.read(min(remaining, 1 << 16))
            if not data:
                raise _broken("PNG")
            if keep:
                write(data)
            remaining -= len(data)
        if kind == b"IEND":
            return


def _jpeg(source: _Source, write: Write) -> None:
    if source.read(2) != b"\xff\xd8":
        raise _broken("JPEG")
    write(b"\xff\xd8")
    while True:
        marker = _next_marker(source)
        if marker == _EOI:
            write(b"\xff\xd9")
            return  # anything after the image's end is not the image
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            write(bytes((0xFF, marker)))
            continue
        size = source.exactly(2, "JPEG")
        (length,) = struct.unpack(">H", size)
        if length < 2:
            raise _broken("JPEG")
        body = source.exactly(length - 2, "JPEG")
        if _keep_segment(marker, body):
            write(bytes((0xFF, marker)) + size + body)
        if marker == _SOS:
            _scan(source, write)


def _keep_segment(marker: int, body: bytes) -> bool:
    if marker in _JPEG_TABLES or marker in (_APP0, _APP14):
        return True
    return marker == _APP2 and body.startswith(_ICC)


def _next_marker(source: _Source) -> int:
    if source.exactly(1, "JPEG") != b"\xff":
        raise _broken("JPEG")
    marker = source.exactly(1, "JPEG")[0]
    while marker == 0xFF:  # fill bytes
        marker = source.exactly(1, "JPEG")[0]
    return marker


def _scan(source: _Source, write: Write) -> None:
    """Copy entropy-coded data up to the next marker that is not a stuffed byte or a restart
    marker, and leave that marker to be read next."""
    carry = b""
    for piece in source.pieces():
        data = carry + piece
        carry = b""
        start = 0
        while True:
            at = data.find(b"\xff", start)
            if at == -1 or at == len(data) - 1:
                end = len(data) if at == -1 else at
                write(data[:end])
                carry = data[end:]
                break
            follower = data[at + 1]
            if follower == 0x00 or 0xD0 <= follower <= 0xD7 or follower == 0xFF:
                start = at + 1 if follower == 0xFF else at + 2
                continue
            write(data[:at])
            source.put_back(data[at:])
            return
    raise _broken("JPEG")

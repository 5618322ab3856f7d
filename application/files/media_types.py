"""What a file is, from its bytes: never from its name or the type the client declares.

`filetype` (magic numbers) recognises the binary formats from the first bytes; two
checks of our own cover what it cannot tell from a head alone:

- a Word document is a zip; `filetype` looks for `word/` among the first few entries, and a
  writer that orders its entries otherwise would read as a plain zip, so `WordCheck` also
  watches the whole stream for the local header of `word/document.xml`;
- plain text has no magic number: `TextCheck` decodes the whole stream as UTF-8 and refuses
  NUL and other control characters (tab, line and page breaks allowed).
"""

from __future__ import annotations

import codecs

import filetype

from domain.case_files import DOCX, HEIC, M4A, MEDIA_TYPES, MP3, PDF, TEXT, WAV

HEAD = 8192
"""How many first bytes recognition reads (`filetype` reads at most 8192)."""

_CANONICAL = {
    "audio/x-wav": WAV,
    "audio/wave": WAV,
    "audio/vnd.wave": WAV,
    "audio/x-m4a": M4A,
    "audio/m4a": M4A,
    "audio/mp3": MP3,
    "image/jpg": "image/jpeg",
    "image/heif": HEIC,
    "application/x-pdf": PDF,
}
_UNDECLARED = frozenset({"", "application/octet-stream", "binary/octet-stream"})
_ZIP = "application/zip"
_CONTROL = frozenset(chr(c) for c in range(32)) - set("\t\n\r\f") | {"\x7f"}


def canonical(media_type: str) -> str:
    """`Image/JPG; charset=x` -> `image/jpeg`: the name the ledger stores."""
    bare = media_type.split(";", 1)[0].strip().lower()
    return _CANONICAL.get(bare, bare)


def declared(media_type: str | None) -> str | None:
    """The type a client declared, or None if it declared none worth checking."""
    if media_type is None:
        return None
    found = canonical(media_type)
    return None if found in _UNDECLARED else found


def recognise(head: bytes) -> str | None:
    """The type the first bytes show (`application/zip` for a zip not yet known to be a Word
    document), or None."""
    kind = filetype.guess(head)
    if kind is None:
        return None
    found = canonical(kind.mime)
    return found if found in MEDIA_TYPES or found == _ZIP else None


class TextCheck:
    """Whether the whole stream is text: UTF-8 without control characters."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self.ok = True

    def feed(self, data: bytes, final: bool = False) -> None:
        if not self.ok:
            return
        try:
            text = self._decoder.decode(data, final)
        except UnicodeDecodeError:
            self.ok = False
            return
        if not _CONTROL.isdisjoint(text):
            self.ok = False


class WordCheck:
    """Whether a zip stream holds `word/document.xml` (a local file header naming it)."""

    _NAME = b"word/document.xml"
    _WINDOW = 30 + len(_NAME)  # a local file header is 30 bytes before the name

    def __init__(self) -> None:
        self._tail = b""
        self.found = False

    def feed(self, data: bytes) -> None:
        if self.found:
            return
        window = self._tail + data
        at = window.find(self._NAME)
        while at != -1:
            if at >= 30 and window[at - 30 : at - 26] == b"PK\x03\x04":
                self.found = True
                return
            at = window.find(self._NAME, at + 1)
        self._tail = window[-self._WINDOW :]


def settle(head_type: str | None, text: TextCheck, word: WordCheck) -> str | None:
    """The file's type once its whole stream has been seen, or None if not one we take."""
    if head_type == _ZIP:
        return DOCX if word.found else None
    if head_type == DOCX:
        return DOCX if word.found else None
    if head_type is not None:
        return head_type
    return TEXT if text.ok else None

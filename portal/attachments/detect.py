"""What a file is, told from its content (magic bytes), never from its name or the browser.

A small table of signatures; the containers are looked into: a ZIP is a .docx/.xlsx/.pptx when
it holds ``[Content_Types].xml`` and ``word/``, ``xl/`` or ``ppt/``, an ODF document when its
``mimetype`` entry says so, and a plain ZIP otherwise; an OLE2 compound file is a Word, Excel
or PowerPoint (or WPS) document by the streams its directory names. Text must decode as UTF-8
or GB18030 with no control characters. Programs (MZ, ELF, Mach-O, scripts), markup a browser
would run (HTML, SVG, XML), documents with macros and anything unknown are refused.
"""

from __future__ import annotations

import codecs
import re
import struct
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from PIL import Image

from portal import messages
from portal.attachments.types import IMAGE_FORMATS

HEAD = 64 * 1024  # what is read to tell text from markup
CHUNK = 64 * 1024


class Refused(Exception):
    """An upload the site does not take; the message says why, in Chinese, for the editor."""

    @property
    def message(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class Detected:
    kind: str  # a family of ``types.FAMILIES``
    width: int | None = None  # images only
    height: int | None = None


# Never taken, whatever the name: Windows and DOS programs, ELF, Mach-O (and Java classes,
# which share its fat header), WebAssembly, Android dex, scripts with an interpreter line.
EXECUTABLES = (
    b"MZ",
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
    b"\x00asm",
    b"dex\n",
    b"#!",
)
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SIGNATURES = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"Rar!\x1a\x07\x00", "rar"),
    (b"Rar!\x1a\x07\x01\x00", "rar"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
)
ODF_MIMETYPES = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
    b"application/vnd.oasis.opendocument.presentation": "odp",
}
OOXML_PARTS = (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx"))
# OLE2 stream names → family; and the storages that hold macros (VBA).
OLE_STREAMS = (
    ("WordDocument", "ole-word"),
    ("Workbook", "ole-excel"),
    ("Book", "ole-excel"),
    ("PowerPoint Document", "ole-powerpoint"),
)
OLE_MACROS = frozenset({"Macros", "_VBA_PROJECT_CUR", "VBA", "_VBA_PROJECT"})
# Markup a browser would render (and run): never a text file, whatever it is named.
MARKUP = re.compile(rb"<\s*(?:script|html|svg|iframe|body|head|!doctype|\?xml)\b", re.IGNORECASE)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def detect(path: Path, name: str) -> Detected:
    """The family of the complete file at ``path``; raises ``Refused`` (``name`` is only for
    the message)."""
    with path.open("rb") as handle:
        head = handle.read(HEAD)
    if not head:
        raise Refused(messages.ATTACHMENT_EMPTY.format(name=name))
    if head.startswith(EXECUTABLES):
        raise Refused(messages.ATTACHMENT_EXECUTABLE.format(name=name))
    for magic, kind in SIGNATURES:
        if head.startswith(magic):
            return _checked_image(path, kind, name) if kind in IMAGE_FORMATS else Detected(kind)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return _checked_image(path, "webp", name)
    if head.startswith(ZIP_MAGIC):
        return Detected(_zip_family(path, name))
    if head.startswith(OLE_MAGIC):
        return Detected(_ole_family(path, name))
    if _is_markup(head):
        raise Refused(messages.ATTACHMENT_MARKUP.format(name=name))
    text = _text_family(path)
    if text is None:
        raise Refused(messages.ATTACHMENT_UNKNOWN.format(name=name))
    return Detected(text)


def _is_markup(head: bytes) -> bool:
    start = head.removeprefix(codecs.BOM_UTF8).lstrip()
    return start.startswith(b"<") or MARKUP.search(head) is not None


def _text_family(path: Path) -> str | None:
    """ "text-utf-8" or "text-gb18030" if the whole file decodes so, with no control
    characters (tab, line and page breaks aside); None otherwise (binary, UTF-16 …)."""
    for encoding in ("utf-8", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        try:
            with path.open("rb") as handle:
                while chunk := handle.read(CHUNK):
                    if CONTROL.search(decoder.decode(chunk)):
                        return None  # a control character is one in either encoding
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return f"text-{encoding}"
    return None


def _zip_family(path: Path, name: str) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = {info.filename: info for info in archive.infolist()}
            mimetype = infos.get("mimetype")
            if mimetype is not None and mimetype.file_size <= 100:
                kind = ODF_MIMETYPES.get(archive.read(mimetype).strip())
                if kind:
                    return kind
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError):
        raise Refused(messages.ATTACHMENT_CORRUPT.format(name=name)) from None
    if "[Content_Types].xml" in infos:
        if any(entry.lower().endswith("vbaproject.bin") for entry in infos):
            raise Refused(messages.ATTACHMENT_MACROS.format(name=name))
        for prefix, kind in OOXML_PARTS:
            if any(entry.startswith(prefix) for entry in infos):
                return kind
    return "zip"


def _ole_family(path: Path, name: str) -> str:
    try:
        streams = ole_entry_names(path)
    except (struct.error, ValueError, OSError):
        raise Refused(messages.ATTACHMENT_CORRUPT.format(name=name)) from None
    if streams & OLE_MACROS:
        raise Refused(messages.ATTACHMENT_MACROS.format(name=name))
    for stream, kind in OLE_STREAMS:
        if stream in streams:
            return kind
    raise Refused(messages.ATTACHMENT_UNKNOWN.format(name=name))  # an installer (.msi) …


_END_OF_CHAIN = 0xFFFFFFFA  # sector numbers from here on are markers, not sectors


class _CompoundFile:
    """Just enough of an OLE2 compound file ([MS-CFB]) to list its directory: the header's
    DIFAT locates the FAT, the FAT chains the directory's sectors. Every chain is bounded by
    the file's sector count, so a crafted loop ends."""

    def __init__(self, handle: BinaryIO, file_size: int) -> None:
        self.handle = handle
        header = handle.read(512)
        shift = struct.unpack_from("<H", header, 30)[0]
        if shift not in (9, 12):
            raise ValueError("not a compound file")
        self.size = 1 << shift
        self.sectors = file_size // self.size + 1
        fat_count, self.directory, difat_next, difat_count = struct.unpack_from(
            "<II16xII", header, 44
        )
        difat = list(struct.unpack_from("<109I", header, 76))
        for _ in range(min(difat_count, self.sectors)):
            if difat_next >= _END_OF_CHAIN:
                break
            *entries, difat_next = self.numbers(difat_next)
            difat.extend(entries)
        self.fat = [
            entry
            for number in difat[: min(fat_count, self.sectors)]
            if number < _END_OF_CHAIN
            for entry in self.numbers(number)
        ]

    def sector(self, number: int) -> bytes:
        self.handle.seek((number + 1) * self.size)
        data = self.handle.read(self.size)
        if len(data) != self.size:
            raise ValueError("truncated")
        return data

    def numbers(self, number: int) -> tuple[int, ...]:
        return struct.unpack(f"<{self.size // 4}I", self.sector(number))

    def entry_names(self) -> set[str]:
        names: set[str] = set()
        sector = self.directory
        for _ in range(self.sectors):
            if sector >= _END_OF_CHAIN:
                break
            data = self.sector(sector)
            for start in range(0, self.size, 128):
                length, kind = struct.unpack_from("<HB", data, start + 64)
                if kind in (1, 2) and 2 <= length <= 64:  # a storage or a stream
                    names.add(data[start : start + length - 2].decode("utf-16-le", "replace"))
            sector = self.fat[sector] if sector < len(self.fat) else _END_OF_CHAIN
        return names


def ole_entry_names(path: Path) -> set[str]:
    """The names of the storages and streams in an OLE2 compound file's directory."""
    with path.open("rb") as handle:
        return _CompoundFile(handle, path.stat().st_size).entry_names()


def _checked_image(path: Path, kind: str, name: str) -> Detected:
    """An image Pillow reads in the format its signature claims: its width and height."""
    with warnings.catch_warnings():
        # Pillow only warns below twice its pixel limit: refuse those decompression bombs too.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(path, formats=[IMAGE_FORMATS[kind]]) as image:
                width, height = image.size
                image.verify()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise Refused(messages.ATTACHMENT_IMAGE_TOO_LARGE.format(name=name)) from None
        except (OSError, SyntaxError, ValueError, struct.error, EOFError):
            raise Refused(messages.ATTACHMENT_CORRUPT.format(name=name)) from None
    return Detected(kind, width, height)

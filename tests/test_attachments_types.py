"""What a file is, told from its content: real files of every accepted kind, built here (a
DOCX with zipfile, an OLE2 compound file by its specification, images with Pillow), and the
ones refused whatever their name says. The builders are shared by the other attachment tests.
"""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from portal.attachments.detect import Refused, detect, ole_entry_names
from portal.attachments.types import FAMILIES, type_of

CHINESE_DOCX = "关于印发《2024年全市守法普法工作要点》的通知.docx"

# --- builders: real files of each kind ---------------------------------------------------------

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/{part}" ContentType="{main}"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="{part}"/></Relationships>'
)
_WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def docx_bytes(text: str = "各区司法局：现将《2024年全市守法普法工作要点》印发给你们。") -> bytes:
    """A minimal real DOCX (what Word needs to open it): content types, the package
    relationship, and word/document.xml with one paragraph."""
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"
    )
    return ooxml_bytes("word/document.xml", _WORD_MAIN, document)


def ooxml_bytes(part: str, main: str, xml: str, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES.format(part=part, main=main))
        archive.writestr("_rels/.rels", _RELS.format(part=part))
        archive.writestr(part, xml)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def odf_bytes(mimetype: str) -> bytes:
    """An OpenDocument package: ``mimetype`` first and stored, as the standard requires."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("报名表.txt", "姓名,单位\n".encode())
    return buffer.getvalue()


def ole_bytes(stream: str, sector_shift: int = 9) -> bytes:
    """An OLE2 compound file ([MS-CFB], version 3 or 4) whose directory holds the root entry
    and one stream named ``stream`` ("WordDocument": a Word or WPS document)."""
    size = 1 << sector_shift
    end, free, fat_sector, nostream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3 if size == 512 else 4, 0xFFFE, sector_shift, 6)
    # FAT sectors, first directory sector, mini-stream cutoff, first mini FAT, their count,
    # first DIFAT sector, their count; then the 109 DIFAT entries of the header.
    struct.pack_into("<II4xIIIII", header, 44, 1, 1, 4096, end, 0, end, 0)
    struct.pack_into("<109I", header, 76, 0, *([free] * 108))
    fat = struct.pack(f"<{size // 4}I", fat_sector, end, *([free] * (size // 4 - 2)))

    def entry(name: str, kind: int, child: int = nostream) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        data = bytearray(128)
        data[: len(encoded)] = encoded
        struct.pack_into("<HBBIII", data, 64, len(encoded), kind, 1, nostream, nostream, child)
        struct.pack_into("<IQ", data, 116, end, 0)
        return bytes(data)

    directory = entry("Root Entry", 5, child=1) + entry(stream, 2)
    directory += bytes(size - len(directory))
    padding = bytes(size - 512) if size > 512 else b""  # a 4096-byte header sector
    return bytes(header) + padding + fat + directory


def image_bytes(kind: str, size: tuple[int, int] = (120, 80)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=kind)
    return buffer.getvalue()


def write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "upload"
    path.write_bytes(data)
    return path


def kind_of(tmp_path: Path, name: str, data: bytes) -> str:
    found = detect(write(tmp_path, data), name)
    file_type = type_of(found.kind, name)
    assert file_type is not None, f"{name}: {found.kind} does not take this name"
    return found.kind


# --- what is accepted --------------------------------------------------------------------------

XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
PPTX_MAIN = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        (CHINESE_DOCX, docx_bytes(), "docx"),
        ("报名表.xlsx", ooxml_bytes("xl/workbook.xml", XLSX_MAIN, "<workbook/>"), "xlsx"),
        ("讲座.pptx", ooxml_bytes("ppt/presentation.xml", PPTX_MAIN, "<p/>"), "pptx"),
        ("通知.odt", odf_bytes("application/vnd.oasis.opendocument.text"), "odt"),
        ("统计.ods", odf_bytes("application/vnd.oasis.opendocument.spreadsheet"), "ods"),
        ("汇报.odp", odf_bytes("application/vnd.oasis.opendocument.presentation"), "odp"),
        ("材料.zip", zip_bytes(), "zip"),
        ("旧通知.doc", ole_bytes("WordDocument"), "ole-word"),
        ("旧通知.wps", ole_bytes("WordDocument"), "ole-word"),
        ("大扇区.doc", ole_bytes("WordDocument", sector_shift=12), "ole-word"),
        ("旧表格.xls", ole_bytes("Workbook"), "ole-excel"),
        ("旧表格.et", ole_bytes("Workbook"), "ole-excel"),
        ("旧演示.ppt", ole_bytes("PowerPoint Document"), "ole-powerpoint"),
        ("旧演示.dps", ole_bytes("PowerPoint Document"), "ole-powerpoint"),
        ("全文.pdf", b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n", "pdf"),
        ("压缩.rar", b"Rar!\x1a\x07\x01\x00" + bytes(32), "rar"),
        ("压缩.7z", b"7z\xbc\xaf\x27\x1c" + bytes(32), "7z"),
        ("说明.txt", "各单位：\r\n\t请于12月4日前报送。\n".encode(), "text-utf-8"),
        ("说明.TXT", "\ufeff带 BOM 的说明".encode(), "text-utf-8"),
        ("旧说明.txt", "各单位：请于12月4日前报送。".encode("gbk"), "text-gb18030"),
        ("照片.jpg", image_bytes("JPEG"), "jpeg"),
        ("照片.JPEG", image_bytes("JPEG"), "jpeg"),
        ("图.png", image_bytes("PNG"), "png"),
        ("动图.gif", image_bytes("GIF"), "gif"),
        ("图.webp", image_bytes("WEBP"), "webp"),
    ],
)
def test_each_accepted_kind_is_told_by_its_content(tmp_path, name, data, kind):
    assert kind_of(tmp_path, name, data) == kind


def test_an_image_knows_its_width_and_height(tmp_path):
    found = detect(write(tmp_path, image_bytes("PNG", (640, 427))), "图.png")
    assert (found.kind, found.width, found.height) == ("png", 640, 427)


def test_the_ole_directory_is_read_by_its_fat_chain(tmp_path):
    path = write(tmp_path, ole_bytes("WordDocument"))
    assert ole_entry_names(path) == {"WordDocument"}  # streams and storages, not the root


def test_a_wps_document_and_a_word_one_are_the_same_content_under_two_types():
    doc, wps = (type_of("ole-word", name) for name in ("a.doc", "a.wps"))
    assert doc is not None
    assert wps is not None
    assert (doc.media_type, wps.label) == ("application/msword", "WPS 文字文档")


# --- what is refused ---------------------------------------------------------------------------

WINDOWS_PROGRAM = b"MZ\x90\x00" + bytes(56) + b"\x80\x00\x00\x00" + bytes(64) + b"PE\x00\x00"


@pytest.mark.parametrize(
    ("name", "data", "said"),
    [
        ("通知.pdf", WINDOWS_PROGRAM, "可执行程序"),
        ("通知.docx", WINDOWS_PROGRAM, "可执行程序"),
        ("setup.txt", b"\x7fELF\x02\x01\x01" + bytes(64), "可执行程序"),
        ("run.txt", b"#!/bin/sh\nrm -rf /\n", "可执行程序"),
        ("页面.txt", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "网页"),
        ("说明.txt", b"   <script>alert(1)</script>", "网页"),
        ("图.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "网页"),
        ("图.svg", b'<?xml version="1.0"?><svg><script>alert(1)</script></svg>', "网页"),
        ("说明.txt", "正文中间藏着 <svg onload=alert(1)> 的文字".encode(), "网页"),
        ("空.pdf", b"", "空文件"),
        ("数据.txt", b"\x00\x01\x02\x03binary", "无法识别"),
        ("未知.bin", bytes(range(256)), "无法识别"),
        (
            "宏.docx",
            ooxml_bytes(
                "word/document.xml",
                _WORD_MAIN,
                "<w:document/>",
                {"word/vbaProject.bin": b"\xd0\xcf"},
            ),
            "宏",
        ),  # fmt: skip
        ("宏.doc", ole_bytes("Macros"), "宏"),
        ("安装.doc", ole_bytes("\x05SummaryInformation"), "无法识别"),
        ("坏.docx", b"PK\x03\x04" + bytes(40), "损坏"),
        ("坏.png", b"\x89PNG\r\n\x1a\n" + bytes(40), "损坏"),
        ("坏.jpg", b"\xff\xd8\xff" + bytes(10), "损坏"),
    ],
)
def test_refused_whatever_the_name_says(tmp_path, name, data, said):
    with pytest.raises(Refused) as refused:
        detect(write(tmp_path, data), name)
    assert said in refused.value.message
    if data:
        assert name in refused.value.message


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("通知.docx", b"%PDF-1.7\n%%EOF\n"),  # a PDF named .docx
        ("全文.pdf", docx_bytes()),  # a DOCX named .pdf
        ("照片.png", image_bytes("JPEG")),
        ("通知.doc", docx_bytes()),
        ("表格.xls", ole_bytes("WordDocument")),
        ("没有扩展名", b"%PDF-1.7\n%%EOF\n"),
        ("材料.zip", docx_bytes()),
    ],
)
def test_a_name_whose_extension_lies_about_the_content_fits_no_type(tmp_path, name, data):
    found = detect(write(tmp_path, data), name)
    assert type_of(found.kind, name) is None


def test_every_family_has_types_with_extensions():
    for kind, types in FAMILIES.items():
        assert types, kind
        for file_type in types:
            assert file_type.extensions
            assert file_type.label
            assert "/" in file_type.media_type


def test_a_decompression_bomb_is_refused(tmp_path):
    # Pillow's limit is 89,478,485 pixels (warning) / twice that (error): 10,000 × 10,000.
    buffer = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(buffer, format="PNG")
    with pytest.raises(Refused) as refused:
        detect(write(tmp_path, buffer.getvalue()), "大图.png")
    assert "像素过多" in refused.value.message

"""The kinds of file a post may carry: what each is called, served as, and named.

``detect`` tells a file's *family* from its content (a PDF, an OLE2 Word-like document, a PNG
…); a family has one or more ``FileType`` s, told apart by the file name's extension only
where the content cannot tell them (an OLE2 Word document is a .doc for Microsoft Word and a
.wps for WPS 文字: the same format). The extension must be one of its family's, or the upload
is refused: a name that lies about its content is never served under it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FileType:
    label: str  # 中文, on the article page and in messages
    media_type: str  # Content-Type, and the feeds' enclosure type
    extensions: tuple[str, ...]  # the first is the usual one


PDF = FileType("PDF 文档", "application/pdf", ("pdf",))
DOCX = FileType(
    "Word 文档",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ("docx",),
)
XLSX = FileType(
    "Excel 表格", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",)
)
PPTX = FileType(
    "PowerPoint 演示文稿",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ("pptx",),
)
DOC = FileType("Word 文档", "application/msword", ("doc",))
XLS = FileType("Excel 表格", "application/vnd.ms-excel", ("xls",))
PPT = FileType("PowerPoint 演示文稿", "application/vnd.ms-powerpoint", ("ppt",))
# WPS Office's own formats are OLE2 documents like Microsoft's (Debian's mime.types for .wps).
WPS = FileType("WPS 文字文档", "application/vnd.ms-works", ("wps",))
ET = FileType("WPS 表格", "application/vnd.ms-excel", ("et",))
DPS = FileType("WPS 演示文稿", "application/vnd.ms-powerpoint", ("dps",))
ODT = FileType("ODF 文字文档", "application/vnd.oasis.opendocument.text", ("odt",))
ODS = FileType("ODF 电子表格", "application/vnd.oasis.opendocument.spreadsheet", ("ods",))
ODP = FileType("ODF 演示文稿", "application/vnd.oasis.opendocument.presentation", ("odp",))
TXT_UTF8 = FileType("文本文件", "text/plain; charset=utf-8", ("txt",))
TXT_GB18030 = FileType("文本文件", "text/plain; charset=gb18030", ("txt",))
ZIP = FileType("ZIP 压缩包", "application/zip", ("zip",))
RAR = FileType("RAR 压缩包", "application/vnd.rar", ("rar",))
SEVEN_ZIP = FileType("7z 压缩包", "application/x-7z-compressed", ("7z",))
JPEG = FileType("JPEG 图片", "image/jpeg", ("jpg", "jpeg"))
PNG = FileType("PNG 图片", "image/png", ("png",))
GIF = FileType("GIF 图片", "image/gif", ("gif",))
WEBP = FileType("WebP 图片", "image/webp", ("webp",))

# Family (``StoredFile.kind``) → its types. Never rename a key: stored rows name them.
FAMILIES: dict[str, tuple[FileType, ...]] = {
    "pdf": (PDF,),
    "docx": (DOCX,),
    "xlsx": (XLSX,),
    "pptx": (PPTX,),
    "ole-word": (DOC, WPS),
    "ole-excel": (XLS, ET),
    "ole-powerpoint": (PPT, DPS),
    "odt": (ODT,),
    "ods": (ODS,),
    "odp": (ODP,),
    "text-utf-8": (TXT_UTF8,),
    "text-gb18030": (TXT_GB18030,),
    "zip": (ZIP,),
    "rar": (RAR,),
    "7z": (SEVEN_ZIP,),
    "jpeg": (JPEG,),
    "png": (PNG,),
    "gif": (GIF,),
    "webp": (WEBP,),
}
# The families Pillow reads (width and height), with the format name it reports for each.
IMAGE_FORMATS = {"jpeg": "JPEG", "png": "PNG", "gif": "GIF", "webp": "WEBP"}


def extension_of(name: str) -> str:
    """The name's extension, lower case, without the dot ("" for none)."""
    stem, dot, extension = name.rpartition(".")
    return extension.lower() if dot and stem else ""


def type_of(kind: str, name: str) -> FileType | None:
    """The type a file of family ``kind`` has under ``name``; None if the name's extension is
    not one of its family's (such a name is refused at upload and never served)."""
    extension = extension_of(name)
    for file_type in FAMILIES.get(kind, ()):
        if extension in file_type.extensions:
            return file_type
    return None


def is_image(kind: str) -> bool:
    return kind in IMAGE_FORMATS

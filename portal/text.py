"""Pure text helpers; nothing here knows about the app.

Cutting text is done by *display width*: a wide (CJK, full-width, most emoji) character counts
2 and anything else 1, so a cut Chinese summary and a cut English one take the same room.
Text is cut only between user-perceived characters: never inside a surrogate pair, a base
character and its combining marks, an emoji ZWJ/modifier/flag sequence, or an HTML entity.
"""

from __future__ import annotations

import re
import unicodedata

ELLIPSIS = "…"

_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_REGIONAL_INDICATOR = range(0x1F1E6, 0x1F200)
_ZWJ = "\u200d"
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _binds_to_previous(char: str) -> bool:
    """Marks (accents, Indic vowel signs…), variation selectors, emoji modifiers and tags."""
    code = ord(char)
    return (
        unicodedata.category(char).startswith("M")
        or 0xFE00 <= code <= 0xFE0F
        or 0x1F3FB <= code <= 0x1F3FF
        or 0xE0020 <= code <= 0xE007F
        or 0xE0100 <= code <= 0xE01EF
    )


def _iter_clusters(text: str):
    """Yield (start, end) of each unit that must not be cut apart: an HTML entity, a flag
    (two regional indicators), or a character with what binds to it (marks, modifiers,
    zero-width-joined emoji)."""
    index, length = 0, len(text)
    while index < length:
        entity = _ENTITY.match(text, index) if text[index] == "&" else None
        if entity:
            yield index, entity.end()
            index = entity.end()
            continue
        start = index
        index += 1
        flag = index < length and ord(text[start]) in _REGIONAL_INDICATOR
        if flag and ord(text[index]) in _REGIONAL_INDICATOR:
            index += 1
        while index < length:
            if _binds_to_previous(text[index]):
                index += 1
            elif text[index] == _ZWJ:
                index = min(index + 2, length)  # the joiner and the character it joins
            else:
                break
        yield start, index


def clusters(text: str) -> list[str]:
    """Split ``text`` into units that must not be cut apart."""
    return [text[start:end] for start, end in _iter_clusters(text)]


def char_width(char: str) -> int:
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def cluster_width(cluster: str) -> int:
    if cluster.startswith("&") and cluster.endswith(";") and len(cluster) > 2:
        return 1  # an entity stands for one character; only its first one matters here
    if (len(cluster) == 2 and ord(cluster[0]) in _REGIONAL_INDICATOR) or "\ufe0f" in cluster:
        return 2  # flags and emoji-presentation sequences are drawn as one wide glyph
    # A sequence is as wide as its widest part (a ZWJ family is one wide glyph).
    return max((char_width(c) for c in cluster), default=0)


def display_width(text: str) -> int:
    return sum(cluster_width(c) for c in clusters(text))


def truncate_width(text: str, max_width: int, ellipsis: str = ELLIPSIS) -> str:
    """Cut ``text`` to at most ``max_width`` display columns, ending with ``ellipsis`` if cut.

    The ellipsis counts towards the width. Text that already fits is returned unchanged.
    Reads only as far as it must, so cutting the summary of a long body stays cheap.
    """
    text = _SURROGATE.sub("", text)
    budget = max_width - display_width(ellipsis)
    kept_end = 0  # where the text is cut if it turns out not to fit
    used = 0
    for start, end in _iter_clusters(text):
        used += cluster_width(text[start:end])
        if used > max_width:
            return text[:kept_end].rstrip() + ellipsis
        if used <= budget:
            kept_end = end
    return text


def collapse_whitespace(text: str) -> str:
    return " ".join(text.split())


def summarize(plain: str, max_width: int) -> str:
    """A one-line summary of plain text, cut by display width."""
    return truncate_width(collapse_whitespace(plain), max_width)


def strip_xml_illegal(text: str) -> str:
    """Remove the characters XML 1.0 forbids (they break feeds and XML exports)."""
    return _XML_ILLEGAL.sub("", text)


def clean_text(value: str | None) -> str:
    """A one-line value as stored and as feeds write it: trimmed, without the characters XML
    forbids (pasted from Word, say; lxml would refuse the whole feed)."""
    return strip_xml_illegal(value or "").strip()


# The HTML parser would see markup here: a tag, an end tag, a comment, a doctype or a processing
# instruction ("a < b" and "AT&T" are text). static/js/editor-richtext.js asks the same question.
_MARKUP = re.compile(r"<[A-Za-z/!?]")
_ASCII_SPACE = " \t"


def paragraphs(body: str) -> str:
    """A body without markup as paragraphs: each line one ``<p>``, blank lines dropped.

    Text typed or pasted without formatting (Word's and WPS's plain text put one paragraph on a
    line; people leave a blank line between them) would otherwise be one run-on paragraph, since
    HTML ignores line breaks. A body with markup is returned unchanged: it says where its
    paragraphs are. The text is not escaped: it is still HTML (an entity stays an entity), and
    the sanitizer reads it next.
    """
    if _MARKUP.search(body):
        return body
    lines = (line.strip(_ASCII_SPACE) for line in body.splitlines())
    return "\n".join(f"<p>{line}</p>" for line in lines if line.strip())

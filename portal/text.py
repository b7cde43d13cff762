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

# One user-perceived unit: an HTML entity, or a character followed by what binds to it.
_ENTITY = r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
_BINDING = (
    r"(?:[\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u0610-\u061a\u064b-\u065f\u0e31\u0e34-\u0e3a"
    r"\u0e47-\u0e4e\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe00-\ufe0f\ufe20-\ufe2f"
    r"\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f\U000e0100-\U000e01ef\u3099\u309a]"
    r"|\u200d.)"
)
_FLAG = r"[\U0001f1e6-\U0001f1ff]{2}"
_CLUSTER = re.compile(rf"{_ENTITY}|{_FLAG}|(?s:.){_BINDING}*")
_FLAG_RE = re.compile(_FLAG)
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def clusters(text: str) -> list[str]:
    """Split ``text`` into units that must not be cut apart."""
    return _CLUSTER.findall(text)


def char_width(char: str) -> int:
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def cluster_width(cluster: str) -> int:
    if cluster.startswith("&") and cluster.endswith(";") and len(cluster) > 2:
        return 1  # an entity stands for one character; only its first one matters here
    if _FLAG_RE.fullmatch(cluster) or "\ufe0f" in cluster:
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
    for match in _CLUSTER.finditer(text):
        used += cluster_width(match.group())
        if used > max_width:
            return text[:kept_end].rstrip() + ellipsis
        if used <= budget:
            kept_end = match.end()
    return text


def collapse_whitespace(text: str) -> str:
    return " ".join(text.split())


def summarize(plain: str, max_width: int) -> str:
    """A one-line summary of plain text, cut by display width."""
    return truncate_width(collapse_whitespace(plain), max_width)

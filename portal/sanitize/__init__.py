"""The site's one HTML sanitization policy; the only package that may import bleach.

Article bodies are cleaned once, when saved, and stored clean. The policy is an allowlist fit
for government articles; everything else is removed and described (in Chinese, for the editor)
in ``CleanResult.removed``. No ``style`` attribute survives because the Content-Security-Policy
forbids inline styles: the three styles articles need become classes (``STYLE_CLASSES``).

This package is standalone on purpose (nothing from the app, only the pure ``portal.text``), so
it can be tested and reused without the app. Import from here: ``policy`` holds the allowlists,
``filters`` the token filters that apply them and ``urls`` how href/src are read.
"""

from __future__ import annotations

import html as html_module
import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser

from portal.sanitize.depth import MAX_DEPTH, NestingTooDeep, check_depth
from portal.sanitize.filters import AMPERSAND, Report, Walk, attribute_value
from portal.sanitize.policy import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_PROTOCOLS,
    ALLOWED_TAGS,
    STYLE_CLASSES,
)
from portal.sanitize.urls import absolute
from portal.text import strip_xml_illegal

__all__ = [
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_PROTOCOLS",
    "ALLOWED_TAGS",
    "MAX_DEPTH",
    "STYLE_CLASSES",
    "CleanResult",
    "NestingTooDeep",
    "absolutize_urls",
    "clean",
    "plain_text",
    "strip_xml_illegal",
]


@dataclass(frozen=True)
class CleanResult:
    """The clean HTML, and what was removed (plain text: escape it when displaying).

    ``removed`` is de-duplicated, in order of appearance; its entries are one of
    ``"<script> 标签及其内容"`` (element dropped with its content), ``"<font> 标签"`` (tag
    unwrapped, or void element / source-less image dropped), ``"onerror 属性"`` (attribute),
    ``"javascript: 链接"`` (URL with a forbidden scheme; ``"无效链接"`` if unparseable),
    ``"style 样式 color:red"`` (one per CSS declaration; all Word ``mso-*`` ones share
    ``"style 样式 mso-*"``; unparseable CSS is ``"style 样式"``) and ``"HTML 注释"``.
    Foreign ``class`` values (Word's ``MsoNormal``) are dropped without a report.
    """

    html: str
    removed: tuple[str, ...]


# A paragraph with nothing visible in it (clean() output: double-quoted attributes, <br>).
# \s covers U+00A0 and U+3000; the alternatives start differently and the repetition is
# possessive, so the time stays linear whatever the body holds.
_EMPTY_PARAGRAPH = re.compile(r'<p(?: class="[^"]*+")?>(?:\s|&nbsp;|<br>)*+</p>\n?')


def clean(raw_html: str, *, site_host: str | None = None) -> CleanResult:
    """Sanitize ``raw_html`` by the site policy; ``site_host`` decides which links are external.

    Raises ``NestingTooDeep`` for markup nested deeper than ``MAX_DEPTH`` elements, which is
    refused rather than cleaned (its parse would take time growing with the square of it).
    """
    if not isinstance(raw_html, str):
        raise TypeError(f"raw_html must be str, not {type(raw_html).__name__}")
    removed: dict[str, None] = {}  # an ordered set
    report = removed.setdefault
    raw = strip_xml_illegal(raw_html)
    check_depth(raw)
    html = _clean_once(raw, report, site_host)
    # Unwrapping can leave nesting that the parser rebuilds differently when it reads the
    # result again (<li><h1><li> becomes <li><li>: two items on the next read), so clean until
    # stable; what we store must read back as itself. Output equal to its input is stable
    # already (the same input gives the same output), which is the common case; output that
    # the parser reads back as the tree it was written from is too (the walk changes nothing
    # in its own output: test_clean_is_idempotent), and lexbor tells that in C, at a fraction
    # of a walk's cost (unclosed <p>, <li> or <td>: the output only adds their end tags).
    previous = raw
    for _ in range(3):
        if html == previous or _reads_back_as_itself(html):
            break
        previous, html = html, _clean_once(html, report, site_host)
    # Word and WPS pad documents with empty paragraphs; an article is clean paragraphs.
    html, emptied = _EMPTY_PARAGRAPH.subn("", html)
    if emptied:
        report("空段落")
    return CleanResult(html, tuple(removed))


# clean() output quotes every attribute with '"', so this finds every relative href/src.
_RELATIVE_URL_ATTRIBUTE = re.compile(r'\s(?:href|src)="(?![a-zA-Z][a-zA-Z0-9+.-]*+:)')
# An href or src of clean HTML, where "<" and ">" only delimit tags (text and values carry them
# as entities): an attribute is in a tag exactly when the next "<" or ">" after it is a ">".
_URL_ATTRIBUTE = re.compile(r'(\s(?:href|src)=")([^"]*+)(?="[^<>]*+>)')


def absolutize_urls(clean_html: str, base_url: str) -> str:
    """Make relative href/src absolute against ``base_url`` (for feeds); others are untouched."""
    if not _RELATIVE_URL_ATTRIBUTE.search(clean_html):
        return clean_html  # the common case, and a cheap test: nothing to rewrite

    def rewrite(match: re.Match[str]) -> str:
        value = match.group(2)
        url = absolute(value, base_url)
        return match.group(1) + (value if url == value else attribute_value(url))

    # One pass over the stored clean body: no parse, no walk (it is read per feed built).
    return _URL_ATTRIBUTE.sub(rewrite, clean_html)


def plain_text(clean_html: str, *, limit: int | None = None) -> str:
    """The visible text of clean HTML: entities decoded, whitespace (incl. nbsp) collapsed.

    With ``limit``, only the start is read: the first ``limit`` characters of the HTML, less a
    tag or entity they would cut (a summary needs the first lines, not a whole long body).
    """
    if limit is not None and len(clean_html) > limit:
        clean_html = _whole_tags_and_entities(clean_html[:limit])
    # In clean HTML "<" and ">" only delimit tags and every "&" starts an entity (clean()
    # escapes the rest), so two substitutions read it exactly, in linear time.
    text = _TAG.sub("", _BLOCK_TAG.sub(" ", clean_html))
    return " ".join(html_module.unescape(text).split())


def _whole_tags_and_entities(start: str) -> str:
    for opening, closing in (("<", ">"), ("&", ";")):
        cut = start.rfind(opening)
        if cut >= 0 and start.find(closing, cut) < 0:
            start = start[:cut]
    return start


# --- internals ---------------------------------------------------------------------------------

# What XML 1.0 forbids must not reach a feed, as a character or as a reference to one. Word
# pastes some of these (e.g. U+000B for a manual line break). In a Python str every surrogate
# code point is unpaired, so all of them go.
_CHAR_REF = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,6})|([0-9]{1,7}));")


def _clean_once(raw_html: str, report: Report, site_host: str | None) -> str:
    # The parser decodes no entity (each "&" stands in as AMPERSAND), so the walk sees every
    # attribute as written (bleach's checks decode it themselves) and keeps entities as typed.
    # A new parser per call: each parse is its own document, so threads never share one.
    html = _serialized(Walk(report, site_host), raw_html)
    return _CHAR_REF.sub(_drop_illegal_ref, strip_xml_illegal(html))


def _serialized(walk: Walk, html: str) -> str:
    # Parsed as the content of a <div>, with scripting on (as browsers: <noscript> is raw text).
    tree = LexborHTMLParser(html.replace("&", AMPERSAND), is_fragment=True, scripting=True)
    return walk.html(tree.root)


def _reads_back_as_itself(html: str) -> bool:
    # Every "&" of the output starts an entity kept as written, so the parser (reading each as
    # AMPERSAND) writes back "&" only for what it escapes itself: &nbsp; for U+00A0, which
    # clean() writes as the character; a '"' or "<" in an attribute or text is written as an
    # entity by clean(), so it reads back as AMPERSAND too.
    tree = LexborHTMLParser(html.replace("&", AMPERSAND), is_fragment=True, scripting=True)
    written = tree.html or ""
    return written.replace("&nbsp;", "\u00a0").replace(AMPERSAND, "&") == html


def _drop_illegal_ref(match: re.Match[str]) -> str:
    # "&#1;" or "&#xFFFE;" in the output is as fatal to an XML feed as the character itself.
    hex_digits, digits = match.groups()
    code = int(hex_digits, 16) if hex_digits else int(digits)
    legal = 0 < code <= 0x10FFFF and strip_xml_illegal(chr(code)) != ""
    return match.group() if legal else ""


# Everything else in the allowlist starts a new block, so its words stay apart in plain_text().
_INLINE_TAGS = frozenset({"strong", "b", "em", "i", "u", "s", "sub", "sup", "a", "span"})
_BLOCK_TAGS = (ALLOWED_TAGS - _INLINE_TAGS) | {"br", "img"}
_BLOCK_NAMES = "|".join(sorted(_BLOCK_TAGS))
_BLOCK_TAG = re.compile(rf"</?(?:{_BLOCK_NAMES})(?![^<>/\s])[^<>]*+>")
_TAG = re.compile(r"<[^<>]*+>")

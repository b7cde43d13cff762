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

import re
from dataclasses import dataclass
from functools import partial
from html.parser import HTMLParser

from bleach import html5lib_shim
from bleach.sanitizer import Cleaner

from portal.sanitize.filters import AbsolutizeFilter, PolicyFilter, Report, drop_with_content
from portal.sanitize.policy import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_PROTOCOLS,
    ALLOWED_TAGS,
    STYLE_CLASSES,
    attribute_allowed,
)
from portal.text import strip_xml_illegal

__all__ = [
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_PROTOCOLS",
    "ALLOWED_TAGS",
    "STYLE_CLASSES",
    "CleanResult",
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
_EMPTY_PARAGRAPH = re.compile(r'<p(?: class="[^"]*")?>(?:\s|&nbsp;|\u00a0|\u3000|<br>)*</p>\n?')


def clean(raw_html: str, *, site_host: str | None = None) -> CleanResult:
    """Sanitize ``raw_html`` by the site policy; ``site_host`` decides which links are external."""
    if not isinstance(raw_html, str):
        raise TypeError(f"raw_html must be str, not {type(raw_html).__name__}")
    removed: dict[str, None] = {}  # an ordered set
    report = removed.setdefault
    html = _clean_once(raw_html, report, site_host)
    # Unwrapping can leave nesting that the parser rebuilds differently when it reads the
    # result again (<li><h1><li> becomes <li><li>: two items on the next read), so clean until
    # stable; what we store must read back as itself. One more round is nearly always enough.
    for _ in range(3):
        again = _clean_once(html, report, site_host)
        if again == html:
            break
        html = again
    # Word and WPS pad documents with empty paragraphs; an article is clean paragraphs.
    html, emptied = _EMPTY_PARAGRAPH.subn("", html)
    if emptied:
        report("空段落")
    return CleanResult(html, tuple(removed))


# clean() output quotes every attribute with '"', so this finds every relative href/src.
_RELATIVE_URL_ATTRIBUTE = re.compile(r'\s(?:href|src)="(?![a-zA-Z][a-zA-Z0-9+.-]*:)')


def absolutize_urls(clean_html: str, base_url: str) -> str:
    """Make relative href/src absolute against ``base_url`` (for feeds); others are untouched."""
    if not _RELATIVE_URL_ATTRIBUTE.search(clean_html):
        return clean_html  # the common case, and a cheap test: nothing to rewrite
    # A Cleaner per call: it is not thread-safe (see clean()). It also re-applies the allowlist.
    cleaner = Cleaner(
        tags=ALLOWED_TAGS,
        attributes=attribute_allowed,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        filters=[partial(AbsolutizeFilter, base_url=base_url)],
    )
    return cleaner.clean(clean_html)


def plain_text(clean_html: str) -> str:
    """The visible text of clean HTML: entities decoded, whitespace (incl. nbsp) collapsed."""
    extractor = _TextExtractor()
    extractor.feed(clean_html)
    extractor.close()
    return " ".join("".join(extractor.parts).split())


# --- internals ---------------------------------------------------------------------------------

# What XML 1.0 forbids must not reach a feed, as a character or as a reference to one. Word
# pastes some of these (e.g. U+000B for a manual line break). In a Python str every surrogate
# code point is unpaired, so all of them go.
_CHAR_REF = re.compile(r"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));")


def _clean_once(raw_html: str, report: Report, site_host: str | None) -> str:
    # Not bleach's Cleaner.clean(): its parser turns disallowed tags into text while tokenizing,
    # so a script's body would survive as text and we could not tell what was unwrapped. We
    # assemble the same parts Cleaner.clean() uses, but parse into a complete tree (tags=None)
    # and let BleachSanitizerFilter enforce the allowlist last. Stripping illegal characters
    # first also turns "java\0script:" into "javascript:", which is then recognised.
    # A new parser per call: html5lib parsers (hence bleach Cleaners) keep per-document state
    # and are not thread-safe, and the app serves requests from several threads.
    parser = html5lib_shim.BleachHTMLParser(
        tags=None, strip=False, consume_entities=False, namespaceHTMLElements=False
    )
    walker = html5lib_shim.getTreeWalker("etree")  # type: ignore[attr-defined]  # not in bleach's stubs
    tokens = walker(parser.parseFragment(strip_xml_illegal(raw_html)))
    stream = PolicyFilter(drop_with_content(tokens, report), report, site_host)
    html = _serializer().render(stream)
    return _CHAR_REF.sub(_drop_illegal_ref, strip_xml_illegal(html))


def _serializer() -> html5lib_shim.BleachHTMLSerializer:
    # The options bleach's Cleaner uses: quote every value, keep entities exactly as written.
    return html5lib_shim.BleachHTMLSerializer(
        quote_attr_values="always",
        omit_optional_tags=False,
        escape_lt_in_attrs=True,
        resolve_entities=False,
        sanitize=False,
        alphabetical_attributes=False,
    )


def _drop_illegal_ref(match: re.Match[str]) -> str:
    # "&#1;" or "&#xFFFE;" in the output is as fatal to an XML feed as the character itself.
    hex_digits, digits = match.groups()
    code = int(hex_digits, 16) if hex_digits else int(digits)
    legal = 0 < code <= 0x10FFFF and strip_xml_illegal(chr(code)) != ""
    return match.group() if legal else ""


# Everything else in the allowlist starts a new block, so its words stay apart in plain_text().
_INLINE_TAGS = frozenset({"strong", "b", "em", "i", "u", "s", "sub", "sup", "a", "span"})
_BLOCK_TAGS = (ALLOWED_TAGS - _INLINE_TAGS) | {"br", "img"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, _attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:  # keep words in separate blocks apart
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        self.handle_starttag(tag, [])

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

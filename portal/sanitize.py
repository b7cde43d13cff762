"""The site's one HTML sanitization policy; the only module that may import bleach.

Article bodies are cleaned once, when saved, and stored clean. The policy is an allowlist fit
for government articles; everything else is removed and described (in Chinese, for the editor)
in ``CleanResult.removed``. No ``style`` attribute survives because the Content-Security-Policy
forbids inline styles: the three styles articles need become classes (``STYLE_CLASSES``).

This module is standalone on purpose (nothing from the app, only the pure ``portal.text``), so
it can be tested and reused without the app.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import tinycss2  # the CSS parser bleach's css extra uses
from bleach import html5lib_shim
from bleach.sanitizer import BleachSanitizerFilter, Cleaner

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

# caption/tfoot are allowed although rarely used: unwrapping them would leave bare text inside
# <table>, which the next parse moves out of the table (cleaning would not be idempotent).
ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "strong",
        "b",
        "em",
        "i",
        "u",
        "s",
        "sub",
        "sup",
        "h2",
        "h3",
        "h4",
        "blockquote",
        "ul",
        "ol",
        "li",
        "table",
        "caption",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "th",
        "td",
        "a",
        "img",
        "hr",
        "span",
        "div",
    }
)

STYLE_CLASSES: dict[tuple[str, str], str] = {
    ("text-align", "center"): "text-center",
    ("text-align", "right"): "text-right",
    ("text-indent", "2em"): "indent-2em",
}
_CLASS_NAMES = tuple(dict.fromkeys(STYLE_CLASSES.values()))  # canonical order, for idempotency

_CLASS = frozenset({"class"})
_CELL = frozenset({"colspan", "rowspan", "class"})
# Do not mutate: _attribute_allowed() reads it on every call.
ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "title", "rel"}),  # rel is only ever set by us (external links)
    "img": frozenset({"src", "alt", "width", "height"}),
    "td": _CELL,
    "th": _CELL,
    **dict.fromkeys(("p", "div", "span", "h2", "h3", "h4"), _CLASS),
}
_CLASS_TAGS = frozenset(tag for tag, names in ALLOWED_ATTRIBUTES.items() if "class" in names)

ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})  # plus relative URLs

# Removed together with everything inside: their content is code, data or UI, never article text
# (bleach's strip=True alone would keep it, e.g. a script's body as visible text).
_DROP_WITH_CONTENT = frozenset(
    {
        "script",
        "style",
        "iframe",
        "object",
        "embed",
        "applet",
        "param",
        "template",
        "noscript",
        "noembed",
        "noframes",
        "svg",
        "math",
        "form",
        "input",
        "button",
        "textarea",
        "select",
        "option",
        "optgroup",
        "datalist",
        "keygen",
        "frame",
        "frameset",
        "meta",
        "link",
        "base",
        "title",
        "head",
        "xml",
        "xmp",
        "plaintext",
    }
)

_EXTERNAL_REL = "noopener noreferrer"
_NUMBER = re.compile(r"[0-9]{1,5}")
_NUMERIC_ATTRIBUTES = frozenset({"width", "height", "colspan", "rowspan"})
_TAG_TOKENS = frozenset({"StartTag", "EmptyTag", "EndTag"})
# Headings outside h2–h4 keep their meaning at the nearest allowed level (h1 is the page title).
_HEADING_LEVELS = {"h1": "h2", "h5": "h4", "h6": "h4"}

# What XML 1.0 forbids; Word pastes some of these (e.g. U+000B for a manual line break). In a
# Python str every surrogate code point is unpaired, so all of them go.
_CHAR_REF = re.compile(r"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));")


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
        attributes=_attribute_allowed,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        filters=[partial(_AbsolutizeFilter, base_url=base_url)],
    )
    return cleaner.clean(clean_html)


def plain_text(clean_html: str) -> str:
    """The visible text of clean HTML: entities decoded, whitespace (incl. nbsp) collapsed."""
    extractor = _TextExtractor()
    extractor.feed(clean_html)
    extractor.close()
    return " ".join("".join(extractor.parts).split())


# --- internals ---------------------------------------------------------------------------------


def _clean_once(raw_html: str, report, site_host: str | None) -> str:
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
    tokens = html5lib_shim.getTreeWalker("etree")(parser.parseFragment(strip_xml_illegal(raw_html)))
    stream = _PolicyFilter(_drop_with_content(tokens, report), report, site_host)
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


def _drop_with_content(tokens, report):
    """Skip every element in _DROP_WITH_CONTENT or in a foreign namespace (SVG, MathML)."""
    depth = 0
    for token in tokens:
        kind = token["type"]
        if depth:
            depth += {"StartTag": 1, "EndTag": -1}.get(kind, 0)
            continue
        if kind in ("StartTag", "EmptyTag") and (
            token["name"].lower() in _DROP_WITH_CONTENT or token.get("namespace")
        ):
            if kind == "StartTag":
                depth = 1
                report(f"<{token['name']}> 标签及其内容")
            else:
                report(f"<{token['name']}> 标签")
            continue
        yield token


def _attribute_allowed(tag: str, name: str, value: str) -> bool:
    """bleach's attribute check: the final word on what survives."""
    if name not in ALLOWED_ATTRIBUTES.get(tag, ()):
        return False
    if name == "class":
        return all(c in _CLASS_NAMES for c in value.split())
    if name in _NUMERIC_ATTRIBUTES:
        return _NUMBER.fullmatch(value) is not None
    if name == "rel":
        return value == _EXTERNAL_REL
    return True


def _normalize_url(value: str) -> str:
    # As a browser reads it: entities decoded, tab/CR/LF removed, ends trimmed, "\" as "/".
    url = re.sub(r"[\t\n\r]", "", html5lib_shim.convert_entities(value))
    return url.strip("\x00- ").replace("\\", "/")


def _url_problem(value: str) -> str:
    # Same normalization bleach applies before checking the scheme.
    url = re.sub(r"[`\x00-\x20\x7f-\xa0\s]+", "", html5lib_shim.convert_entities(value))
    match = re.match(r"([a-z][a-z0-9+.\-]*):", re.sub(r"[^\x00-\x7f]", "", url).lower())
    if match and match.group(1) not in ALLOWED_PROTOCOLS:
        return f"{match.group(1)}: 链接"
    return "无效链接"


def _align_key(value: str) -> tuple[str, str]:
    return ("text-align", value.strip().lower())


def _host(site_host: str | None) -> str | None:
    return urlsplit(f"//{site_host}").hostname if site_host else None


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _PolicyFilter(BleachSanitizerFilter):
    """Applies the site policy and reports removals; bleach then enforces the allowlist.

    The tree walker gives a well-nested stream, so a stack of "keep this element's tags?" flags
    lets us unwrap <span> without attributes and <a> without a usable href.
    """

    def __init__(self, source, report, site_host):
        super().__init__(
            source,
            allowed_tags=ALLOWED_TAGS,
            attributes=_attribute_allowed,
            allowed_protocols=ALLOWED_PROTOCOLS,
            strip_disallowed_tags=True,  # unknown tags are unwrapped, their text kept
            strip_html_comments=True,
        )
        self.report = report
        self.site_host = _host(site_host)
        self.keep_stack: list[bool] = []

    def sanitize_token(self, token):
        kind = token["type"]
        if kind in _TAG_TOKENS and token["name"] in _HEADING_LEVELS:
            token["name"] = _HEADING_LEVELS[token["name"]]
        if kind in _TAG_TOKENS and token["name"] in ALLOWED_TAGS:
            return self.allowed_element(token)
        if kind == "Comment":
            self.report("HTML 注释")  # also Word's <!--[if gte mso 9]>…<![endif]--> blocks
        elif kind in ("StartTag", "EmptyTag"):
            self.report(f"<{token['name']}> 标签")
        return super().sanitize_token(token)

    def allowed_element(self, token):
        if token["type"] == "EndTag":
            return token if self.keep_stack.pop() else None
        tag = token["name"]
        attributes = token["data"]
        kept = {}
        classes = set()
        external = tag == "a" and self.is_external(attributes.get((None, "href")))
        for key, value in attributes.items():
            name = key[1]
            if name == "style":
                classes.update(self.style_classes(tag, html5lib_shim.convert_entities(value)))
            elif name == "class":  # only our own classes; others (Word's MsoNormal) silently go
                classes.update(value.split())
            elif name == "align" and tag in _CLASS_TAGS and _align_key(value) in STYLE_CLASSES:
                classes.add(STYLE_CLASSES[_align_key(value)])  # Word writes align= and style=
            elif name == "rel" and tag == "a":  # the author's rel is replaced by ours
                if not (external and value == _EXTERNAL_REL):
                    self.report("rel 属性")
            elif not self.attr_filter(tag, name, value):
                self.report(f"{name} 属性")
            elif key in self.attr_val_is_uri and (
                self.sanitize_uri_value(value, self.allowed_protocols) is None
            ):
                self.report(_url_problem(value))
            else:
                kept[key] = value
        source = kept.get((None, "src"))
        if tag == "img" and source and _normalize_url(source).lower().startswith("http:"):
            # The CSP loads images only from this site and https: an http image would be
            # blocked and silently missing, so ask for it over https.
            kept[(None, "src")] = "https:" + _normalize_url(source)[len("http:") :]
            self.report("http 图片地址（已改为 https）")
        class_value = " ".join(c for c in _CLASS_NAMES if c in classes)
        if class_value and tag in _CLASS_TAGS:
            kept[(None, "class")] = class_value

        if external and (None, "href") in kept:
            kept[(None, "rel")] = _EXTERNAL_REL
        # Unwrap what means nothing without its attributes; an image without a source goes.
        keep = {"span": bool(kept), "a": (None, "href") in kept}.get(tag, True)
        if tag == "img" and (None, "src") not in kept:
            self.report("<img> 标签")
            keep = False
        if token["type"] == "StartTag":
            self.keep_stack.append(keep)
        if not keep:
            return None
        token["data"] = kept
        return super().allow_token(token)

    def style_classes(self, tag, css):
        declarations = tinycss2.parse_declaration_list(
            css, skip_comments=True, skip_whitespace=True
        )
        for node in declarations:
            if node.type != "declaration":
                self.report("style 样式")
                continue
            value = " ".join(tinycss2.serialize(node.value).split())  # one line, for the report
            # Word writes "2.0em"; compare "2em".
            canonical = re.sub(r"(\d)\.0+(?![0-9])", r"\1", value.lower())
            css_class = STYLE_CLASSES.get((node.lower_name, canonical))
            if css_class and tag in _CLASS_TAGS:
                yield css_class
            elif node.lower_name.startswith("mso-"):
                self.report("style 样式 mso-*")  # Word's private styles: one short entry
            else:
                self.report(f"style 样式 {node.lower_name}:{_shorten(value)}")

    def is_external(self, href):
        """Absolute http(s) links to another host get rel="noopener noreferrer"."""
        if href is None:
            return False
        url = _normalize_url(href)
        try:
            parts = urlsplit(url)
            if parts.scheme.lower() in ("http", "https") or url.startswith("//"):
                return self.site_host is None or parts.hostname != self.site_host
        except ValueError:  # bleach may accept what Python cannot parse: err on the safe side
            return True
        return False


class _AbsolutizeFilter(html5lib_shim.Filter):
    def __init__(self, source, base_url):
        super().__init__(source)
        self.base_url = base_url

    def __iter__(self):
        for token in super().__iter__():
            if token["type"] in ("StartTag", "EmptyTag"):
                for key in ((None, "href"), (None, "src")):
                    value = token["data"].get(key)
                    if value is not None:
                        token["data"][key] = self.absolute(value)
            yield token

    def absolute(self, value):
        url = _normalize_url(value)
        try:
            return value if urlsplit(url).scheme else urljoin(self.base_url, url)
        except ValueError:
            return value


# Everything else in the allowlist starts a new block, so its words stay apart in plain_text().
_INLINE_TAGS = frozenset({"strong", "b", "em", "i", "u", "s", "sub", "sup", "a", "span"})
_BLOCK_TAGS = (ALLOWED_TAGS - _INLINE_TAGS) | {"br", "img"}


class _TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCK_TAGS:  # keep words in separate blocks apart
            self.parts.append(" ")

    def handle_endtag(self, tag):
        self.handle_starttag(tag, [])

    def handle_data(self, data):
        self.parts.append(data)

"""The HTML parsing spec's element sets and tag syntax, as the depth scanner needs them."""

from __future__ import annotations

import re

_WS = "\t\n\f\r "
# A tag as the HTML tokenizer reads it: its name, then attributes whose quoted values may hold
# ">" or "<". Possessive repetitions, alternatives that cannot match the same text: linear.
_TAG = re.compile(
    r"""<(/?)([A-Za-z][^\t\n\f\r />]*+)
    ((?:[\t\n\f\r /]
      |[^\t\n\f\r />][^\t\n\f\r />=]*+
       (?:[\t\n\f\r ]*+=[\t\n\f\r ]*+(?:"[^"]*+(?:"|\Z)|'[^']*+(?:'|\Z)|[^\t\n\f\r >]*+))?
    )*+)(>?)""",
    re.VERBOSE,
)
_COMMENT = re.compile(r"<!--(?:-?>|.*?(?:--!?>|\Z))", re.DOTALL)
_BOGUS = re.compile(r"<(?:[!?]|/(?![A-Za-z]))[^>]*+>?")
_CDATA = "<![CDATA["
RAW_TEXT = frozenset(
    {"script", "style", "xmp", "iframe", "noembed", "noframes", "noscript", "textarea", "title"}
)

VOID = frozenset(
    [
        "area",
        "base",
        "basefont",
        "bgsound",
        "br",
        "col",
        "embed",
        "frame",
        "hr",
        "image",
        "img",
        "input",
        "keygen",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)
FORMATTING = frozenset(
    [
        "a",
        "b",
        "big",
        "code",
        "em",
        "font",
        "i",
        "nobr",
        "s",
        "small",
        "strike",
        "strong",
        "tt",
        "u",
    ]
)
_MARKERS = frozenset(["applet", "caption", "marquee", "object", "template", "td", "th"])
_HEADINGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])
# Where the parser stops looking for an open element. lexbor, as the customizable <select> of
# today's HTML standard, also stops at a <select>: a </div> in it does not close a <div> around it.
_SCOPE = frozenset(
    [
        "select",
        "applet",
        "caption",
        "html",
        "table",
        "td",
        "th",
        "marquee",
        "object",
        "template",
        "mi",
        "mo",
        "mn",
        "ms",
        "mtext",
        "annotation-xml",
        "foreignobject",
        "desc",
        "title",
    ]
)
_BUTTON_SCOPE = _SCOPE | {"button"}
_TABLE_SCOPE = frozenset({"html", "table", "template"})
_SPECIAL = _SCOPE | frozenset(
    [
        "address",
        "area",
        "article",
        "aside",
        "base",
        "basefont",
        "bgsound",
        "blockquote",
        "body",
        "br",
        "button",
        "center",
        "col",
        "colgroup",
        "dd",
        "details",
        "dir",
        "div",
        "dl",
        "dt",
        "embed",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "frame",
        "frameset",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "head",
        "header",
        "hgroup",
        "hr",
        "iframe",
        "img",
        "input",
        "keygen",
        "li",
        "link",
        "listing",
        "main",
        "menu",
        "meta",
        "nav",
        "noembed",
        "noframes",
        "noscript",
        "ol",
        "p",
        "param",
        "plaintext",
        "pre",
        "script",
        "search",
        "section",
        "select",
        "source",
        "style",
        "summary",
        "tbody",
        "textarea",
        "tfoot",
        "thead",
        "tr",
        "track",
        "ul",
        "wbr",
        "xmp",
    ]
)
_LI_SCOPE = _SPECIAL - {"address", "div", "p", "li"}
_DD_SCOPE = _SPECIAL - {"address", "div", "p", "dd", "dt"}
_CLOSES_P = _HEADINGS | frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "center",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "header",
        "hgroup",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "search",
        "section",
        "summary",
        "ul",
        "pre",
        "listing",
        "form",
        "plaintext",
        "table",
        "hr",
        "xmp",
        "li",
        "dd",
        "dt",
    ]
)
_BREAKOUT = _HEADINGS | frozenset(
    [
        "b",
        "big",
        "blockquote",
        "body",
        "br",
        "center",
        "code",
        "dd",
        "div",
        "dl",
        "dt",
        "em",
        "embed",
        "head",
        "hr",
        "i",
        "img",
        "li",
        "listing",
        "menu",
        "meta",
        "nobr",
        "ol",
        "p",
        "pre",
        "ruby",
        "s",
        "small",
        "span",
        "strong",
        "strike",
        "sub",
        "sup",
        "table",
        "tt",
        "u",
        "ul",
        "var",
    ]
)
# Special elements before whose start tag the parser still reopens formatting elements.
_REOPENS = frozenset(
    [
        "applet",
        "area",
        "br",
        "button",
        "embed",
        "img",
        "input",
        "keygen",
        "marquee",
        "object",
        "select",
        "wbr",
    ]
)
_BOUNDARY_SETS = (_SCOPE, _BUTTON_SCOPE, _TABLE_SCOPE, _SPECIAL, _LI_SCOPE, _DD_SCOPE)


# The boundaries that are SVG or MathML elements (an HTML <title> is special, but no scope's
# boundary; an HTML <mi> or <desc> is neither).
_FOREIGN_BOUNDARIES = {
    "svg": frozenset({"foreignobject", "desc", "title"}),
    "math": frozenset({"mi", "mo", "mn", "ms", "mtext", "annotation-xml"}),
}
_FOREIGN_NAMES = frozenset().union(*_FOREIGN_BOUNDARIES.values())


def _is_boundary(name: str, kind: str, boundary: frozenset[str]) -> bool:
    if kind != "html":
        namespace = "math" if kind.startswith("math") else "svg"
        return name in _FOREIGN_BOUNDARIES[namespace] and boundary is not _TABLE_SCOPE
    if name == "title":
        return boundary in (_SPECIAL, _LI_SCOPE, _DD_SCOPE)
    return name in boundary and name not in _FOREIGN_NAMES

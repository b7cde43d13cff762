"""The allowlists and rules of the site's HTML policy; the public names are re-exported by
``portal.sanitize``, which is where the rest of the app imports them from."""

from __future__ import annotations

import re

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
CLASS_NAMES = tuple(dict.fromkeys(STYLE_CLASSES.values()))  # canonical order, for idempotency

_CLASS = frozenset({"class"})
_CELL = frozenset({"colspan", "rowspan", "class"})
# Do not mutate: attribute_allowed() reads it on every call.
ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "title", "rel"}),  # rel is only ever set by us (external links)
    "img": frozenset({"src", "alt", "width", "height", "loading"}),
    "td": _CELL,
    "th": _CELL,
    **dict.fromkeys(("p", "div", "span", "h2", "h3", "h4"), _CLASS),
}
CLASS_TAGS = frozenset(tag for tag, names in ALLOWED_ATTRIBUTES.items() if "class" in names)

ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})  # plus relative URLs

# Where this site serves its uploaded files (portal.attachments: /attachments/<sha256>/<name>).
# An image comes from there or over https (the CSP's img-src; an http one is upgraded): no
# other path of the site, nor data: or a relative URL that could climb out of it.
UPLOADS_PATH = "/attachments/"
_UPLOADED_IMAGE = re.compile(re.escape(UPLOADS_PATH) + r"[0-9a-f]{64}/[^/?#\\\s]+")
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")


def image_source_allowed(value: str) -> bool:
    """An img src of the policy: http(s), or a file uploaded to this site. Other schemes pass
    here so that the protocol check refuses (and reports) them as it does every URL's."""
    url = value.strip("\x00- ")
    scheme = _SCHEME.match(url)
    if scheme:
        return scheme.group(1).lower() not in ALLOWED_PROTOCOLS - {"http", "https"}
    return _UPLOADED_IMAGE.fullmatch(url) is not None


# Removed together with everything inside: their content is code, data or UI, never article text
# (bleach's strip=True alone would keep it, e.g. a script's body as visible text).
DROP_WITH_CONTENT = frozenset(
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

EXTERNAL_REL = "noopener noreferrer"
# Headings outside h2–h4 keep their meaning at the nearest allowed level (h1 is the page title).
HEADING_LEVELS = {"h1": "h2", "h5": "h4", "h6": "h4"}

_NUMBER = re.compile(r"[0-9]{1,5}")
_NUMERIC_ATTRIBUTES = frozenset({"width", "height", "colspan", "rowspan"})


def attribute_allowed(tag: str, name: str, value: str) -> bool:
    """bleach's attribute check: the final word on what survives."""
    if name not in ALLOWED_ATTRIBUTES.get(tag, ()):
        return False
    if name == "class":
        return all(c in CLASS_NAMES for c in value.split())
    if name in _NUMERIC_ATTRIBUTES:
        return _NUMBER.fullmatch(value) is not None
    if name == "rel":
        return value == EXTERNAL_REL
    if name == "loading":  # set by portal.attachments on every image of a saved body
        return value == "lazy"
    if tag == "img" and name == "src":
        return image_source_allowed(value)
    return True


def align_class(tag: str, value: str) -> str | None:
    """Our class for an ``align`` attribute (Word writes both align= and style=), if any."""
    if tag not in CLASS_TAGS:
        return None
    return STYLE_CLASSES.get(("text-align", value.strip().lower()))


def class_value(classes: set[str]) -> str:
    """Our classes as one ``class`` value, in canonical order; foreign classes left out."""
    return " ".join(c for c in CLASS_NAMES if c in classes)

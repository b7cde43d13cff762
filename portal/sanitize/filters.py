"""The policy applied to the parsed tree, and the serializer that writes the clean HTML.

One walk over the tree (lexbor's, through selectolax: an HTML5 parser in C, linear in its
input) decides every element and attribute and writes the output as it goes; there is no token
stream to filter, so the time is one visit per node. The decisions are bleach's and ours as
before: bleach's URL check and entity table, our allowlists (``policy``) and style classes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

import tinycss2  # the CSS parser bleach's css extra uses
from bleach import html5lib_shim
from bleach.sanitizer import BleachSanitizerFilter
from selectolax.lexbor import LexborNode

from portal.sanitize.depth import MAX_DEPTH, VOID, NestingTooDeep
from portal.sanitize.policy import (
    ALLOWED_PROTOCOLS,
    ALLOWED_TAGS,
    CLASS_TAGS,
    DROP_WITH_CONTENT,
    EXTERNAL_REL,
    HEADING_LEVELS,
    STYLE_CLASSES,
    align_class,
    attribute_allowed,
    class_value,
)
from portal.sanitize.urls import is_external, normalize_url, site_hostname, url_problem

Report = Callable[[str], object]  # records one removal, for CleanResult.removed
Attributes = dict[str, str]

# The input's "&" while it is parsed: the parser decodes no entity, so each one is kept exactly
# as written (bleach's rule). strip_xml_illegal() has removed every U+0001 from the input.
AMPERSAND = "\x01"
_URI_ATTRIBUTES = frozenset(
    name
    for space, name in html5lib_shim.attr_val_is_uri  # type: ignore[attr-defined]  # not in bleach's stubs
    if not space
)
# bleach's URL check (sanitize_uri_value keeps no state); any token source will do.
_URI_CHECK = BleachSanitizerFilter([], allowed_protocols=ALLOWED_PROTOCOLS)  # type: ignore[arg-type]
# An entity as written: numeric, or a name (bounded lengths: linear, and no huge int()).
_ENTITY_AT_AMPERSAND = re.compile(
    r"&(?:(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6})|([A-Za-z][A-Za-z0-9]{0,31}));"
)


# Allowed elements that stay as they are without attributes: their start and end tags ("" for a
# void one). Not <a>, <span> or <img>, which mean nothing without theirs (element_kept()).
_BARE = {
    tag: (f"<{tag}>", "" if tag in VOID else f"</{tag}>")
    for tag in ALLOWED_TAGS - {"a", "span", "img"}
}


class Walk:
    """Writes the clean HTML of a parsed fragment."""

    def __init__(self, report: Report, site_host: str | None) -> None:
        self.report = report
        self.site_host = site_hostname(site_host)
        self.out: list[str] = []
        # The start tag each element with the same attributes gets ("" if unwrapped), and what
        # deciding it reported: Word repeats the same <p class=… style=…> on every paragraph,
        # and reading styles and URLs is most of the cost of a walk.
        self.decided: dict[tuple[str, tuple], tuple[str, tuple[str, ...]]] = {}

    def html(self, first: LexborNode | None) -> str:
        self.nodes(first, 0)
        return "".join(self.out)

    def nodes(self, node: LexborNode | None, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise NestingTooDeep
        out = self.out
        while node is not None:
            tag = node.tag or ""
            if tag == "-text":
                out.append(escape_text(node.text_content or ""))
            elif (bare := _BARE.get(tag)) is not None and not node.attributes:
                # Most elements of an article: allowed, without attributes, nothing to decide.
                start, end = bare
                out.append(start)
                if end:  # not a void element
                    self.nodes(node.child, depth + 1)
                    out.append(end)
            elif tag == "-comment":
                self.report("HTML 注释")  # also Word's <!--[if gte mso 9]>…<![endif]--> blocks
            elif not tag.startswith("-"):  # an element (not a doctype)
                self.element(node, tag.replace(AMPERSAND, "&"), depth)
            node = node.next

    def element(self, node: LexborNode, tag: str, depth: int) -> None:
        void = tag in VOID
        if tag in DROP_WITH_CONTENT:
            self.report(f"<{tag}> 标签" if void else f"<{tag}> 标签及其内容")
            return
        tag = HEADING_LEVELS.get(tag, tag)
        if tag not in ALLOWED_TAGS:
            self.report(f"<{tag}> 标签")  # unwrapped: its content stays
            self.nodes(node.child, depth + 1)
            return
        pairs = tuple(node.attributes.items())
        decided = self.decided.get((tag, pairs))
        if decided is None:
            decided = self.decided[tag, pairs] = self.decide(tag, pairs)
        start, reports = decided
        for removed in reports:
            self.report(removed)
        if start:
            self.out.append(start)
        if not void:
            self.nodes(node.child, depth + 1)
            if start:
                self.out.append(f"</{tag}>")

    def decide(self, tag: str, pairs: tuple) -> tuple[str, tuple[str, ...]]:
        """An allowed element's start tag ("": unwrap it) and what deciding it reported."""
        attributes = {
            name.replace(AMPERSAND, "&"): (value or "").replace(AMPERSAND, "&")
            for name, value in pairs
        }
        reports: list[str] = []
        report, self.report = self.report, reports.append  # collected, then replayed per use
        try:
            kept = self.policy_attributes(tag, attributes)
            keep = self.element_kept(tag, kept)
        finally:
            self.report = report
        return (start_tag(tag, kept) if keep else ""), tuple(reports)

    def policy_attributes(self, tag: str, attributes: Attributes) -> Attributes:
        """What survives of ``attributes``: styles become our classes, external links get rel."""
        external = tag == "a" and is_external(attributes.get("href"), self.site_host)
        kept, classes = self.sort_attributes(tag, attributes, external)
        self.upgrade_http_image(tag, kept)
        css_classes = class_value(classes)
        if css_classes and tag in CLASS_TAGS:
            kept["class"] = css_classes
        if external and "href" in kept:
            kept["rel"] = EXTERNAL_REL
        return kept

    def sort_attributes(
        self, tag: str, attributes: Attributes, external: bool
    ) -> tuple[Attributes, set[str]]:
        """The author's attributes kept as they are, and our classes; the rest is reported."""
        kept: Attributes = {}
        classes: set[str] = set()
        for name, value in attributes.items():
            found = self.classes_of(tag, name, value)
            if found is not None:
                classes.update(found)
            elif name == "rel" and tag == "a":  # the author's rel is replaced by ours
                if not (external and value == EXTERNAL_REL):
                    self.report("rel 属性")
            elif self.passes_bleach(tag, name, value):
                kept[name] = value
        return kept, classes

    def classes_of(self, tag: str, name: str, value: str) -> Iterable[str] | None:
        """The classes a style, class or align attribute stands for; None for other attributes."""
        if name == "style":
            return self.style_classes(tag, html5lib_shim.convert_entities(value))
        if name == "class":  # only our own classes; others (Word's MsoNormal) silently go
            return value.split()
        if name == "align" and (css_class := align_class(tag, value)):
            return (css_class,)
        return None  # including an align we have no class for: reported as an attribute

    def passes_bleach(self, tag: str, name: str, value: str, *, quiet: bool = False) -> bool:
        """bleach's own checks: the attribute allowlist, then the URL scheme; failures reported."""
        if not attribute_allowed(tag, name, value):
            if not quiet:
                self.report(f"{name} 属性")
            return False
        if (
            name in _URI_ATTRIBUTES
            and _URI_CHECK.sanitize_uri_value(value, ALLOWED_PROTOCOLS) is None
        ):
            if not quiet:
                self.report(url_problem(value))
            return False
        return True

    def upgrade_http_image(self, tag: str, kept: Attributes) -> None:
        source = kept.get("src")
        if tag == "img" and source and normalize_url(source).lower().startswith("http:"):
            # The CSP loads images only from this site and https: an http image would be
            # blocked and silently missing, so ask for it over https.
            kept["src"] = "https:" + normalize_url(source)[len("http:") :]
            self.report("http 图片地址（已改为 https）")

    def element_kept(self, tag: str, kept: Attributes) -> bool:
        # Unwrap what means nothing without its attributes; an image without a source goes.
        if tag == "img" and "src" not in kept:
            self.report("<img> 标签")
            return False
        return {"span": bool(kept), "a": "href" in kept}.get(tag, True)

    def style_classes(self, tag: str, css: str) -> Iterator[str]:
        for name, value in css_declarations(css):
            if name is None:
                self.report("style 样式")
                continue
            css_class = STYLE_CLASSES.get((name, _canonical_css(value)))
            if css_class and tag in CLASS_TAGS:
                yield css_class
            elif name.startswith("mso-"):
                self.report("style 样式 mso-*")  # Word's private styles: one short entry
            else:
                self.report(f"style 样式 {name}:{_shorten(value)}")


# A declaration tinycss2 would read as written: an ASCII name, a value of plain words, numbers,
# units, colours and commas (no quotes, brackets, escapes, comments or "!"); what Word and the
# editor write. Read without tinycss2, whose pure-Python tokenizer is most of a walk's cost.
_CSS_SPACE = " \t\n\r\f"
_SIMPLE_DECLARATION = re.compile(
    rf"[{_CSS_SPACE}]*(-?[A-Za-z_][A-Za-z0-9_-]*)[{_CSS_SPACE}]*:([A-Za-z0-9#%.,+{_CSS_SPACE}-]*)"
)


# "1e" or "1e-": a unit tinycss2 writes escaped (as "1\65 "), so as not to read an exponent.
_EXPONENT_LIKE = re.compile(r"[0-9][eE](?![A-Za-z_])")


def css_declarations(css: str) -> list[tuple[str | None, str]]:
    """A style attribute's declarations as (lower-case name, value on one line); the name is
    None for what does not parse as a declaration."""
    simple = []
    for piece in css.split(";"):
        if piece.strip(_CSS_SPACE):
            declaration = _SIMPLE_DECLARATION.fullmatch(piece)
            if declaration is None or _EXPONENT_LIKE.search(piece):
                break
            simple.append((declaration.group(1).lower(), " ".join(declaration.group(2).split())))
    else:
        return simple
    found: list[tuple[str | None, str]] = []
    for node in tinycss2.parse_declaration_list(css, skip_comments=True, skip_whitespace=True):
        if node.type != "declaration":
            found.append((None, ""))
        else:  # the value on one line, for the report
            found.append((node.lower_name, " ".join(tinycss2.serialize(node.value).split())))
    return found


def start_tag(tag: str, attributes: Attributes) -> str:
    # Every value double-quoted, with "<" and ">" escaped too: no "<" or ">" of the clean
    # HTML is ever inside a tag, so what reads it with a pattern (an <img …> up to its ">",
    # portal.attachments) finds each tag exactly, in one pass.
    pairs = "".join(f' {name}="{attribute_value(value)}"' for name, value in attributes.items())
    return f"<{tag}{pairs}>"


def attribute_value(value: str) -> str:
    """An attribute's value as clean() writes it between double quotes."""
    value = escape_ampersands(value, in_attribute=True)
    return value.replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


def escape_text(text: str) -> str:
    if AMPERSAND not in text and "<" not in text and ">" not in text:
        return text  # most text nodes: nothing to escape
    text = text.replace(AMPERSAND, "&")
    if "<" in text or ">" in text:
        text = text.replace("<", "&lt;").replace(">", "&gt;")
    return escape_ampersands(text, in_attribute=False)


def escape_ampersands(text: str, *, in_attribute: bool) -> str:
    """Every "&" as "&amp;" except where it starts an entity, which is kept as written: in
    text any HTML entity; in an attribute only one bleach decodes too (``&colon;`` is not, so
    it must not reach a browser that would)."""
    if "&" not in text:
        return text

    def keep_or_escape(match: re.Match[str]) -> str:
        numeric, name = match.groups()
        if numeric or (
            html5lib_shim.convert_entity(name) is not None
            if in_attribute
            else name + ";" in html5lib_shim.ENTITIES
        ):
            return match.group()
        return "&amp;" + match.group()[1:]

    # Every "&" that starts no entity is escaped first, then each entity decides for itself.
    text = re.sub(
        r"&(?!#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{0,31};)", "&amp;", text
    )
    return _ENTITY_AT_AMPERSAND.sub(keep_or_escape, text)


def _canonical_css(value: str) -> str:
    # Word writes "2.0em"; compare "2em".
    return re.sub(r"(\d)\.0+(?![0-9])", r"\1", value.lower())


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"

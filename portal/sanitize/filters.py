"""The html5lib token-stream filters that apply the policy (and rewrite URLs for feeds)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

import tinycss2  # the CSS parser bleach's css extra uses
from bleach import html5lib_shim
from bleach.sanitizer import BleachSanitizerFilter

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
from portal.sanitize.urls import absolute, is_external, normalize_url, site_hostname, url_problem

if TYPE_CHECKING:  # bleach re-exports its vendored html5lib's Filter; its stubs do not say so
    from html5lib.filters.base import Filter
else:
    Filter = html5lib_shim.Filter

Token = dict[str, Any]  # html5lib's: {"type": "StartTag", "name": "a", "data": {...}, ...}
AttributeKey = tuple[str | None, str]  # (namespace, name)
Attributes = dict[AttributeKey, str]
Report = Callable[[str], object]  # records one removal, for CleanResult.removed

HREF: AttributeKey = (None, "href")
SRC: AttributeKey = (None, "src")
_TAG_TOKENS = frozenset({"StartTag", "EmptyTag", "EndTag"})


def drop_with_content(tokens: Iterable[Token], report: Report) -> Iterator[Token]:
    """Skip every element in DROP_WITH_CONTENT or in a foreign namespace (SVG, MathML)."""
    depth = 0
    for token in tokens:
        kind = token["type"]
        if depth:
            depth += {"StartTag": 1, "EndTag": -1}.get(kind, 0)
            continue
        if kind in ("StartTag", "EmptyTag") and (
            token["name"].lower() in DROP_WITH_CONTENT or token.get("namespace")
        ):
            if kind == "StartTag":
                depth = 1
                report(f"<{token['name']}> 标签及其内容")
            else:
                report(f"<{token['name']}> 标签")
            continue
        yield token


def _canonical_css(value: str) -> str:
    # Word writes "2.0em"; compare "2em".
    return re.sub(r"(\d)\.0+(?![0-9])", r"\1", value.lower())


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class PolicyFilter(BleachSanitizerFilter):
    """Applies the site policy and reports removals; bleach then enforces the allowlist.

    The tree walker gives a well-nested stream, so a stack of "keep this element's tags?" flags
    lets us unwrap <span> without attributes and <a> without a usable href.
    """

    def __init__(self, source: Iterable[Token], report: Report, site_host: str | None) -> None:
        super().__init__(
            source,  # type: ignore[arg-type]  # any token stream will do; bleach's stubs say TreeWalker
            allowed_tags=ALLOWED_TAGS,
            attributes=attribute_allowed,
            allowed_protocols=ALLOWED_PROTOCOLS,
            strip_disallowed_tags=True,  # unknown tags are unwrapped, their text kept
            strip_html_comments=True,
        )
        self.report = report
        self.site_host = site_hostname(site_host)
        self.keep_stack: list[bool] = []

    # May return a list of tokens, as bleach's own does; the html5lib stub it overrides says not.
    def sanitize_token(self, token: Token) -> Token | list[Token] | None:  # type: ignore[override]
        kind = token["type"]
        if kind in _TAG_TOKENS and token["name"] in HEADING_LEVELS:
            token["name"] = HEADING_LEVELS[token["name"]]
        if kind in _TAG_TOKENS and token["name"] in ALLOWED_TAGS:
            return self.allowed_element(token)
        if kind == "Comment":
            self.report("HTML 注释")  # also Word's <!--[if gte mso 9]>…<![endif]--> blocks
        elif kind in ("StartTag", "EmptyTag"):
            self.report(f"<{token['name']}> 标签")
        return super().sanitize_token(token)

    def allowed_element(self, token: Token) -> Token | None:
        """An allowlisted tag with the policy's attributes, or None if it is unwrapped."""
        if token["type"] == "EndTag":
            return token if self.keep_stack.pop() else None
        tag = token["name"]
        kept = self.policy_attributes(tag, token["data"])
        keep = self.element_kept(tag, kept)
        if token["type"] == "StartTag":
            self.keep_stack.append(keep)
        if not keep:
            return None
        token["data"] = kept
        return super().allow_token(token)

    def policy_attributes(self, tag: str, attributes: Attributes) -> Attributes:
        """What survives of ``attributes``: styles become our classes, external links get rel."""
        external = tag == "a" and is_external(attributes.get(HREF), self.site_host)
        kept, classes = self.sort_attributes(tag, attributes, external)
        self.upgrade_http_image(tag, kept)
        css_classes = class_value(classes)
        if css_classes and tag in CLASS_TAGS:
            kept[(None, "class")] = css_classes
        if external and HREF in kept:
            kept[(None, "rel")] = EXTERNAL_REL
        return kept

    def sort_attributes(
        self, tag: str, attributes: Attributes, external: bool
    ) -> tuple[Attributes, set[str]]:
        """The author's attributes kept as they are, and our classes; the rest is reported."""
        kept: Attributes = {}
        classes: set[str] = set()
        for key, value in attributes.items():
            found = self.classes_of(tag, key[1], value)
            if found is not None:
                classes.update(found)
            elif key[1] == "rel" and tag == "a":  # the author's rel is replaced by ours
                if not (external and value == EXTERNAL_REL):
                    self.report("rel 属性")
            elif self.passes_bleach(tag, key, value):
                kept[key] = value
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

    def passes_bleach(self, tag: str, key: AttributeKey, value: str) -> bool:
        """bleach's own checks: the attribute allowlist, then the URL scheme; failures reported."""
        name = key[1]
        if not self.attr_filter(tag, name, value):
            self.report(f"{name} 属性")
            return False
        if key in self.attr_val_is_uri and (
            self.sanitize_uri_value(value, self.allowed_protocols) is None
        ):
            self.report(url_problem(value))
            return False
        return True

    def upgrade_http_image(self, tag: str, kept: Attributes) -> None:
        source = kept.get(SRC)
        if tag == "img" and source and normalize_url(source).lower().startswith("http:"):
            # The CSP loads images only from this site and https: an http image would be
            # blocked and silently missing, so ask for it over https.
            kept[SRC] = "https:" + normalize_url(source)[len("http:") :]
            self.report("http 图片地址（已改为 https）")

    def element_kept(self, tag: str, kept: Attributes) -> bool:
        # Unwrap what means nothing without its attributes; an image without a source goes.
        if tag == "img" and SRC not in kept:
            self.report("<img> 标签")
            return False
        return {"span": bool(kept), "a": HREF in kept}.get(tag, True)

    def style_classes(self, tag: str, css: str) -> Iterator[str]:
        declarations = tinycss2.parse_declaration_list(
            css, skip_comments=True, skip_whitespace=True
        )
        for node in declarations:
            if node.type != "declaration":
                self.report("style 样式")
                continue
            value = " ".join(tinycss2.serialize(node.value).split())  # one line, for the report
            css_class = STYLE_CLASSES.get((node.lower_name, _canonical_css(value)))
            if css_class and tag in CLASS_TAGS:
                yield css_class
            elif node.lower_name.startswith("mso-"):
                self.report("style 样式 mso-*")  # Word's private styles: one short entry
            else:
                self.report(f"style 样式 {node.lower_name}:{_shorten(value)}")


class AbsolutizeFilter(Filter):
    """Makes every href and src absolute against ``base_url`` (feeds are read elsewhere)."""

    def __init__(self, source: Iterable[Token], base_url: str) -> None:
        super().__init__(source)
        self.base_url = base_url

    def __iter__(self) -> Iterator[Token]:
        for token in super().__iter__():
            if token["type"] in ("StartTag", "EmptyTag"):
                self.absolutize(token["data"])
            yield token

    def absolutize(self, attributes: Attributes) -> None:
        for key in (HREF, SRC):
            value = attributes.get(key)
            if value is not None:
                attributes[key] = absolute(value, self.base_url)

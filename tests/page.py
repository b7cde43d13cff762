"""Read a page the way a test needs to: its elements, attributes and visible text."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""
    children: list[Element] = field(default_factory=list)


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.open: list[Element] = []
        self.visible: list[str] = []
        self.hidden_depth = 0

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.elements.append(element)
        if self.open:
            self.open[-1].children.append(element)
        if tag in ("script", "style", "title", "head"):
            self.hidden_depth += 1
        if tag not in VOID:
            self.open.append(element)

    def handle_endtag(self, tag):
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index].tag == tag:
                del self.open[index:]
                break
        if tag in ("script", "style", "title", "head"):
            self.hidden_depth = max(0, self.hidden_depth - 1)

    def handle_data(self, data):
        for element in self.open:
            element.text += data
        if not self.hidden_depth:
            self.visible.append(data)


class Page:
    def __init__(self, html: str):
        self.html = html
        parser = _Parser()
        parser.feed(html)
        self.elements = parser.elements
        self.text = " ".join("".join(parser.visible).split())

    def all(self, tag: str, **attrs: str) -> list[Element]:
        return [
            e
            for e in self.elements
            if e.tag == tag and all(e.attrs.get(k.rstrip("_")) == v for k, v in attrs.items())
        ]

    def one(self, tag: str, **attrs: str) -> Element:
        found = self.all(tag, **attrs)
        assert len(found) == 1, f"expected one <{tag} {attrs}>, found {len(found)}"
        return found[0]

    def meta(self, name: str) -> str | None:
        found = self.all("meta", name=name)
        return found[0].attrs.get("content") if found else None

    def links(self) -> dict[str, str]:
        """Link text (whitespace collapsed) -> href, for every <a>."""
        return {" ".join(a.text.split()): a.attrs.get("href", "") for a in self.all("a")}

    def by_class(self, tag: str, css_class: str) -> list[Element]:
        return [e for e in self.all(tag) if css_class in e.attrs.get("class", "").split()]


def page(response) -> Page:
    return Page(response.get_data(as_text=True))

"""The tree builder's stack of open elements, modelled for the depth scanner (see depth.py)."""

from __future__ import annotations

import re

from portal.sanitize.html_names import (
    _BOUNDARY_SETS,
    _BREAKOUT,
    _BUTTON_SCOPE,
    _CLOSES_P,
    _DD_SCOPE,
    _FOREIGN_NAMES,
    _HEADINGS,
    _LI_SCOPE,
    _MARKERS,
    _REOPENS,
    _SCOPE,
    _SPECIAL,
    _TABLE_SCOPE,
    _TAG,
    FORMATTING,
    RAW_TEXT,
    VOID,
    _is_boundary,
)
from portal.sanitize.limits import REOPENED_PER_TAG, REOPENED_SLACK, SCAN_DEPTH, NestingTooDeep


class _Entry:
    """An element on the stack, or an entry of the list of formatting elements to reopen."""

    __slots__ = ("identity", "name", "on_stack")

    def __init__(self, name: str, identity: str) -> None:
        self.name = name
        self.identity = identity
        self.on_stack = True


class _Stack:
    """The parser's stack of open elements, with what each scope test needs in O(1)."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.formatting: list[_Entry | None] = []  # parallel to names
        # Parallel to names: how the parser reads what follows a start tag inside it (_HTML, or
        # the foreign rules of SVG and MathML, or an integration point back into HTML).
        self.kinds: list[str] = []
        self.where: dict[str, list[int]] = {}  # name -> its positions, innermost last
        self.boundaries: dict[frozenset[str], list[int]] = {s: [] for s in _BOUNDARY_SETS}
        self.active: list[_Entry | None] = []  # formatting elements to reopen; None: a marker
        self.reopened = 0
        self.tags = 0  # start tags read so far
        self.deepest = 0
        self._fences: dict[str, tuple[list[int], ...]] = {}

    def fences_of(self, name: str, kind: str) -> tuple[list[int], ...]:
        """The position lists of the boundary sets an element is a boundary of."""
        key = name if kind == "html" else f"{kind[:3]}:{name}"  # "svg:title", "mat:mi"
        fences = self._fences.get(key)
        if fences is None:
            fences = tuple(p for b, p in self.boundaries.items() if _is_boundary(name, kind, b))
            self._fences[key] = fences
        return fences

    def push(self, name: str, entry: _Entry | None = None, kind: str = "html") -> None:
        position = len(self.names)
        if position >= self.deepest:
            if position >= SCAN_DEPTH:
                raise NestingTooDeep
            self.deepest = position + 1
        self.names.append(name)
        self.formatting.append(entry)
        self.kinds.append(kind)
        for fence in self.fences_of(name, kind):
            fence.append(position)
        if kind == "html":  # the HTML rules look for HTML elements only
            positions = self.where.get(name)
            if positions is None:
                self.where[name] = [position]
            else:
                positions.append(position)
            if name in _MARKERS:
                self.active.append(None)

    def pop(self) -> None:
        name = self.names.pop()
        entry = self.formatting.pop()
        kind = self.kinds.pop()
        for fence in self.fences_of(name, kind):
            fence.pop()
        if entry is not None:
            entry.on_stack = False  # still listed: the parser reopens it later
        if kind == "html":
            self.where[name].pop()
            if name in _MARKERS:
                while self.active and self.active.pop() is not None:
                    pass

    def in_scope(self, name: str, boundary: frozenset[str]) -> bool:
        positions = self.where.get(name)
        if not positions:
            return False
        fences = self.boundaries[boundary]
        return not fences or positions[-1] > fences[-1] or self.names[fences[-1]] == name

    def table_context(self) -> str:
        """What the parser does with a cell or row tag here: "table" (its table rules), ""
        (ignores it: no table is open) or "unsure" (in a template or a select)."""
        where = self.where
        if where.get("template") or where.get("select"):
            return "unsure"
        return "table" if where.get("table") else ""

    def pop_to(self, name: str) -> None:
        target = self.where[name][-1]
        while len(self.names) > target:
            self.pop()

    def close_if_in_scope(self, names: frozenset[str] | set[str], boundary: frozenset[str]) -> None:
        open_ones = [n for n in names if self.in_scope(n, boundary)]
        if open_ones:
            self.pop_to(max(open_ones, key=lambda n: self.where[n][-1]))

    def reopen(self) -> None:
        """The parser reopens, before text or a tag, the formatting elements closed implicitly."""
        if not self.active or self.active[-1] is None or self.active[-1].on_stack:
            return
        closed = 0
        for entry in reversed(self.active):
            if entry is None or entry.on_stack:
                break
            closed += 1
        for entry in self.active[len(self.active) - closed :]:
            assert entry is not None
            entry.on_stack = True
            self.push(entry.name, entry)
        self.reopened += closed
        if self.reopened > REOPENED_PER_TAG * self.tags + REOPENED_SLACK:
            raise NestingTooDeep

    def open_formatting(self, name: str, identity: str) -> None:
        if name == "a" and self.names and self.names[-1] == "a":
            self.end_formatting("a")  # <a> closes an open <a>
        # "Noah's ark": at most three identical entries since the last marker.
        same = []
        for i in range(len(self.active) - 1, -1, -1):
            listed = self.active[i]
            if listed is None:
                break
            if listed.identity == identity:
                same.append(i)
        if len(same) >= 3:
            del self.active[same[-1]]
        entry = _Entry(name, identity)
        self.active.append(entry)
        self.push(name, entry)

    def end_formatting(self, name: str) -> None:
        """The adoption agency, as far as the stack's depth goes."""
        for i in range(len(self.active) - 1, -1, -1):
            entry = self.active[i]
            if entry is None:
                break
            if entry.name != name:
                continue
            if not entry.on_stack:
                del self.active[i]
                return
            position = self.formatting.index(entry)
            scope = self.boundaries[_SCOPE]
            if scope and scope[-1] > position:
                return  # not in scope: the parser ignores the end tag
            specials = self.boundaries[_SPECIAL]
            if not specials or specials[-1] < position:
                # No special element above it (no "furthest block"): the parser pops it and
                # everything above it (misnested <b><i></b>: the <i> is reopened later).
                del self.active[i]
                while len(self.names) > position:
                    self.pop()
            # Otherwise the parser moves elements around it, the stack keeping its size, and
            # the element (or its copy) stays listed: the scan keeps both as they are.
            return
        _other_end_tag(self, name)  # not listed: read as any other end tag


_RAW_TEXT_OR_PLAINTEXT = RAW_TEXT | {"plaintext"}
# Start tags the parser reads only in a table (or a template); elsewhere it ignores them.
_TABLE_PARTS = frozenset(
    {"caption", "col", "colgroup", "tbody", "td", "tfoot", "th", "thead", "tr"}
)


def _scan_unsure(html: str, start: int, stop: int, stack: _Stack) -> None:
    """Text the parser may read as markup: count its start tags, believe none of its end tags."""
    for tag in _TAG.finditer(html, start, stop):
        if not tag.group(1) and tag.group(4):
            stack.push(tag.group(2).lower())


def _raw_text_end(html: str, name: str, position: int) -> tuple[int, bool]:
    """Where the raw text after ``<name>`` ends (its end tag is then read as a tag), and
    whether the scanner is unsure of that."""
    if name == "plaintext":
        return len(html), True
    closing = re.compile(rf"</{name}[\t\n\f\r />]", re.IGNORECASE)
    found = closing.search(html, position)
    stop = found.start() if found else len(html)
    if name == "script" and "<!--" in html[position:stop]:
        return len(html), True  # script's escaped states may run past the first </script>
    return stop, False


def _start_tag(stack: _Stack, name: str, attributes: str) -> bool:  # noqa: C901 (the parser's rules, one branch each)
    """Apply a start tag; True when the foreign rules (SVG, MathML) read it."""
    kinds = stack.kinds
    if kinds and kinds[-1] != "html" and _reads_foreign(kinds[-1], name):
        if name in _BREAKOUT or name == "font" and _FONT_BREAKOUT & _attribute_names(attributes):
            # HTML inside SVG or MathML: the parser closes them, then reads it as HTML.
            while kinds and kinds[-1] != "html" and kinds[-1] not in _INTEGRATION_KINDS:
                stack.pop()
        else:
            if not _self_closing(attributes):
                stack.push(name, kind=_foreign_kind(kinds[-1], name, attributes))
            return True
    if name == "button" and stack.in_scope("button", _SCOPE):
        stack.pop_to("button")  # before the parser reopens what it closed
    elif name == "select" and stack.in_scope("select", _SCOPE):
        stack.pop_to("select")  # a <select> in a <select> closes it, and opens nothing
        return False
    if name not in _SPECIAL or name in _REOPENS or name in _FOREIGN_NAMES:
        stack.reopen()
    if name in _CLOSES_P and stack.in_scope("p", _BUTTON_SCOPE):
        stack.pop_to("p")
    if name == "li" and stack.in_scope("li", _LI_SCOPE):
        stack.pop_to("li")
    elif name in ("dd", "dt"):
        stack.close_if_in_scope({"dd", "dt"}, _DD_SCOPE)
    elif (
        name in _HEADINGS
        and stack.names
        and stack.names[-1] in _HEADINGS
        or name in ("option", "optgroup")
        and stack.names
        and stack.names[-1] == "option"
    ):
        stack.pop()
    elif name in _TABLE_PARTS:
        context = stack.table_context()
        if not context:
            return False  # outside a table the parser ignores them (<ul><td> nests no <td>)
        if context == "table" and name in ("td", "th", "tr"):
            stack.close_if_in_scope({"td", "th"} if name != "tr" else {"tr"}, _TABLE_SCOPE)
        elif context == "table" and name in ("tbody", "thead", "tfoot"):
            stack.close_if_in_scope({"tbody", "thead", "tfoot"}, _TABLE_SCOPE)
    if name in VOID:
        return False
    if name in ("svg", "math"):
        if not _self_closing(attributes):
            stack.push(name, kind=name)
        return True
    if name in FORMATTING:
        stack.open_formatting(name, name + attributes)
    else:
        stack.push(name)
    return False


# How the parser reads what follows a start tag in foreign content. "svg" and "math": the
# foreign rules (every start tag an element, "/>" closing it, no implied end tags); an HTML
# integration point (SVG's <foreignObject>, <desc>, <title>; MathML's <annotation-xml> with
# an HTML encoding) reads start tags as HTML; a MathML text integration point (<mi> …) too,
# but for <mglyph> and <malignmark>; a plain <annotation-xml> reads an <svg> as HTML.
_INTEGRATION_KINDS = frozenset({"svg-html", "math-html", "math-text", "math-annotation"})
_FONT_BREAKOUT = frozenset({"color", "face", "size"})
_HTML_ENCODINGS = frozenset({"text/html", "application/xhtml+xml"})
# An attribute as the tokenizer reads one (see _TAG); the value is unsure when it holds "&".
_ATTRIBUTE = re.compile(
    r"""[\t\n\f\r /]*+([^\t\n\f\r />][^\t\n\f\r />=]*+)
    (?:[\t\n\f\r ]*+=[\t\n\f\r ]*+(?:"([^"]*+)"?|'([^']*+)'?|([^\t\n\f\r >]*+)))?""",
    re.VERBOSE,
)


def _reads_foreign(kind: str, name: str) -> bool:
    """Whether a start tag ``name`` inside an element of ``kind`` gets the foreign rules."""
    if kind in ("svg-html", "math-html"):
        return False
    if kind == "math-text":
        return name in ("mglyph", "malignmark")
    if kind == "math-annotation":
        return name != "svg"
    return True


def _foreign_kind(parent: str, name: str, attributes: str) -> str:
    namespace = "math" if parent.startswith("math") else "svg"
    if namespace == "svg":
        return "svg-html" if name in ("foreignobject", "desc", "title") else "svg"
    if name in ("mi", "mo", "mn", "ms", "mtext"):
        return "math-text"
    if name == "annotation-xml":
        encoding = _attribute_values(attributes).get("encoding")
        if encoding is not None and "&" in encoding:
            raise NestingTooDeep  # a character reference decides how it is read: not guessed
        return "math-html" if (encoding or "").lower() in _HTML_ENCODINGS else "math-annotation"
    return "math"


def _self_closing(attributes: str) -> bool:
    """Whether a tag ends with "/>" read as such ("<path d=x/>": the "/" is in the value)."""
    if not attributes.endswith("/"):
        return False
    last = None
    for last in _ATTRIBUTE.finditer(attributes):  # noqa: B007 (the last one is wanted)
        pass
    return last is None or last.end() < len(attributes) or last.group(4) is None


def _attribute_names(attributes: str) -> set[str]:
    return set(_attribute_values(attributes))


def _attribute_values(attributes: str) -> dict[str, str]:
    """The attributes of a tag as the tokenizer reads them (the first of a name wins)."""
    found: dict[str, str] = {}
    for match in _ATTRIBUTE.finditer(attributes):
        name = match.group(1).lower()
        if name and name not in found:
            value = match.group(2) if match.group(2) is not None else match.group(3)
            found[name] = value if value is not None else (match.group(4) or "")
    return found


def _end_tag(stack: _Stack, name: str) -> None:  # noqa: C901 (the parser's rules, one branch each)
    kinds = stack.kinds
    if kinds and kinds[-1] != "html" and name in ("br", "p"):
        # </p> and </br> leave SVG or MathML, as an HTML start tag does, and are read as HTML.
        while kinds and kinds[-1] != "html" and kinds[-1] not in _INTEGRATION_KINDS:
            stack.pop()
    elif kinds and kinds[-1] != "html":
        # Foreign content: the nearest open element of that name, down to the first HTML
        # element, is closed; else the end tag is read as HTML there.
        position = len(kinds) - 1
        while True:
            if stack.names[position] == name:
                while len(stack.names) > position:
                    stack.pop()
                return
            position -= 1
            if position < 0:
                return  # nothing of that name: ignored
            if kinds[position] == "html":
                break
    if name in FORMATTING:
        stack.end_formatting(name)
    elif name in _HEADINGS:
        stack.close_if_in_scope(_HEADINGS, _SCOPE)
    elif name == "p":
        if stack.in_scope("p", _BUTTON_SCOPE):
            stack.pop_to("p")
    elif name == "li":
        if stack.in_scope("li", _LI_SCOPE):
            stack.pop_to("li")
    elif name in _TABLE_PARTS or name == "table":
        # In a template or a select the parser may ignore them (its mode is unsure here).
        if stack.table_context() == "table" and stack.in_scope(name, _TABLE_SCOPE):
            stack.pop_to(name)
    elif name == "form":
        # The parser takes the form element alone off the stack, not what is open in it.
        if stack.names and stack.names[-1] == "form":
            stack.pop()
    elif name in _SPECIAL and name not in _FOREIGN_NAMES:
        if stack.in_scope(name, _SCOPE):
            stack.pop_to(name)
    else:
        _other_end_tag(stack, name)


def _other_end_tag(stack: _Stack, name: str) -> None:
    if stack.in_scope(name, _SPECIAL):  # any other end tag stops at a special element
        stack.pop_to(name)

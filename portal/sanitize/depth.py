"""How deep the HTML parser's stack of open elements gets, estimated in one linear pass.

Building a tree costs each start tag a walk down the stack of open elements (is a <p> open to
close? which list does this <li> belong to?), so markup nested N deep costs N² — ``<div>`` ×
50,000 took minutes. Browsers cap the depth; our parser does not, so ``clean()`` reads the
markup first with this scanner and refuses it before parsing when the stack would grow past a
limit. The scanner follows the HTML tokenizer exactly where it matters (tags and their quoted
attributes, comments, raw text) and the tree builder roughly: it closes what the parser closes
implicitly (a <p> by the next block, an <li> by the next item, cells and rows) and reopens what
the parser reopens (unclosed formatting tags, in every later paragraph). Where it cannot be
sure, it errs towards deeper: a closing tag it cannot be sure of is not counted. The parsed tree
is then checked exactly (``MAX_DEPTH``); this pass only keeps the parse itself cheap.

Two passes do it: ``plain_depth``, a quick one for markup without comments, raw text or SVG
(what editors and clean() write, sloppy or not), and ``scan_depth``, the full one, for the rest
and for what the quick one gives up on. Erring shallower anywhere lets a parse take minutes
again, so tests/test_sanitize_speed.py checks both against the trees lexbor builds (random
markup, and short markup repeated, where a small error grows): never shallower than the tree.
"""

from __future__ import annotations

import re

from portal.sanitize.html_names import (
    _BOGUS,
    _CDATA,
    _CLOSES_P,
    _COMMENT,
    _HEADINGS,
    _SPECIAL,
    _TAG,
    FORMATTING,
    VOID,
)
from portal.sanitize.limits import MAX_DEPTH, SCAN_DEPTH, NestingTooDeep
from portal.sanitize.open_elements import (
    _RAW_TEXT_OR_PLAINTEXT,
    _end_tag,
    _raw_text_end,
    _scan_unsure,
    _Stack,
    _start_tag,
)

__all__ = ["MAX_DEPTH", "NestingTooDeep", "check_depth", "plain_depth", "scan_depth"]


# Markup the quick pass below cannot read as plain tags: comments, doctypes and bogus comments
# (which may hide what looks like a tag: "</1 </div>" is one comment), raw text, SVG, MathML.
_NOT_PLAIN = re.compile(
    r"<[!?]|</(?![A-Za-z>])|<(?:script|style|xmp|iframe|noembed|noframes|noscript|textarea"
    r"|title|plaintext|svg|math)[\t\n\f\r />]",
    re.IGNORECASE,
)


def check_depth(html: str) -> None:
    """Raise ``NestingTooDeep`` if parsing ``html`` could nest deeper than the scanner allows
    or reopen far more elements than it has tags; linear in ``len(html)``."""
    if _NOT_PLAIN.search(html) or plain_depth(html) is None:
        scan_depth(html)


# End tags the parser implies (its "generate implied end tags").
_IMPLIED_END = frozenset({"dd", "dt", "li", "optgroup", "option", "p", "rb", "rp", "rt", "rtc"})
# Start tags that close an element of theirs open at the top of the stack, past the
# elements in the first set: {name: (skipped, closed)}, after any start tag of _CLOSES_P has
# closed an open <p> at the top. The parser closes at least as much.
_START_CLOSES: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "li": (frozenset(), frozenset({"li"})),
    "dd": (frozenset(), frozenset({"dd", "dt"})),
    "dt": (frozenset(), frozenset({"dd", "dt"})),
    "td": (frozenset(), frozenset({"td", "th"})),
    "th": (frozenset(), frozenset({"td", "th"})),
    "tr": (frozenset({"td", "th"}), frozenset({"tr"})),
    **dict.fromkeys(_HEADINGS, (frozenset(), _HEADINGS)),
}
# What may be at the top when a rule above applies (most start tags find nothing to close).
_START_CLOSES_TOP = {name: skipped | closed for name, (skipped, closed) in _START_CLOSES.items()}
# End tags that close their element past open elements whose end is implied (their end tag
# pops "until" them; the parser always inserted them, so they are in scope when open here).
_END_PAST_IMPLIED = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "center",
        "dd",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "header",
        "hgroup",
        "li",
        "listing",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "pre",
        "search",
        "section",
        "summary",
        "ul",
    }
)


def plain_depth(html: str) -> int | None:  # noqa: C901 (the parser's rules, one branch each)
    """The quick pass, for markup without comments, raw text or foreign content: how deep its
    stack got, which the parser's never passes by more than a small multiple (tables add their
    implied <tbody> and <tr>); None past ``SCAN_DEPTH`` or when it is not that simple (the
    full scan decides).

    It keeps a stack that is never shallower than the parser's: it closes only what the
    parser closes too at that point (an end tag matching the top; the few implied closes of
    ``_START_CLOSES`` and ``_END_PAST_IMPLIED``; a formatting element's end tag past other
    formatting elements, which stay open here; an end tag of nothing open is ignored, as the
    parser ignores it), and never closes a formatting element implicitly, so every element the
    parser reopens is one still open here. Anything else (misnested blocks) gives up."""
    stack: list[str] = []
    open_count: dict[str, int] = dict.fromkeys(_NAMES, 0)
    deepest = 0
    for closing, name, _attributes, closed in _TAG.findall(html):
        if not closed:
            break  # the input ends inside the tag: the parser drops it
        name = name.lower()
        if closing:
            if not open_count.get(name):
                continue  # nothing of that name open: the parser ignores it too
            if stack[-1] != name and name in FORMATTING:
                # Misnested (<b><i></b>): with only formatting elements above it, the parser
                # closes it and those (to reopen them later); here they stay open instead.
                below = len(stack) - 1
                while stack[below] != name:
                    if stack[below] not in FORMATTING:
                        return None
                    below -= 1
                del stack[below]
                open_count[name] -= 1
                continue
            if stack[-1] != name:
                if name not in _END_PAST_IMPLIED:
                    return None
                below = len(stack) - 1
                while below >= 0 and stack[below] in _IMPLIED_END and stack[below] != name:
                    below -= 1
                if below < 0 or stack[below] != name:
                    return None
                for implied in stack[below + 1 :]:
                    open_count[implied] -= 1
                del stack[below + 1 :]
            open_count[name] -= 1
            stack.pop()
            continue
        if stack and stack[-1] == "p" and name in _CLOSES_P:
            open_count["p"] -= 1
            stack.pop()
        if stack and stack[-1] in _START_CLOSES_TOP.get(name, ()):
            skipped, closes = _START_CLOSES[name]
            below = len(stack) - 1
            while below >= 0 and stack[below] in skipped:
                below -= 1
            if below >= 0 and stack[below] in closes:
                for implied in stack[below:]:
                    open_count[implied] -= 1
                del stack[below:]
        if name not in VOID:
            stack.append(name)
            open_count[name] = open_count.get(name, 0) + 1
            if len(stack) > deepest:
                deepest = len(stack)
                if deepest > SCAN_DEPTH:
                    return None
    return deepest


_NAMES = _SPECIAL | FORMATTING | {"span", "sub", "sup"}  # counted from 0 without a lookup


def scan_depth(html: str) -> int:  # noqa: C901 (the tokenizer's states, one branch each)
    """The full scan: how deep the parser's stack may get (an overestimate where unsure);
    raises ``NestingTooDeep`` past ``SCAN_DEPTH`` or when it reopens too many elements."""
    stack = _Stack()
    active = stack.active
    find, startswith, match_tag = html.find, html.startswith, _TAG.match
    position, end = 0, len(html)
    while position < end:
        start = find("<", position)
        if start < 0:
            start = end
        if start > position and active and active[-1] is not None and not active[-1].on_stack:
            stack.reopen()  # text, after formatting elements closed implicitly
        if start >= end:
            break
        if html[start + 1 : start + 2] == "!":
            if startswith("<!--", start):
                position = _COMMENT.match(html, start).end()  # type: ignore[union-attr]
                continue
            if startswith(_CDATA, start):
                # Text in SVG or MathML, a bogus comment elsewhere: unsure either way.
                close = find("]]>", start)
                position = end if close < 0 else close + 3
                _scan_unsure(html, start + len(_CDATA), position, stack)
                continue
        tag = match_tag(html, start)
        if tag is None:
            bogus = _BOGUS.match(html, start)
            position = bogus.end() if bogus else start + 1
            continue
        position = tag.end()
        closing, name, attributes, closed = tag.groups()
        if not closed:
            break  # the input ends inside the tag: the parser drops it
        name = name.lower()
        if closing:
            _end_tag(stack, name)
            continue
        stack.tags += 1
        foreign = _start_tag(stack, name, attributes)
        if name in _RAW_TEXT_OR_PLAINTEXT and not foreign:  # in SVG a <style> holds markup
            stop, unsure = _raw_text_end(html, name, position)
            if unsure:
                _scan_unsure(html, position, stop, stack)
            position = stop
    return stack.deepest

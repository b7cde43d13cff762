"""How text is compared for search: one folding for the posts and the queries, and the tokens
of the index. Pure: nothing from the app.

**Folding.** Text is brought to NFC, then each character on its own is replaced by its NFKC
form, case-folded (full-width ``Ａ１`` and half-width ``A1`` become ``a1``; ``ß`` becomes
``ss``); white space and control characters become a space, invisible format characters
(zero-width space, soft hyphen, BOM…) disappear, runs of spaces become one, and a space between
two Chinese (wide) characters disappears: Chinese puts no spaces between words, so a line or
paragraph break inside a phrase (``<p>中华人民</p><p>共和国</p>``) is no word boundary. Folding
character by character lets every folded character name the character of the reader's text it
came from (``fold_mapped``), which is how an excerpt marks the reader's own text.

**Terms.** A query is split at white space into terms, each folded; a post matches when it
contains every term as a substring of its folded title or body.

**Tokens.** The index holds, for each post, every character and every pair of adjacent
characters of its folded text that has no space in it (the overlapping bigrams of Lucene's CJK
analyzer, plus unigrams). A term of one or two characters is one token, so the index answers it
exactly; a longer term needs all its bigrams, and the candidates are then checked for the term
itself. Every term has tokens (a space never is in a term), so no query falls back to a scan.
"""

from __future__ import annotations

import operator
import re
import unicodedata
from functools import cache

QUERY_MAX = 100  # characters of a query (typed, before folding)
SPACE = " "


@cache
def _fold_char(char: str) -> str:
    category = unicodedata.category(char)
    if char.isspace() or category == "Cc":
        return SPACE
    if category == "Cf":
        return ""
    folded = unicodedata.normalize("NFKC", char).casefold()
    # NFKC may give spaces (U+00A8 "¨" is a space and a combining mark): one kind of space.
    return "".join(SPACE if c.isspace() else c for c in folded)


@cache
def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def fold_mapped(text: str, limit: int | None = None) -> tuple[str, list[int]]:
    """The folded ``text`` (its first ``limit`` characters, if given), and for each folded
    character the index in ``nfc(text)`` of the character it came from."""
    text = nfc(text)
    chars: list[str] = []
    origins: list[int] = []
    pending = -1  # where a space is waiting: it is kept only when a word follows it
    for index, char in enumerate(text):
        if limit is not None and len(chars) >= limit:
            break
        for folded in _fold_char(char):
            if folded == SPACE:
                if chars and pending < 0:
                    pending = index
                continue
            if pending >= 0 and not (_wide(chars[-1]) and _wide(folded)):
                chars.append(SPACE)
                origins.append(pending)
            pending = -1
            chars.append(folded)
            origins.append(index)
    return "".join(chars), origins


def fold(text: str) -> str:
    """``text`` as search compares it (see the module's description): ``fold_mapped`` without
    the origins, by whole-string operations (``str.translate``, one regular expression) at a
    fraction of its cost; a test checks that the two always agree."""
    folded = nfc(text).translate(_FOLDING).strip(SPACE)
    return _SPACES.sub(_one_space, folded) if SPACE in folded else folded


class _Folding(dict):
    """``str.translate``'s table: each character's folding, worked out on first sight."""

    def __missing__(self, code: int) -> str:
        self[code] = folded = _fold_char(chr(code))
        return folded


_FOLDING = _Folding()
_SPACES = re.compile(" +")


def _one_space(match: re.Match[str]) -> str:
    text, start, end = match.string, match.start(), match.end()
    return "" if _wide(text[start - 1]) and _wide(text[end]) else SPACE


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def terms(query: str) -> list[str]:
    """The folded terms of a query, each once, in the order typed."""
    found: dict[str, None] = {}
    for word in query.split():
        for term in fold(word).split(SPACE):  # folding may still split a word (U+00A8)
            if term:
                found.setdefault(term, None)
    return list(found)


def tokens(folded: str) -> set[str]:
    """The index's tokens of a folded text: its characters and adjacent pairs, without spaces.
    (The PostgreSQL function ``search_tokens`` of migration 0005 is the same rule in SQL, with
    pairs that hold a space besides, which no term asks for.)"""
    found: set[str] = set()
    for chunk in folded.split(SPACE):
        found.update(chunk)
        found.update(map(operator.add, chunk, chunk[1:]))
    return found


def term_tokens(term: str) -> set[str]:
    """The tokens a post must have to contain ``term``: the term itself when it is one or two
    characters (then having the token is containing the term), else its bigrams."""
    if len(term) <= 2:
        return {term}
    return {term[i : i + 2] for i in range(len(term) - 1)}


def exact_by_tokens(term: str) -> bool:
    """Does having the term's tokens mean containing the term? (Yes for one or two characters.)"""
    return len(term) <= 2

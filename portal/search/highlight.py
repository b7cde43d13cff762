"""The terms marked in the reader's own text: ``<mark>`` around each place a term matches,
everything else escaped (the text and the query never become markup). Pure: markupsafe and
``folding`` only.

Matching is done in the folded text, and each folded character names the character it came
from (``folding.fold_mapped``), so ``ＡＢＣ`` is marked for the query ``abc``, and a match
across a former paragraph break is marked on both sides of it.
"""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup, escape

from portal.search import folding

EXCERPT_BEFORE = 30  # characters shown before the first match
EXCERPT_LENGTH = 140  # characters in an excerpt
ELLIPSIS = "…"


def marked(text: str, terms: Iterable[str]) -> Markup:
    """All of ``text``, escaped, with every match of a term in ``<mark>``."""
    source = folding.nfc(text)
    return _render(source, _spans(source, terms), 0, len(source))


def excerpt(text: str, terms: Iterable[str], folded: str | None = None) -> Markup:
    """About ``EXCERPT_LENGTH`` characters of ``text`` around its first match, escaped, the
    matches in ``<mark>``; the beginning of the text when nothing in it matches. ``folded``:
    ``folding.fold(text)``, if the caller has it (the search document keeps it)."""
    source = folding.nfc(text)
    terms = [term for term in terms if term]
    folded = folding.fold(source) if folded is None else folded
    found = [at for at in (folded.find(term) for term in terms) if at >= 0]
    # Only as much of the text is mapped back as the excerpt can show.
    spans = _spans(source, terms, limit=min(found) + 2 * EXCERPT_LENGTH) if found else []
    start = max(0, spans[0][0] - EXCERPT_BEFORE) if spans else 0
    end = min(len(source), start + EXCERPT_LENGTH)
    start = max(0, min(start, end - EXCERPT_LENGTH))  # a match near the end: a full excerpt
    lead = ELLIPSIS if start > 0 else ""
    tail = ELLIPSIS if end < len(source) else ""
    return Markup(lead + _render(source, spans, start, end) + tail)


def _spans(source: str, terms: Iterable[str], limit: int | None = None) -> list[tuple[int, int]]:
    """Where the terms are in ``source`` (NFC), as sorted, merged [start, end) ranges (in its
    first ``limit`` folded characters, if given)."""
    folded, origins = folding.fold_mapped(source, limit)
    found = []
    for term in terms:
        at = folded.find(term) if term else -1
        while at >= 0:
            found.append((origins[at], origins[at + len(term) - 1] + 1))
            at = folded.find(term, at + len(term))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _render(source: str, spans: list[tuple[int, int]], start: int, end: int) -> Markup:
    """``source[start:end]``, escaped, with ``spans`` in ``<mark>``."""
    parts: list[str] = []
    position = start
    for span_start, span_end in spans:
        span_start, span_end = max(span_start, start), min(span_end, end)
        if span_start >= span_end:
            continue
        parts.append(escape(source[position:span_start]))
        parts.append(f"<mark>{escape(source[span_start:span_end])}</mark>")
        position = span_end
    parts.append(escape(source[position:end]))
    return Markup("".join(parts))

"""The nesting limits the sanitizer enforces, and the error for markup past them."""

from __future__ import annotations

# The deepest element nesting an article may have. Word's and WPS's HTML nests 10–20 deep,
# tables in lists in quotes a few more; anything deeper is refused, not cleaned.
MAX_DEPTH = 100
# What the scanner allows (it may count a few elements the parser does not make).
SCAN_DEPTH = 2 * MAX_DEPTH
# Elements the parser may reopen (unclosed <b> in every paragraph…): at most twice as many as
# the markup has tags, and a few more.
REOPENED_PER_TAG = 1
REOPENED_SLACK = 10_000


class NestingTooDeep(ValueError):
    """The markup nests deeper than ``MAX_DEPTH`` (or reopens far more tags than it has)."""

    def __init__(self, limit: int = MAX_DEPTH) -> None:
        super().__init__(f"markup nested deeper than {limit} elements")
        self.limit = limit

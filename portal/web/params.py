"""Request parameters shared by several blueprints: one rule for each."""

from __future__ import annotations

from flask import abort, request

# Past the last page of any list: a page number of more digits is never converted.
_DIGITS_MAX = 9
BEYOND_ANY_PAGE = 10**_DIGITS_MAX


def page_number(name: str = "page") -> int:
    """``?page=N`` of a paged list: absent means 1; anything but ASCII digits from 1 up is a
    bad request (400); a number past the end is the caller's 404 (it knows the last page)."""
    raw = request.args.get(name)
    if raw is None:
        return 1
    if not (raw.isascii() and raw.isdigit()) or not raw.strip("0"):
        abort(400)
    return int(raw) if len(raw) <= _DIGITS_MAX else BEYOND_ANY_PAGE

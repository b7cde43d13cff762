"""Request parameters shared by several blueprints: one rule for each.

Every integer that comes from a request (a path segment, a query argument, a form field) is
read by :func:`parse_int`: ASCII digits only (``str.isdigit`` also accepts ``²`` and ``١``),
no sign, no leading zero, and a range, so nothing past it reaches ``int()`` or the database.
"""

from __future__ import annotations

from flask import abort, request

# The largest id or version a request may name: a signed 64-bit column's ceiling, far past any
# real row, so a longer number is simply "not found" instead of an overflow in the database.
ID_MAX = 2**63 - 1
# Past the last page of any list: a page number of more digits is never converted.
_DIGITS_MAX = 9
BEYOND_ANY_PAGE = 10**_DIGITS_MAX


def parse_int(raw: str | None, *, minimum: int = 1, maximum: int = ID_MAX) -> int | None:
    """The integer ``raw`` spells, if it is canonical ASCII digits within [minimum, maximum];
    otherwise None. The length is bounded before converting, so any input is cheap."""
    if raw is None or not raw or len(raw) > len(str(maximum)):
        return None
    if not (raw.isascii() and raw.isdigit()) or (raw[0] == "0" and raw != "0"):
        return None
    value = int(raw)
    return value if minimum <= value <= maximum else None


def page_number(name: str = "page") -> int:
    """``?page=N`` of a paged list: absent means 1; anything but ASCII digits from 1 up is a
    bad request (400); a number past the end is the caller's 404 (it knows the last page)."""
    raw = request.args.get(name)
    if raw is None:
        return 1
    if not (raw.isascii() and raw.isdigit()) or not raw.strip("0"):
        abort(400)
    if len(raw) > _DIGITS_MAX:
        return BEYOND_ANY_PAGE
    return int(raw)

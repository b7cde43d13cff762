"""Request parameters shared by several blueprints: one rule for each.

Every integer that comes from a request (a path segment, a query argument, a form field) is
read by :func:`parse_int`: ASCII digits only (``str.isdigit`` also accepts ``²`` and ``١``),
no sign, no leading zero, and a range, so nothing past it reaches ``int()`` or the database.
A number in a URL path is matched by :class:`IdConverter` (``<id:…>``, and ``<int:…>`` too:
the app maps both to it), which is built on it: one spelling per number, so one URL per page.
"""

from __future__ import annotations

from flask import abort, request
from werkzeug.routing import BaseConverter, ValidationError

# The largest id or version a request may name: the ceiling of the database's INTEGER columns
# (PostgreSQL's is 32-bit), so a larger number is simply "not found" rather than an overflow.
ID_MAX = 2**31 - 1
# Past the last page of any list: a page number of more digits is never converted.
_DIGITS_MAX = 9
BEYOND_ANY_PAGE = 10**_DIGITS_MAX


def _canonical(raw: str) -> bool:
    """ASCII digits with no sign and no leading zero: the one way to write a number."""
    return raw.isascii() and raw.isdigit() and (raw[0] != "0" or raw == "0")


def parse_int(raw: str | None, *, minimum: int = 1, maximum: int = ID_MAX) -> int | None:
    """The integer ``raw`` spells, if it is canonical ASCII digits within [minimum, maximum];
    otherwise None. The length is bounded before converting, so any input is cheap."""
    if raw is None or not raw or len(raw) > len(str(maximum)) or not _canonical(raw):
        return None
    value = int(raw)
    return value if minimum <= value <= maximum else None


def page_number(name: str = "page") -> int:
    """``?page=N`` of a paged list: absent means 1; anything but a canonical number from 1 up
    (``01``, ``１``, ``+1``) is a bad request (400), so a page has one URL; a number past the
    end is the caller's 404 (it knows the last page), however many digits it has."""
    raw = request.args.get(name)
    if raw is None:
        return 1
    number = parse_int(raw, maximum=BEYOND_ANY_PAGE)
    if number is not None:
        return number
    if raw and _canonical(raw) and raw != "0":
        return BEYOND_ANY_PAGE  # too many digits to be a page
    abort(400)


class IdConverter(BaseConverter):
    """A number in a URL path (a row id, a revision number, a sitemap part), read by
    :func:`parse_int`: ``/notices/01.html``, ``/notices/١.html`` or an id past ``ID_MAX``
    match no route (404) instead of answering the same page under another URL or failing in
    the database."""

    # Any ASCII digits are this rule's (so "0" and "01" are its 404, not another rule's
    # redirect); parse_int then takes only the canonical ones, within range. Other digits
    # (١, １) are no number at all: no numbered rule matches them.
    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        number = parse_int(value)
        if number is None:
            raise ValidationError
        return number

    def to_url(self, value: int) -> str:
        return str(int(value))

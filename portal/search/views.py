"""``/search``: the search page. A GET form (it changes nothing, so it has no CSRF token, and
its results have a URL one can share); the page is never kept by the page cache (a query is
rarely asked twice, and an editor's page is never kept anyway)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask import Blueprint, abort, make_response, render_template, request

from portal import messages
from portal.posts import queries as posts
from portal.search import folding
from portal.search.queries import Search, Sort, results
from portal.timeutil import from_site_local
from portal.web.params import page_number

bp = Blueprint("search", __name__)

PER_PAGE = 20
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
YEARS = (1900, 2999)  # a date outside is a typing error (and stays far from datetime's limits)


@dataclass
class SearchForm:
    """The search form as typed (shown back as typed), what it means, and what is wrong."""

    q: str = ""
    channel: str = ""
    since: str = ""  # 起始日期, YYYY-MM-DD
    until: str = ""  # 截止日期, inclusive
    sort: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    search: Search | None = None  # None: nothing to search (no terms, or errors)

    @classmethod
    def read(cls, args) -> SearchForm:
        form = cls(**{name: args.get(name, "") for name in ("q", "channel", "since", "until")})
        form.sort = args.get("sort", "")
        form._check()
        return form

    def _check(self) -> None:
        if len(self.q) > folding.QUERY_MAX:
            self.errors["q"] = messages.SEARCH_TOO_LONG.format(
                max=folding.QUERY_MAX, length=len(self.q)
            )
        channel = posts.channel_by_slug(self.channel) if self.channel else None
        if self.channel and channel is None:
            self.errors["channel"] = messages.SEARCH_CHANNEL_UNKNOWN
        since, until = self._date("since"), self._date("until")
        if since and until and since > until:
            self.errors["until"] = messages.SEARCH_DATES_REVERSED
        if self.sort not in ("", *Sort):
            self.errors["sort"] = messages.SEARCH_SORT_UNKNOWN
        terms = folding.terms(self.q)
        if self.errors or not terms:
            return
        self.search = Search(
            tuple(terms),
            channel_id=channel.id if channel else None,
            since=_start_of(since) if since else None,
            before=_start_of(until + timedelta(days=1)) if until else None,
            sort=Sort(self.sort or Sort.RELEVANCE),
        )

    def _date(self, name: str) -> date | None:
        raw = getattr(self, name)
        if not raw:
            return None
        try:
            day = date.fromisoformat(raw) if _DATE.fullmatch(raw) else None
        except ValueError:
            day = None
        if day is None:
            self.errors[name] = messages.SEARCH_DATE_INVALID
        elif not YEARS[0] <= day.year <= YEARS[1]:
            self.errors[name] = messages.SEARCH_DATE_RANGE.format(first=YEARS[0], last=YEARS[1])
            day = None
        return day

    @property
    def args(self) -> dict[str, str]:
        """The query string of this search (for the page links), without empty fields."""
        fields = {"q": self.q, "channel": self.channel, "since": self.since, "until": self.until}
        return {name: value for name, value in {**fields, "sort": self.sort}.items() if value}


def _start_of(day: date) -> datetime:
    """Midnight at the start of ``day`` in the site zone, as UTC."""
    return from_site_local(datetime.combine(day, time()))


@bp.get("/search")
def search():
    form = SearchForm.read(request.args)
    number = page_number()
    found = None
    if form.search is not None:
        found = results(form.search, number, PER_PAGE) or abort(404)
    page = render_template(
        "public/search.html",
        form=form,
        found=found,
        channels=posts.channels(),
        sorts=messages.SEARCH_SORTS,
        query_max=folding.QUERY_MAX,
        per_page=PER_PAGE,
    )
    response = make_response(page, 400 if form.errors else 200)
    # Made for one query: no shared cache keeps it (nor the page cache: it is never marked).
    response.headers["Cache-Control"] = "private, no-cache"
    return response

"""Reading the search index: the public posts that contain every term, a page at a time.

Candidates come from the index (``models``): the posts having every token of every term. A
term of one or two characters is then found exactly; a longer one is checked in the folded
text (``instr``/``strpos``: plain text, never a pattern). Whether a post is public is decided
at query time by ``states.condition`` (THE rule, the one ``Post.is_public`` is made of) on the
document's copy of the post's state and time, so a scheduled post is found from its time on,
with no job; the filters and the order are on the document too, and the count is of the same
rows. Only the page's posts (and their 附件's names) are then read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.posts import queries, states
from portal.posts.models import Post
from portal.posts.states import PostState
from portal.search import folding, highlight, index
from portal.search.models import SearchDocument, fts_candidates, pg_has_tokens


class Sort(StrEnum):
    RELEVANCE = "relevance"  # more terms in the title first, then newest
    NEWEST = "newest"


@dataclass(frozen=True)
class Search:
    terms: tuple[str, ...]  # folded (folding.terms), at least one
    channel_id: int | None = None
    since: datetime | None = None  # published at or after
    before: datetime | None = None  # published before
    sort: Sort = Sort.RELEVANCE


@dataclass(frozen=True)
class Hit:
    post: Post
    title: Markup  # the title with the terms in <mark>
    excerpt: Markup  # the body around the first match, the terms in <mark>


@dataclass(frozen=True)
class Results:
    hits: list[Hit]
    page: queries.Page  # its items are the hits' posts (for the pagination)


# For this transaction only. The planner charges the token function (a millisecond a post) for
# every row it reads, through the GIN index or not (it cannot know that the index's answer needs
# no recheck), so for a word most posts contain it would rather scan the table and compute the
# function for every post: 11 s for 法 at 50,000 posts, against 0.3 s through the index. Nor is
# that cost worth compiling the query for (JIT), which the same estimate would start.
_PG_INDEX_ONLY = sa.text(
    "SELECT set_config('enable_seqscan', 'off', true), set_config('jit', 'off', true)"
)


def results(search: Search, number: int, per_page: int) -> Results | None:
    """Page ``number`` (from 1) of the public posts matching ``search``; None past the end
    (page 1 always exists, empty when nothing matches). Two statements: the page's ids with
    the count of all matches (a window over the same rows), then those posts."""
    page_ids = (
        sa.select(SearchDocument.post_id, sa.func.count().over())
        .where(*_conditions(search))
        .order_by(*_order(search))
        .offset((number - 1) * per_page)
        .limit(per_page)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(_PG_INDEX_ONLY)
    rows = db.session.execute(page_ids).all()
    if not rows:
        return None if number > 1 else Results([], queries.Page([], 1, 1, 0))
    total = rows[0][1]
    ids = [post_id for post_id, _ in rows]
    loaded = db.session.execute(
        sa.select(Post, SearchDocument.body)
        .join(SearchDocument, SearchDocument.post_id == Post.id)
        .where(Post.id.in_(ids))
        .options(joinedload(Post.channel))
    )
    by_id = {post.id: (post, folded) for post, folded in loaded}
    posts = [by_id[post_id][0] for post_id in ids]
    files = index.file_names(ids)
    hits = [_hit(*by_id[post_id], files.get(post_id, ()), search.terms) for post_id in ids]
    return Results(hits, queries.Page(posts, number, max(1, -(-total // per_page)), total))


def _conditions(search: Search) -> list[sa.ColumnElement[bool]]:
    document = SearchDocument
    tokens = set().union(*(folding.term_tokens(term) for term in search.terms))
    indexed: sa.ColumnElement[bool]
    if db.session.get_bind().dialect.name == "sqlite":
        indexed = document.post_id.in_(fts_candidates(tokens))
    else:
        indexed = pg_has_tokens(tokens)
    # THE rule of what is public, applied to the document's copy of the post's state and time.
    where = [indexed, states.condition(document, PostState.PUBLISHED)]
    for term in search.terms:
        if not folding.exact_by_tokens(term):
            where.append(sa.or_(_contains(document.title, term), _contains(document.body, term)))
    if search.channel_id is not None:
        where.append(document.channel_id == search.channel_id)
    if search.since is not None:
        where.append(document.published_at >= search.since)
    if search.before is not None:
        where.append(document.published_at < search.before)
    return where


def _order(search: Search) -> list:
    newest = [SearchDocument.published_at.desc(), SearchDocument.post_id.desc()]
    if search.sort is Sort.NEWEST:
        return newest
    # Relevance: the more terms in the title, the higher; then the newest. (Read from the short
    # titles only, so ranking costs little however many posts match.)
    in_title = [
        sa.case((_contains(SearchDocument.title, term), 1), else_=0) for term in search.terms
    ]
    return [sum(in_title[1:], in_title[0]).desc(), *newest]


def _contains(column, term: str) -> sa.ColumnElement[bool]:
    """``term`` is in ``column``, as plain text (no LIKE pattern, no escaping to get wrong)."""
    position = "instr" if db.session.get_bind().dialect.name == "sqlite" else "strpos"
    return getattr(sa.func, position)(column, term) > 0


def _hit(post: Post, folded_body: str, file_names: Iterable[str], terms: tuple[str, ...]) -> Hit:
    text = index.searched_text(post.body_html, file_names)
    return Hit(
        post,
        highlight.marked(post.title, terms),
        highlight.excerpt(text, terms, folded=folded_body),
    )

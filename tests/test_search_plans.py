"""The search is served by its index, not a scan: with a few thousand posts of varied text,
every statement a search page sends is EXPLAINed on the engine under test. The documents are
reached through the token index (SQLite's FTS5 table, PostgreSQL's GIN index), never scanned,
and the posts by their ids; only the matches are sorted. And a search page sends the same
small number of statements for a small site and a larger one."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
import sqlalchemy as sa
from support import statements_on
from test_query_plans import queries_on

from portal.extensions import db
from portal.posts import service
from portal.posts.content import PostContent
from portal.posts.service import ImportedPost
from portal.posts.states import PostState
from portal.timeutil import now_utc

# Rare words, each put in about 2 % of the posts (the text around them is random characters of
# a block that has none of theirs), so that the index is the planner's right choice.
RARE = ["网购", "鑫", "民法典", "宪法", "宣传", "劳动合同", "律师", "调解"]
FILLER = [chr(code) for code in range(0x9000, 0x9400)]
SEARCHES = [
    {"q": "网购"},  # two characters: one token, exact
    {"q": "鑫"},  # one character
    {"q": "民法典"},  # longer: its bigrams, then checked
    {"q": "宪法 宣传"},  # several terms
    {"q": "劳动合同", "sort": "newest"},
    {"q": "律师", "channel": "news"},
    {"q": "调解", "since": "2020-01-01", "until": "2030-12-31"},
]


def fill(app, make_channel, posts: int) -> None:
    """``posts`` more posts of varied text through the bulk import (which indexes them), a
    few of them drafts, scheduled or in the trash; then statistics, as ANALYZE keeps them."""
    rng = random.Random(posts)
    channels = [make_channel(slug).id for slug in ("notices", "news", "law")]
    now = now_utc()

    def text(length: int) -> str:
        words = ["".join(rng.choices(FILLER, k=4)) for _ in range(length)]
        words += [word for word in RARE if rng.random() < 0.02]
        rng.shuffle(words)
        return "，".join(words)

    def item(n: int) -> ImportedPost:
        kind = n % 20
        content = PostContent.from_raw_body(
            f"<p>{text(40)}。</p>", title=text(3), channel_id=channels[n % len(channels)]
        )
        later = now + timedelta(days=3) if kind == 7 else now - timedelta(hours=n)
        return ImportedPost(
            content,
            status=PostState.DRAFT if kind == 3 else PostState.PUBLISHED,
            published_at=later,
            created_at=now - timedelta(hours=n),
            trashed_at=now if kind == 11 else None,
        )

    with app.app_context():
        service.import_posts(item(n) for n in range(posts))
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()


def plan_of(app, statement: str, parameters) -> list[str]:
    with app.app_context():
        connection = db.session.connection()
        if connection.dialect.name == "sqlite":
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            plan = [row[-1] for row in rows]
        else:
            rows = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)
            plan = [row[0] for row in rows]
        db.session.rollback()
    return plan


def scans(plan: list[str]) -> list[str]:
    """Steps that read a whole table of posts or documents."""
    return [
        step
        for step in plan
        if any(
            step.lstrip(" ->").startswith(scan)
            for scan in ("SCAN post", "SCAN search_document", "Seq Scan on post")
        )
        or "Seq Scan on search_document" in step
    ]


def test_every_search_statement_is_served_by_the_index(app, client, make_channel):
    fill(app, make_channel, 3000)
    engine_index = (
        "VIRTUAL TABLE INDEX"
        if "sqlite" in str(app.config["SQLALCHEMY_DATABASE_URI"])
        else "ix_search_document_tokens"
    )
    for search in SEARCHES:
        with queries_on(app) as seen:
            response = client.get("/search", query_string=search)
        assert response.status_code == 200, search
        # The page's ids and the count of all matches come from one statement, through the index.
        ((statement, parameters),) = [(sql, params) for sql, params in seen if " OVER " in sql]
        assert any(engine_index in step for step in plan_of(app, statement, parameters)), search
        for statement, parameters in seen:
            if " post" in statement or "search_document" in statement:
                plan = plan_of(app, statement, parameters)
                assert scans(plan) == [], (search, plan)


@pytest.mark.parametrize("q", ["网购", "宪法 宣传", "民法典"])
def test_a_search_page_sends_as_many_statements_for_a_small_site_as_for_a_larger_one(
    app, client, make_channel, make_post, q
):
    def count() -> int:
        client.get("/search", query_string={"q": q})  # warm: the same work each time
        with statements_on(app) as statements:
            assert client.get("/search", query_string={"q": q}).status_code == 200
        return len(statements)

    make_post("宪法宣传：网购与民法典")  # at least one match, whatever the random text has
    fill(app, make_channel, 40)
    small = count()
    fill(app, make_channel, 800)
    assert count() == small
    # PostgreSQL: one more, the search's planner settings for its transaction (search.queries).
    assert small <= (9 if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql") else 8)

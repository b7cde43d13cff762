"""Nothing unapproved is ever public: a post in every state, and a live post's pending edit, all
made through the write path, then looked for in every public place — home, channel lists, the
sidebar, the article and its previous/next links, every feed, the sitemap and site search. On
both databases (the ``app`` fixture runs each test on each backend)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from page import page

from portal.extensions import db
from portal.posts import service, workflow
from portal.posts.content import PostContent
from portal.posts.models import Channel, Post, User
from portal.posts.states import PostAction, PostState
from portal.timeutil import now_utc

# A title per case, each with its own mark (so one is never found inside another).
TITLES = {
    "draft": "草稿甲一号通知",
    "submitted": "待审乙二号通知",
    "signoff": "待签丙三号通知",
    "returned": "退回丁四号通知",
    "scheduled": "定时戊五号通知",
    "trash": "回收己六号通知",
    "pending_edit": "修改庚七号标题",
}
LIVE = "线上辛八号通知"  # the live text of the post whose edit waits
PUBLIC = ("公开壬九号通知", "公开癸十号通知")  # before and after every hidden one, in time


def _content(channel: Channel, title: str) -> PostContent:
    return PostContent.from_raw_body(f"<p>{title}的正文。</p>", title=title, channel_id=channel.id)


@pytest.fixture
def site(app, make_channel, make_editor):
    """One post per case, in 信息公告 (the sidebar's channel), between two public posts."""
    make_editor("reviewer")
    make_channel("notices", name="信息公告", review_steps=2)
    with app.app_context():
        editor = db.session.query(User).one()
        notices = db.session.query(Channel).one()
        now = now_utc()

        def make(title, action, minutes, **extra):
            at = extra.pop("published_at", now - timedelta(minutes=minutes))
            return service.create(
                _content(notices, title), action=action, published_at=at, editor=editor
            )

        ids = {"first": make(PUBLIC[0], PostAction.PUBLISH, 60).id}
        ids["draft"] = make(TITLES["draft"], PostAction.DRAFT, 50).id
        ids["submitted"] = make(TITLES["submitted"], PostAction.SUBMIT, 49).id
        signoff = make(TITLES["signoff"], PostAction.SUBMIT, 48)
        service.review(signoff, PostAction.APPROVE, editor=editor, expected_version=1)
        returned = make(TITLES["returned"], PostAction.SUBMIT, 47)
        service.review(
            returned, PostAction.RETURN, editor=editor, expected_version=1, comment="请修改"
        )
        later = now + timedelta(days=3)
        ids["scheduled"] = make(TITLES["scheduled"], PostAction.PUBLISH, 0, published_at=later).id
        trashed = make(TITLES["trash"], PostAction.PUBLISH, 46)
        service.trash(trashed, editor=editor)
        live = make(LIVE, PostAction.PUBLISH, 45)
        service.propose(
            live,
            _content(notices, TITLES["pending_edit"]),
            action=PostAction.SUBMIT,
            published_at=None,
            expected_version=live.version,
            editor=editor,
        )
        ids |= {"signoff": signoff.id, "returned": returned.id, "trash": trashed.id}
        ids |= {"live": live.id, "last": make(PUBLIC[1], PostAction.PUBLISH, 40).id}
        states = {key: db.session.get(Post, post_id).state for key, post_id in ids.items()}
    assert states["signoff"] is PostState.SIGNOFF
    assert states["returned"] is PostState.RETURNED
    assert states["live"] is PostState.PUBLISHED
    return ids


def public_pages(client, ids) -> dict[str, str]:
    """Every public place, by name, as a reader gets it."""
    pages = {
        "home (and its sidebar)": page(client.get("/")).text,
        "channel list": page(client.get("/notices/")).text,
        "previous/next of the public posts": " ".join(
            page(client.get(f"/notices/{ids[key]}.html")).text for key in ("first", "live", "last")
        ),
        "sitemap": client.get("/sitemap-posts-1.xml").get_data(as_text=True),
    }
    for feed in ("all.rss", "all.atom", "notices.rss", "notices.atom"):
        pages[f"feed {feed}"] = client.get(f"/feeds/{feed}").get_data(as_text=True)
    return pages


def test_only_approved_posts_are_anywhere_public(client, site):
    pages = public_pages(client, site)
    for where, text in pages.items():
        for case, title in TITLES.items():
            assert title not in text, f"{case} {title!r} is public in {where}"
        if where != "sitemap":
            assert LIVE in text, where  # the live text stays while its edit waits
    for case in ("draft", "submitted", "signoff", "returned", "scheduled", "trash"):
        assert client.get(f"/notices/{site[case]}.html").status_code == 404, case
        assert f"/notices/{site[case]}.html" not in pages["sitemap"], case
    assert f"/notices/{site['live']}.html" in pages["sitemap"]


@pytest.mark.parametrize("case", sorted(TITLES))
@pytest.mark.usefixtures("site")
def test_site_search_finds_no_unapproved_text(client, case):
    assert "找到 0 条" in page(client.get("/search", query_string={"q": TITLES[case]})).text
    # The search itself works: the live text is found by its title.
    assert "找到 1 条" in page(client.get("/search", query_string={"q": LIVE})).text


def test_an_approved_edit_replaces_the_live_text_everywhere(app, client, site):
    with app.app_context():
        live = db.session.get(Post, site["live"])
        editor = db.session.query(User).one()
        editor.role = "admin"  # who may take both steps
        pending = workflow.open_pending(live)
        for _step in range(2):  # 信息公告 has two steps: 初审, then 终审
            service.review(
                live,
                PostAction.APPROVE,
                editor=editor,
                expected_version=live.version,
                pending=pending,
            )
            pending = workflow.open_pending(live)
    pages = public_pages(client, site)
    for where, text in pages.items():
        if where != "sitemap":
            assert TITLES["pending_edit"] in text, where
            assert LIVE not in text, where
    found = page(client.get("/search", query_string={"q": TITLES["pending_edit"]})).text
    assert "找到 1 条" in found
    assert "找到 0 条" in page(client.get("/search", query_string={"q": LIVE})).text

"""栏目管理: administrators list, create, edit, reorder, hide and delete channels in the web UI
(and from the command line); a new slug keeps every old URL working (301); a channel with posts
is deleted only after they move; the update rule is what the dashboard warns with."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from page import page
from support import csrf_token, form_fields, press

from portal.extensions import db
from portal.posts.models import Channel, Post, Revision
from portal.timeutil import now_utc

CHANNELS = "/editor/admin/channels"


def channel_form(**changes) -> dict:
    return {
        "name": "政策文件",
        "slug": "policies",
        "column_type": "政策文件",
        "description": "本单位发布的规范性文件。",
        "keywords": "政策,文件",
        "position": "",
        "in_nav": "y",
        "update_days": "",
        "review_steps": "",
    } | changes


def create(client, **changes):
    form = client.get(f"{CHANNELS}/new")
    return client.post(
        f"{CHANNELS}/new", data=channel_form(**changes) | {"csrf_token": csrf_token(form)}
    )


def edit(client, channel_id: int, **changes):
    url = f"{CHANNELS}/{channel_id}/edit"
    return client.post(url, data=form_fields(client.get(url)) | changes)


def channel_named(app, slug: str) -> Channel | None:
    with app.app_context():
        channel = db.session.scalar(sa.select(Channel).where(Channel.slug == slug))
        if channel is not None:
            db.session.expunge(channel)
        return channel


def nav_names(client) -> list[str]:
    nav = page(client.get("/")).one("nav", **{"aria-label": "栏目导航"})
    return [" ".join(item.text.split()) for item in nav.children[0].children if item.tag == "li"]


def test_an_admin_creates_a_channel_that_readers_see(app, admin_client, client):
    response = create(admin_client)
    assert response.status_code == 302
    assert "栏目“政策文件”已创建" in page(admin_client.get(response.headers["Location"])).text
    channel = channel_named(app, "policies")
    assert (channel.name, channel.column_type, channel.description) == (
        "政策文件",
        "政策文件",
        "本单位发布的规范性文件。",
    )
    assert channel.update_rule == 180  # six months, from 政策文件
    assert client.get("/policies/").status_code == 200
    assert "政策文件" in page(client.get("/")).text  # in the navigation at once


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"name": "  "}, "请填写栏目名称"),
        ({"slug": "政策"}, "栏目地址只能用英文字母"),
        ({"slug": "feeds"}, "是网站保留的地址"),
        ({"slug": "notices"}, "已有栏目使用地址“notices”"),
        ({"column_type": "随便"}, "请从列表中选择栏目类别"),
        ({"update_days": "0"}, "请填写 1 到 3650 之间的整数"),
        ({"update_days": "１４"}, "请填写 1 到 3650 之间的整数"),
        ({"position": "-1"}, "请填写 0 到 9999 之间的整数"),
        ({"review_steps": "3"}, "审核级数只能是"),
        ({"description": "长" * 501}, "不能超过 500 个字符"),
    ],
)
def test_a_bad_channel_form_comes_back_as_typed(app, admin_client, make_channel, changes, error):
    make_channel("notices")
    response = create(admin_client, **changes)
    assert response.status_code == 400
    assert error in page(response).text
    kept = form_fields(response)
    for name, value in changes.items():
        if name not in ("column_type", "review_steps"):  # a select shows only its options
            assert kept[name] == value
    assert channel_named(app, "policies") is None


def test_editing_a_channel_changes_every_page_at_once(admin_client, client, make_post):
    post = make_post(channel="notices")
    assert "Notices" in page(client.get("/")).text  # cached now
    assert edit(admin_client, post.channel_id, name="通知公告栏").status_code == 302
    assert "通知公告栏" in page(client.get("/")).text
    assert "通知公告栏" in page(client.get(f"/notices/{post.id}.html")).text


def test_a_new_slug_keeps_every_old_url_working(admin_client, client, make_post):
    post = make_post(channel="news")
    response = edit(admin_client, post.channel_id, slug="work-news")
    assert response.status_code == 302
    assert "旧地址会自动跳转到新地址" in page(admin_client.get(response.headers["Location"])).text
    for old, new in [
        ("/news/?page=1", "/work-news/?page=1"),
        (f"/news/{post.id}.html", f"/work-news/{post.id}.html"),
        ("/feeds/news.rss", "/feeds/work-news.rss"),
        ("/feeds/news.atom", "/feeds/work-news.atom"),
    ]:
        moved = client.get(old)
        assert moved.status_code == 301, old
        assert moved.headers["Location"] == new
        assert client.get(new).status_code == 200
    # A second rename: the first slug still leads to the current one.
    edit(admin_client, post.channel_id, slug="updates")
    assert client.get("/news/").headers["Location"] == "/updates/"
    assert client.get("/work-news/").headers["Location"] == "/updates/"
    # Back to a slug it had: no redirect loop, the page itself.
    edit(admin_client, post.channel_id, slug="news")
    assert client.get("/news/").status_code == 200
    assert client.get("/updates/").headers["Location"] == "/news/"


def test_an_old_slug_taken_by_a_new_channel_is_that_channels(admin_client, client, make_channel):
    old = make_channel("news", name="旧动态", column_type="工作动态")
    edit(admin_client, old.id, slug="old-news")
    assert create(admin_client, slug="news", name="新动态").status_code == 302
    assert client.get("/news/").status_code == 200
    assert "新动态" in page(client.get("/news/")).text


def test_channels_are_reordered_up_and_down(admin_client, client, make_channel):
    for slug, name in [("a", "甲栏目"), ("b", "乙栏目"), ("c", "丙栏目")]:
        make_channel(slug, name=name, column_type="工作动态")
    c = make_channel("c")
    token = csrf_token(admin_client.get(CHANNELS))
    assert (
        admin_client.post(
            f"{CHANNELS}/{c.id}/move", data={"csrf_token": token, "direction": "up"}
        ).status_code
        == 302
    )
    assert nav_names(client)[1:] == ["甲栏目", "丙栏目", "乙栏目"]
    assert (
        admin_client.post(
            f"{CHANNELS}/{c.id}/move", data={"csrf_token": token, "direction": "sideways"}
        ).status_code
        == 400
    )


def test_a_hidden_channel_leaves_the_navigation_and_home_but_its_pages_stay(
    admin_client, client, make_post
):
    post = make_post("隐藏栏目里的文章", channel="news")
    token = csrf_token(admin_client.get(CHANNELS))
    hidden = admin_client.post(
        f"{CHANNELS}/{post.channel_id}/visibility", data={"csrf_token": token, "shown": "0"}
    )
    assert hidden.status_code == 302
    assert "News" not in nav_names(client)
    assert "隐藏栏目里的文章" not in page(client.get("/")).text
    assert client.get("/news/").status_code == 200
    assert client.get(f"/news/{post.id}.html").status_code == 200
    admin_client.post(
        f"{CHANNELS}/{post.channel_id}/visibility", data={"csrf_token": token, "shown": "1"}
    )
    assert "News" in nav_names(client)


def test_an_empty_channel_is_deleted_once_confirmed(app, admin_client, make_channel):
    empty = make_channel("empty", name="空栏目", column_type="其他")
    url = f"{CHANNELS}/{empty.id}/delete"
    confirm = admin_client.get(url)
    assert "没有文章" in page(confirm).text
    assert channel_named(app, "empty") is not None  # GET deletes nothing
    assert admin_client.post(url, data=form_fields(confirm)).status_code == 302
    assert channel_named(app, "empty") is None


def test_a_channel_with_posts_moves_them_first_the_confirmation_saying_how_many(
    app, admin_client, client, make_channel, make_post
):
    target = make_channel("notices", name="信息公告")
    doomed = make_channel("old", name="旧栏目", column_type="工作动态")
    posts = [make_post(f"旧文{n}", channel="old") for n in range(3)]
    make_post("回收站里的旧文", channel="old", trashed_at=now_utc() - timedelta(minutes=1))
    url = f"{CHANNELS}/{doomed.id}/delete"
    confirm = admin_client.get(url)
    assert "有 4 篇文章" in page(confirm).text
    fields = form_fields(confirm)

    unconfirmed = admin_client.post(url, data=fields | {"target": str(target.id)})
    assert unconfirmed.status_code == 400
    assert "请勾选确认" in page(unconfirmed).text
    make_post("刚写的旧文", channel="old")  # the count changes under the confirmation
    stale = admin_client.post(url, data=fields | {"target": str(target.id), "confirm": "y"})
    assert stale.status_code == 400
    assert "现在 5 篇" in page(stale).text
    assert channel_named(app, "old") is not None

    done = admin_client.post(
        url, data=form_fields(stale) | {"target": str(target.id), "confirm": "y"}
    )
    assert done.status_code == 302
    assert "已把 5 篇文章移到“信息公告”" in page(admin_client.get(done.headers["Location"])).text
    assert channel_named(app, "old") is None
    with app.app_context():
        assert set(db.session.scalars(sa.select(Post.channel_id))) == {target.id}
        actions = db.session.scalars(
            sa.select(Revision.action).where(Revision.post_id == posts[0].id)
        )
        assert list(actions) == ["move"]
        assert (
            db.session.scalar(sa.select(sa.func.count()).where(Revision.channel_id == doomed.id))
            == 0
        )
    assert client.get(f"/notices/{posts[0].id}.html").status_code == 200
    assert (
        client.get(f"/old/{posts[0].id}.html").headers["Location"] == f"/notices/{posts[0].id}.html"
    )
    assert client.get("/old/").headers["Location"] == "/notices/"


def test_channel_pages_are_for_admins_only(editor_client, make_channel, client):
    channel = make_channel("notices")
    for url in (
        CHANNELS,
        f"{CHANNELS}/new",
        f"{CHANNELS}/{channel.id}/edit",
        f"{CHANNELS}/{channel.id}/delete",
    ):
        refused = editor_client.get(url)
        assert refused.status_code == 403, url
        assert "只有管理员可以管理栏目" in page(refused).text
        assert client.get(url).status_code == 302  # a reader: to the login page
    assert press(editor_client, f"{CHANNELS}/{channel.id}/move").status_code == 403


def test_channel_forms_need_their_csrf_token(app, admin_client, make_channel):
    channel = make_channel("notices")
    assert admin_client.post(f"{CHANNELS}/new", data=channel_form()).status_code == 400
    assert admin_client.post(f"{CHANNELS}/{channel.id}/delete", data={}).status_code == 400
    assert channel_named(app, "notices") is not None
    assert channel_named(app, "policies") is None


def test_unknown_channel_is_404(admin_client):
    assert admin_client.get(f"{CHANNELS}/999999/edit").status_code == 404


@pytest.mark.usefixtures("clock")
def test_the_dashboard_shows_days_since_each_channels_last_public_post(
    editor_client, make_channel, make_post
):
    make_channel("news", name="工作动态栏", column_type="工作动态")
    make_post("三周前的动态", channel="news", published_at=now_utc() - timedelta(days=21))
    make_post("昨天的通知", channel="notices", published_at=now_utc() - timedelta(days=1))
    make_channel("empty", name="空栏目", column_type="其他", update_days=30)
    shown = page(editor_client.get("/editor/")).one("details", id="freshness")
    lines = [" ".join(item.text.split()) for item in shown.children[1].children]
    assert lines[0].startswith("工作动态栏：21 天，已超期（更新周期 14 天")
    assert lines[1].startswith("Notices：1 天（更新周期 180 天")
    assert lines[2].startswith("空栏目：暂无公开文章（更新周期 30 天")
    assert "2 个栏目已超过更新周期" in shown.text


# --- the command line --------------------------------------------------------------------------


def test_create_edit_and_list_channels_from_the_command_line(app, runner, client, make_post):
    made = runner.invoke(
        args=["create-channel", "guides", "--name", "办事指南", "--type", "办事服务"]
    )
    assert made.exit_code == 0, made.output
    assert channel_named(app, "guides").update_rule == 365
    bad = runner.invoke(args=["create-channel", "Bad Slug", "--name", "坏", "--type", "其他"])
    assert bad.exit_code != 0
    assert "栏目地址只能用英文字母" in bad.output
    assert runner.invoke(args=["create-channel", "x", "--name", "缺类别"]).exit_code != 0

    make_post(channel="guides")
    edited = runner.invoke(
        args=[
            "edit-channel",
            "guides",
            "--slug",
            "services",
            "--hidden",
            "--update-days",
            "30",
            "--review-steps",
            "2",
        ]
    )
    assert edited.exit_code == 0, edited.output
    channel = channel_named(app, "services")
    assert (channel.name, channel.in_nav, channel.update_days, channel.review_steps) == (
        "办事指南",
        False,
        30,
        2,
    )
    assert client.get("/guides/").headers["Location"] == "/services/"
    listed = runner.invoke(args=["list-channels"]).output
    assert "services\t办事指南\t办事服务\thidden\t30 days\t2 steps\t1 posts" in listed
    assert runner.invoke(args=["edit-channel", "nope", "--name", "x"]).exit_code != 0
    back = runner.invoke(
        args=["edit-channel", "services", "--update-days", "", "--review-steps", ""]
    )
    assert back.exit_code == 0, back.output
    assert channel_named(app, "services").update_days is None


def test_the_sidebar_follows_its_channel_through_a_new_slug(admin_client, client, make_post):
    post = make_post("侧栏里的公告", channel="notices")
    edit(admin_client, post.channel_id, slug="gonggao")
    sidebar = page(client.get("/")).one("aside")
    assert "侧栏里的公告" in sidebar.text

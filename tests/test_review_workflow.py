"""先审后发 through the editor as its users meet it: an author submits, a reviewer approves or
returns with a comment, two steps need two people, a live post's edit waits while the live text
stays, and every step is recorded. Buttons follow the role; a role that may not act gets a
Chinese 403 (the post form comes back as typed)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from page import page
from support import NEW_POST, edit_url, form_fields, post_id_of, press, submit, write_post

from portal.extensions import db
from portal.posts.models import Channel, Post, User
from portal.posts.review_models import PendingRevision, ReviewStep


@pytest.fixture
def notices(make_channel):
    return make_channel("notices", name="信息公告")


@pytest.fixture
def author(make_editor_client):
    return make_editor_client("author", role="author", display_name="撰稿甲")


@pytest.fixture
def reviewer(make_editor_client):
    return make_editor_client("reviewer", display_name="审核乙")  # the default role


def buttons(response) -> set[str]:
    """The values of the post form's save buttons."""
    return {
        b.attrs.get("value", "")
        for b in page(response).all("button")
        if b.attrs.get("name") == "action"
    }


def review(client, post_id: int, step: str, **changes):
    """Open the post's review page as a reviewer would and press 审核通过 or 退回修改."""
    shown = client.get(f"/editor/review/posts/{post_id}")
    assert shown.status_code == 200, shown.status_code
    return client.post(f"/editor/review/posts/{post_id}/{step}", data=form_fields(shown) | changes)


def stored(app, post_id: int) -> Post:
    with app.app_context():
        post = db.session.get(Post, post_id)
        db.session.expunge(post)
        return post


def steps(app, post_id: int) -> list[tuple[str, str, str, str, str]]:
    """(actor, action, from, to, comment) of each review step, oldest first."""
    with app.app_context():
        rows = db.session.execute(
            sa.select(User.username, ReviewStep.action, ReviewStep.from_state)
            .add_columns(ReviewStep.to_state, ReviewStep.comment)
            .join(User, User.id == ReviewStep.actor_id)
            .where(ReviewStep.post_id == post_id)
            .order_by(ReviewStep.id)
        )
        return [tuple(row) for row in rows]


@pytest.mark.usefixtures("notices")
def test_an_author_is_offered_submit_and_never_publish(author):
    assert buttons(author.get(NEW_POST)) == {"draft", "preview", "submit"}
    text = page(author.get(NEW_POST)).text
    assert "先审后发" in text


def test_an_author_pressing_publish_gets_a_403_with_the_text_kept(app, author, notices):
    response = write_post(author, notices, "publish", title="作者想直接发布的通知")
    assert response.status_code == 403
    assert form_fields(response)["title"] == "作者想直接发布的通知"
    assert "不能在这个栏目直接发布" in page(response).text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == 0


def test_submitted_then_approved_it_is_public(app, author, reviewer, client, notices):
    edit = edit_url(write_post(author, notices, "submit", title="关于开展普法讲座的通知"))
    post_id = post_id_of(edit)
    assert "已提交审核" in page(author.get(edit)).text
    assert client.get(f"/notices/{post_id}.html").status_code == 404
    assert "待我审核：1 篇" in page(reviewer.get("/editor/")).text
    assert "关于开展普法讲座的通知" in page(reviewer.get("/editor/review/")).text

    approved = review(reviewer, post_id, "approve")
    assert approved.status_code == 302
    assert "审核通过，已发布" in page(reviewer.get(approved.headers["Location"])).text
    assert client.get(f"/notices/{post_id}.html").status_code == 200
    assert "关于开展普法讲座的通知" in client.get("/feeds/notices.atom").get_data(as_text=True)
    assert steps(app, post_id) == [
        ("author", "submit", "", "submitted", ""),
        ("reviewer", "approve", "submitted", "published", ""),
    ]


def test_a_return_needs_a_comment_which_the_author_sees(app, author, reviewer, client, notices):
    post_id = post_id_of(edit_url(write_post(author, notices, "submit", title="初稿")))
    empty = review(reviewer, post_id, "return", comment="  ")
    assert empty.status_code == 400
    assert "退回时必须填写意见" in page(empty).text
    assert stored(app, post_id).status == "submitted"

    returned = review(reviewer, post_id, "return", comment="请补充讲座的时间和地点。")
    assert returned.status_code == 302
    assert stored(app, post_id).status == "returned"
    dashboard = page(author.get("/editor/")).text
    assert "退回给我修改的" in dashboard
    assert "请补充讲座的时间和地点。" in dashboard
    form = author.get(f"/editor/posts/{post_id}/edit")
    assert "请补充讲座的时间和地点。" in page(form).text

    resubmitted = submit(
        author, f"/editor/posts/{post_id}/edit", "submit", body="<p>周五下午三点，三楼会议室。</p>"
    )
    assert resubmitted.status_code == 302
    assert "请补充讲座的时间和地点。" not in page(author.get("/editor/")).text
    assert review(reviewer, post_id, "approve").status_code == 302
    assert "三楼会议室" in client.get(f"/notices/{post_id}.html").get_data(as_text=True)
    assert [step[1:4] for step in steps(app, post_id)] == [
        ("submit", "", "submitted"),
        ("return", "submitted", "returned"),
        ("submit", "returned", "submitted"),
        ("approve", "submitted", "published"),
    ]
    assert steps(app, post_id)[1][4] == "请补充讲座的时间和地点。"


def test_two_steps_need_two_people(app, make_channel, make_editor_client, author, client):
    news = make_channel("news", name="普法动态", column_type="工作动态", review_steps=2)
    first = make_editor_client("first", display_name="初审人")
    second = make_editor_client("second", display_name="终审人")
    post_id = post_id_of(edit_url(write_post(author, news, "submit", title="两级审核的稿件")))

    assert review(first, post_id, "approve").status_code == 302
    assert stored(app, post_id).status == "signoff"
    assert client.get(f"/news/{post_id}.html").status_code == 404
    shown = first.get(f"/editor/review/posts/{post_id}")
    assert "终审通过" not in page(shown).text  # the 初审's reviewer is not offered the 终审
    again = first.post(f"/editor/review/posts/{post_id}/approve", data=form_fields(shown))
    assert again.status_code == 403
    assert "初审与终审（签发）须由两人分别完成" in page(again).text
    assert "两级审核的稿件" not in page(first.get("/editor/review/")).text

    assert review(second, post_id, "approve").status_code == 302
    assert stored(app, post_id).status == "published"
    assert client.get(f"/news/{post_id}.html").status_code == 200
    assert [step[:4] for step in steps(app, post_id)][1:] == [
        ("first", "approve", "submitted", "signoff"),
        ("second", "approve", "signoff", "published"),
    ]


def test_a_live_post_edited_by_its_author_stays_live_until_approved(
    app, author, reviewer, client, notices
):
    post_id = post_id_of(
        edit_url(write_post(author, notices, "submit", title="原标题", body="<p>原来的正文。</p>"))
    )
    review(reviewer, post_id, "approve")
    url = f"/editor/posts/{post_id}/edit"
    assert buttons(author.get(url)) == {"draft", "preview", "submit"}

    edited = submit(author, url, "submit", title="新标题", body="<p>修改后的正文。</p>")
    assert edited.status_code == 302
    article = client.get(f"/notices/{post_id}.html").get_data(as_text=True)
    assert "原标题" in article
    assert "原来的正文" in article
    assert "新标题" not in article
    assert "新标题" not in client.get("/feeds/all.atom").get_data(as_text=True)
    assert stored(app, post_id).title == "原标题"
    reopened = author.get(url)  # the author goes on with the edit, not the live text
    assert form_fields(reopened)["title"] == "新标题"
    assert "修改稿" in page(reopened).text

    diff = page(reviewer.get(f"/editor/review/posts/{post_id}"))
    assert [d.text for d in diff.all("del")][:1] == ["原标题"]
    assert "新标题" in [i.text for i in diff.all("ins")]
    assert "修改后" in " ".join(i.text for i in diff.all("ins"))
    assert review(reviewer, post_id, "approve").status_code == 302
    article = client.get(f"/notices/{post_id}.html").get_data(as_text=True)
    assert "新标题" in article
    assert "修改后的正文" in article
    with app.app_context():
        stages = db.session.scalars(
            sa.select(PendingRevision.stage).where(PendingRevision.post_id == post_id)
        )
        assert list(stages) == ["approved"]


def test_a_returned_edit_keeps_the_live_text_and_its_comment_reaches_the_author(
    author, reviewer, client, notices
):
    post_id = post_id_of(edit_url(write_post(author, notices, "submit", title="线上的标题")))
    review(reviewer, post_id, "approve")
    submit(author, f"/editor/posts/{post_id}/edit", "submit", title="有问题的修改")
    assert review(reviewer, post_id, "return", comment="标题不准确").status_code == 302
    assert "线上的标题" in client.get(f"/notices/{post_id}.html").get_data(as_text=True)
    dashboard = page(author.get("/editor/")).text
    assert "有问题的修改（修改稿）" in dashboard
    assert "标题不准确" in dashboard
    form = author.get(f"/editor/posts/{post_id}/edit")
    assert form_fields(form)["title"] == "有问题的修改"
    assert "标题不准确" in page(form).text


def test_a_reviewers_own_publish_is_recorded_as_their_approval(app, reviewer, notices, client):
    post_id = post_id_of(edit_url(write_post(reviewer, notices, "publish", title="审核人的稿件")))
    assert client.get(f"/notices/{post_id}.html").status_code == 200
    assert steps(app, post_id) == [("reviewer", "publish", "", "published", "")]


@pytest.mark.parametrize("site_steps", [0, 1])
def test_review_steps_by_site_and_by_channel(
    app, make_editor_client, make_channel, client, site_steps
):
    app.config["REVIEW_STEPS"] = site_steps
    author = make_editor_client("author", role="author")
    strict = make_channel("strict", name="严格栏目", column_type="通知公告", review_steps=1)
    open_ = make_channel("open", name="开放栏目", column_type="工作动态", review_steps=0)
    site = make_channel("site", name="跟随全站", column_type="工作动态")
    assert write_post(author, strict, "publish").status_code == 403
    published = post_id_of(edit_url(write_post(author, open_, "publish", title="直接发布的动态")))
    assert client.get(f"/open/{published}.html").status_code == 200
    followed = write_post(author, site, "publish")
    assert followed.status_code == (302 if site_steps == 0 else 403)


def limit_to(app, username: str, *channels: Channel) -> None:
    """Limit a reviewer to some channels (as 账号管理 does)."""
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == username))
        user.review_channels = [db.session.get(Channel, channel.id) for channel in channels]
        db.session.commit()


def test_a_reviewer_limited_to_a_channel_is_an_author_elsewhere(
    app, make_editor_client, make_channel
):
    notices = make_channel("notices", name="信息公告")
    news = make_channel("news", name="普法动态", column_type="工作动态")
    limited = make_editor_client("limited")
    limit_to(app, "limited", notices)
    assert write_post(limited, notices, "publish").status_code == 302
    refused = write_post(limited, news, "publish", title="别的栏目")
    assert refused.status_code == 403
    assert form_fields(refused)["title"] == "别的栏目"
    assert write_post(limited, news, "submit").status_code == 302


def test_an_author_may_not_touch_others_posts_or_take_a_live_one_down(
    app, author, reviewer, notices
):
    others = post_id_of(edit_url(write_post(reviewer, notices, "publish", title="别人的文章")))
    refused = author.get(f"/editor/posts/{others}/edit")
    assert refused.status_code == 403
    assert "撰稿人只能编辑本人的文章" in page(refused).text
    own = post_id_of(edit_url(write_post(author, notices, "submit", title="我的文章")))
    review(reviewer, own, "approve")
    for step in ("withdraw", "trash"):
        response = press(author, f"/editor/posts/{own}/{step}")
        assert response.status_code == 403, step
        assert "您的账号（撰稿）不能" in page(response).text
    row = next(r for r in page(author.get("/editor/")).all("tr") if "我的文章" in r.text)
    assert "撤回" not in row.text
    assert "移到回收站" not in row.text
    assert stored(app, own).status == "published"
    assert author.get("/editor/review/").status_code == 403


def test_an_approval_of_what_changed_since_it_was_seen_approves_nothing(
    app, author, reviewer, notices, client
):
    post_id = post_id_of(edit_url(write_post(author, notices, "submit", title="第一稿")))
    seen = form_fields(reviewer.get(f"/editor/review/posts/{post_id}"))
    submit(author, f"/editor/posts/{post_id}/edit", "submit", title="作者又改过的稿子")
    response = reviewer.post(f"/editor/review/posts/{post_id}/approve", data=seen)
    assert response.status_code == 302
    assert "待审核的内容刚刚有了变化" in page(reviewer.get(response.headers["Location"])).text
    assert stored(app, post_id).status == "submitted"
    assert client.get(f"/notices/{post_id}.html").status_code == 404


def test_review_pages_need_a_reviewer_and_csrf(app, author, reviewer, notices, client):
    post_id = post_id_of(edit_url(write_post(author, notices, "submit")))
    assert author.get(f"/editor/review/posts/{post_id}").status_code == 403
    assert client.get(f"/editor/review/posts/{post_id}").status_code == 302  # to the login
    forged = reviewer.post(f"/editor/review/posts/{post_id}/approve", data={"version": "1"})
    assert forged.status_code == 400
    assert stored(app, post_id).status == "submitted"
    assert reviewer.get("/editor/review/posts/999999").status_code == 404


def test_an_author_is_not_offered_to_restore_an_old_version_of_a_live_post(
    author, reviewer, notices
):
    post_id = post_id_of(edit_url(write_post(author, notices, "submit", title="第一版")))
    review(reviewer, post_id, "approve")
    listing = page(author.get(f"/editor/posts/{post_id}/revisions")).text
    assert "恢复此版本" not in listing
    assert press(author, f"/editor/posts/{post_id}/revisions/1/restore").status_code == 403
    assert "恢复此版本" in page(reviewer.get(f"/editor/posts/{post_id}/revisions")).text


def test_a_post_deleted_forever_takes_its_review_with_it(
    app, author, reviewer, admin_client, notices
):
    post_id = post_id_of(edit_url(write_post(author, notices, "submit", title="将被删除")))
    review(reviewer, post_id, "approve")
    submit(author, f"/editor/posts/{post_id}/edit", "submit", title="删除前的修改稿")
    for step in ("trash", "delete"):
        assert press(admin_client, f"/editor/posts/{post_id}/{step}").status_code == 302
    with app.app_context():
        for table in (ReviewStep, PendingRevision):
            assert db.session.scalar(sa.select(sa.func.count()).select_from(table)) == 0
    assert "删除前的修改稿" not in page(reviewer.get("/editor/review/")).text

"""The write path: ``portal.posts.service`` and its ``post_changed`` signal.

Each change is one transaction with one new revision, refused as a whole when the post moved
on (optimistic version), and announced once, after the commit, to every listener."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.posts import queries, service
from portal.posts.content import PostContent
from portal.posts.models import Post, Revision
from portal.posts.signals import post_changed
from portal.posts.states import PostAction, PostState
from portal.timeutil import now_utc


@pytest.fixture
def changes(app):
    """Every ``post_changed`` sent while the test runs: (action, post id, committed?)."""
    seen: list[tuple[PostAction, int, bool]] = []

    def receive(sender, *, post, action):
        assert sender is app
        # Another connection sees the change only once it is committed.
        with db.engine.connect() as other:
            committed = other.execute(
                sa.select(sa.func.count()).select_from(Post).where(Post.id == post.id)
            ).scalar_one()
        seen.append((action, post.id, bool(committed) == (action is not PostAction.DELETE)))

    post_changed.connect(receive)
    yield seen
    post_changed.disconnect(receive)


def content(channel_id: int, **changes) -> PostContent:
    every_field = PostContent.from_raw_body(
        '<p style="text-align:center" onclick="x()">正文</p>',
        title="关于开展宪法宣传周活动的通知",
        channel_id=channel_id,
        source="市司法局",
        author="李明",
        keywords="宪法,普法",
        image_url="https://pf.example.gov.cn/images/title.jpg",
        summary="摘要",
        pinned=True,
    )
    return replace(every_field, **changes)


def revisions(post_id: int) -> list[Revision]:
    return list(
        db.session.scalars(
            sa.select(Revision).where(Revision.post_id == post_id).order_by(Revision.number)
        )
    )


def test_create_stores_every_content_field_in_the_post_and_its_first_revision(
    app, make_channel, make_editor, changes
):
    channel, editor = make_channel(), make_editor()
    with app.app_context():
        typed = content(channel.id)
        assert typed.removed  # the onclick went: cleaning happened
        post = service.create(typed, action=PostAction.PUBLISH, published_at=None, editor=editor)
        assert post.state is PostState.PUBLISHED
        assert post.published_at == post.created_at == post.updated_at
        assert PostContent.of(post, body_raw=typed.body_raw) == replace(typed, removed=())
        (first,) = revisions(post.id)
        assert PostContent.of(first) == typed  # every field, the raw body and the report
        assert (first.number, first.action, first.editor_id) == (1, "publish", editor.id)
        assert changes == [(PostAction.PUBLISH, post.id, True)]


def test_every_content_field_is_a_column_of_both_tables():
    names = {f.name for f in fields(PostContent)}
    post_columns = set(Post.__table__.columns.keys())
    revision_columns = set(Revision.__table__.columns.keys())
    linked = {"attachments"}  # rows of portal.attachments, linked to each revision
    assert names - {"body_raw", "removed"} - linked <= post_columns
    assert names - linked <= revision_columns


def test_a_save_at_an_old_version_changes_nothing_and_signals_nothing(app, make_channel, changes):
    channel = make_channel()
    with app.app_context():
        post = service.create(
            content(channel.id), action=PostAction.DRAFT, published_at=None, editor=None
        )

        def save_at_version_1(title, action):
            edited = content(channel.id, title=title)
            options = {"published_at": None, "expected_version": 1, "editor": None}
            service.save(post, edited, action=action, **options)

        save_at_version_1("第二版", PostAction.DRAFT)
        with pytest.raises(service.StaleVersion):
            save_at_version_1("基于第一版的修改", PostAction.PUBLISH)
        db.session.expire_all()
        assert (db.session.get(Post, post.id).title, post.version) == ("第二版", 2)
        assert [r.title for r in revisions(post.id)] == ["关于开展宪法宣传周活动的通知", "第二版"]
        assert [action for action, _id, _committed in changes] == [PostAction.DRAFT] * 2


@pytest.mark.usefixtures("clock")
def test_state_changes_keep_the_content_and_the_last_raw_body(app, make_channel, changes):
    channel = make_channel()
    with app.app_context():
        typed = content(channel.id)
        later = now_utc() + timedelta(days=1)
        post = service.create(typed, action=PostAction.PUBLISH, published_at=later, editor=None)
        assert post.state is PostState.SCHEDULED
        assert service.withdraw(post, editor=None)
        assert post.state is PostState.DRAFT
        assert not service.withdraw(post, editor=None)  # nothing to withdraw: no revision
        assert service.trash(post, editor=None)
        assert not service.trash(post, editor=None)
        assert post.state is PostState.TRASH
        assert service.restore(post, editor=None)
        assert not service.restore(post, editor=None)
        assert post.state is PostState.DRAFT
        kept = revisions(post.id)
        assert [r.action for r in kept] == ["publish", "withdraw", "trash", "restore"]
        assert {r.body_raw for r in kept} == {typed.body_raw}
        assert {PostContent.of(r).title for r in kept} == {typed.title}
        assert [action for action, _id, committed in changes if committed] == [
            PostAction.PUBLISH,
            PostAction.WITHDRAW,
            PostAction.TRASH,
            PostAction.RESTORE,
        ]


def test_restoring_a_revision_brings_its_content_back_cleaned_by_todays_policy(
    app, make_channel, changes
):
    channel = make_channel()
    with app.app_context():
        post = service.create(
            content(channel.id), action=PostAction.PUBLISH, published_at=None, editor=None
        )
        published_at = post.published_at
        service.save(
            post,
            content(channel.id, title="改过的", keywords="", pinned=False),
            action=PostAction.PUBLISH,
            published_at=published_at,
            expected_version=1,
            editor=None,
        )
        first = revisions(post.id)[0]
        service.restore_revision(post, first, editor=None, site_host=None)
        assert (post.title, post.keywords, post.pinned) == (first.title, "宪法,普法", True)
        assert post.body_html == '<p class="text-center">正文</p>'
        assert (post.state, post.published_at, post.version) == (
            PostState.PUBLISHED,
            published_at,
            3,
        )
        assert revisions(post.id)[-1].action == "restore_revision"
        assert changes[-1][0] is PostAction.RESTORE_REVISION


def test_delete_forever_takes_the_revisions_along_and_is_announced(app, make_channel, changes):
    channel = make_channel()
    with app.app_context():
        post = service.create(
            content(channel.id), action=PostAction.DRAFT, published_at=None, editor=None
        )
        post_id = post.id
        with pytest.raises(ValueError, match="only a post in the trash"):
            service.delete_forever(post, editor=None)
        service.trash(post, editor=None)
        service.delete_forever(post, editor=None)
        assert queries.post(post_id) is None
        assert revisions(post_id) == []
        assert changes[-1] == (PostAction.DELETE, post_id, True)


def test_a_preview_is_never_saved(app, make_channel, changes):
    channel = make_channel()
    with app.app_context():
        shown = service.preview(content(channel.id), post=None, published_at=None)
        assert shown.channel.id == channel.id
        assert shown.is_public
        assert shown not in db.session
        db.session.commit()
        assert queries.post_count() == 0
        assert changes == []

"""Tables and the small domain rules that belong to a row."""

from __future__ import annotations

import secrets
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_login import UserMixin
from markupsafe import Markup
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from portal.extensions import Model
from portal.posts import content as sizes  # the column sizes, shared with the form
from portal.posts import states
from portal.posts.states import PostState
from portal.sanitize import plain_text
from portal.text import summarize
from portal.timeutil import UTCDateTime, now_utc

# How much of a body's HTML a derived summary reads (its text is far longer than a summary).
DESCRIPTION_READ = 64 * 1024

# 栏目类别: the column types of the government website guideline (《政府网站发展指引》).
COLUMN_TYPES = (
    "概况信息",
    "机构职能",
    "负责人信息",
    "工作动态",
    "政策文件",
    "政策解读",
    "通知公告",
    "信息公开指南",
    "信息公开目录",
    "信息公开年报",
    "人事信息",
    "财政信息",
    "规划计划",
    "统计信息",
    "办事服务",
    "互动交流",
    "回应关切",
    "专题专栏",
    "其他",
)


# Paths a channel slug would shadow (/<slug>/) or that name the whole site (/feeds/all.rss).
RESERVED_SLUGS = frozenset({"all", "editor", "feeds", "static", "search", "healthz", "prefs"})

# A channel's update rule (days it may go without a new public post) when it sets none, from
# its 栏目类别, as the national inspection of government websites counts staleness: news-like
# columns two weeks, notices and policies six months, the rest a year.
UPDATE_DAYS_BY_TYPE = {"工作动态": 14, "回应关切": 14, "通知公告": 180, "政策文件": 180}
UPDATE_DAYS_BY_TYPE |= {"政策解读": 180, "专题专栏": 180}
UPDATE_DAYS_DEFAULT = 365

# Account roles (labels: messages.ROLES); what each may do is posts.workflow's to say.
ROLES = ("author", "reviewer", "admin")

# The channels a reviewer is limited to (none: every channel).
user_channel = sa.Table(
    "user_channel",
    Model.metadata,
    sa.Column("user_id", sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("channel_id", sa.ForeignKey("channel.id", ondelete="CASCADE"), primary_key=True),
)


class Channel(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(64))
    description: Mapped[str] = mapped_column(sa.String(500), default="")
    keywords: Mapped[str] = mapped_column(sa.String(200), default="")
    column_type: Mapped[str] = mapped_column(sa.String(32))
    position: Mapped[int] = mapped_column(default=0)
    # Posts listed in the channel once their time comes (published, not in the trash), kept by
    # posts.service in the transaction of each change: a list's page count without counting.
    listed_posts: Mapped[int] = mapped_column(default=0, server_default="0")
    # In the site's navigation and on the home page; a hidden channel's pages stay where they are.
    in_nav: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    update_days: Mapped[int | None]  # its update rule; None: UPDATE_DAYS_BY_TYPE's
    review_steps: Mapped[int | None]  # 先审后发 steps here; None: the site's REVIEW_STEPS

    posts: Mapped[list[Post]] = relationship(back_populates="channel")
    old_slugs: Mapped[list[ChannelSlug]] = relationship(
        back_populates="channel", cascade="all, delete-orphan"
    )

    @property
    def update_rule(self) -> int:
        """Days this channel may go without a new public post (the dashboard's warning)."""
        return self.update_days or UPDATE_DAYS_BY_TYPE.get(self.column_type, UPDATE_DAYS_DEFAULT)

    @validates("column_type")
    def _check_column_type(self, _key, value):
        if value not in COLUMN_TYPES:
            raise ValueError(f"unknown column type {value!r}; one of {', '.join(COLUMN_TYPES)}")
        return value

    @validates("slug")
    def _check_slug(self, _key, value):
        if not value or not value.replace("-", "").isalnum() or not value.isascii():
            raise ValueError(f"a channel slug is ASCII letters, digits and '-': {value!r}")
        if value.lower() in RESERVED_SLUGS:
            raise ValueError(f"the slug {value!r} is reserved")
        return value.lower()


class ChannelSlug(Model):
    """A slug a channel had: its old URLs (list, articles, feeds) redirect to the new ones."""

    slug: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    channel_id: Mapped[int] = mapped_column(
        sa.ForeignKey("channel.id", ondelete="CASCADE"), index=True
    )
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    channel: Mapped[Channel] = relationship(back_populates="old_slugs")


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(64), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    role: Mapped[str] = mapped_column(sa.String(16), default="reviewer", server_default="reviewer")
    active: Mapped[bool] = mapped_column(default=True)
    # Set with an initial password an administrator made: changed at the first login.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of every session's user id (get_id): a new token ends every session at once.
    session_token: Mapped[str] = mapped_column(sa.String(64), default=new_session_token)

    review_channels: Mapped[list[Channel]] = relationship(
        secondary=user_channel, order_by="Channel.position"
    )

    @validates("role")
    def _check_role(self, _key, value):
        if value not in ROLES:
            raise ValueError(f"unknown role {value!r}; one of {', '.join(ROLES)}")
        return value

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @is_admin.setter
    def is_admin(self, value: bool) -> None:  # User(is_admin=True), as before roles
        if value:
            self.role = "admin"
        elif self.role == "admin":
            self.role = "reviewer"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        """Flask-Login's id in the session cookie: "<id>:<session_token>"."""
        return f"{self.id}:{self.session_token}"

    @property
    def shown_name(self) -> str:
        return self.display_name or self.username

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)  # scrypt, werkzeug's default
        self.end_sessions()  # whoever knew the old password is logged out too

    def end_sessions(self) -> None:
        """Every session made before (on any server) no longer names this user."""
        self.session_token = new_session_token()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class Post(Model):
    # Every public query is served by one of these in the order it asks for (tests EXPLAIN
    # them on both engines). The three public ones are partial: only rows that are or will be
    # public (``states.PUBLIC_ROWS``), so neither drafts nor the trash are ever stepped over.
    __table_args__ = (
        # Channel lists, home sections, the sidebar: pinned first, newest first.
        sa.Index(
            "ix_post_public_channel",
            "channel_id",
            "pinned",
            "published_at",
            "id",
            sqlite_where=states.PUBLIC_ROWS,
            postgresql_where=states.PUBLIC_ROWS,
        ),
        # Previous/next in a channel, a channel's feed: strictly by time.
        sa.Index(
            "ix_post_public_channel_time",
            "channel_id",
            "published_at",
            "id",
            sqlite_where=states.PUBLIC_ROWS,
            postgresql_where=states.PUBLIC_ROWS,
        ),
        # The site feed, the next scheduled time.
        sa.Index(
            "ix_post_public_time",
            "published_at",
            "id",
            sqlite_where=states.PUBLIC_ROWS,
            postgresql_where=states.PUBLIC_ROWS,
        ),
        # The dashboard (most recently changed first) and the feeds' Last-Modified.
        sa.Index("ix_post_changed", "updated_at", "id"),
        sa.Index("ix_post_channel_changed", "channel_id", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(sa.ForeignKey("channel.id"))
    title: Mapped[str] = mapped_column(sa.String(sizes.TITLE_MAX))
    source: Mapped[str] = mapped_column(sa.String(sizes.SOURCE_MAX), default="")  # 来源
    author: Mapped[str] = mapped_column(sa.String(sizes.AUTHOR_MAX), default="")
    keywords: Mapped[str] = mapped_column(sa.String(sizes.KEYWORDS_MAX), default="")
    body_html: Mapped[str] = mapped_column(sa.Text, default="")  # always sanitized
    summary: Mapped[str] = mapped_column(
        sa.String(sizes.SUMMARY_MAX), default=""
    )  # the editor's own, if any
    image_url: Mapped[str] = mapped_column(sa.String(sizes.IMAGE_URL_MAX), default="")
    pinned: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(sa.String(16), default=PostState.DRAFT)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    trashed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    view_count: Mapped[int] = mapped_column(default=0, server_default="0")
    # Optimistic concurrency: each save bumps it; a form opened at an older version conflicts.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    channel: Mapped[Channel] = relationship(back_populates="posts")
    created_by: Mapped[User | None] = relationship()
    revisions: Mapped[list[Revision]] = relationship(
        back_populates="post", cascade="all, delete-orphan", order_by="Revision.number"
    )

    @validates("title")
    def _check_title(self, _key, value):
        value = (value or "").strip()
        if not 1 <= len(value) <= sizes.TITLE_MAX:
            raise ValueError(f"a title has 1 to {sizes.TITLE_MAX} characters")
        return value

    @validates("status")
    def _check_status(self, _key, value):
        if value not in states.STORED:
            raise ValueError(f"unknown status {value!r}")
        return value

    @property
    def body(self) -> Markup:
        """The stored body, already sanitized: the one place it is marked safe."""
        return Markup(self.body_html)

    @property
    def description(self) -> str:
        """The editor's summary, or one derived from the body text (meta Description, feeds)."""
        if self.summary:
            return self.summary
        # Only the start of the body is read: a summary needs its first lines, and a view of a
        # long body must not cost a reading of all of it.
        text = plain_text(self.body_html, limit=DESCRIPTION_READ)
        return summarize(text, current_app.config["SUMMARY_WIDTH"])

    @property
    def state(self) -> PostState:
        return states.state_of(self)

    @hybrid_property
    def is_public(self) -> bool:
        """THE definition of "public": the PUBLISHED state of ``states`` (published, its time
        has come, not in the trash), for a loaded row and, as SQL, for every public query."""
        return states.state_of(self) is PostState.PUBLISHED

    @is_public.inplace.expression
    @classmethod
    def _is_public_expression(cls):
        return states.condition(cls, PostState.PUBLISHED)

    @property
    def url_args(self) -> dict:
        """The values of ``url_for("public.article", **post.url_args)``."""
        return {"slug": self.channel.slug, "post_id": self.id}


class Revision(Model):
    """One save of a post: what the editor submitted (raw) and what was kept (clean)."""

    __table_args__ = (sa.UniqueConstraint("post_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("post.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    editor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    action: Mapped[str] = mapped_column(sa.String(32))  # e.g. draft, publish, withdraw, restore
    status: Mapped[str] = mapped_column(sa.String(16))  # the post's status after this save
    title: Mapped[str] = mapped_column(sa.String(sizes.TITLE_MAX))
    channel_id: Mapped[int | None] = mapped_column(sa.ForeignKey("channel.id"))
    source: Mapped[str] = mapped_column(sa.String(sizes.SOURCE_MAX), default="")
    author: Mapped[str] = mapped_column(sa.String(sizes.AUTHOR_MAX), default="")
    keywords: Mapped[str] = mapped_column(
        sa.String(sizes.KEYWORDS_MAX), default="", server_default=""
    )
    image_url: Mapped[str] = mapped_column(
        sa.String(sizes.IMAGE_URL_MAX), default="", server_default=""
    )
    summary: Mapped[str] = mapped_column(sa.String(sizes.SUMMARY_MAX), default="")
    pinned: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    body_raw: Mapped[str] = mapped_column(sa.Text, default="")  # exactly as submitted
    body_html: Mapped[str] = mapped_column(sa.Text, default="")  # as sanitized then
    removed: Mapped[str] = mapped_column(sa.Text, default="")  # what the sanitizer removed

    post: Mapped[Post] = relationship(back_populates="revisions")
    editor: Mapped[User | None] = relationship()

    @property
    def body(self) -> Markup:
        """The kept body as it was sanitized when saved (``body_html`` is only ever written
        clean, by the write path); with ``Post.body``, the only places HTML is marked safe.
        Never cleaned again per view: a 400 KB body took seconds on every revision page."""
        return Markup(self.body_html)


class LoginFailure(Model):
    """A failed login, counted per account and per client address by every worker."""

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), index=True)
    remote_addr: Mapped[str] = mapped_column(sa.String(64), index=True)
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True, default=now_utc)

"""The editor's forms: the post form's validation rules live here, not in views.

Fields keep exactly what was typed (no WTForms ``filters``), so a form that comes back with an
error shows every field as the editor left it; trimming and cleaning happen in ``content()``,
whose ``PostContent`` is what the service saves.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import fields
from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields import Field
from wtforms.form import BaseForm

from portal import messages
from portal.posts.content import (
    AUTHOR_MAX,
    IMAGE_URL_MAX,
    KEYWORDS_MAX,
    SOURCE_MAX,
    SUMMARY_MAX,
    TITLE_MAX,
    PostContent,
    clean_body,
)
from portal.posts.models import Channel, Post
from portal.posts.review_models import PendingRevision
from portal.sanitize import CleanResult, NestingTooDeep, plain_text
from portal.text import clean_text
from portal.timeutil import from_site_local, to_site
from portal.web.params import parse_int

# clean() serializes every attribute as name="value" (a "<" in a value as "&lt;"), so this
# finds any <img> with no alt; it never reads past the next "<", so its time stays linear.
_IMAGE_WITHOUT_ALT = re.compile(r"<img\b(?:[^<>\s]|\s(?!alt=))*+>")
# What a datetime-local input sends (seconds when its step allows them); a space is accepted too.
DATETIME_LOCAL = re.compile(r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?")
LOCAL_INPUT_FORMAT = "%Y-%m-%dT%H:%M"  # what a datetime-local input shows
# Editors separate keywords with any of these; they are stored comma-separated (meta Keywords).
_KEYWORD_SEPARATORS = re.compile(r"[,，、;；\s]+")


def max_length(limit: int) -> Callable[[BaseForm, Field], None]:
    def check(_form: BaseForm, field: Field) -> None:
        length = len(clean_text(field.data))
        if length > limit:
            raise ValidationError(messages.FIELD_TOO_LONG.format(max=limit, length=length))

    return check


def parse_datetime_local(value: str) -> datetime | None:
    """A site-zone wall time from a datetime-local input as aware UTC; None if unparseable."""
    match = DATETIME_LOCAL.fullmatch(value.strip())
    if not match:
        return None
    year, month, day, hour, minute, second = (int(part or 0) for part in match.groups())
    try:
        # Naive on purpose: a wall time in the site zone, which from_site_local() makes aware.
        return from_site_local(datetime(year, month, day, hour, minute, second))  # noqa: DTZ001
    except (ValueError, OverflowError):  # 2026-02-30, 24:00, year 0 …
        return None


def local_input(moment: datetime | None) -> str:
    """A stored time as a datetime-local input shows it (site zone, to the minute)."""
    return to_site(moment).strftime(LOCAL_INPUT_FORMAT) if moment else ""


def format_size(size: int) -> str:
    """Exact bytes (and MiB for scale): a body just over the limit must never read the same
    as the limit ("1.0 MiB 超过上限 1.0 MiB" would make no sense)."""
    return f"{size:,} 字节（约 {size / (1024 * 1024):.1f} MiB）"


def keyword_list(value: str) -> str:
    """Keywords as stored: comma-separated, each once, in the order typed."""
    words = (word for word in _KEYWORD_SEPARATORS.split(clean_text(value)) if word)
    return ",".join(dict.fromkeys(words))


def is_image_url(value: str) -> bool:
    """An absolute http(s) URL or a path on this site, with nothing a browser would reinterpret."""
    if not value.isprintable() or any(ch.isspace() or ch == "\\" for ch in value):
        return False
    parts = urlsplit(value)
    if parts.scheme:
        return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    return value.startswith("/") and not value.startswith("//")


class EmptyForm(FlaskForm):
    """A form with only its CSRF token, for one-button POST actions."""


class PostForm(FlaskForm):
    """The one form for a new post and an edit: its fields are ``PostContent``'s (the channel
    as ``channel``, the raw body as ``body``) plus the publishing time and the version."""

    title = StringField("标题")
    channel = SelectField("栏目", validate_choice=False)  # checked against the channels below
    source = StringField("来源", validators=[max_length(SOURCE_MAX)])
    author = StringField("作者", validators=[max_length(AUTHOR_MAX)])
    keywords = StringField("关键词", validators=[max_length(KEYWORDS_MAX)])
    image_url = StringField("标题图片地址", validators=[max_length(IMAGE_URL_MAX)])
    published_at = StringField("发布时间", render_kw={"type": "datetime-local"})
    pinned = BooleanField("置顶")
    summary = TextAreaField("摘要", validators=[max_length(SUMMARY_MAX)])
    body = TextAreaField("正文")
    version = HiddenField()  # the version the form was opened at (optimistic concurrency)

    # The form's name of a content field, where it differs.
    FIELD_NAMES = {"channel_id": "channel", "body_raw": "body"}
    # Content the form does not show: the cleaned body and its report come from ``body``; the
    # attachments from the form's 附件 and 正文图片 (portal.attachments.editing).
    DERIVED = ("body_html", "removed", "attachments")

    def __init__(self, *args, site_host: str | None, channels: Iterable[Channel], **kwargs):
        super().__init__(*args, **kwargs)
        self.site_host = site_host
        self.channel_rows = {channel.id: channel for channel in channels}
        self.channel.choices = [(str(key), row.name) for key, row in self.channel_rows.items()]
        self.cleaned: CleanResult | None = None
        self.published_at_utc: datetime | None = None

    def fill(self, post: Post | PendingRevision, *, body_raw: str) -> None:
        """Show a stored post (or its pending edit): its content (the body as last typed), time
        and version."""
        content = PostContent.of(post, body_raw=body_raw)
        for name in _content_field_names():
            value = getattr(content, name)
            self[self.FIELD_NAMES.get(name, name)].data = (
                str(value) if name == "channel_id" else value
            )
        self.published_at.data = local_input(post.published_at)
        self.version.data = str(post.version)

    def content(self) -> PostContent:
        """What was typed, as it is saved (call after ``validate()``)."""
        channel_id = self.chosen_channel_id()
        assert self.cleaned is not None, "content() before validate()"
        assert channel_id is not None, "content() before validate()"
        return PostContent(
            title=clean_text(self.title.data),
            channel_id=channel_id,
            source=clean_text(self.source.data),
            author=clean_text(self.author.data),
            keywords=keyword_list(self.keywords.data or ""),
            image_url=clean_text(self.image_url.data),
            summary=clean_text(self.summary.data),
            pinned=bool(self.pinned.data),
            body_raw=(self.body.data or "").replace("\x00", ""),
            body_html=self.cleaned.html,
            removed=self.cleaned.removed,
        )

    def chosen_published_at(self, post: Post | None) -> datetime | None:
        """The typed publishing time; None (empty) means "now" when publishing. The input shows
        minutes only: an unchanged value keeps the stored time to the second."""
        typed = self.published_at_utc
        if (
            typed is not None
            and post is not None
            and local_input(post.published_at) == local_input(typed)
        ):
            return post.published_at
        return typed

    def chosen_channel_id(self) -> int | None:
        """The id of the chosen channel, if it is one of the channels (None otherwise)."""
        channel_id = parse_int((self.channel.data or "").strip())
        return channel_id if channel_id in self.channel_rows else None

    def opened_version(self) -> int:
        """The version the form was opened at; -1 (never a version) when it was not sent
        (``validate_version`` refuses anything else that is not a version)."""
        version = parse_int(self.version.data)
        return -1 if version is None else version

    def validate_title(self, field: StringField) -> None:
        title = clean_text(field.data)
        if not title:
            raise ValidationError(messages.TITLE_REQUIRED)
        if len(title) > TITLE_MAX:
            raise ValidationError(messages.FIELD_TOO_LONG.format(max=TITLE_MAX, length=len(title)))

    def validate_channel(self, _field: SelectField) -> None:
        if self.chosen_channel_id() is None:
            raise ValidationError(messages.CHANNEL_UNKNOWN)

    def validate_image_url(self, field: StringField) -> None:
        value = clean_text(field.data)
        if value and not is_image_url(value):
            raise ValidationError(messages.IMAGE_URL_INVALID)

    def validate_published_at(self, field: StringField) -> None:
        typed = (field.data or "").strip()
        if not typed:
            return  # empty: "now", decided when publishing
        self.published_at_utc = parse_datetime_local(typed)
        if self.published_at_utc is None:
            # Shown back as typed: a datetime-local input cannot hold an unparseable value.
            field.render_kw = {"type": "text"}
            raise ValidationError(messages.TIME_INVALID)

    def validate_body(self, field: TextAreaField) -> None:
        raw = field.data or ""
        size = len(raw.encode("utf-8"))
        limit = current_app.config["BODY_MAX_BYTES"]
        if size > limit:
            raise ValidationError(
                messages.BODY_TOO_LARGE.format(size=format_size(size), limit=format_size(limit))
            )
        try:
            self.cleaned = clean_body(raw, site_host=self.site_host)
        except NestingTooDeep as too_deep:  # refused, not cleaned: the form keeps the text
            raise ValidationError(messages.BODY_TOO_DEEP.format(limit=too_deep.limit)) from None
        if not plain_text(self.cleaned.html) and "<img" not in self.cleaned.html:
            raise ValidationError(messages.BODY_EMPTY)
        if _IMAGE_WITHOUT_ALT.search(self.cleaned.html):
            # Screen readers need it, and the page would fail the accessibility checks; an
            # empty alt="" is fine for a purely decorative image.
            raise ValidationError(messages.IMAGE_ALT_MISSING)

    def validate_version(self, field: HiddenField) -> None:
        if field.data and parse_int(field.data) is None:
            raise ValidationError(messages.VERSION_INVALID)


def _content_field_names() -> tuple[str, ...]:
    return tuple(f.name for f in fields(PostContent) if f.name not in PostForm.DERIVED)

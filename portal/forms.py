"""Flask-WTF forms: the validation rules of the editor and its login live here, not in views.

Fields keep exactly what was typed (no WTForms ``filters``), so a form that comes back with an
error shows every field as the editor left it; trimming and cleaning happen when saving.
"""

from __future__ import annotations

import re
from datetime import datetime

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import InputRequired

from portal import messages
from portal.extensions import db
from portal.models import TITLE_MAX, Channel
from portal.sanitize import CleanResult, clean, plain_text, strip_xml_illegal
from portal.timeutil import from_site_local

# clean() serializes every attribute as name="value", so this finds any <img> with no alt.
_IMAGE_WITHOUT_ALT = re.compile(r"<img\b(?![^>]*\salt=)[^>]*>")

SOURCE_MAX = 100
AUTHOR_MAX = 100
SUMMARY_MAX = 1000
USERNAME_MAX = 64
PASSWORD_MAX = 1024  # hashing megabytes of "password" would be a cheap denial of service
# What a datetime-local input sends (seconds when its step allows them); a space is accepted too.
DATETIME_LOCAL = re.compile(r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?")


def clean_text(value: str | None) -> str:
    """A one-line field as stored: trimmed, without characters XML forbids (they break feeds)."""
    return strip_xml_illegal(value or "").strip()


def max_length(limit: int):
    def check(_form, field):
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
        return from_site_local(datetime(year, month, day, hour, minute, second))
    except (ValueError, OverflowError):  # 2026-02-30, 24:00, year 0 …
        return None


def format_size(size: int) -> str:
    """Exact bytes (and MiB for scale): a body just over the limit must never read the same
    as the limit ("1.0 MiB 超过上限 1.0 MiB" would make no sense)."""
    return f"{size:,} 字节（约 {size / (1024 * 1024):.1f} MiB）"


class EmptyForm(FlaskForm):
    """A form with only its CSRF token, for one-button POST actions."""


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[InputRequired(messages.FIELD_REQUIRED)])
    password = PasswordField("密码", validators=[InputRequired(messages.FIELD_REQUIRED)])
    next = HiddenField()

    def validate_username(self, field):
        if len(field.data) > USERNAME_MAX:
            raise ValidationError(messages.LOGIN_FAILED)

    def validate_password(self, field):
        if len(field.data) > PASSWORD_MAX:
            raise ValidationError(messages.LOGIN_FAILED)


class PostForm(FlaskForm):
    """The one form for a new post and an edit; the view sets ``channel.choices``."""

    title = StringField("标题")
    channel = SelectField("栏目", validate_choice=False)  # checked against the database below
    source = StringField("来源", validators=[max_length(SOURCE_MAX)])
    author = StringField("作者", validators=[max_length(AUTHOR_MAX)])
    published_at = StringField("发布时间", render_kw={"type": "datetime-local"})
    pinned = BooleanField("置顶")
    summary = TextAreaField("摘要", validators=[max_length(SUMMARY_MAX)])
    body = TextAreaField("正文")
    version = HiddenField()  # the version the form was opened at (optimistic concurrency)

    def __init__(self, *args, site_host: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.site_host = site_host
        self.cleaned: CleanResult | None = None
        self.published_at_utc: datetime | None = None
        self.channel_row: Channel | None = None

    def validate_title(self, field):
        title = clean_text(field.data)
        if not title:
            raise ValidationError(messages.TITLE_REQUIRED)
        if len(title) > TITLE_MAX:
            raise ValidationError(messages.FIELD_TOO_LONG.format(max=TITLE_MAX, length=len(title)))

    def validate_channel(self, field):
        value = (field.data or "").strip()
        channel = db.session.get(Channel, int(value)) if value.isdigit() else None
        if channel is None:
            raise ValidationError(messages.CHANNEL_UNKNOWN)
        self.channel_row = channel

    def validate_published_at(self, field):
        if not (field.data or "").strip():
            return  # empty: "now", decided when publishing
        self.published_at_utc = parse_datetime_local(field.data)
        if self.published_at_utc is None:
            # Shown back as typed: a datetime-local input cannot hold an unparseable value.
            field.render_kw = {"type": "text"}
            raise ValidationError(messages.TIME_INVALID)

    def validate_body(self, field):
        raw = field.data or ""
        size = len(raw.encode("utf-8"))
        limit = current_app.config["BODY_MAX_BYTES"]
        if size > limit:
            raise ValidationError(
                messages.BODY_TOO_LARGE.format(size=format_size(size), limit=format_size(limit))
            )
        self.cleaned = clean(raw, site_host=self.site_host)
        if not plain_text(self.cleaned.html) and "<img" not in self.cleaned.html:
            raise ValidationError(messages.BODY_EMPTY)
        if _IMAGE_WITHOUT_ALT.search(self.cleaned.html):
            # Screen readers need it, and the page would fail the accessibility checks; an
            # empty alt="" is fine for a purely decorative image.
            raise ValidationError(messages.IMAGE_ALT_MISSING)

    def validate_version(self, field):
        if field.data and not field.data.isdigit():
            raise ValidationError(messages.FORM_HAS_ERRORS)

"""The administrators' forms: channels, accounts, the audit log's filter. Fields keep exactly
what was typed, so a form that comes back with an error shows every field as it was left;
``values()`` gives what is saved."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields import Field
from wtforms.form import BaseForm

from portal import messages
from portal.posts.models import COLUMN_TYPES, RESERVED_SLUGS, ROLES, Channel
from portal.text import clean_text
from portal.web.params import parse_int

NAME_MAX = 64
SLUG_MAX = 64
DESCRIPTION_MAX = 500
KEYWORDS_MAX = 200
POSITION_MAX = 9999
UPDATE_DAYS_MAX = 3650
USERNAME = re.compile(r"[A-Za-z0-9._-]{1,64}")
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
# The review steps a channel may set: "" follows the site's REVIEW_STEPS.
REVIEW_STEP_CHOICES = ("", "0", "1", "2")


def max_length(limit: int) -> Callable[[BaseForm, Field], None]:
    def check(_form: BaseForm, field: Field) -> None:
        length = len(clean_text(field.data))
        if length > limit:
            raise ValidationError(messages.FIELD_TOO_LONG.format(max=limit, length=length))

    return check


def optional_number(field: Field, maximum: int, default: str, minimum: int = 1) -> int | None:
    """The whole number typed (None when empty); a ValidationError for anything else."""
    typed = (field.data or "").strip()
    if not typed:
        return None
    number = parse_int(typed, minimum=minimum, maximum=maximum)
    if number is None:
        raise ValidationError(
            messages.NUMBER_INVALID.format(min=minimum, max=maximum, default=default)
        )
    return number


class EmptyForm(FlaskForm):
    """A form with only its CSRF token, for one-button POST actions."""


class ChannelForm(FlaskForm):
    name = StringField("栏目名称")
    slug = StringField("栏目地址")
    column_type = SelectField("栏目类别", validate_choice=False)
    description = TextAreaField("栏目说明", validators=[max_length(DESCRIPTION_MAX)])
    keywords = StringField("关键词", validators=[max_length(KEYWORDS_MAX)])
    position = StringField("排序")
    in_nav = BooleanField("在导航和首页显示", default=True)
    update_days = StringField("更新周期（天）")
    review_steps = SelectField("审核级数", validate_choice=False)

    def __init__(self, *args, channel: Channel | None, taken: Iterable[str], site_steps: int, **kw):
        super().__init__(*args, **kw)
        self.channel = channel
        self.taken = set(taken)  # the slugs of the other channels
        self.column_type.choices = [(name, name) for name in COLUMN_TYPES]
        self.review_steps.choices = [("", f"按全站设置（{site_steps} 级）")] + [
            (value, f"{value} 级") for value in REVIEW_STEP_CHOICES[1:]
        ]

    def fill(self, channel: Channel) -> None:
        for name in ("name", "slug", "column_type", "description", "keywords", "in_nav"):
            self[name].data = getattr(channel, name)
        self.position.data = str(channel.position)
        self.update_days.data = "" if channel.update_days is None else str(channel.update_days)
        steps = channel.review_steps
        self.review_steps.data = "" if steps is None else str(steps)

    def values(self) -> dict:
        """The channel's columns as typed (call after ``validate()``)."""
        steps = self.review_steps.data or ""
        return {
            "name": clean_text(self.name.data),
            "slug": (self.slug.data or "").strip().lower(),
            "column_type": self.column_type.data,
            "description": clean_text(self.description.data),
            "keywords": clean_text(self.keywords.data),
            "position": parse_int((self.position.data or "").strip(), minimum=0),
            "in_nav": bool(self.in_nav.data),
            "update_days": parse_int((self.update_days.data or "").strip()),
            "review_steps": int(steps) if steps else None,
        }

    def validate_name(self, field: StringField) -> None:
        name = clean_text(field.data)
        if not name:
            raise ValidationError(messages.CHANNEL_NAME_REQUIRED)
        if len(name) > NAME_MAX:
            raise ValidationError(messages.FIELD_TOO_LONG.format(max=NAME_MAX, length=len(name)))

    def validate_slug(self, field: StringField) -> None:
        slug = (field.data or "").strip().lower()
        if len(slug) > SLUG_MAX or not SLUG.fullmatch(slug):
            raise ValidationError(messages.CHANNEL_SLUG_INVALID)
        if slug in RESERVED_SLUGS:
            raise ValidationError(messages.CHANNEL_SLUG_RESERVED.format(slug=slug))
        if slug in self.taken:
            raise ValidationError(messages.CHANNEL_SLUG_TAKEN.format(slug=slug))

    def validate_column_type(self, field: SelectField) -> None:
        if field.data not in COLUMN_TYPES:
            raise ValidationError(messages.CHANNEL_TYPE_UNKNOWN)

    def validate_position(self, field: StringField) -> None:
        optional_number(field, POSITION_MAX, "排在最后", minimum=0)

    def validate_update_days(self, field: StringField) -> None:
        optional_number(field, UPDATE_DAYS_MAX, "按栏目类别")

    def validate_review_steps(self, field: SelectField) -> None:
        if (field.data or "") not in REVIEW_STEP_CHOICES:
            raise ValidationError(messages.REVIEW_STEPS_UNKNOWN)


class DeleteChannelForm(FlaskForm):
    """Delete a channel; one that has posts moves them all to ``target`` first."""

    target = SelectField("把文章移到", validate_choice=False)
    confirm = BooleanField("我确认把这些文章全部移到所选栏目，然后删除本栏目")
    count = HiddenField()  # the number of posts the confirmation showed


class AccountForm(FlaskForm):
    """A new account (with ``username``) or an account's role and channels."""

    username = StringField("用户名")
    display_name = StringField("显示名称", validators=[max_length(NAME_MAX)])
    role = SelectField("角色", validate_choice=False)
    review_channels = SelectMultipleField("限定审核的栏目", validate_choice=False, coerce=str)

    def __init__(self, *args, channels: Iterable[Channel], taken: Iterable[str] = (), **kw):
        super().__init__(*args, **kw)
        self.channel_rows = {str(channel.id): channel for channel in channels}
        self.review_channels.choices = [(key, c.name) for key, c in self.channel_rows.items()]
        self.taken = {name.lower() for name in taken}
        self.role.choices = [(role, messages.ROLES[role]) for role in ROLES]

    def chosen_channels(self) -> list[Channel]:
        return [self.channel_rows[key] for key in self.review_channels.data or []]

    def validate_username(self, field: StringField) -> None:
        username = (field.data or "").strip()
        if not USERNAME.fullmatch(username):
            raise ValidationError(messages.USERNAME_INVALID)
        if username.lower() in self.taken:
            raise ValidationError(messages.USERNAME_TAKEN.format(username=username))

    def validate_role(self, field: SelectField) -> None:
        if field.data not in ROLES:
            raise ValidationError(messages.ROLE_UNKNOWN)

    def validate_review_channels(self, field: SelectMultipleField) -> None:
        if any(key not in self.channel_rows for key in field.data or []):
            raise ValidationError(messages.REVIEW_CHANNELS_UNKNOWN)


def parse_date(raw: str) -> date | None:
    match = DATE.fullmatch(raw.strip())
    if not match:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


class AuditFilterForm(FlaskForm):
    """The log's filter: a GET form (nothing changes), so no CSRF token."""

    class Meta:
        csrf = False

    user = SelectField("用户", validate_choice=False)
    action = SelectField("操作", validate_choice=False)
    start = StringField("开始日期", render_kw={"placeholder": "2026-11-01"})
    end = StringField("结束日期", render_kw={"placeholder": "2026-11-30"})

    def __init__(self, *args, accounts: Iterable, **kw):
        super().__init__(*args, **kw)
        self.account_ids = {str(account.id) for account in accounts}
        self.user.choices = [("", "全部用户")] + [
            (str(account.id), account.username) for account in accounts
        ]
        self.action.choices = [("", "全部操作")] + list(messages.AUDIT_ACTIONS.items())

    def validate_user(self, field: SelectField) -> None:
        if field.data and field.data not in self.account_ids:
            raise ValidationError(messages.AUDIT_FILTER_UNKNOWN)

    def validate_action(self, field: SelectField) -> None:
        if field.data and field.data not in messages.AUDIT_ACTIONS:
            raise ValidationError(messages.AUDIT_FILTER_UNKNOWN)

    def validate_start(self, field: StringField) -> None:
        if (field.data or "").strip() and parse_date(field.data or "") is None:
            raise ValidationError(messages.AUDIT_DATE_INVALID)

    def validate_end(self, field: StringField) -> None:
        if (field.data or "").strip() and parse_date(field.data or "") is None:
            raise ValidationError(messages.AUDIT_DATE_INVALID)
        start, end = parse_date(self.start.data or ""), parse_date(field.data or "")
        if start and end and start > end:
            raise ValidationError(messages.AUDIT_DATES_REVERSED)

"""The 操作日志 table: one row per editor action, appended and never changed."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import Model
from portal.posts.models import User
from portal.timeutil import UTCDateTime, now_utc

TARGET_MAX = 200


class AuditEntry(Model):
    """Who (the account, and its name then), when, from which address, what (an action of
    ``portal.audit.ACTIONS``, its object, a detail). Nothing in the application updates or
    deletes a row (``tests/test_audit_append_only.py`` reads the code for it)."""

    __table_args__ = (
        sa.Index("ix_audit_entry_at", "at", "id"),
        sa.Index("ix_audit_entry_user", "user_id", "at"),
        sa.Index("ix_audit_entry_action", "action", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    username: Mapped[str] = mapped_column(sa.String(64), default="")
    remote_addr: Mapped[str] = mapped_column(sa.String(64), default="")
    action: Mapped[str] = mapped_column(sa.String(32))
    target: Mapped[str] = mapped_column(sa.String(TARGET_MAX), default="")
    detail: Mapped[str] = mapped_column(sa.Text, default="")

    user: Mapped[User | None] = relationship()

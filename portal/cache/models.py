"""The one row every server reads to know whether its cached pages are still valid."""

from __future__ import annotations

import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import Model
from portal.timeutil import UTCDateTime

STATE_ID = 1


def new_epoch() -> str:
    return secrets.token_hex(8)


class CacheState(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    # Made with the row: a database made anew (or emptied, as tests do) starts a new series of
    # generations, and never meets pages cached for the old one under the same numbers.
    epoch: Mapped[str] = mapped_column(sa.String(16), default=new_epoch)
    # Bumped by every change to a post, and when a scheduled post comes due.
    generation: Mapped[int] = mapped_column(default=0)
    # The earliest publishing time still in the future when the generation was set.
    next_due: Mapped[datetime | None] = mapped_column(UTCDateTime)

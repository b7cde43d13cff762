"""The one row every server reads to know whether its cached pages are still valid."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import Model
from portal.timeutil import UTCDateTime

STATE_ID = 1


class CacheState(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    # Bumped by every change to a post, and when a scheduled post comes due.
    generation: Mapped[int] = mapped_column(default=0)
    # The earliest publishing time still in the future when the generation was set.
    next_due: Mapped[datetime | None] = mapped_column(UTCDateTime)

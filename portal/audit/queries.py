"""Reading the 操作日志: filtered by account, action and site-zone dates, newest first."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.posts.models import User
from portal.posts.queries import Page, paginate
from portal.timeutil import from_site_local


@dataclass(frozen=True)
class Filters:
    user_id: int | None = None
    action: str | None = None
    start: date | None = None  # the first and last day, in the site zone, both included
    end: date | None = None


def _day_start(day: date) -> datetime:
    # Naive on purpose: midnight in the site zone, which from_site_local() makes aware.
    return from_site_local(datetime.combine(day, time()))


def _where(filters: Filters) -> list:
    where = []
    if filters.user_id is not None:
        where.append(AuditEntry.user_id == filters.user_id)
    if filters.action is not None:
        where.append(AuditEntry.action == filters.action)
    if filters.start is not None:
        where.append(AuditEntry.at >= _day_start(filters.start))
    if filters.end is not None:
        where.append(AuditEntry.at < _day_start(filters.end + timedelta(days=1)))
    return where


def page(filters: Filters, number: int, per_page: int) -> Page | None:
    """Page ``number`` of the entries that match, newest first; None past the end."""
    where = _where(filters)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(*where))
    query = sa.select(AuditEntry).where(*where)
    return paginate(query, [AuditEntry.at, AuditEntry.id], total or 0, number, per_page)


def entries(filters: Filters) -> Iterator[AuditEntry]:
    """Every entry that matches, newest first, read in batches (the CSV export)."""
    query = (
        sa.select(AuditEntry)
        .where(*_where(filters))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .execution_options(yield_per=500)
    )
    yield from db.session.scalars(query)


def accounts() -> list[User]:
    """Every account, for the filter (entries keep the name an account had then)."""
    return list(db.session.scalars(sa.select(User).order_by(User.username)))

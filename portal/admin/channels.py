"""栏目管理's write path: every change to a channel, for the web pages and the commands alike.

Each change is one transaction with its 操作日志 entry; after the commit every cached page is
out of date (a channel's name, order or visibility is on every page: ``cache.invalidate``).
A new slug keeps the old one as a ``ChannelSlug``, whose URLs (list, articles, feeds) redirect
to the new ones. Deleting a channel is ``posts.service.delete_channel`` (its posts move first,
each with a revision), then the same log entry and cache.
"""

from __future__ import annotations

import sqlalchemy as sa

from portal import audit, cache
from portal.extensions import db
from portal.posts import queries, service
from portal.posts.models import Channel, ChannelSlug, User


def channel_target(channel: Channel) -> str:
    return f"channel:{channel.slug}"


def create(values: dict) -> Channel:
    """A new channel (``position`` None: after the last one)."""
    if values.get("position") is None:
        last = db.session.scalar(sa.select(sa.func.max(Channel.position)))
        values = {**values, "position": (last or 0) + 1}
    _free_old_slug(values["slug"])
    channel = Channel(**values)
    db.session.add(channel)
    db.session.flush()
    audit.add("channel.create", target=channel_target(channel), detail=channel.name)
    return _done(channel)


def update(channel: Channel, values: dict) -> Channel:
    """Save the channel's settings; a new slug keeps the old one for its redirects."""
    values = {key: value for key, value in values.items() if value is not None or key in NULLABLE}
    old_slug = channel.slug
    changed = [key for key, value in values.items() if getattr(channel, key) != value]
    if values.get("slug", old_slug) != old_slug:
        _free_old_slug(values["slug"])
        db.session.add(ChannelSlug(slug=old_slug, channel_id=channel.id))
    if changed:
        db.session.execute(sa.update(Channel).where(Channel.id == channel.id).values(**values))
        db.session.refresh(channel)
        detail = "、".join(changed)
        audit.add(
            "channel.edit", target=channel_target(channel), detail=f"{channel.name}：{detail}"
        )
    return _done(channel)


# The settings whose "not set" (None) is a value: the default of the column type or the site.
NULLABLE = {"update_days", "review_steps"}


def set_shown(channel: Channel, shown: bool) -> Channel:
    """In the navigation and on the home page, or hidden there (its pages stay up)."""
    db.session.execute(sa.update(Channel).where(Channel.id == channel.id).values(in_nav=shown))
    db.session.refresh(channel)
    action = "channel.show" if shown else "channel.hide"
    audit.add(action, target=channel_target(channel), detail=channel.name)
    return _done(channel)


def move(channel: Channel, step: int) -> None:
    """One place up (``step`` -1) or down (+1) in the order of every list and the navigation;
    the positions become 1…n on the way, so equal ones can be told apart."""
    order = queries.channels()
    index = next(number for number, row in enumerate(order) if row.id == channel.id)
    other = index + step
    if not 0 <= other < len(order):
        return
    order[index], order[other] = order[other], order[index]
    for position, row in enumerate(order, start=1):
        if row.position != position:
            sa_update = sa.update(Channel).where(Channel.id == row.id)
            db.session.execute(sa_update.values(position=position))
    audit.add("channel.reorder", target=channel_target(channel), detail=channel.name)
    _done(channel)


def post_count(channel: Channel) -> int:
    """Every post of the channel, in any state (the trash too): what deleting must move."""
    posts = sa.select(sa.func.count()).select_from(Channel).join(Channel.posts)
    return db.session.scalar(posts.where(Channel.id == channel.id)) or 0


def delete(channel: Channel, *, into: Channel | None, editor: User | None) -> int:
    """Delete the channel; its posts move ``into`` another first (see the module). Its URLs,
    old and current, then lead to ``into``. Returns how many posts moved."""
    name, slugs = channel.name, [channel.slug, *(old.slug for old in channel.old_slugs)]
    target = channel_target(channel)
    moved = service.delete_channel(channel, into=into, editor=editor)
    if into is not None:
        for slug in slugs:
            db.session.add(ChannelSlug(slug=slug, channel_id=into.id))
    detail = f"{name}" + (f"（{moved} 篇文章移到“{into.name}”）" if into is not None else "")
    audit.add("channel.delete", target=target, detail=detail)
    db.session.commit()
    cache.invalidate()
    return moved


def _free_old_slug(slug: str) -> None:
    """A slug taken by a channel stops redirecting to the channel that had it before."""
    db.session.execute(sa.delete(ChannelSlug).where(ChannelSlug.slug == slug))


def _done(channel: Channel) -> Channel:
    db.session.commit()
    cache.invalidate()
    return channel

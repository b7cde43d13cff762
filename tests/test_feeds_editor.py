"""Subscribers see what editors do: a save, a withdrawal or a trash through the real editor
reaches every poller, whether it sends If-None-Match or only If-Modified-Since."""

from __future__ import annotations

from datetime import timedelta

import feedparser
import pytest
from support import edit_url, press, submit, write_post

from portal.timeutil import now_utc

FEED = "/feeds/notices.atom"


@pytest.fixture
def published_notice(clock, make_channel, editor_client):  # noqa: ARG001 (clock: see below)
    """A notice published through the form, at the frozen time; returns its edit URL.
    (A fixture cannot take ``usefixtures``: ``clock`` is requested for its effect.)"""
    channel = make_channel("notices", name="信息公告", column_type="通知公告")
    return edit_url(
        write_post(editor_client, channel, title="关于征集普法作品的通知", body="<p>第一稿。</p>")
    )


def poll(client, **headers):
    response = client.get(FEED, headers=headers)
    entries = feedparser.parse(response.data).entries if response.status_code == 200 else None
    return response, entries


def test_an_edit_through_the_form_changes_the_validators(
    clock, published_notice, editor_client, client
):
    first, entries = poll(client)
    assert [entry.title for entry in entries] == ["关于征集普法作品的通知"]
    clock(now_utc() + timedelta(minutes=5))
    edited = submit(editor_client, published_notice, title="关于征集普法作品的通知（更正）")
    assert edited.status_code == 302

    by_etag, entries = poll(client, **{"If-None-Match": first.headers["ETag"]})
    assert by_etag.status_code == 200
    assert entries[0].title == "关于征集普法作品的通知（更正）"
    by_date, _ = poll(client, **{"If-Modified-Since": first.headers["Last-Modified"]})
    assert by_date.status_code == 200


@pytest.mark.parametrize("button", ["withdraw", "trash"])
def test_a_post_leaving_the_feed_reaches_every_kind_of_poller(
    clock, published_notice, editor_client, client, button
):
    first, entries = poll(client)
    assert len(entries) == 1
    clock(now_utc() + timedelta(minutes=5))
    post_path = published_notice.removesuffix("/edit")
    response = press(editor_client, f"{post_path}/{button}", page=published_notice)
    assert response.status_code == 302

    by_etag, entries = poll(client, **{"If-None-Match": first.headers["ETag"]})
    assert by_etag.status_code == 200
    assert entries == []
    # Last-Modified must not go back in time when the newest post leaves the feed.
    by_date, entries = poll(client, **{"If-Modified-Since": first.headers["Last-Modified"]})
    assert by_date.status_code == 200
    assert entries == []
    assert by_date.last_modified >= first.last_modified

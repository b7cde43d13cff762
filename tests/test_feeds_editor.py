"""Subscribers see what editors do: a save, a withdrawal or a trash through the real editor
reaches every poller, whether it sends If-None-Match or only If-Modified-Since."""

from __future__ import annotations

from datetime import timedelta

import feedparser
import pytest

from portal.timeutil import now_utc

FEED = "/feeds/notices.atom"


@pytest.fixture
def published_notice(clock, make_channel, editor_client, form_fields):
    """A notice published through the form; returns its edit URL."""
    channel = make_channel("notices", name="信息公告", column_type="通知公告")
    form = form_fields(editor_client.get("/editor/posts/new"))
    form.update(
        title="关于征集普法作品的通知",
        channel=str(channel.id),
        body="<p>第一稿。</p>",
        published_at="",
        action="publish",
    )
    response = editor_client.post("/editor/posts/new", data=form)
    assert response.status_code == 302
    return response.headers["Location"]


def poll(client, **headers):
    response = client.get(FEED, headers=headers)
    entries = feedparser.parse(response.data).entries if response.status_code == 200 else None
    return response, entries


def test_an_edit_through_the_form_changes_the_validators(
    clock, published_notice, editor_client, form_fields, client
):
    first, entries = poll(client)
    assert [entry.title for entry in entries] == ["关于征集普法作品的通知"]
    clock(now_utc() + timedelta(minutes=5))
    form = form_fields(editor_client.get(published_notice))
    form.update(title="关于征集普法作品的通知（更正）", action="publish")
    assert editor_client.post(published_notice, data=form).status_code == 302

    by_etag, entries = poll(client, **{"If-None-Match": first.headers["ETag"]})
    assert by_etag.status_code == 200
    assert entries[0].title == "关于征集普法作品的通知（更正）"
    by_date, _ = poll(client, **{"If-Modified-Since": first.headers["Last-Modified"]})
    assert by_date.status_code == 200


@pytest.mark.parametrize("button", ["withdraw", "trash"])
def test_a_post_leaving_the_feed_reaches_every_kind_of_poller(
    clock, published_notice, editor_client, csrf_token, client, button
):
    first, entries = poll(client)
    assert len(entries) == 1
    clock(now_utc() + timedelta(minutes=5))
    post_path = published_notice.removesuffix("/edit")
    token = csrf_token(editor_client.get(published_notice))
    response = editor_client.post(f"{post_path}/{button}", data={"csrf_token": token})
    assert response.status_code == 302

    by_etag, entries = poll(client, **{"If-None-Match": first.headers["ETag"]})
    assert by_etag.status_code == 200 and entries == []
    # Last-Modified must not go back in time when the newest post leaves the feed.
    by_date, entries = poll(client, **{"If-Modified-Since": first.headers["Last-Modified"]})
    assert by_date.status_code == 200 and entries == []
    assert by_date.last_modified >= first.last_modified

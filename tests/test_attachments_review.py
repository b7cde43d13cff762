"""附件 under 先审后发: a live post's pending edit brings new files that stay private (to the
public: the page, the feeds, the download URL) until the edit is approved, and gc-uploads never
takes a file a pending edit names, even a returned one, past the grace period."""

from __future__ import annotations

import hashlib
from urllib.parse import quote

import feedparser
import pytest
from support import edit_url, post_id_of
from test_attachments import (  # noqa: F401 (fixtures are used by name)
    PDF,
    app_config,
    download_links,
    fetch,
    new_notice,
    notices,
    send,
    stored_files,
    uploads_root,
)
from test_review_workflow import review

ADDED = "补充说明.pdf"
ADDED_PDF = PDF.replace(b"1 0 obj", b"2 0 obj")  # another file: another hash


@pytest.fixture
def author(make_editor_client):
    return make_editor_client("author", role="author", display_name="撰稿甲")


@pytest.fixture
def reviewer(make_editor_client):
    return make_editor_client("reviewer", display_name="审核乙")


def added_url() -> str:
    return f"/attachments/{hashlib.sha256(ADDED_PDF).hexdigest()}/{quote(ADDED)}"


def enclosures(client) -> int:
    (entry,) = feedparser.parse(client.get("/feeds/all.atom").get_data()).entries
    return len(entry.enclosures)


def live_post_with_pending_file(author, reviewer, notices) -> int:  # noqa: F811 (a fixture)
    """The author's notice, approved with one file; then edited by the author with a second
    file and submitted: a pending edit."""
    edit = edit_url(new_notice(author, notices, "submit", files=[("全文.pdf", PDF)]))
    post_id = post_id_of(edit)
    assert review(reviewer, post_id, "approve").status_code == 302
    pending = send(author, edit, "submit", files=[(ADDED, ADDED_PDF)])
    assert pending.status_code == 302, pending.get_data(as_text=True)
    return post_id


def test_a_pending_edits_new_file_is_public_only_once_approved(
    client,
    author,
    reviewer,
    notices,  # noqa: F811 (an imported fixture)
):
    post_id = live_post_with_pending_file(author, reviewer, notices)
    article = f"/notices/{post_id}.html"
    assert [link.rsplit("/", 1)[1] for link in download_links(client, article)] == [
        quote("全文.pdf")
    ]
    assert fetch(client, added_url()).status_code == 404
    assert enclosures(client) == 1
    assert fetch(author, added_url()).status_code == 200  # its editor sees it (preview)

    assert review(reviewer, post_id, "approve").status_code == 302
    assert len(download_links(client, article)) == 2
    assert fetch(client, added_url()).get_data() == ADDED_PDF
    assert enclosures(client) == 2


@pytest.mark.parametrize("outcome", ["pending", "returned"])
def test_gc_uploads_spares_a_file_only_a_pending_edit_names(
    runner,
    uploads_root,  # noqa: F811 (an imported fixture)
    author,
    reviewer,
    notices,  # noqa: F811
    outcome,
):
    post_id = live_post_with_pending_file(author, reviewer, notices)
    if outcome == "returned":  # closed, kept (nothing submitted is lost), and so are its files
        returned = review(reviewer, post_id, "return", comment="请补充依据。")
        assert returned.status_code == 302
    stored = set(stored_files(uploads_root))
    assert hashlib.sha256(ADDED_PDF).hexdigest() in stored

    listed = runner.invoke(args=["gc-uploads", "--grace-hours", "0"])
    assert listed.output.startswith("0 file(s) to remove"), listed.output
    swept = runner.invoke(args=["gc-uploads", "--delete", "--grace-hours", "0"])
    assert swept.exit_code == 0, swept.output
    assert set(stored_files(uploads_root)) == stored

"""附件 in the feeds (RSS enclosure, Atom link rel="enclosure", read with feedparser), not in
the sitemap; and ``gc-uploads``: a dry run by default, removing only what nothing references."""

from __future__ import annotations

import hashlib
import os
from datetime import timedelta

import feedparser
import sqlalchemy as sa
from support import edit_url, post_id_of, press
from test_attachments import (  # noqa: F401 (fixtures are used by name)
    PDF,
    app_config,
    download_links,
    fetch,
    new_notice,
    notices,
    stored_files,
    upload_image,
    uploads_root,
)
from test_attachments_types import CHINESE_DOCX, docx_bytes, image_bytes, zip_bytes

from portal.attachments.models import StoredFile
from portal.extensions import db
from portal.timeutil import now_utc

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_both_feeds_carry_the_attachments_as_enclosures(editor_client, client, notices):  # noqa: F811 (imported fixtures)
    docx, archive = docx_bytes(), zip_bytes()
    files = [(CHINESE_DOCX, docx), ("报名材料.zip", archive)]
    edit = edit_url(new_notice(editor_client, notices, files=files))
    links = [
        "http://localhost" + link
        for link in download_links(client, f"/notices/{post_id_of(edit)}.html")
    ]

    atom = feedparser.parse(client.get("/feeds/all.atom").get_data())
    (entry,) = atom.entries
    enclosures = [(e.href, int(e.length), e.type) for e in entry.enclosures]
    assert enclosures == [
        (links[0], len(docx), DOCX_TYPE),
        (links[1], len(archive), "application/zip"),
    ]
    # RSS 2.0 has one enclosure an item: the first 附件.
    rss = feedparser.parse(client.get("/feeds/notices.rss").get_data())
    (item,) = rss.entries
    assert [(e.href, int(e.length), e.type) for e in item.enclosures] == [
        (links[0], len(docx), DOCX_TYPE)
    ]
    # What a subscriber gets from the enclosure is the file.
    assert fetch(client, links[0].removeprefix("http://localhost")).get_data() == docx


def test_a_post_without_attachments_has_no_enclosure_and_the_sitemap_lists_no_file(
    editor_client,
    client,
    notices,  # noqa: F811 (an imported fixture)
):
    edit_url(new_notice(editor_client, notices, title="没有附件的通知"))
    edit_url(new_notice(editor_client, notices, files=[("全文.pdf", PDF)]))
    entries = feedparser.parse(client.get("/feeds/all.atom").get_data()).entries
    assert {entry.title: len(entry.enclosures) for entry in entries} == {
        "没有附件的通知": 0,
        "关于印发守法普法工作要点的通知": 1,
    }
    sitemap = client.get("/sitemap-posts-1.xml").get_data(as_text=True)
    assert sitemap.count("<url>") == 2
    assert "/attachments/" not in sitemap


def test_a_withdrawn_post_takes_its_enclosure_out_of_the_feed(editor_client, client, notices):  # noqa: F811 (imported fixtures)
    edit = edit_url(new_notice(editor_client, notices, files=[("全文.pdf", PDF)]))
    assert len(feedparser.parse(client.get("/feeds/all.rss").get_data()).entries) == 1
    assert press(editor_client, edit.removesuffix("/edit") + "/withdraw").status_code == 302
    assert feedparser.parse(client.get("/feeds/all.rss").get_data()).entries == []


# --- gc-uploads ----------------------------------------------------------------------------------


def test_gc_uploads_lists_by_default_and_removes_only_unreferenced_files_with_delete(
    app,
    editor_client,
    notices,  # noqa: F811 (an imported fixture)
    runner,
    uploads_root,  # noqa: F811
    clock,
):
    kept = edit_url(new_notice(editor_client, notices, files=[("全文.pdf", PDF)]))
    # An image uploaded for a body that was never saved: nothing references it.
    lost = upload_image(editor_client, "没用上的图.png", image_bytes("PNG")).get_json()
    lost_hash = lost["url"].split("/")[2]
    # Bytes without a row (a crash between the two), and an upload left half-received.
    stray = hashlib.sha256(b"stray").hexdigest()
    stray_path = uploads_root / stray[:2] / stray[2:4] / stray
    stray_path.parent.mkdir(parents=True, exist_ok=True)
    stray_path.write_bytes(b"stray")
    partial = uploads_root / "tmp" / "crashed.part"
    partial.parent.mkdir(exist_ok=True)
    partial.write_bytes(b"half")
    long_ago = (now_utc() - timedelta(days=2)).timestamp()
    for path in (stray_path, partial):
        os.utime(path, (long_ago, long_ago))

    recent = runner.invoke(args=["gc-uploads"])  # within the grace period: the image is spared
    assert recent.exit_code == 0, recent.output
    assert lost_hash not in recent.output
    assert f"unrecorded    {stray}" in recent.output
    assert "unfinished    crashed.part" in recent.output

    clock(now_utc() + timedelta(hours=25))
    dry = runner.invoke(args=["gc-uploads"])
    assert dry.exit_code == 0, dry.output
    assert f"unreferenced  {lost_hash}" in dry.output
    assert "3 file(s) to remove" in dry.output
    assert "dry run: nothing removed" in dry.output
    assert len(stored_files(uploads_root)) == 3  # the PDF, the image, the stray bytes
    assert partial.exists()

    swept = runner.invoke(args=["gc-uploads", "--delete"])
    assert swept.exit_code == 0, swept.output
    assert "3 file(s) removed" in swept.output
    assert stored_files(uploads_root) == [hashlib.sha256(PDF).hexdigest()]
    assert not partial.exists()
    with app.app_context():
        assert db.session.scalars(sa.select(StoredFile.sha256)).all() == [
            hashlib.sha256(PDF).hexdigest()
        ]
    assert runner.invoke(args=["gc-uploads"]).output.startswith("0 file(s) to remove")
    assert kept  # the published post's file is still served
    assert editor_client.get(kept).status_code == 200


def test_a_post_deleted_forever_leaves_its_files_to_gc_uploads(
    make_editor_client,
    notices,  # noqa: F811 (an imported fixture)
    runner,
    uploads_root,  # noqa: F811
):  # noqa: F811 (imported fixtures)
    admin = make_editor_client("admin", admin=True)
    edit = edit_url(new_notice(admin, notices, files=[("全文.pdf", PDF)]))
    base = edit.removesuffix("/edit")
    assert press(admin, f"{base}/trash").status_code == 302
    listed = runner.invoke(args=["gc-uploads", "--grace-hours", "0"])
    assert "0 file(s) to remove" in listed.output  # the trash still references it
    assert press(admin, f"{base}/delete", page=f"{base}/delete").status_code == 302
    swept = runner.invoke(args=["gc-uploads", "--delete", "--grace-hours", "0"])
    assert "1 file(s) removed" in swept.output, swept.output
    assert stored_files(uploads_root) == []

"""The W3C Nu HTML checker (vnu.jar from npm vnu-jar) finds no error on any kind of page."""

from __future__ import annotations

import json
import subprocess

import pytest
from support import NEW_POST, edit_url, post_id_of, submit, write_post

from portal.timeutil import now_utc

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # runs vnu.jar (Java) in a subprocess


def vnu_errors(vnu_jar, documents: dict[str, str], folder) -> list[str]:
    """Run vnu once over every document; its error messages, each with the page's name."""
    paths = []
    for name, html in documents.items():
        path = folder / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        paths.append(str(path))
    run = subprocess.run(
        ["java", "-jar", str(vnu_jar), "--format", "json", "--stdout", *paths],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = json.loads(run.stdout)
    return [
        f"{message['url'].rsplit('/', 1)[-1]}:{message.get('lastLine', '?')}: {message['message']}"
        f" [{message.get('extract', '').strip()}]"
        for message in report["messages"]
        if message["type"] in ("error", "non-document-error")
    ]


def test_vnu_reports_errors_in_broken_html(vnu_jar, tmp_path):
    # The check can fail: a page with a stray end tag and a duplicate id does.
    broken = "<!DOCTYPE html><html lang=zh><title>x</title><p id=a></div><p id=a>"
    assert len(vnu_errors(vnu_jar, {"broken": broken}, tmp_path)) >= 2


def test_every_kind_of_page_is_valid_html(
    vnu_jar,
    tmp_path,
    client,
    editor_client,
    admin_client,
    make_channel,
    make_post,
    sample_site,
):
    # A post written through the editor (so it has a revision), and one in the trash.
    news = make_channel("news")
    written = {"title": "编辑写的文章", "body": "<p>正文。</p>"}
    saved = write_post(editor_client, news, "draft", **written)
    post_id = post_id_of(edit_url(saved))
    trashed = make_post("回收站里的文章", trashed_at=now_utc())
    pages = {
        "home": client.get("/"),
        "list": client.get("/notices/"),
        "list-page-2": client.get("/notices/?page=2"),
        "article": client.get(sample_site["article"]),
        "article-print": client.get(sample_site["article"] + "?print=1"),
        "not-found": client.get("/no-such-channel/"),
        "bad-request": client.get("/notices/?page=abc"),
        "login": client.get("/editor/login"),
        "editor-dashboard": editor_client.get("/editor/"),
        "editor-dashboard-trash": editor_client.get("/editor/?state=trash"),
        "editor-form": editor_client.get(NEW_POST),
        "editor-form-errors": submit(editor_client, NEW_POST, "publish", title=""),
        "editor-edit-form": editor_client.get(f"/editor/posts/{post_id}/edit"),
        "editor-preview": write_post(editor_client, news, "preview", **written),
        "editor-revisions": editor_client.get(f"/editor/posts/{post_id}/revisions"),
        "editor-revision": editor_client.get(f"/editor/posts/{post_id}/revisions/1"),
        "editor-confirm-delete": admin_client.get(f"/editor/posts/{trashed.id}/delete"),
    }
    pages["search"] = client.get("/search", query_string={"q": "法治"})
    pages["search-page-2"] = client.get("/search", query_string={"q": "法治", "page": "2"})
    pages["search-guidance"] = client.get("/search")
    pages["search-none"] = client.get("/search", query_string={"q": "没有这样的词"})
    pages["search-refused"] = client.get("/search", query_string={"q": "法" * 101, "since": "x"})
    expected_status = {
        "not-found": 404,
        "bad-request": 400,
        "editor-form-errors": 400,
        "search-refused": 400,
    }
    for name, response in pages.items():
        assert response.status_code == expected_status.get(name, 200), name
        assert response.content_type.startswith("text/html"), name
    assert "field-error" in pages["editor-form-errors"].get_data(as_text=True)
    assert "preview-mark" in pages["editor-preview"].get_data(as_text=True)
    documents = {name: response.get_data(as_text=True) for name, response in pages.items()}
    assert vnu_errors(vnu_jar, documents, tmp_path) == []

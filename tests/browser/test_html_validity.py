"""The W3C Nu HTML checker (vnu.jar from npm vnu-jar) finds no error on any kind of page."""

from __future__ import annotations

import json
import subprocess


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
    vnu_jar, tmp_path, app, client, editor_client, csrf_token, sample_site
):
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
        "editor-form": editor_client.get("/editor/posts/new"),
    }
    if "public.search" in app.view_functions:
        pages["search"] = client.get("/search", query_string={"q": "法治"})
    form = pages["editor-form"]
    pages["editor-form-errors"] = editor_client.post(
        "/editor/posts/new", data={"csrf_token": csrf_token(form), "title": ""}
    )
    for name, response in pages.items():
        assert response.content_type.startswith("text/html"), name
    documents = {name: response.get_data(as_text=True) for name, response in pages.items()}
    assert vnu_errors(vnu_jar, documents, tmp_path) == []

"""Static files under content-hashed URLs: every link a template makes carries ``?v=`` (the
first 12 hex digits of the file's SHA-256), and that URL may be cached for a year."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import pytest
from flask import url_for

STATIC = Path(__file__).resolve().parent.parent / "static"
IMMUTABLE = "public, max-age=31536000, immutable"
STATIC_LINK = re.compile(r'(?:href|src)="(/static/[^"]*)"')


def version_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()[:12]


def static_links(response) -> list[str]:
    return STATIC_LINK.findall(response.get_data(as_text=True))


@pytest.fixture
def site(make_post):
    make_post("通知一")
    return make_post("动态一", channel="news")


@pytest.mark.parametrize("url", ["/", "/notices/", "/no-such-channel/", "/editor/login"])
@pytest.mark.usefixtures("site")
def test_every_static_link_of_a_page_carries_the_files_version(client, url):
    links = static_links(client.get(url))
    assert any(link.startswith("/static/css/site.css?") for link in links), links
    assert any(link.startswith("/static/js/site.js?") for link in links), links
    for link in links:
        path, _, query = link.partition("?")
        content = (STATIC / path.removeprefix("/static/")).read_bytes()
        assert query == f"v={version_of(content)}", link


def test_the_article_and_editor_pages_link_versioned_files_too(client, editor_client, site):
    article = static_links(client.get(f"/news/{site.id}.html"))
    editor = static_links(editor_client.get("/editor/"))
    assert any(link.startswith("/static/css/site.css?v=") for link in article)
    assert any(link.startswith("/static/css/editor.css?v=") for link in editor)
    assert all("?v=" in link for link in article + editor)


def test_a_versioned_url_is_cached_for_a_year_as_immutable(client):
    link = next(link for link in static_links(client.get("/")) if "site.css" in link)
    with client.get(link) as response:
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == IMMUTABLE
        assert response.get_data() == (STATIC / "css/site.css").read_bytes()
        etag = response.headers["ETag"]
    with client.get(link, headers={"If-None-Match": etag}) as again:
        assert again.status_code == 304
        assert again.headers["Cache-Control"] == IMMUTABLE


def test_a_url_without_a_version_is_cached_briefly(client):
    with client.get("/static/css/site.css") as response:
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=3600"


@pytest.mark.parametrize("version", ["000000000000", "", "not-a-version"])
def test_a_url_of_another_version_is_revalidated_every_time(client, version):
    """Another release's URL (during a rolling deploy): this file is not the one it names, so
    no cache may keep it under that URL."""
    with client.get(f"/static/css/site.css?v={version}") as response:
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-cache"


def test_a_missing_file_gets_no_version_and_answers_404(app, client):
    with app.test_request_context():
        assert url_for("static", filename="css/no-such.css") == "/static/css/no-such.css"
    with client.get("/static/css/no-such.css") as response:
        assert response.status_code == 404
        assert "immutable" not in response.headers.get("Cache-Control", "")


@pytest.mark.own_app
def test_the_version_follows_the_files_content(app, tmp_path):
    """Edited (a deploy, even without a restart): a new URL, and the old one is no longer
    immutable; every process computes the same version from the same content."""
    app.static_folder = str(tmp_path)
    style = tmp_path / "css" / "a.css"
    style.parent.mkdir()
    old, new = b"body { color: #333; }\n", b"body { color: #000; margin: 0; }\n"
    style.write_bytes(old)
    with app.test_request_context():
        first = url_for("static", filename="css/a.css")
    assert first == f"/static/css/a.css?v={version_of(old)}"

    style.write_bytes(new)
    stat = style.stat()
    os.utime(style, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    with app.test_request_context():
        second = url_for("static", filename="css/a.css")
    assert second == f"/static/css/a.css?v={version_of(new)}"
    assert second != first

    client = app.test_client()
    with client.get(second) as response:
        assert response.headers["Cache-Control"] == IMMUTABLE
        assert response.get_data() == new
    with client.get(first) as stale:
        assert stale.headers["Cache-Control"] == "no-cache"


def test_every_server_links_the_same_urls(app_config, new_app):
    """Two processes (apps) of the same release make the same versions: pages from any server
    of several behind a load balancer link the same URLs."""
    urls = []
    for _ in range(2):
        other = new_app(app_config)
        with other.test_request_context():
            urls.append(url_for("static", filename="css/site.css"))
    assert urls[0] == urls[1]
    assert urls[0].endswith(f"?v={version_of((STATIC / 'css/site.css').read_bytes())}")

"""What the tests share that needs no fixture: constants, reading a page's forms, and the
editor's forms filled in and sent as a browser would. Fixtures (the app, rows, accounts,
logged-in clients) are in conftest.py; the page reader is page.py.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from portal.extensions import db

SECRET_KEY = "test-secret-key-not-for-production"
EDITOR_PASSWORD = "correct horse battery"
NEW_POST = "/editor/posts/new"
REDIS_URL = "redis://127.0.0.1:6379/0"  # the login counter's other storage (CI runs Redis)
# Browser viewports (the browser tests' default is DESKTOP).
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}


def base_config(database_url: str) -> dict:
    """The settings of a test app on ``database_url``."""
    return {
        "TESTING": True,
        "SECRET_KEY": SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SERVER_NAME": None,
    }


def html_of(response_or_html) -> str:
    """A test client response's page, or the page already read as text (e.g. from gunicorn)."""
    if isinstance(response_or_html, str):
        return response_or_html
    return response_or_html.get_data(as_text=True)


# --- reading forms and the article -------------------------------------------------------------

_CSRF_INPUT = re.compile(
    r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"'
)


def csrf_token(response_or_html) -> str:
    """The CSRF token a rendered page carries in its forms (as a browser would submit it)."""
    match = _CSRF_INPUT.search(html_of(response_or_html))
    assert match, "the page has no form with a CSRF token"
    return match.group(1) or match.group(2)


class _FormFields(HTMLParser):
    """What a browser would submit from a page's forms: input values, textarea text, the
    selected option, checked boxes (by name; the last form wins on a repeated name)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str] = {}
        self.textarea: str | None = None
        self.select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name:
            if attrs.get("type") in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.values[name] = attrs.get("value") or "y"
            else:
                self.values[name] = attrs.get("value") or ""
        elif tag == "textarea" and name:
            self.textarea = name
            self.values[name] = ""
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select and "selected" in attrs:
            self.values[self.select] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "textarea" and self.textarea:
            text = self.values[self.textarea]  # a browser drops one newline after <textarea>
            if text.startswith("\n") or text.startswith("\r\n"):
                text = text.split("\n", 1)[1]
            self.values[self.textarea] = text
            self.textarea = None
        elif tag == "select":
            self.select = None

    def handle_data(self, data):
        if self.textarea:
            self.values[self.textarea] += data


def form_fields(response) -> dict[str, str]:
    """The fields a browser would send from the page's forms, as the page fills them in."""
    parser = _FormFields()
    parser.feed(html_of(response))
    return parser.values


def article_body(response) -> str:
    """The HTML of an article page's body, exactly as the page has it."""
    match = re.search(
        r'<div class="article-body">(.*?)</div>\s*<p class="article-tools"',
        html_of(response),
        re.S,
    )
    assert match, "no article body on the page"
    return match.group(1)


# --- sending forms -----------------------------------------------------------------------------


def login(
    client,
    username="editor",
    password=EDITOR_PASSWORD,
    *,
    next_url=None,
    remote_addr=None,
    headers=None,
):
    """Log ``client`` in through the real login form (GET it, submit its token)."""
    form = client.get("/editor/login", query_string={"next": next_url} if next_url else None)
    data = {"csrf_token": csrf_token(form), "username": username, "password": password}
    if next_url is not None:
        data["next"] = next_url
    environ = {"REMOTE_ADDR": remote_addr} if remote_addr else {}
    return client.post("/editor/login", data=data, environ_base=environ, headers=headers)


def submit(client, url, action="publish", **changes):
    """Open the form at ``url`` as a browser would, change some fields, press the ``action``
    button. A field changed to None is left out of the request."""
    form = client.get(url)
    assert form.status_code == 200, form.status_code
    data = form_fields(form) | changes | {"action": action}
    return client.post(url, data={k: v for k, v in data.items() if v is not None})


def post_fields(channel, **changes) -> dict:
    """A new post's form as an editor fills it in (empty 发布时间: now), with ``changes``."""
    return {
        "title": "关于开展“宪法宣传周”活动的通知",
        "channel": str(channel.id),
        "source": "市司法局",
        "author": "李明",
        "published_at": "",
        "summary": "",
        "body": "<p>各单位：为深入学习宣传宪法，现将有关事项通知如下。</p>",
    } | changes


def write_post(client, channel, action="publish", **changes):
    """Fill in the new-post form (``post_fields`` with ``changes``) and press ``action``."""
    return submit(client, NEW_POST, action, **post_fields(channel, **changes))


def edit_url(response) -> str:
    """Where a successful save sends the editor: the post's edit page."""
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    location = response.headers["Location"]
    assert re.fullmatch(r"/editor/posts/\d+/edit", location), location
    return location


def post_id_of(url: str) -> int:
    """The post id in an editor URL (/editor/posts/<id>/…)."""
    return int(url.split("/")[3])


def press(client, url, page="/editor/"):
    """Press a one-button form (withdraw, trash, logout…): POST ``url`` with the CSRF token of
    ``page``, where the button is."""
    return client.post(url, data={"csrf_token": csrf_token(client.get(page))})


# --- the database ------------------------------------------------------------------------------


@contextlib.contextmanager
def statements_on(app) -> Iterator[list[str]]:
    """Every SQL statement the app sends while the block runs (white space folded)."""
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def record(_connection, _cursor, statement, *_args):
        statements.append(" ".join(statement.split()))

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


# --- tools the tests need ------------------------------------------------------------------------


def tools_required() -> bool:
    """CI (or PORTAL_REQUIRE_BROWSER=1) demands every tool: a missing one fails, never skips."""
    return os.environ.get("PORTAL_REQUIRE_BROWSER") == "1" or os.environ.get("CI") == "true"


def require(available: bool, what: str, how: str) -> None:
    """Skip when a tool is missing on a developer's machine; fail in CI or when required."""
    if available:
        return
    message = f"{what} is missing: {how}"
    if tools_required():
        pytest.fail(message + " (required: PORTAL_REQUIRE_BROWSER=1 or CI=true)", pytrace=False)
    pytest.skip(message)


def fill_body_html(page, html: str) -> None:
    """Type ``html`` into the editor form's 正文 as HTML source: the rich-text editor's
    「HTML 源代码」 view is the field's own textarea (static/js/editor-richtext.js)."""
    source = page.get_by_role("button", name="HTML 源代码")
    if source.get_attribute("aria-pressed") != "true":
        source.click()
    page.get_by_label("正文", exact=True).fill(html)

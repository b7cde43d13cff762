"""Security headers on every response, and pages that work under the CSP (nothing inline)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from portal.sanitize import clean

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

REQUIRED_CSP = {
    "default-src": {"'self'"},
    "img-src": {"'self'", "https:"},
    "frame-ancestors": {"'none'"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "form-action": {"'self'"},
}
FIXED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}


def csp_directives(response) -> dict[str, set[str]]:
    policy = response.headers.get("Content-Security-Policy")
    assert policy, f"{response.request.path}: no Content-Security-Policy"
    directives = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        assert name not in directives, f"directive {name} given twice"
        directives[name] = set(sources)
    return directives


def assert_security_headers(response) -> None:
    where = response.request.path
    directives = csp_directives(response)
    for name, sources in REQUIRED_CSP.items():
        assert directives.get(name) == sources, f"{where}: {name} is {directives.get(name)}"
    # Scripts and styles fall back to default-src 'self' or say 'self'; never anything inline.
    for name in ("script-src", "style-src", "script-src-elem", "style-src-attr"):
        assert directives.get(name, {"'self'"}) <= {"'self'"}, f"{where}: {name} widened"
    flat = " ".join(" ".join(sorted(sources)) for sources in directives.values())
    for unsafe in ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "data:", "*"):
        assert unsafe not in flat.split(), f"{where}: CSP allows {unsafe}"
    for name, value in FIXED_HEADERS.items():
        assert response.headers.get(name) == value, f"{where}: {name}"
    permissions = response.headers.get("Permissions-Policy", "")
    for feature in ("camera=()", "microphone=()", "geolocation=()"):
        assert feature in permissions, f"{where}: Permissions-Policy lacks {feature}"


@pytest.fixture
def site(make_post):
    """A notice and a news article; returns the article's URL."""
    make_post("通知一")
    post = make_post("动态一", channel="news")
    return f"/news/{post.id}.html"


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/", 200),
        ("/notices/", 200),
        ("/notices/?page=1", 200),
        ("/notices/?page=abc", 400),
        ("/no-such-channel/", 404),
        ("/notices/999999.html", 404),
        ("/static/css/site.css", 200),
        ("/static/js/site.js", 200),
        ("/static/no-such-file.css", 404),
        ("/robots.txt", 200),
        ("/sitemap.xml", 200),
        ("/healthz", 200),
        ("/prefs/font-size/large", 303),
    ],
)
@pytest.mark.usefixtures("site")
def test_every_kind_of_response_carries_the_headers(client, url, status):
    with client.get(url) as response:  # static files are streamed: close them
        assert response.status_code == status
        assert_security_headers(response)


def test_article_page_carries_the_headers(client, site):
    response = client.get(site)
    assert response.status_code == 200
    assert_security_headers(response)


@pytest.mark.parametrize("url", ["/feeds/notices.atom", "/feeds/all.rss", "/editor/login"])
@pytest.mark.usefixtures("site")
def test_feeds_and_editor_carry_the_headers(client, url):
    # Whatever these answer (they are built by other issues), the headers are there.
    assert_security_headers(client.get(url))


@pytest.mark.own_app
@pytest.mark.usefixtures("site")
def test_wrong_method_and_server_error_carry_the_headers(app, client):
    @app.get("/__test_boom")
    def boom():
        raise RuntimeError("a bug")

    assert_security_headers(client.post("/"))  # 405
    response = client.get("/__test_boom")
    assert response.status_code == 500
    assert "服务器内部错误" in response.get_data(as_text=True)
    assert_security_headers(response)


@pytest.mark.usefixtures("site")
def test_no_hsts_unless_configured(client):
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_hsts_when_configured_for_https(app_config, new_app):
    app_config["HSTS_SECONDS"] = 31536000
    client = new_app(app_config).test_client()
    for url in ("/robots.txt", "/static/css/site.css", "/no-such-channel/x/y"):
        with client.get(url) as response:
            assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


# --- nothing inline anywhere: templates, rendered pages, sanitized bodies --------------------

INLINE_PATTERNS = {
    "style attribute": re.compile(r"<[a-zA-Z][^<>]*\sstyle\s*=", re.IGNORECASE),
    "<style> element": re.compile(r"<style\b", re.IGNORECASE),
    "inline <script>": re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.IGNORECASE),
    "on* handler": re.compile(r"<[a-zA-Z][^<>]*\son[a-z]+\s*=", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript\s*:", re.IGNORECASE),
    "|safe": re.compile(r"\|\s*safe\b"),
}


def inline_problems(text: str) -> list[str]:
    return [name for name, pattern in INLINE_PATTERNS.items() if pattern.search(text)]


def test_the_scanner_finds_what_it_looks_for():
    assert inline_problems('<p style="color:red">') == ["style attribute"]
    assert inline_problems("<script>alert(1)</script>") == ["inline <script>"]
    assert inline_problems('<img src="x" onerror="alert(1)">') == ["on* handler"]
    assert inline_problems('<script src="/static/js/site.js" defer></script>') == []


@pytest.mark.parametrize(
    "template",
    sorted(str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*.html")),
)
def test_templates_have_nothing_inline(template):
    source = (TEMPLATES / template).read_text(encoding="utf-8")
    assert inline_problems(source) == [], template


class _InlineFinder(HTMLParser):
    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        names = {name for name, _value in attrs}
        if "style" in names:
            self.problems.append(f"<{tag} style>")
        self.problems += [f"<{tag} {name}>" for name in names if name.startswith("on")]
        self.problems += [
            f"<{tag} {name}=javascript:>"
            for name, value in attrs
            if value and value.strip().lower().startswith("javascript:")
        ]
        if tag == "style":
            self.problems.append("<style>")
        if tag == "script" and "src" not in names:
            self.problems.append("inline <script>")


def rendered_inline_problems(response) -> list[str]:
    finder = _InlineFinder()
    finder.feed(response.get_data(as_text=True))
    return finder.problems


def test_rendered_pages_have_nothing_inline(client, make_post):
    hostile = (
        '<p style="text-align:center">居中</p><p style="text-indent:2em">缩进</p>'
        '<img src="https://example.org/a.png" alt="图" onerror="alert(1)">'
        '<a href="javascript:alert(1)">链接</a><script>alert(1)</script>'
        '<svg onload="alert(1)"></svg><style>body{display:none}</style>'
    )
    post = make_post("带格式的文章", channel="news", body_html=clean(hostile).html)
    make_post("公告")
    pages = ["/", "/news/", "/notices/", f"/news/{post.id}.html", "/no-such/", "/notices/?page=x"]
    for url in pages:
        response = client.get(url)
        assert rendered_inline_problems(response) == [], url
    article = client.get(f"/news/{post.id}.html").get_data(as_text=True)
    assert 'class="text-center"' in article
    assert 'class="indent-2em"' in article

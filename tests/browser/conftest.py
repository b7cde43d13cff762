"""Browser tests: Debian's Chromium driven by Playwright against the app served by gunicorn.

The server runs ``wsgi:app`` in a subprocess on 127.0.0.1, configured only through the
environment (PORTAL_SQLALCHEMY_DATABASE_URI, PORTAL_SECRET_KEY), on the same per-run database as
the ``app`` fixture: tests build their data with ``make_post`` & co., then browse it. One server
per backend and one browser per session keep the suite fast; each test gets a fresh browser
context (no cookies carried over) whose every page is watched for CSP violations, script errors
and dialogs.

Tools: Chromium (/usr/bin/chromium; never a browser download), axe-core and vnu-jar from
``npm ci --ignore-scripts`` (make test runs it). When one is missing the tests skip, except when
PORTAL_REQUIRE_BROWSER=1 or CI=true: then they fail.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import live_gunicorn
import pytest
from support import DESKTOP, require

from portal.timeutil import now_utc

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE_SCRIPT = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = (
    Path(__file__).resolve().parent / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
)
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"  # git-ignored

EDITOR_PASSWORD = "浏览器测试-Passw0rd!"


def require_node_tool(path: Path, name: str) -> Path:
    require(path.is_file(), f"{name} ({path.relative_to(ROOT)})", "run `npm ci --ignore-scripts`")
    return path


# --- the live server -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def live_server(database_url, tmp_path_factory):
    """Base URL of gunicorn serving wsgi:app on this run's database (one per backend)."""
    log_path = tmp_path_factory.mktemp("server") / "gunicorn.log"
    options = ["--workers", "1", "--threads", "4", "--access-logfile", "-", "--error-logfile", "-"]
    # Uploaded files (附件, images) in this run's own folder, never the checkout's instance/.
    env = {"PORTAL_ATTACHMENT_FOLDER": str(tmp_path_factory.mktemp("uploads"))}
    secret = secrets.token_hex(32)
    try:
        with live_gunicorn.serve(database_url, secret, log_path, *options, env=env) as port:
            yield f"http://127.0.0.1:{port}"
    except RuntimeError as error:
        pytest.fail(str(error), pytrace=False)


# --- the browser -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    require(
        Path(CHROMIUM).is_file() or shutil.which(CHROMIUM) is not None,
        f"Chromium ({CHROMIUM})",
        "apt-get install chromium (never a Playwright browser download)",
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


# Registered on every new document before the page's own scripts: the page's CSP cannot block
# it (Playwright adds it through the DevTools protocol).
WATCH_SCRIPT = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__portalCspViolation({
    directive: event.effectiveDirective,
    blocked: event.blockedURI,
    sample: event.sample,
    page: document.URL,
  });
});
"""


@dataclass
class Watch:
    """What went wrong on the pages of one browser context."""

    csp_violations: list[dict] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    navigations: list[str] = field(default_factory=list)  # main-frame URLs, in order
    allowed_console: list[re.Pattern] = field(default_factory=list)

    def allow_console(self, pattern: str) -> None:
        """A console error the test expects (e.g. the 404 of a page it just withdrew)."""
        self.allowed_console.append(re.compile(pattern))

    def unexpected_console_errors(self) -> list[str]:
        return [
            text
            for text in self.console_errors
            if not any(pattern.search(text) for pattern in self.allowed_console)
        ]

    def assert_clean(self) -> None:
        assert self.csp_violations == [], "CSP violations (securitypolicyviolation)"
        assert self.page_errors == [], "uncaught script errors"
        assert self.dialogs == [], "a dialog opened (alert/confirm/prompt)"
        assert self.unexpected_console_errors() == [], "console errors"


def _watch_page(page, watch: Watch) -> None:
    def on_console(message):
        if message.type == "error":
            source = (message.location or {}).get("url", "")
            watch.console_errors.append(f"{message.text} [{source}] @ {page.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: watch.page_errors.append(f"{error} @ {page.url}"))

    def on_dialog(dialog):
        watch.dialogs.append(f"{dialog.type}: {dialog.message} @ {page.url}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on(
        "framenavigated",
        lambda frame: frame == page.main_frame and watch.navigations.append(frame.url),
    )


@dataclass
class BrowserSession:
    context: object
    page: object
    watch: Watch
    base_url: str

    def url(self, path: str) -> str:
        return self.base_url + path

    def goto(self, path: str):
        return self.page.goto(self.url(path))

    def log_in(self, username: str, password: str) -> None:
        """Log in through the login form, as a person types; returns on the dashboard."""
        from playwright.sync_api import expect

        self.goto("/editor/login")
        self.page.get_by_label("用户名", exact=True).fill(username)
        self.page.get_by_label("密码", exact=True).fill(password)
        self.page.get_by_role("button", name="登录").click()
        expect(self.page.get_by_role("heading", name="文章列表")).to_be_visible()


def open_session(browser, base_url: str, **context_options) -> BrowserSession:
    watch = Watch()
    options = {"viewport": DESKTOP, "locale": "zh-CN", "base_url": base_url, **context_options}
    context = browser.new_context(**options)
    context.set_default_timeout(10_000)
    context.expose_function(
        "__portalCspViolation", lambda report: watch.csp_violations.append(report)
    )
    context.add_init_script(WATCH_SCRIPT)
    context.on("page", lambda page: _watch_page(page, watch))  # new tabs too (preview)
    page = context.new_page()
    return BrowserSession(context=context, page=page, watch=watch, base_url=base_url)


@pytest.fixture
def session_factory(browser, live_server, app):  # noqa: ARG001 (app: see below)
    """Open browser contexts (viewport etc. as options); each is checked and closed after.
    ``app`` is requested for its effect: each test starts and ends with empty tables (a
    fixture cannot take ``usefixtures``)."""
    sessions: list[BrowserSession] = []

    def make(**context_options) -> BrowserSession:
        session = open_session(browser, live_server, **context_options)
        sessions.append(session)
        return session

    yield make
    for session in sessions:
        session.context.close()
    for session in sessions:
        # Whatever the test checked, no page it opened may have violated the CSP.
        assert session.watch.csp_violations == [], "a page violated the CSP"


@pytest.fixture
def web(session_factory) -> BrowserSession:
    """A desktop-sized browser session on a fresh context."""
    return session_factory()


# --- data ------------------------------------------------------------------------------------


@pytest.fixture
def make_site_post(make_channel, make_post):
    """``make_post`` on a site with the old site's two channels, as the navigation shows them:
    信息公告 (notices) and 普法动态 (news)."""
    make_channel("notices", name="信息公告", column_type="通知公告")
    make_channel("news", name="普法动态", column_type="工作动态")
    return make_post


@pytest.fixture
def editor_account(make_editor) -> tuple[str, str]:
    """An editor's user name and password (tests/conftest.py's make_editor makes the account)."""
    make_editor("editor", password=EDITOR_PASSWORD, display_name="测试编辑")
    return "editor", EDITOR_PASSWORD


@pytest.fixture
def sample_site(make_site_post) -> dict[str, str]:
    """Every kind of public page with content: 23 notices (so the list has a page 2) and a
    pinned article with a table, a link, bold text and an image. Maps names to paths."""
    now = now_utc()
    for number in range(1, 24):
        make_site_post(
            f"关于第{number}期法治讲座的通知", published_at=now - timedelta(hours=number)
        )
    article = make_site_post(
        "一篇有表格、链接和图片的文章",
        channel="news",
        pinned=True,
        source="市司法局",
        author="普法科",
        summary="文章摘要。",
        body_html=(
            '<p class="text-center"><strong>加粗的导语</strong></p>'
            '<p class="indent-2em">正文，<a href="https://www.gov.cn/">中国政府网</a>。</p>'
            "<table><thead><tr><th>项目</th><th>时间</th></tr></thead>"
            "<tbody><tr><td>讲座</td><td>周一</td></tr></tbody></table>"
            '<p><img src="/static/images/favicon.svg" alt="示意图" width="32" height="32"></p>'
        ),
    )
    return {"article": f"/news/{article.id}.html"}


@pytest.fixture
def demo_site(app):
    """The demo content (channels, the old site's notices and article), as `make run` shows."""
    from portal.demo.seed import seed_demo

    with app.app_context():
        seed_demo()


@pytest.fixture
def screenshot_folder(database_url) -> Path:
    """Where this backend's screenshots go (printed at the end of the run)."""
    backend = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    folder = SCREENSHOTS / backend
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def axe_source() -> str:
    return require_node_tool(AXE_SCRIPT, "axe-core").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def vnu_jar() -> Path:
    require(shutil.which("java") is not None, "Java", "apt-get install default-jre-headless")
    return require_node_tool(VNU_JAR, "vnu-jar")


# Whole seconds: a file system may store modification times coarser than time.time().
RUN_STARTED = int(time.time())


def pytest_terminal_summary(terminalreporter):
    """Name the screenshot folder only when this run saved a screenshot in it."""
    if SCREENSHOTS.is_dir() and any(
        path.stat().st_mtime >= RUN_STARTED for path in SCREENSHOTS.rglob("*.png")
    ):
        terminalreporter.write_line(f"browser test screenshots: {SCREENSHOTS}")

"""The production shape, end to end: Debian's nginx running the repository's deploy/nginx.conf
in front of two app servers, each gunicorn started with deploy/gunicorn.conf.py.

The site config is used as it is, with only its paths and ports replaced (deploy/README.md
lists them); the test supplies the main nginx.conf around it (pid, logs and temporary files in
a temporary folder, so it runs as any user). nginx is required where the browser tests are
(CI=true or PORTAL_REQUIRE_BROWSER=1): missing there, the tests fail; elsewhere they skip.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import http.client
import os
import pwd
import re
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from urllib.parse import quote

import live_gunicorn
import pytest
from support import require

from portal.web import security

pytestmark = pytest.mark.slow

ROOT = live_gunicorn.ROOT
NGINX = os.environ.get("PORTAL_NGINX", "/usr/sbin/nginx")
SITE_CONFIG = ROOT / "deploy" / "nginx.conf"
GUNICORN_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
MIME_TYPES = Path("/etc/nginx/mime.types")  # Debian's, as its nginx.conf includes it
START_SECONDS = 15
IMMUTABLE = "public, max-age=31536000, immutable"
CSP = security.CONTENT_SECURITY_POLICY
# The example values of deploy/nginx.conf that a site (and this test) replaces.
EXAMPLE_ROOT = "/srv/portal"
EXAMPLE_CACHE = "/var/cache/nginx-portal"
EXAMPLE_LISTEN = "listen 80;"
EXAMPLE_SERVERS = ("10.0.0.11:8000", "10.0.0.12:8000")

MAIN_CONFIG = """\
{user}
worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 128; }}
http {{
    include {mime_types};
    default_type application/octet-stream;
    sendfile on;
    access_log {folder}/access.log;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/portal.conf;
}}
"""


@pytest.fixture(scope="module")
def nginx_binary() -> str:
    available = os.access(NGINX, os.X_OK) and MIME_TYPES.is_file()
    require(available, f"nginx ({NGINX})", "apt-get install nginx")
    return NGINX


# --- servers -----------------------------------------------------------------------------------


def render_site_config(folder: Path, port: int, upstreams: list[int]) -> str:
    """deploy/nginx.conf with this run's paths and ports, and nothing else changed."""
    text = SITE_CONFIG.read_text(encoding="utf-8")
    replacements = [
        (EXAMPLE_ROOT, str(ROOT)),
        (EXAMPLE_CACHE, str(folder / "cache")),
        (EXAMPLE_LISTEN, f"listen 127.0.0.1:{port};"),
        *((f"server {example} ", f"server 127.0.0.1:{upstream} ")
          for example, upstream in zip(EXAMPLE_SERVERS, upstreams, strict=True)),
    ]  # fmt: skip
    for example, value in replacements:
        assert example in text, f"deploy/nginx.conf no longer has {example!r} (see this test)"
        text = text.replace(example, value)
    return text


def accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


@contextlib.contextmanager
def run_nginx(binary: str, folder: Path, upstreams: list[int]) -> Iterator[int]:
    """nginx on a free port with the site config proxying to ``upstreams``; yields the port."""
    folder.mkdir(parents=True, exist_ok=True)
    port = live_gunicorn.free_port()
    (folder / "portal.conf").write_text(render_site_config(folder, port, upstreams), "utf-8")
    # As root, nginx's workers would run as "nobody", who may not read this checkout or write
    # the temporary folder: keep them as the user running the tests (otherwise ignored).
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
    main = MAIN_CONFIG.format(user=user, folder=folder, mime_types=MIME_TYPES)
    (folder / "nginx.conf").write_text(main, encoding="utf-8")
    command = [binary, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-e", "stderr"]
    log_path = folder / "nginx.out"
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        # Readiness polling of a subprocess (not a sleep standing in for application time).
        deadline = time.monotonic() + START_SECONDS
        while not accepts(port):
            if process.poll() is not None or time.monotonic() > deadline:
                errors = log_path.read_text(errors="replace")
                raise RuntimeError(f"nginx did not start:\n{errors[-3000:]}")
            time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def app_servers(nginx_binary, database_url, tmp_path_factory) -> Iterator[list[int]]:  # noqa: ARG001 (no servers to start without nginx)
    """Two app servers on this run's database, as deploy/gunicorn.conf.py runs them behind one
    proxy (their --bind, a free port each, overrides the file's)."""
    folder = tmp_path_factory.mktemp("app-servers")
    secret = secrets.token_hex(32)
    env = {"PORTAL_PROXY_FIX_X_FOR": "1", "PORTAL_WORKERS": "2"}
    with contextlib.ExitStack() as stack:
        ports = []
        for number in (1, 2):
            server = live_gunicorn.serve(
                database_url,
                secret,
                folder / f"gunicorn-{number}.log",
                "-c",
                str(GUNICORN_CONFIG),
                env=env,
            )
            try:
                ports.append(stack.enter_context(server))
            except RuntimeError as error:
                pytest.fail(str(error), pytrace=False)
        yield ports


@pytest.fixture
def nginx(nginx_binary, tmp_path):
    """Start nginx (a fresh cache each time) in front of the given app server ports."""
    with contextlib.ExitStack() as stack:
        count = iter(range(100))

        def start(upstreams: list[int]) -> int:
            folder = tmp_path / f"nginx-{next(count)}"
            try:
                return stack.enter_context(run_nginx(nginx_binary, folder, upstreams))
            except RuntimeError as error:
                pytest.fail(str(error), pytrace=False)

        yield start


@pytest.fixture
def site(nginx, app_servers, app) -> int:  # noqa: ARG001 (app: each test starts from empty tables)
    """The port of nginx in front of both app servers."""
    return nginx(app_servers)


def closed_port() -> int:
    """A port nothing listens on (an app server that is down)."""
    return live_gunicorn.free_port()


# --- HTTP --------------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: Message
    body: bytes

    @property
    def text(self) -> str:
        body = self.body
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        return body.decode("utf-8")


def fetch(port: int, path: str, headers: dict | None = None, method: str = "GET") -> Response:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, headers={"Host": "pf.example.gov.cn", **(headers or {})})
        response = connection.getresponse()
        return Response(response.status, response.headers, response.read())
    finally:
        connection.close()


def raw_request(port: int, data: bytes) -> Response:
    """Send ``data`` as it is (a request http.client would not make) and read the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(data)
        received = b""
        while b"\r\n\r\n" not in received and (chunk := connection.recv(65536)):
            received += chunk
        head, _, body = received.partition(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        headers = Message()
        for line in lines:
            name, _, value = line.partition(":")
            headers[name.strip()] = value.strip()
        # Read the body by its length: nginx keeps the connection a while for the request's
        # unread body (lingering close).
        length = int(headers.get("Content-Length", "0"))
        while len(body) < length and (chunk := connection.recv(65536)):
            body += chunk
    return Response(int(status_line.split()[1]), headers, body)


def assert_security_headers(response: Response) -> None:
    """The app's headers, whether the app or nginx made the response (each exactly once)."""
    for name, value in {**security.HEADERS, "Content-Security-Policy": CSP}.items():
        assert response.headers.get_all(name) == [value], name


def assert_chinese_error_page(response: Response, status: int, heading: str) -> None:
    """nginx's own page for ``status``: the static Chinese page, in the site's look."""
    assert response.status == status
    assert response.headers.get_content_type() == "text/html"
    html = response.text
    assert '<html lang="zh-CN">' in html
    assert f"<h1>{heading}</h1>" in html
    assert f"错误代码：{status}" in html
    assert 'href="/static/css/site.css"' in html
    assert "nginx" not in html.lower().replace("nginx's own error page (deploy/nginx.conf)", "")
    assert response.headers.get("Cache-Control") == "no-store"
    assert_security_headers(response)


# --- the reader's pages and feeds --------------------------------------------------------------


def test_a_page_comes_through_in_chinese_with_the_security_headers(site, make_post):
    make_post("关于开展宪法宣传周活动的通知")
    response = fetch(site, "/")
    assert response.status == 200
    assert '<html lang="zh-CN"' in response.text
    assert "关于开展宪法宣传周活动的通知" in response.text
    assert_security_headers(response)
    assert response.headers.get("Set-Cookie") is None
    assert "cookie" not in response.headers.get("Vary", "").lower()


def test_html_is_gzipped(site, make_post):
    make_post("压缩测试公告", channel="gzip")
    response = fetch(site, "/gzip/", {"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert response.headers.get("Content-Encoding") == "gzip"
    assert "Accept-Encoding" in response.headers.get("Vary", "")
    assert "压缩测试公告" in response.text
    assert len(response.body) < len(response.text.encode())


def test_a_feed_is_cached_and_answers_304_to_its_etag(site, make_post):
    make_post("订阅测试公告")
    first = fetch(site, "/feeds/all.rss", {"Accept-Encoding": "gzip"})
    assert first.status == 200
    assert first.headers.get_content_type() == "application/rss+xml"
    assert first.headers.get("Content-Encoding") == "gzip"
    assert "订阅测试公告" in first.text
    assert first.headers.get("Cache-Control") == "public, max-age=300"
    etag = first.headers["ETag"]

    again = fetch(site, "/feeds/all.rss", {"Accept-Encoding": "gzip"})
    assert again.headers.get("X-Cache-Status") == "HIT"  # kept as its Cache-Control allows
    assert again.text == first.text

    for sent in (etag, etag.removeprefix("W/")):  # gzip made it weak; either form matches
        unchanged = fetch(site, "/feeds/all.rss", {"If-None-Match": sent})
        assert unchanged.status == 304, sent
        assert unchanged.body == b""


def test_a_reader_with_a_reading_aid_cookie_or_a_session_bypasses_the_cache(site):
    fetch(site, "/feeds/all.atom")
    assert fetch(site, "/feeds/all.atom").headers.get("X-Cache-Status") == "HIT"
    for cookie in ("font_size=large", "elder_mode=on", "session=abc"):
        response = fetch(site, "/feeds/all.atom", {"Cookie": cookie})
        assert response.headers.get("X-Cache-Status") == "BYPASS", cookie


def test_the_editor_is_never_cached(site):
    for _ in range(2):
        response = fetch(site, "/editor/login")
        assert response.status == 200
        assert "X-Cache-Status" not in response.headers
        assert response.headers.get("Set-Cookie", "").startswith("session=")
        assert response.headers.get("Cache-Control") == "no-store"  # as everything under /editor


# --- static files: nginx's own -----------------------------------------------------------------


def test_static_files_are_served_by_nginx_itself_immutable_when_versioned(site, nginx):
    page = fetch(site, "/").text
    link = re.search(r'href="(/static/css/site\.css\?v=[0-9a-f]{12})"', page).group(1)
    content = (ROOT / "static" / "css" / "site.css").read_bytes()
    assert link.endswith(hashlib.sha256(content).hexdigest()[:12])

    no_app = nginx([closed_port(), closed_port()])  # served with every app server down
    versioned = fetch(no_app, link)
    assert versioned.status == 200
    assert versioned.body == content
    assert versioned.headers.get("Cache-Control") == IMMUTABLE
    assert versioned.headers.get_content_type() == "text/css"
    assert_security_headers(versioned)
    plain = fetch(no_app, "/static/css/site.css")
    assert plain.headers.get("Cache-Control") == "public, max-age=3600"
    gzipped = fetch(no_app, link, {"Accept-Encoding": "gzip"})
    assert gzipped.headers.get("Content-Encoding") == "gzip"
    assert gzip.decompress(gzipped.body) == content
    missing = fetch(no_app, "/static/css/no-such-file.css")
    assert_chinese_error_page(missing, 404, "页面不存在")


# --- nginx's own errors ------------------------------------------------------------------------


def test_a_url_too_long_is_nginxs_chinese_414(site):
    response = fetch(site, "/notices/?q=" + quote("法" * 1000))  # 9 KB percent-encoded
    assert_chinese_error_page(response, 414, "网址过长")


def test_headers_too_large_are_nginxs_chinese_431(site):
    response = fetch(site, "/", {"Cookie": "font_size=" + "x" * 9000})
    assert_chinese_error_page(response, 431, "请求信息过大")


def test_a_body_too_large_is_nginxs_chinese_413(site):
    request = (
        b"POST /editor/login HTTP/1.1\r\nHost: pf.example.gov.cn\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: 5000000\r\nConnection: close\r\n\r\n"
    )
    assert_chinese_error_page(raw_request(site, request), 413, "提交内容过大")


def test_a_malformed_request_is_nginxs_chinese_400(site):
    response = raw_request(site, b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n")  # no Host
    assert_chinese_error_page(response, 400, "请求有误")


def test_one_app_server_down_is_not_noticed_and_all_down_is_the_chinese_502(
    nginx, app_servers, make_post
):
    make_post("故障切换测试公告", channel="failover")
    one_down = nginx([closed_port(), app_servers[0]])
    for _ in range(4):  # whichever server nginx tries first
        response = fetch(one_down, "/failover/")
        assert response.status == 200
        assert "故障切换测试公告" in response.text
    all_down = nginx([closed_port(), closed_port()])
    assert_chinese_error_page(fetch(all_down, "/"), 502, "网站暂时无法访问")
    # The page's stylesheet still comes (from nginx), so it looks like the site.
    assert fetch(all_down, "/static/css/site.css").status == 200


# --- without nginx -----------------------------------------------------------------------------

ONE_NGINX_TEST = "tests/test_nginx.py::test_a_malformed_request_is_nginxs_chinese_400"


def run_one_test_without_nginx(**settings: str) -> tuple[int, str]:
    """Exit status and summary line of pytest running one of these tests with no nginx."""
    unset = ("PORTAL_TEST_DATABASE_URL", "PORTAL_REQUIRE_BROWSER", "CI", "PYTEST_ADDOPTS")
    env = {name: value for name, value in os.environ.items() if name not in unset}
    env.update(settings, PORTAL_NGINX="/nonexistent/nginx")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", ONE_NGINX_TEST],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    lines = [line for line in run.stdout.splitlines() if line.strip()]
    assert lines, run.stderr
    return run.returncode, lines[-1]


def test_missing_nginx_fails_the_run_where_it_is_required():
    # CI=true means the same (tools_required), but also demands PostgreSQL of the run.
    status, summary = run_one_test_without_nginx(PORTAL_REQUIRE_BROWSER="1")
    assert status != 0, summary
    assert "error" in summary or "failed" in summary, summary
    assert "skipped" not in summary, summary


def test_missing_nginx_skips_on_a_developers_machine():
    status, summary = run_one_test_without_nginx()
    assert status == 0, summary
    assert "1 skipped" in summary, summary

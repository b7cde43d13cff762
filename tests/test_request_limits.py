"""Requests gunicorn itself would refuse, and forwarded headers gunicorn itself would trust.

Behind nginx (deploy/nginx.conf, run as tests/test_nginx.py runs it) every request the review
sent straight at gunicorn — a 5,000-character path, an 8 KB header, 120 headers, a NUL in a
header — and a control character in a header (which nginx passes on) is answered by a Chinese
page with the security headers, never by gunicorn's English plain-text one; gunicorn reached
directly answers what it refuses itself with the same pages (deploy/gunicorn.conf.py's worker).
And with ``PORTAL_PROXY_FIX_X_FOR`` at 0, gunicorn started from deploy/gunicorn.conf.py lets no
forwarded header change the scheme or host of a link.
"""

from __future__ import annotations

import contextlib
import http.client
import re
import secrets
from collections.abc import Iterator

import live_gunicorn
import pytest

# The production shape's servers and helpers, exactly as the nginx tests use them.
from test_nginx import (  # noqa: F401 (fixtures are used by name)
    GUNICORN_CONFIG,
    Response,
    app_servers,
    assert_chinese_error_page,
    assert_security_headers,
    fetch,
    nginx,
    nginx_binary,
    raw_request,
    site,
)

pytestmark = pytest.mark.slow

GUNICORNS_OWN_PAGE = re.compile(r"bad request|invalid|limit", re.IGNORECASE)


def request_with_headers(port: int, lines: list[bytes], path: bytes = b"/") -> Response:
    head = b"GET " + path + b" HTTP/1.1\r\nHost: pf.example.gov.cn\r\nConnection: close\r\n"
    return raw_request(port, head + b"".join(line + b"\r\n" for line in lines) + b"\r\n")


def assert_not_gunicorns_page(response: Response) -> None:
    assert_security_headers(response)
    assert '<html lang="zh-CN"' in response.text
    assert not GUNICORNS_OWN_PAGE.search(response.text), response.text[:300]


# --- through nginx: the review's requests ------------------------------------------------------


def test_a_5000_character_path_is_the_apps_chinese_404(site):  # noqa: F811 (the imported fixture)
    response = fetch(site, "/notices/" + "a" * 5000)
    assert response.status == 404
    assert_not_gunicorns_page(response)
    assert "页面不存在" in response.text


def test_an_8_kb_header_is_nginxs_chinese_431(site):  # noqa: F811 (the imported fixture)
    response = request_with_headers(site, [b"X-Padding: " + b"a" * 8192])
    assert_chinese_error_page(response, 431, "请求信息过大")


@pytest.mark.parametrize("count", [120, 850])
def test_many_headers_reach_the_app(site, count):  # noqa: F811 (the imported fixture)
    # nginx counts no headers, so gunicorn must take as many as fit nginx's buffers (850 short
    # ones, 16 KB, do; gunicorn's default limit is 100).
    lines = [b"X-Header-%d: %d" % (number, number) for number in range(count)]
    response = request_with_headers(site, lines)
    assert response.status == 200
    assert_not_gunicorns_page(response)


def test_more_headers_than_nginx_takes_get_its_chinese_431(site):  # noqa: F811 (the imported fixture)
    lines = [b"X-Header-%d: %d" % (number, number) for number in range(4000)]
    assert_chinese_error_page(request_with_headers(site, lines), 431, "请求信息过大")


@pytest.mark.parametrize(
    "line",
    [b"X-Test: a\x00b", b"User-Agent: Mozilla\x00/5.0", b"X-\x00Test: a"],
    ids=["value", "user agent", "name"],
)
def test_a_nul_in_a_header_is_nginxs_chinese_400(site, line):  # noqa: F811 (the imported fixture)
    assert_chinese_error_page(request_with_headers(site, [line]), 400, "请求有误")


@pytest.mark.parametrize(
    "line",
    [b"X-Test: a\x01b", b"X-Test: a\x7fb", b"X-Test: a\x0bb", b"X-Test: \xff\xfe", b"X_Test: a"],
    ids=["control", "delete", "vertical tab", "not utf-8", "underscore"],
)
def test_odd_bytes_in_a_header_never_reach_gunicorns_page(site, line):  # noqa: F811 (the imported fixture)
    response = request_with_headers(site, [line])
    if response.status == 400:
        assert_chinese_error_page(response, 400, "请求有误")
    else:
        assert response.status == 200
        assert_not_gunicorns_page(response)


# --- gunicorn from deploy/gunicorn.conf.py, reached directly -----------------------------------


@contextlib.contextmanager
def gunicorn(database_url: str, folder, **env: str) -> Iterator[int]:
    server = live_gunicorn.serve(
        database_url,
        secrets.token_hex(32),
        folder / "gunicorn.log",
        "-c",
        str(GUNICORN_CONFIG),
        env={"PORTAL_WORKERS": "1", **env},
    )
    try:
        with server as port:
            yield port
    except RuntimeError as error:
        pytest.fail(str(error), pytrace=False)


def raw_request_to(port: int, request_line: bytes, lines: list[bytes]) -> Response:
    head = request_line + b"\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    return raw_request(port, head + b"".join(line + b"\r\n" for line in lines) + b"\r\n")


# What gunicorn refuses itself, reached directly: the Chinese page of its status, with the
# security headers, never its English one (status, heading).
REFUSED_BY_GUNICORN = {
    "control character": (b"GET / HTTP/1.1", [b"X-Test: a\x01b"], 400, "请求有误"),
    "delete": (b"GET / HTTP/1.1", [b"X-Test: a\x7fb"], 400, "请求有误"),
    "vertical tab": (b"GET / HTTP/1.1", [b"User-Agent: a\x0bb"], 400, "请求有误"),
    "nul": (b"GET / HTTP/1.1", [b"X-Test: a\x00b"], 400, "请求有误"),
    "header name": (b"GET / HTTP/1.1", [b"X Test: a"], 400, "请求有误"),
    "long request line": (b"GET /" + b"a" * 9000 + b" HTTP/1.1", [], 414, "网址过长"),
    "long header": (b"GET / HTTP/1.1", [b"X-Padding: " + b"a" * 9000], 431, "请求信息过大"),
    "bad version": (b"GET / HTTP/9.9", [], 400, "请求有误"),
}


def test_gunicorn_reached_directly_answers_with_the_chinese_pages(database_url, tmp_path):
    with gunicorn(database_url, tmp_path) as port:
        assert raw_request_to(port, b"GET /healthz HTTP/1.1", []).status == 200
        for name, (request_line, lines, status, heading) in REFUSED_BY_GUNICORN.items():
            response = raw_request_to(port, request_line, lines)
            assert response.status == status, name
            assert_chinese_error_page(response, status, heading)
    log = (tmp_path / "gunicorn.log").read_text()
    assert log.count("Invalid request from ip=") >= len(REFUSED_BY_GUNICORN)  # still logged


def canonical_link(port: int, headers: dict[str, str]) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", "/forwarded/", headers={"Host": "127.0.0.1", **headers})
        response = connection.getresponse()
        html = response.read().decode("utf-8")
    finally:
        connection.close()
    assert response.status == 200, html[:300]
    (link,) = re.findall(r'<link rel="canonical" href="([^"]+)">', html)
    return link


FORWARDED = [
    {"X-Forwarded-Proto": "https"},
    {"X-Forwarded-Ssl": "on"},
    {"X-Forwarded-Protocol": "ssl"},
    {"X-Forwarded-Host": "evil.example"},
    {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Port": "443"},
    {"Forwarded": "proto=https;host=evil.example"},
]


@pytest.mark.parametrize("proxies", [None, "0"])
def test_without_a_trusted_proxy_no_forwarded_header_changes_a_link(
    database_url, make_post, tmp_path, proxies
):
    make_post("转发头测试", channel="forwarded")
    env = {} if proxies is None else {"PORTAL_PROXY_FIX_X_FOR": proxies}
    with gunicorn(database_url, tmp_path, **env) as port:
        plain = canonical_link(port, {})
        assert plain == "http://127.0.0.1/forwarded/"
        for headers in FORWARDED:
            assert canonical_link(port, headers) == plain, headers


def test_behind_a_proxy_only_its_scheme_header_counts(database_url, make_post, tmp_path):
    make_post("转发头测试", channel="forwarded")
    env = {"PORTAL_PROXY_FIX_X_FOR": "1", "PORTAL_FORWARDED_ALLOW_IPS": "127.0.0.1"}
    with gunicorn(database_url, tmp_path, **env) as port:
        assert canonical_link(port, {"X-Forwarded-Proto": "https"}).startswith("https://")
        # What nginx passes on from the client untouched must not make a link https.
        assert canonical_link(port, {"X-Forwarded-Ssl": "on"}).startswith("http://")
        assert canonical_link(port, {"X-Forwarded-Protocol": "ssl"}).startswith("http://")

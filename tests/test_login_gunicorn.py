"""The login lockout in the real deployment shape: gunicorn with two worker processes.

Per-process memory would let each worker allow its own five attempts; the counter lives in the
database (or Redis), so the lock holds whichever worker answers. Ten wrong passwords are sent at
once, so both workers are busy (the access log, which records each worker's pid, proves it), and
at most five of them may even be checked: the rest, and then the right password, get 429.
"""

from __future__ import annotations

import http.client
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import live_gunicorn
import pytest
from support import EDITOR_PASSWORD, REDIS_URL, SECRET_KEY, csrf_token

pytestmark = pytest.mark.slow  # starts gunicorn

LOCKED_TEXT = "登录失败次数过多"


class Server:
    def __init__(self, port: int):
        self.port = port

    def request(self, method, path, body=None, cookie=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
        if cookie:
            headers["Cookie"] = cookie
        try:
            connection.request(
                method, path, body=urlencode(body) if body else None, headers=headers
            )
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read().decode()
        finally:
            connection.close()


@pytest.fixture(params=["database", "redis"])
def storage(request):
    """The counter's backend for the server, and its environment settings."""
    if request.param == "database":
        return {"PORTAL_RATELIMIT_STORAGE_URI": "database"}
    _server, prefix = request.getfixturevalue("redis_prefix")
    return {"PORTAL_RATELIMIT_STORAGE_URI": REDIS_URL, "PORTAL_RATELIMIT_KEY_PREFIX": prefix}


@pytest.fixture
def gunicorn(make_editor, database_url, storage, tmp_path):
    """gunicorn, two sync workers, on a free port, using this test's database, where the
    editor "editor" has an account. Its password is hashed as in production (scrypt): each
    check keeps a worker busy for a while, so ten attempts at once reach both workers."""
    make_editor("editor", real_hash=True)
    access_log = tmp_path / "access.log"
    options = ["--workers", "2", "--access-logfile", str(access_log)]
    options += ["--access-logformat", "%(p)s %(m)s %(U)s %(s)s"]
    with live_gunicorn.serve(
        database_url, SECRET_KEY, tmp_path / "gunicorn.log", *options, env=storage
    ) as port:
        server = Server(port)
        server.access_log = access_log
        yield server


def login_page(server):
    status, headers, page = server.request("GET", "/editor/login")
    assert status == 200
    return headers["Set-Cookie"].split(";", 1)[0], csrf_token(page)


def test_lockout_holds_across_gunicorn_workers(gunicorn):
    cookie, token = login_page(gunicorn)

    def attempt(password):
        body = {"csrf_token": token, "username": "editor", "password": password}
        return gunicorn.request("POST", "/editor/login", body=body, cookie=cookie)

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(attempt, [f"wrong password {n}" for n in range(10)]))
    statuses = sorted(status for status, _, _ in results)
    checked = statuses.count(400)  # the password was checked and was wrong
    locked = statuses.count(429)
    assert checked + locked == 10, statuses
    assert checked <= 5, statuses  # never more than five guesses per window, however raced
    assert locked >= 5, statuses
    assert all(LOCKED_TEXT in page for status, _, page in results if status == 429)

    status, _, page = attempt(EDITOR_PASSWORD)
    assert status == 429
    assert LOCKED_TEXT in page
    status, headers, _ = gunicorn.request("GET", "/editor/", cookie=cookie)
    assert status == 302
    assert headers["Location"].startswith("/editor/login")

    # Both workers answered login attempts: the lock did not depend on one process's memory.
    log = gunicorn.access_log.read_text()
    pids = {line.split()[0] for line in log.splitlines() if " POST /editor/login " in line}
    assert len(pids) >= 2, log


def test_correct_password_logs_in_through_gunicorn(gunicorn):
    cookie, token = login_page(gunicorn)
    body = {"csrf_token": token, "username": "editor", "password": EDITOR_PASSWORD}
    status, headers, _ = gunicorn.request("POST", "/editor/login", body=body, cookie=cookie)
    assert status == 302
    assert headers["Location"] == "/editor/"
    session = headers["Set-Cookie"].split(";", 1)[0]
    assert gunicorn.request("GET", "/editor/", cookie=session)[0] == 200

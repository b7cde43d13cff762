"""The failed-login lockout: a guesser is stopped, but a stranger cannot lock an editor out.

Five wrong passwords for an account lock that account *from that address* (or that known
browser); an address trying many accounts is stopped at twenty; one account guessed from many
addresses at a ceiling (configurable; lowered here to keep the test short) — except for
browsers that have logged in to it before, which carry a signed cookie and are counted on their
own. Every rule is checked with the database counter and with Redis. Across gunicorn workers:
test_login_gunicorn.py, and the stranger case at the end of this file.
"""

from __future__ import annotations

import http.client
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import urlencode

import live_gunicorn
import pytest
from support import EDITOR_PASSWORD, REDIS_URL, SECRET_KEY, csrf_token, login, press

from portal import create_app
from portal.config import DefaultConfig
from portal.timeutil import now_utc

LOCKED_TEXT = "登录失败次数过多，请15分钟后再试。"
EDITOR_ADDRESS = "198.51.100.20"
STRANGER_ADDRESS = "203.0.113.66"


@pytest.fixture
def redis_counter(app_config, redis_prefix):
    """Point the counter at Redis, under a prefix of this test's own."""
    server, prefix = redis_prefix
    app_config["RATELIMIT_STORAGE_URI"] = REDIS_URL
    app_config["RATELIMIT_KEY_PREFIX"] = prefix
    return server, prefix


@pytest.fixture(params=["database", "redis"])
def backend(request):
    """Each rule holds with either counter: the login_failure table, or Redis."""
    if request.param == "redis":
        request.getfixturevalue("redis_counter")
    return request.param


def is_logged_in(client) -> bool:
    return client.get("/editor/").status_code == 200


def fail(client, times, username="editor", remote_addr=None):
    for _ in range(times):
        response = login(client, username, "wrong password!", remote_addr=remote_addr)
        assert response.status_code == 400, response.status_code


def assert_locked(response):
    assert response.status_code == 429
    assert LOCKED_TEXT in response.get_data(as_text=True)
    assert response.headers["Retry-After"] == "900"


def known_browser(app, username="editor", remote_addr=EDITOR_ADDRESS):
    """A browser that has logged in to ``username`` (and logged out again): it keeps the
    signed login_device cookie."""
    browser = app.test_client()
    assert login(browser, username, remote_addr=remote_addr).status_code == 302
    assert press(browser, "/editor/logout").status_code == 302
    assert browser.get_cookie("login_device", path="/editor/login") is not None
    return browser


# --- the guesser is stopped -------------------------------------------------------------------


@pytest.mark.usefixtures("clock", "backend")
def test_five_failures_lock_the_account_from_that_address_even_for_the_right_password(
    client, make_editor
):
    make_editor()
    fail(client, 5, remote_addr=STRANGER_ADDRESS)
    assert_locked(login(client, remote_addr=STRANGER_ADDRESS))
    assert not is_logged_in(client)


@pytest.mark.usefixtures("clock", "backend")
def test_four_failures_do_not_lock(client, make_editor):
    make_editor()
    fail(client, 4)
    assert login(client).status_code == 302


@pytest.mark.usefixtures("clock", "backend")
def test_an_address_trying_many_accounts_is_stopped_for_all_of_them(client, make_editor):
    make_editor("victim")
    per_address = DefaultConfig.LOGIN_MAX_FAILURES_PER_ADDRESS
    for number in range(per_address // 4):
        make_editor(f"guess{number}")  # real accounts: a miss would cost a real scrypt check
    for number in range(per_address):  # four guesses each: under every account's own limit
        fail(client, 1, username=f"guess{number // 4}", remote_addr=STRANGER_ADDRESS)
    assert_locked(login(client, "victim", remote_addr=STRANGER_ADDRESS))
    assert login(client, "victim", remote_addr=EDITOR_ADDRESS).status_code == 302


@pytest.fixture
def account_ceiling(app_config):
    app_config["LOGIN_MAX_FAILURES_PER_ACCOUNT"] = 12
    return 12


@pytest.mark.usefixtures("clock", "backend")
def test_one_account_guessed_from_many_addresses_reaches_its_ceiling(
    account_ceiling, client, make_editor
):
    make_editor()
    for number in range(account_ceiling):  # two guesses from each address: under its limit
        fail(client, 1, remote_addr=f"10.0.{number // 2}.1")
    assert_locked(login(client, remote_addr="10.99.0.1"))  # a new browser at a new address


# --- ... but cannot lock the editor out -------------------------------------------------------


@pytest.mark.usefixtures("clock", "backend")
def test_a_strangers_failures_from_another_address_do_not_lock_the_editor_out(
    app, client, make_editor
):
    make_editor()
    stranger = app.test_client()
    fail(stranger, 5, remote_addr=STRANGER_ADDRESS)
    for _ in range(5):  # the stranger keeps trying: still locked, and nothing is checked
        assert_locked(login(stranger, "editor", "guess again!", remote_addr=STRANGER_ADDRESS))
    assert login(client, remote_addr=EDITOR_ADDRESS).status_code == 302
    assert is_logged_in(client)


@pytest.mark.usefixtures("clock", "backend")
def test_a_known_browser_logs_in_past_the_account_ceiling(account_ceiling, app, make_editor):
    make_editor()
    browser = known_browser(app)
    stranger = app.test_client()
    for number in range(account_ceiling):
        fail(stranger, 1, remote_addr=f"10.0.{number // 2}.1")
    assert_locked(login(stranger, remote_addr="10.99.0.1"))
    # The editor's usual browser, even from an address the stranger used:
    assert login(browser, remote_addr="10.0.0.1").status_code == 302
    assert is_logged_in(browser)


@pytest.mark.usefixtures("clock", "backend")
def test_a_stranger_at_the_same_address_does_not_lock_out_a_known_browser(app, make_editor):
    make_editor()
    browser = known_browser(app, remote_addr=EDITOR_ADDRESS)
    stranger = app.test_client()  # e.g. in the same office, behind the same address
    fail(stranger, 5, remote_addr=EDITOR_ADDRESS)
    assert_locked(login(stranger, remote_addr=EDITOR_ADDRESS))
    for number in range(DefaultConfig.LOGIN_MAX_FAILURES_PER_ADDRESS - 5):
        if number % 4 == 0:
            make_editor(f"other{number // 4}")
        fail(stranger, 1, username=f"other{number // 4}", remote_addr=EDITOR_ADDRESS)
    assert_locked(login(stranger, "someone", remote_addr=EDITOR_ADDRESS))  # the whole address
    assert login(browser, remote_addr=EDITOR_ADDRESS).status_code == 302


@pytest.mark.usefixtures("clock", "backend")
def test_a_known_browser_still_gets_only_five_guesses(app, make_editor):
    make_editor()
    browser = known_browser(app)
    fail(browser, 5, remote_addr=EDITOR_ADDRESS)
    assert_locked(login(browser, remote_addr=EDITOR_ADDRESS))
    assert login(app.test_client(), remote_addr="192.0.2.1").status_code == 302


@pytest.mark.usefixtures("clock")
@pytest.mark.parametrize("kind", ["another account's", "tampered", "unsigned"])
def test_only_a_valid_cookie_of_the_same_account_makes_a_browser_known(
    account_ceiling, app, make_editor, kind
):
    make_editor()
    make_editor("other")
    browser = known_browser(app, "other")
    cookie = browser.get_cookie("login_device", path="/editor/login").value
    forged = {
        "another account's": cookie,
        "tampered": cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB"),
        "unsigned": '["editor", "0123456789abcdef"]',
    }[kind]
    browser.set_cookie("login_device", forged, path="/editor/login")
    for number in range(account_ceiling):
        fail(app.test_client(), 1, remote_addr=f"10.0.{number // 2}.1")
    assert_locked(login(browser, remote_addr="10.99.0.1"))


def test_the_known_browser_cookie_is_http_only_and_sent_only_to_the_login_form(client, make_editor):
    make_editor()
    response = login(client)
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("login_device=")]
    assert len(cookies) == 1, response.headers.getlist("Set-Cookie")
    attributes = {part.strip().split("=")[0]: part for part in cookies[0].split(";")}
    assert attributes["Path"].strip() == "Path=/editor/login"
    assert attributes["Max-Age"].strip() == f"Max-Age={90 * 24 * 3600}"
    assert "HttpOnly" in attributes
    assert attributes["SameSite"].strip() == "SameSite=Lax"


# --- the window ---------------------------------------------------------------------------------


@pytest.mark.usefixtures("backend")
def test_the_lock_ends_when_the_window_has_passed(client, make_editor, clock):
    make_editor()
    start = now_utc()
    fail(client, 5)
    clock(start + timedelta(minutes=14, seconds=59))
    assert_locked(login(client))
    clock(start + timedelta(minutes=15, seconds=1))
    assert login(client).status_code == 302


@pytest.mark.usefixtures("backend")
def test_locked_attempts_do_not_extend_the_lock(client, make_editor, clock):
    make_editor()
    start = now_utc()
    fail(client, 5)
    for minutes in (5, 10, 14):
        clock(start + timedelta(minutes=minutes))
        assert_locked(login(client, "editor", "wrong again!"))
    clock(start + timedelta(minutes=15, seconds=1))
    assert login(client).status_code == 302


@pytest.mark.usefixtures("clock", "backend")
def test_success_forgets_the_failures_from_its_own_address_only(app, client, make_editor):
    make_editor()
    fail(client, 4, remote_addr="10.1.1.1")
    assert login(client, remote_addr="10.1.1.1").status_code == 302
    press(client, "/editor/logout")
    fail(client, 4, remote_addr="10.1.1.1")  # forgotten: four more do not lock
    assert login(client, remote_addr="10.1.1.1").status_code == 302
    stranger = app.test_client()
    fail(stranger, 4, remote_addr=STRANGER_ADDRESS)
    assert login(app.test_client(), remote_addr=EDITOR_ADDRESS).status_code == 302
    fail(stranger, 1, remote_addr=STRANGER_ADDRESS)  # the editor's login did not reset it
    assert_locked(login(stranger, remote_addr=STRANGER_ADDRESS))


@pytest.mark.usefixtures("clock", "backend")
def test_a_success_takes_its_typos_out_of_the_address_count(client, make_editor):
    """Four typos, then the right password, at an office address: the typos no longer count
    against the address, which may still see 19 other failures before it is stopped."""
    make_editor()
    for number in range(5):
        make_editor(f"colleague{number}")
    fail(client, 4, remote_addr=EDITOR_ADDRESS)
    assert login(client, remote_addr=EDITOR_ADDRESS).status_code == 302
    press(client, "/editor/logout")
    others = DefaultConfig.LOGIN_MAX_FAILURES_PER_ADDRESS - 1
    for number in range(others):
        fail(client, 1, username=f"colleague{number // 4}", remote_addr=EDITOR_ADDRESS)
    assert login(client, "colleague4", remote_addr=EDITOR_ADDRESS).status_code == 302
    press(client, "/editor/logout")


@pytest.mark.usefixtures("clock")
def test_redis_counts_in_redis_not_in_the_process(redis_counter, client, make_editor):
    server, prefix = redis_counter
    make_editor()
    fail(client, 5, remote_addr=STRANGER_ADDRESS)
    assert server.zcard(f"{prefix}user:editor") == 5
    assert server.zcard(f"{prefix}addr:{STRANGER_ADDRESS}") == 5
    assert server.zcard(f"{prefix}source:editor:{STRANGER_ADDRESS}") == 5
    assert server.ttl(f"{prefix}user:editor") <= 900


def test_unknown_storage_uri_is_refused(app_config):
    app_config["RATELIMIT_STORAGE_URI"] = "memory://"
    with pytest.raises(ValueError, match="RATELIMIT_STORAGE_URI"):
        create_app(dict(app_config))


# --- across gunicorn workers -------------------------------------------------------------------


def _request(port, method, path, *, body=None, cookie=None, forwarded_for=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
    if cookie:
        headers["Cookie"] = cookie
    if forwarded_for:
        headers["X-Forwarded-For"] = forwarded_for
    try:
        connection.request(method, path, body=urlencode(body) if body else None, headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


@pytest.mark.slow
def test_a_strangers_guesses_on_both_workers_do_not_lock_the_editor_out(
    make_editor, database_url, tmp_path
):
    """gunicorn with two workers behind one (simulated) proxy: ten guesses at once from one
    address reach both workers, at most five are checked; the editor, elsewhere, logs in."""
    make_editor("editor", real_hash=True)  # scrypt: each check keeps a worker busy
    access_log = tmp_path / "access.log"
    options = ["--workers", "2", "--access-logfile", str(access_log)]
    options += ["--access-logformat", "%(p)s %(m)s %(U)s %(s)s"]
    with live_gunicorn.serve(
        database_url,
        SECRET_KEY,
        tmp_path / "gunicorn.log",
        *options,
        env={"PORTAL_PROXY_FIX_X_FOR": "1"},
    ) as port:

        def attempt(password, address):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", "/editor/login", headers={"X-Forwarded-For": address})
            response = connection.getresponse()
            cookie = response.getheader("Set-Cookie").split(";", 1)[0]
            token = csrf_token(response.read().decode())
            connection.close()
            body = {"csrf_token": token, "username": "editor", "password": password}
            return _request(
                port, "POST", "/editor/login", body=body, cookie=cookie, forwarded_for=address
            )

        with ThreadPoolExecutor(max_workers=10) as pool:
            guesses = [f"wrong password {n}" for n in range(10)]
            results = list(pool.map(attempt, guesses, [STRANGER_ADDRESS] * 10))
        statuses = sorted(status for status, _ in results)
        assert statuses.count(400) <= 5, statuses
        assert statuses.count(400) + statuses.count(429) == 10, statuses
        assert attempt(EDITOR_PASSWORD, STRANGER_ADDRESS)[0] == 429
        assert attempt(EDITOR_PASSWORD, EDITOR_ADDRESS)[0] == 302
    log = access_log.read_text()
    pids = {line.split()[0] for line in log.splitlines() if " POST /editor/login " in line}
    assert len(pids) >= 2, log

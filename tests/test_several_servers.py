"""Correct on several servers: two gunicorn servers (two workers each) on one PostgreSQL
database are one site, whatever server a reader, a subscriber or an editor reaches.

- A notice published through A is in B's sidebar, channel list, feeds (a conditional GET with
  the old ETag gets the new feed) and sitemap on the next request; withdrawn through B, it is
  gone from all of A's on the next request.
- 2,000 reader views spread over both servers by 16 concurrent clients are 2,000 counts.
- The login lockout reached on A holds on B; an editor's session from A works on B.
- ``kill -9`` of all of A during editor saves and reads: B answers every request, and no save
  is half-applied or lost.
- A PostgreSQL restart during reads: the outage's requests get the Chinese 503 page, never a
  500, and both servers answer again by themselves.

The first three run twice: with the login counter in the database, and in Redis (with the page
cache in Redis too, where the app has one). Each server pair has a fresh schema, migrated with
``flask db upgrade``; the restart test has a PostgreSQL cluster of its own. PostgreSQL is needed
(``PORTAL_TEST_DATABASE_URL``, which CI always sets).
"""

from __future__ import annotations

import os
import re
import time
import uuid
import xml.etree.ElementTree as ET
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

import feedparser
import pytest
import redis
import sqlalchemy as sa
from servers import (
    Load,
    Outcome,
    Response,
    Server,
    fresh_schema,
    migrate,
    running,
    server_env,
    throwaway_postgres,
    timed,
)
from support import EDITOR_PASSWORD, REDIS_URL, SECRET_KEY, base_config, csrf_token, form_fields
from test_security_headers import FIXED_HEADERS
from werkzeug.security import generate_password_hash

from portal import create_app
from portal.config import DefaultConfig
from portal.extensions import db
from portal.posts import service
from portal.posts.content import PostContent
from portal.posts.models import Channel, Post, Revision, User
from portal.posts.states import PostAction

POSTGRES_URL = os.environ.get("PORTAL_TEST_DATABASE_URL")
pytestmark = [
    pytest.mark.slow,  # starts gunicorn servers (and a PostgreSQL cluster)
    pytest.mark.skipif(
        not POSTGRES_URL, reason="needs PostgreSQL: set PORTAL_TEST_DATABASE_URL (CI does)"
    ),
]

SITE_URL = "https://pf.example.gov.cn"  # one canonical base: the same feeds on every server
SETTINGS = {"PORTAL_SITE_URL": SITE_URL, "PORTAL_FEED_TAG_AUTHORITY": "pf.example.gov.cn,2026"}
EDITOR, EDITOR_NAME = "editor", "王编辑"
LOCKED_OUT = "lockout-target"  # the account the lockout test locks
FEEDS = ("/feeds/all.rss", "/feeds/all.atom", "/feeds/notices.rss", "/feeds/notices.atom")
CRAWLER = {"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1)"}  # reads, never counts
VIEW_COUNT = re.compile(r'<span class="view-count">(\d+)</span>')


# --- the site: rows made in-process, before or beside the servers ------------------------------


@dataclass
class Site:
    database_url: str
    notices_id: int
    posts: list[int]


def seed(database_url: str, posts: int = 0) -> Site:
    """Channels, the editors, and ``posts`` published notices (through the write path, so each
    has its first revision and every server's page cache hears of it)."""
    app = create_app(base_config(database_url))
    try:
        with app.app_context():
            notices = Channel(slug="notices", name="信息公告", column_type="通知公告", position=1)
            news = Channel(slug="news", name="普法动态", column_type="工作动态", position=2)
            cheap = generate_password_hash(EDITOR_PASSWORD, method="pbkdf2:sha256:1")
            editors = [
                User(username=name, display_name=shown, password_hash=cheap)
                for name, shown in ((EDITOR, EDITOR_NAME), (LOCKED_OUT, "锁定测试"))
            ]
            db.session.add_all([notices, news, *editors])
            db.session.commit()
            ids = [publish_in_process(notices.id, f"种子公告{n}") for n in range(posts)]
            return Site(database_url, notices.id, ids)
    finally:
        with app.app_context():
            db.engine.dispose()


def publish_in_process(channel_id: int, title: str) -> int:
    content = PostContent.from_raw_body(
        f"<p>{title}的正文。</p>", title=title, channel_id=channel_id, source="市司法局"
    )
    return service.create(content, action=PostAction.PUBLISH, published_at=None, editor=None).id


def add_notice(site: Site, title: str) -> int:
    app = create_app(base_config(site.database_url))
    try:
        with app.app_context():
            return publish_in_process(site.notices_id, title)
    finally:
        with app.app_context():
            db.engine.dispose()


def query(database_url: str, statement, **params) -> list:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(statement, params))
    finally:
        engine.dispose()


def login(server: Server, username: str = EDITOR, password: str = EDITOR_PASSWORD) -> Response:
    """Through the real login form: GET it, POST it with its CSRF token."""
    form = server.get("/editor/login")
    assert form.status == 200, form.status
    fields = {"csrf_token": csrf_token(form.text), "username": username, "password": password}
    return server.post("/editor/login", fields, cookie=form.cookie())


def session_of(server: Server) -> str:
    response = login(server)
    assert response.status == 302, (response.status, response.text[:500])
    cookie = response.cookie()
    assert cookie
    return cookie


# --- two servers on a fresh schema, with either login counter ---------------------------------


@dataclass
class Pair:
    a: Server
    b: Server
    site: Site
    cookie: str  # the editor's session, logged in on A


@pytest.fixture(scope="module", params=["database", "redis"])
def pair(request, tmp_path_factory):
    settings = dict(SETTINGS)
    prefix = f"portal-test:{uuid.uuid4().hex}:"
    if request.param == "redis":
        settings |= {
            "PORTAL_RATELIMIT_STORAGE_URI": REDIS_URL,
            "PORTAL_RATELIMIT_KEY_PREFIX": f"{prefix}login:",
            # The shared page cache's store, where the app has one (ignored otherwise).
            "PORTAL_CACHE_REDIS_URL": REDIS_URL,
            "PORTAL_CACHE_KEY_PREFIX": f"{prefix}page:",
        }
    log_dir = tmp_path_factory.mktemp(f"servers-{request.param}")
    try:
        with fresh_schema(POSTGRES_URL) as url:
            site = seed(url)
            env = server_env(url, SECRET_KEY, settings)
            with running(["A", "B"], env, log_dir) as (a, b):
                yield Pair(a, b, site, session_of(a))
    finally:
        if request.param == "redis":
            client = redis.Redis.from_url(REDIS_URL)
            keys = list(client.scan_iter(f"{prefix}*"))
            if keys:
                client.delete(*keys)
            client.close()


# --- what a server shows of one post ----------------------------------------------------------


def region(html: str, start: str, end: str) -> str:
    match = re.search(re.escape(start) + r".*?" + re.escape(end), html, re.S)
    assert match, f"no {start}…{end} on the page"
    return match.group(0)


def feed_ids(text: str) -> list[str]:
    parsed = feedparser.parse(text)
    assert not parsed.bozo, parsed.bozo_exception
    return [entry.id for entry in parsed.entries]


def sitemap_paths(server: Server) -> set[str]:
    """Every page path the sitemap lists (following a sitemap index to its files)."""
    namespace = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    paths: set[str] = set()
    pending, seen = ["/sitemap.xml"], set()
    while pending and len(seen) < 20:
        path = pending.pop()
        seen.add(path)
        response = server.get(path)
        assert response.status == 200, (server, path, response.status)
        root = ET.fromstring(response.text)
        locs = [urlsplit(loc.text or "").path for loc in root.iter(f"{namespace}loc")]
        if root.tag == f"{namespace}sitemapindex":
            pending += [loc for loc in locs if loc not in seen]
        else:
            paths.update(locs)
    return paths


def shown(server: Server, post_id: int) -> dict[str, bool]:
    """Where the post appears on ``server``: each place a reader or subscriber looks."""
    href = f"/notices/{post_id}.html"
    tag = f"tag:pf.example.gov.cn,2026:post/{post_id}"
    home, channel = server.get("/"), server.get("/notices/")
    assert home.status == channel.status == 200, (home.status, channel.status)
    places = {
        "sidebar": href in region(home.text, '<aside class="sidebar"', "</aside>"),
        "channel list": href in region(channel.text, '<main id="content"', "</main>"),
        "article": server.get(href, headers=CRAWLER).status == 200,
        "sitemap": href in sitemap_paths(server),
    }
    for path in FEEDS:
        response = server.get(path)
        assert response.status == 200, (server, path, response.status)
        places[path] = tag in feed_ids(response.text)
    return places


def shown_by_every_worker(server: Server, post_id: int) -> dict[str, bool]:
    """``shown`` asked three times at once (so both workers answer): they must agree."""
    with ThreadPoolExecutor(3) as pool:
        answers = list(pool.map(lambda _: shown(server, post_id), range(3)))
    assert all(answer == answers[0] for answer in answers), answers
    return answers[0]


def etags(server: Server) -> dict[str, str]:
    result = {}
    for path in FEEDS:
        response = server.get(path)
        assert response.status == 200
        result[path] = response.headers["ETag"]
    return result


def assert_conditional_get(server: Server, old: dict[str, str], post_id: int, present: bool):
    """A poller's If-None-Match with the ETag from before the change: the new feed (200),
    with the post (or without it), under a new ETag."""
    tag = f"tag:pf.example.gov.cn,2026:post/{post_id}"
    for path, etag in old.items():
        response = server.get(path, headers={"If-None-Match": etag})
        assert response.status == 200, (server, path, response.status)
        assert (tag in feed_ids(response.text)) is present, (server, path)
        assert response.headers["ETag"] != etag, (server, path)


def assert_same_validators(first: Server, second: Server) -> dict[str, str]:
    """Both servers give a feed the same ETag, and each one's ETag is fresh on the other."""
    tags = etags(first)
    assert etags(second) == tags
    for path, etag in tags.items():
        assert first.get(path, headers={"If-None-Match": etag}).status == 304, path
        assert second.get(path, headers={"If-None-Match": etag}).status == 304, path
    return tags


# --- publish through A, withdraw through B ----------------------------------------------------


def publish_through_editor(server: Server, cookie: str, channel_id: int, title: str) -> int:
    form = server.get("/editor/posts/new", cookie=cookie)
    assert form.status == 200, form.status
    fields = form_fields(form.text) | {
        "title": title,
        "channel": str(channel_id),
        "source": "市司法局",
        "published_at": "",
        "body": f"<p>{title}：各单位请遵照执行。</p>",
        "action": "publish",
    }
    # As a browser does, with the cookie the form came with (a fresh session token for CSRF).
    response = server.post("/editor/posts/new", fields, cookie=form.cookie() or cookie)
    assert response.status == 302, (response.status, server.log_tail())
    location = response.headers["Location"]  # on SITE_URL, as every redirect is
    match = re.fullmatch(rf"{re.escape(SITE_URL)}/editor/posts/(\d+)/edit", location)
    assert match, location
    return int(match.group(1))


def withdraw_through_editor(server: Server, cookie: str, post_id: int) -> None:
    form = server.get(f"/editor/posts/{post_id}/edit", cookie=cookie)
    assert form.status == 200, form.status  # the session made on A is good on B
    response = server.post(
        f"/editor/posts/{post_id}/withdraw",
        {"csrf_token": csrf_token(form.text)},
        cookie=form.cookie() or cookie,
    )
    assert response.status == 302, (response.status, server.log_tail())


def test_published_on_a_is_on_b_at_once_and_withdrawn_on_b_is_gone_from_a(pair):
    a, b = pair.a, pair.b
    title = f"关于开展多服务器发布测试的通知（{uuid.uuid4().hex[:8]}）"
    # Every page has been rendered (and may be cached) by both servers before the change.
    for server in (a, b):
        assert not any(shown_by_every_worker(server, 0).values())
    etags_before = assert_same_validators(a, b)

    post_id = publish_through_editor(a, pair.cookie, pair.site.notices_id, title)

    everywhere = dict.fromkeys(["sidebar", "channel list", "article", "sitemap", *FEEDS], True)
    assert shown_by_every_worker(b, post_id) == everywhere
    assert_conditional_get(b, etags_before, post_id, present=True)
    etags_published = assert_same_validators(a, b)
    assert title in b.get(f"/notices/{post_id}.html", headers=CRAWLER).text

    withdraw_through_editor(b, pair.cookie, post_id)

    nowhere = dict.fromkeys(everywhere, False)
    assert shown_by_every_worker(a, post_id) == nowhere
    assert_conditional_get(a, etags_published, post_id, present=False)
    assert shown_by_every_worker(b, post_id) == nowhere
    assert_same_validators(a, b)


# --- 2,000 views ------------------------------------------------------------------------------

VIEWS = 2000
CLIENTS = 16


def test_views_spread_over_both_servers_are_counted_exactly(pair):
    post_id = add_notice(pair.site, f"浏览计数测试（{uuid.uuid4().hex[:8]}）")
    path = f"/notices/{post_id}.html"
    servers = (pair.a, pair.b)
    per_client = VIEWS // CLIENTS

    def view(client: int, n: int) -> list[Outcome]:
        # A plain browser request: a browser's User-Agent, no prefetch header.
        return [timed(servers[(client + n) % 2], "GET", path)]

    started = time.monotonic()
    with Load(CLIENTS, view, max_steps=per_client, max_seconds=120) as load:
        outcomes = load.finish()
    seconds = time.monotonic() - started

    assert len(outcomes) == VIEWS
    assert Counter(o.status for o in outcomes) == {200: VIEWS}, [o.error for o in outcomes][:5]
    assert Counter(o.server for o in outcomes) == {"A": VIEWS // 2, "B": VIEWS // 2}
    # Each view was one atomic increment: every response showed a count of its own.
    counts = sorted(int(VIEW_COUNT.search(o.response.text).group(1)) for o in outcomes)
    assert counts == list(range(1, VIEWS + 1)), (counts[:5], counts[-5:])
    stored = sa.select(Post.view_count).where(Post.id == post_id)
    assert query(pair.site.database_url, stored) == [(VIEWS,)]
    # The next reader, anywhere, sees the total (and adds one).
    assert VIEW_COUNT.search(pair.b.get(path).text).group(1) == str(VIEWS + 1)
    assert query(pair.site.database_url, stored) == [(VIEWS + 1,)]
    # Both workers of both servers counted (the access logs give the worker's pid).
    for server in servers:
        pids = {
            line.split()[0]
            for line in server.access_log.read_text().splitlines()
            if line.endswith(f" GET {path}")
        }
        assert len(pids) == 2, (server, pids)
    print(f"\n{VIEWS} views in {seconds:.1f} s ({VIEWS / seconds:.0f}/s)")


# --- login lockout and sessions ---------------------------------------------------------------


def test_lockout_reached_on_a_holds_on_b_and_a_session_from_a_works_on_b(pair):
    a, b = pair.a, pair.b
    dashboard = b.get("/editor/", cookie=pair.cookie)
    assert dashboard.status == 200, dashboard.status
    assert EDITOR_NAME in dashboard.text
    assert a.get("/editor/", cookie=pair.cookie).status == 200

    for n in range(DefaultConfig.LOGIN_MAX_FAILURES):  # wrong passwords, all on A
        response = login(a, LOCKED_OUT, f"wrong password {n}")
        assert response.status == 400, (n, response.status)
    for server in (b, a):  # the right password is refused on B, as on A
        response = login(server, LOCKED_OUT)
        assert response.status == 429, (server, response.status)
        assert "登录失败次数过多" in response.text
    # The lock did not end the session of an editor who logged in before it.
    assert b.get("/editor/", cookie=pair.cookie).status == 200


# --- kill -9 of one server during saves and reads ---------------------------------------------

OK_ON_LIVE_SERVER = {200, 302, 409}  # 409: a save refused as a conflict, the editor's text kept
SAVE_TOKEN = re.compile(r"save-\d+-\d+-[0-9a-f]{8}")


def test_kill_9_of_a_leaves_b_answering_and_no_save_half_applied(tmp_path):
    writers, readers, posts = 4, 4, 3
    with fresh_schema(POSTGRES_URL) as url:
        site = seed(url, posts=posts)
        with running(["A", "B"], server_env(url, SECRET_KEY, SETTINGS), tmp_path) as (a, b):
            cookie = session_of(a)
            servers = (a, b)
            b_workers = b.worker_pids()
            killed_at: list[float] = []

            def save(thread: int, n: int) -> list[Outcome]:
                server = servers[(thread + n) % 2]
                post_id = site.posts[thread % posts]  # two writers share a post: conflicts
                edit = f"/editor/posts/{post_id}/edit"
                form = timed(server, "GET", edit, cookie=cookie)
                if form.status != 200:
                    return [form]
                token = f"save-{thread}-{n}-{uuid.uuid4().hex[:8]}"
                fields = form_fields(form.response.text) | {
                    "body": f"<p>第{n}次保存：{token}</p>",
                    "action": "publish",
                }
                sent = timed(
                    server, "POST", edit, form=fields, cookie=form.response.cookie() or cookie
                )
                sent.path = f"{edit}#{token}"
                return [form, sent]

            def read(thread: int, n: int) -> list[Outcome]:
                paths = ["/", "/notices/", f"/notices/{site.posts[n % posts]}.html"]
                paths.append("/feeds/all.atom")
                return [timed(servers[(thread + n) % 2], "GET", paths[(thread + n) % 4])]

            def step(thread: int, n: int) -> list[Outcome]:
                return save(thread, n) if thread < writers else read(thread - writers, n)

            def saved(outcomes: list[Outcome], server: str, after: float = 0.0) -> int:
                return sum(
                    1
                    for o in outcomes
                    if o.method == "POST" and o.status == 302 and o.server == server
                    and o.started > after
                )  # fmt: skip

            with Load(writers + readers, step, max_steps=2000, max_seconds=40) as load:
                load.wait_for(lambda out: saved(out, "A") >= 4 and saved(out, "B") >= 4, 15)
                killed_at.append(time.monotonic())
                a.kill()  # master and workers, in the middle of the load
                load.wait_for(lambda out: saved(out, "B", after=killed_at[0]) >= 8, 15)
            outcomes = load.snapshot()

            # B answered every request, before and after the kill, with the same workers.
            on_b = [o for o in outcomes if o.server == "B"]
            failed = [o for o in on_b if o.status not in OK_ON_LIVE_SERVER]
            assert not failed, failed[:5]
            assert b.worker_pids() == b_workers
            assert a.process.returncode == -9
            # A answered until it died; after that, requests to it failed.
            on_a = [o for o in outcomes if o.server == "A"]
            before_kill = [o for o in on_a if o.ended < killed_at[0]]
            assert all(o.status in OK_ON_LIVE_SERVER for o in before_kill), before_kill
            cut_off = [o for o in on_a if o.started < killed_at[0] and o.status is None]
            assert any(o.status is None for o in on_a)

            # No save half-applied: a post's version is its number of revisions, 1..version.
            revisions = query(url, sa.select(Revision.post_id, Revision.number, Revision.body_raw))
            versions = dict(query(url, sa.select(Post.id, Post.version)))
            for post_id, version in versions.items():
                numbers = sorted(n for p, n, _ in revisions if p == post_id)
                assert numbers == list(range(1, version + 1)), (post_id, version, numbers)
            # No acknowledged save lost, none applied twice; a save stored but never answered
            # can only be one in flight on A when it died.
            stored = Counter(t for _, _, body in revisions for t in SAVE_TOKEN.findall(body))
            assert all(count == 1 for count in stored.values()), stored.most_common(3)
            posts_sent = [o for o in outcomes if o.method == "POST"]
            acknowledged = {o.path.split("#")[1] for o in posts_sent if o.status == 302}
            unanswered_on_a = {
                o.path.split("#")[1] for o in posts_sent if o.server == "A" and o.status is None
            }
            assert acknowledged <= set(stored)
            assert set(stored) - acknowledged <= unanswered_on_a
            assert sum(versions.values()) == posts + len(stored)
            # B shows each post as it was last saved.
            for post_id in site.posts:
                latest = max((n, body) for p, n, body in revisions if p == post_id)[1]
                page = b.get(f"/notices/{post_id}.html", headers=CRAWLER)
                assert page.status == 200
                assert "".join(SAVE_TOKEN.findall(latest)) in page.text, post_id
            print(
                f"\nsaves acknowledged {len(acknowledged)}, stored {len(stored)}, "
                f"requests on B {len(on_b)} (all answered), on A cut off by the kill "
                f"{len(cut_off)}, refused after it {sum(o.started >= killed_at[0] for o in on_a)}"
            )


# --- a PostgreSQL restart during reads --------------------------------------------------------


def assert_clean_503(outcome: Outcome) -> None:
    response = outcome.response
    assert response is not None
    where = (outcome.server, outcome.path)
    assert '<html lang="zh-CN"' in response.text, where
    assert "服务暂时不可用" in response.text, where
    for leak in ("Traceback", "psycopg", "sqlalchemy", "OperationalError"):
        assert leak not in response.text, (where, leak)
    assert response.headers["Content-Security-Policy"], where
    for name, value in FIXED_HEADERS.items():
        assert response.headers[name] == value, (where, name)


def test_postgresql_restart_gives_503_pages_then_both_servers_recover(tmp_path):
    readers = 8
    with throwaway_postgres() as cluster:
        migrate(cluster.url)
        site = seed(cluster.url, posts=2)
        env = server_env(cluster.url, SECRET_KEY, SETTINGS)
        with running(["A", "B"], env, tmp_path) as servers:
            workers = {server.name: server.worker_pids() for server in servers}
            paths = ["/", "/notices/", *(f"/notices/{p}.html" for p in site.posts)]
            paths += ["/feeds/all.rss", "/sitemap.xml", "/healthz"]

            def read(thread: int, n: int) -> list[Outcome]:
                server = servers[(thread + n) % 2]
                return [timed(server, "GET", paths[(thread * 3 + n) % len(paths)])]

            with Load(readers, read, max_steps=3000, max_seconds=40) as load:
                load.wait_for(lambda out: len(out) >= 40, 15)
                restarting = time.monotonic()
                cluster.restart()  # pg_ctl restart -m fast: returns once it accepts again
                restarted = time.monotonic()

                def recovered(outcomes: list[Outcome]) -> bool:
                    after = Counter(o.server for o in outcomes if o.started > restarted)
                    return after["A"] >= 30 and after["B"] >= 30

                load.wait_for(recovered, 15)
            outcomes = load.snapshot()

            statuses = Counter(o.status for o in outcomes)
            assert set(statuses) <= {200, 503}, statuses  # never a 500, never no answer
            unavailable = [o for o in outcomes if o.status == 503]
            assert unavailable, "no request met the outage"
            assert all(restarting <= o.ended for o in unavailable)
            for outcome in unavailable:
                assert_clean_503(outcome)
            # Every request made once the database was back was answered normally...
            late = [o for o in outcomes if o.started > restarted]
            assert Counter(o.status for o in late) == {200: len(late)}
            # ...by the same processes: nothing was restarted, on either server.
            for server in servers:
                assert server.worker_pids() == workers[server.name], server
                with ThreadPoolExecutor(4) as pool:
                    answers = [r.status for r in pool.map(server.get, paths)]
                assert answers == [200] * len(paths), (server, answers)
            print(
                f"\n{len(outcomes)} reads, {len(unavailable)} got 503 during the "
                f"{restarted - restarting:.2f} s restart, {len(late)} after it, all 200"
            )

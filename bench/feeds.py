"""Benchmark: a full feed GET against a conditional GET answered 304, on a real server.

Builds a throw-away database (the demo content plus ``--posts`` more articles), serves it with
gunicorn (one sync worker, 127.0.0.1, a free port) and measures, in the same run and by the same
client, requests per second of

* a full GET of a feed (the posts are loaded and the RSS/Atom document is built), and
* a conditional GET with the feed's ETag in ``If-None-Match`` (answered 304 from one small query).

Each measurement is bounded by a request count and a time limit, whichever comes first, and
the two kinds alternate in rounds so that both see the same machine. Usage::

    .venv/bin/python bench/feeds.py [--posts 200] [--requests 400] [--seconds 10] [--rounds 3]
                                    [--database-url URL] [--feed /feeds/all.rss]

Prints a Markdown table (paste it into bench/README.md); the headline is the ratio
``304 rps / full rps``. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from portal import create_app  # noqa: E402
from portal.demo import demo_posts  # noqa: E402
from portal.demo.seed import seed_demo  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.posts.models import Channel, Post  # noqa: E402
from portal.posts.states import PostState  # noqa: E402
from portal.sanitize import clean  # noqa: E402

SECRET_KEY = "bench-secret-key-not-for-production"


def prepare_database(url: str, extra_posts: int) -> None:
    """Schema by the migrations, the demo content, then ``extra_posts`` articles with the
    demo article's body (a realistic size: ~2 KB of Chinese text)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY})
    with app.app_context():
        upgrade()
        seed_demo()
        body = max((demo.body_html for demo in demo_posts()), key=len)
        body_html = clean(body).html
        channels = list(db.session.scalars(db.select(Channel)))
        start = datetime(2025, 1, 1, tzinfo=UTC)
        for number in range(extra_posts):
            moment = start + timedelta(hours=number)
            db.session.add(
                Post(
                    channel=channels[number % len(channels)],
                    title=f"基准测试文章第{number + 1}篇：普法宣传进社区",
                    source="市司法局",
                    body_html=body_html,
                    status=PostState.PUBLISHED,
                    published_at=moment,
                    created_at=moment,
                    updated_at=moment,
                )
            )
        db.session.commit()
        db.engine.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(url: str, port: int, workdir: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "PORTAL_SQLALCHEMY_DATABASE_URI": url,
        "PORTAL_SECRET_KEY": SECRET_KEY,
        "PORTAL_SITE_URL": "https://pf.example.gov.cn",
    }
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "--workers=1",
        f"--bind=127.0.0.1:{port}",
        "--log-level=warning",
        "wsgi:app",
    ]
    log = (workdir / "gunicorn.log").open("w")
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if request(port, "/healthz")[0] == 200:
                return server
        except OSError:
            time.sleep(0.2)  # waiting for the server to start, not for app time
    server.terminate()
    raise SystemExit(f"gunicorn did not start; see {workdir / 'gunicorn.log'}")


def request(port: int, path: str, headers: dict | None = None) -> tuple[int, bytes, dict]:
    # One connection per request: gunicorn's sync worker closes it after each response anyway.
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
        return response.status, body, dict(response.getheaders())
    finally:
        connection.close()


def measure(port, path, headers, expected_status, max_requests, max_seconds):
    """(requests, seconds, latencies) of up to ``max_requests`` GETs within ``max_seconds``."""
    latencies = []
    started = time.perf_counter()
    while len(latencies) < max_requests and time.perf_counter() - started < max_seconds:
        before = time.perf_counter()
        status, _body, _headers = request(port, path, headers)
        latencies.append(time.perf_counter() - before)
        if status != expected_status:
            raise SystemExit(f"{path} {headers}: expected {expected_status}, got {status}")
    return len(latencies), time.perf_counter() - started, latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=200, help="articles added to the demo data")
    parser.add_argument("--requests", type=int, default=400, help="per kind and round (bound)")
    parser.add_argument("--seconds", type=float, default=10.0, help="per kind and round (bound)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--feed", default="/feeds/all.rss")
    parser.add_argument("--database-url", help="default: a new SQLite file in a temporary dir")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="portal-bench-") as tmp:
        workdir = Path(tmp)
        url = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
        prepare_database(url, args.posts)
        port = free_port()
        server = start_server(url, port, workdir)
        try:
            results = run(port, args)
        finally:
            server.terminate()
            server.wait(timeout=30)
    report(args, url, results)


def run(port, args) -> dict:
    status, body, headers = request(port, args.feed)
    if status != 200:
        raise SystemExit(f"{args.feed}: HTTP {status}")
    conditional = {"If-None-Match": headers["ETag"]}
    for _ in range(20):  # warm up both paths (imports, caches, connection pool)
        request(port, args.feed)
        request(port, args.feed, conditional)
    totals = {"full": [0, 0.0, []], "304": [0, 0.0, []]}
    for _ in range(args.rounds):
        for kind, extra, expected in (("full", {}, 200), ("304", conditional, 304)):
            count, seconds, latencies = measure(
                port, args.feed, extra, expected, args.requests, args.seconds
            )
            totals[kind][0] += count
            totals[kind][1] += seconds
            totals[kind][2] += latencies
    return {
        "bytes": len(body),
        "entries": body.count(b"<item>") or body.count(b"<entry>"),
        **totals,
    }


def report(args, url, results) -> None:
    backend = url.split(":", 1)[0].split("+", 1)[0]
    rps = {kind: results[kind][0] / results[kind][1] for kind in ("full", "304")}
    print(f"feed {args.feed}: {results['entries']} entries, {results['bytes']} bytes")
    print(
        f"database {backend} with the demo content + {args.posts} posts; gunicorn 1 sync worker; "
        f"{args.rounds} alternating rounds of at most {args.requests} requests / "
        f"{args.seconds:g} s per kind; Python {platform.python_version()}, "
        f"{platform.machine()}, {os.cpu_count()} CPU(s)\n"
    )
    print("| request | answer | requests | requests/s | median ms | p95 ms |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for kind, label, answer in (
        ("full", "GET", f"200, {results['bytes']} bytes"),
        ("304", "GET + If-None-Match", "304, empty body"),
    ):
        count, _seconds, latencies = results[kind]
        latencies = sorted(latencies)
        median = statistics.median(latencies) * 1000
        p95 = latencies[int(0.95 * (len(latencies) - 1))] * 1000
        print(f"| {label} | {answer} | {count} | {rps[kind]:.0f} | {median:.2f} | {p95:.2f} |")
    print(f"\n304 rps / full rps = {rps['304'] / rps['full']:.1f}×")


if __name__ == "__main__":
    main()

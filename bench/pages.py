"""Benchmark: the public pages at scale, against a hello-world app and nginx serving the same bytes.

Sets up everything and stops everything:

1. a fresh database — SQLite in a temporary directory, or a new schema in PostgreSQL
   (127.0.0.1:5432, database ``test``; dropped at the end) — made by the migrations and filled
   by ``flask --app portal bench-data N --seed S``;
2. the portal (``wsgi:app``) and ``bench/hello.py`` under gunicorn with the same settings
   (``--workers`` sync workers, 127.0.0.1, free ports, logs in the temporary directory);
3. nginx (Debian's ``/usr/sbin/nginx``) serving a static copy of each page, fetched once;
4. ``wrk`` on 127.0.0.1 at a fixed concurrency (``--connections``, default 2 per worker: a
   sync worker serves one request at a time, and one more waiting keeps it busy; the
   ``--saturation`` table shows requests/s flat from there on while latency only grows with
   the queue), in interleaved rounds of ``--seconds`` each:
   hello, page, nginx copy, for each page, then the next round. Ratios are taken within a
   round (page ÷ the hello run just before it) and their median over the rounds is shown.
   A slow page's run is longer (up to ``--max-seconds``), so that about 10 × ``--connections``
   of its requests are served: its latencies are then not only those of the first served.

Pages: home, the biggest channel's list page 1 and its LAST page, an article in the middle of
that channel (a browser User-Agent: the view is counted, as a reader's is), the full site
Atom feed and the channel's RSS, the Atom feed answered 304 (``If-None-Match`` with its current
ETag), and ``/sitemap.xml`` (its first and last sub-sitemaps too, when it is an index).

``--growth`` measures the same pages at 1,000 posts first, then at ``--posts``, and adds a
table of how each page's median latency grows, and of last page ÷ page 1 at each size.
``--saturation`` only prints requests/s and p50 of hello, home and the article at 1 to 32
connections (how the default was chosen).

    .venv/bin/python bench/pages.py [--engine sqlite|postgresql] [--posts 50000] [--growth]
        [--seconds 5] [--max-seconds 60] [--rounds 3] [--connections 4] [--threads 2]
        [--workers 2] [--seed 1] [--saturation] [--set NAME=VALUE …]

Prints Markdown tables (bench/README.md explains them). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import http.client
import json
import math
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from portal import create_app  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.posts.models import Channel, Post  # noqa: E402

SECRET_KEY = "bench-secret-key-not-for-production"
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
NGINX = "/usr/sbin/nginx"
LUA = BENCH / "wrk-json.lua"
BROWSER = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)
START_SECONDS = 60
DRAIN_SECONDS = 300
SMALL = 1000  # the first size of --growth
WARM_UP = 2  # seconds per page, before the rounds
ENOUGH = 10  # a page's run lasts until about this many times --connections requests are served


@dataclass(frozen=True)
class Target:
    key: str  # stable across data sets (the growth table matches on it)
    label: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200
    static: str = ""  # the nginx copy's path
    static_headers: dict[str, str] = field(default_factory=dict)
    size: int = 0


@dataclass(frozen=True)
class Run:
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


# --- processes ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(port: int, path: str, headers: dict | None = None, timeout: float = 120):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"User-Agent": BROWSER, **(headers or {})})
        response = connection.getresponse()
        return response.status, response.read(), {k.lower(): v for k, v in response.getheaders()}
    finally:
        connection.close()


def server_env(database_url: str, settings: dict[str, str]) -> dict[str, str]:
    """This process's environment without its PORTAL_* settings, plus the bench's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update({f"PORTAL_{name}": value for name, value in settings.items()})
    env.update(
        PORTAL_SQLALCHEMY_DATABASE_URI=database_url,
        PORTAL_SECRET_KEY=SECRET_KEY,
        PYTHONPATH=str(ROOT),  # this tree's portal, whatever the venv has installed
    )
    return env


@contextlib.contextmanager
def running(command: list[str], log: Path, port: int, ready: str, **popen) -> Iterator[int]:
    """Start ``command``; yield ``port`` once ``ready`` answers 200; stop it in any case."""
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, **popen)
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            with contextlib.suppress(OSError):
                if get(port, ready, timeout=5)[0] == 200:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{command[0]} did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)  # waiting for a process to start, not for application time
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def gunicorn(app: str, cwd: Path, env: dict, log: Path, workers: int, ready: str):
    port = free_port()
    command = [
        *(sys.executable, "-m", "gunicorn", f"--workers={workers}", "--worker-class=sync"),
        *(f"--bind=127.0.0.1:{port}", "--timeout=120", "--log-level=warning", app),
    ]
    return running(command, log, port, ready, cwd=cwd, env=env)


def nginx(static: Path, workdir: Path, workers: int):
    port = free_port()
    prefix = workdir / "nginx"
    prefix.mkdir()
    user = "user root;" if os.geteuid() == 0 else ""  # the temporary directory is private
    temp = " ".join(
        f"{kind}_temp_path {prefix / kind};" for kind in ("client_body", "proxy", "fastcgi")
    )
    (prefix / "nginx.conf").write_text(
        f"""daemon off; {user} worker_processes {workers}; pid {prefix / "nginx.pid"};
error_log {prefix / "error.log"} warn;
events {{ worker_connections 1024; }}
http {{
  access_log off; {temp} uwsgi_temp_path {prefix / "uwsgi"}; scgi_temp_path {prefix / "scgi"};
  types {{ text/html html; application/xml xml; application/atom+xml atom;
          application/rss+xml rss; text/plain txt; }}
  server {{ listen 127.0.0.1:{port}; root {static}; etag on; }}
}}
"""
    )
    command = [NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e", "stderr"]
    (static / "ready.txt").write_text("ok")
    return running(command, prefix / "stderr.log", port, "/ready.txt")


def drain(port: int, workers: int) -> None:
    """Wait until every worker is free again: wrk leaves requests queued when it stops, and the
    server still answers them (to closed sockets). Bounded by DRAIN_SECONDS."""
    deadline = time.monotonic() + DRAIN_SECONDS
    quick = 0
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        while quick < 2 and time.monotonic() < deadline:
            started = time.perf_counter()
            list(pool.map(lambda _: get(port, "/healthz", timeout=DRAIN_SECONDS), range(workers)))
            quick = quick + 1 if time.perf_counter() - started < 0.25 else 0


# --- data ---------------------------------------------------------------------------------------


@contextlib.contextmanager
def database(engine: str, workdir: Path, base_url: str) -> Iterator[str]:
    if engine == "sqlite":
        yield f"sqlite:///{workdir / 'portal.sqlite3'}"
        return
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base_url)
    try:
        with admin.begin() as connection:
            connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        separator = "&" if "?" in base_url else "?"
        yield f"{base_url}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def fill(url: str, posts: int, seed: int, settings: dict) -> float:
    """Migrate and run ``bench-data``; returns the seconds bench-data took."""
    env = server_env(url, settings)
    flask = [sys.executable, "-m", "flask", "--app", "portal"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    started = time.perf_counter()
    command = [*flask, "bench-data", str(posts), "--seed", str(seed)]
    subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=sys.stderr)
    seconds = time.perf_counter() - started
    if url.startswith("postgresql"):
        # What autovacuum would soon do after a bulk load; done now so that it does not happen
        # in the middle of a measurement.
        engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            tables = connection.scalars(
                sa.text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            ).all()
            for table in tables:
                connection.execute(sa.text(f'VACUUM ANALYZE "{table}"'))
        engine.dispose()
    return seconds


def biggest_channel(url: str) -> tuple[str, int, int, int]:
    """(slug, public posts, pages, the id of a public post in the middle) of the channel with
    the most public posts; read with the app's own definition of public."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY})
    with app.app_context():
        slug, channel_id, count = db.session.execute(
            sa.select(Channel.slug, Channel.id, sa.func.count(Post.id))
            .join(Post)
            .where(Post.is_public)
            .group_by(Channel.slug, Channel.id)
            .order_by(sa.func.count(Post.id).desc())
            .limit(1)
        ).one()
        middle = db.session.scalar(
            sa.select(Post.id)
            .where(Post.is_public, Post.channel_id == channel_id)
            .order_by(Post.published_at.desc(), Post.id.desc())
            .offset(count // 2)
            .limit(1)
        )
        pages = math.ceil(count / app.config["POSTS_PER_PAGE"])
        db.engine.dispose()
    return slug, count, pages, middle


def targets(url: str, port: int) -> list[Target]:
    slug, _count, pages, article = biggest_channel(url)
    found = [
        Target("home", "home", "/"),
        Target("page1", f"list page 1 ({slug})", f"/{slug}/"),
        Target("last", f"list last page ({pages})", f"/{slug}/?page={pages}"),
        Target("article", "article (counts a view)", f"/{slug}/{article}.html"),
        Target("atom", "site feed, Atom", "/feeds/all.atom"),
        Target("rss", f"channel feed, RSS ({slug})", f"/feeds/{slug}.rss"),
    ]
    _status, _body, headers = get(port, "/feeds/all.atom")
    etag = {"If-None-Match": headers["etag"]}
    found.append(
        Target("atom304", "site feed, 304 (If-None-Match)", "/feeds/all.atom", etag, status=304)
    )
    found.append(Target("sitemap", "sitemap.xml", "/sitemap.xml"))
    _status, body, _headers = get(port, "/sitemap.xml")
    if b"<sitemapindex" in body:  # its parts: the first two and the last
        locations = re.findall(rb"<loc>\s*([^<\s]+)\s*</loc>", body)
        last = len(locations) - 1
        for key, index in (("first", 0), ("second", 1), ("last", last)):
            if index > last or (key == "last" and last <= 1):
                continue  # fewer than three parts
            parts = urlsplit(locations[index].decode())
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            label = f"sitemap part {index + 1} of {len(locations)}"
            found.append(Target(f"sitemap-{key}", label, path))
    return found


def static_copies(found: list[Target], port: int, static: Path) -> list[Target]:
    """Each page fetched once (and checked), saved for nginx; a 304 shares its page's copy."""
    copies = []
    for number, target in enumerate(found):
        status, body, headers = get(port, target.path, target.headers)
        if status != target.status:
            raise SystemExit(f"{target.path}: HTTP {status}, expected {target.status}")
        if status == 304:
            _status, body, headers = get(port, target.path)
        kind = headers.get("content-type", "").split(";")[0]
        suffix = {"text/html": "html", "application/atom+xml": "atom"}.get(kind, "xml")
        name = f"/page{number}.{suffix}"
        (static / name[1:]).write_bytes(body)
        copies.append(replace(target, static=name, size=len(body)))
    return copies


# --- measuring ----------------------------------------------------------------------------------


def wrk(port: int, path: str, headers: dict, seconds: int, connections: int, threads: int) -> Run:
    command = [
        *("wrk", f"--threads={min(threads, connections)}", f"--connections={connections}"),
        *(f"--duration={seconds}s", "--timeout=120s", f"--script={LUA}"),
        *(f"--header=User-Agent: {BROWSER}",),
        *(f"--header={name}: {value}" for name, value in headers.items()),
        f"http://127.0.0.1:{port}{path}",
    ]
    output = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 180, check=True
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("WRK_JSON "))
    data = json.loads(line.removeprefix("WRK_JSON "))
    errors = sum(data[kind] for kind in ("connect", "read", "write", "status", "timeout"))
    return Run(
        data["requests"],
        data["duration_us"] / 1e6,
        errors,
        data["p50_us"] / 1000,
        data["p99_us"] / 1000,
    )


def page_seconds(warm: Run, args) -> int:
    """A run long enough for ENOUGH rounds of the connections' queue (estimated from the
    warm-up), else the latencies would be only those of the requests served first."""
    needed = ENOUGH * args.connections
    if warm.rps * args.seconds >= needed:
        return args.seconds
    return min(args.max_seconds, math.ceil(needed / max(warm.rps, 0.01)))


def measure(found: list[Target], ports: dict[str, int], args) -> dict[str, list]:
    """{target key: [(hello, page, static) per round]}, rounds interleaved."""
    load = (args.connections, args.threads)
    seconds = {}
    for target in found:  # warm up every worker on every page, and time it
        warm = wrk(ports["portal"], target.path, target.headers, WARM_UP, *load)
        drain(ports["portal"], args.workers)
        seconds[target.key] = page_seconds(warm, args)
    wrk(ports["hello"], "/", {}, WARM_UP, *load)
    results: dict[str, list] = {target.key: [] for target in found}
    for number in range(1, args.rounds + 1):
        for target in found:
            run_seconds = seconds[target.key]
            print(
                f"  round {number}/{args.rounds}: {target.path} ({run_seconds} s)",
                file=sys.stderr,
                flush=True,
            )
            hello = wrk(ports["hello"], "/", {}, args.seconds, *load)
            page = wrk(ports["portal"], target.path, target.headers, run_seconds, *load)
            drain(ports["portal"], args.workers)
            static = wrk(ports["nginx"], target.static, target.static_headers, args.seconds, *load)
            results[target.key].append((hello, page, static))
    return results


def saturation(found: list[Target], ports: dict[str, int], args) -> None:
    """Requests/s and p50 of hello and two pages at rising concurrency (--saturation)."""
    pages = [("hello", ports["hello"], "/", {})]
    pages += [
        (t.label, ports["portal"], t.path, t.headers) for t in found if t.key in ("home", "article")
    ]
    print("\n| connections | " + " | ".join(f"{name} rps (p50 ms)" for name, *_ in pages) + " |")
    print("| ---: |" + " ---: |" * len(pages))
    for connections in (1, 2, 4, 8, 16, 32):
        cells = []
        for _name, port, path, headers in pages:
            run = wrk(port, path, headers, args.seconds, connections, args.threads)
            if port == ports["portal"]:
                drain(port, args.workers)
            cells.append(f"{run.rps:,.1f} ({run.p50_ms:,.1f})")
        print(f"| {connections} | " + " | ".join(cells) + " |", flush=True)


def nginx_etag(found: list[Target], port: int) -> list[Target]:
    """The 304 row's static reference: nginx's own 304 for the copy, with nginx's ETag."""
    done = []
    for target in found:
        if target.status == 304:
            _status, _body, headers = get(port, target.static)
            target = replace(target, static_headers={"If-None-Match": headers["etag"]})
            if get(port, target.static, target.static_headers)[0] != 304:
                raise SystemExit("nginx did not answer its own ETag with 304")
        done.append(target)
    return done


# --- one data set -------------------------------------------------------------------------------


def bench(posts: int, args) -> dict:
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="portal-pages-")))
        url = stack.enter_context(database(args.engine, workdir, args.database_url))
        print(f"{args.engine}: bench-data {posts} --seed {args.seed}", file=sys.stderr)
        fill_seconds = fill(url, posts, args.seed, args.settings)
        env = server_env(url, args.settings)
        portal = gunicorn("wsgi:app", ROOT, env, workdir / "portal.log", args.workers, "/healthz")
        ports = {"portal": stack.enter_context(portal)}
        hello = gunicorn("hello:app", BENCH, env, workdir / "hello.log", args.workers, "/")
        ports["hello"] = stack.enter_context(hello)
        static = workdir / "static"
        static.mkdir()
        found = static_copies(targets(url, ports["portal"]), ports["portal"], static)
        ports["nginx"] = stack.enter_context(nginx(static, workdir, args.workers))
        found = nginx_etag(found, ports["nginx"])
        if args.saturation:
            saturation(found, ports, args)
            return {}
        load_before = os.getloadavg()
        results = measure(found, ports, args)
        load_after = os.getloadavg()
        errors_logged = (workdir / "portal.log").read_text(errors="replace").count("Traceback")
    return {
        "posts": posts,
        "fill_seconds": fill_seconds,
        "targets": found,
        "results": results,
        "load": (load_before, load_after),
        "tracebacks": errors_logged,
    }


# --- report -------------------------------------------------------------------------------------


def median(values) -> float:
    return statistics.median(values)


def summary(rounds: list) -> dict:
    hello, page, static = zip(*rounds, strict=True)
    return {
        "rps": median(run.rps for run in page),
        "seconds": median(run.seconds for run in page),
        "p50": median(run.p50_ms for run in page),
        "p99": median(run.p99_ms for run in page),
        "errors": sum(run.errors for run in page),
        "hello": median(p.rps / h.rps for h, p in zip(hello, page, strict=True) if h.rps),
        "static": median(p.rps / s.rps for s, p in zip(static, page, strict=True) if s.rps),
        "hello_rps": [run.rps for run in hello],
        "static_rps": median(run.rps for run in static),
    }


def ratio(value: float) -> str:
    return f"{value:.3g}" if value >= 0.001 else f"{value:.1e}"


def report(data: dict, args) -> dict[str, dict]:
    rows = {t.key: summary(data["results"][t.key]) for t in data["targets"]}
    hello = [rps for row in rows.values() for rps in row["hello_rps"]]
    (before, after) = data["load"]
    print(
        f"\n### {args.engine}, {data['posts']:,} posts\n\n"
        f"bench-data {data['posts']} took {data['fill_seconds']:.1f} s. gunicorn "
        f"{args.workers} sync workers (portal and hello alike); wrk {args.threads} threads, "
        f"{args.connections} connections, {args.rounds} rounds of {args.seconds} s per page and "
        f"per server. hello: median {median(hello):,.0f} requests/s (min {min(hello):,.0f}, "
        f"max {max(hello):,.0f} over {len(hello)} runs). Load average {before[0]:.2f} before, "
        f"{after[0]:.2f} after; tracebacks in the portal's log: {data['tracebacks']}.\n"
    )
    print(
        "| path | bytes | run s | requests/s | p50 ms | p99 ms | errors | ÷ hello "
        "| ÷ nginx static |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    )
    for target in data["targets"]:
        row = rows[target.key]
        size = "304" if target.status == 304 else f"{target.size:,}"
        print(
            f"| {target.label}: `{target.path}` | {size} | {row['seconds']:.0f} | {row['rps']:,.1f} | "
            f"{row['p50']:,.1f} | {row['p99']:,.1f} | {row['errors']} | {ratio(row['hello'])} | "
            f"{ratio(row['static'])} |"
        )
    return rows


def growth(small: dict, large: dict, small_rows: dict, large_rows: dict) -> None:
    print(
        f"\n### Growth: {small['posts']:,} → {large['posts']:,} posts (median p50 latency)\n\n"
        f"| page | p50 ms at {small['posts']:,} | p50 ms at {large['posts']:,} | growth |\n"
        "| --- | ---: | ---: | ---: |"
    )
    for target in large["targets"]:
        before = small_rows.get(target.key)
        after = large_rows[target.key]
        if before is None:
            print(f"| {target.label} | — | {after['p50']:,.1f} | — |")
            continue
        grown = after["p50"] / before["p50"] if before["p50"] else math.inf
        print(f"| {target.label} | {before['p50']:,.1f} | {after['p50']:,.1f} | {grown:.2f}× |")
    print("\n| posts | last page p50 ÷ page 1 p50 |\n| ---: | ---: |")
    for data, rows in ((small, small_rows), (large, large_rows)):
        print(f"| {data['posts']:,} | {rows['last']['p50'] / rows['page1']['p50']:.2f}× |")


def stop(signum, _frame) -> None:
    raise SystemExit(f"stopped by signal {signum}")  # so that every finally runs


def main() -> None:
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started with "&"
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--posts", type=int, default=50_000)
    parser.add_argument("--growth", action="store_true", help=f"also at {SMALL:,} posts, first")
    parser.add_argument("--seconds", type=int, default=5, help="per wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, help="default: 2 per worker")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument(
        "--max-seconds", type=int, default=60, help="the longest run of a slow page"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--saturation", action="store_true", help="only requests/s at 1…32 connections"
    )
    parser.add_argument("--database-url", default=POSTGRES_URL, help="PostgreSQL server")
    parser.add_argument(
        "--set", dest="settings", action="append", default=[], metavar="NAME=VALUE",
        help="a portal setting for bench-data and the server (PORTAL_NAME=VALUE)",
    )  # fmt: skip
    args = parser.parse_args()
    args.settings = dict(setting.split("=", 1) for setting in args.settings)
    args.connections = args.connections or 2 * args.workers
    for tool in ("wrk", NGINX):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is needed (Debian: apt-get install wrk nginx-light)")
    print(
        f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPU(s); "
        f"server, wrk and database share them.",
    )
    if args.saturation:
        bench(args.posts, args)
        return
    sizes = [SMALL, args.posts] if args.growth else [args.posts]
    measured = [(data := bench(posts, args), report(data, args)) for posts in sizes]
    if args.growth:
        (small, small_rows), (large, large_rows) = measured
        growth(small, large, small_rows, large_rows)


if __name__ == "__main__":
    main()

"""Several gunicorn servers on one database, and a PostgreSQL cluster of a test's own: the
helpers of ``test_several_servers.py`` (kept apart from ``live_gunicorn.serve``, which others
extend).

Every process started here is stopped by the context manager that started it; every wait is
bounded; all traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import glob
import http.client
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from urllib.parse import quote, urlencode

import sqlalchemy as sa
from live_gunicorn import ROOT, free_port

# What a desktop browser sends: counted as a reader's view (no crawler, no prefetch).
BROWSER_USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
START_SECONDS = 30
STOP_SECONDS = 20
REQUEST_SECONDS = 30


# --- HTTP --------------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: Message  # case-insensitive; get_all() for repeated headers
    text: str

    def cookie(self) -> str | None:
        """The session cookie this response sets ("session=…"), if any."""
        for value in self.headers.get_all("Set-Cookie") or []:
            if value.startswith("session="):
                return value.split(";", 1)[0]
        return None


def request(
    port: int,
    method: str,
    path: str,
    *,
    form: dict | None = None,
    cookie: str | None = None,
    headers: dict | None = None,
    timeout: float = REQUEST_SECONDS,
) -> Response:
    """One request on a new connection (gunicorn's sync workers close each one anyway).
    Raises ``OSError`` (refused, reset) when the server does not answer."""
    sent = {"User-Agent": BROWSER_USER_AGENT, **(headers or {})}
    if cookie:
        sent["Cookie"] = cookie
    body = None
    if form is not None:
        body = urlencode(form)
        sent["Content-Type"] = "application/x-www-form-urlencoded"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        return Response(response.status, response.msg, response.read().decode("utf-8", "replace"))
    finally:
        connection.close()


def answers(port: int) -> bool:
    """Does anything accept connections on ``port`` and answer /healthz with 200?"""
    try:
        return request(port, "GET", "/healthz", timeout=2).status == 200
    except OSError:
        return False


# --- gunicorn ----------------------------------------------------------------------------------


def server_env(database_url: str, secret_key: str, env: dict | None = None) -> dict:
    """This process's environment without its PORTAL_* settings, plus the given ones."""
    result = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    result.update(env or {})
    result.update(PORTAL_SQLALCHEMY_DATABASE_URI=database_url, PORTAL_SECRET_KEY=secret_key)
    return result


class Server:
    """gunicorn serving ``wsgi:app``, master and workers in a process group of their own, so
    that ``kill()`` takes them all at once, as a machine that dies would."""

    def __init__(self, name: str, env: dict, log_dir: Path, workers: int = 2):
        self.name = name
        self.env = env
        self.port = free_port()
        self.log_path = log_dir / f"gunicorn-{name}.log"
        self.access_log = log_dir / f"access-{name}.log"
        self.workers = workers
        self.process: subprocess.Popen | None = None

    def __repr__(self) -> str:
        return f"<server {self.name} :{self.port}>"

    def launch(self) -> None:
        command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}"]
        command += ["--workers", str(self.workers), "--access-logfile", str(self.access_log)]
        command += ["--access-logformat", "%(p)s %(s)s %(m)s %(U)s", "wsgi:app"]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: master and workers
            )

    def wait_ready(self) -> None:
        """Readiness polling of a subprocess (bounded), not a sleep standing in for app time."""
        assert self.process is not None
        deadline = time.monotonic() + START_SECONDS
        while not answers(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn {self.name} did not start:\n{self.log_tail()}")
            time.sleep(0.1)

    def log_tail(self, size: int = 4000) -> str:
        return self.log_path.read_text(errors="replace")[-size:]

    def worker_pids(self) -> set[int]:
        """The pids of the master's children (its workers), from /proc."""
        assert self.process is not None
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return set()
        return {int(child) for child in children}

    def get(self, path: str, **options) -> Response:
        return request(self.port, "GET", path, **options)

    def post(self, path: str, form: dict, **options) -> Response:
        return request(self.port, "POST", path, form=form, **options)

    def kill(self) -> None:
        """SIGKILL to the whole process group; returns once the port refuses connections."""
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=STOP_SECONDS)
        deadline = time.monotonic() + STOP_SECONDS
        while _accepts(self.port):
            assert time.monotonic() < deadline, f"{self} still accepts connections"
            time.sleep(0.05)

    def stop(self) -> None:
        """SIGTERM (gunicorn's graceful stop) to the group, then SIGKILL if it lingers."""
        if self.process is None:
            return
        group = self.process.pid
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=STOP_SECONDS)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)  # workers left behind, if any
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=STOP_SECONDS)


def _accepts(port: int) -> bool:
    try:
        with contextlib.closing(http.client.HTTPConnection("127.0.0.1", port, timeout=1)) as c:
            c.connect()
            return True
    except OSError:
        return False


@contextlib.contextmanager
def running(names: list[str], env: dict, log_dir: Path, workers: int = 2) -> Iterator[list[Server]]:
    """One gunicorn per name, all on ``env``; started together, stopped in any case."""
    servers = [Server(name, env, log_dir, workers) for name in names]
    try:
        for server in servers:
            server.launch()
        for server in servers:
            server.wait_ready()
        yield servers
    finally:
        for server in servers:
            server.stop()


# --- databases ---------------------------------------------------------------------------------


def migrate(database_url: str) -> None:
    """``flask --app portal db upgrade``, as a deployment runs it."""
    command = [sys.executable, "-m", "flask", "--app", "portal", "db", "upgrade"]
    env = server_env(database_url, "migration-only-secret-key")
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def with_search_path(server_url: str, schema: str) -> str:
    separator = "&" if "?" in server_url else "?"
    return f"{server_url}{separator}options={quote(f'-csearch_path={schema}')}"


@contextlib.contextmanager
def fresh_schema(server_url: str) -> Iterator[str]:
    """A new schema on the PostgreSQL server ``server_url``, migrated; dropped afterwards.
    Yields the URL whose connections use it."""
    schema = f"portal_servers_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server_url)
    try:
        with admin.begin() as connection:
            connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        url = with_search_path(server_url, schema)
        migrate(url)
        yield url
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


class ThrowawayPostgres:
    """A PostgreSQL cluster of the test's own (never the machine's shared server): initdb in
    a temporary directory, trust authentication, a free port on 127.0.0.1. initdb refuses to
    run as root, so as root every command runs as the ``postgres`` user."""

    def __init__(self):
        binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        assert binaries, "PostgreSQL's server binaries (/usr/lib/postgresql/*/bin) are missing"
        self.bin = Path(binaries[-1]).parent
        self.root = Path(tempfile.mkdtemp(prefix="portal-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "postgresql.log"
        self.port = free_port()
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str, timeout: float = 60) -> None:
        command = [*self.as_postgres, str(self.bin / tool), *args]
        result = subprocess.run(
            command, cwd=self.root, capture_output=True, text=True, timeout=timeout, check=False
        )
        assert result.returncode == 0, f"{tool}: {result.stdout}{result.stderr}{self.log_tail()}"

    def log_tail(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-3000:]
        except OSError:
            return ""

    def _pg_ctl(self, action: str, *args: str) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "30",
            *args, action,
        )  # fmt: skip

    def init_and_start(self) -> None:
        self._run(
            "initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
            "--locale=C", "--no-sync", "--no-instructions",
        )  # fmt: skip
        self._pg_ctl("start")

    def restart(self) -> None:
        """``pg_ctl restart -m fast``: every session is ended, the server stops and starts;
        returns once it accepts connections again."""
        self._pg_ctl("restart", "-m", "fast")

    def destroy(self) -> None:
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(AssertionError, subprocess.TimeoutExpired):
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[ThrowawayPostgres]:
    cluster = ThrowawayPostgres()
    try:
        cluster.init_and_start()
        yield cluster
    finally:
        cluster.destroy()


# --- load --------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """One request of a load: who answered what, and when (time.monotonic())."""

    server: str
    method: str
    path: str
    started: float
    ended: float
    status: int | None = None  # None: no answer at all
    error: str = ""
    response: Response | None = field(default=None, repr=False)


def timed(server: Server, method: str, path: str, **options) -> Outcome:
    """A request that never raises: a refused or broken connection is an outcome too."""
    started = time.monotonic()
    try:
        response = request(server.port, method, path, **options)
    except OSError as error:
        return Outcome(server.name, method, path, started, time.monotonic(), error=repr(error))
    return Outcome(
        server.name, method, path, started, time.monotonic(), response.status, response=response
    )


class Load:
    """``threads`` threads, each calling ``step(thread, n)`` for n = 0, 1, … until stopped,
    ``max_steps`` reached or ``max_seconds`` passed; each step returns its outcomes."""

    def __init__(
        self,
        threads: int,
        step: Callable[[int, int], list[Outcome]],
        *,
        max_steps: int = 10_000,
        max_seconds: float = 30,
    ):
        self.outcomes: list[Outcome] = []
        self.failures: list[BaseException] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._step = step
        self._max_steps = max_steps
        self._deadline = time.monotonic() + max_seconds
        self._threads = [
            threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(threads)
        ]

    def _run(self, thread: int) -> None:
        try:
            for n in range(self._max_steps):
                if self._stop.is_set() or time.monotonic() > self._deadline:
                    return
                results = self._step(thread, n)
                with self._lock:
                    self.outcomes.extend(results)
        except BaseException as error:  # reported by stop(): a broken step fails the test
            with self._lock:
                self.failures.append(error)

    def snapshot(self) -> list[Outcome]:
        with self._lock:
            return list(self.outcomes)

    def wait_for(self, condition: Callable[[list[Outcome]], bool], seconds: float) -> None:
        """Poll the outcomes until ``condition`` holds (bounded: fails after ``seconds``)."""
        deadline = time.monotonic() + seconds
        while not condition(self.snapshot()):
            if self.failures:
                raise self.failures[0]
            assert time.monotonic() < deadline, "the load did not get there in time"
            time.sleep(0.02)

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()

    def finish(self) -> list[Outcome]:
        """Wait for every thread to take its last step (bounded by ``max_seconds``)."""
        for thread in self._threads:
            thread.join(timeout=max(0.0, self._deadline - time.monotonic()) + REQUEST_SECONDS)
        return self.stop()

    def stop(self) -> list[Outcome]:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=REQUEST_SECONDS + 5)
        assert not any(thread.is_alive() for thread in self._threads), "a load thread hangs"
        if self.failures:
            raise self.failures[0]
        return self.snapshot()

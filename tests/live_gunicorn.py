"""gunicorn serving ``wsgi:app`` on a free loopback port, for tests of the real deployment shape
(the browser tests, the login lockout across worker processes)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START_SECONDS = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def healthy(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            connection.sendall(b"GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            status_line = connection.recv(64).split(b"\r\n", 1)[0]
            return status_line.split()[1:2] == [b"200"]
    except OSError:
        return False


@contextlib.contextmanager
def serve(
    database_url: str, secret_key: str, log_path: Path, *options: str, env: dict | None = None
) -> Iterator[int]:
    """Run gunicorn with ``options`` on ``database_url``; yields its port once /healthz answers.

    The server gets none of this process's PORTAL_* settings, only the ones given here."""
    port = free_port()
    server_env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    server_env.update(
        env or {}, PORTAL_SQLALCHEMY_DATABASE_URI=database_url, PORTAL_SECRET_KEY=secret_key
    )
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", *options]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*command, "wsgi:app"], cwd=ROOT, env=server_env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        # Readiness polling of a subprocess (not a sleep standing in for application time).
        deadline = time.monotonic() + START_SECONDS
        while not healthy(port):
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log_path.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"gunicorn did not start:\n{tail}")
            time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

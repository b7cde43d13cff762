"""gunicorn settings for production: ``gunicorn -c deploy/gunicorn.conf.py wsgi:app``.

Everything that differs between servers comes from the environment (settings given on the
command line win over this file):

  PORTAL_BIND                 address to listen on (default 127.0.0.1:8000; nginx's upstream)
  PORTAL_WORKERS              worker processes (default 2 × CPUs + 1, at most 12)
  PORTAL_PROXY_FIX_X_FOR      the app's setting (README): how many reverse proxies are trusted;
                              0 or unset: gunicorn trusts no forwarded header from anyone
  PORTAL_FORWARDED_ALLOW_IPS  the proxies' addresses (comma-separated, CIDR allowed), trusted
                              when PORTAL_PROXY_FIX_X_FOR > 0 (default 127.0.0.1)

The app reads every PORTAL_* variable into its configuration (README "Configuration"); the
three names above that are not app settings are simply not used by it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from gunicorn import util
from gunicorn.workers.sync import SyncWorker

from portal.web.security import HEADERS


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the CPUs this process may run on (containers)
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _whole_number(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        raise ValueError(f"{name} must be a whole number, not {raw!r}")
    return int(raw)


# --- where and how many ------------------------------------------------------------------------

bind = [os.environ.get("PORTAL_BIND", "127.0.0.1:8000")]
# Sync workers behind nginx (it buffers slow clients): the usual 2 × CPUs + 1, capped so that
# a large machine does not open more database connections than PostgreSQL allows (each worker
# has its own pool) — raise PORTAL_WORKERS deliberately if the database can take it.
WORKERS_MAX = 12
workers = _whole_number("PORTAL_WORKERS", 0) or min(2 * _cpus() + 1, WORKERS_MAX)
# worker_class: the sync worker with the portal's error pages (PortalWorker, below).
proc_name = "portal"

# A worker silent for this long is killed and replaced (a stuck request cannot hold it forever);
# on a reload or stop, workers get this long to finish the requests they are serving.
timeout = 30
graceful_timeout = 30
# Recycle workers now and then (jittered, so they do not all restart at once).
max_requests = 2000
max_requests_jitter = 200

# --- what a request may be ---------------------------------------------------------------------
# Deliberate limits, set so that gunicorn never refuses what nginx lets through: behind nginx
# every oversized or malformed request is refused by nginx itself, with its Chinese pages
# (deploy/nginx.conf: large_client_header_buffers 4 8k). gunicorn answers its own English
# plain-text 400 only to a client that reaches it directly (README "Production").
limit_request_line = 8190  # gunicorn's maximum; the URL, query string included (nginx: 8 KB)
limit_request_field_size = 8190  # one header line (nginx: 8 KB)
# nginx passes at most 4 × 8 KB of header lines, each at least 3 bytes ("a:" and a newline),
# plus the few it adds itself: never more than this many. (It counts no headers, so a lower
# limit here would turn 120 headers into gunicorn's English page behind nginx.)
NGINX_HEADER_BYTES = 4 * 8 * 1024
limit_request_fields = NGINX_HEADER_BYTES // 3 + 10

# --- forwarded headers -------------------------------------------------------------------------
# Without a trusted proxy (PORTAL_PROXY_FIX_X_FOR 0 or unset) no forwarded header from anyone
# changes anything: a client talking to gunicorn directly could otherwise claim https (gunicorn's
# default trusts 127.0.0.1, and any peer on a unix socket, whatever this list says — hence no
# scheme headers at all). With a proxy: only its addresses, and only the one header nginx sets
# (it passes a client's X-Forwarded-Ssl or X-Forwarded-Protocol on untouched).
_proxies = _whole_number("PORTAL_PROXY_FIX_X_FOR", 0)
forwarded_allow_ips = (
    os.environ.get("PORTAL_FORWARDED_ALLOW_IPS", "127.0.0.1").strip() if _proxies else ""
)
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"} if _proxies else {}
forwarder_headers = ""  # nginx sets no SCRIPT_NAME or PATH_INFO header

# --- logs --------------------------------------------------------------------------------------
# The access log on standard output, errors on standard error (journald or the container keeps
# them). %({x-forwarded-for}i)s is the client nginx saw; %(h)s is nginx itself; %(M)s in ms.
accesslog = "-"
errorlog = "-"
loglevel = "info"
access_log_format = (
    '%(h)s %({x-forwarded-for}i)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
)


# --- gunicorn's own error pages -------------------------------------------------------------------
# A request gunicorn refuses before the app sees it (a control character in a header value,
# which nginx passes on; a request line or header over the limits above when gunicorn is
# reached directly) gets the Chinese page of static/errors/ that nginx shows for that status,
# with the app's security headers, instead of gunicorn's English one. gunicorn still decides
# the status and logs the refusal; only the page it writes is replaced.
ERROR_PAGES = Path(__file__).resolve().parent.parent / "static" / "errors"
HSTS_SECONDS = _whole_number("PORTAL_HSTS_SECONDS", 0)  # the app's setting, as the app sends it
_STATUS_LINE = re.compile(rb"HTTP/1\.1 ([0-9]{3}) ([^\r\n]*)\r\n")


def error_response(status: int, reason: str) -> bytes | None:
    """The portal's response for an error gunicorn answers itself (None: no page for it)."""
    page = ERROR_PAGES / f"{status}.html"
    if not page.is_file():
        return None  # gunicorn's own page (417, 501: nginx answers those itself)
    body = page.read_bytes()
    headers = {
        "Content-Type": "text/html; charset=utf-8",
        "Content-Length": str(len(body)),
        "Cache-Control": "no-store",
        "Connection": "close",
        **HEADERS,
    }
    if HSTS_SECONDS:
        headers["Strict-Transport-Security"] = f"max-age={HSTS_SECONDS}"
    head = f"HTTP/1.1 {status} {reason}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return (head + "\r\n").encode("latin-1") + body


class _Written:
    """Stands in for the client socket while gunicorn writes its error page: keeps the bytes."""

    def __init__(self, client) -> None:
        self.client = client
        self.data = b""

    def gettimeout(self) -> float:
        return 0.0  # gunicorn then writes at once, without changing the socket's mode

    def sendall(self, data: bytes) -> None:
        self.data += data

    def __getattr__(self, name: str):
        return getattr(self.client, name)  # the address, for the access log


class PortalWorker(SyncWorker):
    """gunicorn's sync worker, writing the portal's error pages instead of its own."""

    def handle_error(self, req, client, addr, exc) -> None:
        written = _Written(client)
        super().handle_error(req, written, addr, exc)
        status = _STATUS_LINE.match(written.data)
        page = status and error_response(int(status.group(1)), status.group(2).decode("latin-1"))
        try:
            util.write_nonblock(client, page or written.data)
        except OSError:
            self.log.debug("Failed to send error message.")


worker_class = PortalWorker

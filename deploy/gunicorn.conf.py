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
worker_class = "sync"
proc_name = "portal"

# A worker silent for this long is killed and replaced (a stuck request cannot hold it forever);
# on a reload or stop, workers get this long to finish the requests they are serving.
timeout = 30
graceful_timeout = 30
# Recycle workers now and then (jittered, so they do not all restart at once).
max_requests = 2000
max_requests_jitter = 200

# --- what a request may be ---------------------------------------------------------------------
# Deliberate limits, matched to nginx's (deploy/nginx.conf: large_client_header_buffers 4 8k):
# anything nginx lets through fits here; a longer URL or header is refused by nginx with its
# Chinese 414/431 page, or by gunicorn with a 400 when it is reached directly.
limit_request_line = 8190  # gunicorn's maximum; the URL, query string included
limit_request_fields = 50  # browsers send about 15 headers; nginx adds 4
limit_request_field_size = 8190

# --- forwarded headers -------------------------------------------------------------------------
# gunicorn takes the scheme (X-Forwarded-Proto) only from these addresses. Without a trusted
# proxy (PORTAL_PROXY_FIX_X_FOR 0 or unset) nobody is trusted: a client talking to gunicorn
# directly could otherwise claim https. With one, only the proxies' own addresses.
_proxies = _whole_number("PORTAL_PROXY_FIX_X_FOR", 0)
forwarded_allow_ips = (
    os.environ.get("PORTAL_FORWARDED_ALLOW_IPS", "127.0.0.1").strip() if _proxies else ""
)

# --- logs --------------------------------------------------------------------------------------
# The access log on standard output, errors on standard error (journald or the container keeps
# them). %({x-forwarded-for}i)s is the client nginx saw; %(h)s is nginx itself; %(M)s in ms.
accesslog = "-"
errorlog = "-"
loglevel = "info"
access_log_format = (
    '%(h)s %({x-forwarded-for}i)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
)

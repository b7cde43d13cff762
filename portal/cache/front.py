"""The page cache's front door: a kept page answered before Flask dispatches the request.

It wraps the app's WSGI callable. A GET or HEAD that carries no session (a reader, never an
editor) costs, when its page is kept: one statement for the cache's validity on this thread's
own connection, one store lookup, and the answer — no request context, no routing, no template.
Everything else goes to Flask, and a response a view marked (``cached()``) is kept as Flask
finished it, headers included, for the next reader.

For every marked response, kept or not (an editor's too), it is also the one place that
- fills in an article's live view count, counting a reader's view (``portal.web.readers``) with
  one atomic statement committed at once: exact across workers and servers, never buffered;
- answers a conditional GET from the page's validators (RFC 9110 §13.2.2: If-None-Match
  decides when sent, weak comparison; If-Modified-Since only without it).
Views that use ``cached()`` therefore never answer 304 themselves.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import Flask
from werkzeug.http import parse_cookie, parse_date, parse_etags, unquote_etag

from portal.cache import validity
from portal.cache.pages import KEEP_HEADER, marker_for
from portal.cache.store import Page, Store
from portal.extensions import db
from portal.posts import queries
from portal.web.prefs import ELDER_COOKIE, FONT_COOKIE, prefs_of
from portal.web.readers import counts_as_view
from portal.web.security import session_cookie_in

log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
_KEEP_HEADER = KEEP_HEADER.lower()
# What a 304 leaves out of the kept page's headers (RFC 9110 §15.4.5 keeps the validators,
# Cache-Control, Vary and the like).
_NOT_IN_304 = {"content-length", "content-type", "content-encoding"}
_CONDITIONAL_HEADERS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")


class Front:
    def __init__(self, app: Flask, wsgi_app: Callable[..., Iterable[bytes]]):
        self.app = app
        self.wsgi_app = wsgi_app
        self._local = threading.local()
        self._lock = threading.Lock()
        self._opened: list[tuple[threading.Thread, int, sa.Connection]] = []

    @property
    def store(self) -> Store:
        return self.app.extensions["page_cache"]

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        if method not in ("GET", "HEAD"):
            return self.wsgi_app(environ, start_response)
        config = self.app.config  # read per request: settings may change while the app runs
        cookies = parse_cookie(environ["HTTP_COOKIE"]) if environ.get("HTTP_COOKIE") else {}
        if session_cookie_in(cookies, config):
            # An editor: never served a kept page, nothing kept for them.
            return self._render(environ, start_response, key=None)
        key = None
        try:
            connection = self._connection()
            key = self._key(connection, environ, cookies)
            page = self.store.get(key) if key is not None else None
            if page is not None:
                return self._answer(page, connection, environ, start_response)
        except sa.exc.DBAPIError:
            # The database is out of reach: Flask answers (its 503 page); reconnect next time.
            self._forget_connection()
        return self._render(environ, start_response, key=key)

    # --- the key -------------------------------------------------------------------------

    def _key(self, connection: sa.Connection, environ: dict, cookies: Any) -> str | None:
        """The validity token, this release and settings, the URL (with the scheme and host when
        SITE_URL does not fix them) and the reading aids the page was made with. None: nothing
        may be kept this time (the validity row is missing or a new generation is starting)."""
        state = validity.read(connection)
        if state is None or state.due:
            with self.app.app_context():
                validity.start_generation(None if state is None else state.generation)
            return None
        origin = (
            ""
            if self.app.config["SITE_URL"]
            else f"{environ['wsgi.url_scheme']}://{_host(environ)}"
        )
        prefs = prefs_of(cookies)["html_class"]
        if FONT_COOKIE in cookies or ELDER_COOKIE in cookies:
            prefs += " (cookies)"  # such a page carries Vary: Cookie; the default one does not
        settings = self.app.extensions["page_cache_settings"]
        path = environ.get("PATH_INFO", "")
        query = environ.get("QUERY_STRING", "")
        return f"{state.token}|{settings}|{origin}|{path}?{query}|{prefs}"

    # --- rendering and keeping -----------------------------------------------------------

    def _render(self, environ: dict, start_response: StartResponse, key: str | None):
        """Flask's response; kept under ``key`` when a view marked it. A HEAD is rendered as
        the GET it stands for (its headers must be the GET's), the body left out at the end."""
        captured: list = []

        def capture(status: str, headers: list, exc_info: Any = None):
            captured[:] = [status, headers, exc_info]
            return _no_write

        rendered = dict(environ, REQUEST_METHOD="GET")
        result = self.wsgi_app(rendered, capture)
        status, headers, exc_info = captured
        mark = next((value for name, value in headers if name.lower() == _KEEP_HEADER), None)
        if mark is None or not status.startswith("200 "):
            start_response(status, _without(headers, _KEEP_HEADER), exc_info)
            if environ["REQUEST_METHOD"] == "HEAD":
                _close(result)
                return []
            return result
        try:
            body = b"".join(result)
        finally:
            _close(result)
        page = _page(status, headers, body, mark)
        if key is not None and not any(name.lower() == "set-cookie" for name, _ in headers):
            self.store.set(key, page)
        try:
            return self._answer(page, self._connection(), environ, start_response)
        except sa.exc.DBAPIError as error:  # gone between the page and its view count
            self._forget_connection()
            return self._error_page(error, environ, start_response)

    def _error_page(self, error: Exception, environ: dict, start_response: StartResponse):
        """Flask's own answer to ``error`` (the Chinese 503 page for a database out of reach),
        with the headers every response gets."""
        with self.app.request_context(environ):
            response = self.app.make_response(self.app.handle_user_exception(error))
            response = self.app.process_response(response)
        return response(environ, start_response)

    # --- answering -----------------------------------------------------------------------

    def _answer(
        self, page: Page, connection: sa.Connection, environ: dict, start_response: StartResponse
    ) -> list[bytes]:
        body = page.body
        if page.counted_post is not None:
            config = self.app.config
            counted = counts_as_view(environ, config["CRAWLER_USER_AGENT_PATTERN"])
            count = queries.record_view(connection, page.counted_post, counted=counted)
            body = body.replace(marker_for(config["SECRET_KEY"]).encode(), str(count).encode())
        if _is_fresh(environ, page):
            headers = [(k, v) for k, v in page.headers if k.lower() not in _NOT_IN_304]
            start_response("304 Not Modified", headers)
            return []
        start_response(page.status, [*page.headers, ("Content-Length", str(len(body)))])
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]

    # --- this thread's connection --------------------------------------------------------

    def _connection(self) -> sa.Connection:
        """A connection of this thread's own, in autocommit (each statement its own
        transaction: the validity is always current, a counted view committed at once), made
        in the process that uses it (gunicorn forks workers after the app is built)."""
        local = self._local
        if getattr(local, "pid", None) != os.getpid() or local.connection.closed:
            with self.app.app_context():
                engine = db.engine
            local.connection = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            local.pid = os.getpid()
            self._opened_by(threading.current_thread(), local.connection)
        return local.connection

    def _opened_by(self, thread: threading.Thread, connection: sa.Connection) -> None:
        """Every connection is also listed here, so that ``close()`` gives back all of them,
        whichever thread made them: a thread's local storage would otherwise drop its connection
        unclosed when the thread ends. A connection of an ended thread is closed the next time
        one is made; one inherited from the parent process is left to the parent."""
        with self._lock:
            pid = os.getpid()
            kept = []
            for owner, owner_pid, opened in self._opened:
                if owner_pid != pid:
                    continue
                if owner.is_alive():
                    kept.append((owner, owner_pid, opened))
                else:
                    _give_back(opened)
            kept.append((thread, pid, connection))
            self._opened = kept

    def close(self) -> None:
        """Give back every connection this process's threads made (an app that is done with,
        in the tests)."""
        with self._lock:
            opened, self._opened = self._opened, []
        for _owner, owner_pid, connection in opened:
            if owner_pid == os.getpid():
                _give_back(connection)
        self._local.pid = None

    def _forget_connection(self) -> None:
        connection = getattr(self._local, "connection", None)
        self._local.pid = None
        if connection is not None:
            with self._lock:
                self._opened = [entry for entry in self._opened if entry[2] is not connection]
            _give_back(connection, broken=True)


def _give_back(connection: sa.Connection, broken: bool = False) -> None:
    try:
        if broken:  # not back into the pool: discarded
            connection.invalidate()
        connection.close()
    except sa.exc.SQLAlchemyError:
        log.debug("dropping a broken connection", exc_info=True)


def _page(status: str, headers: list[tuple[str, str]], body: bytes, mark: str) -> Page:
    counted = mark.partition("count=")[2]
    kept = [
        (name, value)
        for name, value in headers
        if name.lower() not in (_KEEP_HEADER, "content-length")
    ]
    found = {name.lower(): value for name, value in kept}
    etag = unquote_etag(found["etag"])[0] if "etag" in found else None
    last_modified = parse_date(found.get("last-modified"))
    return Page(status, kept, body, int(counted) if counted else None, etag, last_modified)


def _is_fresh(environ: dict, page: Page) -> bool:
    if not any(name in environ for name in _CONDITIONAL_HEADERS):
        return False
    if_none_match = environ.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:
        return page.etag is not None and parse_etags(if_none_match).contains_weak(page.etag)
    since: datetime | None = parse_date(environ.get("HTTP_IF_MODIFIED_SINCE"))
    return since is not None and page.last_modified is not None and page.last_modified <= since


def _host(environ: dict) -> str:
    return environ.get("HTTP_HOST") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"


def _without(headers: list[tuple[str, str]], lowered: str) -> list[tuple[str, str]]:
    return [(name, value) for name, value in headers if name.lower() != lowered]


def _close(result: Iterable[bytes]) -> None:
    close = getattr(result, "close", None)
    if close is not None:
        close()


def _no_write(_data: bytes) -> None:
    raise RuntimeError("the page cache's front door does not support write()")

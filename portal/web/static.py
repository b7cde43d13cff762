"""Static files under content-hashed URLs: ``url_for('static', filename=…)`` adds
``?v=<first 12 hex digits of the file's SHA-256>``, and a response for a URL that carries the
file's current ``v`` may be kept by every cache for a year (``immutable``): a changed file gets
a new URL, so no reader ever sees a stale stylesheet, and an unchanged one is never fetched
again. A URL without ``v`` (or with an old one) is cached briefly.

The hash is computed once per file and process; a file whose size or modification time changes
(a deploy without a restart) is hashed again. Every server computes the same ``v`` from the
same content, so pages made by any of them link the same URLs. nginx serving ``static/``
itself (deploy/nginx.conf) sends the same headers for a URL of that form.
"""

from __future__ import annotations

import hashlib
import os
import threading

from flask import Flask, current_app, request
from werkzeug.security import safe_join

VERSION_ARG = "v"
VERSION_LENGTH = 12
IMMUTABLE = "public, max-age=31536000, immutable"
SHORT_MAX_AGE = 3600  # an unversioned URL (an image in an article body, an error page's CSS)
UNVERSIONED = f"public, max-age={SHORT_MAX_AGE}"
STALE = "no-cache"


class StaticVersions:
    """The ``v`` of each static file: its digest, kept with the size and modification time it
    was computed for."""

    def __init__(self):
        self._known: dict[str, tuple[int, int, str]] = {}
        self._lock = threading.Lock()

    def version(self, folder: str, filename: str) -> str | None:
        """The ``v`` of ``filename`` in ``folder``, or None when there is no such file (its URL
        stays as it is, and answers 404)."""
        path = safe_join(folder, filename)
        if path is None:
            return None
        try:
            stat = os.stat(path)
        except OSError:
            return None
        known = self._known.get(path)
        if known is not None and known[:2] == (stat.st_size, stat.st_mtime_ns):
            return known[2]
        digest = hashlib.sha256()
        try:
            with open(path, "rb") as handle:
                for block in iter(lambda: handle.read(1 << 16), b""):
                    digest.update(block)
        except OSError:  # a directory, or a file that went away
            return None
        version = digest.hexdigest()[:VERSION_LENGTH]
        with self._lock:
            self._known[path] = (stat.st_size, stat.st_mtime_ns, version)
        return version


def _version(filename: str) -> str | None:
    folder = current_app.static_folder
    if folder is None:
        return None
    versions: StaticVersions = current_app.extensions["static_versions"]
    return versions.version(folder, filename)


def _add_version(endpoint: str, values: dict) -> None:
    """``url_for('static', filename=…)`` → ``/static/…?v=…`` (an explicit ``v`` is kept)."""
    if endpoint != "static" or VERSION_ARG in values or "filename" not in values:
        return
    version = _version(values["filename"])
    if version is not None:
        values[VERSION_ARG] = version


def _cache_headers(response):
    """A static file under its current ``v`` never changes; without ``v`` it may, now and then.
    Under another ``v`` (a page from a server of another release, during a rolling deploy)
    this file is not what the URL names: revalidated every time, so no cache keeps it."""
    if request.endpoint != "static" or response.status_code not in (200, 304):
        return response
    asked = request.args.get(VERSION_ARG)
    if asked is None:
        response.headers["Cache-Control"] = UNVERSIONED
    elif asked == _version((request.view_args or {}).get("filename", "")):
        response.headers["Cache-Control"] = IMMUTABLE
    else:
        response.headers["Cache-Control"] = STALE
    return response


def init_app(app: Flask) -> None:
    app.extensions["static_versions"] = StaticVersions()
    app.url_defaults(_add_version)
    app.after_request(_cache_headers)

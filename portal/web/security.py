"""Security headers, in one place, applied to every response; the rule that nothing under
``/editor`` is ever stored by any cache; and the rule that a response made for one person's
session is never kept by a shared cache."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, current_app, request
from flask.sessions import SecureCookieSessionInterface

# No 'unsafe-inline' / 'unsafe-eval': templates and sanitized bodies carry no inline script or
# style (sanitize.py turns the few styles articles need into classes).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' https:",
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# Every URL of the editor and its login lives under this prefix (tests/test_every_endpoint.py
# checks every rule of the "auth" and "editor" blueprints against it).
EDITOR_PREFIX = "/editor"

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}


def is_editor_path(path: str) -> bool:
    return path == EDITOR_PREFIX or path.startswith(f"{EDITOR_PREFIX}/")


def _add_headers(response):
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if is_editor_path(request.path):
        # Whatever the editor shows (drafts, the login form, an error, a redirect) is one
        # person's, and may hold what is not public yet: no browser history, disk or proxy
        # may keep a copy. By URL, so error pages and routing redirects are covered too.
        response.headers["Cache-Control"] = "no-store"
    seconds = current_app.config["HSTS_SECONDS"]
    if seconds:
        response.headers.setdefault("Strict-Transport-Security", f"max-age={int(seconds)}")
    return response


def carries_session() -> bool:
    """Does the request carry a session (or Flask-Login's remember-me) cookie?

    Only such a request may open the session: reading even an empty session makes Flask send
    ``Vary: Cookie``, which would stop every cache from sharing an anonymous reader's page.
    A reader who sent no session cookie has no flashed message and no login to look up."""
    return session_cookie_in(request.cookies, current_app.config)


def session_cookie_in(cookies: Mapping[str, str], config: Mapping[str, Any]) -> bool:
    """``carries_session`` for cookies read from anywhere (the page cache's front door reads
    them before Flask makes a request)."""
    return config["SESSION_COOKIE_NAME"] in cookies or (
        config.get("REMEMBER_COOKIE_NAME", "remember_token") in cookies
    )


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, and one rule: a response whose making read the session
    (a logged-in editor's page, the login form with its CSRF token) belongs to that person, so
    no shared cache may keep it. Flask adds ``Vary: Cookie`` to it; ``no-store`` (the editor's
    preview) stays as it is. A response that never read the session (a feed, a static file,
    any page for a reader who sent no session cookie) keeps its own ``Cache-Control``."""

    def save_session(self, app, session, response) -> None:
        super().save_session(app, session, response)
        if session.accessed and not response.cache_control.no_store:
            response.headers["Cache-Control"] = "private, no-cache"


def init_app(app: Flask) -> None:
    app.after_request(_add_headers)
    app.session_interface = SessionInterface()

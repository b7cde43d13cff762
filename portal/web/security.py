"""Security headers, in one place, applied to every response."""

from __future__ import annotations

from flask import Flask, current_app

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

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}


def _add_headers(response):
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    seconds = current_app.config["HSTS_SECONDS"]
    if seconds:
        response.headers.setdefault("Strict-Transport-Security", f"max-age={int(seconds)}")
    return response


def init_app(app: Flask) -> None:
    app.after_request(_add_headers)

"""Where a ``next=`` parameter may send a browser: only to a path on this site."""

from __future__ import annotations

from urllib.parse import urlsplit


def local_path(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None (no open redirect).

    Browsers treat "\\" as "/" and ignore tabs and newlines in URLs, so "/\\evil.com" and
    "/\\t/evil.com" are other sites too; only a single leading "/" followed by a path is local.
    """
    if not target or any(ch in target for ch in "\\\t\r\n") or not target.isprintable():
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target

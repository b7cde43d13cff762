"""Where the site's redirects may point: ``next=`` paths, the query string a redirect keeps,
and the base every redirect is built on."""

from __future__ import annotations

from urllib.parse import quote, urlsplit, urlunsplit

# What may stay as it is in a URL's query (RFC 3986 §3.4) — "%" too, so the escapes the client
# sent are kept; everything else (spaces, non-ASCII bytes, CR/LF, "#") is percent-encoded.
_QUERY_SAFE = "!$&'()*+,;=:@/?%"


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


def with_query(path: str, raw_query: bytes) -> str:
    """``path`` with the request's query string kept as the string it is: never parsed into
    arguments (which could then override parts of the URL), only made safe for a header."""
    query = quote(raw_query, safe=_QUERY_SAFE)
    return f"{path}?{query}" if query else path


def on_site(location: str, base: str | None, request_root: str) -> str:
    """A redirect's ``location`` as the site sends it: on ``base`` (SITE_URL) when it is set,
    otherwise as a path, which the browser resolves against the address it asked for. So a
    forged ``Host`` header never ends up in a redirect: neither in a path the portal made nor
    in an absolute URL werkzeug built from the request (its slash redirects) — whose origin,
    ``request_root``, is replaced. A URL of another site, or a relative reference that is not
    a path, is left as it is."""
    parts = urlsplit(location)
    if parts.scheme or parts.netloc:
        own = urlsplit(request_root)
        if (parts.scheme.lower(), parts.netloc.lower()) != (own.scheme, own.netloc.lower()):
            return location
        path = "/" + parts.path.lstrip("/")  # never "//host": that would name another site
        location = urlunsplit(("", "", path, parts.query, parts.fragment))
    if not location.startswith("/") or location.startswith("//"):
        return location
    return base.rstrip("/") + location if base else location

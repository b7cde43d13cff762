"""URLs in href/src, read as a browser reads them: what scheme, which host, absolute or not."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from bleach import html5lib_shim

from portal.sanitize.policy import ALLOWED_PROTOCOLS


def normalize_url(value: str) -> str:
    # As a browser reads it: entities decoded, tab/CR/LF removed, ends trimmed, "\" as "/".
    url = re.sub(r"[\t\n\r]", "", html5lib_shim.convert_entities(value))
    return url.strip("\x00- ").replace("\\", "/")


def url_problem(value: str) -> str:
    """The report for a URL bleach refused: its forbidden scheme, or that it is invalid."""
    # Same normalization bleach applies before checking the scheme.
    url = re.sub(r"[`\x00-\x20\x7f-\xa0\s]+", "", html5lib_shim.convert_entities(value))
    match = re.match(r"([a-z][a-z0-9+.\-]*):", re.sub(r"[^\x00-\x7f]", "", url).lower())
    if match and match.group(1) not in ALLOWED_PROTOCOLS:
        return f"{match.group(1)}: 链接"
    return "无效链接"


def site_hostname(site_host: str | None) -> str | None:
    """The host name in ``site_host`` (which may carry a port), as urlsplit() reports hosts."""
    return urlsplit(f"//{site_host}").hostname if site_host else None


def is_external(href: str | None, site_hostname: str | None) -> bool:
    """Absolute http(s) links to another host get rel="noopener noreferrer"."""
    if href is None:
        return False
    url = normalize_url(href)
    try:
        parts = urlsplit(url)
        if parts.scheme.lower() in ("http", "https") or url.startswith("//"):
            return site_hostname is None or parts.hostname != site_hostname
    except ValueError:  # bleach may accept what Python cannot parse: err on the safe side
        return True
    return False


def absolute(value: str, base_url: str) -> str:
    """``value`` made absolute against ``base_url``; absolute and unparseable URLs unchanged."""
    url = normalize_url(value)
    try:
        return value if urlsplit(url).scheme else urljoin(base_url, url)
    except ValueError:
        return value

"""What every template gets: filters, site settings, the sidebar, absolute URLs."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, g, get_flashed_messages, redirect, request, url_for
from werkzeug.wrappers import Response

from portal import redirects
from portal.posts import queries
from portal.timeutil import format_site, to_site
from portal.web.security import carries_session


def absolute_url_for(endpoint: str, **values) -> str:
    """An absolute URL on the canonical base (SITE_URL) if configured, else the request's."""
    base = current_app.config["SITE_URL"]
    if not base:
        return url_for(endpoint, _external=True, **values)
    return base.rstrip("/") + url_for(endpoint, **values)


def _redirect_on_site(response: Response) -> Response:
    """Every redirect the portal answers — its views', Flask-Login's, werkzeug's slash
    redirects (which it builds from the request's Host) — points on SITE_URL when configured,
    else is a path: never at whatever host the request named (``redirects.on_site``)."""
    location = response.headers.get("Location")
    if location is None:
        return response
    target = redirects.on_site(location, current_app.config["SITE_URL"], request.host_url)
    if target != location:
        response.headers["Location"] = target
        if 300 <= response.status_code < 400:  # its little page links the target too
            response.set_data(redirect(target, response.status_code).get_data())
    return response


def site_host() -> str:
    """The site's host name: SITE_URL's if configured, else the request's (without a port)."""
    base = current_app.config["SITE_URL"]
    return (urlsplit(base).hostname if base else None) or request.host.split(":")[0]


def site_domain() -> str:
    """<meta name="SiteDomain">: SITE_DOMAIN if configured, else the site's host."""
    return current_app.config["SITE_DOMAIN"] or site_host()


def _sidebar_notices():
    """Loaded at most once per request, only if a template shows the sidebar."""
    if "sidebar_notices" not in g:
        config = current_app.config
        g.sidebar_notices = queries.sidebar_notices(
            config["NOTICES_CHANNEL"], config["SIDEBAR_NOTICES"]
        )
    return g.sidebar_notices


def _flashed_messages(with_categories: bool = False) -> list:
    """``get_flashed_messages``, for every page: messages live in the session, so a reader who
    sent no session cookie has none, and asking would open the session (``Vary: Cookie``)."""
    return get_flashed_messages(with_categories=with_categories) if carries_session() else []


def _template_globals() -> dict:
    config = current_app.config
    return {
        "site_name": config["SITE_NAME"],
        "site_id_code": config["SITE_ID_CODE"],
        "site_domain": site_domain,
        "notices_slug": config["NOTICES_CHANNEL"],
        "sidebar_notices": _sidebar_notices,
        "nav_channels": queries.nav_channels,
        "absolute_url_for": absolute_url_for,
        "flashed_messages": _flashed_messages,
        "footer": {
            key[len("FOOTER_") :].lower(): value
            for key, value in config.items()
            if key.startswith("FOOTER_")
        },
    }


def init_app(app: Flask) -> None:
    app.after_request(_redirect_on_site)
    app.context_processor(_template_globals)
    app.add_template_filter(format_site, "site_time")
    app.add_template_filter(lambda moment: format_site(moment, "%Y-%m-%d"), "site_date")
    # Whole seconds: HTML <time datetime> allows at most three fractional digits.
    app.add_template_filter(
        lambda moment: to_site(moment).isoformat(timespec="seconds"), "site_iso"
    )

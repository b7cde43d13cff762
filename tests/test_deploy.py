"""deploy/: the gunicorn settings as gunicorn reads them, and the nginx site kept in step with
the app (security headers, request limits, error pages). tests/test_nginx.py runs both."""

from __future__ import annotations

import os
import re
import runpy
from pathlib import Path

import pytest
from gunicorn.config import Config

from portal.attachments import upload_request_limit
from portal.config import DefaultConfig
from portal.web import security

ROOT = Path(__file__).resolve().parent.parent
GUNICORN_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
NGINX_CONFIG = ROOT / "deploy" / "nginx.conf"
SETTINGS_FROM_ENV = (
    "PORTAL_BIND",
    "PORTAL_WORKERS",
    "PORTAL_PROXY_FIX_X_FOR",
    "PORTAL_FORWARDED_ALLOW_IPS",
)


@pytest.fixture
def gunicorn_settings(monkeypatch):
    """Load deploy/gunicorn.conf.py with the given environment (and CPU count) into gunicorn's
    own Config, whose validators check every value; returns the settings."""
    for name in SETTINGS_FROM_ENV:
        monkeypatch.delenv(name, raising=False)

    def load(cpus: int = 2, **env: str) -> Config:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(cpus)))
        namespace = runpy.run_path(str(GUNICORN_CONFIG))
        config = Config()
        for name, value in namespace.items():
            if name in config.settings:
                config.set(name, value)
        return config

    return load


@pytest.mark.parametrize(("cpus", "workers"), [(1, 3), (2, 5), (4, 9), (64, 12)])
def test_workers_follow_the_cpus_up_to_a_cap(gunicorn_settings, cpus, workers):
    assert gunicorn_settings(cpus).workers == workers


def test_workers_and_bind_from_the_environment(gunicorn_settings):
    assert gunicorn_settings().bind == ["127.0.0.1:8000"]
    config = gunicorn_settings(PORTAL_WORKERS="3", PORTAL_BIND="0.0.0.0:9000")
    assert (config.workers, config.bind) == (3, ["0.0.0.0:9000"])


@pytest.mark.parametrize("proxies", [None, "0"])
def test_without_a_trusted_proxy_no_forwarded_header_is_trusted(gunicorn_settings, proxies):
    env = {} if proxies is None else {"PORTAL_PROXY_FIX_X_FOR": proxies}
    env["PORTAL_FORWARDED_ALLOW_IPS"] = "10.0.0.5"  # ignored: no proxy is trusted
    config = gunicorn_settings(**env)
    assert config.forwarded_allow_ips == []
    assert config.forwarded_allow_networks() == []


def test_behind_a_proxy_only_its_address_is_trusted(gunicorn_settings):
    assert gunicorn_settings(PORTAL_PROXY_FIX_X_FOR="1").forwarded_allow_ips == ["127.0.0.1"]
    config = gunicorn_settings(
        PORTAL_PROXY_FIX_X_FOR="2", PORTAL_FORWARDED_ALLOW_IPS="10.0.0.5,10.0.1.0/24"
    )
    assert config.forwarded_allow_ips == ["10.0.0.5", "10.0.1.0/24"]


def test_a_setting_that_is_not_a_number_stops_the_start(gunicorn_settings):
    with pytest.raises(ValueError, match="PORTAL_PROXY_FIX_X_FOR"):
        gunicorn_settings(PORTAL_PROXY_FIX_X_FOR="yes")


def test_timeouts_limits_and_logs_are_deliberate(gunicorn_settings):
    config = gunicorn_settings()
    assert config.timeout == 30
    assert 0 < config.graceful_timeout <= config.timeout
    assert (config.accesslog, config.errorlog) == ("-", "-")
    assert config.limit_request_line == 8190
    assert 0 < config.limit_request_fields <= 32768  # gunicorn's maximum
    assert 0 < config.limit_request_field_size <= 8190


# --- nginx, in step with the app and gunicorn ------------------------------------------------


def nginx_config() -> str:
    return NGINX_CONFIG.read_text(encoding="utf-8")


def directive(name: str) -> list[str]:
    """The values of every ``name`` directive (comments left out)."""
    lines = [line.split("#", 1)[0] for line in nginx_config().splitlines()]
    return re.findall(rf"^\s*{name}\s+([^;]+);", "\n".join(lines), re.MULTILINE)


def size(value: str) -> int:
    units = {"k": 1024, "m": 1024 * 1024}
    return int(value[:-1]) * units[value[-1]] if value[-1] in units else int(value)


def test_nginx_sends_the_apps_security_headers_on_what_it_serves_itself():
    headers = dict(re.findall(r'^\s*add_header\s+(\S+)\s+"([^"]*)"', nginx_config(), re.MULTILINE))
    assert headers["Content-Security-Policy"] == security.CONTENT_SECURITY_POLICY
    for name, value in security.HEADERS.items():
        assert headers[name] == value, name
    # Each location that serves files has the whole set (add_header is not inherited there):
    # static files, the error pages, the uploads (attachments' X-Accel-Redirect).
    for name in security.HEADERS:
        assert len(re.findall(rf"add_header {name} ", nginx_config())) == 3, name


def test_nginx_and_gunicorn_and_the_app_limit_requests_alike(gunicorn_settings):
    (buffers,) = directive("large_client_header_buffers")
    buffer_size = size(buffers.split()[1])
    gunicorn = gunicorn_settings()
    # Whatever request line or header nginx accepts, gunicorn accepts too.
    assert buffer_size - 2 <= gunicorn.limit_request_line
    assert buffer_size - 2 <= gunicorn.limit_request_field_size
    # nginx counts no headers: as many lines of 3 bytes ("a:" and LF) as its buffers hold.
    assert int(buffers.split()[0]) * buffer_size // 3 <= gunicorn.limit_request_fields
    body, uploads = directive("client_max_body_size")
    assert size(body) == DefaultConfig.MAX_CONTENT_LENGTH
    # The forms that carry files (portal.attachments.UPLOAD_ENDPOINTS) take a post's files more.
    defaults = {name: getattr(DefaultConfig, name) for name in dir(DefaultConfig)}
    assert size(uploads) == upload_request_limit(defaults)


def test_every_nginx_error_page_is_a_chinese_page_in_the_sites_look():
    pages = directive("error_page")
    codes = {code for page in pages for code in page.split() if code.isdigit()}
    assert {"400", "413", "414", "494", "500", "502", "503", "504"} <= codes
    for page in pages:
        *statuses, target = page.split()
        shown = statuses[-1].lstrip("=") if statuses[-1].startswith("=") else statuses[0]
        path = ROOT / target.lstrip("/")
        assert target == f"/static/errors/{shown}.html", page
        html = path.read_text(encoding="utf-8")
        assert html.startswith('<!DOCTYPE html>\n<html lang="zh-CN">'), target
        assert '<meta charset="utf-8">' in html
        assert '<link rel="stylesheet" href="/static/css/site.css">' in html
        assert f"错误代码：{shown}</p>" in html
        assert re.search(r"<h1>[\u4e00-\u9fff]+</h1>", html), target
        assert '<main id="content"' in html
        assert 'href="#content"' in html
        # Nothing inline (the CSP forbids it): no <style>, no style=, no inline script.
        assert not re.search(r"<style|\sstyle=|<script|\son\w+=", html), target

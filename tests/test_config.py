"""Configuration layers: defaults, then instance/config.py, then PORTAL_* variables."""

from __future__ import annotations

import os

import pytest
from support import EDITOR_PASSWORD, login

from portal import create_app


@pytest.fixture
def clean_env(monkeypatch):
    for name in list(os.environ):
        if name.startswith("PORTAL_"):
            monkeypatch.delenv(name)
    return monkeypatch


@pytest.mark.usefixtures("clean_env")
def test_defaults_apply_without_instance_file_or_environment(tmp_path):
    app = create_app(instance_path=str(tmp_path))
    assert app.config["TIMEZONE"] == "Asia/Shanghai"
    assert app.config["POSTS_PER_PAGE"] == 20
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/portal.sqlite3"


@pytest.mark.usefixtures("clean_env")
def test_secret_key_is_generated_once_into_the_instance_file(tmp_path):
    first = create_app(instance_path=str(tmp_path))
    key = first.config["SECRET_KEY"]
    assert len(key) >= 32
    assert key in (tmp_path / "config.py").read_text()
    second = create_app(instance_path=str(tmp_path))
    assert second.config["SECRET_KEY"] == key  # sessions survive a restart


def test_instance_file_overrides_defaults_and_environment_overrides_both(clean_env, tmp_path):
    (tmp_path / "config.py").write_text(
        'SECRET_KEY = "from-instance"\nSITE_NAME = "实例站名"\nTIMEZONE = "Asia/Urumqi"\n'
    )
    clean_env.setenv("PORTAL_SITE_NAME", "环境站名")
    clean_env.setenv("PORTAL_POSTS_PER_PAGE", "5")
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SECRET_KEY"] == "from-instance"
    assert app.config["TIMEZONE"] == "Asia/Urumqi"
    assert app.config["SITE_NAME"] == "环境站名"
    assert app.config["POSTS_PER_PAGE"] == 5  # JSON-looking values are parsed


def test_database_is_chosen_by_environment(clean_env, tmp_path):
    clean_env.setenv("PORTAL_SECRET_KEY", "from-env")
    clean_env.setenv(
        "PORTAL_SQLALCHEMY_DATABASE_URI", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    assert not (tmp_path / "config.py").exists()  # a key from the environment is not written


@pytest.mark.usefixtures("two_per_page")
def test_posts_per_page_setting_changes_the_channel_list(client, make_post):
    for n in range(3):
        make_post(f"公告{n}")
    assert client.get("/notices/?page=2").status_code == 200
    assert client.get("/notices/?page=3").status_code == 404


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SITE_URL", "pf.example.gov.cn"),  # no scheme: every feed link would be relative
        ("SITE_URL", "ftp://pf.example.gov.cn"),
        ("FEED_ENTRIES", 0),
        ("FEED_ENTRIES", -1),
        ("POSTS_PER_PAGE", "twenty"),
        ("FEED_TAG_AUTHORITY", "not an authority"),
    ],
)
def test_settings_that_would_break_links_or_ids_are_refused_at_start(
    clean_env, tmp_path, name, value
):
    clean_env.setenv(f"PORTAL_{name}", value if isinstance(value, str) else str(value))
    clean_env.setenv("PORTAL_SECRET_KEY", "x")
    with pytest.raises(ValueError, match=name):
        create_app(instance_path=str(tmp_path))


def test_a_public_site_with_the_placeholder_feed_authority_is_warned(clean_env, tmp_path, caplog):
    clean_env.setenv("PORTAL_SECRET_KEY", "x")
    clean_env.setenv("PORTAL_SITE_URL", "https://pf.example.gov.cn")
    create_app(instance_path=str(tmp_path))
    assert "FEED_TAG_AUTHORITY is still the placeholder" in caplog.text
    caplog.clear()
    clean_env.setenv("PORTAL_FEED_TAG_AUTHORITY", "pf.example.gov.cn,2026")
    create_app(instance_path=str(tmp_path))
    assert "FEED_TAG_AUTHORITY" not in caplog.text


@pytest.mark.usefixtures("clean_env")
def _generated_secret_key(instance_path: str) -> str:
    return create_app(instance_path=instance_path).config["SECRET_KEY"]


def test_workers_starting_together_share_one_generated_secret_key(tmp_path):
    # Processes, as gunicorn's workers are (threads building apps at once also trip a CPython
    # 3.11 bug in concurrent ast compilation, which werkzeug's routing uses).
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=4) as pool:
        keys = set(pool.map(_generated_secret_key, [str(tmp_path)] * 8))
    assert len(keys) == 1
    assert (tmp_path / "config.py").read_text().count("SECRET_KEY") == 1


@pytest.fixture(params=[(1, 302), (0, 429)], ids=["proxy-fix", "no-proxy-fix"])
def proxy_case(request, app_config) -> int:
    """PROXY_FIX_X_FOR, and the status a second client behind the same proxy then gets."""
    proxies, other_client_status = request.param
    app_config["PROXY_FIX_X_FOR"] = proxies
    return other_client_status


def attempt(client, username, password, forwarded_for):
    return login(client, username, password, headers={"X-Forwarded-For": forwarded_for})


def test_behind_a_proxy_the_lockout_counts_each_real_client(proxy_case, client, make_editor):
    make_editor("editor")
    for _ in range(5):  # one client behind the proxy guesses the editor's password: locked out
        attempt(client, "editor", "wrong-password!", "203.0.113.7")
    assert attempt(client, "editor", EDITOR_PASSWORD, "203.0.113.7").status_code == 429
    # The editor behind the same proxy is locked out too only when its address is unknown.
    response = attempt(client, "editor", EDITOR_PASSWORD, "198.51.100.20")
    assert response.status_code == proxy_case

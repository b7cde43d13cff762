"""字号 大/中/小 and 老年人模式: plain links that set a cookie and come back, on every page."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from portal.web.prefs import COOKIE_MAX_AGE, ELDER_COOKIE, FONT_COOKIE


def html_classes(response) -> set[str]:
    match = re.search(r"<html\b[^>]*\bclass=\"([^\"]*)\"", response.get_data(as_text=True))
    assert match, "the page has no class on <html>"
    return set(match.group(1).split())


class _AidLinks(HTMLParser):
    """The reading-aid links of a page: visible text, href and whether marked current."""

    def __init__(self):
        super().__init__()
        self.links: list[dict] = []
        self._open: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and "data-pref-group" in attributes:
            self._open = {"href": attributes["href"], "text": "", **attributes}
            self.links.append(self._open)

    def handle_endtag(self, tag):
        if tag == "a":
            self._open = None

    def handle_data(self, data):
        if self._open is not None:
            self._open["text"] += data


def aid_links(response) -> dict[str, dict]:
    parser = _AidLinks()
    parser.feed(response.get_data(as_text=True))
    return {link["text"]: link for link in parser.links}


def test_default_is_medium_text_and_no_elder_mode(client, make_channel):
    make_channel("news", name="普法动态")
    page = client.get("/")
    assert html_classes(page) == {"font-medium"}
    links = aid_links(page)
    assert set(links) == {"字号大", "字号中", "字号小", "老年人模式开启", "老年人模式关闭"}
    assert links["字号中"].get("aria-current") == "true"
    assert links["老年人模式关闭"].get("aria-current") == "true"
    assert "aria-current" not in links["字号大"]


@pytest.mark.parametrize(
    ("label", "css_class"),
    [("字号大", "font-large"), ("字号中", "font-medium"), ("字号小", "font-small")],
)
def test_font_size_link_sets_a_cookie_and_returns_to_the_page(client, make_post, label, css_class):
    post = make_post("普法宣传月活动通知")
    article = f"/notices/{post.id}.html"
    link = aid_links(client.get(article))[label]["href"]

    response = client.get(link)

    assert response.status_code == 303
    assert response.headers["Location"] == article
    cookie = client.get_cookie(FONT_COOKIE)
    assert cookie is not None
    assert cookie.http_only
    assert cookie.same_site == "Lax"
    assert cookie.max_age == COOKIE_MAX_AGE
    # It persists: the next pages (another page, an error page) are shown in that size.
    assert css_class in html_classes(client.get(article))
    assert css_class in html_classes(client.get("/notices/"))
    missing = client.get("/no-such-channel/")
    assert missing.status_code == 404
    assert css_class in html_classes(missing)
    assert aid_links(client.get("/notices/"))[label].get("aria-current") == "true"


def test_elder_mode_turns_on_and_off_across_pages(client, make_post):
    make_post("公告一")
    on_link = aid_links(client.get("/notices/"))["老年人模式开启"]["href"]

    assert client.get(on_link).status_code == 303
    assert client.get_cookie(ELDER_COOKIE).value == "on"
    home = client.get("/")
    assert "elder-mode" in html_classes(home)
    assert aid_links(home)["老年人模式开启"].get("aria-current") == "true"

    off_link = aid_links(home)["老年人模式关闭"]["href"]
    assert client.get(off_link).headers["Location"] == "/"
    assert "elder-mode" not in html_classes(client.get("/notices/"))


def test_font_size_and_elder_mode_combine(client, make_channel):
    make_channel("news")
    client.get("/prefs/font-size/large?next=/")
    client.get("/prefs/elder-mode/on?next=/")
    assert html_classes(client.get("/")) == {"font-large", "elder-mode"}


def test_controls_return_to_the_page_with_its_query(client, make_post):
    for number in range(25):
        make_post(f"公告{number}")
    page_two = client.get("/notices/?page=2")
    link = aid_links(page_two)["字号大"]["href"]
    assert client.get(link).headers["Location"] == "/notices/?page=2"


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "https://evil.example/",
        "//evil.example/path",
        "/\\evil.example",
        "javascript:alert(1)",
        "news/",
        "/\r\nSet-Cookie: x=1",
        "/\x00",
    ],
)
def test_controls_never_redirect_off_the_site(client, target):
    query = {} if target is None else {"next": target}
    response = client.get("/prefs/font-size/small", query_string=query)
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_unknown_choice_is_a_chinese_404_and_sets_nothing(client):
    for url in ("/prefs/font-size/huge", "/prefs/elder-mode/maybe"):
        response = client.get(url)
        assert response.status_code == 404
        assert "页面不存在" in response.get_data(as_text=True)
    assert client.get_cookie(FONT_COOKIE) is None
    assert client.get_cookie(ELDER_COOKIE) is None


def test_a_forged_cookie_value_falls_back_to_the_default(client, make_channel):
    make_channel("news")
    client.set_cookie(FONT_COOKIE, "gigantic")
    client.set_cookie(ELDER_COOKIE, "yes")
    assert html_classes(client.get("/")) == {"font-medium"}


def test_pages_styled_by_the_cookie_vary_on_it(client, make_channel):
    make_channel("news")
    # Without the cookies the page is the default one, the same for every such reader.
    assert "Cookie" not in client.get("/").headers.get("Vary", "")
    assert client.get("/prefs/elder-mode/on").headers["Cache-Control"] == "no-store"
    assert "Cookie" in client.get("/").headers.get("Vary", "")


def test_secure_cookie_behind_https(app_config, new_app):
    app_config["SESSION_COOKIE_SECURE"] = True
    client = new_app(app_config).test_client()
    client.get("/prefs/font-size/large")
    assert client.get_cookie(FONT_COOKIE).secure


def test_the_script_enhanced_request_is_answered_without_a_redirect(client):
    response = client.get(
        "/prefs/elder-mode/on?next=/notices/", headers={"X-Requested-With": "fetch"}
    )
    assert response.status_code == 204
    assert client.get_cookie(ELDER_COOKIE).value == "on"

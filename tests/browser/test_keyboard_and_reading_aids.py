"""适老化/无障碍 by keyboard alone: skip link, tab order, 字号 大/中/小, 老年人模式, 200% zoom."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from portal.timeutil import now_utc

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# The accessible name as a screen reader would announce a link or control (enough for ours).
ACTIVE_NAME = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "";
  const name = el.getAttribute("aria-label") || el.innerText || el.value || el.id;
  return name.replace(/\\s+/g, "");
}"""

FOCUSABLE = """() => Array.from(document.querySelectorAll(
    'a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select, textarea'
  )).filter(el => el.offsetParent !== null || getComputedStyle(el).position === "fixed")
    .map(el => (el.getAttribute("aria-label") || el.innerText || el.value || el.id)
    .replace(/\\s+/g, ""))"""

ROOT_FONT_SIZE = "() => parseFloat(getComputedStyle(document.documentElement).fontSize)"
BODY_COLOURS = """() => {
  const style = getComputedStyle(document.body);
  return [style.color, style.backgroundColor];
}"""


@pytest.fixture
def site(make_site_post):
    now = now_utc()
    for number in range(1, 4):
        make_site_post(f"通知{number}", published_at=now - timedelta(hours=number))
    article = make_site_post("法治动态文章", channel="news", body_html="<p>文章正文。</p>")
    return f"/news/{article.id}.html"


def tab_to(page, name: str, limit: int = 80) -> None:
    """Press Tab until the control called ``name`` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(ACTIVE_NAME) == name:
            return
    raise AssertionError(f"{name!r} cannot be reached with the Tab key")


def tab_order(page, limit: int = 120) -> list[str]:
    """Names of the controls in the order Tab visits them, from the top of a fresh page."""
    order: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        name = page.evaluate(ACTIVE_NAME)
        if not name or (order and name == order[0]):
            break  # left the document, or wrapped around
        order.append(name)
    return order


def test_skip_link_comes_first_and_moves_the_focus_to_the_content(web, site):
    web.goto(site)
    page = web.page
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到正文")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()  # shown when focused
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none"), "the keyboard focus is not visible"

    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()
    page.keyboard.press("Tab")
    assert page.evaluate(ACTIVE_NAME) == "首页", "after the skip link comes the content"
    web.watch.assert_clean()


@pytest.mark.parametrize("path", ["/", "article", "/notices/"])
def test_every_control_is_reachable_by_keyboard_in_reading_order(web, site, path):
    web.goto(site if path == "article" else path)
    page = web.page
    order = tab_order(page)
    focusable = page.evaluate(FOCUSABLE)
    assert order == focusable, "Tab order differs from the reading order, or skips controls"
    assert order[:6] == [
        "跳到正文",
        "字号大",
        "字号中",
        "字号小",
        "老年人模式开启",
        "老年人模式关闭",
    ]
    content_first = order.index("更多信息公告")  # the sidebar's first control
    assert all(order.index(nav) < content_first for nav in ("首页", "信息公告", "普法动态"))
    web.watch.assert_clean()


FONT_SIZES = [("大", "font-large", 20), ("小", "font-small", 14), ("中", "font-medium", 16)]


@pytest.mark.parametrize("script", [True, False], ids=["with-script", "without-script"])
@pytest.mark.parametrize(("label", "css_class", "root_px"), FONT_SIZES)
@pytest.mark.usefixtures("site")
def test_font_size_chosen_by_keyboard_holds_on_the_next_page(
    session_factory, script, label, css_class, root_px
):
    web = session_factory(java_script_enabled=script)
    page = web.page
    html = page.locator("html")
    web.goto("/")
    if css_class == "font-medium":  # the default: choose another size first, then come back
        tab_to(page, "字号大")
        page.keyboard.press("Enter")
        expect(html).to_have_class("font-large")
        web.goto("/")
    tab_to(page, f"字号{label}")
    page.keyboard.press("Enter")
    expect(html).to_have_class(css_class)
    page.wait_for_load_state()  # without script a new page came: its stylesheet too
    assert page.evaluate(ROOT_FONT_SIZE) == root_px

    # The next page, reached by keyboard too, keeps the choice.
    tab_to(page, "普法动态")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("普法动态")
    page.wait_for_load_state()
    assert page.evaluate(ROOT_FONT_SIZE) == root_px
    expect(page.get_by_role("link", name=f"字号 {label}")).to_have_attribute("aria-current", "true")
    web.watch.assert_clean()


@pytest.mark.parametrize("script", [True, False], ids=["with-script", "without-script"])
def test_elder_mode_by_keyboard_gives_high_contrast_large_text_on_every_page(
    session_factory, site, script
):
    web = session_factory(java_script_enabled=script)
    page = web.page
    web.goto(site)
    normal_size = page.evaluate(ROOT_FONT_SIZE)
    tab_to(page, "老年人模式开启")
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_class("font-medium elder-mode")

    tab_to(page, "信息公告")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("信息公告")
    assert page.evaluate(BODY_COLOURS) == ["rgb(255, 255, 255)", "rgb(0, 0, 0)"]
    assert page.evaluate(ROOT_FONT_SIZE) > normal_size
    link_colour = page.evaluate(
        "() => getComputedStyle(document.querySelector('main a[href]')).color"
    )
    assert link_colour == "rgb(255, 255, 0)"

    tab_to(page, "老年人模式关闭")
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_class("font-medium")
    web.goto("/")
    assert page.evaluate(BODY_COLOURS) == ["rgb(31, 35, 40)", "rgb(255, 255, 255)"]
    web.watch.assert_clean()


FOCUSED_CONTROL = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const name = el.getAttribute("aria-label") || el.innerText || el.value || el.id;
  return {
    control: el.tagName.toLowerCase() + (el.type ? "[" + el.type + "]" : "") + " "
      + name.replace(/\\s+/g, ""),
    outline: style.outlineStyle,
    width: parseFloat(style.outlineWidth),
  };
}"""


@pytest.mark.usefixtures("site")
def test_every_control_of_the_post_form_shows_the_keyboard_focus(web, editor_account):
    page = web.page
    web.log_in(*editor_account)
    web.goto("/editor/posts/new")
    # No reading-aid links on the form: without script they would leave it, losing the text.
    expect(page.get_by_role("navigation", name="阅读辅助")).to_have_count(0)
    reached: list[dict] = []
    for _ in range(60):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED_CONTROL)
        if focused is None or (reached and focused["control"] == reached[0]["control"]):
            break  # left the document, or wrapped around
        reached.append(focused)
    controls = [focused["control"] for focused in reached]
    assert "input[datetime-local] published_at" in controls
    assert "button[submit] 预览" in controls
    unseen = [f for f in reached if f["outline"] in ("", "none") or f["width"] < 2]
    assert unseen == [], "controls with no visible focus outline"
    web.watch.assert_clean()


# How far the page is wider than its viewport (clientWidth, not window.innerWidth, which a
# mobile viewport widens to the content).
NO_HORIZONTAL_SCROLL = (
    "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
)
ZOOM_200 = {"viewport": {"width": 640, "height": 450}, "device_scale_factor": 2}


@pytest.mark.parametrize("path", ["/", "article", "/notices/", "/no-such-page/", "/editor/login"])
def test_pages_are_usable_at_200_percent_zoom(session_factory, site, path):
    # A 1280px window at 200% zoom lays out like a 640 CSS px one at twice the pixel density.
    web = session_factory(**ZOOM_200)
    web.goto(site if path == "article" else path)
    page = web.page
    if path == "/no-such-page/":
        web.watch.allow_console(r"status of 404")
    assert page.evaluate(NO_HORIZONTAL_SCROLL) <= 0
    expect(page.get_by_role("main")).to_be_in_viewport()
    web.watch.assert_clean()

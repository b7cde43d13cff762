"""axe-core in Chromium: no serious or critical violation on any kind of page; screenshots."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect
from support import DESKTOP, PHONE, fill_body_html

from portal.timeutil import now_utc

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FAILING_IMPACTS = ("serious", "critical")
DOCS_SCREENSHOT = Path(__file__).resolve().parents[2] / "static" / "images" / "screenshot-home.png"
ADMIN_PASSWORD = "无障碍检查-Admin-Passw0rd!"
RUN_AXE = """async () => {
  const results = await axe.run(document, { resultTypes: ["violations"] });
  return results.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    nodes: violation.nodes.slice(0, 5).map((node) => node.target.join(" ") + ": "
      + (node.failureSummary || "").replace(/\\s+/g, " ")),
  }));
}"""


def serious_violations(page, axe_source: str) -> list[dict]:
    # Through the DevTools protocol, so the page's own CSP stays in force while axe runs.
    page.evaluate(axe_source)
    return [v for v in page.evaluate(RUN_AXE) if v["impact"] in FAILING_IMPACTS]


def describe(found: dict) -> str:
    lines = []
    for page, violations in found.items():
        for violation in violations:
            lines.append(f"{page}: [{violation['impact']}] {violation['id']}: {violation['help']}")
            lines += [f"    {node}" for node in violation["nodes"]]
    return "\n".join(lines)


PUBLIC_PAGES = {
    "home": "/",
    "list": "/notices/",
    "list-page-2": "/notices/?page=2",
    "article": "article",
    "not-found": "/no-such-channel/",
    "bad-request": "/notices/?page=abc",
    "login": "/editor/login",
    "search": "/search?q=法治",  # 23 results: marks, excerpts, a page 2
    "search-guidance": "/search",
    "search-refused": "/search?q=法治&since=2024-13-01",  # 400: the form with its message
}


def resolve(site: dict, path: str) -> str:
    return site.get(path, path)


@pytest.mark.parametrize("reading", ["default", "elder-mode", "font-large"])
def test_public_pages_have_no_serious_accessibility_violation(
    web, sample_site, axe_source, reading
):
    choose_reading(web, reading)
    web.watch.allow_console(r"status of (400|404)")
    pages = dict(PUBLIC_PAGES)
    found = {}
    for name, path in pages.items():
        web.goto(resolve(sample_site, path))
        violations = serious_violations(web.page, axe_source)
        if violations:
            found[name] = violations
    assert not found, describe(found)
    web.watch.assert_clean()


def choose_reading(web, reading: str) -> None:
    if reading == "elder-mode":
        web.goto("/prefs/elder-mode/on")
    elif reading == "font-large":
        web.goto("/prefs/font-size/large")


@pytest.mark.parametrize("reading", ["default", "elder-mode", "font-large"])
@pytest.mark.usefixtures("sample_site")
def test_editor_pages_have_no_serious_accessibility_violation(
    web, make_editor, make_post, axe_source, reading
):
    """Every editor page, an admin's included, as 老年人模式 and 大字号 show them too."""
    make_editor("admin", password=ADMIN_PASSWORD, admin=True, display_name="管理员")
    trashed = make_post("回收站里的文章", trashed_at=now_utc())
    choose_reading(web, reading)
    web.log_in("admin", ADMIN_PASSWORD)
    page = web.page
    found = {}

    def check(name: str, on=None) -> None:
        violations = serious_violations(on or page, axe_source)
        if violations:
            found[name] = violations

    for path in ("/editor/", "/editor/?state=trash", "/editor/posts/new"):
        web.goto(path)
        check(path)
    # The form as it comes back with errors (status 400; every field labelled, errors tied to
    # their fields).
    web.watch.allow_console(r"status of 400")
    page.get_by_role("button", name="发布").click()
    expect(page.locator(".field-error").first).to_be_visible()
    check("form with errors")

    page.get_by_label("标题", exact=True).fill("无障碍检查用的文章")
    page.get_by_label("栏目", exact=True).select_option(label="信息公告")
    fill_body_html(page, "<p>正文，<strong>加粗</strong>。</p>")
    with web.context.expect_page() as new_tab:
        page.get_by_role("button", name="预览").click()
    preview = new_tab.value
    preview.wait_for_load_state()
    expect(preview.locator(".preview-mark")).to_be_visible()
    check("preview", preview)
    preview.close()

    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_role("heading", name="编辑文章")).to_be_visible()
    check("edit form of a saved post")
    page.get_by_role("link", name="修订记录").click()
    expect(page.get_by_role("heading", name="修订记录")).to_be_visible()
    check("revision list")
    page.get_by_role("link", name="第 1 版").click()
    check("a revision")
    web.goto(f"/editor/posts/{trashed.id}/delete")
    expect(page.get_by_role("button", name="确认永久删除")).to_be_visible()
    check("confirm delete (admin)")
    assert not found, describe(found)
    web.watch.assert_clean()


@pytest.mark.usefixtures("demo_site")
def test_screenshots_of_home_list_article_and_editor(
    session_factory, editor_account, screenshot_folder, database_url
):
    """Desktop and phone screenshots, as test artifacts; PORTAL_UPDATE_SCREENSHOT=1 also
    refreshes the README's static/images/screenshot-home.png."""
    folder = screenshot_folder
    for width_name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        web = session_factory(viewport=viewport)
        page = web.page
        web.goto("/")
        page.screenshot(path=folder / f"home-{width_name}.png", full_page=True)
        page.get_by_role("navigation", name="栏目导航").get_by_role("link", name="普法动态").click()
        page.screenshot(path=folder / f"list-{width_name}.png", full_page=True)
        page.get_by_role("main").get_by_role("listitem").first.get_by_role("link").click()
        expect(page.locator(".article-body")).to_be_visible()
        page.screenshot(path=folder / f"article-{width_name}.png", full_page=True)
        web.log_in(*editor_account)
        web.goto("/editor/posts/new")
        page.screenshot(path=folder / f"editor-form-{width_name}.png", full_page=True)
        web.watch.assert_clean()
    # 老年人模式 with 大 text, as a reader who chose both sees the home page.
    elder = session_factory(viewport=DESKTOP)
    elder.goto("/prefs/elder-mode/on")
    elder.goto("/prefs/font-size/large")
    elder.page.screenshot(path=folder / "home-elder-large-desktop.png", full_page=True)
    elder.watch.assert_clean()
    for name in ("home", "list", "article", "editor-form"):
        for width_name in ("desktop", "phone"):
            assert (folder / f"{name}-{width_name}.png").stat().st_size > 5000
    if database_url.startswith("sqlite") and os.environ.get("PORTAL_UPDATE_SCREENSHOT") == "1":
        DOCS_SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(folder / "home-desktop.png", DOCS_SCREENSHOT)

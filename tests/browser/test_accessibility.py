"""axe-core in Chromium: no serious or critical violation on any kind of page; screenshots."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

FAILING_IMPACTS = ("serious", "critical")
DOCS_SCREENSHOT = Path(__file__).resolve().parents[2] / "static" / "images" / "screenshot-home.png"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
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


def log_in(web, username: str, password: str) -> None:
    web.goto("/editor/login")
    web.page.get_by_label("用户名", exact=True).fill(username)
    web.page.get_by_label("密码", exact=True).fill(password)
    web.page.get_by_role("button", name="登录").click()
    expect(web.page).not_to_have_url(web.url("/editor/login"))


PUBLIC_PAGES = {
    "home": "/",
    "list": "/notices/",
    "list-page-2": "/notices/?page=2",
    "article": "article",
    "not-found": "/no-such-channel/",
    "bad-request": "/notices/?page=abc",
    "login": "/editor/login",
}


def resolve(site: dict, path: str) -> str:
    return site.get(path, path)


@pytest.mark.parametrize("reading", ["default", "elder-mode", "font-large"])
def test_public_pages_have_no_serious_accessibility_violation(
    app, web, sample_site, axe_source, reading
):
    if reading == "elder-mode":
        web.goto("/prefs/elder-mode/on")
    elif reading == "font-large":
        web.goto("/prefs/font-size/large")
    web.watch.allow_console(r"status of (400|404)")
    pages = dict(PUBLIC_PAGES)
    if "public.search" in app.view_functions:  # the search issue adds it
        pages["search"] = "/search?q=法治"
    found = {}
    for name, path in pages.items():
        web.goto(resolve(sample_site, path))
        violations = serious_violations(web.page, axe_source)
        if violations:
            found[name] = violations
    assert not found, describe(found)
    web.watch.assert_clean()


def test_editor_pages_have_no_serious_accessibility_violation(
    web, sample_site, editor_account, axe_source
):
    log_in(web, *editor_account)
    found = {}
    for path in ("/editor/", "/editor/posts/new"):
        web.goto(path)
        violations = serious_violations(web.page, axe_source)
        if violations:
            found[path] = violations
    # The form as it comes back with errors (status 400; every field labelled, errors tied to
    # their fields).
    web.watch.allow_console(r"status of 400")
    web.goto("/editor/posts/new")
    web.page.get_by_role("button", name="发布").click()
    violations = serious_violations(web.page, axe_source)
    if violations:
        found["form with errors"] = violations
    assert not found, describe(found)
    web.watch.assert_clean()


def test_screenshots_of_home_list_article_and_editor(
    session_factory, demo_site, editor_account, screenshot_folder, database_url
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
        log_in(web, *editor_account)
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

"""先审后发 and administration in Chromium: an author writes and submits; a reviewer returns it
with a comment; the author fixes and resubmits; the reviewer approves; the notice appears
publicly and in the feed. An admin creates a channel and a reviewer account through the UI,
and that reviewer logs in with the initial password and must change it first. Every new page
passes axe (no serious or critical violation) and the Nu HTML checker."""

from __future__ import annotations

import feedparser
import pytest
from playwright.sync_api import expect
from support import edit_url, fill_body_html, form_fields, login, post_id_of, submit, write_post

from browser.test_accessibility import choose_reading, describe, serious_violations
from browser.test_html_validity import vnu_errors
from portal.extensions import db
from portal.posts.models import Post

pytestmark = [pytest.mark.browser, pytest.mark.slow]

EDITOR_PASSWORD = "先审后发-浏览器-Passw0rd!"
TITLE = "关于开展“八五”普法中期检查的通知"
COMMENT = "请写明检查的时间安排。"


def log_in(web, username: str, password: str = EDITOR_PASSWORD) -> None:
    """Through the login form, as a person types (the page it lands on is the test's)."""
    web.goto("/editor/login")
    web.page.get_by_label("用户名", exact=True).fill(username)
    web.page.get_by_label("密码", exact=True).fill(password)
    web.page.get_by_role("button", name="登录").click()


@pytest.fixture
def accounts(make_editor, make_site_post):
    make_site_post("此前的一条公告")
    make_editor("author", password=EDITOR_PASSWORD, role="author", display_name="撰稿小王")
    make_editor("reviewer", password=EDITOR_PASSWORD, display_name="审核老李")


@pytest.mark.usefixtures("accounts")
def test_author_submits_reviewer_returns_author_fixes_reviewer_approves(session_factory):
    author, reviewer = session_factory(), session_factory()
    log_in(author, "author")
    page = author.page
    page.get_by_role("link", name="写新文章").first.click()
    expect(page.get_by_role("button", name="发布")).to_have_count(0)  # not an author's
    page.get_by_label("标题", exact=True).fill(TITLE)
    page.get_by_label("栏目", exact=True).select_option(label="信息公告")
    fill_body_html(page, "<p>各单位：现开展中期检查。</p>")
    page.get_by_role("button", name="提交审核").click()
    expect(page.get_by_text("已提交审核，审核通过后才会公开。")).to_be_visible()
    edit_url = page.url

    log_in(reviewer, "reviewer")
    review = reviewer.page
    review.get_by_role("link", name="待我审核：1 篇").click()
    review.get_by_role("row", name=TITLE).get_by_role("link", name="审核").click()
    expect(review.get_by_role("heading", name=f"审核：{TITLE}")).to_be_visible()
    review.get_by_label("审核意见").fill(COMMENT)
    review.get_by_role("button", name="退回修改").click()
    expect(review.get_by_text("已退回，撰稿人会在文章列表和编辑页看到您的意见。")).to_be_visible()

    author.goto("/editor/")
    returned = page.get_by_role("region", name="退回给我修改的（1）")
    expect(returned).to_contain_text(COMMENT)
    returned.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("note").filter(has_text=COMMENT)).to_be_visible()
    fill_body_html(page, "<p>各单位：现开展中期检查，12月10日前完成自查。</p>")
    page.get_by_role("button", name="提交审核").click()
    expect(page.get_by_text("已提交审核，审核通过后才会公开。")).to_be_visible()
    assert page.url == author.url(edit_url.removeprefix(author.base_url))

    review.goto(reviewer.url("/editor/review/"))
    review.get_by_role("row", name=TITLE).get_by_role("link", name="审核").click()
    expect(review.locator(".diff-body ins").first).to_contain_text("12月10日前完成自查")
    review.get_by_role("button", name="审核通过").click()
    expect(review.get_by_text("审核通过，已发布。")).to_be_visible()

    public = session_factory()
    public.goto("/")
    first_notice = public.page.get_by_role("complementary").get_by_role("listitem").first
    expect(first_notice.get_by_role("link")).to_have_text(TITLE)
    first_notice.get_by_role("link").click()
    expect(public.page.locator(".article-body")).to_contain_text("12月10日前完成自查")
    feed = feedparser.parse(public.page.request.get(public.url("/feeds/notices.atom")).body())
    assert not feed.bozo, feed.bozo_exception
    assert feed.entries[0].title == TITLE
    for session in (author, reviewer, public):
        session.watch.assert_clean()


def test_an_admin_creates_a_channel_and_a_reviewer_account(
    session_factory, make_editor, make_site_post
):
    make_site_post("此前的一条公告")
    make_editor("admin", password=EDITOR_PASSWORD, admin=True, display_name="管理员")
    admin = session_factory()
    log_in(admin, "admin")
    page = admin.page
    page.get_by_role("link", name="栏目管理").click()
    page.get_by_role("link", name="新建栏目").click()
    page.get_by_label("栏目名称").fill("政策文件")
    page.get_by_label("栏目地址").fill("policies")
    page.get_by_label("栏目类别").select_option("政策文件")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("栏目“政策文件”已创建。")).to_be_visible()
    expect(page.get_by_role("cell", name="政策文件").first).to_be_visible()

    page.get_by_role("link", name="账号管理").click()
    page.get_by_role("link", name="新建账号").click()
    page.get_by_label("用户名").fill("zhao")
    page.get_by_label("显示名称").fill("赵审核")
    page.get_by_label("角色").select_option(label="审核")
    page.get_by_label("政策文件").check()
    page.get_by_role("button", name="创建账号").click()
    expect(page.get_by_role("heading", name="账号 zhao 已创建")).to_be_visible()
    password = page.locator("#initial-password").inner_text()

    reader = session_factory()
    reader.goto("/")
    expect(
        reader.page.get_by_role("navigation", name="栏目导航").get_by_role("link", name="政策文件")
    ).to_be_visible()

    newcomer = session_factory()
    log_in(newcomer, "zhao", password)
    expect(newcomer.page.get_by_role("heading", name="修改密码")).to_be_visible()
    expect(newcomer.page.get_by_text("请先修改密码后再使用编辑后台")).to_be_visible()
    newcomer.page.get_by_label("当前密码").fill(password)
    newcomer.page.get_by_label("新密码", exact=True).fill("赵审核的新密码-2026")
    newcomer.page.get_by_label("再次输入新密码").fill("赵审核的新密码-2026")
    newcomer.page.get_by_role("button", name="修改密码").click()
    expect(newcomer.page.get_by_role("heading", name="文章列表")).to_be_visible()
    expect(newcomer.page.get_by_role("link", name="待我审核：0 篇")).to_be_visible()
    for session in (admin, reader, newcomer):
        session.watch.assert_clean()


@pytest.fixture
def office(accounts, make_editor, make_channel, app):  # noqa: ARG001 (accounts: its rows)
    """An admin, and a live post whose edit waits for review."""
    make_editor("admin", password=EDITOR_PASSWORD, admin=True, display_name="管理员")
    author = app.test_client()
    login(author, "author", EDITOR_PASSWORD)
    reviewer = app.test_client()
    login(reviewer, "reviewer", EDITOR_PASSWORD)
    notices = make_channel("notices")
    post_id = post_id_of(edit_url(write_post(author, notices, "submit", title="线上的通知")))
    shown = reviewer.get(f"/editor/review/posts/{post_id}")
    reviewer.post(f"/editor/review/posts/{post_id}/approve", data=form_fields(shown))
    submit(
        author,
        f"/editor/posts/{post_id}/edit",
        "submit",
        title="修改后的通知",
        body="<p>新的正文。</p>",
    )
    return post_id


NEW_PAGES = {
    "review queue": ("reviewer", "/editor/review/"),
    "review page (diff)": ("reviewer", "/editor/review/posts/{post}"),
    "dashboard with review": ("reviewer", "/editor/"),
    "form of a pending edit": ("author", "/editor/posts/{post}/edit"),
    "channels": ("admin", "/editor/admin/channels"),
    "new channel": ("admin", "/editor/admin/channels/new"),
    "edit channel": ("admin", "/editor/admin/channels/{channel}/edit"),
    "delete channel": ("admin", "/editor/admin/channels/{channel}/delete"),
    "accounts": ("admin", "/editor/admin/accounts"),
    "new account": ("admin", "/editor/admin/accounts/new"),
    "audit log": ("admin", "/editor/admin/audit"),
}


def _path(path: str, post_id: int, app) -> str:
    with app.app_context():
        channel = db.session.get(Post, post_id).channel_id
    return path.format(post=post_id, channel=channel)


@pytest.mark.parametrize("reading", ["default", "elder-mode"])
def test_new_pages_have_no_serious_accessibility_violation(
    session_factory, office, app, axe_source, reading
):
    found = {}
    sessions = {}
    for name, (who, path) in NEW_PAGES.items():
        if who not in sessions:
            sessions[who] = session_factory()
            choose_reading(sessions[who], reading)
            log_in(sessions[who], who)
        web = sessions[who]
        web.goto(_path(path, office, app))
        violations = serious_violations(web.page, axe_source)
        if violations:
            found[name] = violations
    # Forms as they come back with errors.
    admin = sessions["admin"]
    admin.watch.allow_console(r"status of 400")
    admin.goto("/editor/admin/channels/new")
    admin.page.get_by_role("button", name="保存").click()
    expect(admin.page.locator(".field-error").first).to_be_visible()
    if violations := serious_violations(admin.page, axe_source):
        found["channel form with errors"] = violations
    reviewer = sessions["reviewer"]
    reviewer.watch.allow_console(r"status of 400")
    reviewer.goto(f"/editor/review/posts/{office}")
    reviewer.page.get_by_role("button", name="退回修改").click()
    expect(reviewer.page.get_by_text("退回时必须填写意见")).to_be_visible()
    if violations := serious_violations(reviewer.page, axe_source):
        found["return without a comment"] = violations
    assert not found, describe(found)
    for web in sessions.values():
        web.watch.assert_clean()


def test_new_pages_are_valid_html(vnu_jar, tmp_path, app, office):
    clients = {}
    for who in ("author", "reviewer", "admin"):
        clients[who] = app.test_client()
        login(clients[who], who, EDITOR_PASSWORD)
    pages = {
        name: clients[who].get(_path(path, office, app)) for name, (who, path) in NEW_PAGES.items()
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
    form = clients["admin"].get("/editor/admin/accounts/new")
    created = clients["admin"].post(
        "/editor/admin/accounts/new",
        data=form_fields(form) | {"username": "qian", "role": "author"},
    )
    pages["initial password"] = created
    errors = clients["admin"].post(
        "/editor/admin/channels/new",
        data=form_fields(clients["admin"].get("/editor/admin/channels/new")) | {"name": ""},
    )
    assert errors.status_code == 400
    pages["channel form with errors"] = errors
    documents = {
        name.replace(" ", "-"): response.get_data(as_text=True) for name, response in pages.items()
    }
    assert vnu_errors(vnu_jar, documents, tmp_path) == []

"""Sessions in a real browser: changing one's password by keyboard ends the other browser's
session and keeps this one; the password page passes axe and the Nu HTML checker."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from support import csrf_token

from browser.test_accessibility import describe, serious_violations
from browser.test_html_validity import vnu_errors
from portal import messages

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NEW_PASSWORD = "新的密码-足够长-2026"


def test_changing_the_password_by_keyboard_ends_the_other_browsers_session(
    web, session_factory, editor_account, axe_source
):
    username, password = editor_account
    other = session_factory()
    other.log_in(username, password)
    web.log_in(username, password)

    web.page.get_by_role("link", name="修改密码").click()
    expect(web.page.get_by_role("heading", name="修改密码")).to_be_visible()
    found = serious_violations(web.page, axe_source)
    assert not found, describe({"password": found})
    web.page.get_by_label("当前密码", exact=True).focus()
    web.page.keyboard.type(password)
    web.page.keyboard.press("Tab")
    web.page.keyboard.type(NEW_PASSWORD)
    web.page.keyboard.press("Tab")
    web.page.keyboard.type(NEW_PASSWORD)
    web.page.keyboard.press("Enter")
    expect(web.page.get_by_text(messages.PASSWORD_CHANGED)).to_be_visible()
    expect(web.page.get_by_role("heading", name="文章列表")).to_be_visible()

    other.page.reload()
    expect(other.page.get_by_role("heading", name="编辑登录")).to_be_visible()
    web.page.reload()  # this browser stays logged in
    expect(web.page.get_by_role("heading", name="文章列表")).to_be_visible()
    web.watch.assert_clean()
    other.watch.assert_clean()


def test_the_password_page_is_valid_html_blank_and_with_errors(editor_client, vnu_jar, tmp_path):
    blank = editor_client.get("/editor/password")
    refused = editor_client.post(
        "/editor/password",
        data={"csrf_token": csrf_token(blank), "current_password": "x", "new_password": "y"},
    )
    assert refused.status_code == 400
    documents = {
        "password": blank.get_data(as_text=True),
        "password-errors": refused.get_data(as_text=True),
    }
    assert vnu_errors(vnu_jar, documents, tmp_path) == []

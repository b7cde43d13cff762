"""An editor attaches a Word document and inserts an image into the 正文 (static/js/attachments.js
through the rich-text surface's own 图片 panel), publishes; a reader sees the 附件 listed and
downloads it under its Chinese name, byte for byte."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from support import fill_body_html
from test_attachments_types import CHINESE_DOCX, docx_bytes, image_bytes

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TITLE = "关于印发《2024年全市守法普法工作要点》的通知"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def site(make_channel):
    make_channel("notices", name="信息公告", column_type="通知公告")


@pytest.mark.usefixtures("site")
def test_an_editor_uploads_publishes_and_a_reader_downloads(web, editor_account, tmp_path):
    page = web.page
    web.log_in(*editor_account)
    page.get_by_role("link", name="写新文章").first.click()
    page.get_by_label("标题", exact=True).fill(TITLE)
    page.get_by_label("栏目", exact=True).select_option(label="信息公告")
    fill_body_html(page, "<p>各区司法局：现将工作要点印发给你们，请认真贯彻落实。</p>")
    page.get_by_role("button", name="HTML 源代码").click()  # back to the rich-text surface
    page.locator(".richtext-surface [contenteditable]").click()
    page.keyboard.press("End")

    # The image: its description first, then the file; it is uploaded and inserted at once.
    page.get_by_label("要上传的图片的说明（替代文字）").fill("宪法宣传周活动现场")
    page.get_by_label("上传图片").set_input_files(
        {"name": "活动现场.png", "mimeType": "image/png", "buffer": image_bytes("PNG", (320, 200))}
    )
    expect(page.locator("#image-upload-status")).to_have_text("图片已插入正文。")
    inserted = page.locator('.richtext-surface img[alt="宪法宣传周活动现场"]')
    expect(inserted).to_have_attribute("src", re.compile(r"^/attachments/[0-9a-f]{64}/"))

    data = docx_bytes()
    page.get_by_label("添加附件（可一次选择多个文件，保存时上传）").set_input_files(
        {"name": CHINESE_DOCX, "mimeType": DOCX_TYPE, "buffer": data}
    )
    page.get_by_role("button", name="发布").click()
    expect(page.get_by_text("已发布。")).to_be_visible()
    expect(page.locator("#attachments").get_by_role("link", name=CHINESE_DOCX)).to_be_visible()

    page.get_by_role("link", name="查看公开页面").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    listed = page.locator(".article-attachments")
    expect(listed.get_by_role("heading", name="附件")).to_be_visible()
    expect(listed).to_contain_text("Word 文档")
    image = page.locator('.article-body img[alt="宪法宣传周活动现场"]')
    expect(image).to_have_attribute("width", "320")
    expect(image).to_have_attribute("loading", "lazy")
    image.scroll_into_view_if_needed()
    page.wait_for_function("document.querySelector('.article-body img').naturalWidth === 320")

    with page.expect_download() as download_info:
        listed.get_by_role("link", name=CHINESE_DOCX).click()
    download = download_info.value
    assert download.suggested_filename == CHINESE_DOCX
    saved = tmp_path / "downloaded.docx"
    download.save_as(saved)
    assert saved.read_bytes() == data
    web.watch.assert_clean()

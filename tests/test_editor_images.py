"""Images in a body: every image needs a text alternative, and http images are upgraded."""

from __future__ import annotations

import re

import pytest
from support import form_fields, write_post


@pytest.fixture
def notices(make_channel):
    return make_channel("notices", name="信息公告", column_type="通知公告")


def test_an_image_without_alt_is_refused_with_everything_kept(editor_client, notices):
    body = '<p>见下图：</p><p><img src="https://www.example.gov.cn/images/logo.png"></p>'
    response = write_post(editor_client, notices, title="有图片的公告", body=body)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "图片缺少替代文字" in page
    kept = form_fields(response)
    assert kept["body"] == body
    assert kept["title"] == "有图片的公告"
    assert 'value="有图片的公告"' in page
    assert editor_client.get("/notices/").get_data(as_text=True).count("有图片的公告") == 0


@pytest.mark.parametrize("alt", ['alt="单位标识"', 'alt=""'])
def test_images_with_alt_text_or_marked_decorative_are_published(
    editor_client, notices, client, alt
):
    body = f'<p>见下图：</p><p><img src="http://www.example.gov.cn/logo.png" {alt}></p>'
    response = write_post(editor_client, notices, title="有图片的公告", body=body)
    assert response.status_code == 302
    flashed = editor_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "http 图片地址（已改为 https）" in flashed
    listing = client.get("/notices/").get_data(as_text=True)
    article = re.search(r'href="(/notices/\d+\.html)"', listing).group(1)
    html = client.get(article).get_data(as_text=True)
    # Every saved image loads lazily (portal.attachments.editing).
    assert f'<img src="https://www.example.gov.cn/logo.png" {alt} loading="lazy">' in html

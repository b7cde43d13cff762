"""A post's content is declared once (``PostContent``) and the editor form carries all of it:
关键词 and the title image included, which the article page shows as <meta name="Keywords">
and <meta name="Image">."""

from __future__ import annotations

from dataclasses import fields

import pytest
import sqlalchemy as sa
from page import page
from support import NEW_POST, form_fields, post_id_of, submit

from portal.extensions import db
from portal.posts.content import PostContent
from portal.posts.models import Post, Revision


@pytest.fixture
def fill_and_send(editor_client):
    """Open the editor's form at ``url``, change fields, press ``action``."""

    def send(url, action="publish", **changes):
        return submit(editor_client, url, action, **changes)

    return send


def _every_field(channel_id: int) -> dict:
    return {
        "title": "关于开展宪法宣传周活动的通知",
        "channel": str(channel_id),
        "source": "市司法局",
        "author": "李明",
        "keywords": "宪法，普法、 宣传周;宪法",
        "image_url": "https://pf.example.gov.cn/images/xf.jpg",
        "summary": "十二月四日是国家宪法日。",
        "pinned": "y",
        "body": "<p>各单位：现将有关事项通知如下。</p>",
    }


def test_keywords_and_image_reach_the_article_page(app, client, fill_and_send, make_channel):
    channel = make_channel("notices")
    saved = fill_and_send(NEW_POST, **_every_field(channel.id))
    assert saved.status_code == 302
    post_id = post_id_of(saved.headers["Location"])
    article = page(client.get(f"/notices/{post_id}.html"))
    assert article.meta("Keywords") == "宪法,普法,宣传周"  # any separator, each word once
    assert article.meta("Image") == "https://pf.example.gov.cn/images/xf.jpg"
    with app.app_context():
        revision = db.session.scalar(sa.select(Revision).where(Revision.post_id == post_id))
        assert (revision.keywords, revision.image_url) == (
            "宪法,普法,宣传周",
            "https://pf.example.gov.cn/images/xf.jpg",
        )


def test_without_keywords_or_image_the_page_has_no_such_meta(client, fill_and_send, make_channel):
    channel = make_channel("notices")
    values = {**_every_field(channel.id), "keywords": "", "image_url": ""}
    post_id = post_id_of(fill_and_send(NEW_POST, **values).headers["Location"])
    article = page(client.get(f"/notices/{post_id}.html"))
    assert article.meta("Keywords") is None
    assert article.meta("Image") is None


@pytest.mark.parametrize(
    "image_url",
    ["javascript:alert(1)", "//evil.example/x.jpg", "ftp://host/x.jpg", "images/x.jpg", "/a b.jpg"],
)
def test_a_bad_image_address_comes_back_with_a_message_and_the_form_as_typed(
    fill_and_send, make_channel, image_url
):
    channel = make_channel("notices")
    typed = {**_every_field(channel.id), "image_url": image_url}
    response = fill_and_send(NEW_POST, **typed)
    assert response.status_code == 400
    assert "图片地址应以 https://、http:// 或 / 开头" in page(response).text
    shown = form_fields(response)
    for name, value in typed.items():
        assert shown.get(name) == value, name


@pytest.mark.parametrize(
    "image_url", ["/static/images/title.jpg", "http://pf.example.gov.cn/a.png"]
)
def test_a_site_path_or_web_address_is_a_good_image(fill_and_send, make_channel, image_url):
    channel = make_channel("notices")
    response = fill_and_send(NEW_POST, **{**_every_field(channel.id), "image_url": image_url})
    assert response.status_code == 302


def test_every_content_field_survives_the_edit_form_unchanged(app, fill_and_send, make_channel):
    """Open a saved post's form and save it as shown: every field of PostContent comes back
    as it was (a field the form forgot would be lost here)."""
    channel = make_channel("notices")
    edit = fill_and_send(NEW_POST, **_every_field(channel.id)).headers["Location"]
    assert fill_and_send(edit).status_code == 302
    post_id = post_id_of(edit)
    with app.app_context():
        first, second = db.session.scalars(
            sa.select(Revision).where(Revision.post_id == post_id).order_by(Revision.number)
        )
        for field in fields(PostContent):
            assert getattr(PostContent.of(second), field.name) == getattr(
                PostContent.of(first), field.name
            ), field.name
        post = db.session.get(Post, post_id)
        assert post.pinned
        assert post.version == 2

"""Small domain rules that belong to a row."""

import pytest

from portal.posts.models import Channel, Post


def test_channel_column_type_must_come_from_the_government_list():
    assert Channel(slug="n", name="通知", column_type="通知公告").column_type == "通知公告"
    with pytest.raises(ValueError, match="unknown column type"):
        Channel(slug="n", name="通知", column_type="随便写写")


@pytest.mark.parametrize("slug", ["all", "editor", "feeds", "static", "Feeds"])
def test_channel_slugs_that_would_shadow_site_paths_are_refused(slug):
    with pytest.raises(ValueError, match="reserved"):
        Channel(slug=slug, name="x", column_type="其他")


@pytest.mark.parametrize("slug", ["", "中文", "a b", "../x"])
def test_channel_slugs_are_ascii_words(slug):
    with pytest.raises(ValueError):
        Channel(slug=slug, name="x", column_type="其他")


@pytest.mark.parametrize("title", ["", "   ", "长" * 201])
def test_post_title_is_one_to_two_hundred_characters_after_trimming(title):
    with pytest.raises(ValueError):
        Post(title=title)


def test_post_title_is_trimmed():
    assert Post(title="  公告  ").title == "公告"
    assert Post(title="长" * 200).title == "长" * 200

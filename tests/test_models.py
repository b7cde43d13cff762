"""Small domain rules that belong to a row."""

import pytest

from portal.posts.models import Channel, Post, User


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
    with pytest.raises(ValueError, match="ASCII letters, digits"):
        Channel(slug=slug, name="x", column_type="其他")


@pytest.mark.parametrize("title", ["", "   ", "长" * 201])
def test_post_title_is_one_to_two_hundred_characters_after_trimming(title):
    with pytest.raises(ValueError, match="a title has 1 to 200 characters"):
        Post(title=title)


def test_post_title_is_trimmed():
    assert Post(title="  公告  ").title == "公告"
    assert Post(title="长" * 200).title == "长" * 200


def test_a_password_is_stored_only_as_a_scrypt_hash():
    # As production stores it (the test fixtures' accounts use a cheap hash instead).
    user = User(username="wang")
    user.set_password("long enough password")
    assert user.password_hash.startswith("scrypt:")
    assert "long enough password" not in user.password_hash
    assert user.check_password("long enough password")
    assert not user.check_password("long enough passwor")

"""The post form has no reading-aid links: without script they navigate away and the text typed
into the form is lost. Every other page, the editor's included, keeps them."""

from __future__ import annotations

from support import NEW_POST, submit

from portal.posts.states import PostState

READING_AIDS = 'aria-label="阅读辅助"'
PREF_LINK = "data-pref-group="


def has_reading_aids(response) -> bool:
    html = response.get_data(as_text=True)
    return READING_AIDS in html and PREF_LINK in html and "/prefs/font-size/" in html


def test_post_form_has_no_reading_aid_links(editor_client, make_post):
    post = make_post("已有的文章", status=PostState.DRAFT, published_at=None)
    new_form = editor_client.get(NEW_POST)
    edit_form = editor_client.get(f"/editor/posts/{post.id}/edit")
    with_errors = submit(editor_client, NEW_POST, "publish", title="")
    assert 'class="field-error"' in with_errors.get_data(as_text=True)
    assert (new_form.status_code, edit_form.status_code, with_errors.status_code) == (
        200,
        200,
        400,
    )
    for response in (new_form, edit_form, with_errors):
        html = response.get_data(as_text=True)
        assert READING_AIDS not in html
        assert PREF_LINK not in html
        assert "/prefs/" not in html


def test_other_editor_pages_and_public_pages_keep_them(editor_client, client, make_post):
    post = make_post("已有的文章")
    assert has_reading_aids(editor_client.get("/editor/"))
    assert has_reading_aids(editor_client.get("/editor/?state=trash"))
    assert has_reading_aids(editor_client.get(f"/editor/posts/{post.id}/revisions"))
    assert has_reading_aids(client.get("/"))
    assert has_reading_aids(client.get("/editor/login"))

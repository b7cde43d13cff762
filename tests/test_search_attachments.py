"""附件 are found by name: a public post whose body never says the words is found by the name
of a file it lists, with the name marked in its excerpt; the index follows the files a change
saves (added, removed, carried through a change of state) like everything else."""

from __future__ import annotations

import pytest
from page import page
from support import edit_url, press
from test_attachments import PDF, new_notice, send
from test_attachments_types import docx_bytes

NAME = "二〇二四年法律援助申请表.docx"


@pytest.fixture
def app_config(app_config, tmp_path):
    app_config["ATTACHMENT_FOLDER"] = str(tmp_path / "uploads")
    return app_config


@pytest.fixture
def notices(make_channel):
    return make_channel("notices", name="信息公告", column_type="通知公告")


def result_titles(client, q) -> list[str]:
    view = page(client.get("/search", query_string={"q": q}))
    return [" ".join(h.text.split()) for h in view.by_class("h2", "search-title")]


def test_a_post_is_found_by_the_name_of_its_attachment(editor_client, client, notices):
    edit = edit_url(new_notice(editor_client, notices, files=[(NAME, docx_bytes())]))
    assert result_titles(client, "法律援助申请表") == ["关于印发守法普法工作要点的通知"]
    (excerpt,) = page(client.get("/search?q=援助申请")).by_class("p", "search-excerpt")
    assert [child.text for child in excerpt.children if child.tag == "mark"] == ["援助申请"]

    # Carried through a change of state, gone with its post, back with it.
    assert press(editor_client, f"{edit.rsplit('/', 1)[0]}/withdraw").status_code == 302
    assert result_titles(client, "法律援助申请表") == []
    assert send(editor_client, edit).status_code == 302  # published again, the file kept
    assert result_titles(client, "法律援助申请表") == ["关于印发守法普法工作要点的通知"]

    # Removed from the post: no longer found by its name; a new file is.
    assert (
        send(editor_client, edit, remove=[NAME], files=[("宣传周方案.pdf", PDF)]).status_code == 302
    )
    assert result_titles(client, "法律援助申请表") == []
    assert result_titles(client, "宣传周方案") == ["关于印发守法普法工作要点的通知"]


def test_a_drafts_attachment_is_not_found(editor_client, client, notices):
    new_notice(editor_client, notices, "draft", files=[(NAME, docx_bytes())])
    assert result_titles(client, "法律援助申请表") == []

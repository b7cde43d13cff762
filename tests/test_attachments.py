"""附件 through the editor form and the public site, on both engines: uploads refused with the
form kept, stored once by hash, listed and downloaded with their Chinese names, public only
while a public post's current content carries them, kept while any revision names them.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
import tracemalloc
from urllib.parse import unquote

import pytest
import sqlalchemy as sa
from support import NEW_POST, edit_url, form_fields, login, post_id_of, press
from test_attachments_types import (
    CHINESE_DOCX,
    WINDOWS_PROGRAM,
    docx_bytes,
    image_bytes,
    ole_bytes,
    zip_bytes,
)
from werkzeug.test import EnvironBuilder

from portal.attachments.models import Attachment, StoredFile
from portal.extensions import db

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TOKENS = re.compile(r'name="attachment" value="([^"]*)"')
LINKS = re.compile(r'<a href="(/attachments/[0-9a-f]{64}/[^"]+)"')


@pytest.fixture(scope="session")
def uploads_root(tmp_path_factory):
    return tmp_path_factory.mktemp("uploads")


@pytest.fixture
def app_config(app_config, uploads_root):
    """The suite's app, with its uploads in a folder of this run (emptied for each test)."""
    for path in sorted(uploads_root.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    app_config["ATTACHMENT_FOLDER"] = str(uploads_root)
    return app_config


@pytest.fixture
def notices(make_channel):
    return make_channel("notices", name="信息公告", column_type="通知公告")


def stored_files(uploads_root) -> list[str]:
    """The names of the files kept in the storage (uploads in progress aside)."""
    return sorted(p.name for p in uploads_root.rglob("*") if p.is_file() and p.parent.name != "tmp")


def rows(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def send(client, url, action="publish", *, files=(), images=(), remove=(), **changes):
    """Open the post form at ``url``, change fields, add files (name, bytes or a file object),
    tick files to remove (by name), press ``action`` — as a browser sends a multipart form."""
    page = client.get(url)
    assert page.status_code == 200
    return resend(client, url, page, action, files=files, images=images, remove=remove, **changes)


def resend(
    client, url, page, action="publish", *, files=(), images=(), remove=(), headers=None, **changes
):
    """Submit the form ``page`` shows (a form sent back, say) with changes."""
    text = page.get_data(as_text=True)
    tokens = [html.unescape(value) for value in TOKENS.findall(text)]
    data = form_fields(page) | changes | {"action": action}
    data["attachment"] = tokens
    data["attachment_remove"] = [t for t in tokens if t.split(":", 2)[2] in remove]
    data["attachment_files"] = [(_stream(body), name) for name, body in files]
    data["image_files"] = [(_stream(body), name) for name, body in images]
    return post_multipart(client, url, data, headers)


def post_multipart(client, url, data, headers=None):
    """POST ``data`` as multipart/form-data, closing the encoded body afterwards (werkzeug's
    test client leaves a large one, spooled to a temporary file, for the garbage collector)."""
    builder = EnvironBuilder(
        path=url, method="POST", data=data, headers=headers, content_type="multipart/form-data"
    )
    environ = builder.get_environ()
    try:
        return client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()


def _stream(body):
    return io.BytesIO(body) if isinstance(body, bytes) else body


def new_notice(client, notices, action="publish", **fields):
    defaults = {"title": "关于印发守法普法工作要点的通知", "channel": str(notices.id)}
    defaults["body"] = "<p>各区司法局：现将工作要点印发给你们，请认真贯彻落实。</p>"
    return send(client, NEW_POST, action, **(defaults | fields))


def article_of(edit):
    return f"/notices/{post_id_of(edit)}.html"


def download_links(client, url) -> list[str]:
    return LINKS.findall(client.get(url).get_data(as_text=True))


def fetch(client, url, **options):
    """GET ``url``, read it and close it as a WSGI server does (a file's handle is released)."""
    with client.get(url, **options) as response:
        response.get_data()
    return response


# --- upload, list, download ----------------------------------------------------------------------


def test_a_chinese_named_docx_is_listed_and_downloads_under_its_name(
    editor_client, client, notices
):
    data = docx_bytes()
    edit = edit_url(new_notice(editor_client, notices, files=[(CHINESE_DOCX, data)]))
    page = client.get(article_of(edit)).get_data(as_text=True)
    listed = re.search(r'<section class="article-attachments".*?</section>', page, re.S).group()
    size = f"{len(data)} 字节" if len(data) < 1024 else f"{len(data) / 1024:.1f} KB"
    assert f"{CHINESE_DOCX}</a>" in listed
    assert f"（Word 文档，{size}）" in listed
    (link,) = download_links(client, article_of(edit))

    response = fetch(client, link)
    assert response.status_code == 200
    assert response.get_data() == data
    assert response.headers["Content-Type"] == DOCX_TYPE
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["ETag"] == f'"{hashlib.sha256(data).hexdigest()}"'
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    encoded = re.search(r"filename\*=UTF-8''([!#$&+\-.^_`|~0-9A-Za-z%]+)$", disposition)
    assert unquote(encoded.group(1), errors="strict") == CHINESE_DOCX
    fallback = re.search(r'filename="([^"]+)"', disposition).group(1)
    assert fallback.isascii()
    assert fallback.endswith(".docx")


def test_range_and_etag_are_answered(editor_client, client, notices):
    data = ole_bytes("WordDocument") * 3
    edit = edit_url(new_notice(editor_client, notices, files=[("旧通知.doc", data)]))
    (link,) = download_links(client, article_of(edit))
    part = fetch(client, link, headers={"Range": "bytes=100-299"})
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 100-299/{len(data)}"
    assert part.get_data() == data[100:300]
    assert part.headers["Content-Type"] == "application/msword"
    etag = fetch(client, link).headers["ETag"]
    again = fetch(client, link, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""


def test_two_posts_sharing_one_file_store_it_once(
    app, editor_client, client, notices, uploads_root
):
    data = zip_bytes()
    first = edit_url(new_notice(editor_client, notices, files=[("报名材料.zip", data)]))
    second = edit_url(
        new_notice(editor_client, notices, title="第二篇通知", files=[("材料（第二篇）.zip", data)])
    )
    assert stored_files(uploads_root) == [hashlib.sha256(data).hexdigest()]
    assert rows(app, StoredFile) == 1
    for edit in (first, second):
        (link,) = download_links(client, article_of(edit))
        assert fetch(client, link).get_data() == data


# --- refused uploads: the form comes back as typed ---------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "said"),
    [
        ("年度报告.pdf", WINDOWS_PROGRAM, "可执行程序或脚本，不能上传"),
        ("空白表格.docx", b"", "是空文件（0 字节）"),
        ("通知.txt", b"<html><script>alert(1)</script></html>", "网页（HTML）、SVG 或 XML"),
        ("图标.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "SVG"),
        ("通知.docx", PDF, "内容是PDF 文档，与扩展名不符（应为 .pdf）"),
        ("程序.exe", bytes(range(256)) * 4, "无法识别"),
    ],
)
def test_a_refused_upload_gives_the_form_back_as_typed_and_stores_nothing(
    app, editor_client, notices, uploads_root, name, data, said
):
    typed = {"title": "附件被拒的通知", "source": "市司法局", "author": "普法科"}
    typed["body"] = "<p>正文<strong>保留</strong>。</p>"
    response = new_notice(editor_client, notices, files=[(name, data)], **typed)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    errors = re.search(r'id="attachments-error".*?</ul>', page, re.S).group()
    assert said in html.unescape(errors)
    assert name in html.unescape(errors)
    kept = form_fields(response)
    assert {key: kept[key] for key in typed} == typed
    assert stored_files(uploads_root) == []
    assert rows(app, StoredFile) == 0
    assert editor_client.get("/editor/").get_data(as_text=True).count("附件被拒的通知") == 0


class Zeros(io.RawIOBase):
    """A file of ``size`` bytes (a PDF header, then zeros) made as it is read: the test never
    holds it whole either."""

    def __init__(self, size: int) -> None:
        self.left = size
        self.head = b"%PDF-1.4\n"

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = min(len(buffer), self.left)
        start, self.head = self.head[:count], self.head[count:]
        buffer[:count] = start + bytes(count - len(start))
        self.left -= count
        return count


def test_an_oversize_file_is_refused_without_being_held_in_memory(
    app, editor_client, notices, uploads_root
):
    limit = app.config["ATTACHMENT_MAX_BYTES"]
    assert limit == 20 * 1024 * 1024  # the default
    page = editor_client.get(NEW_POST)
    tracemalloc.start()
    try:
        response = resend(
            editor_client,
            NEW_POST,
            page,
            title="超大附件",
            channel=str(notices.id),
            body="<p>正文</p>",
            files=[("全文.pdf", io.BufferedReader(Zeros(limit + 1)))],
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 400
    assert "“全文.pdf”过大：超过每个文件的上限 20 MiB" in response.get_data(as_text=True)
    assert peak < 8 * 1024 * 1024, f"{peak:,} bytes held at once for a {limit + 1:,}-byte file"
    assert form_fields(response)["title"] == "超大附件"
    assert list(uploads_root.rglob("*.part")) == []
    assert stored_files(uploads_root) == []


def test_a_file_of_exactly_the_limit_is_taken(app, editor_client, notices):
    app.config["ATTACHMENT_MAX_BYTES"] = 64 * 1024
    exact = io.BufferedReader(Zeros(64 * 1024))
    assert new_notice(editor_client, notices, files=[("全文.pdf", exact)]).status_code == 302
    over = io.BufferedReader(Zeros(64 * 1024 + 1))
    assert new_notice(editor_client, notices, files=[("全文.pdf", over)]).status_code == 400


def test_a_posts_files_together_stay_under_the_per_post_limit(app, editor_client, notices):
    app.config["ATTACHMENT_POST_MAX_BYTES"] = 3000
    first = PDF + bytes(2000 - len(PDF))
    edit = edit_url(new_notice(editor_client, notices, files=[("第一份.pdf", first)]))
    second = PDF + b"%" + bytes(2000 - len(PDF) - 1)
    response = send(editor_client, edit, files=[("第二份.pdf", second)], title="改过的标题")
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert "附件和正文图片合计" in page
    assert "“第二份.pdf”未上传" in page
    assert form_fields(response)["title"] == "改过的标题"
    assert "第一份.pdf" in page  # still carried


def test_a_form_sent_back_keeps_its_new_files_and_saves_them_next_time(
    editor_client, client, notices
):
    page = editor_client.get(NEW_POST)
    back = resend(
        editor_client, NEW_POST, page, title="", channel=str(notices.id), body="<p>正文</p>",
        files=[(CHINESE_DOCX, docx_bytes())],
    )  # fmt: skip
    assert back.status_code == 400  # no title
    assert CHINESE_DOCX in html.unescape(back.get_data(as_text=True))
    saved = resend(editor_client, NEW_POST, back, title="补上标题的通知")
    edit = edit_url(saved)
    links = download_links(client, article_of(edit))
    assert [unquote(link.rsplit("/", 1)[1]) for link in links] == [CHINESE_DOCX]


# --- who may download: public posts' current content only --------------------------------------


@pytest.mark.parametrize("step", ["withdraw", "trash", "draft", "scheduled"])
def test_a_file_of_a_post_that_is_not_public_is_404_to_readers(
    editor_client, client, notices, step
):
    fields = {"published_at": "2099-01-01T09:00"} if step == "scheduled" else {}
    action = "draft" if step == "draft" else "publish"
    edit = edit_url(new_notice(editor_client, notices, action, files=[("全文.pdf", PDF)], **fields))
    link = re.search(r'href="(/attachments/[^"]+)"', editor_client.get(edit).get_data(as_text=True))
    link = html.unescape(link.group(1))
    if step in ("withdraw", "trash"):
        assert fetch(client, link).status_code == 200  # public until then
        assert press(editor_client, f"{edit.removesuffix('/edit')}/{step}").status_code == 302
    missing = fetch(client, link)
    assert missing.status_code == 404
    assert "页面不存在" in missing.get_data(as_text=True)
    # The editor still has it (the form and the preview show it), for no one else.
    mine = fetch(editor_client, link)
    assert mine.status_code == 200
    assert mine.get_data() == PDF
    assert mine.headers["Cache-Control"] == "private, no-store"


def test_a_removed_attachment_is_kept_while_a_revision_names_it(
    editor_client, client, notices, runner, uploads_root
):
    edit = edit_url(new_notice(editor_client, notices, files=[("全文.pdf", PDF)]))
    article = article_of(edit)
    (link,) = download_links(client, article)
    assert send(editor_client, edit, remove=["全文.pdf"]).status_code == 302
    assert download_links(client, article) == []
    assert fetch(client, link).status_code == 404  # not in the post's current content
    assert stored_files(uploads_root) == [hashlib.sha256(PDF).hexdigest()]
    swept = runner.invoke(args=["gc-uploads", "--delete", "--grace-hours", "0"])
    assert swept.exit_code == 0, swept.output
    assert stored_files(uploads_root) == [hashlib.sha256(PDF).hexdigest()]  # revision 1 has it
    # Restoring revision 1 brings it back, public again.
    post_id = post_id_of(edit)
    assert press(editor_client, f"/editor/posts/{post_id}/revisions/1/restore").status_code == 302
    assert download_links(client, article) == [link]
    assert fetch(client, link).get_data() == PDF


def test_trash_keeps_the_file_and_restore_makes_it_public_again(
    app, editor_client, client, notices
):
    edit = edit_url(new_notice(editor_client, notices, files=[("全文.pdf", PDF)]))
    (link,) = download_links(client, article_of(edit))
    base = edit.removesuffix("/edit")
    assert press(editor_client, f"{base}/trash").status_code == 302
    assert fetch(client, link).status_code == 404
    assert press(editor_client, f"{base}/restore").status_code == 302
    assert fetch(client, link).status_code == 200
    with app.app_context():  # every revision names it: publish, trash, restore
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Attachment)) == 3


def test_the_name_in_the_address_must_be_the_attachments(editor_client, client, notices):
    edit = edit_url(new_notice(editor_client, notices, files=[("全文.pdf", PDF)]))
    (link,) = download_links(client, article_of(edit))
    digest = link.split("/")[2]
    for other in ("其他.pdf", "全文.html", "全文.PDF"):
        assert fetch(client, f"/attachments/{digest}/{other}").status_code == 404
    assert fetch(client, f"/attachments/{'0' * 64}/全文.pdf").status_code == 404
    assert fetch(client, f"/attachments/{digest.upper()}/全文.pdf").status_code == 404


def test_an_edit_keeps_the_attachments_the_form_carries(editor_client, client, notices):
    edit = edit_url(new_notice(editor_client, notices, files=[("全文.pdf", PDF)]))
    assert send(editor_client, edit, title="改了标题的通知").status_code == 302
    assert send(editor_client, edit, files=[("材料.zip", zip_bytes())]).status_code == 302
    names = [unquote(link.rsplit("/", 1)[1]) for link in download_links(client, article_of(edit))]
    assert names == ["全文.pdf", "材料.zip"]


def test_a_form_back_after_the_session_ended_keeps_its_files_and_shows_no_address(
    editor_client, client, notices
):
    edit = edit_url(new_notice(editor_client, notices, files=[("全文.pdf", PDF)]))
    page = editor_client.get(edit)
    assert press(editor_client, "/editor/logout", page=edit).status_code == 302
    back = resend(editor_client, edit, page, title="登录过期时改的标题")
    assert back.status_code == 403
    text = back.get_data(as_text=True)
    assert TOKENS.findall(text) == TOKENS.findall(page.get_data(as_text=True))
    assert not LINKS.search(text)  # whoever sent it is not known to be an editor
    assert login(editor_client).status_code == 302
    # Its token was the ended session's: the form comes back once more, files still carried.
    again = resend(editor_client, edit, back, headers={"Sec-Fetch-Site": "same-origin"})
    assert again.status_code == 400
    assert "全文.pdf</a>" in html.unescape(again.get_data(as_text=True))
    assert resend(editor_client, edit, again).status_code == 302
    assert [
        unquote(link.rsplit("/", 1)[1]) for link in download_links(client, article_of(edit))
    ] == ["全文.pdf"]


def test_the_preview_lists_the_forms_attachments(editor_client, notices):
    response = new_notice(editor_client, notices, "preview", files=[(CHINESE_DOCX, docx_bytes())])
    assert response.status_code == 200
    page = html.unescape(response.get_data(as_text=True))
    assert "预览" in page
    assert f"{CHINESE_DOCX}</a>" in page


# --- the request limits ------------------------------------------------------------------------


def test_only_the_upload_forms_take_more_than_max_content_length(app, editor_client, notices):
    big = PDF + bytes(5 * 1024 * 1024)
    assert app.config["MAX_CONTENT_LENGTH"] < len(big)
    assert new_notice(editor_client, notices, files=[("大文件.pdf", big)]).status_code == 302
    other = app.test_client()
    response = login(other, "editor", "x" * len(big))
    assert response.status_code == 413
    assert "提交内容过大" in response.get_data(as_text=True)


# --- nginx serves the bytes (X-Accel-Redirect) ---------------------------------------------------


def test_behind_nginx_the_app_only_decides_and_names_the_file(app, editor_client, client, notices):
    edit = edit_url(new_notice(editor_client, notices, files=[(CHINESE_DOCX, docx_bytes())]))
    (link,) = download_links(client, article_of(edit))
    app.config["ATTACHMENT_ACCEL_REDIRECT"] = "/_uploads/"
    response = fetch(client, link)
    digest = link.split("/")[2]
    assert response.status_code == 200
    assert response.headers["X-Accel-Redirect"] == f"/_uploads/{digest[:2]}/{digest[2:4]}/{digest}"
    assert response.get_data() == b""
    assert response.headers["Content-Type"] == DOCX_TYPE
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    app.config["ATTACHMENT_ACCEL_REDIRECT"] = None
    assert fetch(client, f"/attachments/{'0' * 64}/x.pdf").status_code == 404


# --- images of the body ------------------------------------------------------------------------


def upload_image(client, name, data, page_url=NEW_POST):
    token = re.search(
        r'name="csrf_token"[^>]*value="([^"]+)"', client.get(page_url).get_data(as_text=True)
    )
    return post_multipart(
        client,
        "/editor/attachments/images",
        {"image": (io.BytesIO(data), name)},
        headers={"X-CSRFToken": token.group(1)},
    )


def test_an_image_uploaded_for_the_body_gets_its_size_and_loads_lazily(
    editor_client, client, notices
):
    uploaded = upload_image(editor_client, "宣传周现场.png", image_bytes("PNG", (640, 427)))
    assert uploaded.status_code == 200
    image = uploaded.get_json()
    assert (image["width"], image["height"]) == (640, 427)
    assert fetch(client, image["url"]).status_code == 404  # in no public post yet
    body = f'<p>活动现场：</p><p><img src="{image["url"]}" alt="宪法宣传周活动现场"></p>'
    edit = edit_url(new_notice(editor_client, notices, body=body))
    page = client.get(article_of(edit)).get_data(as_text=True)
    expected = f'<img src="{image["url"]}" alt="宪法宣传周活动现场" width="640" height="427" loading="lazy">'
    assert expected in page
    shown = fetch(client, image["url"])
    assert shown.status_code == 200
    assert shown.headers["Content-Type"] == "image/png"
    assert 'class="article-attachments"' not in page  # an image of the body is no 附件


def test_the_image_upload_takes_images_only_and_editors_only(app, editor_client):
    refused = upload_image(editor_client, "全文.pdf", PDF)
    assert refused.status_code == 400
    assert "不是图片" in refused.get_json()["error"]
    renamed = upload_image(editor_client, "照片.png", WINDOWS_PROGRAM)
    assert "可执行程序" in renamed.get_json()["error"]
    reader = app.test_client()
    anonymous = upload_image(reader, "图.png", image_bytes("PNG"), page_url="/editor/login")
    assert anonymous.status_code == 403
    assert anonymous.get_json()["error"] == "请先登录后再上传。"


def test_an_image_uploaded_with_the_form_shows_its_address_to_copy(editor_client, client, notices):
    edit = edit_url(
        new_notice(editor_client, notices, "draft", images=[("图.png", image_bytes("PNG"))])
    )
    form = editor_client.get(edit).get_data(as_text=True)
    address = html.unescape(re.search(r'id="image-url-1" value="([^"]+)"', form).group(1))
    assert re.fullmatch(r"/attachments/[0-9a-f]{64}/%E5%9B%BE\.png", address)
    body = f'<p><img src="{address}" alt="示意图"></p>'
    assert send(editor_client, edit, body=body).status_code == 302
    assert fetch(client, address).status_code == 200
    assert 'class="article-attachments"' not in client.get(article_of(edit)).get_data(as_text=True)


@pytest.mark.parametrize(
    ("source", "kept"),
    [
        ("https://www.gov.cn/images/logo.png", True),
        ("/attachments/" + "ab" * 32 + "/%E5%9B%BE.png", True),
        ("/static/images/favicon.svg", False),
        ("images/a.png", False),
        ("/attachments/" + "ab" * 32 + "/../../editor/x", False),
        ("data:image/png;base64,iVBORw0KGgo=", False),
        ("//evil.example/x.png", False),
    ],
)
def test_the_sanitizer_keeps_images_of_the_uploads_or_https_only(source, kept):
    from portal.sanitize import clean

    result = clean(f'<p>图：<img src="{source}" alt="图"></p>')
    assert ("<img" in result.html) is kept
